"""Interchange outputs (issue #12): format from the extension, distinct samples, typed JSON against its
shipped schema, MAF as vcf2maf writes it, the CNA tables, evidence as JSON, inversions, help.

Where expectations come from: VCF 4.3 (AD is Number=R, REF count first), vcf2maf.pl's @maf_header
(``#version 2.4`` first line; t_ref_count = the REF allele's reads), GISTIC/cBioPortal discrete CNA values
(2 = amplification, 1 = gain, 0 = neutral, -1 = shallow loss, -2 = deep deletion), HGVS (an inversion is
named before a deletion-insertion), and NM_004448.4 read by hand (codon 659 = GTT at c.1975-1977; exon 17
starts at GRCh38 39723319 = c.1947, so c.1976 = 39723348; see tests/test_naming.py).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from her2cli import cli
from her2cli.report.cna import cna_value, cohort_cna_tables
from her2cli.report.maf import MAF_COLUMNS, render_maf
from her2cli.report.render import choose_format, format_for_path
from her2cli.results import MutationCall, SampleResult
from her2cli.errors import UsageError

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr17,length=83257441,assembly=GRCh38>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
"""
YVMA = "chr17\t39724730\t.\tC\tCATACGTGATGGC\t50\tPASS\t.\tGT:AD:DP\t0/1:70,30:100"
L755S = "chr17\t39723967\t.\tT\tC\t50\tPASS\t.\tGT:AD:DP\t0/1:25,5:30"
# A focal 8-copy ERBB2 amplicon (log2 2 = 4x two copies) on flat chr17, CNVkit .cns columns.
FOCAL_CNS = """chromosome	start	end	gene	log2	depth	probes	weight
chr17	1	39600000	-	0	100	100	100
chr17	39600001	39800000	ERBB2	2	100	100	100
chr17	39800001	83257441	-	0	100	100	100
"""


def her2(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], input=stdin, capture_output=True, timeout=120)


def vcf(tmp_path: Path, name: str, *records: str) -> str:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(records) + "\n")
    return str(path)


def tsv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#"))),
                               delimiter="\t"))


# --- format choice --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("x.tsv", "tsv"), ("x.json", "json"), ("x.vcf", "vcf"), ("x.vcf.gz", "vcf"), ("X.VCF.GZ", "vcf"),
    ("x.bcf", "bcf"), ("x.maf", "maf"), ("x.html", "html"), ("x.out", None), (None, None), ("-", None),
])
def test_format_follows_the_extension(path, expected):
    assert format_for_path(path) == expected


def test_format_option_overrides_and_contradictions_are_usage_errors():
    assert choose_format("json", None, stdout_is_terminal=True) == "json"
    assert choose_format("cna", "calls.txt", stdout_is_terminal=False) == "cna"  # unknown extension: -f decides
    assert choose_format(None, None, stdout_is_terminal=True) == "table"
    assert choose_format(None, None, stdout_is_terminal=False) == "tsv"
    with pytest.raises(UsageError) as caught:
        choose_format("tsv", "x.vcf", stdout_is_terminal=False)
    assert caught.value.exit_code == 2


# --- samples stay distinct ------------------------------------------------------------------------------

def test_two_files_with_a_tumor_column_are_two_samples(tmp_path):
    a = vcf(tmp_path, "a.vcf", YVMA)
    b = vcf(tmp_path, "b.vcf", L755S)
    rows = tsv(her2("annotate", a, b, "-f", "tsv").stdout.decode())
    assert {(r["sample"], r["source"]) for r in rows} == {("TUMOR (a.vcf)", a), ("TUMOR (b.vcf)", b)}
    summary = tsv(her2("annotate", a, b, "--summary", "-f", "tsv").stdout.decode())
    assert sorted(r["sample"] for r in summary) == ["TUMOR (a.vcf)", "TUMOR (b.vcf)"]
    document = json.loads(her2("annotate", a, b, "-f", "json").stdout)
    assert [(s["sample"], s["source"]) for s in document["samples"]] == [("TUMOR (a.vcf)", a), ("TUMOR (b.vcf)", b)]
    maf = tsv(her2("annotate", a, b, "-f", "maf").stdout.decode())
    assert {(r["Tumor_Sample_Barcode"], r["source"]) for r in maf} == {("TUMOR (a.vcf)", a), ("TUMOR (b.vcf)", b)}


def test_plot_counts_files_sharing_a_column_name_as_samples(tmp_path, monkeypatch):
    from her2cli.report import plots

    paths = [vcf(tmp_path, f"{name}.vcf", YVMA) for name in "abc"]
    seen = {}

    def fake_lollipop(rows, path, title=None, n_samples=None):
        seen["samples"] = {row["sample"] for row in rows}
        seen["n_samples"] = n_samples
        return path

    monkeypatch.setattr(plots, "plot_lollipop", fake_lollipop)
    assert cli.run(["plot", *paths, "-o", str(tmp_path / "x.png")]) == 0
    assert seen == {"samples": {"TUMOR (a.vcf)", "TUMOR (b.vcf)", "TUMOR (c.vcf)"}, "n_samples": 3}


# --- JSON -----------------------------------------------------------------------------------------------

def test_json_is_typed_and_matches_the_shipped_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from her2cli.report.json_report import json_schema

    cns = tmp_path / "t.cns"
    cns.write_text(FOCAL_CNS)
    proc = her2("annotate", vcf(tmp_path, "t.vcf", YVMA), "--segments", str(cns), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    jsonschema.validate(document, json_schema())
    sample = document["samples"][0]
    summary = sample["summary"]
    assert summary["copy_number"] == pytest.approx(8.0)  # 2 x 2**2, a number, not "8.0"
    assert isinstance(summary["ratio_chr17"], float)
    assert summary["mutations"] == ["p.Y772_A775dup"]
    assert isinstance(summary["amplification_definitions_met"], list)
    mutation = next(a for a in sample["alterations"] if a["kind"] == "mutation")
    assert (mutation["depth"], mutation["alt_depth"], mutation["ref_depth"]) == (100, 30, 70)
    assert isinstance(mutation["flags"], list)
    assert all(isinstance(e, dict) and {"therapy", "status", "date", "source", "level", "eligibility"} <= set(e)
               for a in sample["alterations"] for e in a["evidence"])
    copy_number = next(a for a in sample["alterations"] if a["kind"] == "copy_number")
    assert isinstance(copy_number["calls"], list) and isinstance(copy_number["co_amplified_genes"], list)


def test_evidence_as_json():
    proc = her2("evidence", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["date"] and document["lines"]
    line = document["lines"][0]
    assert {"therapy", "status", "date", "source", "level"} <= set(line)
    assert isinstance(line["eligibility"], list)


# --- MAF ------------------------------------------------------------------------------------------------

def test_maf_is_vcf2maf_shaped_with_ref_only_counts(tmp_path):
    # T>C,G with AD 30,20,10: REF has 30 reads; t_depth - t_alt_count would count the other ALT as REF.
    multi = "chr17\t39723967\t.\tT\tC,G\t50\tPASS\t.\tGT:AD:DP\t1/2:30,20,10:60"
    out = tmp_path / "x.maf"
    proc = her2("annotate", vcf(tmp_path, "t.vcf", multi), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.splitlines()[0] == "#version 2.4"
    assert text.splitlines()[1].split("\t")[:len(MAF_COLUMNS)] == MAF_COLUMNS
    rows = tsv(text)
    assert [(r["Tumor_Seq_Allele2"], r["t_depth"], r["t_ref_count"], r["t_alt_count"]) for r in rows] == [
        ("C", "60", "30", "20"), ("G", "60", "30", "10")]


def test_maf_matched_normal_columns():
    call = MutationCall(sample="T", source="t.vcf", chrom="chr17", pos=39723967, ref="T", alt="C", genome="GRCh38",
                        transcript="NM_004448.4", hgvs_c="c.2264T>C", consequence="missense_variant",
                        depth=30, alt_depth=5, ref_depth=25, normal_sample="N", normal_depth=40,
                        normal_ref_depth=40, normal_alt_depth=0)
    rows = tsv(render_maf([SampleResult("T", "t.vcf", "GRCh38", [call], [], None)]))
    row = rows[0]
    assert (row["Matched_Norm_Sample_Barcode"], row["n_depth"], row["n_ref_count"], row["n_alt_count"]) == \
        ("N", "40", "40", "0")


def test_maf_says_what_it_cannot_carry(tmp_path):
    cns = tmp_path / "t.cns"
    cns.write_text(FOCAL_CNS)
    proc = her2("annotate", "--segments", str(cns), "-f", "maf")
    assert proc.returncode == 0
    assert "copy-number call (amplification) not written" in proc.stderr.decode()


# --- CNA ------------------------------------------------------------------------------------------------

def test_cna_gives_2_for_a_focal_amplification(tmp_path):
    cns = tmp_path / "t.cns"
    cns.write_text(FOCAL_CNS)
    proc = her2("annotate", "--segments", str(cns), "-f", "cna")
    assert proc.returncode == 0, proc.stderr
    assert tsv(proc.stdout.decode()) == [
        {"Tumor_Sample_Barcode": "t", "Hugo_Symbol": "ERBB2", "Copy_Number_Alteration": "2"}]


@pytest.mark.parametrize("status, copies, value", [
    ("amplification", 8.0, 2), ("gain", 3.0, 1), ("neutral", 2.0, 0), ("loss", 1.0, -1), ("loss", 0.1, -2),
])
def test_cna_values_are_gistic_levels(status, copies, value):
    assert cna_value(status, copies) == value


def test_cohort_cna_tables_long_and_wide():
    # the cohort's verdict rows (samples.tsv): C has no copy-number data and is left out
    summaries = [{"sample": "A", "amplification_status": "amplification", "copy_number": 8.0},
                 {"sample": "B", "amplification_status": "neutral", "copy_number": 2.0},
                 {"sample": "C", "amplification_status": "not assessed", "copy_number": None}]
    tables = cohort_cna_tables(summaries)
    assert tsv(tables["cna"]) == [
        {"Tumor_Sample_Barcode": "A", "Hugo_Symbol": "ERBB2", "Copy_Number_Alteration": "2"},
        {"Tumor_Sample_Barcode": "B", "Hugo_Symbol": "ERBB2", "Copy_Number_Alteration": "0"}]
    # cBioPortal's wide discrete matrix: Hugo_Symbol, Entrez_Gene_Id (ERBB2 = 2064), one column per sample
    assert tables["data_cna"].splitlines() == ["Hugo_Symbol\tEntrez_Gene_Id\tA\tB", "ERBB2\t2064\t2\t0"]


# --- naming and help ------------------------------------------------------------------------------------

def test_tt_to_aa_at_codon_659_is_an_inversion(tmp_path):
    record = "chr17\t39723348\t.\tTT\tAA\t50\tPASS\t.\tGT:AD:DP\t0/1:20,20:40"
    rows = tsv(her2("annotate", vcf(tmp_path, "t.vcf", record), "-f", "tsv").stdout.decode())
    assert [(r["hgvs_c"], r["hgvs_p_short"]) for r in rows] == [("c.1976_1977inv", "p.V659E")]


def test_help_is_clean():
    text = her2("annotate", "--help").stdout.decode()
    assert "<list[str]>" not in text and "[[" not in text
    root = her2("--help").stdout.decode()
    assert "Exit codes" in root and "--install-completion" in root
    assert her2("-V").stdout.decode().startswith("her2 ")


def test_cohort_writes_both_cna_tables(tmp_path):
    (tmp_path / "t.cns").write_text(FOCAL_CNS)
    vcf(tmp_path, "t.vcf", YVMA)
    (tmp_path / "sheet.tsv").write_text("sample\tvcf\tsegments\nP1\tt.vcf\tt.cns\nP2\tt.vcf\t\n")
    proc = her2("cohort", str(tmp_path / "sheet.tsv"), "-o", str(tmp_path / "out"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert tsv((tmp_path / "out" / "cna.tsv").read_text()) == [
        {"Tumor_Sample_Barcode": "P1", "Hugo_Symbol": "ERBB2", "Copy_Number_Alteration": "2"}]
    # P2 has no copy-number call, so it is not in the discrete matrix (no silent 0)
    assert (tmp_path / "out" / "data_CNA.txt").read_text().splitlines() == [
        "Hugo_Symbol\tEntrez_Gene_Id\tP1", "ERBB2\t2064\t2"]
