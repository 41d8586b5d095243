"""What a worker does for one sample: annotate it and produce everything that sample contributes to the
outputs (its alteration rows, its verdict row, its notices and, when asked, its HTML page), so that the
parent only merges. Top-level functions: process pools and Dask pickle them by name.

One bad sample never sinks the cohort: any exception becomes an error record (sample, file, reason).
"""

from __future__ import annotations

import dataclasses
import os
import stat
from dataclasses import field
from typing import Optional

from her2cli.errors import Her2Error, InputMissingError
from her2cli.values import valueclass

__all__ = ["ERROR_COLUMNS", "SampleOutcome", "Job", "run_entry", "run_jobs", "error_record", "crash_outcome"]

ERROR_COLUMNS = ["sample", "file", "reason", "exit_code"]
INTERNAL_EXIT = 70


@valueclass
class SampleOutcome:
    """What one worker call returns: either results or an error record, never an exception."""

    sample: str
    # The alteration rows as TSV data lines, rendered by the worker: the parent only joins them, and a
    # string crosses process boundaries far cheaper than a thousand small dicts.
    rows_tsv: str = ""
    # The same rows as data (numbers stay numbers), for library callers (Job.rows).
    rows: list[dict] = field(default_factory=list)
    genomes: list[str] = field(default_factory=list)  # the builds the sample was read on
    summaries: list[dict] = field(default_factory=list)  # verdict rows, with the sheet's metadata columns
    notices: list[str] = field(default_factory=list)
    error: Optional[dict] = None  # keys = ERROR_COLUMNS
    page: Optional[tuple[str, str]] = None  # (file name in the pages folder, sha256) when a page was written
    # Its rows of the cohort page's Samples table (report.html.cohort_sample_row), rendered by the worker when
    # the run spools its tables (Job.report_rows); the parent only appends them.
    report_rows: str = ""
    resumed: bool = False
    journal_line: str = ""  # the resume journal's record of this outcome (journal.line), when asked for

    @property
    def ok(self) -> bool:
        return self.error is None


@valueclass
class Job:
    """One sample to run: the sheet row, and where to write its page (None: no page)."""

    entry: object  # sheet.SheetEntry
    page_dir: Optional[str] = None
    page_name: Optional[str] = None
    journal: bool = False  # render the sample's resume-journal line here (the parent only appends it)
    rows: bool = True  # return the alteration rows as data too (library callers), not only as TSV lines
    report_rows: bool = False  # render the sample's rows of the cohort page here (cohort.spool)


def _error_file(entry, exc: BaseException) -> str:
    path = getattr(exc, "path", None)
    if path:
        return str(path)
    files = entry.files()
    return files[0] if len(files) == 1 else ";".join(files)


def error_record(entry, exc: BaseException) -> dict:
    if isinstance(exc, Her2Error):
        reason = exc.message if exc.line is None else f"line {exc.line}: {exc.message}"
        code = exc.exit_code
    elif isinstance(exc, MemoryError):
        reason, code = "out of memory", INTERNAL_EXIT
    else:
        reason, code = f"internal error: {type(exc).__name__}: {exc}", INTERNAL_EXIT
    return {"sample": entry.sample, "file": _error_file(entry, exc), "reason": str(reason).replace("\n", " "),
            "exit_code": code}


def crash_outcome(entry, what: str) -> SampleOutcome:
    return SampleOutcome(sample=entry.sample, error={
        "sample": entry.sample, "file": _error_file(entry, RuntimeError()),
        "reason": f"worker process died while annotating this sample ({what})", "exit_code": INTERNAL_EXIT})


def _check_regular_files(entry) -> None:
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


def _write_page(job: Job, results, options) -> tuple[str, str]:
    """Render the sample's page from its typed results and write it atomically; (name, sha256)."""
    import hashlib

    from her2cli.io.atomic import write_atomic
    from her2cli.report.html import make_provenance, render_html

    entry = job.entry
    html = render_html(results, make_provenance(entry.vcf, entry.segments, options, entry))
    write_atomic(os.path.join(job.page_dir, job.page_name), html)
    return job.page_name, hashlib.sha256(html.encode("utf-8")).hexdigest()


def run_entry(job: Job, options) -> SampleOutcome:
    """Annotate one sheet row. Never raises (except KeyboardInterrupt/SystemExit): any failure becomes
    ``SampleOutcome.error``."""
    entry = job.entry
    try:
        from her2cli.pipeline import run_sample
        from her2cli.report.columns import ALL_COLUMNS, alteration_rows, verdict_row
        from her2cli.report.tsv import render_lines

        _check_regular_files(entry)
        if entry.normal_sample:
            options = dataclasses.replace(options, normal_sample=entry.normal_sample)
        results = run_sample(entry.request(), options)
        outcome = SampleOutcome(sample=entry.sample)
        rows = []
        for result in results:
            rows.extend(alteration_rows([result]))
            if result.verdict is not None:
                outcome.summaries.append({**verdict_row(result.verdict), **entry.metadata})
            for notice in result.notices:
                if notice not in outcome.notices:
                    outcome.notices.append(notice)
        outcome.rows_tsv = render_lines(rows, ALL_COLUMNS)
        outcome.rows = rows if job.rows else []
        outcome.genomes = sorted({r.genome for r in results if r.genome})
        if job.page_name is not None:
            outcome.page = _write_page(job, results, options)
        if job.report_rows:
            from her2cli.cohort.publisher import PAGES
            from her2cli.report.html import cohort_sample_row

            link = f"{PAGES}/{outcome.page[0]}" if outcome.page else None
            outcome.report_rows = "".join(cohort_sample_row(summary, link) for summary in outcome.summaries)
        if job.journal:
            from her2cli.cohort import journal

            outcome.journal_line = journal.line(outcome, journal.fingerprint(entry, options, job.page_name is not None,
                                                                             job.rows))
        return outcome
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # one bad sample never sinks the cohort
        return SampleOutcome(sample=entry.sample, error=error_record(entry, exc))


def run_jobs(jobs: list[Job], options) -> list[SampleOutcome]:
    """A batch of samples for one worker call (each still isolated by ``run_entry``)."""
    return [run_entry(job, options) for job in jobs]
