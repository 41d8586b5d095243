"""The annotated VCF as a pipeline step (issue #12), checked with the tools users chain her2 with:
bcftools (+split-vep, view, query), tabix, vcf-validator (vcftools). Each test skips cleanly when its tool
is absent.

Expected values come from outside the code: the input records themselves (a pass-through must not change
them), VEP's CSQ conventions (subfield names, Allele without the shared first base), the variant names in
tests/data/published_variants.tsv (YVMA c.2313_2324dup inframe_insertion at chr17:39724730 C>CATACGTGATGGC,
L755S c.2264T>C missense at chr17:39723967, both GRCh38, VEP/Genome Nexus).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##contig=<ID=chr1,length=248956422,assembly=GRCh38>
##contig=<ID=chr17,length=83257441,assembly=GRCh38>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
"""
# chr1; chr17 at TP53 (outside ERBB2); L755S FILTER-failed; YVMA PASS; chr17 after ERBB2.
RECORDS = [
    "chr1\t1000000\t.\tA\tG\t50\tPASS\tDP=40\tGT:AD:DP\t0/1:30,10:40",
    "chr17\t7675088\t.\tC\tT\t50\tPASS\tDP=40\tGT:AD:DP\t0/1:30,10:40",
    "chr17\t39723967\t.\tT\tC\t20\tLowQual\tDP=30\tGT:AD:DP\t0/1:25,5:30",
    "chr17\t39724730\t.\tC\tCATACGTGATGGC\t50\tPASS\tDP=100\tGT:AD:DP\t0/1:70,30:100",
    "chr17\t50000000\t.\tG\tA\t50\tPASS\tDP=40\tGT:AD:DP\t0/1:30,10:40",
]


def her2(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], input=stdin, capture_output=True, timeout=120)


def needs(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")


@pytest.fixture()
def five(tmp_path: Path) -> Path:
    path = tmp_path / "five.vcf"
    path.write_text(HEADER + "\n".join(RECORDS) + "\n")
    return path


def body(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_every_record_and_header_line_is_kept_in_order(five, tmp_path):
    out = tmp_path / "x.vcf"
    proc = her2("annotate", str(five), "-o", str(out))  # the extension chooses the VCF format
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    records = body(text)
    assert len(records) == 5
    for written, original in zip(records, RECORDS):
        fields, before = written.split("\t"), original.split("\t")
        assert fields[:7] == before[:7] and fields[8:] == before[8:]
        if before[1] in ("39723967", "39724730"):  # the ERBB2 records, FILTER-failed one included
            assert fields[7].startswith(before[7] + ";HER2=")
        else:
            assert fields[7] == before[7]
    header = [line for line in text.splitlines() if line.startswith("##")]
    original_header = [line for line in HEADER.splitlines() if line.startswith("##")]
    assert [line for line in header if line in original_header] == original_header


def test_bcftools_split_vep_reads_vep_subfield_names(five, tmp_path):
    needs("bcftools")
    out = tmp_path / "x.vcf"
    assert her2("annotate", str(five), "-f", "vcf", "-o", str(out)).returncode == 0
    proc = subprocess.run(["bcftools", "+split-vep", "-a", "HER2", "-f", "%POS\t%Consequence\t%SYMBOL\t%HGVSc\n",
                           str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert ["39724730", "inframe_insertion", "ERBB2", "NM_004448.4:c.2313_2324dup"] in rows
    assert ["39723967", "missense_variant", "ERBB2", "NM_004448.4:c.2264T>C"] in rows


def test_bgzf_output_is_indexable_by_tabix(five, tmp_path):
    needs("tabix", "bcftools")
    out = tmp_path / "x.vcf.gz"
    proc = her2("annotate", str(five), "-o", str(out), "--index")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "x.vcf.gz.tbi").exists()
    assert subprocess.run(["tabix", "-f", "-p", "vcf", str(out)], capture_output=True, timeout=60).returncode == 0
    region = subprocess.run(["tabix", str(out), "chr17:39724000-39725000"], capture_output=True, text=True, timeout=60)
    assert [line.split("\t")[1] for line in region.stdout.splitlines()] == ["39724730"]
    with gzip.open(out, "rt") as handle:
        assert len(body(handle.read())) == 5


def test_bcf_output_with_csi_index(five, tmp_path):
    needs("bcftools")
    out = tmp_path / "x.bcf"
    proc = her2("annotate", str(five), "-o", str(out), "--index")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "x.bcf.csi").exists()
    view = subprocess.run(["bcftools", "view", "-H", str(out)], capture_output=True, text=True, timeout=60)
    assert view.returncode == 0 and len(view.stdout.splitlines()) == 5
    assert out.read_bytes()[:2] == b"\x1f\x8b"  # BGZF-compressed BCF


def test_vcf_validator_accepts_the_output(five, tmp_path):
    needs("vcf-validator")
    out = tmp_path / "x.vcf"
    assert her2("annotate", str(five), "-o", str(out)).returncode == 0
    proc = subprocess.run(["vcf-validator", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in (proc.stdout + proc.stderr).lower()


@pytest.mark.parametrize("bcf_mode", ["-Ob", "-Ou"])
def test_bcf_on_stdin(five, bcf_mode):
    needs("bcftools")
    bcf = subprocess.run(["bcftools", "view", bcf_mode, str(five)], capture_output=True, timeout=60).stdout
    proc = her2("annotate", "-", "-f", "tsv", stdin=bcf)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    columns = lines[0].split("\t")
    rows = [dict(zip(columns, line.split("\t"))) for line in lines[1:]]
    assert [(r["sample"], r["source"], r["hgvs_c"]) for r in rows] == [("TUMOR", "<stdin>", "c.2313_2324dup")]


def test_stdin_vcf_output_keeps_every_record(five):
    # a pipe cannot be read twice: the CLI spools it, so every record passes through as from a file
    proc = her2("annotate", "-", "-f", "vcf", stdin=five.read_bytes())
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    want = [line.split("\t")[:2] for line in five.read_text().splitlines() if not line.startswith("#")]
    assert [line.split("\t")[:2] for line in body(text)] == want and len(want) == 5
    assert "re-built" not in text and "her2-stdin-" not in text


def test_contradicting_format_and_extension_is_a_usage_error(five, tmp_path):
    out = tmp_path / "x.vcf"
    proc = her2("annotate", str(five), "-f", "tsv", "-o", str(out))
    assert proc.returncode == 2
    assert "contradicts" in proc.stderr.decode()
    assert not out.exists()


def test_index_needs_a_compressed_output(five, tmp_path):
    proc = her2("annotate", str(five), "-o", str(tmp_path / "x.tsv"), "--index")
    assert proc.returncode == 2
    assert not (tmp_path / "x.tsv").exists()


@pytest.mark.parametrize("name", ["x.vcf.gz", "x.bcf"])
def test_unwritable_compressed_output_is_one_line_exit_7(five, tmp_path, name):
    proc = her2("annotate", str(five), "-o", str(tmp_path / "missing-dir" / name))
    err = proc.stderr.decode()
    assert proc.returncode == 7, err
    assert "Traceback" not in err and err.count("her2: error:") == 1
