"""Issue #9 end to end, through the CLI: drivers get therapy lines, polymorphisms and VUS do not.

Expectations come from the published classification of each variant, not from the code:
drivers = exon 20 in-frame insertions (OncoKB class rule 770_831: YVMA c.2313_2324dup, G776delinsVC,
G778_P780dup), Bose et al. Cancer Discov 2013 (L755S, D769Y, V777L, V842I activating), Pahuja et al. Cancer Cell
2018 (G660D, R678Q TM/JM), the cancerhotspots v2 list (S310F); polymorphisms = dbSNP rs1136201 (I655V) and
rs1058808 (P1170A); p.E812K is in none of these (a VUS). tests/data/her2_drivers_tn.vcf documents its records.
Classes follow the ClinGen/CGC/VICC SOP's points (Horak 2022, PMID 35101336): the drivers asserted here are those
whose seen evidence reaches 6 points (a functional study or the class rule OS2 +4, kinase domain OM1 +2, OM2 +2 for
in-frame insertions, cancerhotspots v2 counts OS3 +4: S310F with Kavuri 2015 and 163 S310F tumours; L755S with
Kavuri 2015 and 86 L755S tumours). G660D (functional OS2 + OP3: 5) and R678Q (OS3 alone; the Pahuja row is
recalled: 4) do not reach 6 points from seen rows, so they are not asserted to be drivers here.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"

DRIVERS = {"p.Y772_A775dup", "p.G776delinsVC", "p.G778_P780dup", "p.S310F", "p.L755S", "p.D769Y", "p.V777L",
           "p.V842I"}
POLYMORPHISMS = {"p.I655V", "p.P1170A"}
RARE_VUS = "p.E812K"


def her2(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, text=True, timeout=120)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def by_allele(vcf: str) -> dict[str, dict]:
    """hgvs_p_short -> TSV row of `her2 annotate` on a test VCF."""
    done = her2("annotate", str(DATA / vcf), "-f", "tsv")
    assert done.returncode == 0, done.stderr
    return {r["hgvs_p_short"]: r for r in rows(done.stdout)}


@pytest.fixture(scope="module")
def tumour_normal():
    return by_allele("her2_drivers_tn.vcf")


def test_drivers_are_somatic_oncogenic_with_tdxd(tumour_normal):
    for name in DRIVERS:
        row = tumour_normal[name]
        assert row["oncogenicity"] in ("oncogenic", "likely_oncogenic"), (name, row["oncogenicity_basis"])
        assert row["origin"] == "somatic", (name, row["origin_basis"])
        assert "T-DXd (FDA 2022-08-11, approved" in row["evidence"], name


def test_polymorphisms_are_benign_germline_without_therapy(tumour_normal):
    for name in POLYMORPHISMS:
        row = tumour_normal[name]
        assert row["oncogenicity"] in ("benign", "likely_benign"), name
        assert row["origin"] == "germline", name
        assert row["evidence"] == "", name


def test_rare_kinase_missense_is_vus_without_approved_therapy(tumour_normal):
    row = tumour_normal[RARE_VUS]
    assert row["oncogenicity"] == "vus" and row["evidence"] == ""


def test_verdict_is_activating():
    done = her2("annotate", str(DATA / "her2_drivers_tn.vcf"), "--summary", "-f", "tsv")
    verdict = rows(done.stdout)[0]
    assert verdict["mutation_status"] == "activating"


def test_tumour_only_i655v_is_benign_only_without_tdxd():
    done = her2("annotate", str(DATA / "her2_i655v_tumour_only.vcf"), "--summary", "-f", "tsv")
    verdict = rows(done.stdout)[0]
    assert verdict["mutation_status"] == "benign_only"
    assert "T-DXd" not in verdict["evidence"]
    # no normal and no population field in the file: the polymorphism's known frequency (dbSNP rs1136201, 2% at the
    # lowest, above the 1% cut-off) makes it likely germline, and SBS1 (-4: > 1%, not > 5%) likely benign
    [row] = rows(her2("annotate", str(DATA / "her2_i655v_tumour_only.vcf"), "-f", "tsv").stdout)
    assert (row["oncogenicity"], row["origin"]) == ("likely_benign", "likely_germline")
    assert row["oncogenicity_criteria"].startswith("SBS1 -4 (") and row["amp_tier"] == "IV"


def test_tumour_only_rare_vus_is_vus_only(tmp_path):
    text = (DATA / "her2_i655v_tumour_only.vcf").read_text()
    # the same file with I655V (chr17:39723335 A>G, c.1963A>G) replaced by E812K (c.2434G>A = chr17:39724852 G>A:
    # exon 20 is c.2308-2493 = chr17:39724726-39724911 on GRCh38 (shared/reference/exons_GRCh38.tsv), + 126;
    # codon 812 = c.2434-2436 GAA (Glu) in shared/reference/ERBB2_CDS.fa; G>A makes AAA (Lys))
    lines = [line for line in text.splitlines() if line.startswith("#")]
    record = [line for line in text.splitlines() if not line.startswith("#")][0].split("\t")
    record[1], record[2], record[3], record[4] = "39724852", ".", "G", "A"
    (tmp_path / "vus.vcf").write_text("\n".join(lines + ["\t".join(record)]) + "\n")
    done = her2("annotate", str(tmp_path / "vus.vcf"), "--summary", "-f", "tsv")
    assert done.returncode == 0, done.stderr
    verdict = rows(done.stdout)[0]
    assert verdict["mutations"] == "p.E812K"
    assert verdict["mutation_status"] == "vus_only"
    assert verdict["evidence"] == "" and "VUS" in verdict["no_therapy_reason"]


def test_segments_alone_are_not_assessed_for_mutations():
    done = her2("annotate", "--segments", str(ROOT / "sample_data" / "tumour.cns"), "--summary", "-f", "tsv")
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout)[0]["mutation_status"] == "not_assessed"


def test_real_purple_germline_p1170a_is_benign():
    path = SHARED / "fixtures" / "sage_v4.0_germline_purple_v4.1.tumor_sample.purple.germline.vcf"
    if not path.exists():
        pytest.skip("../shared/fixtures is not beside the repo")
    done = her2("annotate", str(path), "--summary", "-f", "tsv")
    verdict = rows(done.stdout)[0]
    assert verdict["mutations"] == "p.P1170A" and verdict["mutation_status"] == "benign_only"
    assert verdict["evidence"] == ""


# The TKD list behind the zongertinib and sevabertinib approvals, as published (OncoKB news, March 2026, Level 1,
# NSCLC, "Sevabertinb, Zongertinib": "L726F/I, T733I, L768S, L755A/P/S/W, I767M, D769H/Y, V773L, G776S/V, V777L/M,
# V794M, T798M, D808N, G815R, D821N, L841V, V842I, L866M, L869R"). tests/data/tkd_list_tn.vcf has one
# tumour/normal record per allele (positions derived from shared/reference, documented in its header).
TKD_LIST = ["p.L726F", "p.L726I", "p.T733I", "p.L768S", "p.L755A", "p.L755P", "p.L755S", "p.L755W", "p.I767M",
            "p.D769H", "p.D769Y", "p.V773L", "p.G776S", "p.G776V", "p.V777L", "p.V777M", "p.V794M", "p.T798M",
            "p.D808N", "p.G815R", "p.D821N", "p.L841V", "p.V842I", "p.L866M", "p.L869R"]


@pytest.fixture(scope="module")
def tkd_list():
    return by_allele("tkd_list_tn.vcf")


def test_every_allele_on_the_approvals_tkd_list_is_a_somatic_driver_with_both_tki_lines(tkd_list):
    assert sorted(tkd_list) == sorted(TKD_LIST)
    for name in TKD_LIST:
        row = tkd_list[name]
        assert row["oncogenicity"] in ("oncogenic", "likely_oncogenic"), (name, row["oncogenicity_basis"])
        assert row["origin"] == "somatic", name
        for line in ("zongertinib (FDA 2025-08-08, approved", "sevabertinib (FDA 2025-11-19, approved",
                     "T-DXd (FDA 2022-08-11, approved"):
            assert line in row["evidence"], (name, line)
        assert row["amp_tier"] == "I-A", name


def test_a_listed_allele_the_sop_leaves_a_vus_says_the_list_decided(tkd_list):
    # L726F: no functional paper and no hotspot count held; the SOP gives OM1 (kinase domain) only.
    row = tkd_list["p.L726F"]
    assert row["oncogenicity"] == "likely_oncogenic"
    assert row["oncogenicity_points"] == "2" and row["oncogenicity_criteria"].startswith("OM1 +2")
    assert row["oncogenicity_source"].startswith("regulatory list: OncoKB news, March 2026")
    assert "raises rule-based vus (2 points)" in row["oncogenicity_source"]



def test_oncomine_hotspot_rows_the_caller_did_not_call_never_count():
    """Ion Torrent writes every hotspot allele, FILTER PASS, with a few noise reads (../shared/fixtures README:
    'hotspot alleles are always reported, even at AF 0 with FILTER PASS'; SOURCES.tsv: 'no real mutation; must not
    be reported'). --all-records shows them, but the caller's genotype leaves the ALT out: no row may count,
    match a therapy or get a tier (it made the sample 'activating' with S310F at 2 of 4485 reads, tier I-A)."""
    path = SHARED / "fixtures" / "ion_torrent_tvc_v5.4_oncomine.M19-12140.SmallVariants.vcf"
    if not path.exists():
        pytest.skip("../shared/fixtures is not beside the repo")
    shown = rows(her2("annotate", str(path), "--all-records", "-f", "tsv").stdout)
    assert shown and all("not_called" in row["flags"].split(",") for row in shown)
    assert all(row["evidence"] == "" and row["amp_tier"] == "" for row in shown)
    [verdict] = rows(her2("annotate", str(path), "--all-records", "--summary", "-f", "tsv").stdout)
    assert verdict["mutation_status"] == "not_detected" and verdict["evidence"] == ""
    # without --all-records the same rows are not reported at all: the verdict is the same
    [default] = rows(her2("annotate", str(path), "--summary", "-f", "tsv").stdout)
    assert default["mutation_status"] == "not_detected"


def test_a_negative_says_how_many_erbb2_alleles_failed_filter(tmp_path):
    """A negative states what it rests on (the project's rule): the FILTER-passing calls. sample_data/tumour.vcf
    without its PASS exon 20 insertion and its germline row keeps an L755S written 'weak_evidence' (4 of 204 reads);
    the verdict is not_detected (FILTER-failed calls do not count, docs/evidence.md) and says one ERBB2 allele
    failed FILTER and was not read; a sample whose every ERBB2 allele passed says nothing of the kind."""
    lines = (ROOT / "sample_data" / "tumour.vcf").read_text().splitlines()
    kept = [line for line in lines if not line.startswith(("chr17\t39724730", "chr17\t39727040"))]
    path = tmp_path / "filtered.vcf"
    path.write_text("\n".join(kept) + "\n")
    [verdict] = rows(her2("annotate", str(path), "--summary", "-f", "tsv").stdout)
    assert verdict["mutation_status"] == "not_detected"
    assert verdict["assessment_basis"] == ("coverage not given; 1 ERBB2 allele failed the caller's FILTER and was not "
                                           "read (--all-records shows it)")
    table = her2("annotate", str(path), "-f", "table").stdout
    summary = " ".join(table.split("╭")[0].split())  # the summary sentences, above the box, unwrapped
    assert "1 ERBB2 allele failed the caller's FILTER and was not read" in summary
    clean = tmp_path / "clean.vcf"
    clean.write_text("\n".join(line for line in kept if "weak_evidence\tDP" not in line) + "\n")
    [verdict] = rows(her2("annotate", str(clean), "--summary", "-f", "tsv").stdout)
    assert verdict["assessment_basis"] == "coverage not given"
