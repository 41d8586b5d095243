"""Real copy-number files from ../shared/fixtures (expected values from the fixture guide / the tool)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from her2cli.copynumber import assess, detect_genome, read_segment_file
from her2cli.errors import MalformedInputError

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"

# file -> (format, log base, genome the guide gives)
SEGMENT_FIXTURES = {
    "cnvkit.amplicon_erbb2.cnr": ("cnvkit", None, "GRCh37"),
    "cnvkit.amplicon_erbb2.cns": ("cnvkit", None, "GRCh37"),
    "cnvkit_call.p2-9_2.call.cns": ("cnvkit", None, "GRCh37"),
    "cnvkit_fix.p2-9_2.cnr": ("cnvkit", None, "GRCh37"),
    "cnvkit_segment.p2-9_2.cns": ("cnvkit", None, "GRCh37"),
    "cnvkit_segmetrics.tr95t.segmetrics.cns": ("cnvkit", None, "GRCh37"),
    "gatk4_CallCopyRatioSegments.SM-74NF5.called.seg": ("gatk", None, "GRCh37"),
    "gatk4_ModelSegments.SM-74P4M-1.cr.seg": ("gatk", None, "GRCh37"),
    "gatk4_ModelSegments.SM-74P4M-1.modelFinal.seg": ("gatk", None, "GRCh37"),
    "gatk4_ModelSegments.SM-74P4M-1.cr.igv.seg": ("seg", None, "GRCh37"),
    "cbioportal_seg.study_es_0.data_cna_hg19.seg": ("seg", None, "GRCh37"),
    "dnacopy_cbs_log2.cnvkit_test_cw-tr.seg": ("seg", None, "GRCh37"),
    "genepattern_acgh_cbs_log10.cnvkit_test.seg": ("seg", 10, "GRCh37"),
    "pscbs_r_quoted_with_warning_line.cnvkit_test.seg": ("seg", None, "GRCh37"),
    "ascat_v3.A32.fast.segments.txt": ("ascat", None, "GRCh37"),
    "ascat_sarek.HCC1395T_vs_HCC1395N.cnvs.txt": ("ascat", None, "GRCh38"),
    "ascat_sarek.HCC1395T_vs_HCC1395N.segments_chr22.txt": ("ascat", None, "GRCh38"),
    "controlfreec_sarek.HCC1395T_vs_HCC1395N.tumor.mpileup.gz_CNVs": ("freec", None, "GRCh38"),
    "purple.tumor_sample.purple.cnv.somatic.tsv": ("purple", None, "GRCh37"),
    "purple.tumor_sample.purple.cnv.gene.tsv": ("purple_gene", None, "GRCh37"),
    "pcgr_input_cna.T001-BRCA.grch37.cna.tsv": ("pcgr", None, "GRCh37"),
    "pcgr_input_cna.T001-BRCA.grch38.cna.tsv": ("pcgr", None, "GRCh38"),
    "splitthreader_dnacopy_10kb_bins.SK-BR-3_pacbio.chr17.copynumber.segmented.csv": ("splitthreader", None, "GRCh37"),
}
NO_CHR17 = {
    "gatk4_ModelSegments.SM-74P4M-1.cr.seg", "gatk4_ModelSegments.SM-74P4M-1.modelFinal.seg",
    "gatk4_ModelSegments.SM-74P4M-1.cr.igv.seg", "cbioportal_seg.study_es_0.data_cna_hg19.seg",
    "pscbs_r_quoted_with_warning_line.cnvkit_test.seg", "ascat_sarek.HCC1395T_vs_HCC1395N.segments_chr22.txt",
}


def fixture(name: str) -> str:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"fixture {name} not available")
    return str(path)


def run(name: str, sample: str | None = None, **kw):
    fmt, base, genome = SEGMENT_FIXTURES[name]
    tables = read_segment_file(fixture(name), log_base=base)
    table = tables[0] if sample is None else next(t for t in tables if t.sample == sample)
    return assess(table, detect_genome(tables, genome, fixture(name)), **kw)


@pytest.mark.parametrize("name", sorted(SEGMENT_FIXTURES))
def test_every_segment_fixture_reads(name):
    fmt, base, genome = SEGMENT_FIXTURES[name]
    tables = read_segment_file(fixture(name), log_base=base)
    assert tables and all(t.segments for t in tables)
    assert {t.fmt for t in tables} == {fmt}
    assert all(s.start <= s.end for t in tables for s in t.segments)
    # the build the guide states is never contradicted by the coordinates
    assert detect_genome(tables, genome, fixture(name)) == genome
    for table in tables:
        if name in NO_CHR17:
            with pytest.raises(MalformedInputError, match="no chr17"):
                assess(table, genome)
        else:
            a = assess(table, genome)
            assert a.cn_status in {"amplification", "gain", "neutral", "loss"}
            assert a.focality in {"focal", "arm", "chromosome", "none"}


@pytest.mark.parametrize("name,genome", [
    ("purple.tumor_sample.purple.cnv.somatic.tsv", "GRCh37"),   # chr17 ends at 81,195,210
    ("pcgr_input_cna.T001-BRCA.grch38.cna.tsv", "GRCh38"),      # chr17 end 83,204,151 > GRCh37 length
    ("gatk4_CallCopyRatioSegments.SM-74NF5.called.seg", "GRCh37"),  # @SQ LN / AS:GRCh37
    ("ascat_sarek.HCC1395T_vs_HCC1395N.cnvs.txt", "GRCh38"),
    ("cnvkit_call.p2-9_2.call.cns", "GRCh37"),
])
def test_build_from_coordinates(name, genome):
    tables = read_segment_file(fixture(name))
    assert detect_genome(tables, None, fixture(name)) == genome


# ERBB2-amplified fixtures come out amplified -------------------------------------------------

@pytest.mark.parametrize("name", ["pcgr_input_cna.T001-BRCA.grch37.cna.tsv", "pcgr_input_cna.T001-BRCA.grch38.cna.tsv"])
def test_pcgr_erbb2_amplified(name):
    a = run(name)
    assert a.copy_number == 9.0   # nMajor 8 + nMinor 1 (guide)
    assert a.cn_status == "amplification" and "pcgr_amp" in a.calls and "cn_ge_6" in a.calls
    assert a.focality == "focal"
    assert a.amplicon_size == {"pcgr_input_cna.T001-BRCA.grch37.cna.tsv": 38_156_253 - 37_756_263 + 1,
                               "pcgr_input_cna.T001-BRCA.grch38.cna.tsv": 40_000_000 - 39_600_010 + 1}[name]


def test_splitthreader_skbr3_amplified():
    a = run("splitthreader_dnacopy_10kb_bins.SK-BR-3_pacbio.chr17.copynumber.segmented.csv")
    # guide: ERBB2 bins ~470 vs ~24 genome baseline = ~20x
    assert a.log2 == pytest.approx(math.log2(471 / 24), abs=1e-6)
    assert 15 < a.ratio_chr17 < 25
    assert a.cn_status == "amplification" and a.focality == "focal"
    assert "ngs_cn_gt_7" in a.calls and "ratio_ge_2" in a.calls


# Agreement with the writing tool's own calls --------------------------------------------------

def test_cnvkit_call_cns_agrees_with_cn():
    a = run("cnvkit_call.p2-9_2.call.cns")
    assert a.tool_calls == ["cn=1"]             # CNVkit: ERBB2 segment cn 1 (loss)
    assert a.log2 == pytest.approx(-0.304, abs=1e-3)
    assert a.cn_status == "loss" and a.calls == []


def test_cnvkit_segment_same_as_call():
    assert run("cnvkit_segment.p2-9_2.cns").cn_status == "loss"


def test_cnvkit_amplicon_cns_is_gain_not_amp():
    a = run("cnvkit.amplicon_erbb2.cns")
    # guide: segment log2 0.515 -> cn 3 by CNVkit's default thresholds: a gain, not AMP
    assert a.log2 == pytest.approx(0.515459, abs=1e-6)
    assert a.cn_status == "gain" and "cnvkit_amp" not in a.calls
    assert a.covered_fraction < 1   # the segment ends (0-based 37,884,446) inside ERBB2


def test_gatk_called_seg_agrees_with_call():
    a = run("gatk4_CallCopyRatioSegments.SM-74NF5.called.seg")
    assert a.sample == "SM-74NF5"               # from @RG SM:
    assert a.tool_calls == ["0"]                # 17:37761453-37949438 log2 0.169 CALL 0
    assert a.log2 == pytest.approx(0.168893)
    assert a.cn_status == "neutral" and a.calls == []


def test_purple_not_amplified_with_ploidy_from_purity_tsv():
    a = run("purple.tumor_sample.purple.cnv.somatic.tsv")
    assert a.copy_number == pytest.approx(3.0497)
    assert a.ploidy == 3.1 and a.purity == 0.99 and a.purity_source == "PURPLE purity.tsv"
    assert "purple_amp" not in a.calls and a.cn_status == "neutral"
    assert a.focality == "none"


def test_purple_gene_table():
    a = run("purple.tumor_sample.purple.cnv.gene.tsv")
    assert a.copy_number == pytest.approx(3.0438)   # ERBB2 minCopyNumber
    assert "purple_amp" not in a.calls and a.cn_status == "neutral"


def test_freec_agrees_with_status():
    a = run("controlfreec_sarek.HCC1395T_vs_HCC1395N.tumor.mpileup.gz_CNVs")
    assert a.copy_number == 2.0 and a.tool_calls == ["neutral"]
    assert a.ploidy == 2.0 and a.cn_status == "neutral"


# Other fixtures: values stated in the guide ---------------------------------------------------

def test_ascat_two_samples_not_amplified():
    name = "ascat_v3.A32.fast.segments.txt"
    tables = read_segment_file(fixture(name))
    assert [t.sample for t in tables] == ["A32C-0019_CRUK_PC_0019_T1", "A32A-0019_CRUK_PC_0019_M1"]
    t1 = run(name, "A32C-0019_CRUK_PC_0019_T1")
    m1 = run(name, "A32A-0019_CRUK_PC_0019_M1")
    assert t1.copy_number == 3.0 and m1.copy_number == 6.0   # 2+1 and 3+3 (guide)
    assert t1.cn_status != "amplification" and m1.cn_status != "amplification"
    assert m1.ratio_chr17 == 1.0 and m1.focality == "arm"    # 6 copies on a 4.6-ploid genome, arm-wide
    assert "cn_ge_6" in m1.calls and "purple_amp" not in m1.calls


def test_ascat_sarek_loh_two_copies():
    a = run("ascat_sarek.HCC1395T_vs_HCC1395N.cnvs.txt")
    assert a.copy_number == 2.0 and a.cn_status != "amplification"


def test_dnacopy_two_samples():
    name = "dnacopy_cbs_log2.cnvkit_test_cw-tr.seg"
    tr16 = run(name, "TR_16_T")
    assert tr16.log2 == pytest.approx(0.4032) and tr16.cn_status == "gain"   # guide: gain
    assert tr16.focality == "chromosome"                                     # whole chr17 at 0.32-0.79
    assert run(name, "TR_01_T").cn_status == "neutral"                       # guide: neutral


def test_genepattern_log10():
    a = run("genepattern_acgh_cbs_log10.cnvkit_test.seg")
    assert a.log2 == pytest.approx(0.0454 * 3.321928, abs=1e-4)   # log10 0.045 -> log2
    assert a.cn_status == "neutral"


def test_segmetrics_neutral():
    a = run("cnvkit_segmetrics.tr95t.segmetrics.cns")
    assert a.log2 == pytest.approx(0.013, abs=1e-3) and a.cn_status == "neutral"


@pytest.mark.parametrize("name,match", [
    ("purple.tumor_sample.purple.driver.catalog.somatic.tsv", "driver catalogue"),
    ("purple.tumor_sample.purple.purity.tsv", "purity.tsv"),
    ("cbioportal_gistic_discrete_wide.study_es_0.data_CNA.txt", "gene-level"),
    ("gistic2_cbioportal.study_es_0.data_gistic_genes_amp.txt", "GISTIC"),
    ("muse_somatic.tcga.vcf", "VCF"),
])
def test_non_segment_files_rejected_clearly(name, match):
    with pytest.raises(MalformedInputError, match=match) as err:
        read_segment_file(fixture(name))
    assert err.value.path == fixture(name)
