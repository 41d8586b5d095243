"""One cohort run: the sheet's samples through a runner, merged in sheet order, published as one set.

``run_cohort(entries, options, ...)`` -> ``CohortResult`` (typed; the library never prints, progress goes
through ``progress(done, failed, total)``). ``render_tables(result)`` -> the tables as TSV text;
``write_cohort_outputs(result, directory, provenance)`` publishes the tables, ``report.html``, the sample
pages and the manifest together (``publisher``).
"""

from __future__ import annotations

import os
from dataclasses import field
from typing import Callable, Iterator, Optional

from her2cli.cohort import journal as journal_mod
from her2cli.cohort.publisher import OUTPUT_FILES, PAGES, REPORT, page_names, publish
from her2cli.cohort.runners import CohortSetupError, make_runner
from her2cli.cohort.spool import SPOOL_DIR, Spooled, TableSpool, read_chunks
from her2cli.cohort.worker import ERROR_COLUMNS, Job, SampleOutcome
from her2cli.io.atomic import output_error
from her2cli.values import valueclass

__all__ = ["CohortResult", "run_cohort", "render_tables", "write_cohort_outputs", "cohort_inputs", "ProgressCallback"]

ProgressCallback = Callable[[int, int, int], None]  # (done, failed, total); done includes failed


@valueclass
class CohortResult:
    alterations_tsv: str  # alteration rows (keys = report.columns.ALL_COLUMNS) as TSV data lines, sheet order
    alterations: list[dict]  # the same rows as data, sheet order (empty when run with keep_rows=False)
    summaries: list[dict]  # keys = SUMMARY_COLUMNS + metadata_columns, sheet order
    cohort: list[dict]  # keys = interpret.prevalence.PREVALENCE_COLUMNS
    errors: list[dict]  # keys = worker.ERROR_COLUMNS, sheet order
    notices: list[tuple[str, str]]  # (sample, notice), sheet order
    n_samples: int = 0
    n_resumed: int = 0
    metadata_columns: list[str] = field(default_factory=list)  # the sheet's own extra columns, in samples.tsv
    # sample -> (page file name, path of the page the worker wrote, sha256), when pages were asked for
    pages: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    genomes: list[str] = field(default_factory=list)  # the genome builds the samples were read on
    # With an output folder and keep_rows=False (the command): the tables were written to files as the samples
    # finished (cohort.spool.Spooled), and alterations_tsv, alterations and summaries stay empty.
    spooled: Optional[Spooled] = None

    @property
    def n_failed(self) -> int:
        return len(self.errors)


def run_cohort(entries: list, options, jobs: int = 1, dask_address: Optional[str] = None,
               progress: Optional[ProgressCallback] = None, resume_dir: Optional[str] = None,
               parts_dir: Optional[str] = None, pages: bool = False, keep_rows: bool = True) -> CohortResult:
    """Annotate every entry (``sheet.SheetEntry``) and gather the tables, rows in sheet order.

    ``jobs > 1`` uses that many worker processes; ``dask_address`` sends the samples to a Dask scheduler
    instead. ``parts_dir`` (the output folder) keeps a journal of each finished sample (and, with
    ``pages``, the page each worker wrote); ``resume_dir`` reuses what a previous run recorded there when
    the sheet row, the options and the input files are unchanged. ``progress(done, failed, total)`` is
    called once at the start and after each sample (from the calling thread). ``keep_rows=False`` keeps the
    alteration rows only as TSV lines (``alterations`` stays empty): what the command does; with an output
    folder too, every table is then written to a file as the samples finish (``cohort.spool``: the
    parent's memory does not grow with the cohort) and ``alterations_tsv`` and ``summaries`` stay empty."""

    runner = make_runner(jobs, dask_address, len(entries))
    if pages and not parts_dir:
        raise CohortSetupError("sample pages need an output folder (--pages goes with --output-dir)")
    total = len(entries)
    parts = os.path.join(parts_dir or resume_dir or ".", journal_mod.PARTS_DIR)
    pages_dir = os.path.join(parts, journal_mod.PAGES_DIR) if pages else None
    names = page_names(e.sample for e in entries) if pages else {}
    if pages_dir:
        try:
            os.makedirs(pages_dir, exist_ok=True)
        except OSError as exc:
            raise output_error(exc, pages_dir) from None
    metadata = list(entries[0].metadata) if entries else []
    spool = TableSpool(os.path.join(parts, SPOOL_DIR), metadata) if parts_dir and not keep_rows else None
    merge = _Merge(total, pages_dir, spool)
    counts = {"done": 0, "failed": 0}

    previous = journal_mod.load(os.path.join(resume_dir, journal_mod.PARTS_DIR)) if resume_dir else {}
    todo = []
    for index, entry in enumerate(entries):
        stored = previous.get(entry.sample)
        restored = journal_mod.restore(stored, entry.sample, journal_mod.fingerprint(entry, options, pages, keep_rows),
                                       parts) if stored is not None else None
        if restored is not None and (restored["page"] is None) == (not pages):
            merge.add(index, SampleOutcome(**restored))
            counts["done"] += 1
        else:  # the worker fingerprints the sample for the journal: the parent only appends the line
            todo.append((index, Job(entry, pages_dir, names.get(entry.sample), journal=bool(parts_dir),
                                    rows=keep_rows, report_rows=spool is not None)))
    del previous
    store = journal_mod.Journal(parts, bool(resume_dir)) if parts_dir else None
    if progress:
        progress(counts["done"], counts["failed"], total)

    def on_done(index: int, outcome: SampleOutcome) -> None:
        counts["done"] += 1
        if outcome.ok:
            if store:
                store.record(outcome.journal_line)
            outcome.journal_line = ""  # written: not kept for the whole run
        else:
            counts["failed"] += 1
        merge.add(index, outcome)
        if progress:
            progress(counts["done"], counts["failed"], total)

    try:
        if todo:
            runner.run(todo, options, on_done)
    except BaseException:
        if spool is not None:
            spool.discard()
        raise
    finally:
        if store:
            store.close()
    return merge.result(metadata)


class _Merge:
    """The outcomes, in sheet order as they become complete (an outcome that finished before an earlier
    sample waits for it): into a ``TableSpool`` when there is one (nothing of a sample kept), else into lists."""

    def __init__(self, total: int, pages_dir: Optional[str], spool: Optional[TableSpool]) -> None:
        self.total, self.pages_dir, self.spool = total, pages_dir, spool
        self.waiting: dict[int, SampleOutcome] = {}
        self.next = 0
        self.alterations_tsv: list[str] = []
        self.alterations: list[dict] = []
        self.summaries: list[dict] = []
        self.errors: list[dict] = []
        self.notices: list[tuple[str, str]] = []
        self.known: dict[str, str] = {}  # one copy of each notice text: many samples share one
        self.published: dict[str, tuple[str, str, str]] = {}
        self.genomes: set[str] = set()
        self.resumed = 0

    def add(self, index: int, outcome: SampleOutcome) -> None:
        self.waiting[index] = outcome
        while self.next in self.waiting:
            self._take(self.waiting.pop(self.next))
            self.next += 1

    def _take(self, outcome: SampleOutcome) -> None:
        self.resumed += outcome.resumed
        if outcome.error is not None:
            self.errors.append(outcome.error)
            return
        self.notices.extend((outcome.sample, self.known.setdefault(n, n)) for n in outcome.notices)
        self.genomes.update(outcome.genomes)
        link = None
        if outcome.page is not None and self.pages_dir:
            self.published[outcome.sample] = (outcome.page[0], os.path.join(self.pages_dir, outcome.page[0]),
                                              outcome.page[1])
            link = f"{PAGES}/{outcome.page[0]}"
        if self.spool is not None:
            self.spool.add(outcome, link)
            return
        self.alterations_tsv.append(outcome.rows_tsv)
        self.alterations.extend(outcome.rows)
        self.summaries.extend(outcome.summaries)

    def result(self, metadata: list[str]) -> CohortResult:
        from her2cli.interpret.prevalence import prevalence_table

        assert self.next == self.total and not self.waiting, "a sample's outcome is missing"
        spooled = self.spool.close() if self.spool is not None else None
        return CohortResult(alterations_tsv="".join(self.alterations_tsv), alterations=self.alterations,
                            summaries=self.summaries,
                            cohort=self.spool.prevalence.table() if self.spool is not None
                            else prevalence_table(self.summaries),
                            errors=self.errors, notices=self.notices, n_samples=self.total, n_resumed=self.resumed,
                            metadata_columns=metadata, pages=self.published, genomes=sorted(self.genomes),
                            spooled=spooled)


# ------------------------------------------------------------------------------------------- outputs


def table_renderers(result: CohortResult) -> dict[str, Callable[[], str]]:
    """Each table's renderer (TSV text when called), keyed like OUTPUT_FILES: a publisher renders, writes
    and drops one table at a time."""
    from her2cli.interpret.prevalence import PREVALENCE_COLUMNS
    from her2cli.interpret.verdict import SUMMARY_COLUMNS
    from her2cli.report.cna import cohort_cna_tables
    from her2cli.report.columns import ALL_COLUMNS
    from her2cli.report.tsv import render_tsv

    return {
        "cna": lambda: cohort_cna_tables(result.summaries)["cna"],
        "data_cna": lambda: cohort_cna_tables(result.summaries)["data_cna"],
        "alterations": lambda: "\t".join(ALL_COLUMNS) + "\n" + result.alterations_tsv,
        "samples": lambda: render_tsv(result.summaries, SUMMARY_COLUMNS + list(result.metadata_columns)),
        "cohort": lambda: render_tsv(result.cohort, PREVALENCE_COLUMNS),
        "errors": lambda: render_tsv(result.errors, ERROR_COLUMNS),
    }


def render_tables(result: CohortResult) -> dict[str, str]:
    """The tables as TSV text, keyed like OUTPUT_FILES."""
    return {key: render() for key, render in table_renderers(result).items()}


def cohort_inputs(sheet: Optional[str], entries: list, extra: tuple = ()) -> Iterator[str]:
    """Every file a run reads (the sheet, the samples' files and their indexes, ``extra``: a purity table,
    a reference, a study's MAF and lists): never an output. One at a time (a large sheet names many)."""
    yield from (p for p in (sheet, *extra) if p)
    for entry in entries:
        for path in entry.files():
            yield from (path, path + ".tbi", path + ".csi", path + ".bai", path + ".crai")


def write_cohort_outputs(result: CohortResult, directory: str, provenance=None) -> dict[str, str]:
    """Publish the tables, report.html (rendered here from the merged results, with ``provenance``), the
    pages the workers wrote and the manifest in ``directory`` as one set; returns the tables' paths. The
    resume journal and the workers' pages are removed when every sample succeeded, kept (for --resume)
    when some failed. A spooled result's tables are moved from the spool and its report streamed from it."""
    import shutil
    from pathlib import Path

    from her2cli.report.html import cohort_html_chunks, make_provenance, render_cohort_html

    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, directory) from None
    tables = table_renderers(result)
    links = {sample: f"{PAGES}/{name}" for sample, (name, _, _) in result.pages.items()}
    files: dict = {OUTPUT_FILES[key]: render for key, render in tables.items()}
    provenance = provenance or make_provenance()
    spooled = result.spooled
    if spooled is not None:
        files.update({name: Path(path) for name, path in spooled.tables.items()})
        files[REPORT] = lambda: cohort_html_chunks(spooled.counts, result.cohort, read_chunks(spooled.report_rows),
                                                   result.errors, provenance, result.genomes)
    else:
        files[REPORT] = lambda: render_cohort_html(result, provenance, links)
    try:
        publish(directory, files, {name: (path, digest) for name, path, digest in result.pages.values()})
    finally:
        if spooled is not None:
            shutil.rmtree(spooled.directory, ignore_errors=True)
    if not result.errors:
        shutil.rmtree(os.path.join(directory, journal_mod.PARTS_DIR), ignore_errors=True)
    return {key: os.path.join(directory, OUTPUT_FILES[key]) for key in tables}
