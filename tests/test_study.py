"""MAF input through the CLI and a whole study as a cohort (issue #13), on a real public MAF read in place
(../shared/validation/maf/lung_msk_mind_2020.maf: MSK-IMPACT lung, GRCh37). Expected counts are recomputed
here from the publisher's own columns (Hugo_Symbol, Variant_Classification, Protein_position, HGVSp_Short), not
from her2's output."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAF = ROOT.parent / "shared" / "validation" / "maf" / "lung_msk_mind_2020.maf"
# MAF Variant_Classification values that change the protein (GDC MAF specification; Silent, Intron, UTRs,
# flanks and RNA are not).
PROTEIN_ALTERING = {"Missense_Mutation", "Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins",
                    "In_Frame_Del", "In_Frame_Ins", "Splice_Site", "Nonstop_Mutation", "Translation_Start_Site"}

pytestmark = pytest.mark.skipif(not MAF.exists(), reason="../shared/validation/maf is not beside the repo")


def her2(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, input=stdin,
                          cwd=cwd, timeout=120)


def tsv(text: bytes | str) -> list[dict]:
    text = text.decode() if isinstance(text, bytes) else text
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


@pytest.fixture(scope="module")
def publisher():
    rows = tsv(MAF.read_text())
    return {"all": rows, "erbb2": [r for r in rows if r["Hugo_Symbol"] == "ERBB2"],
            "samples": list(dict.fromkeys(r["Tumor_Sample_Barcode"] for r in rows))}


def test_annotate_a_maf_gives_one_row_per_erbb2_row_with_the_publishers_names(publisher):
    done = her2("annotate", str(MAF), "-f", "tsv")
    assert done.returncode == 0, done.stderr
    rows = tsv(done.stdout)
    assert len(rows) == len(publisher["erbb2"])
    for ours, theirs in zip(sorted(rows, key=lambda r: (r["sample"], r["input_pos"])),
                            sorted(publisher["erbb2"], key=lambda r: (r["Tumor_Sample_Barcode"], r["Start_Position"]))):
        assert ours["sample"] == theirs["Tumor_Sample_Barcode"]
        assert ours["hgvs_p_short"] == theirs["HGVSp_Short"]       # MSK's vcf2maf/VEP names agree here
        assert ours["input_hgvsp"] == theirs["HGVSp_Short"] and ours["renamed"] == "false"
        assert ours["source"] == str(MAF)


def test_a_maf_on_stdin_is_sniffed(publisher):
    done = her2("annotate", "-", "-f", "tsv", stdin=MAF.read_bytes())
    assert done.returncode == 0, done.stderr
    assert len(tsv(done.stdout)) == len(publisher["erbb2"])


def test_summary_has_every_sample_of_the_maf(publisher):
    done = her2("annotate", str(MAF), "--summary", "-f", "tsv")
    verdicts = {r["sample"]: r for r in tsv(done.stdout)}
    assert list(verdicts) == publisher["samples"]  # samples without an ERBB2 row are still there
    altered = {r["Tumor_Sample_Barcode"] for r in publisher["erbb2"] if r["Variant_Classification"] in PROTEIN_ALTERING}
    for sample, verdict in verdicts.items():
        assert (verdict["mutation_status"] != "not_detected") == (sample in altered), sample


def test_study_prevalence_recomputed(tmp_path, publisher):
    # the sequenced list: every sample of the MAF plus five that had no mutation at all (absent from a MAF)
    extra = [f"UNMUTATED-{i}" for i in range(5)]
    (tmp_path / "cases_sequenced.txt").write_text(
        "cancer_study_identifier: test\nstable_id: test_sequenced\ncase_list_ids: "
        + "\t".join(publisher["samples"] + extra) + "\n")
    done = her2("cohort", "--maf", str(MAF), "--samples", str(tmp_path / "cases_sequenced.txt"),
                "-o", str(tmp_path / "out"), "-q")
    assert done.returncode == 0, done.stderr
    table = {(r["category"], r["value"]): r for r in tsv((tmp_path / "out" / "cohort.tsv").read_text())}
    total = len(publisher["samples"]) + len(extra)
    altered = {r["Tumor_Sample_Barcode"] for r in publisher["erbb2"] if r["Variant_Classification"] in PROTEIN_ALTERING}
    # exon 20 in-frame insertions (codons 770-831) by the publisher's own columns
    exon20 = {r["Tumor_Sample_Barcode"] for r in publisher["erbb2"] if r["Variant_Classification"] == "In_Frame_Ins"
              and 770 <= int(r["Protein_position"].split("-")[0].split("/")[0]) <= 831}
    not_detected = table[("mutation_status", "not_detected")]
    assert (int(not_detected["n_samples"]), int(not_detected["denominator"])) == (total - len(altered), total)
    assert int(table[("activating_subgroup", "exon20_insertion")]["n_samples"]) == len(exon20)
    assert "sample list unknown" not in not_detected["denominator_basis"]
    statuses = sum(int(table[("mutation_status", s)]["n_samples"])
                   for s in ("activating", "vus_only", "benign_only", "not_detected"))
    assert statuses == total
    samples = tsv((tmp_path / "out" / "samples.tsv").read_text())
    assert len(samples) == total and (tmp_path / "out" / "report.html").exists()


def test_sheet_maf_column_reads_one_barcode(tmp_path, publisher):
    sample = publisher["erbb2"][0]["Tumor_Sample_Barcode"]
    (tmp_path / "sheet.tsv").write_text(f"sample\tmaf\ttumor_sample\nP1\t{MAF}\t{sample}\n")
    done = her2("cohort", str(tmp_path / "sheet.tsv"), "-q")
    assert done.returncode == 0, done.stderr
    rows = tsv(done.stdout)
    expected = [r for r in publisher["erbb2"] if r["Tumor_Sample_Barcode"] == sample]
    assert [r["sample"] for r in rows] == ["P1"] * len(expected)
    assert [r["hgvs_p_short"] for r in rows] == [r["HGVSp_Short"] for r in expected]
