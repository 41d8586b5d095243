"""Issue #16: the papercuts a new user hits in the first ten minutes, each checked as the user meets it."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from her2cli.reference.builds import normalise_build

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_VCF = ROOT / "sample_data" / "tumour.vcf"
SAMPLE_CNS = ROOT / "sample_data" / "tumour.cns"
FILTER_NOTICE = "not reported: 1 failed FILTER"  # sample_data/tumour.vcf has one weak_evidence record in ERBB2


def her2(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **(env or {})})


def tsv_rows(text: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.decode()), delimiter="\t"))


def plain_env() -> dict:
    """The test runner's environment without colour variables (CI may set FORCE_COLOR)."""
    return {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}


# --- build names: one normaliser, every command ----------------------------------------------------------

@pytest.mark.parametrize("name, build", [
    ("grch38", "GRCh38"), ("GRCH38", "GRCh38"), ("hg38", "GRCh38"), ("GRCh38.p14", "GRCh38"),
    ("grch37", "GRCh37"), ("hg19", "GRCh37"), ("GRCh37.p13", "GRCh37"),
])
def test_build_names_normalised(name, build):
    assert normalise_build(name) == build


@pytest.mark.parametrize("name", ["grch38", "hg38", "GRCh38.p14"])
def test_annotate_accepts_lowercase_and_ucsc_build_names(name):
    # Before: annotate rejected --genome grch38 while plot accepted it. sample_data is GRCh38 (##reference).
    proc = her2("annotate", "sample_data/tumour.vcf", "--genome", name, "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    assert {row["genome"] for row in tsv_rows(proc.stdout)} == {"GRCh38"}


# --- out-of-range numbers are usage errors, not internal errors --------------------------------------------

@pytest.mark.parametrize("option, value, words", [
    ("--purity", "nan", ("--purity", "0")),
    ("--log-base", "1", ("--log-base",)),
])
def test_bad_numbers_are_usage_errors(option, value, words):
    # Before: "internal error ... please report this", exit 70.
    proc = her2("annotate", "--segments", "sample_data/tumour.cns", option, value)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "internal error" not in err
    lines = [line for line in err.splitlines() if line.startswith("her2: error:")]
    assert len(lines) == 1 and all(word in lines[0] for word in words), err
    assert proc.stdout == b""


# --- the summary names splice variants as the table does ---------------------------------------------------

def test_two_splice_variants_keep_two_names_in_summary(tmp_path):
    # ../shared/reference README: exon 20 = GRCh37 g.37880979-37881164, intron 19 ends ...CAG, intron 20 starts
    # GT; GRCh38 = GRCh37 + 1,843,747. So GRCh38 39724912 G>A = c.2493+1G>A (donor) and 39724724 A>G =
    # c.2308-2A>G (acceptor), both p.? (tests/test_naming.py checks the same two on GRCh37).
    header = [line for line in SAMPLE_VCF.read_text().splitlines() if line.startswith("#")]
    records = [
        "chr17\t39724724\t.\tA\tG\t.\tPASS\tDP=200\tGT:AD:AF:DP\t0/1:150,50:0.25:200\t0/0:120,0:0:120",
        "chr17\t39724912\t.\tG\tA\t.\tPASS\tDP=200\tGT:AD:AF:DP\t0/1:140,60:0.3:200\t0/0:120,0:0:120",
    ]
    vcf = tmp_path / "splice.vcf"
    vcf.write_text("\n".join(header + records) + "\n")
    table = tsv_rows(her2("annotate", str(vcf), "-f", "tsv").stdout)
    assert sorted(row["hgvs_c"] for row in table) == ["c.2308-2A>G", "c.2493+1G>A"]
    assert {row["hgvs_p"] for row in table} == {"p.?"}
    proc = her2("annotate", str(vcf), "-f", "tsv", "--summary")
    assert proc.returncode == 0, proc.stderr
    (summary,) = tsv_rows(proc.stdout)
    # Before: one "p.?" for both.
    assert sorted(summary["mutations"].split(";")) == ["c.2308-2A>G", "c.2493+1G>A"]


# --- the summary's copy number and ratio come from one set of values ---------------------------------------

def test_summary_copy_number_and_ratio_share_one_basis():
    # sample_data/tumour.cns: ERBB2 at log2 2.0, the rest of chr17 at log2 0 (its three chr17 lines), ploidy 2.
    # Raw: 2 x 2^2 = 8 copies over a chr17 baseline of 2 -> ratio 4.
    # Purity 0.6 (normal cells diploid): (2^log2 x (0.6 x 2 + 2 x 0.4) - 2 x 0.4) / 0.6 gives
    # ERBB2 (4 x 2 - 0.8) / 0.6 = 12 and baseline (1 x 2 - 0.8) / 0.6 = 2 -> ratio 6.
    # Before: copy_number 8 was printed beside the ratio 6 computed from 12.
    raw = tsv_rows(her2("annotate", "--segments", "sample_data/tumour.cns", "--summary", "-f", "tsv").stdout)[0]
    assert (float(raw["copy_number"]), float(raw["ratio_chr17"]), raw["copy_number_basis"]) == (8.0, 4.0, "raw")
    proc = her2("annotate", "--segments", "sample_data/tumour.cns", "--purity", "0.6", "--summary", "-f", "tsv")
    adjusted = tsv_rows(proc.stdout)[0]
    assert adjusted["copy_number_basis"] == "purity-adjusted"
    assert float(adjusted["copy_number"]) == pytest.approx(12.0)
    assert float(adjusted["ratio_chr17"]) == pytest.approx(6.0)
    row = tsv_rows(her2("annotate", "--segments", "sample_data/tumour.cns", "--purity", "0.6", "-f", "tsv").stdout)[0]
    assert float(adjusted["ratio_chr17"]) == pytest.approx(float(row["tumour_copy_number"]) /
                                                           float(row["chr17_baseline"]), abs=0.01)


# --- notices: once on a terminal, on stderr for pipes ------------------------------------------------------

def _run_on_terminal(*args: str) -> tuple[int, str, str]:
    """Run her2 with stdout on a pseudo-terminal and stderr on a pipe; (exit code, stdout, stderr)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "her2cli", *args], stdout=follower, stderr=subprocess.PIPE,
                            cwd=ROOT, env={**plain_env(), "COLUMNS": "100"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process finished writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    os.close(leader)
    return code, b"".join(chunks).decode(errors="replace"), err


def test_notice_printed_once_on_a_terminal():
    code, out, err = _run_on_terminal("annotate", "sample_data/tumour.vcf")
    assert code == 0, err
    assert "Notices" in out and FILTER_NOTICE in out  # the report's own section
    assert FILTER_NOTICE not in err  # before: repeated on stderr


def test_notice_on_stderr_when_piped():
    proc = her2("annotate", "sample_data/tumour.vcf", "-f", "table", env=plain_env())
    assert proc.returncode == 0
    assert FILTER_NOTICE in proc.stderr.decode()
    tsv = her2("annotate", "sample_data/tumour.vcf")
    assert FILTER_NOTICE in tsv.stderr.decode() and FILTER_NOTICE not in tsv.stdout.decode()


# --- colour: FORCE_COLOR honoured, NO_COLOR wins ----------------------------------------------------------

@pytest.mark.parametrize("env, coloured", [
    ({}, False),
    ({"FORCE_COLOR": "1"}, True),
    ({"FORCE_COLOR": ""}, False),  # force-color.org: only a non-empty value forces
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_colour_variables(env, coloured):
    proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", "sample_data/tumour.vcf", "-f", "table"],
                          capture_output=True, cwd=ROOT, timeout=120, env={**plain_env(), **env})
    assert proc.returncode == 0, proc.stderr
    assert (b"\x1b[" in proc.stdout) is coloured
