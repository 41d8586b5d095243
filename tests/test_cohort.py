"""Cohort runs (issue #5): sample sheet, parallel/Dask runs giving byte-identical tables, per-sample
errors, atomic outputs and --resume.

The cohort is generated here: 240 small tumour VCFs (plain text and bgzip+tabix), copy-number segment
files for every third sample, and a few broken samples (missing file, garbage, truncated bgzip, bad segment
file). Expected values come from what was planted in the files, not from the code's output.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from her2cli.cohort.journal import PARTS_DIR
from her2cli.cohort.run import render_tables, run_cohort, write_cohort_outputs
from her2cli.cohort.runners import CohortSetupError
from her2cli.cohort.sheet import SheetEntry, read_sample_sheet
from her2cli.cohort.worker import ERROR_COLUMNS, Job, run_entry
from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.pipeline import Options
from her2cli.report.columns import ALL_COLUMNS
from her2cli.interpret.prevalence import PREVALENCE_COLUMNS
from her2cli.interpret.verdict import SUMMARY_COLUMNS

N_GOOD = 240
CONTIGS = {"chr1": 248956422, "chr7": 159345973, "chr12": 133275309, "chr17": 83257441, "chr22": 50818468}
# Known GRCh38 ERBB2 variants: (pos, ref, alt, hgvs_p_short, subgroup)
# Drivers by the oncogenicity SOP from seen evidence (Bose 2013 + kinase domain; the exon 20 class rule):
# tests/data/her2_drivers_tn.vcf names their positions.
PLANTED = [
    (39724008, "G", "T", "p.D769Y", "kinase_domain_missense"),
    (39724747, "G", "T", "p.V777L", "kinase_domain_missense"),
    (39724730, "C", "CATACGTGATGGC", "p.Y772_A775dup", "exon20_insertion"),
]
BROKEN = {
    "BAD_missing": "missing VCF",
    "BAD_garbage": "not a VCF",
    "BAD_truncated": "truncated bgzip",
    "BAD_segments": "bad segment file",
}
CNS_HEADER = "chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"


def _vcf_text(sample: str, rng: random.Random, planted: list[tuple]) -> str:
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
             f"##tumor_sample={sample}_T"]
    lines += [f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in CONTIGS.items()]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", f"{sample}_T"]))
    records = []
    for chrom in CONTIGS:
        for _ in range(6):
            pos = rng.randint(1_000_000, 30_000_000)
            ref, alt = rng.sample("ACGT", 2)
            records.append((chrom, pos, ref, alt))
    records += [("chr17", pos, ref, alt) for pos, ref, alt, _, _ in planted]
    order = list(CONTIGS)
    records.sort(key=lambda r: (order.index(r[0]), r[1]))
    for chrom, pos, ref, alt in records:
        alt_reads = rng.randint(8, 60)
        ref_reads = rng.randint(60, 200)
        lines.append("\t".join([chrom, str(pos), ".", ref, alt, ".", "PASS", ".", "GT:AD:DP", "0/1:"
                                f"{ref_reads},{alt_reads}:{ref_reads + alt_reads}"]))
    return "\n".join(lines) + "\n"


def _cns_text(erbb2_log2: float) -> str:
    rows = [f"chr{i}\t0\t40000000\t-\t0\t400\t500\t500" for i in range(1, 17)]
    rows += ["chr17\t0\t39400000\t-\t0\t410\t300\t300",
             f"chr17\t39400000\t39900000\tERBB2\t{erbb2_log2}\t900\t40\t40",
             "chr17\t39900000\t83257441\t-\t0\t405\t400\t400"]
    rows += [f"chr{i}\t0\t40000000\t-\t0\t400\t200\t200" for i in range(18, 23)]
    return CNS_HEADER + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory) -> Path:
    pysam = pytest.importorskip("pysam")
    root = tmp_path_factory.mktemp("cohort")
    (root / "vcf").mkdir()
    (root / "cn").mkdir()
    rng = random.Random(5)
    expected = {}
    sheet = ["sample\tvcf\tsegments\ttumor_sample\tpurity\tploidy\tihc"]
    for i in range(1, N_GOOD + 1):
        sample = f"P{i:03d}"
        planted = [PLANTED[(i - 1) % 4]] if (i - 1) % 4 < 3 else []
        text = _vcf_text(sample, rng, planted)
        if i % 2:
            vcf = root / "vcf" / f"{sample}.vcf"
            vcf.write_text(text)
        else:
            plain = root / "vcf" / f"{sample}.plain.vcf"
            plain.write_text(text)
            vcf = root / "vcf" / f"{sample}.vcf.gz"
            pysam.tabix_compress(str(plain), str(vcf), force=True)
            pysam.tabix_index(str(vcf), preset="vcf", force=True)
            plain.unlink()
        segments = purity = ""
        log2 = None
        if i % 3 == 0:
            log2 = 2.0 if i % 6 == 0 else 0.0
            seg = root / "cn" / f"{sample}.cns"
            seg.write_text(_cns_text(log2))
            segments = f"cn/{sample}.cns"
            purity = "1"
        ihc = "3+" if i % 10 == 0 else ""
        sheet.append("\t".join([sample, os.path.relpath(vcf, root), segments, "", purity, "", ihc]))
        expected[sample] = {"planted": planted, "log2": log2}
    # broken samples, spread through the sheet
    (root / "vcf" / "garbage.vcf").write_text("this is not a VCF\nat all\n")
    good = root / "vcf" / "P002.vcf.gz"
    (root / "vcf" / "truncated.vcf.gz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (root / "cn" / "bad.cns").write_text("chromosome\tstart\tend\tlog2\nchr17\tabc\t10\tx\n")
    broken_rows = [
        "BAD_missing\tvcf/does_not_exist.vcf\t\t\t\t\t",
        "BAD_garbage\tvcf/garbage.vcf\t\t\t\t\t",
        "BAD_truncated\tvcf/truncated.vcf.gz\t\t\t\t\t",
        "BAD_segments\tvcf/P001.vcf\tcn/bad.cns\t\t\t\t",
    ]
    for k, row in enumerate(broken_rows):
        sheet.insert(1 + 50 * (k + 1), row)
    (root / "samples.tsv").write_text("\n".join(sheet) + "\n")
    (root / "expected.json").write_text(json.dumps(expected))
    return root


@pytest.fixture(scope="module")
def entries(cohort_dir):
    return read_sample_sheet(str(cohort_dir / "samples.tsv"))


@pytest.fixture(scope="module")
def serial(entries):
    return run_cohort(entries, Options(), jobs=1)


@pytest.fixture(scope="module")
def serial_tables(serial):
    return render_tables(serial)


def entries_from_paths(vcfs) -> list[SheetEntry]:
    """One entry per VCF, named after the file (the pipeline takes the sample name from the VCF)."""
    return [SheetEntry(sample=Path(p).name.split(".")[0], vcf=p) for p in vcfs]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", "cohort", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


# ------------------------------------------------------------------------------------- sample sheet


def test_sheet_resolves_paths_and_values(cohort_dir, entries):
    assert len(entries) == N_GOOD + len(BROKEN)
    names = [e.sample for e in entries]
    assert names[0] == "P001" and names[50] == "BAD_missing"
    p003 = next(e for e in entries if e.sample == "P003")
    assert p003.vcf == str(cohort_dir / "vcf" / "P003.vcf")
    assert p003.segments == [str(cohort_dir / "cn" / "P003.cns")]
    assert p003.purity == 1.0 and p003.ploidy is None and p003.tumor_sample is None
    assert next(e for e in entries if e.sample == "P010").ihc == "3+"
    assert p003.line == 4


def test_sheet_csv_several_segments_and_comments(tmp_path):
    (tmp_path / "sub").mkdir()
    sheet = tmp_path / "sub" / "s.csv"
    sheet.write_text('sample,segments,purity,ploidy,ihc\n# a comment\n\n"A, 1",../a.cns;b.seg,0.5,2.1,IHC 2+\n')
    (entry,) = read_sample_sheet(str(sheet))
    assert entry.sample == "A, 1" and entry.vcf is None
    assert entry.segments == [str(tmp_path / "a.cns"), str(tmp_path / "sub" / "b.seg")]
    assert (entry.purity, entry.ploidy, entry.ihc, entry.line) == (0.5, 2.1, "2+", 4)


@pytest.mark.parametrize("text, line, words", [
    ("sample\tvcf\nA\ta.vcf\nB\tb.vcf\nA\tc.vcf\n", 4, "duplicate sample name 'A' (first on line 2)"),
    ("sample\tvcf\tpurity\nA\ta.vcf\t1.5\n", 2, "purity must be in (0, 1]"),
    ("sample\tvcf\tpurity\nA\ta.vcf\thigh\n", 2, "purity is not a number"),
    ("sample\tvcf\tploidy\nA\ta.vcf\t0.1\n", 2, "ploidy must be in [0.5, 10]"),
    ("sample\tvcf\tihc\nA\ta.vcf\t4+\n", 2, "invalid HER2 IHC score"),
    ("sample\tvcf\tmutation_status\nA\ta.vcf\tx\n", 1, "mutation_status would repeat a column of samples.tsv"),
    ("sample\tvcf\tsite\tsite\nA\ta.vcf\tx\ty\n", 1, "duplicated column(s) site"),
    ("sample\ttumor_sample\nA\tT\n", 1, "a 'vcf' (or 'maf') and/or "),
    ("sample\tvcf\tsegments\nA\t\t\n", 2, "neither a vcf/maf nor a segments file"),
    ("sample\tvcf\n\ta.vcf\n", 2, "empty sample name"),
    ("sample\tvcf\nA\ta.vcf\textra\n", 2, "3 fields but the header has 2"),
])
def test_sheet_errors_name_sheet_and_line(tmp_path, text, line, words):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(text)
    with pytest.raises(MalformedInputError) as info:
        read_sample_sheet(str(sheet))
    assert info.value.path == str(sheet) and info.value.line == line
    assert words in info.value.message


def test_sheet_missing_or_empty(tmp_path):
    with pytest.raises(InputMissingError):
        read_sample_sheet(str(tmp_path / "nope.tsv"))
    (tmp_path / "empty.tsv").write_text("sample\tvcf\n")
    with pytest.raises(MalformedInputError, match="lists no samples"):
        read_sample_sheet(str(tmp_path / "empty.tsv"))


# ---------------------------------------------------------------------------------------- the run


def test_serial_run_content(cohort_dir, serial, serial_tables):
    expected = json.loads((cohort_dir / "expected.json").read_text())
    # every good sample has exactly one verdict row, in sheet order; broken ones are only in errors
    assert [s["sample"] for s in serial.summaries] == [f"P{i:03d}" for i in range(1, N_GOOD + 1)]
    assert [e["sample"] for e in serial.errors] == list(BROKEN)
    by_sample = {s["sample"]: s for s in serial.summaries}
    for sample, exp in expected.items():
        verdict = by_sample[sample]
        names = [p[3] for p in exp["planted"]]
        assert verdict["mutations"] == ";".join(names), sample
        # every planted variant is a published driver (D769Y, V777L, YVMA: docs/oncogenicity.md sources)
        assert verdict["mutation_status"] == ("activating" if names else "not_detected")
        if exp["log2"] is None:
            assert verdict["amplification_status"] == "not assessed"
        elif exp["log2"] >= 2:
            assert verdict["amplification_status"] == "amplification", sample
        else:
            assert verdict["amplification_status"] == "neutral", sample
    # alteration rows: every planted variant, with the sheet's sample name, grouped in sheet order
    mutations = [r for r in serial.alterations if r["kind"] == "mutation"]
    assert [(r["sample"], int(r["input_pos"])) for r in mutations] == [
        (s, p[0]) for s, e in expected.items() for p in e["planted"]]
    cn_rows = [r for r in serial.alterations if r["kind"] == "copy_number"]
    assert len(cn_rows) == N_GOOD // 3
    order = [r["sample"] for r in serial.alterations]
    assert order == sorted(order)
    # cohort counts follow from what was planted
    cohort = {(r["category"], r["value"]): r for r in serial.cohort}
    assert cohort[("mutation_status", "activating")]["n_samples"] == N_GOOD * 3 // 4
    assert cohort[("mutation_status", "activating")]["percent"] == 75.0
    assert cohort[("activating_subgroup", "exon20_insertion")]["n_samples"] == N_GOOD // 4
    assert cohort[("amplification_status", "amplification")]["n_samples"] == N_GOOD // 6
    assert cohort[("amplification_status", "not_assessed")]["n_samples"] == N_GOOD - N_GOOD // 3
    assert cohort[("amplification_definition", "cn_ge_6")]["denominator"] == N_GOOD // 3
    assert cohort[("ihc", "IHC 3+ (positive)")]["n_samples"] == N_GOOD // 10
    # table headers
    assert serial_tables["alterations"].split("\n", 1)[0].split("\t") == ALL_COLUMNS
    assert serial_tables["samples"].split("\n", 1)[0].split("\t") == SUMMARY_COLUMNS
    assert serial_tables["cohort"].split("\n", 1)[0].split("\t") == PREVALENCE_COLUMNS
    assert serial_tables["errors"].split("\n", 1)[0].split("\t") == ERROR_COLUMNS


def test_errors_name_sample_file_and_reason(cohort_dir, serial):
    errors = {e["sample"]: e for e in serial.errors}
    assert errors["BAD_missing"]["file"] == str(cohort_dir / "vcf" / "does_not_exist.vcf")
    assert "not found" in errors["BAD_missing"]["reason"] and errors["BAD_missing"]["exit_code"] == 3
    assert errors["BAD_garbage"]["file"].endswith("garbage.vcf") and errors["BAD_garbage"]["exit_code"] == 4
    assert errors["BAD_truncated"]["file"].endswith("truncated.vcf.gz")
    assert errors["BAD_segments"]["file"].endswith("bad.cns")
    for error in serial.errors:
        assert error["reason"] and "\n" not in error["reason"]
        assert "internal error" not in error["reason"], error


def test_jobs2_byte_identical(entries, serial_tables):
    seen = []
    result = run_cohort(entries, Options(), jobs=2, progress=lambda d, f, t: seen.append((d, f, t)))
    assert render_tables(result) == serial_tables
    assert seen[0] == (0, 0, len(entries)) and seen[-1] == (len(entries), len(BROKEN), len(entries))
    assert [d for d, _, _ in seen] == list(range(len(entries) + 1))


def test_unexpected_exception_becomes_error_row(tmp_path, monkeypatch):
    import her2cli.pipeline

    def boom(request, options):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(her2cli.pipeline, "run_sample", boom)
    outcome = run_entry(Job(SheetEntry(sample="X", vcf=str(tmp_path / "x.vcf"))), Options())
    assert not outcome.ok
    assert outcome.error == {"sample": "X", "file": str(tmp_path / "x.vcf"),
                             "reason": "internal error: ZeroDivisionError: oops", "exit_code": 70}


class CrashingEntry(SheetEntry):
    """Kills its worker process outright, as a segfault in a C reader would."""

    def request(self):
        os._exit(11)


def test_worker_crash_is_pinned_on_its_sample(entries, serial):
    subset = entries[:12]
    crash = CrashingEntry(sample="CRASH", vcf="crash.vcf")
    result = run_cohort(subset[:5] + [crash] + subset[5:], Options(), jobs=2)
    assert [e["sample"] for e in result.errors] == ["CRASH"]
    assert "worker process died" in result.errors[0]["reason"]
    good = [s["sample"] for s in serial.summaries][:12]
    assert [s["sample"] for s in result.summaries] == good


# --------------------------------------------------------------------------------------------- CLI


def test_cli_output_dir_jobs_and_errors(cohort_dir, serial_tables, tmp_path):
    out1, out2 = tmp_path / "j1", tmp_path / "j2"
    r1 = _cli(str(cohort_dir / "samples.tsv"), "-o", str(out1), "--jobs", "1")
    r2 = _cli(str(cohort_dir / "samples.tsv"), "-o", str(out2), "-j", "2")
    for r in (r1, r2):
        assert r.returncode == 1, r.stderr
        assert r.stdout == ""
        errors = [line for line in r.stderr.splitlines() if line.startswith("her2: error: ")]
        assert [line.split(": ")[2] for line in errors] == list(BROKEN)
        missing = str(cohort_dir / "vcf" / "does_not_exist.vcf")
        assert f"her2: error: BAD_missing: {missing}: file not found" in errors
        assert "\x1b[" not in r.stderr  # no progress bar when stderr is not a terminal
    for name, key in (("alterations.tsv", "alterations"), ("samples.tsv", "samples"), ("cohort.tsv", "cohort"),
                      ("errors.tsv", "errors")):
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes() == serial_tables[key].encode()
    assert not [p for p in os.listdir(out1) if p.endswith(".tmp")]
    assert len(_journal(out1)) == N_GOOD  # only successful samples are stored


def test_cli_stdout_quiet_and_ok_exit(cohort_dir, tmp_path):
    sheet = tmp_path / "small.tsv"
    sheet.write_text(f"sample\tvcf\nA\t{cohort_dir / 'vcf' / 'P001.vcf'}\nB\t{cohort_dir / 'vcf' / 'P002.vcf.gz'}\n")
    r = _cli(str(sheet), "--quiet")
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0].split("\t") == ALL_COLUMNS
    assert [line.split("\t")[0] for line in lines[1:]] == ["A", "B"]


def test_cli_bad_sheet_and_usage(tmp_path):
    sheet = tmp_path / "s.tsv"
    sheet.write_text("sample\tvcf\tpurity\nA\ta.vcf\t2\n")
    r = _cli(str(sheet))
    assert r.returncode == 4
    assert r.stderr == f"her2: error: {sheet}:2: purity must be in (0, 1], got '2'\n"
    r = _cli(str(tmp_path / "missing.tsv"))
    assert r.returncode == 3 and r.stderr.count("\n") == 1
    r = _cli(str(sheet), "--resume")
    assert r.returncode == 2 and "--resume needs --output-dir" in r.stderr


def test_missing_dask_is_one_clear_line(cohort_dir, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(CohortSetupError, match=r"pip install 'her2cli\[dask\]'"):
        run_cohort(entries_from_paths([str(cohort_dir / "vcf" / "P001.vcf")]), Options(), dask_address="tcp://x:1")


# ------------------------------------------------------------------------------------------ resume


class _Interrupt(Exception):
    pass


def test_interrupted_run_then_resume(entries, serial_tables, tmp_path):
    out = tmp_path / "out"
    calls = []

    def stop_after_100(done, failed, total):
        calls.append(done)
        if done == 100:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        run_cohort(entries, Options(), jobs=1, parts_dir=str(out), progress=stop_after_100)
    assert not (out / "alterations.tsv").exists()  # no table from an interrupted run
    stored = len(_journal(out))
    assert 90 <= stored <= 100
    assert os.listdir(out / PARTS_DIR) == ["journal.jsonl"]

    result = run_cohort(entries, Options(), jobs=2, parts_dir=str(out), resume_dir=str(out))
    assert result.n_resumed == stored
    write_cohort_outputs(result, str(out))
    for key, name in (("alterations", "alterations.tsv"), ("samples", "samples.tsv"), ("cohort", "cohort.tsv"),
                      ("errors", "errors.tsv")):
        assert (out / name).read_text() == serial_tables[key]


def _journal(out) -> list[dict]:
    lines = (out / PARTS_DIR / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_resume_reuses_parts_and_reruns_changed_samples(cohort_dir, tmp_path):
    vcfs = [cohort_dir / "vcf" / f"P00{i}.vcf" for i in (1, 3, 5)]
    work = tmp_path / "work"
    work.mkdir()
    copies = []
    for v in vcfs:
        copy = work / v.name
        copy.write_text(v.read_text())
        copies.append(copy)
    entries = entries_from_paths([str(c) for c in copies])
    first = run_cohort(entries, Options(), parts_dir=str(tmp_path / "o"))
    assert first.n_resumed == 0 and not first.errors
    # a stored result is used as-is (mark it to prove it) ...
    journal = tmp_path / "o" / PARTS_DIR / "journal.jsonl"
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    records[0]["summaries"][0]["mutations"] = "FROM-PART"
    # a half-written last line (a run killed mid-write) is skipped
    journal.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"version": 1, "sam')
    # ... unless its input changed (P005's file gets a new modification time)
    os.utime(copies[2], ns=(1, 1))
    again = run_cohort(entries, Options(), resume_dir=str(tmp_path / "o"))
    assert again.n_resumed == 2
    assert "FROM-PART" in [s["mutations"] for s in again.summaries]
    # different options: nothing is reused
    other = run_cohort(entries, Options(all_records=True), resume_dir=str(tmp_path / "o"))
    assert other.n_resumed == 0


def test_cli_resume(cohort_dir, serial_tables, tmp_path):
    out = tmp_path / "out"
    r1 = _cli(str(cohort_dir / "samples.tsv"), "-o", str(out), "-j", "2")
    assert r1.returncode == 1
    (out / "alterations.tsv").unlink()
    when = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
    report = when.sub("", (out / "report.html").read_text())
    r2 = _cli(str(cohort_dir / "samples.tsv"), "-o", str(out), "--resume")
    assert r2.returncode == 1
    assert f"{N_GOOD} from the previous run" in r2.stderr
    # the workers rendered the Samples rows of the first run's report, the parent those of the resumed samples
    assert when.sub("", (out / "report.html").read_text()) == report
    assert (out / "alterations.tsv").read_text() == serial_tables["alterations"]
    assert (out / "errors.tsv").read_text() == serial_tables["errors"]


def test_spooled_tables_equal_the_tables_held_in_memory(cohort_dir, entries, tmp_path):
    """The command writes each sample's part of the tables to files as the samples finish (cohort/spool.py:
    the parent's memory does not grow with the cohort); a library run keeps them in memory. Same sheet, same
    provenance, pages asked for: every published file is the same byte for byte (report.html included), and
    the spool is gone after publication while the journal stays for --resume (some samples failed)."""
    from her2cli.cohort.api import run_sheet
    from her2cli.report.html import make_provenance

    sheet = str(cohort_dir / "samples.tsv")
    provenance = make_provenance(None, (), Options(), sample_sheet=sheet)
    kept, spooled = tmp_path / "kept", tmp_path / "spooled"
    in_memory = run_sheet(sheet, entries, Options(), jobs=1, output_dir=str(kept), pages=True, provenance=provenance)
    streamed = run_sheet(sheet, entries, Options(), jobs=2, output_dir=str(spooled), pages=True,
                         provenance=provenance, keep_rows=False)
    assert in_memory.spooled is None and streamed.spooled is not None
    assert streamed.summaries == [] and streamed.alterations_tsv == ""
    assert streamed.cohort == in_memory.cohort and streamed.errors == in_memory.errors

    def published(folder: Path) -> list[str]:
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                      if p.is_file() and PARTS_DIR not in p.parts and p.name not in ("her2-run.json", ".her2-lock"))

    names = published(kept)
    assert names == published(spooled)
    assert {"alterations.tsv", "samples.tsv", "cohort.tsv", "errors.tsv", "cna.tsv", "data_CNA.txt",
            "report.html"} <= set(names) and len([n for n in names if n.startswith("samples/")]) == N_GOOD
    for name in names:  # a page says when its worker rendered it (to the minute): the runs may straddle one
        when = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d UTC") if name.startswith("samples/") else re.compile(rb"^$")
        assert when.sub(b"", (kept / name).read_bytes()) == when.sub(b"", (spooled / name).read_bytes()), name
    cna = (spooled / "cna.tsv").read_text().splitlines()
    assert len(cna) - 1 == len((spooled / "data_CNA.txt").read_text().splitlines()[0].split("\t")) - 2 > 0
    assert sorted(os.listdir(spooled / PARTS_DIR)) == sorted(os.listdir(kept / PARTS_DIR))  # journal, pages: no spool


# -------------------------------------------------------------------------------------------- Dask


def test_dask_local_cluster_byte_identical(cohort_dir, entries, serial_tables, tmp_path):
    distributed = pytest.importorskip("distributed")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=50) as cluster:
            result = run_cohort(entries, Options(), dask_address=cluster.scheduler_address)
            assert render_tables(result) == serial_tables
            r = _cli(str(cohort_dir / "samples.tsv"), "-o", str(tmp_path / "d"), "--dask", cluster.scheduler_address,
                     "-q")
            assert r.returncode == 1
            assert (tmp_path / "d" / "samples.tsv").read_text() == serial_tables["samples"]
            assert (tmp_path / "d" / "errors.tsv").read_text() == serial_tables["errors"]
