"""Oncogenicity classes for ERBB2 variants.

Expected classes come from the cited public sources, not from the code:
* exon 20 in-frame insertions 770_831 -> oncogenic: OncoKB's public level table for ERBB2 in NSCLC
  ("Exon 20 In-Frame Insertions (770_831ins)", Jun 2026; shared/knowledge/her2_nsclc_facts.md 4.5).
* D769Y, V777L, V842I activating: Bose et al., Cancer Discov 2013, abstract (PMID 23220880).
* G660D activating: Pahuja et al., Cancer Cell 2018, abstract (PMC6248889).
* S310F, L755S, R678Q: cancerhotspots v2 hotspot alleles (shared/knowledge/cancerhotspots_v2_erbb2.tsv).
* I655V (rs1136201) and P1170A (rs1058808): common germline polymorphisms (dbSNP; P1170A ClinVar
  VCV000134082 Benign; I655V no risk in a 33-study meta-analysis, PMID 21474413).
* population AF cut-offs 5% / 1%: ClinGen/CGC/VICC somatic oncogenicity SOP SBVS1/SBS1 (Horak 2022).
* classes follow the SOP's points (Horak 2022, PMID 35101336, Tables 2-3: OS2 4, OM1/OM2 2; >= 10 oncogenic, 6-9
  likely oncogenic, 0-5 VUS): a functional study alone (OS2, 4 points) is not enough outside the kinase domain;
  tests/test_sop.py checks the engine itself.
The variant names (c., p.) of tests/data/her2_drivers_tn.vcf match VEP / Genome Nexus in
tests/data/published_variants.tsv.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from her2cli.interpret.oncogenicity import Oncogenicity, classify, therapy_eligible
from her2cli.reference.datafiles import read_tsv
from her2cli.reference.sequence import exonic_sequence
from her2cli.reference.transcript import load_transcript
from her2cli.variants.annotator import Annotator

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DRIVERS = ("oncogenic", "likely_oncogenic")


@pytest.fixture(scope="module")
def grch38():
    tx = load_transcript()
    return Annotator(tx, "GRCh38", exonic_sequence(tx, "GRCh38"), have_genome_fasta=False)


@pytest.fixture(scope="module")
def tn_variants(grch38):
    """hgvs_p_short -> annotated allele, for every record of the tumour/normal test VCF."""
    out = {}
    for line in (DATA / "her2_drivers_tn.vcf").read_text().splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        allele = grch38.annotate(int(fields[1]), fields[3], fields[4])
        out[allele.hgvs_p_short] = allele
    return out


def variant(hgvs_p_short, consequence, position, subgroup, hgvs_c="c.?"):
    return SimpleNamespace(
        hgvs_p_short=hgvs_p_short, hgvs_c=hgvs_c, consequence=consequence, protein_position=position, subgroup=subgroup
    )


@pytest.mark.parametrize("name", ["p.Y772_A775dup", "p.G776delinsVC", "p.G778_P780dup"])
def test_exon20_insertions_drivers_by_class_rule(tn_variants, name):
    """Class rule (OS2) + kinase domain (OM1) + in-frame length change in an oncogene (OM2): >= 8 points."""
    result = classify(tn_variants[name])
    assert result.label in DRIVERS and result.points >= 8
    assert result.criteria.startswith("OS2 +4 (")  # a seen functional study, else the class rule
    assert "OM1 +2" in result.criteria and "OM2 +2" in result.criteria


@pytest.mark.parametrize("name, source", [("p.D769Y", "Bose R"), ("p.V777L", "Bose R"),
                                          ("p.V842I", "Bose R")])
def test_functionally_activating_kinase_alleles_are_drivers(tn_variants, name, source):
    """OS2 (Bose 2013) + OM1 (kinase domain): at least 6 points, likely oncogenic or better."""
    result = classify(tn_variants[name])
    assert result.label in DRIVERS
    assert result.criteria.startswith(f"OS2 +4 (functional: {source}")


def test_activating_study_outside_the_kinase_domain_alone_is_vus(tn_variants):
    """G660D (Pahuja 2018, seen): OS2 alone is 4 points, a VUS by the SOP unless more evidence is held."""
    result = classify(tn_variants["p.G660D"])
    assert result.criteria.startswith("OS2 +4 (functional: ") and "Pahuja KB" in result.criteria
    assert result.points >= 4


@pytest.mark.parametrize("name, rsid", [("p.I655V", "rs1136201"), ("p.P1170A", "rs1058808")])
def test_common_polymorphisms_benign(tn_variants, name, rsid):
    result = classify(tn_variants[name])
    assert result.label in ("benign", "likely_benign")
    assert rsid in result.criteria and result.criteria.startswith(("SBVS1", "SBS1"))


def test_rare_kinase_missense_is_vus_never_a_driver(tn_variants):
    result = classify(tn_variants["p.E812K"])
    assert result.label == "vus"
    assert not therapy_eligible(result.label, "somatic")


def test_other_allele_at_hotspot_residue_is_vus_naming_the_residue(grch38):
    # L755 = codon TTG at c.2263-2265 (shared/reference/ERBB2_CDS.fa); c.2265G>T gives TTT = Phe.
    allele = grch38.annotate(39723968, "G", "T")
    assert allele.hgvs_p_short == "p.L755F"
    result = classify(allele)
    assert result.label == "vus" and "L755" in result.basis + result.criteria  # the hotspot residue is named


def test_truncating_variant_is_not_activating(grch38):
    # E812 = codon GAA at c.2434-2436 (GRCh38 chr17:39724852-39724854); c.2434G>T gives TAA = stop.
    allele = grch38.annotate(39724852, "G", "T")
    assert allele.hgvs_p_short == "p.E812*"
    result = classify(allele)
    assert result.label == "vus" and "OVS1 is for tumour suppressors" in result.basis


def test_synonymous_is_vus_without_splicing_predictors(grch38):
    # c.2436A>G: GAA -> GAG, both Glu. SBP2 needs splicing and conservation predictors (Horak 2022 Table 3).
    allele = grch38.annotate(39724854, "A", "G")
    result = classify(allele)
    assert result.label == "vus" and "SBP2" in result.basis


def test_splice_or_unknown_protein_is_vus():
    result = classify(variant("p.?", "splice_acceptor_variant", None, "other"))
    assert result.label == "vus"


def test_insertion_outside_exon20_range_is_not_covered_by_class_rule():
    result = classify(variant("p.A1000_G1001insA", "inframe_insertion", "1000-1001", "other"))
    assert result.label == "vus"


@pytest.mark.parametrize("af, code, label", [
    (0.22, "SBVS1 -8", "likely_benign"), (0.051, "SBVS1 -8", "likely_benign"), (0.02, "SBS1 -4", "likely_benign"),
    (0.01, "", "vus"), (0.0001, "OP4 +1", "vus")])
def test_population_af_cut_offs(tn_variants, af, code, label):
    # E812K: kinase domain (OM1 +2) plus SBVS1 -8 (> 5%), SBS1 -4 (> 1%) or OP4 +1 (extremely rare).
    result = classify(tn_variants["p.E812K"], population_af=af, population_af_source="VEP CSQ gnomADe_AF")
    assert result.label == label
    if code:
        assert f"{code} (" in result.criteria and "VEP CSQ gnomADe_AF" in result.criteria


def test_common_population_af_on_a_known_driver_lowers_it_visibly(tn_variants):
    """SBVS1 (-8) against OS2 + OM1 (6): the points say both."""
    result = classify(tn_variants["p.V777L"], population_af=0.3, population_af_source="INFO gnomAD_AF")
    assert result.label not in DRIVERS and "SBVS1 -8 (INFO gnomAD_AF AF 0.30 > 0.05)" in result.criteria
    assert "OS2 +4" in result.criteria


def test_therapy_eligibility():
    assert therapy_eligible("oncogenic", "somatic")
    assert therapy_eligible("likely_oncogenic", "unknown")
    assert not therapy_eligible("oncogenic", "germline")
    assert not therapy_eligible("likely_oncogenic", "likely_germline")
    for label in ("vus", "likely_benign", "benign"):
        assert not therapy_eligible(label, "somatic")


def test_knowledge_table_rows_are_sourced_dated_and_graded():
    rows = read_tsv("oncogenicity.tsv")
    assert rows
    for row in rows:
        assert row["source"] and row["pmid"] and row["locator"] and row["checked"], row["variant"]
        assert row["grade"] in ("seen", "secondary", "recalled"), row["variant"]


def test_hotspot_rows_named_from_alleles_not_labels():
    """The cancerhotspots row labelled Y772_A775dup that inserts 3 bases cannot be a 4-residue duplication."""
    path = SHARED / "knowledge" / "cancerhotspots_v2_erbb2.tsv"
    if not path.exists():
        pytest.skip("../shared/knowledge is absent")
    with path.open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    odd = [r for r in rows if r["protein_change"] == "Y772_A775dup" and r["ref"] == "-" and len(r["alt"]) != 12]
    assert odd, "the shared file no longer has the odd row"
    table = {r["variant"]: r for r in read_tsv("oncogenicity.tsv") if r["evidence"] == "hotspot"}
    relabelled = [r for r in table.values() if "label not trusted" in r["note"]]
    assert len(relabelled) == 1 and "published label Y772_A775dup" in relabelled[0]["note"]
    assert relabelled[0]["variant"] != "p.Y772_A775dup"
    # every other published missense label is what its alleles give
    for row in rows:
        if row["classification"] == "Missense_Mutation":
            assert f"p.{row['protein_change']}" in table


def test_bundled_table_is_what_the_build_script_makes(tmp_path):
    """resources/oncogenicity.tsv is in step with its inputs (the date line aside)."""
    import subprocess
    import sys

    knowledge = SHARED / "knowledge"
    if not (knowledge / "cancerhotspots_v2_erbb2.tsv").exists():
        pytest.skip("../shared/knowledge is absent")
    repo = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, str(repo / "scripts" / "build_knowledge.py"),
         "--knowledge", str(knowledge), "--out", str(tmp_path)],
        check=True,
    )
    def body(path: Path) -> list[str]:
        return [line for line in path.read_text().splitlines() if not line.startswith("#")]

    assert body(tmp_path / "oncogenicity.tsv") == body(repo / "resources" / "oncogenicity.tsv")


def test_a_listed_tkd_allele_with_a_common_population_af_is_not_raised(grch38):
    """The regulatory TKD list raises a VUS (docs/oncogenicity.md), never over benign evidence."""
    allele = grch38.annotate(39723628, "C", "T")  # c.2176C>T (CTT>TTT), p.L726F, on the approvals' TKD list
    assert allele.hgvs_p_short == "p.L726F"
    assert classify(allele).label == "likely_oncogenic"
    result = classify(allele, population_af=0.3, population_af_source="INFO gnomAD_AF")
    assert result.label not in ("oncogenic", "likely_oncogenic")
    assert "SBVS1" in result.basis and "is not overridden" in result.basis
