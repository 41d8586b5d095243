"""Issue #10: every sample of a multi-sample segment file, per-sample purity, consistent numbers.

Expected values are hand-computed from the rescaling formula in copynumber/gene_level.py's
docstring (CNVkit's purity rescaling, diploid normal cells) or come from the validation folder's
truth.tsv (sample lists, ASCAT purity) and its README.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from her2cli.copynumber import (
    Thresholds, assess, assess_segment_file, format_is_relative, read_purity_table, read_segment_file,
)
from her2cli.errors import InputMissingError, MalformedInputError

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "validation" / "cn"
CHR17_38 = 83_257_441   # GRCh38 chr17 length (bedtools hg38.genome)
ERBB2_38 = (39_687_914, 39_730_426)


def validation(name: str) -> Path:
    path = VALIDATION / name
    if not path.is_file():
        pytest.skip("../shared/validation/cn not available")
    return path


def truth_rows(name: str) -> list[dict]:
    with open(validation("truth.tsv"), encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t") if r["file"] == name]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def seg_rows(sample: str, erbb2_log2: float, rest: float = 0.0, amplicon=(39_000_001, 40_000_000)) -> str:
    """A sample with chr17 flat at ``rest`` and ``erbb2_log2`` over ``amplicon`` (1-based closed)."""
    a, b = amplicon
    return (f"{sample}\t17\t1\t{a - 1}\t100\t{rest}\n"
            f"{sample}\t17\t{a}\t{b}\t50\t{erbb2_log2}\n"
            f"{sample}\t17\t{b + 1}\t{CHR17_38}\t100\t{rest}\n")


SEG_HEADER = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"


# -- every sample of a real multi-sample file -------------------------------------------------

def test_gdc_native_header_gives_one_row_per_aliquot():
    name = "tcga_brca_gdc_snp6_grch38.cinmetrics_masked.seg.txt"
    results, _ = assess_segment_file(str(validation(name)), genome_hint="GRCh38")
    # truth.tsv lists the 10 aliquot UUIDs of this GDC download (README: 7 tumours, 3 normals).
    assert sorted(a.sample for a in results) == sorted(r["sample"] for r in truth_rows(name))
    assert {a.segment_format for a in results} == {"gdc_seg"}


def test_ccle_file_one_row_per_cell_line_whatever_the_sample_column_is_called(tmp_path):
    name = "ccle2013_breast_snp6_grch37.seg"
    real = validation(name).read_text()
    expected = {r["sample"] for r in truth_rows(name)}     # the 49 labelled lines are among them
    header, body = real.split("\n", 1)
    assert header.split("\t")[0] == "sample"
    for first in ("sample", "CCLE_name", ""):             # CCLE's own header; an unnamed column
        path = write(tmp_path, f"c{len(first)}.seg", "\t".join([first] + header.split("\t")[1:]) + "\n" + body)
        tables = read_segment_file(path)
        assert len(tables) == 59     # README: 59 CCLE breast lines
        assert expected <= {t.sample for t in tables}


def test_low_purity_fish_positive_tumour_needs_its_purity():
    # Issue #10 / validation README: TCGA-LL-A5YN is FISH-positive, ASCAT purity 0.24, log2 ~0.53.
    name = "tcga_brca_gdc_snp6_grch38.bobafit.seg"
    row = next(r for r in truth_rows(name) if r["sample"].startswith("TCGA-LL-A5YN"))
    evidence = dict(p.strip().split("=") for p in row["other_evidence"].split(";"))
    purity, ploidy = float(evidence["ascat_purity"]), float(evidence["ascat_ploidy"])
    path = str(validation(name))
    plain, notices = assess_segment_file(path, genome_hint="GRCh38")
    a = next(x for x in plain if x.sample == row["sample"])
    assert a.cn_status == "gain" and a.purity_source == "assumed_1" and a.values_adjusted == "raw"
    assert purity < a.min_purity_for_amplification < 1
    assert any("assumed_1" in n for n in notices)
    rescaled, _ = assess_segment_file(path, genome_hint="GRCh38",
                                      purity_for=lambda s: (purity, ploidy, "ASCAT") if s == row["sample"] else None)
    b = next(x for x in rescaled if x.sample == row["sample"])
    assert b.cn_status == "amplification" and b.purity_source == "ASCAT" and b.values_adjusted == "purity-adjusted"


# -- sample column by structure (synthetic) ---------------------------------------------------

@pytest.mark.parametrize("first", ["ID", "Sample", "GDC_Aliquot", "CCLE_name", "sample", ""])
def test_sample_column_by_structure(tmp_path, first):
    text = SEG_HEADER.replace("ID", first, 1) + seg_rows("P", 1.0) + seg_rows("Q", 0.0)
    assert [t.sample for t in read_segment_file(write(tmp_path, "m.seg", text))] == ["P", "Q"]


def test_row_numbers_are_not_a_sample_column(tmp_path):
    # R write.table(row.names=TRUE): a first column that changes on every row is not a sample.
    body = "".join(f"{i}\t{line}\n" for i, line in enumerate(
        ["17\t1\t39000000\t100\t0", "17\t39000001\t40000000\t50\t1", f"17\t40000001\t{CHR17_38}\t100\t0"], 1))
    tables = read_segment_file(write(tmp_path, "r.seg", "\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n" + body))
    assert [t.sample for t in tables] == ["r"]


def test_gdc_ascat_header(tmp_path):
    head = "GDC_Aliquot\tChromosome\tStart\tEnd\tCopy_Number\tMajor_Copy_Number\tMinor_Copy_Number\n"
    body = "".join(f"{s}\tchr17\t{a}\t{b}\t{c}\t{c - 1}\t1\n" for s in ("u1", "u2")
                   for a, b, c in ((1, 39_000_000, 2), (39_000_001, 40_000_000, 8), (40_000_001, CHR17_38, 2)))
    tables = read_segment_file(write(tmp_path, "g.tsv", head + body))
    assert [(t.sample, t.fmt, t.unit) for t in tables] == [("u1", "gdc_ascat", "copies"), ("u2", "gdc_ascat", "copies")]
    assert assess(tables[0], "GRCh38", ploidy=2).copy_number == 8.0


def test_overlapping_segments_of_one_sample_are_an_error(tmp_path):
    # Two patients' segments under one ID (a mis-read sample column) must never be averaged.
    text = SEG_HEADER + seg_rows("P", 1.0) + seg_rows("P", 0.0).replace("P\t17\t1\t", "P\t18\t1\t", 1)
    path = write(tmp_path, "o.seg", text)
    with pytest.raises(MalformedInputError, match="overlap") as err:
        read_segment_file(path)
    assert err.value.path == path and "'P'" in str(err.value) and err.value.line is not None


def test_sample_reappearing_later_is_an_error(tmp_path):
    p_rows = seg_rows("P", 1.0).splitlines(True)
    text = SEG_HEADER + p_rows[0] + seg_rows("Q", 0.0) + "".join(p_rows[1:])
    with pytest.raises(MalformedInputError, match="reappears"):
        read_segment_file(write(tmp_path, "x.seg", text))


def test_shared_boundary_base_is_not_an_overlap(tmp_path):
    text = SEG_HEADER + f"P\t17\t1\t39000000\t1\t0\nP\t17\t39000000\t40000000\t1\t1\nP\t17\t40000000\t{CHR17_38}\t1\t0\n"
    assert len(read_segment_file(write(tmp_path, "b.seg", text))[0].segments) == 3


def test_format_is_relative():
    assert format_is_relative("seg") and format_is_relative("gdc_seg") and format_is_relative("CNS")
    assert not format_is_relative("purple") and not format_is_relative("gdc_ascat")


# -- purity ------------------------------------------------------------------------------------

def test_purity_table_applied_per_sample(tmp_path):
    path = write(tmp_path, "two.seg", SEG_HEADER + seg_rows("P", 1.0) + seg_rows("Q", 1.0))
    table = write(tmp_path, "purity.tsv", "sample\tpurity\tploidy\nP\t0.5\t2\n")
    from her2cli.copynumber import purity_lookup
    results, _ = assess_segment_file(path, genome_hint="GRCh38", purity_for=purity_lookup(table))
    p, q = results
    # P at 50%: r = 2 = (0.5 C + 0.5 x 2) / 2  ->  C = 6; Q read at purity 1: 2 x 2 = 4.
    assert (p.copy_number, p.purity, p.purity_source) == (6.0, 0.5, "purity table purity.tsv")
    assert (q.copy_number, q.purity, q.purity_source) == (4.0, None, "assumed_1")
    assert p.ratio_chr17 == 3.0 and q.ratio_chr17 == 2.0   # chr17 at log2 0 stays 2 copies


def test_purity_table_formats(tmp_path):
    ascat = write(tmp_path, "summary.tsv", "name\tpatient\tbarcodeTumour\tpurity\tploidy\n"
                  "TCGA-X\tTCGA-X\tTCGA-X-01A-11D-A000-01\t0.58\t2.33\n")
    assert read_purity_table(ascat)["TCGA-X-01A-11D-A000-01"].purity == 0.58
    assert read_purity_table(ascat)["TCGA-X"].ploidy == 2.33
    absolute = write(tmp_path, "abs.txt", "array\tsample\tcall status\tpurity\tploidy\tGenome doublings\n"
                     "A1\tS1\tcalled\t0.71\t3.9\t1\nA2\tS2\tnon-aberrant\tNA\tNA\t0\n")
    found = read_purity_table(absolute)
    assert found["S1"].ploidy == 3.9 and "S2" not in found
    nf_core = write(tmp_path, "T.purityploidy.txt", "AberrantCellFraction\tPloidy\n0.4\t2.1\n")
    assert read_purity_table(nf_core)["*"].purity == 0.4   # no sample column: every sample
    csv_table = write(tmp_path, "p.csv", "sample,purity\nP,0.3\n")
    assert read_purity_table(csv_table)["P"].ploidy is None


def test_purity_table_errors(tmp_path):
    with pytest.raises(MalformedInputError) as err:
        read_purity_table(write(tmp_path, "bad.tsv", "sample\tpurity\nP\t1.4\n"))
    assert err.value.line == 2 and "(0, 1]" in str(err.value)
    with pytest.raises(MalformedInputError, match="purity column"):
        read_purity_table(write(tmp_path, "nocol.tsv", "sample\tcellfraction\nP\t0.4\n"))
    with pytest.raises(MalformedInputError, match="two different"):
        read_purity_table(write(tmp_path, "dup.tsv", "sample\tpurity\nP\t0.4\nP\t0.5\n"))
    with pytest.raises(InputMissingError):
        read_purity_table(str(tmp_path / "none.tsv"))


def test_min_purity_for_amplification_hand_computed(tmp_path):
    r = 2 ** 0.53
    # Focal ERBB2 at log2 0.53 on a flat chr17 (log2 0, i.e. 2 copies at any purity): the FISH rule
    # (ratio >= 2 with >= 4 copies) needs C(p) = 2r + 2 (r - 1)(1 - p) / p >= 4, i.e. p <= r - 1.
    path = write(tmp_path, "f.seg", SEG_HEADER + seg_rows("F", 0.53))
    [table] = read_segment_file(path)
    a = assess(table, "GRCh38")
    assert a.cn_status == "gain" and a.purity_source == "assumed_1"
    assert a.min_purity_for_amplification == pytest.approx(r - 1, abs=1e-6)
    assert assess(table, "GRCh38", purity=r - 1 - 0.01).cn_status == "amplification"
    assert assess(table, "GRCh38", purity=r - 1 + 0.01).cn_status == "gain"
    # Whole chr17 at 0.53 (ratio stays 1): only copies >= 2.5 x 2 count: p* = (r - 1) / (2.5 - 1).
    whole = write(tmp_path, "w.seg", SEG_HEADER + f"W\t17\t1\t{CHR17_38}\t300\t0.53\n")
    b = assess(read_segment_file(whole)[0], "GRCh38")
    assert b.min_purity_for_amplification == pytest.approx((r - 1) / 1.5, abs=1e-6)
    # A loss can never become an amplification.
    loss = write(tmp_path, "l.seg", SEG_HEADER + seg_rows("L", -0.5))
    assert assess(read_segment_file(loss)[0], "GRCh38").min_purity_for_amplification is None


def test_absolute_input_is_not_assumed_pure(tmp_path):
    head = "GDC_Aliquot\tChromosome\tStart\tEnd\tCopy_Number\tMajor_Copy_Number\tMinor_Copy_Number\n"
    body = f"u\tchr17\t1\t{CHR17_38}\t3\t2\t1\n"
    a = assess(read_segment_file(write(tmp_path, "g.tsv", head + body))[0], "GRCh38", ploidy=2)
    assert a.purity_source != "assumed_1" and a.values_adjusted == "tool-absolute"
    assert a.min_purity_for_amplification is None


# -- focality and co-amplification ------------------------------------------------------------

def test_1_7_mb_gain_is_focal_and_lists_no_co_amplified_genes(tmp_path):
    # 1.7 Mb at log2 0.4 (2.64 copies, < 1.5 x the chr17 median: a gain, not a peak) on a flat chr17.
    start = 38_800_001
    path = write(tmp_path, "g.seg", SEG_HEADER + seg_rows("G", 0.4, amplicon=(start, start + 1_700_000 - 1)))
    a = assess(read_segment_file(path)[0], "GRCh38")
    assert a.cn_status == "gain"
    assert (a.focality, a.amplicon_size) == ("focal", 1_700_000)   # < 10 Mb (focal_max_mb)
    assert a.co_amplified_genes == []                               # ERBB2 is not amplified


def test_co_amplified_genes_only_when_amplified(tmp_path):
    path = write(tmp_path, "a.seg", SEG_HEADER + seg_rows("A", 2.0))
    a = assess(read_segment_file(path)[0], "GRCh38")
    assert a.cn_status == "amplification" and "GRB7" in a.co_amplified_genes   # GRB7 lies in 39.0-40.0 Mb
    lowered = assess(read_segment_file(path)[0], "GRCh38", thresholds=Thresholds(status_amp_ploidy_factor=5, ratio=5))
    assert lowered.cn_status == "gain" and lowered.co_amplified_genes == []


# -- CLI --------------------------------------------------------------------------------------

def test_cli_purity_table(tmp_path):
    seg = write(tmp_path, "two.seg", SEG_HEADER + seg_rows("P", 1.0) + seg_rows("Q", 1.0))
    table = write(tmp_path, "p.tsv", "sample\tpurity\nP\t0.5\n")
    proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", "--segments", seg, "--genome", "GRCh38",
                           "--purity-table", table, "-f", "tsv"], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(proc.stdout.decode().splitlines(), delimiter="\t"))
    got = {r["sample"]: (r["copy_number"], r["purity_source"], r["values_adjusted"]) for r in rows}
    assert got == {"P": ("6", "purity table p.tsv", "purity-adjusted"), "Q": ("4", "assumed_1", "raw")}
    bad = write(tmp_path, "bad.tsv", "sample\tpurity\nP\tx\n")
    proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", "--segments", seg, "--genome", "GRCh38",
                           "--purity-table", bad], capture_output=True, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 4 and "Traceback" not in err and proc.stdout == b""
    assert f"{bad}:2" in err and len([l for l in err.splitlines() if l.startswith("her2: error")]) == 1



def test_summary_numbers_come_from_one_set_of_values():
    # Issue #16 item 8: sample_data/tumour.cns has ERBB2 at log2 2 on a flat chr17 (log2 0). At purity
    # 0.6: C = (4 x (0.6 x 2 + 0.8) - 0.8) / 0.6 = 12, chr17 stays 2, so the ratio is 6 (not 12 / 2
    # beside a raw copy number of 8).
    from her2cli.pipeline import Options, SampleRequest, run_sample

    repo = Path(__file__).resolve().parents[1]
    [result] = run_sample(SampleRequest(segments=[str(repo / "sample_data" / "tumour.cns")], purity=0.6),
                          Options(thresholds=Thresholds()))
    from her2cli.report.columns import alteration_rows

    [row] = alteration_rows([result])
    assert (row["copy_number"], row["chr17_baseline"], row["ratio_chr17"]) == (12.0, 2.0, 6.0)
    assert row["values_adjusted"] == "purity-adjusted"
    assert (result.verdict.copy_number, result.verdict.ratio_chr17) == (12.0, 6.0)
    assert result.verdict.copy_number_basis == "purity-adjusted"


def test_docs_list_every_format_and_column():
    from her2cli.copynumber import FORMATS
    from her2cli.report.columns import COPY_NUMBER_COLUMNS

    docs = (Path(__file__).resolve().parents[1] / "docs" / "copy-number.md").read_text()
    for name in FORMATS:
        assert f"| `{name}` |" in docs, name
    for column in COPY_NUMBER_COLUMNS:
        assert f"`{column}`" in docs, column


def test_one_segment_per_sample_and_segment_ids(tmp_path):
    # A region-trimmed cohort file: one segment per sample, coordinates restart on every row.
    rows = "".join(f"S{i}\t17\t39000001\t40000000\t50\t{i / 10}\n" for i in range(5))
    assert [t.sample for t in read_segment_file(write(tmp_path, "one.seg", SEG_HEADER + rows))] == \
        ["S0", "S1", "S2", "S3", "S4"]
    # Segment IDs of one sample's consecutive segments are not samples.
    ids = (f"seg1\t17\t1\t39000000\t1\t0\nseg2\t17\t39000001\t40000000\t1\t1\n"
           f"seg3\t17\t40000001\t{CHR17_38}\t1\t0\n")
    assert [t.sample for t in read_segment_file(write(tmp_path, "ids.seg", SEG_HEADER + ids))] == ["ids"]
