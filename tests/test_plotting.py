"""Pictures: lollipop and chr17 copy-number profile, from hand-made rows and segments. ``her2 plot`` writes
the very SVG the HTML page inlines (report/svg.py); PNG and PDF are converted from it by cairosvg."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from her2cli.copynumber import Segment, SegmentTable
from her2cli.copynumber import Thresholds
from her2cli.report.plots import (
    PlotFormatError, first_residue, lollipop_counts, plot_copy_number, plot_lollipop,
)
from her2cli.report.svg import segments_in_copies as _segments_in_copies
from her2cli.report.svg import threshold_lines


def _cairo() -> bool:
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


needs_cairo = pytest.mark.skipif(not _cairo(), reason="cairosvg or the Cairo library (Debian libcairo2) missing")


def threshold_levels(t, ploidy, baseline, purity, log2_input):
    """(definitions at the line, copies) of each threshold line of the profile."""
    row = {"ploidy": ploidy, "chr17_baseline": baseline, "purity": purity}
    from her2cli.copynumber.definitions import definition_texts

    by_label = {d.label: d.name for d in definition_texts(t)}
    out = []
    for line in threshold_lines(row, t, log2_input):
        for text in line.texts[1:]:
            out.append((next(name for label, name in by_label.items() if text.startswith(label)), line.copies, text))
    return out

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"  # PNG specification, section 5.2


def mut(sample, position, short, subgroup):
    return {"kind": "mutation", "sample": sample, "protein_position": position, "hgvs_p_short": short,
            "subgroup": subgroup}


ROWS = [
    mut("S1", "772-775", "p.Y772_A775dup", "exon20_insertion"),
    mut("S2", "772-775", "p.Y772_A775dup", "exon20_insertion"),
    mut("S2", "772-775", "p.Y772_A775dup", "exon20_insertion"),  # same sample twice counts once
    mut("S3", "776", "p.G776delinsVC", "exon20_insertion"),
    mut("S4", "755", "p.L755S", "kinase_domain_missense"),
    mut("S5", "310", "p.S310F", "extracellular"),
    mut("S6", "659", "p.V659E", "transmembrane_juxtamembrane"),
    {"kind": "mutation", "sample": "S7", "protein_position": None, "hgvs_p_short": "p.?", "subgroup": "other"},
]

# GRCh38 chr17: diploid arms and a 0.5 Mb 8-copy amplicon over ERBB2 (39,687,914-39,730,426).
TUPLES = [(1, 39_400_000, 2.0), (39_400_001, 39_900_000, 8.0), (39_900_001, 83_257_441, 2.0)]
CN_ROW = {"sample": "T1", "kind": "copy_number", "genome": "GRCh38", "copy_number": 8.0, "tumour_copy_number": 8.0,
          "chr17_baseline": 2.0, "ploidy": 2.0, "purity": None, "ratio_chr17": 4.0, "focality": "focal",
          "cn_status": "amplification"}


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG_MAGIC


def svg_texts(path: Path) -> list[str]:
    """Every text string drawn in an SVG (the plots keep text as <text>, not glyph outlines)."""
    return ["".join(node.itertext()).strip() for node in ET.parse(path).iter("{http://www.w3.org/2000/svg}text")]


def test_first_residue():
    assert first_residue("772-775") == 772
    assert first_residue("755") == 755
    assert first_residue(None) is None and first_residue("") is None


def test_lollipop_counts_samples_per_change():
    stems, skipped = lollipop_counts(ROWS)
    assert skipped == 1
    counts = {label: n for _, label, _, n in stems}
    assert counts == {"Y772_A775dup": 2, "G776delinsVC": 1, "L755S": 1, "S310F": 1, "V659E": 1}
    assert [res for res, *_ in stems] == sorted(res for res, *_ in stems)


@needs_cairo
def test_lollipop_png(tmp_path):
    out = tmp_path / "lollipop.png"
    plot_lollipop(ROWS, str(out), title="test cohort")
    assert is_png(out)
    assert out.stat().st_size > 20_000  # a drawn figure, not an empty canvas


def test_lollipop_svg_names_domains_and_changes(tmp_path):
    out = tmp_path / "lollipop.svg"
    plot_lollipop(ROWS, str(out))
    texts = svg_texts(out)
    # The six UniProt P04626 regions (signal peptide 1-22, extracellular 23-652, transmembrane 653-675,
    # juxtamembrane 676-719, kinase 720-987, C-terminal tail 988-1255), labelled on the protein bar.
    for domain in ("SP", "extracellular", "TM", "JM", "kinase", "C-terminal tail"):
        assert domain in texts, texts
    for change in ("G776delinsVC", "L755S", "S310F", "V659E"):
        assert change in texts, texts
    assert "Y772_A775dup (n=2)" in texts  # two samples carry it (the stem height, said in the label)
    # Samples S1-S7 each carry a mutation row (S7's p.? is counted as a sample but not drawn).
    assert "ERBB2 mutations (7 samples)" in texts
    assert "1 change(s) without a protein position (intronic, UTR, splice) not drawn" in texts


def test_lollipop_without_mutations_still_draws_the_protein(tmp_path):
    out = tmp_path / "empty.svg"
    plot_lollipop([], str(out))
    assert out.read_text().lstrip().startswith("<?xml") and "<svg" in out.read_text()


@needs_cairo
def test_copy_number_png_from_tuples(tmp_path):
    out = tmp_path / "cn.png"
    plot_copy_number(TUPLES, CN_ROW, str(out), "GRCh38")
    assert is_png(out)
    assert out.stat().st_size > 20_000


def test_threshold_levels_of_the_six_definitions():
    # copynumber.calls rules at ploidy 2, chr17 baseline 2, defaults: cn_ge_6 >= 6; ratio_ge_2 >= 2 x 2;
    # purple_amp > 3 x 2; pcgr_amp >= 5 or >= 2.5 x 2 -> 5; cnvkit_amp log2 >= 0.7 -> 2 x 2^0.7 = 3.249;
    # ngs_cn_gt_7 > 7.
    levels = {name: y for name, y, _ in threshold_levels(Thresholds(), 2.0, 2.0, None, log2_input=True)}
    assert levels == pytest.approx({"cn_ge_6": 6, "ratio_ge_2": 4, "purple_amp": 6, "pcgr_amp": 5,
                                    "cnvkit_amp": 3.249, "ngs_cn_gt_7": 7}, abs=0.001)
    # Ploidy 3: pcgr_amp at the lower of 5 and 7.5; purple_amp 9; cnvkit 3 x 2^0.7 = 4.873.
    triploid = {name: y for name, y, _ in threshold_levels(Thresholds(), 3.0, None, None, log2_input=False)}
    assert "ratio_ge_2" not in triploid  # no baseline, no ratio line
    assert triploid["pcgr_amp"] == 5 and triploid["purple_amp"] == 9
    assert triploid["cnvkit_amp"] == pytest.approx(4.873, abs=0.001)
    # Purity 0.5 on log2 segments: a segment at log2 0.7 is drawn at (2^0.7 (0.5 x 2 + 1) - 1) / 0.5 = 4.498.
    pure = {name: y for name, y, _ in threshold_levels(Thresholds(), 2.0, 2.0, 0.5, log2_input=True)}
    assert pure["cnvkit_amp"] == pytest.approx(4.498, abs=0.001)


def test_copy_number_svg_labels_every_threshold(tmp_path):
    out = tmp_path / "cn.svg"
    plot_copy_number(TUPLES, CN_ROW, str(out), "GRCh38")
    texts = svg_texts(out)
    heads = [t for t in texts if t.endswith(" copies:")]
    # Values from the rules above (ploidy 2, baseline 2); cn_ge_6 and purple_amp share the line at 6.
    assert sorted(float(h.split()[0]) for h in heads) == [3.25, 4, 5, 6, 7]
    for label in ("HER2 copy number >= 6", "ERBB2/chr17 ratio >= 2 (baseline 2)", "PURPLE amplification",
                  "PCGR amplification", "CNVkit amplification (log2 >= 0.7)", "NGS copy number > 7"):
        assert sum(t.startswith(label) for t in texts) == 1, (label, texts)
    assert "chr17 baseline 2 copies" in texts and "T1: ERBB2 copy number on chr17 (GRCh38)" in texts


def test_the_page_and_her2_plot_draw_the_same_figure(tmp_path):
    """One drawing: the file of her2 plot is the SVG the HTML page inlines, plus a visible heading."""
    from her2cli.report.svg import lollipop_svg

    out = tmp_path / "l.svg"
    plot_lollipop(ROWS, str(out), title="same")
    page_svg = lollipop_svg(ROWS, title="same")
    page_body = page_svg[page_svg.index("</title>") + 8:-len("</svg>")]
    assert page_body in out.read_text()


@needs_cairo
def test_copy_number_pdf_from_segment_table(tmp_path):
    table = SegmentTable(path="x.cns", sample="T1", fmt="cnvkit", unit="log2", segments=[
        Segment("chr17", s, e, v, i) for i, (s, e, v) in enumerate([(1, 39_400_000, 0.0),
                                                                     (39_400_001, 39_900_000, 2.0),
                                                                     (39_900_001, 83_257_441, 0.0)])])
    out = tmp_path / "cn.pdf"
    plot_copy_number(table, CN_ROW, str(out), "GRCh38")
    assert out.read_bytes()[:5] == b"%PDF-"


def test_log2_segments_become_copies_like_the_gene_level_value():
    table = SegmentTable(path="x", sample="T", fmt="cnvkit", unit="log2",
                         segments=[Segment("17", 1, 10, 1.0, 1), Segment("1", 1, 10, 5.0, 2)])
    # ploidy x 2^log2 without purity; chr1 is not drawn
    assert _segments_in_copies(table, {"ploidy": 2.0}) == [(1, 10, 4.0)]
    # with purity p: (2^log2 (p P + 2 (1 - p)) - 2 (1 - p)) / p = (2 x 2 - 1) / 0.5
    assert _segments_in_copies(table, {"ploidy": 2.0, "purity": 0.5}) == [(1, 10, 6.0)]


def test_unknown_extension_is_a_usage_error(tmp_path):
    with pytest.raises(PlotFormatError) as caught:
        plot_lollipop(ROWS, str(tmp_path / "x.jpg"))
    assert caught.value.exit_code == 2


def test_annotate_and_the_html_page_import_no_drawing_library(tmp_path):
    page = tmp_path / "p.html"
    code = ("import sys\nfrom her2cli.cli import run\n"
            f"assert run(['annotate', {str(REPO / 'sample_data' / 'tumour.vcf')!r}, '--segments', "
            f"{str(REPO / 'sample_data' / 'tumour.cns')!r}, '-q', '-o', {str(page)!r}]) == 0\n"
            "print(sorted(m for m in ('matplotlib', 'cairosvg', 'cairocffi') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr
    assert "<svg" in page.read_text()


@needs_cairo
def test_plot_command_writes_both_pictures(tmp_path):
    from her2cli.cli import run

    vcf = tmp_path / "t.vcf"
    vcf.write_text("\n".join([
        "##fileformat=VCFv4.2", "##contig=<ID=chr17,length=83257441>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT1",
        "chr17\t39723967\t.\tT\tC\t.\tPASS\t.\tGT:AD\t0/1:100,40",
    ]) + "\n")
    seg = tmp_path / "t.cns"
    seg.write_text("chromosome\tstart\tend\tgene\tlog2\n" + "".join(
        f"chr17\t{s - 1}\t{e}\t-\t{v}\n" for s, e, v in [(1, 39_400_000, 0.0), (39_400_001, 39_900_000, 2.0),
                                                         (39_900_001, 83_257_441, 0.0)]))
    out = tmp_path / "her2.png"
    assert run(["plot", str(vcf), "--segments", str(seg), "-o", str(out)]) == 0
    assert is_png(tmp_path / "her2.lollipop.png")
    assert is_png(tmp_path / "her2.copy_number.png")
    assert not out.exists()
    assert run(["plot", str(vcf), "-o", str(out), "--kind", "pie"]) == 2


def test_png_without_cairo_is_a_clear_output_error(tmp_path, monkeypatch):
    from her2cli.errors import OutputError

    monkeypatch.setitem(sys.modules, "cairosvg", None)  # import fails as without the package
    with pytest.raises(OutputError) as caught:
        plot_lollipop(ROWS, str(tmp_path / "x.png"))
    assert caught.value.exit_code == 7 and "write .svg instead" in str(caught.value)
    assert not (tmp_path / "x.png").exists()
    plot_lollipop(ROWS, str(tmp_path / "x.svg"))  # the SVG needs no converter
    assert (tmp_path / "x.svg").exists()
