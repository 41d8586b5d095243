"""The her2 command as a user runs it: inputs of every container, errors as one line, exit codes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_VCF = ROOT / "sample_data" / "tumour.vcf"
SAMPLE_CNS = ROOT / "sample_data" / "tumour.cns"
FIXTURES = ROOT.parent / "shared" / "fixtures"


def her2(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "her2cli", *args], input=stdin, capture_output=True, cwd=cwd, timeout=120,
    )


def tsv_rows(text: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.decode()), delimiter="\t"))


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int, *words: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("her2: error:")]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]
    assert proc.stdout == b""
    return lines[0]


def test_version_and_help():
    proc = her2("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("her2 ")
    helped = her2("annotate", "--help")
    assert helped.returncode == 0
    assert b"Examples" in helped.stdout


def test_each_command_parses_alone_as_in_the_full_app():
    """`_app_for` gives Typer only the command asked for: every command is one of `_COMMANDS`, and its help
    is the same as the full app's."""
    from typer.testing import CliRunner

    from her2cli import cli

    assert sorted(cli._command_name(c) for c in cli.app.registered_commands) == sorted(cli._COMMANDS)
    runner = CliRunner()
    for name in cli._COMMANDS:
        alone = cli._app_for([name, "--help"])
        assert [cli._command_name(c) for c in alone.registered_commands] == [name]
        assert runner.invoke(alone, [name, "--help"]).output == runner.invoke(cli.app, [name, "--help"]).output
    assert cli._app_for(["--version"]) is cli.app and cli._app_for([]) is cli.app


def test_sample_data_yvma_named_exactly():
    proc = her2("annotate", str(SAMPLE_VCF), "--format", "tsv")
    assert proc.returncode == 0, proc.stderr
    rows = tsv_rows(proc.stdout)
    yvma = [r for r in rows if r["hgvs_p_short"] == "p.Y772_A775dup"]
    assert len(yvma) == 1
    row = yvma[0]
    # Published: NM_004448.4:c.2313_2324dup p.Tyr772_Ala775dup (VEP via vareffect); the sample file has
    # AD 150,52 and AF 0.257 for the tumour column named by ##tumor_sample.
    assert row["hgvs_c"] == "c.2313_2324dup"
    assert row["hgvs_p"] == "p.Tyr772_Ala775dup"
    assert row["sample"] == "PATIENT1_TUMOUR"
    assert (row["kind"], row["genome"], row["transcript"]) == ("mutation", "GRCh38", "NM_004448.4")
    assert (row["depth"], row["alt_depth"], row["vaf"]) == ("202", "52", "0.257")
    assert row["subgroup"] == "exon20_insertion"
    # The L755S record is FILTER weak_evidence: not reported by default, counted in a notice.
    assert not any(r["hgvs_p_short"] == "p.L755S" for r in rows)
    assert b"1 failed FILTER" in proc.stderr
    everything = tsv_rows(her2("annotate", str(SAMPLE_VCF), "-f", "tsv", "--all-records").stdout)
    assert any(r["hgvs_p_short"] == "p.L755S" and r["filter"] == "weak_evidence" for r in everything)


def _containers(tmp_path: Path) -> dict[str, Path]:
    plain = tmp_path / "t.vcf"
    shutil.copy(SAMPLE_VCF, plain)
    gz = tmp_path / "t.gzip.vcf.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    bgz = tmp_path / "t.bgz.vcf.gz"
    pysam.tabix_compress(str(plain), str(bgz))
    indexed = tmp_path / "t.indexed.vcf.gz"
    pysam.tabix_compress(str(plain), str(indexed))
    pysam.tabix_index(str(indexed), preset="vcf")
    bcf = tmp_path / "t.bcf"
    with pysam.VariantFile(str(plain)) as src, pysam.VariantFile(str(bcf), "wb", header=src.header) as dst:
        for record in src:
            dst.write(record)
    return {"plain": plain, "gzip": gz, "bgzip": bgz, "indexed": indexed, "bcf": bcf}


def test_every_container_gives_identical_rows(tmp_path):
    outputs = {}
    for kind, path in _containers(tmp_path).items():
        proc = her2("annotate", str(path), "-f", "tsv", "--all-records")
        assert proc.returncode == 0, (kind, proc.stderr)
        outputs[kind] = proc.stdout
    stdin = her2("annotate", "-", "-f", "tsv", "--all-records", stdin=SAMPLE_VCF.read_bytes())
    assert stdin.returncode == 0, stdin.stderr
    outputs["stdin"] = stdin.stdout
    outputs["stdin-gzip"] = her2("annotate", "-", "-f", "tsv", "--all-records",
                                 stdin=gzip.compress(SAMPLE_VCF.read_bytes())).stdout
    def without_source(text: bytes) -> list[dict]:
        rows = tsv_rows(text)
        return [{k: v for k, v in row.items() if k != "source"} for row in rows]

    reference = without_source(outputs["plain"])
    assert len(reference) == 3
    for kind, text in outputs.items():
        assert without_source(text) == reference, kind
    assert {row["source"] for row in tsv_rows(outputs["stdin"])} == {"<stdin>"}


def test_contig_17_without_chr_prefix(tmp_path):
    text = SAMPLE_VCF.read_text().replace("chr", "")
    path = tmp_path / "nochr.vcf"
    path.write_text(text)
    rows = tsv_rows(her2("annotate", str(path), "-f", "tsv").stdout)
    assert [r["chrom"] for r in rows][:1] == ["17"]
    assert rows[0]["hgvs_c"] == "c.2313_2324dup"


def test_multiallelic_record_each_alt_annotated(tmp_path):
    # One record, two ALTs at c.2264 (L755): T>C is L755S, T>G is L755W? TTG -> TGG = Trp (codon table).
    text = SAMPLE_VCF.read_text().replace(
        "chr17\t39723967\t.\tT\tC\t.\tweak_evidence\tDP=354\tGT:AD:AF:DP\t0/1:200,4:0.02:204",
        "chr17\t39723967\t.\tT\tC,G\t.\tPASS\tDP=354\tGT:AD:AF:DP\t0/1/2:150,30,24:0.15,0.12:204",
    )
    path = tmp_path / "multi.vcf"
    path.write_text(text)
    rows = [r for r in tsv_rows(her2("annotate", str(path), "-f", "tsv").stdout) if r["pos"] == "39723967"]
    assert [(r["alt"], r["hgvs_p_short"], r["alt_depth"], r["vaf"]) for r in rows] == [
        ("C", "p.L755S", "30", "0.15"), ("G", "p.L755W", "24", "0.12"),
    ]


def test_json_and_summary(tmp_path):
    proc = her2("annotate", str(SAMPLE_VCF), "--segments", str(SAMPLE_CNS), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    sample = doc["samples"][0]
    assert sample["sample"] == "PATIENT1_TUMOUR"
    kinds = {a["kind"] for a in sample["alterations"]}
    assert kinds == {"mutation", "copy_number"}
    assert sample["summary"]["mutation_subgroups"] == ["exon20_insertion"]  # typed JSON: lists are lists
    summary = tsv_rows(her2("annotate", str(SAMPLE_VCF), "--summary", "-f", "tsv").stdout)
    assert len(summary) == 1 and summary[0]["mutation_status"] == "activating"


def test_output_file_written_and_no_partial_file_on_error(tmp_path):
    out = tmp_path / "out.tsv"
    ok = her2("annotate", str(SAMPLE_VCF), "-o", str(out))
    assert ok.returncode == 0 and out.read_text().startswith("sample\tsource\tkind\t")
    bad = tmp_path / "bad.vcf"
    bad.write_text(SAMPLE_VCF.read_text().replace("39724730", "39724x30"))
    out2 = tmp_path / "out2.tsv"
    proc = her2("annotate", str(bad), "-o", str(out2))
    assert_one_line_error(proc, 4, str(bad), "POS")
    assert not out2.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".her2-")] == []


def test_missing_file(tmp_path):
    assert_one_line_error(her2("annotate", str(tmp_path / "nope.vcf")), 3, "nope.vcf", "not found")


def test_not_a_vcf(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\nworld\n")
    assert_one_line_error(her2("annotate", str(path)), 4, "notes.txt", "not a VCF")


def test_truncated_gzip(tmp_path):
    data = gzip.compress(SAMPLE_VCF.read_bytes())
    path = tmp_path / "cut.vcf.gz"
    path.write_bytes(data[: len(data) // 2])
    assert_one_line_error(her2("annotate", str(path)), 4, "cut.vcf.gz", "truncated")


def test_truncated_bgzf(tmp_path):
    full = tmp_path / "full.vcf.gz"
    pysam.tabix_compress(str(SAMPLE_VCF), str(full))
    data = full.read_bytes()
    path = tmp_path / "cut.bgz.vcf.gz"
    path.write_bytes(data[: len(data) - 40])
    assert_one_line_error(her2("annotate", str(path)), 4, "cut.bgz.vcf.gz", "truncated")


def test_build_contradiction_is_an_error():
    # The header's ##contig chr17 length 83257441 is GRCh38.
    assert_one_line_error(her2("annotate", str(SAMPLE_VCF), "--genome", "GRCh37"), 5, "GRCh37", "83257441")


def test_unknown_build_without_header_needs_genome(tmp_path):
    # No ##contig/##reference and only an intronic ERBB2 record: nothing to decide the build from.
    text = "\n".join([
        "##fileformat=VCFv4.2",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        "17\t37880300\t.\tA\tG\t.\tPASS\t.",
    ]) + "\n"
    path = tmp_path / "nobuild.vcf"
    path.write_text(text)
    assert_one_line_error(her2("annotate", str(path)), 5, "--genome")
    ok = her2("annotate", str(path), "--genome", "GRCh37", "-f", "tsv")
    assert ok.returncode == 0
    assert tsv_rows(ok.stdout)[0]["hgvs_c"] == "c.2307+37A>G"


def test_build_from_ref_bases_when_header_is_silent(tmp_path):
    # c.2264T>C (L755S) at GRCh37 37880220: T matches GRCh37's exon 19, not GRCh38 (no ERBB2 exon there).
    text = "\n".join([
        "##fileformat=VCFv4.2",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        "17\t37880220\t.\tT\tC\t.\tPASS\t.",
    ]) + "\n"
    path = tmp_path / "silent.vcf"
    path.write_text(text)
    proc = her2("annotate", str(path), "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    row = tsv_rows(proc.stdout)[0]
    assert (row["genome"], row["hgvs_p"]) == ("GRCh37", "p.Leu755Ser")
    assert b"REF bases match GRCh37" in proc.stderr


def test_wrong_build_ref_mismatch_is_an_error(tmp_path):
    # GRCh37 coordinates of exonic records in a file whose header says GRCh38: REF bases disagree.
    header = [line for line in SAMPLE_VCF.read_text().splitlines() if line.startswith("#")]
    body = [
        "chr17\t39723967\t.\tG\tA\t.\tPASS\t.\tGT\t0/1\t0/0",
        "chr17\t39724747\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\t0/0",
        "chr17\t39711955\t.\tG\tA\t.\tPASS\t.\tGT\t0/1\t0/0",
    ]
    path = tmp_path / "mismatch.vcf"
    path.write_text("\n".join(header + body) + "\n")
    assert_one_line_error(her2("annotate", str(path)), 5, "do not match GRCh38")


def test_symbolic_alleles_skipped_with_notice(tmp_path):
    text = SAMPLE_VCF.read_text().replace(
        "chr17\t39727040\t.\tC\tT", "chr17\t39727040\t.\tC\t<DEL>"
    )
    path = tmp_path / "sym.vcf"
    path.write_text(text)
    proc = her2("annotate", str(path), "-f", "tsv")
    assert proc.returncode == 0
    assert b"skipped 1 symbolic" in proc.stderr


def test_usage_errors():
    assert_one_line_error(her2("annotate"), 2, "VCF")
    proc = her2("annotate", str(SAMPLE_VCF), "--ihc", "4+")
    assert_one_line_error(proc, 2, "--ihc")
    # Bad option values are parsed by Typer: still one line, exit 2.
    assert_one_line_error(her2("annotate", str(SAMPLE_VCF), "--format", "bogus"), 2, "--format", "bogus")
    assert_one_line_error(her2("annotate", str(SAMPLE_VCF), "--no-such-option"), 2, "--no-such-option")
    assert_one_line_error(her2("frobnicate"), 2, "frobnicate")
    bare = her2()
    assert bare.returncode == 0 and bare.stdout.startswith(b"Usage: her2")


def test_segments_alone_multi_sample(tmp_path):
    proc = her2("annotate", "--segments", str(ROOT / "sample_data" / "cohort.seg"), "--genome", "GRCh38",
                "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    rows = tsv_rows(proc.stdout)
    assert [r["kind"] for r in rows] == ["copy_number", "copy_number"]
    assert len({r["sample"] for r in rows}) == 2


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures not present")
def test_every_fixture_vcf_runs_cleanly():
    for path in sorted(FIXTURES.glob("*.vcf")):
        proc = her2("annotate", str(path), "-f", "tsv")
        err = proc.stderr.decode()
        assert "Traceback" not in err, path.name
        assert proc.returncode == 0, (path.name, err)


def test_a_bcf_input_passes_through_to_vcf_output_as_its_vcf_does(tmp_path):
    """-f vcf reads the input back to pass every record through; a BCF (read with cyvcf2, as every BCF:
    docs/design.md) gives the same records and annotations as the VCF it was made from."""
    containers = _containers(tmp_path)
    bodies = {}
    for kind in ("plain", "bcf"):
        proc = her2("annotate", str(containers[kind]), "-f", "vcf")
        assert proc.returncode == 0, proc.stderr
        bodies[kind] = [line for line in proc.stdout.decode().splitlines() if not line.startswith("#")]
    assert len(bodies["plain"]) == 5  # every record of sample_data/tumour.vcf, ERBB2 or not
    assert [line.split("\t")[:7] for line in bodies["bcf"]] == [line.split("\t")[:7] for line in bodies["plain"]]
    her2_info = [[f for f in line.split("\t")[7].split(";") if f.startswith("HER2=")] for line in bodies["plain"]]
    assert her2_info == [[f for f in line.split("\t")[7].split(";") if f.startswith("HER2=")] for line in bodies["bcf"]]
    assert sum(1 for fields in her2_info if fields) == 3  # the three ERBB2 records are annotated
