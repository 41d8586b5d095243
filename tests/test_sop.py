"""The ClinGen/CGC/VICC somatic oncogenicity SOP engine, therapy scope and AMP/ASCO/CAP tiers.

Expectations come from the published standards, not from the code:
* points and class thresholds: Horak P et al., Genet Med 2022;24(5):986-998 (PMID 35101336), Table 2 (OVS1 8;
  OS1-OS3 4; OM1-OM4 2; OP1-OP4 1), Table 3 (SBVS1 -8; SBS1-SBS2 -4; SBP1-SBP2 -1), point-based classes
  (oncogenic >= 10, likely oncogenic 6-9, VUS 0-5, likely benign -1 to -6, benign <= -7); OS3/OM3/OP3 by the
  cancerhotspots.org counts of Table 2 (>= 50 at the residue and >= 10 with the change; < 50 and >= 10; < 10);
  SBVS1/SBS1 at MAF > 5% / > 1% (Table 3).
* functional findings in the small tables below quote their papers: Bose R et al., Cancer Discov 2013;3:224-237
  (PMID 23220880) abstract: "Seven of these mutations are activating mutations, including G309A, D769H, D769Y,
  V777L, P780ins, V842I, and R896C"; the same abstract: L755S "was not an activating mutation in our experimental
  systems" (so it is not given OS2).
* therapy scope: the FDA labels (T-DXd: "activating HER2 (ERBB2) mutations"; zongertinib/sevabertinib: "HER2
  (ERBB2) tyrosine kinase domain (TKD) activating mutations"), the TKD = UniProt P04626 720-987.
* tiers: Li MM et al., J Mol Diagn 2017;19:4-23 (PMID 27993330): Level A (FDA-approved therapy or guideline for
  this tumour type) -> Tier I; Level C (investigational, or approved in another tumour type) -> Tier II; VUS ->
  Tier III; benign/likely benign -> Tier IV.
Hotspot counts in the injected tables are made-up numbers chosen on either side of the SOP's thresholds.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.interpret.evidence import load_evidence, match_call
from her2cli.interpret.knowledge import KNOWLEDGE_COLUMNS, load_knowledge, read_knowledge
from her2cli.interpret.oncogenicity import SOP_POINTS, class_for_points, classify
from her2cli.interpret.tier import VUS_NO_THERAPY, tier_for_copy_number, tier_for_mutation
from her2cli.interpret.user_knowledge import publisher_note, read_user_knowledge
from her2cli.interpret.oncogenicity import class_decided_by, class_decision

BOSE = {"source": "Bose R et al. Cancer Discov 2013;3(2):224-237", "pmid": "23220880", "locator": "abstract",
        "checked": "2026-12-06", "grade": "seen"}
HOTSPOTS = {"source": "Chang MT et al. Cancer Discov 2018;8(2):174-183 (cancerhotspots.org v2)", "pmid": "29247016",
            "locator": "test counts", "checked": "2026-12-06", "grade": "seen"}


def table(tmp_path: Path, rows: list[dict], name: str = "knowledge.tsv"):
    lines = ["# test table", "\t".join(KNOWLEDGE_COLUMNS)]
    for row in rows:
        lines.append("\t".join(str(row.get(col, "")) for col in KNOWLEDGE_COLUMNS))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def missense(name: str, **extra):
    position = "".join(ch for ch in name[3:] if ch.isdigit())
    return SimpleNamespace(hgvs_p_short=name, hgvs_c=None, consequence="missense_variant",
                           protein_position=position, subgroup=extra.get("subgroup", "kinase_domain_missense"))


def hotspot(variant, residue, allele):
    return dict(HOTSPOTS, variant=variant, evidence="hotspot", effect="hotspot", residue_tumours=residue,
                allele_tumours=allele)


def test_points_are_the_published_table():
    assert SOP_POINTS == {"OVS1": 8, "OS1": 4, "OS2": 4, "OS3": 4, "OM1": 2, "OM2": 2, "OM3": 2, "OM4": 2,
                          "OP1": 1, "OP2": 1, "OP3": 1, "OP4": 1, "SBVS1": -8, "SBS1": -4, "SBS2": -4,
                          "SBP1": -1, "SBP2": -1}


@pytest.mark.parametrize("points, label", [
    (18, "oncogenic"), (10, "oncogenic"), (9, "likely_oncogenic"), (6, "likely_oncogenic"), (5, "vus"), (0, "vus"),
    (-1, "likely_benign"), (-6, "likely_benign"), (-7, "benign"), (-12, "benign")])
def test_class_thresholds(points, label):
    assert class_for_points(points) == label


def test_functional_hotspot_and_kinase_domain_add_to_ten_points_oncogenic(tmp_path):
    """V777L: activating (Bose 2013, OS2 +4), in the kinase domain (OM1 +2), a hotspot with >= 50 tumours at the
    residue and >= 10 with the change (OS3 +4): 10 points = oncogenic."""
    rows = [dict(BOSE, variant="p.V777L", evidence="functional", effect="activating"), hotspot("p.V777L", 60, 20)]
    result = classify(missense("p.V777L"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert result.points == 10 and result.label == "oncogenic"
    assert result.criteria.startswith("OS2 +4 (functional: Bose R et al. Cancer Discov 2013, PMID 23220880)")
    assert "OM1 +2 (kinase domain 720-987" in result.criteria
    assert "OS3 +4 (cancerhotspots v2: 60 tumours at V777, 20 with V777L)" in result.criteria
    assert "OP4 not applied (population frequency not given)" in result.criteria


@pytest.mark.parametrize("residue, allele, code", [(50, 10, "OS3"), (49, 10, "OM3"), (200, 9, "OP3"), (5, 0, "OP3")])
def test_hotspot_thresholds(tmp_path, residue, allele, code):
    # S310 lies outside the kinase domain, so no OM1 can suppress OM3.
    rows = [hotspot("p.S310F", residue, allele)]
    result = classify(missense("p.S310F"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert result.criteria.startswith(f"{code} {SOP_POINTS[code]:+d} (cancerhotspots v2: {residue} tumours at S310")
    assert result.points == SOP_POINTS[code]


def test_om3_is_not_used_with_om1(tmp_path):
    result = classify(missense("p.V777L"), knowledge=read_knowledge(table(tmp_path, [hotspot("p.V777L", 20, 12)])))
    assert "OM3" not in result.criteria and result.points == 2  # OM1 only


def test_residue_count_from_a_residue_row(tmp_path):
    rows = [hotspot("p.S310", 80, ""), hotspot("p.S310F", "", 30)]
    result = classify(missense("p.S310F"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert "OS3 +4 (cancerhotspots v2: 80 tumours at S310, 30 with S310F)" in result.criteria


def test_an_allele_listed_without_a_seen_count_gets_no_hotspot_criterion(tmp_path):
    rows = [hotspot("p.S310", 80, ""), dict(hotspot("p.S310Y", "", ""), grade="secondary")]
    result = classify(missense("p.S310Y"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert result.points == 0 and "OS3/OM3/OP3 not applied" in result.basis


def test_rows_not_seen_never_add_points(tmp_path):
    rows = [dict(BOSE, variant="p.V777L", evidence="functional", effect="activating", grade="recalled"),
            dict(hotspot("p.V777L", 60, 20), grade="secondary")]
    result = classify(missense("p.V777L"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert result.points == 2 and result.label == "vus"  # OM1 alone
    assert "not counted, grade not seen" in result.basis


def test_neutral_study_is_sbs2(tmp_path):
    rows = [dict(BOSE, variant="p.S310F", evidence="functional", effect="neutral")]
    result = classify(missense("p.S310F"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert result.criteria.startswith("SBS2 -4") and result.label == "likely_benign"


def test_om4_from_an_oncogenic_missense_at_the_same_residue(tmp_path):
    """OM4 needs a difference from the reference at least about that of the oncogenic change: Grantham 1974
    (PMID 4843792) V>E 121 >= V>L 32 qualifies; V>M 21 does not."""
    rows = [dict(BOSE, variant="p.V777L", evidence="functional", effect="activating"), hotspot("p.V777L", 60, 20)]
    knowledge = read_knowledge(table(tmp_path, rows))
    result = classify(missense("p.V777E"), knowledge=knowledge)
    assert ("OM4 +2 (p.V777L at the same residue is oncogenic by this standard (10 points); Grantham V>E 121 >= "
            "V>L 32)") in result.criteria
    assert "OM4" not in classify(missense("p.V777M"), knowledge=knowledge).criteria


def test_grantham_matrix_values():
    from her2cli.interpret.oncogenicity import grantham

    # Grantham 1974 Table: Leu-Ser 145, Leu-Met 15, Asp-Tyr 160, Asp-His 81, Cys-Trp 215 (the largest), Ile-Leu 5
    assert [grantham(*pair) for pair in ("LS", "SL", "LM", "DY", "DH", "CW", "IL")] == [145, 145, 15, 160, 81, 215, 5]


@pytest.mark.parametrize("af, code, points", [(0.2, "SBVS1", -8), (0.02, "SBS1", -4), (0.0, "OP4", 1),
                                              (0.00005, "OP4", 1)])
def test_population_criteria_from_the_input(tmp_path, af, code, points):
    result = classify(missense("p.S310F"), population_af=af, population_af_source="VEP CSQ gnomADe_AF",
                      knowledge=read_knowledge(table(tmp_path, [])))
    assert result.criteria.startswith(f"{code} {points:+d} (") and "VEP CSQ gnomADe_AF" in result.criteria
    assert result.points == points


def test_op4_when_the_input_declares_keys_without_a_value(tmp_path):
    result = classify(missense("p.S310F"), knowledge=read_knowledge(table(tmp_path, [])),
                      absent_from="VEP CSQ gnomADe_AF, VEP CSQ gnomADg_AF")
    assert result.criteria == "OP4 +1 (absent from VEP CSQ gnomADe_AF, VEP CSQ gnomADg_AF)" and result.points == 1


def test_op4_needs_the_inputs_own_key(tmp_path):
    rows = [dict(BOSE, variant="p.S310F", evidence="population", effect="rare", population_af="0.00001",
                 population_af_source="gnomAD v4.1")]
    result = classify(missense("p.S310F"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert result.points == 0 and "OP4 not applied (population frequency not given in the input)" in result.criteria


def test_exon20_insertion_class_rule(tmp_path):
    rows = [dict(BOSE, variant="class:exon20_inframe_insertion", evidence="class_rule", effect="oncogenic",
                 detail="class: in-frame insertions in residues 770-831 (exon 20)")]
    dup = SimpleNamespace(hgvs_p_short="p.Y772_A775dup", hgvs_c=None, consequence="inframe_insertion",
                          protein_position="772-775", subgroup="exon20_insertion")
    result = classify(dup, knowledge=read_knowledge(table(tmp_path, rows)))
    assert [c.split(" ")[0] for c in result.criteria.split("; ")[:3]] == ["OS2", "OM1", "OM2"]
    assert result.points == 8 and result.label == "likely_oncogenic"
    outside = SimpleNamespace(hgvs_p_short="p.A1000_G1001insA", hgvs_c=None, consequence="inframe_insertion",
                              protein_position="1000-1001", subgroup="other")
    assert "OS2" not in classify(outside, knowledge=read_knowledge(table(tmp_path, rows))).criteria


def test_truncating_gets_no_ovs1(tmp_path):
    stop = SimpleNamespace(hgvs_p_short="p.E812*", hgvs_c=None, consequence="stop_gained", protein_position="812",
                           subgroup="other")
    result = classify(stop, knowledge=read_knowledge(table(tmp_path, [])))
    assert result.label == "vus" and "OVS1 is for tumour suppressors" in result.basis


@pytest.mark.parametrize("line, message", [
    ("p.V777L\tfunctional\tbogus", "effect 'bogus' not one of activating, neutral, inconclusive"),
    ("class:unknown_class\tclass_rule\toncogenic", "unknown class key"),
    ("V777L\tfunctional\tactivating", "is not p.<change>"),
])
def test_bad_knowledge_row_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.tsv"
    cells = line.split("\t") + [""] * (len(KNOWLEDGE_COLUMNS) - 3)
    cells[KNOWLEDGE_COLUMNS.index("source")] = "x"
    cells[KNOWLEDGE_COLUMNS.index("grade")] = "seen"
    path.write_text("\t".join(KNOWLEDGE_COLUMNS) + "\n" + "\t".join(cells) + "\n")
    with pytest.raises(MalformedInputError) as err:
        read_knowledge(path)
    assert message in str(err.value) and f"{path}:2" in str(err.value)


# --- the bundled table (knowledge branch) -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["p.L755M", "p.A293T", "p.D277G", "p.R138Q", "p.R138W"])
def test_hotspot_passengers_get_no_line(name):
    call = SimpleNamespace(kind="mutation", filter="PASS", vaf=0.3, origin="somatic", **vars(missense(name)))
    call.oncogenicity = classify(call).label
    assert call.oncogenicity not in ("oncogenic", "likely_oncogenic")
    assert match_call(call) == []


@pytest.mark.parametrize("name, rsid", [("p.I655V", "rs1136201"), ("p.P1170A", "rs1058808")])
def test_polymorphisms_never_get_a_line(name, rsid):
    call = SimpleNamespace(kind="mutation", filter="PASS", vaf=0.5, origin="somatic", **vars(missense(name)))
    result = classify(call)
    assert result.label in ("benign", "likely_benign") and rsid in result.criteria
    call.oncogenicity = result.label
    assert match_call(call) == []
    assert tier_for_mutation(result.label, "somatic", []).tier == "IV"


def _tkd_drivers():
    rows = [f for f in load_knowledge().facts if f.evidence == "functional" and f.effect == "activating" and f.seen]
    return sorted({f.variant for f in rows if f.variant[2:-1][1:].isdigit() and 720 <= int(f.variant[3:-1]) <= 987})


@pytest.mark.parametrize("name", _tkd_drivers())
def test_every_seen_activating_tkd_missense_is_a_driver_with_its_approved_lines(name):
    """OS2 (the paper the table cites) + OM1 (kinase domain) = 6 points at least: a driver with T-DXd and both
    TKIs' approved lines when somatic (labels: 'activating' / 'TKD activating')."""
    call = SimpleNamespace(kind="mutation", filter="PASS", vaf=0.3, origin="somatic", **vars(missense(name)))
    call.oncogenicity = classify(call).label
    assert call.oncogenicity in ("oncogenic", "likely_oncogenic")
    approved = {(ln.therapy, ln.evidence) for ln in match_call(call) if ln.status == "approved"}
    assert {("T-DXd", "FDA"), ("zongertinib", "FDA"), ("sevabertinib", "FDA")} <= approved
    assert tier_for_mutation(call.oncogenicity, "somatic", match_call(call)).tier == "I-A"


# --- therapy scope and tiers --------------------------------------------------------------------------------


def _driver(name, origin="somatic", position=None, subgroup="kinase_domain_missense", consequence="missense_variant"):
    return SimpleNamespace(kind="mutation", filter="PASS", vaf=0.3, origin=origin, oncogenicity="likely_oncogenic",
                           hgvs_p_short=name, consequence=consequence, subgroup=subgroup,
                           protein_position=position or "".join(c for c in name if c.isdigit()))


def test_tkd_driver_gets_tkis_and_tdxd():
    lines = match_call(_driver("p.V777L"))
    assert {"T-DXd", "zongertinib", "sevabertinib"} <= {ln.therapy for ln in lines}
    assert not any(ln.id == "zong_nontkd_nccn" for ln in lines)


def test_non_tkd_driver_gets_tdxd_but_no_approved_tki():
    lines = match_call(_driver("p.S310F", subgroup="extracellular"))
    approved = {ln.therapy for ln in lines if ln.status == "approved"}
    assert "T-DXd" in approved and not approved & {"zongertinib", "sevabertinib"}
    assert any(ln.id == "zong_nontkd_nccn" for ln in lines)


def test_tkd_inframe_deletion_driver_is_in_tki_scope():
    deletion = _driver("p.L755_T759del", position="755-759", subgroup="other", consequence="inframe_deletion")
    assert {"zongertinib", "sevabertinib", "T-DXd"} <= {ln.therapy for ln in match_call(deletion)}


@pytest.mark.parametrize("origin, label", [("germline", "likely_oncogenic"), ("somatic", "vus")])
def test_no_line_on_germline_or_vus(origin, label):
    call = _driver("p.V777L", origin=origin)
    call.oncogenicity = label
    assert match_call(call) == []


def test_tiers():
    table = load_evidence()
    tkd = match_call(_driver("p.V777L"), table)
    assert tier_for_mutation("likely_oncogenic", "somatic", tkd).tier == "I-A"
    assert tier_for_mutation("likely_oncogenic", "somatic", tkd).basis.startswith("Level A: T-DXd (FDA 2022-08-11")
    vus = tier_for_mutation("vus", "unknown", [])
    assert (vus.tier, vus.basis) == ("III", VUS_NO_THERAPY) == ("III", "no therapy matched: variant of unknown "
                                                                       "significance")
    assert tier_for_mutation("likely_benign", "somatic", []).tier == "IV"
    assert tier_for_mutation("oncogenic", "germline", []).tier is None
    amplification = [ln for ln in table.lines if "amplification" in ln.eligibility]
    amp = tier_for_copy_number("amplification", amplification)
    assert amp.tier == "II-C" and "T-DXd" in amp.basis  # OncoKB 3A: investigational in NSCLC (Level C)
    assert tier_for_copy_number("gain", []).tier is None


# --- user knowledge files -----------------------------------------------------------------------------------

# Made-up rows in the layout OncoKB's /utils/allAnnotatedVariants.txt export writes (header as in
# oncokb-core's UtilsController: ... Hugo Symbol, Alteration, Protein Change, Oncogenicity, Mutation Effect,
# PMIDs for Mutation Effect, Abstracts for Mutation Effect). Not OncoKB data.
ONCOKB_HEADER = ("Isoform\tRefSeq\tEntrez Gene ID\tHugo Symbol\tAlteration\tProtein Change\tOncogenicity\t"
                 "Mutation Effect\tPMIDs for Mutation Effect\tAbstracts for Mutation Effect")


def oncokb_file(tmp_path, rows):
    path = tmp_path / "allAnnotatedVariants.txt"
    path.write_text(ONCOKB_HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_oncokb_file_overrides_with_its_sha256(tmp_path):
    path = oncokb_file(tmp_path, [
        "ENST00000269571\tNM_004448.2\t2064\tERBB2\tE812K\tE812K\tLikely Oncogenic\tLikely Gain-of-function\t1\t",
        "ENST00000269571\tNM_004448.2\t2064\tKRAS\tE812K\tE812K\tOncogenic\tGain-of-function\t1\t",
    ])
    user = read_user_knowledge(path)
    result = classify(missense("p.E812K"), user=user)
    assert result.label == "likely_oncogenic"
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"OncoKB allAnnotatedVariants allAnnotatedVariants.txt (SHA-256 {sha}): Likely Oncogenic" in result.source
    assert "overrides rule-based vus" in result.source
    assert classify(missense("p.E812Q"), user=user).source.startswith("rule-based")


def test_civic_summary_is_named_not_a_class(tmp_path):
    header = ("variant_id\tvariant_civic_url\tgene\tentrez_id\tvariant\tsummary\tvariant_groups\tchromosome\tstart\t"
              "stop\treference_bases\tvariant_bases\trepresentative_transcript\tensembl_version\treference_build\t"
              "chromosome2\tstart2\tstop2\trepresentative_transcript2\tvariant_types\thgvs_expressions\t"
              "last_review_date\tcivic_variant_evidence_score\tallele_registry_id\tclinvar_ids\tvariant_aliases\t"
              "assertion_ids\tassertion_civic_urls")
    row = ["9999", "https://civicdb.org/variants/9999", "ERBB2", "2064", "E812K"] + [""] * 17 + ["3.5"] + [""] * 5
    path = tmp_path / "VariantSummaries.tsv"
    path.write_text(header + "\n" + "\t".join(row) + "\n")
    result = classify(missense("p.E812K"), user=read_user_knowledge(path))
    assert result.label == "vus"
    assert "CIViC variant 9999 E812K, evidence score 3.5" in result.source and "no oncogenicity class" in result.source
    # the rule-based class stands (docs/oncogenicity.md): the report must not say the summary decided it
    assert class_decided_by(result.source) is None and class_decision(result.source, result.basis) is None


def test_own_format_user_file_joins_the_evidence(tmp_path):
    path = table(tmp_path, [dict(BOSE, variant="p.E812K", evidence="functional", effect="activating")], "mine.tsv")
    result = classify(missense("p.E812K"), user=read_user_knowledge(path))
    assert result.criteria.startswith("OS2 +4") and result.label == "likely_oncogenic"  # + OM1
    assert "her2cli knowledge table mine.tsv (SHA-256" in result.source


@pytest.mark.parametrize("content, error", [
    ("just\ttwo\n", MalformedInputError), ("", MalformedInputError),
    (ONCOKB_HEADER + "\n\t\t\tERBB2\tE812K\tE812K\tVery Oncogenic\t\t\t\n", MalformedInputError)])
def test_bad_user_file(tmp_path, content, error):
    path = tmp_path / "k.txt"
    path.write_text(content)
    with pytest.raises(error) as err:
        read_user_knowledge(path)
    assert str(path) in str(err.value)
    with pytest.raises(InputMissingError):
        read_user_knowledge(tmp_path / "absent.txt")


def test_publisher_class_shown_beside_ours():
    call = SimpleNamespace(publisher_oncogenic="Likely Oncogenic", publisher_mutation_effect="Likely Gain-of-function",
                           publisher_highest_level="LEVEL_1")
    assert publisher_note(call, "vus") == ("publisher (MAF ONCOGENIC Likely Oncogenic, MUTATION_EFFECT Likely "
                                           "Gain-of-function, HIGHEST_LEVEL LEVEL_1): differs from ours (vus)")
    assert publisher_note(call, "likely_oncogenic").endswith("agrees with ours")
    assert publisher_note(SimpleNamespace(), "vus") is None


def test_cli_knowledge_option(tmp_path):
    from typer.testing import CliRunner

    from her2cli.cli import app

    data = Path(__file__).resolve().parent / "data"
    vcf = data / "her2_drivers_tn.vcf"
    path = oncokb_file(tmp_path, [
        "ENST00000269571\tNM_004448.2\t2064\tERBB2\tE812K\tE812K\tOncogenic\tGain-of-function\t1\t"])
    runner = CliRunner()
    result = runner.invoke(app, ["annotate", str(vcf), "--knowledge", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["hgvs_p_short"]: r for r in json.loads(result.stdout)["samples"][0]["alterations"]
            if r["kind"] == "mutation"}
    assert rows["p.E812K"]["oncogenicity"] == "oncogenic"
    assert "overrides rule-based" in rows["p.E812K"]["oncogenicity_source"]
    bad = tmp_path / "bad.txt"
    bad.write_text("no\tknowledge\n")
    proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", str(vcf), "--knowledge", str(bad)],
                          capture_output=True, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 4 and proc.stdout == b"" and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("her2: error:")] == [
        f"her2: error: {bad}:1: not a knowledge file this tool reads: expected OncoKB allAnnotatedVariants.txt "
        "(Hugo Symbol, Alteration, Oncogenicity), CIViC VariantSummaries.tsv (variant_id, gene, variant) or a "
        "her2cli knowledge table (variant, evidence, effect, grade)"]


# --- end to end ---------------------------------------------------------------------------------------------

VCF_HEADER = [
    "##fileformat=VCFv4.2",
    "##contig=<ID=chr17,length=83257441>",
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR",
]


def _annotate_tsv(*args: str) -> list[dict]:
    import csv
    import io

    done = subprocess.run([sys.executable, "-m", "her2cli", "annotate", *args, "-f", "tsv"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout), delimiter="\t"))


def _annotate_record(tmp_path: Path, record: str) -> dict:
    """The one output row of a one-record tumour VCF (VCF_HEADER declares gnomAD's AF_grpmax)."""
    path = tmp_path / "t.vcf"
    path.write_text("\n".join(VCF_HEADER + [record]) + "\n")
    (row,) = _annotate_tsv(str(path))
    return row


def test_declared_gnomad_key_without_a_value_gives_op4_end_to_end(tmp_path):
    """D769Y (codon 769 = c.2305-2307 GAC in ERBB2_CDS.fa; GRCh38 chr17:39724008 G>T) in a file that declares
    gnomAD v4's AF_grpmax but gives none for it: OP4 +1 beside OS2 (Bose 2013) and OM1; Tier I-A."""
    row = _annotate_record(tmp_path, "chr17\t39724008\t.\tG\tT\t.\tPASS\tDP=150\tGT:AD:DP\t0/1:100,50:150")
    assert row["hgvs_p_short"] == "p.D769Y"
    assert "OP4 +1 (absent from INFO AF_grpmax)" in row["oncogenicity_criteria"]
    assert "OS2 +4 (functional: Bose R" in row["oncogenicity_criteria"] and "OM1 +2" in row["oncogenicity_criteria"]
    assert int(row["oncogenicity_points"]) >= 7 and row["oncogenicity"] in ("oncogenic", "likely_oncogenic")
    assert row["amp_tier"] == "I-A" and row["amp_tier_basis"].startswith("Level A: T-DXd (FDA 2022-08-11")
    assert row["oncogenicity_source"].startswith("rule-based: ClinGen/CGC/VICC SOP")
    (verdict,) = _annotate_tsv(str(tmp_path / "t.vcf"), "--summary")
    assert (verdict["mutations"], verdict["oncogenicity_points"]) == ("p.D769Y", row["oncogenicity_points"])


def test_maf_publisher_class_is_shown_beside_ours(tmp_path):
    """An OncoKB-annotator MAF row (GRCh37 L755S = 17:37880220 T>C, the cancerhotspots v2 row)."""
    columns = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position", "Variant_Classification",
               "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode",
               "t_depth", "t_ref_count", "t_alt_count", "ONCOGENIC", "MUTATION_EFFECT", "HIGHEST_LEVEL"]
    row = ["ERBB2", "GRCh37", "17", "37880220", "37880220", "Missense_Mutation", "SNP", "T", "T", "C", "P1", "100",
           "50", "50", "Likely Neutral", "Likely Neutral", ""]
    path = tmp_path / "study.maf"
    path.write_text("\t".join(columns) + "\n" + "\t".join(row) + "\n")
    (out,) = _annotate_tsv(str(path))
    assert out["hgvs_p_short"] == "p.L755S"
    assert "publisher (MAF ONCOGENIC Likely Neutral, MUTATION_EFFECT Likely Neutral): " in out["oncogenicity_source"]
    ours = out["oncogenicity"]
    assert out["oncogenicity_source"].endswith(
        "agrees with ours" if ours == "likely_benign" else f"differs from ours ({ours})")


def test_amplification_tier_from_its_lines_end_to_end(tmp_path):
    """CNVkit segments with ERBB2 (GRCh38 chr17:39.69-39.73 Mb) at log2 3.0: amplification; its lines are
    investigational in NSCLC (T-DXd OncoKB 3A, pyrotinib phase 2), AMP Level C: Tier II-C."""
    path = tmp_path / "t.cns"
    path.write_text("chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"
                    "chr17\t1000\t39600000\t-\t0\t100\t500\t100\n"
                    "chr17\t39600000\t39800000\tERBB2\t3.0\t100\t50\t50\n"
                    "chr17\t39800000\t83000000\t-\t0\t100\t500\t100\n")
    (row,) = _annotate_tsv("--segments", str(path))
    assert row["cn_status"] == "amplification"
    assert row["amp_tier"] == "II-C" and row["amp_tier_basis"].startswith("Level C: T-DXd (OncoKB 2024-05")


def test_cohort_knowledge_option(tmp_path):
    """`her2 cohort --knowledge`: the OncoKB class reaches every sample; a bad file stops before any sample."""
    columns = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position", "Variant_Classification",
               "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode",
               "t_depth", "t_ref_count", "t_alt_count"]
    # E812K = c.2434G>A; GRCh37 exon 20 = c.2308-2493 at 17:37880979-37881164 (../shared/reference/exons_GRCh37.tsv),
    # so c.2434 = 17:37881105.
    row = ["ERBB2", "GRCh37", "17", "37881105", "37881105", "Missense_Mutation", "SNP", "G", "G", "A", "P1", "100",
           "50", "50"]
    maf = tmp_path / "study.maf"
    maf.write_text("\t".join(columns) + "\n" + "\t".join(row) + "\n")
    known = oncokb_file(tmp_path, [
        "ENST00000269571\tNM_004448.2\t2064\tERBB2\tE812K\tE812K\tOncogenic\tGain-of-function\t1\t"])
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "her2cli", "cohort", "--maf", str(maf), "--knowledge", str(known),
                           "-o", str(out), "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    import csv

    rows = [r for r in csv.DictReader((out / "alterations.tsv").open(), delimiter="\t") if r["kind"] == "mutation"]
    assert [(r["hgvs_p_short"], r["oncogenicity"]) for r in rows] == [("p.E812K", "oncogenic")]
    assert "overrides rule-based" in rows[0]["oncogenicity_source"]
    bad = tmp_path / "bad.txt"
    bad.write_text("")
    done = subprocess.run([sys.executable, "-m", "her2cli", "cohort", "--maf", str(maf), "--knowledge", str(bad),
                           "-o", str(tmp_path / "out2"), "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 4 and "knowledge file is empty" in done.stderr
    assert not (tmp_path / "out2").exists()


def test_secondary_neutral_study_counts_and_is_not_said_uncounted(tmp_path):
    """docs/oncogenicity.md: benign evidence (SBS2) may come from `seen` or `secondary` rows; only rows that did
    not count are named 'not counted, grade not seen'. A secondary neutral study is SBS2 -4 and must not also be
    listed as not counted (the basis would contradict the criteria)."""
    rows = [dict(BOSE, variant="p.S310F", evidence="functional", effect="neutral", grade="secondary")]
    result = classify(missense("p.S310F", subgroup="extracellular"), knowledge=read_knowledge(table(tmp_path, rows)))
    assert "SBS2 -4" in result.criteria and result.points == -4
    assert "not counted" not in result.basis


def test_table_population_figure_is_the_lowest_whatever_the_row_order(tmp_path):
    """Without an input key, benign evidence comes from the table's population rows (seen or secondary) and the
    lowest figure is used (docs/oncogenicity.md, SBVS1/SBS1): a 5% lower bound beside a 65% figure gives SBS1 (-4),
    not SBVS1, in either row order (the rows of a rebuilt table may come in any order)."""
    low = dict(BOSE, variant="p.P1170A", evidence="population", effect="common", population_af="0.05",
               population_af_source="lower bound")
    high = dict(BOSE, variant="p.P1170A", evidence="population", effect="common", population_af="0.6544",
                population_af_source="exomes", grade="secondary")
    for order in ([low, high], [high, low]):
        result = classify(missense("p.P1170A"), knowledge=read_knowledge(table(tmp_path, order)))
        assert result.criteria.startswith("SBS1 -4 (lower bound") and result.points == -4, order


def test_what_decided_the_class(tmp_path):
    """docs/oncogenicity.md: an OncoKB class overrides ours, the regulatory list raises a VUS, and an OncoKB
    'Resistance' row is not an oncogenicity class (named, no override): only the first two decided the class."""
    path = oncokb_file(tmp_path, [
        "ENST00000269571\tNM_004448.2\t2064\tERBB2\tE812K\tE812K\tLikely Oncogenic\tLikely Gain-of-function\t1\t",
        "ENST00000269571\tNM_004448.2\t2064\tERBB2\tT798I\tT798I\tResistance\tUnknown\t1\t",
    ])
    user = read_user_knowledge(path)
    override = classify(missense("p.E812K"), user=user)
    assert class_decided_by(override.source).endswith("Likely Oncogenic, Likely Gain-of-function (line 2)")
    assert class_decision(override.source, override.basis) == (
        "OncoKB allAnnotatedVariants: Likely Oncogenic, Likely Gain-of-function (line 2) (overrides rule-based vus "
        "(2 points))")
    resistance = classify(missense("p.T798I"), user=user)
    assert "Resistance" in resistance.source and class_decided_by(resistance.source) is None
    listed = classify(missense("p.L726F"))  # on the TKD list behind the approvals; OM1 only (2 points)
    assert class_decided_by(listed.source) == "regulatory list: OncoKB news, March 2026, PMID 40293180"
    assert class_decision(listed.source, listed.basis).startswith("the regulatory list: named on the ERBB2 TKD")
    assert class_decision("rule-based: x", "y") is None


def test_a_file_that_lowers_a_listed_allele_says_what_it_withholds(tmp_path):
    """A --knowledge class overrides ours (docs), even below a driver; L755S is on the TKD list behind the
    zongertinib/sevabertinib approvals (OncoKB news March 2026), so the basis says the approved lines go with it."""
    path = oncokb_file(tmp_path, ["ENST00000269571\tNM_004448.2\t2064\tERBB2\tL755S\tL755S\tInconclusive\tUnknown\t1\t"])
    result = classify(missense("p.L755S"), user=read_user_knowledge(path))
    assert result.label == "vus"
    assert result.basis.startswith("OncoKB allAnnotatedVariants: Inconclusive, Unknown (line 2) (overrides rule-based")
    assert ("the variant is named on the ERBB2 TKD activating-mutation list behind the zongertinib and sevabertinib "
            "approvals") in result.basis and result.basis.endswith("this class withholds the approved lines that list "
                                                                   "supports")


# --- in-frame indel hotspots (issue 21) ---------------------------------------------------------------------------
# Rows read on 2026-12-06 in genome-nexus/genome-nexus-importer data/grch38_ensembl95/export/hotspots_v2_and_3d.txt
# @ 08060c797ab6fa49e29629e9e2eb78e69feb2736 (the cancerhotspots v2 rows, transcribed in
# scripts/cancerhotspots_v2_erbb2_counts.tsv):
#   ERBB2  772-775  V:1|-:33  772-775  M774dup:1|Y772_A775dup:33  1.41703102521153e-86  34  in-frame indel  v2
#   ERBB2  V659     V:5       659      D:1|E:2|V:2                0.000268822656434572  5   single residue  v2


def test_indel_hotspot_counts_the_region_and_the_exact_change(tmp_path):
    """An in-frame indel is counted at its indel hotspot region (34 tumours with an in-frame indel in 772-775) and
    with its own protein change (33 with Y772_A775dup); a different duplication in the region has 0 with its change
    (OP3); a residue row at the indel's first codon is not its hotspot (cancerhotspots counts single-residue and
    indel hotspots apart), and an insertion reaching past the region is not in it."""
    rows = [hotspot("p.Y772_A775", 34, ""), hotspot("p.Y772_A775dup", 34, 33), hotspot("p.M774dup", 34, 1),
            hotspot("p.Y772", 80, "")]
    knowledge = read_knowledge(table(tmp_path, rows))

    def dup(name, position):
        return SimpleNamespace(hgvs_p_short=name, hgvs_c=None, consequence="inframe_insertion",
                               protein_position=position, subgroup="exon20_insertion")

    exact = classify(dup("p.Y772_A775dup", "772-775"), knowledge=knowledge)
    # 34 < 50 at the region, 33 >= 10 with the change: OM3, which the SOP does not use beside OM1 (kinase domain).
    assert "OM3" not in exact.criteria and "OM1 +2" in exact.criteria
    assert ("OM3 (cancerhotspots v2: 34 tumours at in-frame indel hotspot 772-775, 33 with Y772_A775dup) not used "
            "with OM1 or OM4") in exact.basis
    other = classify(dup("p.V773_A775dup", "773-775"), knowledge=knowledge)
    assert "OP3 +1 (cancerhotspots v2: 34 tumours at in-frame indel hotspot 772-775, 0 with V773_A775dup)" in \
        other.criteria
    outside = classify(dup("p.A775_G776insV", "775-776"), knowledge=knowledge)  # not inside 772-775
    assert "OP3" not in outside.criteria and "OM3" not in outside.basis and "80 tumours" not in outside.basis


def test_indel_hotspot_thresholds_without_om1(tmp_path):
    """The SOP's thresholds on an indel hotspot outside the kinase domain (a made-up region 300-305: no OM1)."""
    def ins(name, position):
        return SimpleNamespace(hgvs_p_short=name, hgvs_c=None, consequence="inframe_insertion",
                               protein_position=position, subgroup=None)

    for region, allele, code in [(50, 10, "OS3"), (49, 10, "OM3"), (60, 9, "OP3")]:
        rows = [hotspot("p.C300_C305", region, ""), hotspot("p.C301_C303dup", region, allele)]
        result = classify(ins("p.C301_C303dup", "301-303"), knowledge=read_knowledge(table(tmp_path, rows)))
        assert (f"{code} {SOP_POINTS[code]:+d} (cancerhotspots v2: {region} tumours at in-frame indel hotspot 300-305, "
                f"{allele} with C301_C303dup)") in result.criteria, code


def test_y772_a775dup_one_record_vcf(tmp_path):
    """YVMA dup (GRCh38 chr17:39724730 C>CATACGTGATGGC = c.2313_2324dup, shared/reference/verification_points.tsv)
    in a file declaring gnomAD's AF_grpmax without a value: the v2 row (34 tumours at 772-775, 33 with
    Y772_A775dup) gives OM3, not used beside OM1 (Horak 2022, Table 2); the class rests on OS2 (Wang 2006) + OM1 +
    OM2 + OP4 = 9 points, likely oncogenic."""
    row = _annotate_record(tmp_path, "chr17\t39724730\t.\tC\tCATACGTGATGGC\t.\tPASS\tDP=150\tGT:AD:DP\t0/1:100,50:150")
    assert row["hgvs_p_short"] == "p.Y772_A775dup"
    assert "OM3" not in row["oncogenicity_criteria"] and "OM1 +2" in row["oncogenicity_criteria"]
    assert "OM2 +2" in row["oncogenicity_criteria"] and "OP4 +1" in row["oncogenicity_criteria"]
    assert ("OM3 (cancerhotspots v2: 34 tumours at in-frame indel hotspot 772-775, 33 with Y772_A775dup) not used"
            in row["oncogenicity_basis"])
    assert (row["oncogenicity"], row["oncogenicity_points"]) == ("likely_oncogenic", "9")


def test_v659e_one_record_vcf(tmp_path):
    """V659E (codon 659 = c.1975-1977 GTT in ERBB2_CDS.fa; exon 17 starts at c.1947 = GRCh38 chr17:39723319, so
    c.1976_1977 = 39723348-39723349; TT>AG gives GAG = Glu): the v2 row (5 tumours at V659, 2 with V659E) gives
    OP3 +1; with OS2 (Yamamoto 2014, +4) and OP4 (+1, absent from the declared AF_grpmax), 6 points: likely
    oncogenic (V659 is outside the kinase domain: no OM1)."""
    row = _annotate_record(tmp_path, "chr17\t39723348\t.\tTT\tAG\t.\tPASS\tDP=150\tGT:AD:DP\t0/1:100,50:150")
    assert row["hgvs_p_short"] == "p.V659E"
    assert "OP3 +1 (cancerhotspots v2: 5 tumours at V659, 2 with V659E)" in row["oncogenicity_criteria"]
    assert "OS2 +4 (functional: Yamamoto H" in row["oncogenicity_criteria"]
    assert "OM1" not in row["oncogenicity_criteria"]
    assert (row["oncogenicity"], row["oncogenicity_points"]) == ("likely_oncogenic", "6")
