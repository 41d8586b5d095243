"""Evidence table and matcher. Expected dates/eligibility come from the FDA notices and OncoKB
definitions cited in resources/evidence.tsv, not from the matcher's output."""

from __future__ import annotations

import pytest

from her2cli.reference.datafiles import resource_path
from her2cli.errors import MalformedInputError
from her2cli.interpret.evidence import (
    EVIDENCE_TABLE_COLUMNS, evidence_rows, format_evidence, load_evidence, match_call, match_ihc,
    normalize_ihc,
)
from factories import cn_call, mutation_call


@pytest.fixture(scope="module")
def table():
    return load_evidence()


def mut(subgroup, consequence="missense_variant", filt="PASS", vaf=0.3, name="p.X1Y"):
    return mutation_call(subgroup, consequence, name=name, filt=filt, vaf=vaf)


def therapies(lines):
    return {ln.therapy for ln in lines}


def approved(lines, therapy):
    return [ln for ln in lines if ln.therapy == therapy and ln.status == "approved"]


def test_table_version_date_and_columns(table):
    assert table.version == "2026-11-29"
    assert table.date == "2026-11-29"
    rows = evidence_rows(table)
    assert len(rows) == len(table.lines) >= 15
    assert list(rows[0]) == EVIDENCE_TABLE_COLUMNS
    assert len({r["id"] for r in rows}) == len(rows)
    # every line is dated and sourced
    assert all(r["date"] and r["source"] and r["source_date"] for r in rows)


def test_table_is_bundled_resource():
    assert resource_path("evidence.tsv").is_file()


def test_regulatory_dates(table):
    # FDA: T-DXd HER2-mutant NSCLC 11 Aug 2022; IHC 3+ tumour-agnostic 5 Apr 2024;
    # zongertinib 8 Aug 2025 (prior therapy) and 26 Feb 2026 (first line); sevabertinib 19 Nov 2025.
    assert table.by_id("tdxd_mut_fda").date == "2022-08-11"
    assert table.by_id("tdxd_ihc3_fda").date == "2024-04-05"
    assert table.by_id("zong_tkd_fda_2l").date == "2025-08-08"
    assert table.by_id("zong_tkd_fda_1l").date == "2026-02-26"
    assert table.by_id("seva_tkd_fda_2l").date == "2025-11-19"
    # poziotinib: ODAC 22 Sep 2022 (9-4 against), CRL announced 25 Nov 2022
    assert table.by_id("pozi_ex20_odac").status == "negative"
    assert table.by_id("pozi_ex20_crl").date == "2022-11-25"
    assert table.by_id("tdxd_amp_oncokb").level == "3A"


def test_tki_labels_cover_tkd_only(table):
    # "HER2 (ERBB2) tyrosine kinase domain (TKD) activating mutations" (FDA, 2025-08-08): drivers inside 720-987;
    # T-DXd: "activating HER2 (ERBB2) mutations" (FDA, 2022-08-11): any driver.
    for line_id in ("zong_tkd_fda_2l", "zong_tkd_fda_1l", "seva_tkd_fda_2l"):
        assert table.by_id(line_id).eligibility == ("tkd_activating_mutation",)
    for line_id in ("tdxd_mut_fda", "tdxd_mut_ec"):
        assert table.by_id(line_id).eligibility == ("activating_mutation",)


def test_exon20_insertion_matches_tdxd_and_tkis(table):
    lines = match_call(mut("exon20_insertion", "inframe_insertion", name="p.Y772_A775dup"), table)
    assert approved(lines, "T-DXd") and approved(lines, "zongertinib") and approved(lines, "sevabertinib")
    assert "poziotinib" in therapies(lines)  # negative line is shown, not hidden
    assert all(ln.status == "negative" for ln in lines if ln.therapy == "poziotinib")
    assert not any(ln.id == "tdxd_ihc3_fda" or "amplification" in ln.eligibility for ln in lines)


def test_kinase_domain_missense_matches_tkis(table):
    lines = match_call(mut("kinase_domain_missense", name="p.L755S"), table)
    assert approved(lines, "zongertinib") and approved(lines, "sevabertinib") and approved(lines, "T-DXd")
    assert "poziotinib" not in therapies(lines)  # exon 20 insertion-only evidence


@pytest.mark.parametrize("subgroup", ["extracellular", "transmembrane_juxtamembrane"])
def test_non_tkd_missense_tdxd_but_no_approved_tki(table, subgroup):
    lines = match_call(mut(subgroup, name="p.S310F"), table)
    assert [ln.id for ln in approved(lines, "T-DXd")] == ["tdxd_mut_fda", "tdxd_mut_ec"]
    assert not approved(lines, "zongertinib") and not approved(lines, "sevabertinib")
    assert "sevabertinib" not in therapies(lines)
    # NCCN/OncoKB level 2 off-label listing is the only zongertinib line, and says so
    assert [ln.id for ln in lines if ln.therapy == "zongertinib"] == ["zong_nontkd_nccn"]
    assert table.by_id("zong_nontkd_nccn").status == "off-label"


def test_non_tkd_inframe_indel_driver_gets_tdxd_not_tkis(table):
    # The T-DXd label covers "activating HER2 (ERBB2) mutations" of any kind; the TKIs only the TKD.
    lines = match_call(mut("extracellular", "inframe_deletion", name="p.S310_A311del"), table)
    assert approved(lines, "T-DXd")
    assert not approved(lines, "zongertinib") and not approved(lines, "sevabertinib")


def test_tkd_inframe_deletion_driver_gets_tkis(table):
    lines = match_call(mut("other", "inframe_deletion", name="p.L755_T759del"), table)
    assert approved(lines, "zongertinib") and approved(lines, "sevabertinib") and approved(lines, "T-DXd")


@pytest.mark.parametrize("row", [
    mut("exon20_insertion", "inframe_insertion", filt="LowQual"),
    mut("exon20_insertion", "inframe_insertion", vaf=0.0),
    mut("kinase_domain_missense", "synonymous_variant"),
    mut("other", "intron_variant"),
    # the SOP makes these VUS (OVS1 is for tumour suppressors; no evidence for an insertion outside exon 20)
    mutation_call("other", "frameshift_variant", oncogenicity="vus"),
    mutation_call("other", "inframe_insertion", name="p.A1000_G1001insA", oncogenicity="vus"),
])
def test_non_matching_mutations(table, row):
    assert match_call(row, table) == []


def test_dot_filter_passes(table):
    assert approved(match_call(mut("exon20_insertion", "inframe_insertion", filt="."), table), "T-DXd")


def test_copy_number_matching(table):
    amp = cn_call("amplification", "cn_ge_6;ratio_ge_2")
    gain = cn_call("gain")
    lines = match_call(amp, table)
    assert {ln.id for ln in lines} >= {"tdxd_amp_oncokb", "tdm1_amp_nci_match"}
    assert not any(ln.status == "approved" for ln in lines)  # no approval rests on amplification
    assert therapies(lines).isdisjoint({"zongertinib", "sevabertinib"})
    assert match_call(gain, table) == []


def test_ihc(table):
    assert [ln.id for ln in match_ihc("3+", table) if ln.status == "approved"] == ["tdxd_ihc3_fda"]
    assert match_ihc("IHC 3+", table) == match_ihc("3+", table)
    assert match_ihc("2+", table) == [] and match_ihc(None, table) == []
    for bad in ("4+", "positive", "3", ""):
        with pytest.raises(ValueError):
            match_ihc(bad, table)
    assert normalize_ihc(" 1+ ") == "1+"


def test_format_evidence(table):
    text = format_evidence([table.by_id("tdxd_mut_fda"), table.by_id("zong_tkd_fda_2l"),
                            table.by_id("tdxd_mut_ec"), table.by_id("tdxd_mut_fda")])
    assert text == ("T-DXd (FDA 2022-08-11, approved, 2L+, OncoKB 1 / EC 2023-10-23, approved, 2L+); "
                    "zongertinib (FDA 2025-08-08, approved, 2L+, OncoKB 1)")
    assert "\t" not in text and "\n" not in text
    assert format_evidence([]) == ""
    assert format_evidence([table.by_id("tdxd_amp_oncokb")]).startswith("T-DXd (OncoKB level 3A 2024-05, investigational")


def test_malformed_table_rejected(tmp_path):
    src = resource_path("evidence.tsv").read_text(encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text(src.replace("\tapproved\t2022-08-11", "\tmaybe\t2022-08-11", 1), encoding="utf-8")
    with pytest.raises(MalformedInputError):
        load_evidence(bad)
    bad.write_text(src.replace("# version: 2026-11-29\n", ""), encoding="utf-8")
    with pytest.raises(MalformedInputError):
        load_evidence(bad)
    bad.write_text(src.replace("tkd_activating_mutation\tzongertinib", "tkd_activating\tzongertinib", 1),
                   encoding="utf-8")
    with pytest.raises(MalformedInputError):
        load_evidence(bad)
    bad.write_text(src.replace("\tA\tapproved\t2022-08-11", "\tE\tapproved\t2022-08-11", 1), encoding="utf-8")
    with pytest.raises(MalformedInputError):
        load_evidence(bad)


@pytest.mark.parametrize("oncogenicity, origin", [
    ("vus", "somatic"),             # not shown to be a driver (issue #9)
    ("benign", "germline"),         # a polymorphism such as I655V
    ("likely_benign", "unknown"),
    ("oncogenic", "germline"),      # a germline driver is not a somatic target
    ("likely_oncogenic", "likely_germline"),
    (None, None),                   # never classified: never matched
])
def test_therapy_only_for_somatic_drivers(table, oncogenicity, origin):
    call = mutation_call("kinase_domain_missense", name="p.L755S", oncogenicity=oncogenicity, origin=origin)
    assert match_call(call, table) == []


def test_driver_of_unknown_origin_is_matched(table):
    # tumour-only panels (the companion diagnostics) cannot prove somatic origin: unknown still matches
    call = mutation_call("kinase_domain_missense", name="p.L755S", oncogenicity="likely_oncogenic", origin="unknown")
    assert approved(match_call(call, table), "zongertinib")
