"""Every real caller VCF of ../shared/fixtures through every output format, each read back by the tool users
would read it with (issue 23 item 1): bcftools for .vcf.gz/.bcf (and their .tbi/.csi), tabix, vcf-validator
(vcftools) for .vcf, the shipped JSON Schema for .json; every copy-number fixture's JSON against the schema.

What counts as right comes from the files and the tools, not from her2cli: the number of records is the
input's own record count; whether ``--index`` can succeed is whatever tabix says of the input as it is
(bgzip + tabix -p vcf); vcf-validator may not find anything in our .vcf that it does not find in the input.
One in-process run per format (no interpreter start-up each time) keeps the loop to a few seconds a file.
Each test skips cleanly without ../shared or the tool it needs.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from her2cli import cli
from her2cli.report.maf import ALL_MAF_COLUMNS

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
VCFS = sorted(FIXTURES.glob("*.vcf")) if FIXTURES.is_dir() else []
# Copy-number files of the tools that give absolute copy numbers, and the other segment formats.
SEGMENT_FILES = sorted(p for p in FIXTURES.glob("*") if p.suffix in (".seg", ".cns", ".cnr", ".tsv", ".txt")
                       or p.name.endswith("_CNVs")) if FIXTURES.is_dir() else []

needs_fixtures = pytest.mark.skipif(not VCFS, reason="../shared/fixtures is not beside the repository")


def run(*args: str, capsys) -> tuple[int, str]:
    """``her2 ARGS`` in this process: (exit code, stderr)."""
    capsys.readouterr()
    code = cli.run(list(args))
    return code, capsys.readouterr().err


def tool(name: str) -> str | None:
    return shutil.which(name)


def input_records(path: Path) -> int:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return sum(1 for line in handle if line.strip() and not line.startswith("#"))


def tabix_can_index(path: Path, work: Path) -> bool:
    """Whether tabix indexes the input as it is (the truth for --index: sorted input)."""
    copy = work / "input.vcf.gz"
    with open(path, "rb") as source, open(copy, "wb") as sink:
        subprocess.run(["bgzip", "-c"], stdin=source, stdout=sink, check=True, timeout=60)
    return subprocess.run(["tabix", "-f", "-p", "vcf", str(copy)], capture_output=True, timeout=60).returncode == 0


def bcftools_records(path: Path) -> int:
    proc = subprocess.run(["bcftools", "view", "-H", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Error" not in proc.stderr, f"bcftools cannot read {path.name}: {proc.stderr}"
    return len(proc.stdout.splitlines())


_ADDRESS = re.compile(r"0x[0-9a-f]+|\d+ errors total")
_TAG = re.compile(r"(?:INFO|FORMAT) tag \[")


def validator_findings(path: Path) -> set[str]:
    """vcf-validator's complaints, the tags of each line in a fixed order (its Perl hash order varies between
    runs), object addresses and totals dropped."""
    proc = subprocess.run(["vcf-validator", str(path)], capture_output=True, text=True, timeout=300)
    out = set()
    for line in (proc.stdout + proc.stderr).splitlines():
        line = _ADDRESS.sub("", line).strip()
        first = _TAG.search(line)
        if first:
            items = re.split(r",(?=(?:INFO|FORMAT) tag \[)", line[first.start():])
            line = line[:first.start()] + "|".join(sorted(items))
        if line:
            out.add(line)
    return out


@pytest.mark.parametrize("path", VCFS, ids=[p.name for p in VCFS])
def test_every_format_reads_back(path, tmp_path, capsys):
    if not (tool("bcftools") and tool("tabix") and tool("bgzip")):
        pytest.skip("bcftools/tabix/bgzip not installed")
    n_records = input_records(path)
    sorted_input = tabix_can_index(path, tmp_path)

    for ext in ("vcf.gz", "bcf"):
        out = tmp_path / f"x.{ext}"
        code, err = run("annotate", str(path), "-o", str(out), "--index", "-q", capsys=capsys)
        if not sorted_input:
            # tabix cannot index the input: a usage error that says so, and nothing written
            assert code == 2 and "sorted" in err and not out.exists(), err
            code, err = run("annotate", str(path), "-o", str(out), "-q", capsys=capsys)
        assert code == 0, err
        assert bcftools_records(out) == n_records
        if sorted_input:
            companion = out.with_name(out.name + (".tbi" if ext == "vcf.gz" else ".csi"))
            assert companion.exists()
            # the index answers a query (the first record's contig) with the same records as a whole read
            first = subprocess.run(["bcftools", "view", "-H", str(out)], capture_output=True, text=True,
                                   timeout=60).stdout.split("\t", 1)[0]
            if first:
                queried = subprocess.run(["bcftools", "view", "-H", str(out), first], capture_output=True,
                                         text=True, timeout=60)
                assert queried.returncode == 0 and queried.stdout.strip(), queried.stderr
        if ext == "vcf.gz" and sorted_input:
            listed = subprocess.run(["tabix", "-l", str(out)], capture_output=True, text=True, timeout=60)
            assert listed.returncode == 0 and listed.stdout.strip(), listed.stderr

    plain = tmp_path / "x.vcf"
    code, err = run("annotate", str(path), "-o", str(plain), "-q", capsys=capsys)
    assert code == 0, err
    assert input_records(plain) == n_records
    assert bcftools_records(plain) == n_records
    if tool("vcf-validator"):
        new = validator_findings(plain) - validator_findings(path)
        assert not new, f"vcf-validator finds in the output what it does not find in the input: {sorted(new)[:3]}"

    code, err = run("annotate", str(path), "-o", str(tmp_path / "x.json"), "-q", capsys=capsys)
    assert code == 0, err
    jsonschema = pytest.importorskip("jsonschema")
    from her2cli.report.json_report import json_schema

    jsonschema.validate(json.loads((tmp_path / "x.json").read_text()), json_schema())

    code, err = run("annotate", str(path), "-o", str(tmp_path / "x.maf"), "-q", capsys=capsys)
    assert code == 0, err
    maf_lines = [line for line in (tmp_path / "x.maf").read_text().splitlines() if not line.startswith("#")]
    assert maf_lines[0].split("\t") == ALL_MAF_COLUMNS
    assert all(len(line.split("\t")) == len(ALL_MAF_COLUMNS) for line in maf_lines[1:])

    for ext in ("tsv", "html"):
        code, err = run("annotate", str(path), "-o", str(tmp_path / f"x.{ext}"), "-q", capsys=capsys)
        assert code == 0, err
    rows = list(csv.DictReader((tmp_path / "x.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) == len(maf_lines) - 1  # one TSV row per mutation, as in the MAF
    assert (tmp_path / "x.html").read_text().lstrip().lower().startswith("<!doctype html>")


@needs_fixtures
def test_an_incomplete_header_is_completed_and_said(tmp_path, capsys):
    """pindel_somatic.tcga.vcf declares no contig and not DP4/FREQ/RD (README of the fixtures): htslib
    could not write it as BGZF/BCF. The output declares them and a notice says so."""
    if not tool("bcftools"):
        pytest.skip("bcftools not installed")
    path = FIXTURES / "pindel_somatic.tcga.vcf"
    out = tmp_path / "x.bcf"
    code, err = run("annotate", str(path), "-o", str(out), capsys=capsys)
    assert code == 0, err
    assert "does not declare" in err and "FORMAT DP4, FREQ, RD" in err and "contig 1, 2" in err
    header = subprocess.run(["bcftools", "view", "--no-version", "-h", str(out)], capture_output=True, text=True,
                            timeout=60).stdout
    assert "##contig=<ID=1>" in header
    assert "bcftools_view" not in header and ".her2-" not in header  # no trace of the conversion's temporary files
    assert '##FORMAT=<ID=DP4,Number=.,Type=String,Description="Not declared in the input header' in header
    # the input's own declared lines are kept as they were
    declared = [line for line in path.read_text().splitlines() if line.startswith("##FORMAT=<ID=AD,")]
    assert declared and declared[0] in header


@needs_fixtures
def test_unreadable_bcf_is_never_a_success(tmp_path, capsys):
    """bcftools_mpileup_raw_gl.bcftools_test.vcf once gave exit 0 with a BCF bcftools could not read; now the
    BCF reads back whole, indexed."""
    if not tool("bcftools"):
        pytest.skip("bcftools not installed")
    path = FIXTURES / "bcftools_mpileup_raw_gl.bcftools_test.vcf"
    out = tmp_path / "m.bcf"
    code, err = run("annotate", str(path), "-o", str(out), "--index", "-q", capsys=capsys)
    assert code == 0, err
    assert bcftools_records(out) == input_records(path)
    region = subprocess.run(["bcftools", "view", "-H", str(out), "chr1:1-1000000"], capture_output=True, text=True,
                            timeout=60)
    assert region.returncode == 0 and len(region.stdout.splitlines()) == sum(
        1 for line in path.read_text().splitlines()
        if line.startswith("chr1\t") and int(line.split("\t")[1]) <= 1000000)


@needs_fixtures
def test_copy_number_json_validates_for_every_segment_fixture(tmp_path, capsys):
    """JSON from every copy-number fixture her2 reads validates against the shipped schema; the absolute
    tools (PURPLE, ASCAT, PCGR, Control-FREEC) give copy_number_basis "tool-absolute"."""
    jsonschema = pytest.importorskip("jsonschema")
    from her2cli.report.json_report import json_schema

    schema = json_schema()
    bases = {}
    for path in SEGMENT_FILES:
        out = tmp_path / (path.name + ".json")
        code, _ = run("annotate", "--segments", str(path), "-o", str(out), "-q", capsys=capsys)
        if code != 0:
            continue  # not a segment file her2 reads without options (a driver catalogue, a meta file)
        document = json.loads(out.read_text())
        jsonschema.validate(document, schema)
        for sample in document["samples"]:
            if sample["summary"] is not None:
                bases[path.name] = sample["summary"]["copy_number_basis"]
    absolute = {name for name, basis in bases.items() if basis == "tool-absolute"}
    for prefix in ("purple", "ascat", "pcgr", "controlfreec"):
        assert any(name.startswith(prefix) for name in absolute), (prefix, bases)


def test_schema_enums_are_the_codes_constants():
    from her2cli.copynumber.gene_level import PURITY_ADJUSTED, RAW, TOOL_ABSOLUTE
    from her2cli.report.json_report import json_schema

    schema = json_schema()["$defs"]
    bases = {RAW, PURITY_ADJUSTED, TOOL_ABSOLUTE, None}
    assert set(schema["summary"]["properties"]["copy_number_basis"]["enum"]) == bases
    assert set(schema["alteration"]["properties"]["values_adjusted"]["enum"]) == bases
    from her2cli.results import CopyNumberCall, MutationCall

    assert set(schema["alteration"]["properties"]["kind"]["enum"]) == {MutationCall.kind, CopyNumberCall.kind}


@needs_fixtures
def test_the_completion_notice_names_standard_input(tmp_path):
    import sys

    path = FIXTURES / "pindel_somatic.tcga.vcf"
    proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", "-", "-f", "bcf"], input=path.read_bytes(),
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    note = [line for line in proc.stderr.decode().splitlines() if "does not declare" in line]
    assert note and note[0].startswith("her2: note: <stdin>: ") and "her2-stdin-" not in note[0]
    assert proc.stdout[:2] == b"\x1f\x8b"
