"""Pictures: lollipop and chr17 copy-number profile, from hand-made rows and segments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from her2cli.copynumber import Segment, SegmentTable  # noqa: E402
from her2cli.report.plots import (  # noqa: E402
    PlotFormatError, _segments_in_copies, first_residue, lollipop_counts, plot_copy_number, plot_lollipop,
)

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


def test_lollipop_png(tmp_path):
    out = tmp_path / "lollipop.png"
    plot_lollipop(ROWS, str(out), title="test cohort")
    assert is_png(out)
    assert out.stat().st_size > 20_000  # a drawn figure, not an empty canvas


def test_lollipop_without_mutations_still_draws_the_protein(tmp_path):
    out = tmp_path / "empty.svg"
    plot_lollipop([], str(out))
    assert out.read_text().lstrip().startswith("<?xml") and "<svg" in out.read_text()


def test_copy_number_png_from_tuples(tmp_path):
    out = tmp_path / "cn.png"
    plot_copy_number(TUPLES, CN_ROW, str(out), "GRCh38")
    assert is_png(out)
    assert out.stat().st_size > 20_000


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


def test_annotate_does_not_import_matplotlib():
    code = ("import sys, her2cli.cli, her2cli.report.plots, her2cli.report.render; "
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


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
