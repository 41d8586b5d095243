"""Per-sample verdicts and cohort counts. Expected values follow the subgroup definitions
(schema.SUBGROUPS) and the dated evidence lines, not the code's output."""

from __future__ import annotations

import pytest

from her2cli.interpret.evidence import load_evidence
from her2cli.interpret.verdict import SUMMARY_COLUMNS
from her2cli.interpret.verdict import summarize_sample as summarize_calls
from her2cli.report.columns import verdict_row
from factories import cn_call, mutation_call

ALL_CALLS = "cn_ge_6;ratio_ge_2;purple_amp;pcgr_amp;cnvkit_amp;ngs_cn_gt_7"


@pytest.fixture(scope="module")
def table():
    return load_evidence()


def mut(sample, subgroup, consequence, name, filt="PASS", vaf=0.3, oncogenicity="oncogenic"):
    return mutation_call(subgroup, consequence, name=name, filt=filt, vaf=vaf, sample=sample,
                         oncogenicity=oncogenicity)


def cn(sample, status, calls, focality, copy_number, ratio):
    return cn_call(status, calls, focality, copy_number, ratio, sample=sample)


def summarize_sample(sample, calls, ihc, table):
    """The verdict as its summary-table row (the columns the tests read)."""
    mutations = [c for c in calls if c.kind == "mutation"]
    copy_numbers = [c for c in calls if c.kind == "copy_number"]
    return verdict_row(summarize_calls(sample, mutations, copy_numbers, ihc, table))


@pytest.fixture(scope="module")
def yvma(table):
    rows = [mut("S1", "exon20_insertion", "inframe_insertion", "p.Y772_A775dup"),
            cn("S1", "neutral", "", "none", 2.1, 1.0)]
    return summarize_sample("S1", rows, None, table)


@pytest.fixture(scope="module")
def amp_ihc3(table):
    rows = [cn("S2", "amplification", ALL_CALLS, "focal", 14.0, 5.6)]
    return summarize_sample("S2", rows, "3+", table)


@pytest.fixture(scope="module")
def s310f(table):
    rows = [mut("S3", "extracellular", "missense_variant", "p.S310F"),
            cn("S3", "gain", "", "arm", 3.4, 1.1)]
    return summarize_sample("S3", rows, None, table)


def test_keys_stable(yvma, amp_ihc3, s310f):
    for s in (yvma, amp_ihc3, s310f):
        assert list(s) == SUMMARY_COLUMNS


def test_yvma_sample(yvma):
    assert yvma["mutation_status"] == "activating"
    assert yvma["mutation_subgroups"] == "exon20_insertion"
    assert yvma["mutations"] == "p.Y772_A775dup"
    assert yvma["amplification_status"] == "neutral"
    assert yvma["amplification_definitions_met"] == "none"
    assert yvma["overexpression"] == "not assessable from DNA"
    assert yvma["co_occurring"] == "mutation only"
    ev = yvma["evidence"]
    assert "T-DXd (FDA 2022-08-11, approved" in ev
    assert "zongertinib (FDA 2025-08-08, approved" in ev
    assert "FDA 2026-02-26, approved, 1L" in ev
    assert "sevabertinib (FDA 2025-11-19, approved" in ev
    assert "FDA 2024-04-05" not in ev  # IHC 3+ line needs an IHC score
    assert yvma["evidence_table_date"] == "2026-11-29"


def test_amplified_ihc3_sample(amp_ihc3):
    s = amp_ihc3
    assert s["mutation_status"] == "not_detected" and s["mutation_subgroups"] == ""
    assert s["amplification_status"] == "amplification"
    assert s["amplification_definitions_met"] == ALL_CALLS
    assert (s["focality"], s["copy_number"], s["ratio_chr17"]) == ("focal", 14.0, 5.6)
    assert s["overexpression"] == "IHC 3+ (positive)"
    assert s["co_occurring"] == "amplification+overexpression"
    assert "T-DXd (FDA 2024-04-05, approved" in s["evidence"]
    assert "OncoKB level 3A" in s["evidence"]
    assert "zongertinib" not in s["evidence"] and "sevabertinib" not in s["evidence"]
    assert "FDA 2022-08-11" not in s["evidence"]  # mutation approval not claimed without a mutation


def test_s310f_with_arm_gain(s310f):
    s = s310f
    assert s["mutation_status"] == "activating"
    assert s["mutation_subgroups"] == "extracellular"
    assert s["amplification_status"] == "gain"  # arm-level gain is not amplification
    assert s["focality"] == "arm"
    assert s["co_occurring"] == "mutation only"
    assert "T-DXd (FDA 2022-08-11, approved" in s["evidence"]
    # TKI approvals are TKD-only: no approved zongertinib/sevabertinib line
    assert "FDA 2025-08-08" not in s["evidence"] and "FDA 2026-02-26" not in s["evidence"]
    assert "sevabertinib" not in s["evidence"]
    assert "zongertinib (NCCN 2025-09, off-label" in s["evidence"]
    assert "OncoKB level 3A" not in s["evidence"]  # the gain does not pull amplification lines


def test_non_counting_variants_leave_sample_unmutated(table):
    rows = [mut("S4", "kinase_domain_missense", "synonymous_variant", "p.L755="),
            mut("S4", "other", "intron_variant", ""),
            mut("S4", "exon20_insertion", "inframe_insertion", "p.Y772_A775dup", filt="LowVAF"),
            mut("S4", "kinase_domain_missense", "missense_variant", "p.V777L", vaf=0.0)]
    s = summarize_sample("S4", rows, None, table)
    assert s["mutation_status"] == "not_detected"
    assert s["mutations"] == "" and s["evidence"] == ""
    assert s["amplification_status"] == "not assessed"
    assert s["co_occurring"] == "none"


def test_truncating_vus_gets_no_therapy(table):
    # a truncating variant in an oncogene is not activating (docs/oncogenicity.md rule 6): a VUS
    rows = [mut("S5", "other", "stop_gained", "p.Q1000*", oncogenicity="vus")]
    s = summarize_sample("S5", rows, "2+", table)
    assert s["mutation_status"] == "vus_only"
    assert s["mutation_subgroups"] == ""
    assert s["oncogenicity_classes"] == "vus"
    assert "p.Q1000*" in s["no_therapy_reason"] and "VUS" in s["no_therapy_reason"]
    assert s["overexpression"] == "IHC 2+ (equivocal)"
    assert s["evidence"] == ""


def test_all_three_mechanisms(table):
    rows = [mut("S6", "kinase_domain_missense", "missense_variant", "p.L755S"),
            cn("S6", "amplification", "cn_ge_6;ratio_ge_2", "focal", 9.0, 3.0)]
    s = summarize_sample("S6", rows, "3+", table)
    assert s["co_occurring"] == "mutation+amplification+overexpression"


@pytest.mark.parametrize("bad", ["4+", "3", "positive", "++"])
def test_invalid_ihc_raises(table, bad):
    with pytest.raises(ValueError):
        summarize_sample("S7", [], bad, table)


def test_not_assessed_says_why_not_no_variant_file():
    """A VCF that was read but cannot be assessed (no chr17: the non-human reference of issue 22) must not be
    told 'no variant file was given', nor a segment file that does not cover ERBB2 'no segment file'."""
    from her2cli.interpret.summary import summary_sentences
    from her2cli.results import Verdict

    verdict = Verdict(
        sample="test", mutation_status="not_assessed", mutation_subgroups=[], mutations=[],
        amplification_status="not assessed", amplification_definitions_met=[], focality=None, copy_number=None,
        ratio_chr17=None, copy_number_basis=None, overexpression="not assessed", co_occurring="none", evidence=[],
        evidence_table_date="2026-11-29",
        assessment_basis="no chr17 in the VCF header (contigs MT192765.1: not a human reference); "
                         "copy number: no segment overlaps ERBB2: amplification not assessed")
    text = " ".join(s.text for s in summary_sentences(verdict, []))
    assert "Mutations were not assessed: no chr17 in the VCF header" in text
    assert "Copy number was not assessed: no segment overlaps ERBB2" in text
    assert "no variant file" not in text and "no segment file" not in text


def test_driver_of_unknown_origin_is_not_called_somatic():
    """docs/origin.md: tumour-only data cannot prove a variant somatic; docs/oncogenicity.md: a driver of
    unknown origin still gets its lines (the companion diagnostics are tumour-only). The summary sentence must
    not call it somatic; a driver shown somatic (matched normal) is."""
    from her2cli.interpret.summary import summary_sentences

    for origin, somatic in (("unknown", False), ("somatic", True)):
        call = mutation_call("kinase_domain_missense", "missense_variant", name="p.L755S", origin=origin)
        verdict = summarize_calls("S", [call], [], None, load_evidence())
        text = " ".join(s.text for s in summary_sentences(verdict, [call]) if s.topic == "mutation")
        assert ("somatic driver" in text) is somatic, text
        assert "driver" in text and "no therapy" not in text
        # 'unknown' is also a shallow or uninformative normal, or a stated call in conflict (docs/origin.md):
        # the sentence must not claim there was no matched normal.
        assert "no matched normal" not in text


def _mutation_text(call) -> str:
    from her2cli.interpret.summary import summary_sentences

    verdict = summarize_calls("S", [call], [], None, load_evidence())
    return " ".join(s.text for s in summary_sentences(verdict, [call]) if s.topic == "mutation")


def test_germline_sentence_says_what_the_origin_rests_on():
    """docs/oncogenicity.md (Limits): a germline activating ERBB2 variant exists (Pahuja 2018: germline G660D in a
    lung cancer that responded to HER2 blockade), so a germline driver class is not 'not a tumour driver'; the
    lines are withheld because the labels are for somatic drivers. docs/origin.md: likely_germline is the
    tumour-only rule's inference (a heuristic), not an inherited finding."""
    germline_driver = mutation_call("transmembrane_juxtamembrane", name="p.G660D", oncogenicity="likely_oncogenic",
                                    origin="germline")
    text = _mutation_text(germline_driver)
    assert "not a tumour driver" not in text and "inherited (germline): no therapy is matched" in text
    assert "therapy labels are for somatic drivers" in text and "can still drive the tumour" in text

    inferred = mutation_call("kinase_domain_missense", name="p.L755S", origin="likely_germline")
    text = _mutation_text(inferred)
    assert "not a tumour driver" not in text and "inherited (germline)" not in text
    assert "likely germline, " in text
    assert "the germline call is an inference, not confirmed by a normal sample's reads" in text
    assert "a matched normal would show whether this one is somatic" in text

    germline_vus = mutation_call("kinase_domain_missense", name="p.E812K", oncogenicity="vus", origin="germline")
    text = _mutation_text(germline_vus)
    assert text.endswith("inherited (germline): no therapy is matched to it.") and "drive" not in text


def test_no_therapy_reason_names_a_germline_driver_and_its_basis(table):
    """A negative states what it rests on (the project's rule): an oncogenic variant withheld as likely germline
    names the origin basis (the tumour-only numbers of docs/origin.md rule T2), as a VUS names its points."""
    basis = ("tumour-only: VAF 0.50 (70/140) fits germline VAF 0.50 and no clonal somatic VAF at purity 0.30, "
             "ERBB2 2 copies per tumour cell")
    call = mutation_call("kinase_domain_missense", name="p.L755S", origin="likely_germline", origin_basis=basis)
    verdict = summarize_calls("S", [call], [], None, table)
    assert verdict.mutation_status == "germline_only" and verdict.evidence == []
    assert verdict.no_therapy_reason == (f"no therapy matched to p.L755S (oncogenic): likely germline ({basis}); "
                                         "the therapy labels are for somatic drivers")
    benign = mutation_call("transmembrane_juxtamembrane", name="p.I655V", oncogenicity="benign", origin="germline")
    assert summarize_calls("S", [benign], [], None, table).no_therapy_reason is None


def test_negative_names_the_rows_it_does_not_count():
    """--all-records shows FILTER-failed and zero-VAF rows; they do not count (docs/evidence.md, What matches), so
    the verdict is not_detected, but the summary must not say the file held no such mutation while the table
    below lists one."""
    from her2cli.interpret.summary import summary_sentences

    filtered = mutation_call("exon20_insertion", "inframe_insertion", name="p.Y772_A775dup", filt="weak_evidence")
    no_reads = mutation_call("kinase_domain_missense", name="p.V777L", vaf=0.0)
    verdict = summarize_calls("S", [filtered, no_reads], [], None, load_evidence())
    assert verdict.mutation_status == "not_detected"
    [sentence] = [s.text for s in summary_sentences(verdict, [filtered, no_reads]) if s.topic == "mutation"]
    assert "was found in the variant file" not in sentence
    assert sentence.endswith("shown but not counted (FILTER-failed, not called or without alt reads): "
                             "p.Y772_A775dup (FILTER weak_evidence), p.V777L (no alt reads).")


def test_publisher_class_that_differs_is_in_the_summary():
    """Issue 21 item 3: where the OncoKB annotator's MAF class and ours differ, both are shown; the report's
    sentences (terminal, HTML) must say it too, not only a TSV column. An agreeing class adds nothing."""
    differs = mutation_call("kinase_domain_missense", name="p.E812K", oncogenicity="vus",
                            publisher_oncogenic="Likely Oncogenic", publisher_highest_level="LEVEL_1")
    text = _mutation_text(differs)
    assert "The file's own annotation differs (ONCOGENIC Likely Oncogenic, HIGHEST_LEVEL LEVEL_1)" in text
    assert "not used for it" in text
    agrees = mutation_call("kinase_domain_missense", name="p.L755S", publisher_oncogenic="Oncogenic")
    assert "annotation" not in _mutation_text(agrees)


def test_the_summary_says_what_decided_a_class_that_is_not_the_points():
    """A class set by a --knowledge file (or raised by the regulatory list) is said in the sentence: a 10-point
    variant shown as a VUS must say the user's file made it one (docs/oncogenicity.md, --knowledge)."""
    basis = ("OncoKB allAnnotatedVariants: Inconclusive, Unknown (line 3) (overrides rule-based oncogenic "
             "(10 points))")
    source = ("OncoKB allAnnotatedVariants k.txt (SHA-256 ab): Inconclusive, Unknown (line 3); overrides rule-based "
              "oncogenic (10 points)")
    call = mutation_call("kinase_domain_missense", name="p.L755S", oncogenicity="vus", oncogenicity_points=10,
                         oncogenicity_criteria="OS2 +4 (x)", oncogenicity_basis=basis, oncogenicity_source=source)
    assert f"The class comes from {basis}." in _mutation_text(call)
    verdict = summarize_calls("S", [call], [], None, load_evidence())
    assert f"(class from {basis})" in verdict.no_therapy_reason
    by_points = mutation_call("kinase_domain_missense", name="p.L755S",
                              oncogenicity_source="rule-based: ClinGen/CGC/VICC SOP (...) on resources/oncogenicity.tsv")
    assert "The class comes from" not in _mutation_text(by_points)


def test_a_driver_without_a_named_subgroup_is_not_called_a_vus(table):
    """mutation_subgroups lists the drivers' subgroups. L755_T759del (an in-frame deletion in exon 19, neither
    missense nor an exon 20 insertion: subgroup 'other' by docs/mutations.md) is likely oncogenic from its seen
    functional row: its subgroup is written 'other', never 'other/VUS'."""
    call = mutation_call("other", "inframe_deletion", name="p.L755_T759del", oncogenicity="likely_oncogenic",
                         origin="somatic")
    row = summarize_sample("S", [call], None, table)
    assert row["mutation_status"] == "activating" and row["mutation_subgroups"] == "other"
