"""Many samples at once (issue #5): a sample sheet in, one tidy alteration table, one verdict row per
sample, cohort counts and an error table out.

* ``read_sample_sheet(path)`` validates the sheet (TSV or CSV) and resolves paths relative to it.
* ``run_cohort(entries, options, jobs=..., dask_address=..., progress=..., resume_dir=..., parts_dir=...)``
  runs every sample in-process, in a process pool (``jobs > 1``) or on a Dask cluster, and returns a
  ``CohortResult`` whose rows are in sheet order whatever the parallelism.
* ``write_cohort_outputs(result, directory)`` publishes alterations.tsv, samples.tsv, cohort.tsv,
  errors.tsv and the manifest her2-run.json as one unit (staged, then renamed; see ``publish``).
* ``check_output_dir(directory, inputs)`` refuses an output folder that is a file or whose tables would
  replace an input; ``lock_output_dir(directory)`` holds an exclusive lock while a run writes there.

One bad sample never sinks the cohort: the worker turns any exception into an error record (sample, file,
reason). The library never prints; progress goes through the ``progress(done, failed, total)`` callback.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import json
import os
import signal
import stat
import threading
import time
import uuid
from dataclasses import asdict, field
from typing import Callable, Optional

from her2cli.errors import (
    EXIT_USAGE,
    Her2Error,
    InputMissingError,
    MalformedInputError,
    OutputError,
)
from her2cli.io.atomic import output_error, refuse_inputs, write_atomic
from her2cli.report.columns import ALL_COLUMNS, alteration_rows, verdict_row
from her2cli.report.tsv import render_lines
from her2cli.values import valueclass

SHEET_COLUMNS = ["sample", "vcf", "maf", "segments", "tumor_sample", "purity", "ploidy", "ihc", "coverage", "targets"]
ERROR_COLUMNS = ["sample", "file", "reason", "exit_code"]
OUTPUT_FILES = {
    "alterations": "alterations.tsv",
    "samples": "samples.tsv",
    "cohort": "cohort.tsv",
    "errors": "errors.tsv",
    "cna": "cna.tsv",  # OncoKB annotator / cBioPortal long CNA table (report/cna.py)
    "data_cna": "data_CNA.txt",  # cBioPortal's wide discrete CNA matrix
}
PARTS_DIR = ".her2-parts"
MANIFEST = "her2-run.json"  # names the run and the sha256 of each table: a reader can check the set
STAGING_DIR = ".her2-staging"
LOCK_FILE = ".her2-lock"
_PART_VERSION = 3  # 3: rows stored as rendered TSV lines and as data
_INTERNAL_EXIT = 70

ProgressCallback = Callable[[int, int, int], None]  # (done, failed, total); done includes failed


class CohortSetupError(Her2Error):
    """The run cannot start (e.g. --dask without the dask extra, cluster unreachable)."""

    exit_code = EXIT_USAGE


@valueclass
class SheetEntry:
    sample: str
    vcf: Optional[str] = None
    segments: list[str] = field(default_factory=list)
    tumor_sample: Optional[str] = None
    purity: Optional[float] = None
    ploidy: Optional[float] = None
    ihc: Optional[str] = None
    line: Optional[int] = None  # line in the sample sheet (for messages)
    coverage: Optional[str] = None  # BAM/CRAM/mosdepth behind a negative (docs/coverage.md)
    targets: Optional[str] = None  # the panel's target BED

    def files(self) -> list[str]:
        return ([self.vcf] if self.vcf else []) + list(self.segments) + [p for p in (self.coverage, self.targets) if p]

    def request(self):
        from her2cli.pipeline import SampleRequest

        return SampleRequest(vcf=self.vcf, segments=list(self.segments), label=self.sample,
                             tumor_sample=self.tumor_sample, purity=self.purity, ploidy=self.ploidy, ihc=self.ihc,
                             coverage=self.coverage, targets=self.targets)


@valueclass
class SampleOutcome:
    """What one worker call returns: either results or an error record, never an exception."""

    sample: str
    # The alteration rows as TSV data lines, rendered by the worker: the parent only joins them, and a
    # string crosses process boundaries far cheaper than a thousand small dicts.
    rows_tsv: str = ""
    # The same rows as data (numbers stay numbers), for the tables built from them (the HTML pages).
    rows: list[dict] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error: Optional[dict] = None  # keys = ERROR_COLUMNS
    resumed: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@valueclass
class CohortResult:
    alterations_tsv: str  # alteration rows (keys = report.columns.ALL_COLUMNS) as TSV data lines, sheet order
    alterations: list[dict]  # the same rows as data, sheet order
    summaries: list[dict]  # keys = summary.SUMMARY_COLUMNS, sheet order
    cohort: list[dict]  # keys = interpret.prevalence.PREVALENCE_COLUMNS
    errors: list[dict]  # keys = ERROR_COLUMNS, sheet order
    notices: list[tuple[str, str]]  # (sample, notice), sheet order
    n_samples: int = 0
    n_resumed: int = 0

    @property
    def n_failed(self) -> int:
        return len(self.errors)


# --------------------------------------------------------------------------------------------- sheet


def _parse_float(text: str, column: str, low: float, high: float, low_open: bool, path: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise MalformedInputError(f"{column} is not a number: {text!r}", path=path, line=line) from None
    if value != value or (value <= low if low_open else value < low) or value > high:
        bracket = "(" if low_open else "["
        raise MalformedInputError(f"{column} must be in {bracket}{low:g}, {high:g}], got {text!r}", path=path,
                                  line=line)
    return value


def _resolve(path_text: str, base: str) -> str:
    path_text = os.path.expanduser(path_text)
    if path_text == "-":
        return path_text
    return path_text if os.path.isabs(path_text) else os.path.normpath(os.path.join(base, path_text))


def read_sample_sheet(path: str) -> list[SheetEntry]:
    """Parse a sample sheet: TSV (tab in the header) or CSV, columns SHEET_COLUMNS (``sample`` plus ``vcf``
    and/or ``segments`` required; the others optional). Blank lines and lines starting with '#' after the
    header are skipped. ``segments`` may list several files separated by ';'. Paths are relative to the
    sheet's directory. Raises InputMissingError / MalformedInputError naming the sheet and line."""
    if not os.path.exists(path):
        raise InputMissingError("sample sheet not found", path=path)
    from her2cli.io.lines import lines as text_lines

    # The shared bounded reader: NUL bytes, a line over the one limit, non-UTF-8 text are errors naming the line
    # (`her2 cohort /dev/zero` ends at once).
    lines = [text for _, text in text_lines(path, "sample sheet")]
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise MalformedInputError("sample sheet is empty", path=path)
    header_line = lines[header_index]
    delimiter = "\t" if "\t" in header_line else ","
    reader = csv.reader(lines, delimiter=delimiter)
    rows = list(reader)
    header = [h.strip().lower().lstrip("#") for h in rows[header_index]]
    unknown = [h for h in header if h not in SHEET_COLUMNS]
    if unknown:
        raise MalformedInputError(
            f"unknown sample-sheet column(s) {', '.join(repr(u) for u in unknown)}: expected {', '.join(SHEET_COLUMNS)}",
            path=path, line=header_index + 1,
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise MalformedInputError(f"duplicated column(s) {', '.join(duplicated)}", path=path, line=header_index + 1)
    if "sample" not in header or not ({"vcf", "maf", "segments"} & set(header)):
        raise MalformedInputError("the sample sheet needs a 'sample' column and a 'vcf' (or 'maf') and/or "
                                  "'segments' column", path=path, line=header_index + 1)
    base = os.path.dirname(os.path.abspath(path))
    entries: list[SheetEntry] = []
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        fields = rows[index]
        number = index + 1
        if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if len(fields) > len(header):
            raise MalformedInputError(f"{len(fields)} fields but the header has {len(header)}", path=path,
                                      line=number)
        values = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
        sample = values.get("sample", "")
        if not sample:
            raise MalformedInputError("empty sample name", path=path, line=number)
        if sample in seen:
            raise MalformedInputError(f"duplicate sample name {sample!r} (first on line {seen[sample]})", path=path,
                                      line=number)
        seen[sample] = number
        if values.get("vcf") and values.get("maf"):
            raise MalformedInputError(f"sample {sample!r} has both a vcf and a maf: give one variant file",
                                      path=path, line=number)
        vcf = values.get("vcf") or values.get("maf") or None  # a MAF is read for this sample's barcode
        segments = [s.strip() for s in (values.get("segments") or "").split(";") if s.strip()]
        if vcf is None and not segments:
            raise MalformedInputError(f"sample {sample!r} has neither a vcf/maf nor a segments file", path=path,
                                      line=number)
        purity = ploidy = None
        if values.get("purity"):
            purity = _parse_float(values["purity"], "purity", 0.0, 1.0, True, path, number)
        if values.get("ploidy"):
            ploidy = _parse_float(values["ploidy"], "ploidy", 0.5, 10.0, False, path, number)
        ihc = values.get("ihc") or None
        if ihc is not None:
            from her2cli.interpret.evidence import normalize_ihc

            try:
                ihc = normalize_ihc(ihc)
            except ValueError as exc:
                raise MalformedInputError(f"ihc: {exc}", path=path, line=number) from None
        entries.append(SheetEntry(
            sample=sample, vcf=_resolve(vcf, base) if vcf else None, segments=[_resolve(s, base) for s in segments],
            tumor_sample=values.get("tumor_sample") or None, purity=purity, ploidy=ploidy, ihc=ihc, line=number,
            coverage=_resolve(values["coverage"], base) if values.get("coverage") else None,
            targets=_resolve(values["targets"], base) if values.get("targets") else None,
        ))
    if not entries:
        raise MalformedInputError("the sample sheet lists no samples", path=path)
    return entries


# -------------------------------------------------------------------------------------------- worker


def _error_file(entry: SheetEntry, exc: BaseException) -> str:
    path = getattr(exc, "path", None)
    if path:
        return str(path)
    files = entry.files()
    return files[0] if len(files) == 1 else ";".join(files)


def _error_record(entry: SheetEntry, exc: BaseException) -> dict:
    if isinstance(exc, Her2Error):
        reason = exc.message if exc.line is None else f"line {exc.line}: {exc.message}"
        code = exc.exit_code
    elif isinstance(exc, MemoryError):
        reason, code = "out of memory", _INTERNAL_EXIT
    else:
        reason, code = f"internal error: {type(exc).__name__}: {exc}", _INTERNAL_EXIT
    return {"sample": entry.sample, "file": _error_file(entry, exc), "reason": str(reason).replace("\n", " "),
            "exit_code": code}


def run_entry(entry: SheetEntry, options) -> SampleOutcome:
    """Annotate one sheet entry; top-level so process pools and Dask can pickle it. Never raises (except
    KeyboardInterrupt/SystemExit): any failure becomes ``SampleOutcome.error``."""
    try:
        from her2cli.pipeline import run_sample

        _check_regular_files(entry)
        results = run_sample(entry.request(), options)
        outcome = SampleOutcome(sample=entry.sample)
        rows = []
        for result in results:
            rows.extend(alteration_rows([result]))
            if result.verdict is not None:
                outcome.summaries.append(verdict_row(result.verdict))
            for notice in result.notices:
                if notice not in outcome.notices:
                    outcome.notices.append(notice)
        outcome.rows_tsv = render_lines(rows, ALL_COLUMNS)
        outcome.rows = rows
        return outcome
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # one bad sample never sinks the cohort
        return SampleOutcome(sample=entry.sample, error=_error_record(entry, exc))


def _check_regular_files(entry: SheetEntry) -> None:
    """A FIFO or device named in a sheet would block a worker forever (or read endless data): refuse it.
    (On the command line a pipe is fine: `her2 annotate <(bcftools view ...)` reads it as a stream.)"""
    for path in entry.files():
        if path == "-":
            raise InputMissingError("'-' (stdin) cannot be a sample-sheet file", path=path)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue  # missing/unreadable: the reader says so
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise InputMissingError("not a regular file (a FIFO, socket or device): a sample sheet must name "
                                    "files", path=path)


def run_entries(entries: list[SheetEntry], options) -> list[SampleOutcome]:
    """A batch of samples for one worker call (each still isolated by ``run_entry``)."""
    return [run_entry(entry, options) for entry in entries]


# ------------------------------------------------------------------------------------- resume parts


JOURNAL = "journal.jsonl"


def _fingerprint(entry: SheetEntry, options) -> str:
    """What a stored result depends on: the sheet row (minus its line), the options, the input files'
    size and mtime, and the her2cli version."""
    from her2cli.version import __version__

    stats = []
    for path in entry.files():
        try:
            st = os.stat(path)
            stats.append([path, st.st_size, st.st_mtime_ns])
        except OSError:
            stats.append([path, None, None])
    data = asdict(entry)
    data.pop("line", None)
    blob = json.dumps([__version__, data, repr(options), stats], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def _load_journal(parts_dir: str) -> dict[str, dict]:
    """The results a previous run recorded, last record per sample. One JSON line per finished sample,
    appended as it completes: a run killed mid-write leaves at most one broken last line, skipped here."""
    found: dict[str, dict] = {}
    try:
        with open(os.path.join(parts_dir, JOURNAL), encoding="utf-8") as handle:
            for line in handle:
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("version") == _PART_VERSION and "sample" in data:
                    found[data["sample"]] = data
    except OSError:
        pass
    return found


def _outcome_from_journal(data: Optional[dict], entry: SheetEntry, fingerprint: str) -> Optional[SampleOutcome]:
    if data is None or data.get("fingerprint") != fingerprint:
        return None
    try:
        return SampleOutcome(sample=entry.sample, rows_tsv=str(data["rows_tsv"]), rows=list(data["rows"]),
                             summaries=list(data["summaries"]), notices=list(data["notices"]), resumed=True)
    except (KeyError, TypeError):
        return None


def _journal_line(outcome: SampleOutcome, fingerprint: str) -> str:
    data = {"version": _PART_VERSION, "sample": outcome.sample, "fingerprint": fingerprint,
            "rows_tsv": outcome.rows_tsv, "rows": outcome.rows, "summaries": outcome.summaries,
            "notices": outcome.notices}
    return json.dumps(data, sort_keys=True, allow_nan=True) + "\n"


# ---------------------------------------------------------------------------------------- executors


def _run_serial(todo, options, on_done) -> None:
    for index, entry in todo:
        on_done(index, run_entry(entry, options))


def _crash_outcome(entry: SheetEntry, what: str) -> SampleOutcome:
    return SampleOutcome(sample=entry.sample, error={
        "sample": entry.sample, "file": _error_file(entry, RuntimeError()),
        "reason": f"worker process died while annotating this sample ({what})", "exit_code": _INTERNAL_EXIT})


def _isolated(entry: SheetEntry, options, context) -> SampleOutcome:
    """Run one sample in its own single-process pool: a crash (segfault, OOM kill) is pinned on it."""
    from concurrent.futures.process import BrokenProcessPool

    pool = _new_pool(1, context)
    try:
        return pool.submit(run_entry, entry, options).result()
    except BrokenProcessPool as exc:
        return _crash_outcome(entry, str(exc) or "process pool broken")
    except BaseException:
        _kill_pool(pool)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


_PR_SET_PDEATHSIG = 1
_WATCHDOG_SECONDS = 0.5


def _worker_init(parent_pid: int) -> None:
    """In each worker: die with the parent, however it dies (SIGKILL included), and leave Ctrl-C to it.

    Linux delivers SIGKILL to the worker when its parent exits (prctl PR_SET_PDEATHSIG); a watchdog thread
    covers the rest (forkserver workers, whose parent is the fork server, and other systems)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool; no traceback per worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass
    direct = os.getppid() == parent_pid  # fork: the run is our parent; forkserver: the server is
    if not _parent_alive(parent_pid, direct):  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while _parent_alive(parent_pid, direct):
            time.sleep(_WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="her2-parent-watchdog", daemon=True).start()


def _parent_alive(pid: int, direct: bool) -> bool:
    if direct:  # a dead parent's children are re-parented at once, even before it is reaped
        return os.getppid() == pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # dead but not reaped yet (a zombie) is dead
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _new_pool(jobs: int, context):
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(),))


def _kill_pool(pool) -> None:
    """Stop the workers now (Ctrl-C, SIGTERM, an error): a worker stuck on a slow file must not outlive us."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            process.kill()
    # Wait for the pool's manager thread (quick: its workers are dead); left running, it races the
    # interpreter's exit and prints "Exception ignored ... Bad file descriptor".
    for _ in range(50):
        try:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        except RuntimeError:
            # Ctrl-C or SIGTERM came while submit() was starting that thread ("cannot join thread
            # before it is started"): it is running a moment later, or was never started at all.
            time.sleep(0.01)


def _pool_context():
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    # fork is cheapest, but forking a process that runs threads (a Dask client, a progress refresher) can
    # deadlock the child: then workers fork from a clean forkserver instead (they re-import __main__,
    # which must be guarded by `if __name__ == "__main__":` in a script).
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _warm_up() -> None:
    """Import the pipeline and load the bundled tables once in the parent: forked workers inherit them
    instead of each paying for it."""
    import importlib

    for name in ("variants.annotator", "variants.callers", "pipeline", "interpret.verdict", "io.fastscan", "io.tabix",
                 "io.vcf"):
        importlib.import_module(f"her2cli.{name}")
    from her2cli.interpret.evidence import load_evidence
    from her2cli.reference.transcript import load_transcript

    load_transcript()
    load_evidence()


def _run_pool(todo, options, jobs: int, on_done) -> None:
    """A process pool with a bounded window of samples in flight: if a worker dies (a C-level crash in a
    reader), only the samples in flight are suspects; each is rerun alone, the rest go on in a new pool."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    context = _pool_context()
    _warm_up()
    # Small panels take milliseconds each: send them in batches so that inter-process traffic does not
    # dominate, but keep batches small enough that a crash pins few suspects and progress stays live.
    size = max(1, min(16, len(todo) // (jobs * 8)))
    pending = [todo[i : i + size] for i in range(0, len(todo), size)]
    pending.reverse()  # pop() from the end = sheet order
    window = max(2, jobs * 2)
    any_result = False
    while pending:
        pool = _new_pool(jobs, context)
        in_flight: dict = {}
        broken = False
        try:
            while pending or in_flight:
                while pending and len(in_flight) < window:
                    batch = pending.pop()
                    in_flight[pool.submit(run_entries, [e for _, e in batch], options)] = batch
                done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: in_flight[f][0][0]):
                    batch = in_flight[future]
                    try:
                        outcomes = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    del in_flight[future]
                    any_result = True
                    for (index, _), outcome in zip(batch, outcomes):
                        on_done(index, outcome)
                if broken:
                    break
        except BaseException:
            _kill_pool(pool)
            raise
        pool.shutdown(wait=not broken, cancel_futures=True)
        if broken:
            suspects = sorted((item for batch in in_flight.values() for item in batch), key=lambda item: item[0])
            outcomes = [(index, _isolated(entry, options, context)) for index, entry in suspects]
            if not any_result and all(o.error and "worker process died" in o.error["reason"] for _, o in outcomes):
                raise CohortSetupError(
                    "worker processes die at start-up (in a Python script, call run_cohort under "
                    "`if __name__ == \"__main__\":`); try --jobs 1")
            for index, outcome in outcomes:
                any_result = any_result or outcome.ok
                on_done(index, outcome)


def _run_dask(todo, options, address: str, on_done) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CohortSetupError("--dask needs the dask extra: pip install 'her2cli[dask]'") from None
    try:
        client = Client(address, timeout="20s", set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a bad address ...
        raise CohortSetupError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    try:
        options_future = client.scatter(options, broadcast=True)
        token = uuid.uuid4().hex[:12]
        futures = {}
        for index, entry in todo:
            future = client.submit(run_entry, entry, options_future, pure=False,
                                   key=f"her2-{token}-{index}")
            futures[future] = (index, entry)
        for future in as_completed(list(futures), loop=client.loop):
            index, entry = futures.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # KilledWorker, CommClosedError, ...
                outcome = _crash_outcome(entry, f"dask: {type(exc).__name__}: {exc}")
            future.release()
            on_done(index, outcome)
        options_future.release()
    finally:
        client.close()


# -------------------------------------------------------------------------------------------- runner


def run_cohort(entries: list[SheetEntry], options, jobs: int = 1, dask_address: Optional[str] = None,
               progress: Optional[ProgressCallback] = None, resume_dir: Optional[str] = None,
               parts_dir: Optional[str] = None) -> CohortResult:
    """Annotate every entry and gather the tables, rows in sheet order.

    ``jobs > 1`` uses that many worker processes; ``dask_address`` sends the samples to a Dask scheduler
    instead. ``parts_dir`` stores each successful sample's result (atomically) as it completes;
    ``resume_dir`` reuses results stored there by a previous run when the sheet row, the options and the
    input files are unchanged. ``progress(done, failed, total)`` is called once at the start and after each
    sample (from the calling thread)."""
    from her2cli.interpret.prevalence import prevalence_table

    if jobs < 1:
        raise CohortSetupError(f"--jobs must be at least 1, got {jobs}")
    total = len(entries)
    outcomes: list[Optional[SampleOutcome]] = [None] * total
    fingerprints = [_fingerprint(e, options) for e in entries] if (resume_dir or parts_dir) else [None] * total
    counts = {"done": 0, "failed": 0}

    todo = []
    journal = _load_journal(os.path.join(resume_dir, PARTS_DIR)) if resume_dir else {}
    for index, entry in enumerate(entries):
        previous = _outcome_from_journal(journal.get(entry.sample), entry, fingerprints[index])
        if previous is not None:
            outcomes[index] = previous
            counts["done"] += 1
        else:
            todo.append((index, entry))
    store = None
    if parts_dir:
        journal_path = os.path.join(parts_dir, PARTS_DIR, JOURNAL)
        try:
            os.makedirs(os.path.join(parts_dir, PARTS_DIR), exist_ok=True)
            # A fresh run starts a fresh journal; only --resume adds to the previous one.
            store = open(journal_path, "a" if resume_dir else "w", encoding="utf-8")
        except OSError as exc:
            raise output_error(exc, journal_path) from None
    if progress:
        progress(counts["done"], counts["failed"], total)

    def on_done(index: int, outcome: SampleOutcome) -> None:
        outcomes[index] = outcome
        counts["done"] += 1
        if outcome.ok:
            if store:
                try:
                    store.write(_journal_line(outcome, fingerprints[index]))
                    store.flush()
                except OSError as exc:
                    raise output_error(exc, store.name) from None
        else:
            counts["failed"] += 1
        if progress:
            progress(counts["done"], counts["failed"], total)

    try:
        if todo:
            if dask_address:
                _run_dask(todo, options, dask_address, on_done)
            elif jobs > 1 and len(todo) > 1:
                _run_pool(todo, options, min(jobs, len(todo)), on_done)
            else:
                _run_serial(todo, options, on_done)
    finally:
        if store:
            with contextlib.suppress(OSError):  # a full disk was reported above
                store.close()

    alterations_tsv: list[str] = []
    alterations: list[dict] = []
    summaries: list[dict] = []
    errors: list[dict] = []
    notices: list[tuple[str, str]] = []
    for entry, outcome in zip(entries, outcomes):
        assert outcome is not None
        if outcome.error is not None:
            errors.append(outcome.error)
            continue
        alterations_tsv.append(outcome.rows_tsv)
        alterations.extend(outcome.rows)
        summaries.extend(outcome.summaries)
        notices.extend((outcome.sample, n) for n in outcome.notices)
    return CohortResult(alterations_tsv="".join(alterations_tsv), alterations=alterations, summaries=summaries,
                        cohort=prevalence_table(summaries).to_dict("records"),
                        errors=errors, notices=notices, n_samples=total,
                        n_resumed=sum(1 for o in outcomes if o is not None and o.resumed))


# ------------------------------------------------------------------------------------------- outputs


def render_tables(result: CohortResult) -> dict[str, str]:
    """The tables as TSV text, keyed like OUTPUT_FILES."""
    from her2cli.interpret.prevalence import PREVALENCE_COLUMNS
    from her2cli.interpret.verdict import SUMMARY_COLUMNS
    from her2cli.report.cna import cohort_cna_tables
    from her2cli.report.tsv import render_tsv

    return {
        **cohort_cna_tables(result.summaries),
        "alterations": "\t".join(ALL_COLUMNS) + "\n" + result.alterations_tsv,
        "samples": render_tsv(result.summaries, SUMMARY_COLUMNS),
        "cohort": render_tsv(result.cohort, PREVALENCE_COLUMNS),
        "errors": render_tsv(result.errors, ERROR_COLUMNS),
    }


def cohort_inputs(sheet: str, entries: list[SheetEntry]) -> list[str]:
    """Every file a run reads (the sheet, the samples' files and their indexes): never an output."""
    paths = [sheet]
    for entry in entries:
        for path in entry.files():
            paths += [path, path + ".tbi", path + ".csi", path + ".bai", path + ".crai"]
    return paths


def check_output_dir(directory: str, inputs: list[str]) -> None:
    """OutputError (exit 7) if ``directory`` exists but is not a folder; UsageError (exit 2) if one of
    the tables written there would replace an input (e.g. ``her2 cohort samples.tsv -o .``)."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise OutputError("is not a folder (--output-dir takes a folder for the four tables)", path=directory)
    names = list(OUTPUT_FILES.values()) + [MANIFEST]
    refuse_inputs([os.path.join(directory, name) for name in names], inputs)


@contextlib.contextmanager
def lock_output_dir(directory: str):
    """Hold an exclusive lock on ``directory`` (created if needed) while a run writes there; a second
    run gets OutputError at once. Finishes an interrupted publication first (see ``publish``)."""
    import fcntl

    lock_path = os.path.join(directory, LOCK_FILE)
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise output_error(exc, directory) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise output_error(exc, lock_path) from None
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputError(f"another her2 run (pid {holder}) is writing to this folder; wait for it or "
                              "choose another --output-dir", path=directory) from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        recover_outputs(directory)
        yield
    finally:
        os.close(fd)  # releases the lock


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def publish(directory: str, tables: dict[str, str], write_extra: Optional[Callable[[str], object]] = None) -> None:
    """Make ``tables`` (file name -> text) appear in ``directory`` together, with whatever ``write_extra(staging)``
    writes into the staging folder (the HTML report and its sample pages).

    All are written (and fsynced) into a staging folder first, with the manifest last: a full disk or a
    kill up to there leaves the previous set untouched. Then each is renamed into place and the manifest
    last; a run killed during those renames leaves the staging folder with its manifest, and the next run
    into the folder (``recover_outputs``, under the lock) completes them. The manifest names the run and
    the sha256 of each table, so a reader can tell a complete set from one being replaced."""
    staging = os.path.join(directory, STAGING_DIR)
    try:
        _remove_tree(staging)
        os.makedirs(staging)
        run = {"run_id": uuid.uuid4().hex, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "tables": {}}
        for name, text in tables.items():
            write_atomic(os.path.join(staging, name), text)
            run["tables"][name] = _sha256(os.path.join(staging, name))
        if write_extra is not None:
            write_extra(staging)
        write_atomic(os.path.join(staging, MANIFEST), json.dumps(run, indent=1, sort_keys=True) + "\n")
    except OutputError:
        _remove_tree(staging)
        raise
    except OSError as exc:
        _remove_tree(staging)
        raise output_error(exc, staging) from None
    recover_outputs(directory)


def recover_outputs(directory: str) -> None:
    """Finish a publication whose manifest reached the staging folder; drop an unfinished one."""
    staging = os.path.join(directory, STAGING_DIR)
    if not os.path.isdir(staging):
        return
    try:
        if not os.path.exists(os.path.join(staging, MANIFEST)):
            _remove_tree(staging)  # the run died while writing: the previous set stays
            return
        for name in sorted(os.listdir(staging)):
            if name != MANIFEST and not name.startswith("."):
                target = os.path.join(directory, name)
                if os.path.isdir(os.path.join(staging, name)) and os.path.isdir(target):
                    # a folder (the sample pages) cannot replace a non-empty one: move the old one aside first
                    old = os.path.join(directory, f".her2-old-{name}")
                    _remove_tree(old)
                    os.replace(target, old)
                    os.replace(os.path.join(staging, name), target)
                    _remove_tree(old)
                else:
                    os.replace(os.path.join(staging, name), target)
        os.replace(os.path.join(staging, MANIFEST), os.path.join(directory, MANIFEST))
        _remove_tree(staging)
    except OSError as exc:
        raise output_error(exc, directory) from None


def _remove_tree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def write_cohort_outputs(result: CohortResult, directory: str,
                         write_extra: Optional[Callable[[str], object]] = None) -> dict[str, str]:
    """Publish the tables (and the manifest, and what ``write_extra`` writes: the HTML report) in ``directory``
    as one unit; returns the tables' paths. The resume journal is removed when every sample succeeded, kept
    (for --resume) when some failed."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, directory) from None
    tables = render_tables(result)
    publish(directory, {OUTPUT_FILES[key]: text for key, text in tables.items()}, write_extra)
    if not result.errors:
        _remove_tree(os.path.join(directory, PARTS_DIR))
    return {key: os.path.join(directory, OUTPUT_FILES[key]) for key in tables}


__all__ = [
    "SHEET_COLUMNS", "ERROR_COLUMNS", "OUTPUT_FILES", "PARTS_DIR", "SheetEntry", "SampleOutcome", "CohortResult",
    "CohortSetupError", "read_sample_sheet", "run_entry", "run_cohort", "render_tables",
    "write_cohort_outputs", "MANIFEST", "cohort_inputs", "check_output_dir", "lock_output_dir", "publish",
    "recover_outputs",
]
