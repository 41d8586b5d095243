"""Synthetic copy-number cases with hand-computed answers (issue #3)."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest

from her2cli.report import columns as schema
from her2cli.copynumber import (
    DEFINITIONS, FORMATS, Thresholds, assess, detect_genome, read_segment_file,
)
from her2cli.errors import GenomeBuildError, InputMissingError, MalformedInputError

REPO = Path(__file__).resolve().parents[1]
CHR17_38 = 83_257_441   # GRCh38 chr17 length (bedtools hg38.genome)
CHR17_37 = 81_195_210
CHR1_38 = 248_956_422
CHR1_37 = 249_250_621
ERBB2_38 = (39_687_914, 39_730_426)
ALL_17Q12 = "MED1,CDK12,PPP1R1B,STARD3,TCAP,PNMT,PGAP3,MIEN1,GRB7,IKZF3"
from her2cli.report.columns import alteration_row
from her2cli.results import CopyNumberCall


def assess_erbb2(table, genome, **options) -> dict:
    """The copy-number row of one table, as the writers see it."""
    assessment = assess(table, genome, **options)
    return alteration_row(CopyNumberCall(sample=assessment.sample, source=None, assessment=assessment))


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def one(path: str, genome: str | None = None, **kw):
    tables = read_segment_file(path)
    assert len(tables) == 1
    return tables[0], detect_genome(tables, genome, path)


# -- 8-copy focal 17q12 amplicon in a diploid genome (CNVkit .cns, 0-based half-open) ------------

FOCAL_CNS = (
    "chromosome\tstart\tend\tgene\tlog2\tprobes\n"
    f"chr1\t0\t{CHR1_38}\t-\t0\t900\n"
    "chr17\t0\t39000000\tTP53\t0\t300\n"
    "chr17\t39000000\t40000000\tERBB2\t2\t40\n"          # log2 2 = 8 copies in a diploid genome
    f"chr17\t40000000\t{CHR17_38}\tBRCA1\t0\t400\n"
)


def test_focal_8_copy_amplicon(tmp_path):
    table, genome = one(write(tmp_path, "t.cns", FOCAL_CNS))
    assert genome == "GRCh38"   # chr17 ends at the GRCh38 length
    assert table.fmt == "cnvkit" and table.unit == "log2"
    # 0-based half-open [39,000,000, 40,000,000) -> 1-based [39,000,001, 40,000,000]
    amp = table.on("17")[1]
    assert (amp.start, amp.end) == (39_000_001, 40_000_000)
    row = assess_erbb2(table, genome)
    assert set(row) == set(schema.ALL_COLUMNS)
    assert row["kind"] == "copy_number" and row["chrom"] == "chr17" and row["pos"] == ERBB2_38[0]
    assert row["genome"] == "GRCh38" and row["transcript"] is None
    assert row["copy_number"] == 8.0 and row["log2"] == 2.0 and row["tumour_copy_number"] == 8.0
    assert row["chr17_baseline"] == 2.0 and row["ratio_chr17"] == 4.0
    assert row["focality"] == "focal" and row["amplicon_size"] == 1_000_000
    assert row["calls"] == "cn_ge_6;ratio_ge_2;purple_amp;pcgr_amp;cnvkit_amp;ngs_cn_gt_7"
    assert row["cn_status"] == "amplification"
    assert row["breakpoint_in_gene"] is False
    assert row["co_amplified_genes"] == ALL_17Q12   # all of them lie in 39.0-40.0 Mb
    assert row["ploidy"] == 2.0 and row["purity_source"] == "assumed_1" and row["values_adjusted"] == "raw"
    assert row["min_purity_for_amplification"] == 1.0   # 8 >= 2.5 x 2 already at purity 1
    assert row["segment_format"] == "cnvkit"


def test_thresholds_change_calls(tmp_path):
    table, genome = one(write(tmp_path, "t.cns", FOCAL_CNS))
    strict = Thresholds(amp_copies=9, ratio=5, ngs_copies=8, focal_max_mb=0.5)
    row = assess_erbb2(table, genome, thresholds=strict)
    assert row["calls"] == "purple_amp;pcgr_amp;cnvkit_amp"
    assert row["focality"] == "arm"   # 1 Mb region is no longer < 0.5 Mb
    with pytest.raises(ValueError):
        Thresholds(ratio=-1)


# -- whole-chr17 gain (ASCAT, absolute) -------------------------------------------------------

def test_whole_chr17_gain(tmp_path):
    text = ("sample\tchr\tstartpos\tendpos\tnMajor\tnMinor\n"
            f"S\t1\t1\t{CHR1_37}\t1\t1\n"
            f"S\t17\t1\t{CHR17_37}\t2\t2\n")
    table, genome = one(write(tmp_path, "s.segments.txt", text))
    assert genome == "GRCh37" and table.fmt == "ascat" and table.unit == "copies"
    a = assess(table, genome, ploidy=2.0)
    assert a.copy_number == 4.0 and a.chr17_baseline == 4.0 and a.ratio_chr17 == 1.0
    assert a.focality == "chromosome" and a.amplicon_size == CHR17_37
    assert a.cn_status == "gain"            # 4 < 2.5 x 2 and ratio 1: not an amplification
    assert a.calls == ["cnvkit_amp"]        # log2(4/2) = 1 >= 0.7; every copy-number rule fails
    assert a.ploidy_source == "--ploidy"
    # Without --ploidy: length-weighted mean copy number of the segments.
    b = assess(table, genome)
    expected = (2 * CHR1_37 + 4 * CHR17_37) / (CHR1_37 + CHR17_37)
    assert b.ploidy == pytest.approx(expected)
    assert b.log2 == pytest.approx(math.log2(4 / expected))


def test_17q_arm_gain(tmp_path):
    text = ("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
            f"S\t17\t1\t25100000\t10\t0\n"
            f"S\t17\t25100001\t{CHR17_38}\t10\t0.5849625\n")   # log2(3/2)
    table, genome = one(write(tmp_path, "a.seg", text))
    a = assess(table, genome)
    assert a.copy_number == pytest.approx(3.0) and a.chr17_baseline == pytest.approx(3.0)
    assert a.focality == "arm" and a.amplicon_size == CHR17_38 - 25_100_000
    assert a.cn_status == "gain" and a.calls == []


def test_focal_amplicon_on_gained_arm(tmp_path):
    # q arm at 3 copies, 0.5 Mb at 12 copies: the peak is separated from the gained arm.
    text = ("chromosome\tstart\tend\tcopyNumber\n"
            "17\t1\t25100000\t2\n"
            "17\t25100001\t39500000\t3\n"
            "17\t39500001\t40000000\t12\n"
            f"17\t40000001\t{CHR17_38}\t3\n")
    table, genome = one(write(tmp_path, "x.purple.cnv.somatic.tsv", text))
    a = assess(table, genome, ploidy=2.0)
    assert a.focality == "focal" and a.amplicon_size == 500_000
    # baseline = length-weighted median outside the amplicon: q-arm segments (3) outweigh p (2)
    assert a.chr17_baseline == 3.0 and a.ratio_chr17 == 4.0
    # level = sqrt(12 x 3) = 6. CDK12 (39,461,486-39,564,907) is 38,515 bp at 3 and 64,907 bp at 12:
    # mean 8.65 >= 6, so it rises with ERBB2; MED1 (ends 39,451,272) stays at 3.
    assert a.co_amplified_genes == ["CDK12", "PPP1R1B", "STARD3", "TCAP", "PNMT", "PGAP3", "MIEN1", "GRB7", "IKZF3"]


# -- 50% purity rescaling ---------------------------------------------------------------------

PURITY_SEG = ("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
              "P\tchr17\t1\t39000000\t10\t0\n"
              "P\tchr17\t39000001\t40000000\t10\t1\n"        # observed copy ratio 2
              f"P\tchr17\t40000001\t{CHR17_38}\t10\t0\n")


def test_purity_50_percent(tmp_path):
    table, genome = one(write(tmp_path, "p.seg", PURITY_SEG))
    raw = assess_erbb2(table, genome)
    # No purity: 2 x 2^1 = 4 copies, chr17 at 2, ratio 2.
    assert raw["copy_number"] == 4.0 and raw["tumour_copy_number"] == 4.0 and raw["ratio_chr17"] == 2.0
    assert raw["purity"] is None and raw["purity_source"] == "assumed_1" and raw["values_adjusted"] == "raw"
    assert raw["calls"] == "ratio_ge_2;cnvkit_amp"
    # 50% tumour, diploid: r = (0.5 C + 0.5 x 2) / 2  ->  C = 4r - 2 = 6; chr17 (r = 1) stays 2.
    row = assess_erbb2(table, genome, purity=0.5)
    # Issue #16 item 8: copy_number is the rescaled value the ratio is computed from (was the raw 4).
    assert row["copy_number"] == 6.0 and row["tumour_copy_number"] == 6.0
    assert row["values_adjusted"] == "purity-adjusted" and row["min_purity_for_amplification"] is None
    assert row["chr17_baseline"] == 2.0 and row["ratio_chr17"] == 3.0
    assert row["purity"] == 0.5 and row["purity_source"] == "--purity"
    assert row["calls"] == "cn_ge_6;ratio_ge_2;pcgr_amp;cnvkit_amp"   # 6 is not > 3 x 2
    assert row["cn_status"] == "amplification"
    # Tetraploid tumour at 50%: r = (0.5 C + 1) / (0.5 x 4 + 1)  ->  C = (3r - 1) / 0.5 = 10
    assert assess(table, genome, purity=0.5, ploidy=4.0).tumour_copy_number == pytest.approx(10.0)
    with pytest.raises(ValueError):
        assess(table, genome, purity=1.5)


# -- breakpoint inside ERBB2 ------------------------------------------------------------------

def test_breakpoint_inside_erbb2(tmp_path):
    bp = 39_709_170   # splits ERBB2 (39,687,914-39,730,426) into 21,256 bp at 8 and 21,257 bp at 2
    text = ("chromosome\tstart\tend\tcopyNumber\n"
            "17\t1\t39000000\t2\n"
            f"17\t39000001\t{bp - 1}\t8\n"
            f"17\t{bp}\t{CHR17_38}\t2\n")
    table, genome = one(write(tmp_path, "b.purple.cnv.somatic.tsv", text))
    a = assess(table, genome, ploidy=2.0)
    assert a.breakpoint_in_gene is True
    assert a.copy_number == pytest.approx((8 * 21_256 + 2 * 21_257) / 42_513)   # 4.99998
    assert a.min_copy_number == 2.0
    assert a.focality == "focal" and a.amplicon_size == bp - 1 - 39_000_000
    assert a.ratio_chr17 == pytest.approx(a.copy_number / 2)
    assert a.calls == ["ratio_ge_2", "cnvkit_amp"]   # 4.99998 < 5; PURPLE's min-CN rule fails
    assert a.co_amplified_genes == ["MED1", "CDK12", "PPP1R1B", "STARD3", "TCAP", "PNMT", "PGAP3"]


# -- coordinates and contig names --------------------------------------------------------------

def test_contig_names_and_one_based_seg(tmp_path):
    text = ("Sample\tChromosome\tStart\tEnd\tNum_Probes\tSegment_Mean\n"
            f"X1\t17\t{ERBB2_38[0]}\t{ERBB2_38[1]}\t5\t1\n")
    table = read_segment_file(write(tmp_path, "igv.seg", text))[0]
    s = table.segments[0]
    assert (s.chrom, s.start, s.end) == ("17", ERBB2_38[0], ERBB2_38[1])   # 1-based kept as is
    assert assess(table, "GRCh38").breakpoint_in_gene is False
    assert assess_erbb2(table, "hg38")["chrom"] == "17"


def test_gzip_and_log10(tmp_path):
    path = tmp_path / "l.seg.gz"
    path.write_bytes(gzip.compress(PURITY_SEG.replace("\t1\n", "\t0.30103\n").encode()))
    table = read_segment_file(str(path), log_base=10)[0]
    assert assess(table, "GRCh38").log2 == pytest.approx(1.0, abs=1e-4)   # log10(2) -> log2 1


def test_multi_sample_and_sample_option(tmp_path):
    text = PURITY_SEG + PURITY_SEG.splitlines(True)[1].replace("P\t", "Q\t")
    path = write(tmp_path, "m.seg", text)
    assert [t.sample for t in read_segment_file(path)] == ["P", "Q"]
    assert [t.sample for t in read_segment_file(path, sample="Q")] == ["Q"]
    with pytest.raises(MalformedInputError, match="not in file"):
        read_segment_file(path, sample="Z")


def test_sample_data_example():
    path = REPO / "sample_data" / "tumour.cns"
    tables = read_segment_file(str(path))
    row = assess_erbb2(tables[0], detect_genome(tables, None, str(path)))
    assert (row["copy_number"], row["ratio_chr17"], row["focality"], row["amplicon_size"],
            row["cn_status"]) == (8.0, 4.0, "focal", 500_000, "amplification")


# -- bad input ---------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(InputMissingError):
        read_segment_file(str(tmp_path / "nope.cns"))


def test_unknown_format(tmp_path):
    path = write(tmp_path, "u.txt", "foo\tbar\tbaz\n1\t2\t3\n")
    with pytest.raises(MalformedInputError) as err:
        read_segment_file(path)
    assert err.value.line == 1 and err.value.path == path and "--segment-format" in err.value.message


def test_forced_format_missing_column(tmp_path):
    path = write(tmp_path, "c.tsv", "chromosome\tstart\tend\tvalue\nchr17\t1\t2\t0.1\n")
    with pytest.raises(MalformedInputError, match="log2") as err:
        read_segment_file(path, fmt="cnvkit")
    assert err.value.line == 1
    with pytest.raises(MalformedInputError, match="unknown --segment-format"):
        read_segment_file(path, fmt="nonsense")


def test_non_numeric_value(tmp_path):
    path = write(tmp_path, "n.cns", "chromosome\tstart\tend\tlog2\tprobes\nchr17\t0\t100\t0.1\t1\n"
                                    "chr17\t100\t200\thigh\t1\n")
    with pytest.raises(MalformedInputError, match="not a number") as err:
        read_segment_file(path)
    assert err.value.line == 3
    bad_pos = write(tmp_path, "p.cns", "chromosome\tstart\tend\tlog2\tprobes\nchr17\tten\t100\t0.1\t1\n")
    with pytest.raises(MalformedInputError, match="start is not a number") as err:
        read_segment_file(bad_pos)
    assert err.value.line == 2


def test_na_values_skipped(tmp_path):
    path = write(tmp_path, "na.seg", PURITY_SEG + "P\tchr1\t1\t100\t1\tNA\n")
    table = read_segment_file(path)[0]
    assert len(table.segments) == 3 and any("NA" in n for n in table.notes)


def test_mixed_builds(tmp_path):
    # chr1 beyond its GRCh38 length (GRCh37 only) and chr17 beyond its GRCh37 length (GRCh38 only)
    text = ("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
            f"S\t1\t1\t{CHR1_37}\t10\t0\n"
            f"S\t17\t1\t82000000\t10\t0\n")
    path = write(tmp_path, "mixed.seg", text)
    tables = read_segment_file(path)
    with pytest.raises(GenomeBuildError, match="mixed genome builds") as err:
        detect_genome(tables, None, path)
    assert err.value.line == 3 and err.value.path == path


def test_genome_contradiction_and_undecidable(tmp_path):
    table_path = write(tmp_path, "t.cns", FOCAL_CNS)
    tables = read_segment_file(table_path)
    with pytest.raises(GenomeBuildError, match="contradicts"):
        detect_genome(tables, "GRCh37", table_path)
    small = write(tmp_path, "small.seg", "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nS\t17\t1\t40000000\t5\t0\n")
    t2 = read_segment_file(small)
    with pytest.raises(GenomeBuildError, match="--genome"):
        detect_genome(t2, None, small)
    assert detect_genome(t2, "hg19", small) == "GRCh37"
    with pytest.raises(GenomeBuildError, match="unknown genome build"):
        detect_genome(t2, "hg18", small)


def test_no_chr17(tmp_path):
    path = write(tmp_path, "c1.seg", f"ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nS\t1\t1\t{CHR1_37}\t5\t0\n")
    table = read_segment_file(path)[0]
    with pytest.raises(MalformedInputError, match="no chr17") as err:
        assess_erbb2(table, "GRCh37")
    assert err.value.path == path


def test_erbb2_not_covered(tmp_path):
    # issue 22: no segment over ERBB2 is "not assessed" with the reason, never a copy number or "neutral"
    path = write(tmp_path, "c.seg", "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nS\t17\t1\t1000000\t5\t0\n")
    row = assess_erbb2(read_segment_file(path)[0], "GRCh38")
    assert row["cn_status"] == "not assessed" and row["copy_number"] is None and row["calls"] == ""
    assert any("no segment overlaps ERBB2" in n for n in assess(read_segment_file(path)[0], "GRCh38").notes)


GAP_SEG = ("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
           "S\t17\t1\t39710000\t50\t{v}\nS\t17\t39720000\t83257441\t50\t{v}\n")


def test_gap_over_the_erbb2_coding_span(tmp_path):
    # NM_004448.4 codes from GRCh38 39,700,239 (exon 1) to 39,728,044 (exon 27): the gap 39,710,001-39,719,999
    # (9,999 bp) lies inside it, so a flat profile cannot say "not amplified".
    a = assess(read_segment_file(write(tmp_path, "g.seg", GAP_SEG.format(v=0)))[0], "GRCh38")
    assert a.cn_status == "not assessed"
    assert "segments leave 9,999 bp of the ERBB2 coding span uncovered (a gap): amplification not assessed" in a.notes
    # an amplification read on the covered part stays an amplification
    a = assess(read_segment_file(write(tmp_path, "h.seg", GAP_SEG.format(v=3)))[0], "GRCh38")
    assert a.cn_status == "amplification"


def test_gap_reaches_the_verdict(tmp_path, capsys):
    from her2cli.cli import run

    path = write(tmp_path, "g.seg", GAP_SEG.format(v=0))
    assert run(["annotate", "--segments", path, "--genome", "GRCh38", "--summary", "-f", "tsv", "-q"]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    summary = dict(zip(header.split("\t"), row.split("\t")))
    assert summary["amplification_status"] == "not assessed"
    assert summary["assessment_basis"] == ("copy number: segments leave 9,999 bp of the ERBB2 coding span uncovered "
                                           "(a gap): amplification not assessed")


def test_empty_and_binary(tmp_path):
    with pytest.raises(MalformedInputError, match="empty"):
        read_segment_file(write(tmp_path, "e.seg", "\n\n"))
    b = tmp_path / "b.seg"
    b.write_bytes(b"\x00\x01\x02\xff\xfe")
    with pytest.raises(MalformedInputError, match="binary"):
        read_segment_file(str(b))
    with pytest.raises(MalformedInputError, match="no copy-number segments"):
        read_segment_file(write(tmp_path, "h.seg", "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"))


def test_vcf_given_as_segments(tmp_path):
    with pytest.raises(MalformedInputError, match="VCF"):
        read_segment_file(write(tmp_path, "v.vcf", "##fileformat=VCFv4.2\n#CHROM\tPOS\n"))


def test_api_constants():
    assert DEFINITIONS == ["cn_ge_6", "ratio_ge_2", "purple_amp", "pcgr_amp", "cnvkit_amp", "ngs_cn_gt_7"]
    for name in ("cnvkit", "gatk", "seg", "purple", "facets", "ascat", "sequenza", "freec", "pcgr"):
        assert name in FORMATS


# -- formats without a real fixture: layouts from the fixture guide / tool docs -------------------

FOCAL_ROWS_38 = [(1, 39_000_000, 2), (39_000_001, 40_000_000, 8), (40_000_001, CHR17_38, 2)]


def test_facets_cncf(tmp_path):
    body = "".join(f"17\t{i}\t{s}\t{e}\t0.1\t{c}\t1\n" for i, (s, e, c) in enumerate(FOCAL_ROWS_38, 1))
    path = write(tmp_path, "t.cncf.txt", "chrom\tseg\tstart\tend\tcnlr.median\ttcn.em\tlcn.em\n" + body)
    table, genome = one(path)
    assert table.fmt == "facets" and table.unit == "copies" and genome == "GRCh38"
    assert assess(table, genome, ploidy=2).copy_number == 8.0


def test_sequenza_with_confints(tmp_path):
    head = "chromosome\tstart.pos\tend.pos\tBf\tN.BAF\tsd.BAF\tdepth.ratio\tN.ratio\tsd.ratio\tCNt\tA\tB\tLPP\n"
    body = "".join(f'"chr17"\t{s}\t{e}\t0.5\t10\t0.1\t1.0\t10\t0.1\t{c}\t{c - 1}\t1\t-1\n' for s, e, c in FOCAL_ROWS_38)
    path = write(tmp_path, "T_segments.txt", head + body)
    write(tmp_path, "T_confints_CP.txt", "cellularity\tploidy.estimate\tSLPP\n0.6\t2.0\t-1\n0.7\t2.1\t-1\n0.8\t2.2\t-1\n")
    table, genome = one(path)
    assert table.fmt == "sequenza" and table.sample == "T"
    a = assess(table, genome)
    assert (a.purity, a.ploidy, a.purity_source) == (0.7, 2.1, "Sequenza confints_CP.txt")   # middle row
    assert a.copy_number == 8.0 and a.chrom == "chr17"


def test_freec_ratio_txt(tmp_path):
    # windows of 1 Mb starting at 0 (0-based): ERBB2 window 39,000,000 has CopyNumber 8
    rows = "".join(f"17\t{s}\t1.0\t1.0\t{8 if s == 39_000_000 else 2}\n" for s in range(0, 83_000_000, 1_000_000))
    path = write(tmp_path, "t_ratio.txt", "Chromosome\tStart\tRatio\tMedianRatio\tCopyNumber\n" + rows)
    table = read_segment_file(path)[0]
    assert table.fmt == "freec" and table.segmented is False
    assert (table.on("17")[39].start, table.on("17")[39].end) == (39_000_001, 40_000_000)
    a = assess(table, "GRCh38", ploidy=2)
    assert a.copy_number == 8.0 and a.breakpoint_in_gene is None and a.cn_status == "amplification"


def test_pcgr_legacy_log2(tmp_path):
    body = "".join(f"17\t{s}\t{e}\t{1 if c == 8 else 0}\n" for s, e, c in FOCAL_ROWS_38)
    table = read_segment_file(write(tmp_path, "x.cna.tsv", "Chromosome\tStart\tEnd\tSegment_Mean\n" + body))[0]
    assert table.fmt == "pcgr" and table.unit == "log2" and table.sample == "x"
    assert assess(table, "GRCh38").copy_number == 4.0


def test_forced_format_alias(tmp_path):
    path = write(tmp_path, "t.txt", FOCAL_CNS)
    assert read_segment_file(path, fmt="CNS")[0].fmt == "cnvkit"
