"""Nothing lost, nothing hung (issue #11): no silent miss on unsorted files, no input overwritten, garbage is
an error, cohort outputs published as one unit, clean shutdown, documented exit codes.

The planted variant is ERBB2 L755S: GRCh38 chr17:39723967 T>C = NM_004448.4 c.2264T>C p.(Leu755Ser)
(cancerhotspots v2 as redistributed by maftools; ../shared/validation/hgvs/erbb2_truth.tsv lists it).
Slow checks (a 100,000-ALT record, whole-file read speed, memory on endless input) are benchmark cases in
benchmarks/run.py (--only robust).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factories import bgzf

from her2cli import errors
from her2cli.cli import run
from her2cli.cohort import journal, publisher, runners
from her2cli.io import fastscan

REPO = Path(__file__).resolve().parents[1]
L755S = ("chr17", 39723967, "T", "C", "p.Leu755Ser")
GRCH38 = {"chr1": 248956422, "chr2": 242193529, "chr17": 83257441, "chr21": 46709983, "chr22": 50818468}
FORMAT = "GT:AD:DP\t0/1:30,20:50"


def vcf_text(records: list[tuple[str, int, str, str]], sample: str = "TUMOR") -> bytes:
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">']
    lines += [f"##contig=<ID={c},length={n}>" for c, n in GRCH38.items()]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample]))
    lines += [f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\t{FORMAT}" for c, p, r, a in records]
    return ("\n".join(lines) + "\n").encode()


def unsorted_records() -> list[tuple[str, int, str, str]]:
    # As `cat a.vcf b.vcf` leaves it: a sorted genome-wide file, then the ERBB2 record after chr22.
    recs = [(c, p, "A", "G") for c in ("chr1", "chr2", "chr17", "chr21", "chr22") for p in range(10_000, 400_000, 997)]
    return recs + [L755S[:4]]


def her2(*args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, timeout=timeout, **kw)


# ------------------------------------------------------------------------------------------ no silent miss

@pytest.mark.parametrize("kind", ["plain", "gzip", "bgzf"])
def test_unsorted_file_with_erbb2_after_chr22_is_reported(tmp_path, capsys, kind):
    data = vcf_text(unsorted_records())
    path = tmp_path / {"plain": "u.vcf", "gzip": "u.vcf.gz", "bgzf": "u.bgz.vcf.gz"}[kind]
    path.write_bytes({"plain": data, "gzip": gzip.compress(data), "bgzf": bgzf(data)}[kind])
    assert run(["annotate", str(path), "-f", "tsv"]) == 0
    out = capsys.readouterr().out
    assert L755S[4] in out, out


def test_pipe_on_the_command_line_is_read_as_a_stream(tmp_path):
    data = vcf_text(unsorted_records())
    r, w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "her2cli", "annotate", f"/dev/fd/{r}", "-f", "tsv"],
                            pass_fds=(r,), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(r)
    with os.fdopen(w, "wb") as pipe:
        pipe.write(data)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert L755S[4].encode() in out


@pytest.mark.skipif(not (shutil.which("bgzip") and shutil.which("tabix")), reason="bgzip/tabix not installed")
def test_index_older_than_the_data_gets_a_notice(tmp_path):
    path = tmp_path / "s.vcf.gz"
    path.write_bytes(bgzf(vcf_text([L755S[:4]])))
    subprocess.run(["tabix", "-p", "vcf", str(path)], check=True)
    later = os.stat(path).st_mtime + 60
    os.utime(path, (later, later))
    proc = her2("annotate", str(path), "-f", "tsv")
    assert proc.returncode == 0
    assert b"is older than the data file" in proc.stderr


# ------------------------------------------------------------------------------------ never overwrite an input

def test_annotate_refuses_an_output_that_is_an_input(tmp_path, capsys):
    vcf = tmp_path / "a.vcf"
    vcf.write_bytes(vcf_text([L755S[:4]]))
    gz = tmp_path / "x.vcf.gz"
    gz.write_bytes(bgzf(vcf.read_bytes()))
    os.link(vcf, tmp_path / "hardlink.tsv")
    (tmp_path / "sub").mkdir()
    before = {p: p.read_bytes() for p in (vcf, gz)}
    cases = [[str(vcf), "-o", str(vcf)],
             [str(vcf), "-o", str(tmp_path / "sub" / ".." / "a.vcf")],  # another name, same file
             [str(vcf), "-o", str(tmp_path / "hardlink.tsv")],  # a hard link: same inode
             [str(gz), "-f", "vcf", "-o", str(gz)]]
    for args in cases:
        assert run(["annotate", *args]) == errors.EXIT_USAGE, args
        assert "refusing to overwrite an input" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (vcf, gz)} == before


def test_cohort_refuses_a_folder_whose_tables_would_replace_the_sheet(tmp_path, capsys):
    vcf = tmp_path / "a.vcf"
    vcf.write_bytes(vcf_text([L755S[:4]]))
    sheet = tmp_path / "samples.tsv"  # the name of the per-sample table
    sheet.write_text("sample\tvcf\nA\ta.vcf\n")
    before = sheet.read_bytes()
    assert run(["cohort", str(sheet), "-o", str(tmp_path), "-q"]) == errors.EXIT_USAGE
    assert "refusing to overwrite an input" in capsys.readouterr().err
    assert sheet.read_bytes() == before


# ---------------------------------------------------------------------------------------- garbage is an error

@pytest.mark.parametrize("kind", ["plain", "gzip", "bgzf"])
def test_header_then_nul_bytes_is_an_error_naming_the_line(tmp_path, capsys, kind):
    head = vcf_text([])
    n_header = head.count(b"\n")
    data = head + b"\0" * 200_000  # what a crash leaves behind
    path = tmp_path / f"crash.{kind}"
    path.write_bytes({"plain": data, "gzip": gzip.compress(data), "bgzf": bgzf(data)}[kind])
    assert run(["annotate", str(path)]) == errors.EXIT_MALFORMED
    err = capsys.readouterr().err
    assert f"{path}:{n_header + 1}: binary data" in err, err


def test_line_longer_than_the_maximum_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fastscan, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(fastscan, "CHUNK", 256)
    path = tmp_path / "long.vcf"
    path.write_bytes(vcf_text([]) + b"chr17\t39723967\t.\t" + b"A" * 5000)
    with pytest.raises(errors.MalformedInputError, match="longer than"):
        fastscan.scan_region(str(path), {"chr17"}, 39687914, 39730426)


def test_gzip_bomb_of_one_endless_line_ends_with_an_error(tmp_path):
    path = tmp_path / "bomb.vcf.gz"
    line = b"chr17\t39723967\t.\t" + b"A" * ((fastscan.MAX_LINE_BYTES >> 20) + 4 << 20)
    path.write_bytes(gzip.compress(vcf_text([]) + line, compresslevel=1))
    proc = her2("annotate", str(path), timeout=60)
    assert proc.returncode == errors.EXIT_MALFORMED
    assert b"longer than" in proc.stderr and b"Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["annotate", "/dev/zero"], ["annotate", "--segments", "/dev/zero"]])
def test_endless_input_ends_within_seconds_with_a_clear_error(args):
    start = time.monotonic()
    proc = her2(*args, timeout=30)
    assert time.monotonic() - start < 20
    assert proc.returncode == errors.EXIT_MALFORMED
    assert proc.stderr.decode().startswith("her2: error: /dev/zero") and proc.stderr.count(b"\n") == 1


# ---------------------------------------------------------------------------------------- cohort publication

def _write_cohort(folder: Path, n: int, records: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = [(c, p, "A", "G") for c in ("chr1", "chr2") for p in range(10_000, 10_000 + 37 * records, 37)]
    vcf = folder / "s.vcf"
    vcf.write_bytes(vcf_text(body + [L755S[:4]]))
    sheet = folder / "sheet.tsv"
    sheet.write_text("sample\tvcf\n" + "".join(f"S{i:03d}\ts.vcf\n" for i in range(n)))
    return sheet


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in publisher.OUTPUT_FILES.values()}


def _consistent(out: Path) -> dict:
    """The manifest of the folder, after checking that every table is the one it names."""
    manifest = json.loads((out / publisher.MANIFEST).read_text())
    for name in publisher.OUTPUT_FILES.values():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == manifest["tables"][name], name
    return manifest


def test_complete_run_publishes_a_manifest_and_removes_the_journal(tmp_path):
    sheet = _write_cohort(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == 0
    _consistent(out)
    assert not (out / journal.PARTS_DIR).exists() and not (out / publisher.STAGING_DIR).exists()


def test_disk_full_while_publishing_leaves_the_old_tables(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert run(["cohort", str(_write_cohort(tmp_path / "old", 2)), "-o", str(out), "-q"]) == 0
    old = _tables(out)
    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync_then_full(fd):
        calls["n"] += 1
        if calls["n"] == 3:  # the third table of the new run
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_then_full)
    assert run(["cohort", str(_write_cohort(tmp_path / "new", 5)), "-o", str(out), "-q"]) == errors.EXIT_OUTPUT
    err = capsys.readouterr().err
    assert "no space left on the device" in err and err.count("\n") == 1
    assert _tables(out) == old
    _consistent(out)
    assert not (out / publisher.STAGING_DIR).exists()


def test_a_second_run_into_a_locked_folder_gets_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out"
    sheet = _write_cohort(tmp_path / "in", 2)
    with publisher.lock_output_dir(str(out)):
        assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == errors.EXIT_OUTPUT
    assert "another her2 run" in capsys.readouterr().err
    assert not (out / "alterations.tsv").exists()


def test_cohort_output_that_is_a_file_is_an_output_error(tmp_path, capsys):
    target = tmp_path / "file.tsv"
    target.write_text("x")
    assert run(["cohort", str(_write_cohort(tmp_path / "in", 1)), "-o", str(target), "-q"]) == errors.EXIT_OUTPUT
    assert "is not a folder" in capsys.readouterr().err
    assert run(["annotate", str(tmp_path / "in" / "s.vcf"), "-o", str(target / "x.tsv")]) == errors.EXIT_OUTPUT
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_stdout_on_a_full_disk_is_an_output_error(tmp_path):
    vcf = tmp_path / "a.vcf"
    vcf.write_bytes(vcf_text([L755S[:4]]))
    with open("/dev/full", "wb") as full:  # every write fails with ENOSPC
        proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", str(vcf), "-f", "tsv"], stdout=full,
                              stderr=subprocess.PIPE, timeout=60)
    assert proc.returncode == errors.EXIT_OUTPUT
    assert proc.stderr == b"her2: error: <stdout>: cannot write output: no space left on the device (disk full)\n"


# ---------------------------------------------------------------------------------------- clean shutdown

def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_slow_cohort(tmp_path: Path) -> tuple[subprocess.Popen, list[int], Path]:
    sheet = _write_cohort(tmp_path / "in", 40, records=60_000)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "her2cli", "cohort", str(sheet), "-o", str(out), "--jobs", "2",
                             "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.05)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the cohort did not start its workers"
    return proc, workers, out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killing_a_jobs_2_cohort_leaves_no_worker_alive(tmp_path, sig):
    proc, workers, out = _start_slow_cohort(tmp_path)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    deadline = time.monotonic() + 5  # the bar: no worker alive 5 s later
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert [w for w in workers if _alive(w)] == []
    if sig == signal.SIGKILL:
        return
    code = {signal.SIGTERM: errors.EXIT_TERMINATED, signal.SIGINT: errors.EXIT_INTERRUPTED}[sig]
    assert proc.returncode == code, err
    assert b"Traceback" not in err and err.count(b"\n") == 1, err
    assert not (out / "alterations.tsv").exists()  # no table of a stopped run


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_killed_runs_leave_the_old_or_the_new_set_never_a_mix(tmp_path):
    out = tmp_path / "out"
    assert run(["cohort", str(_write_cohort(tmp_path / "old", 2)), "-o", str(out), "-q"]) == 0
    seen = {_consistent(out)["run_id"]}
    for delay in (0.0, 0.3, 0.8):  # while annotating, and (if it got that far) while publishing
        proc, _, _ = _start_slow_cohort(tmp_path)
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=30)
        seen.add(_consistent(out)["run_id"])  # every table is the one the folder's manifest names
    proc = subprocess.Popen([sys.executable, "-m", "her2cli", "cohort", str(tmp_path / "in" / "sheet.tsv"), "-o",
                             str(out), "--resume", "-q"], stderr=subprocess.PIPE)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert _consistent(out)["run_id"] not in seen
    assert (out / "samples.tsv").read_text().count("\n") == 41  # header + the 40 samples of the new run


def test_fifo_in_a_sample_sheet_is_an_error_row_not_a_hang(tmp_path):
    sheet = _write_cohort(tmp_path / "in", 1)
    os.mkfifo(tmp_path / "in" / "fifo.vcf")
    with open(sheet, "a") as handle:
        handle.write("F\tfifo.vcf\n")
    out = tmp_path / "out"
    proc = her2("cohort", str(sheet), "-o", str(out), "--jobs", "2", "-q", timeout=60)
    assert proc.returncode == errors.EXIT_PARTIAL, proc.stderr
    assert re.search(r"F\t\S*fifo.vcf\tnot a regular file", (out / "errors.tsv").read_text())


# ---------------------------------------------------------------------------------------- exit codes

def test_every_exit_code_is_documented():
    doc = (REPO / "docs" / "exit-codes.md").read_text()
    codes = {name: value for name, value in vars(errors).items() if name.startswith("EXIT_") and isinstance(value, int)}
    assert len(codes) >= 10
    for name, value in codes.items():
        assert re.search(rf"^\| {value} \|", doc, re.M), f"{name} = {value} missing from docs/exit-codes.md"
        assert re.search(rf"\b{value} ", errors.EXIT_CODES_HELP), f"{name} missing from --help"


@pytest.mark.parametrize("starts", ["never", "a moment later"])
def test_an_interrupt_while_the_pool_starts_its_manager_thread_is_no_internal_error(starts):
    """Ctrl-C or SIGTERM can land inside ProcessPoolExecutor.submit() after it made its manager thread and
    before that thread has started (seen: `her2 cohort --jobs 2` answered SIGINT with "internal error:
    RuntimeError: cannot join thread before it is started", exit 70 instead of 130). Stopping the pool
    from that state must not fail, and a thread that does start is waited for."""
    import threading
    from concurrent.futures.process import _ExecutorManagerThread

    pool = runners._new_pool(1, runners._pool_context())
    thread = _ExecutorManagerThread(pool)
    pool._executor_manager_thread = thread  # what submit() has done when the signal arrives
    if starts == "a moment later":
        threading.Timer(0.05, thread.start).start()
    runners._kill_pool(pool)
    assert not thread.is_alive()


def test_a_stop_whose_exception_was_swallowed_still_ends_the_run(monkeypatch, capsys):
    """A SIGTERM/SIGINT landing inside a finaliser or an at-fork hook has its exception ignored by Python
    ("Exception ignored in: <function _releaseLock ...>"), and the run went on to exit 0 (seen under load in
    the jobs-2 kill test). The handler also notes the signal, so the run still ends with its exit code."""
    from her2cli import cli

    monkeypatch.setattr(errors, "_STOPPED", [])

    def swallowed():
        errors.note_stop(signal.SIGTERM)  # what the handler records before its exception is lost
        return errors.EXIT_OK

    assert cli.run_guarded(swallowed) == errors.EXIT_TERMINATED
    assert capsys.readouterr().err == "her2: terminated (SIGTERM)\n"
