"""``her2 cohort SHEET``: the command function (registered by cli.py with ``app.command("cohort")(cohort)``).

It parses options, calls ``her2cli.cohort`` and prints; every problem is one stderr line
(``her2: error: SAMPLE: FILE: reason`` for a failed sample) and a documented exit code: 0 all samples
done, 1 some samples failed (the others are in the outputs), 2-6 the sheet or the options are bad.
"""

from __future__ import annotations

import sys
import time
from typing import List, Optional

import typer

from her2cli.cli_common import Genome, fail as _fail, parse_thresholds
from her2cli.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, Her2Error


class _ProgressBar:
    """A rich progress bar on stderr, refreshed by hand from the progress callback (no refresh thread)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
            TimeRemainingColumn

        self.progress = Progress(
            TextColumn("samples"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
            TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), auto_refresh=False, transient=False,
        )
        self.task = None
        self.start = time.monotonic()
        self.first_done: Optional[int] = None
        self.last_refresh = 0.0

    def __call__(self, done: int, failed: int, total: int) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("", total=total, completed=done, failed=failed, rate="")
            self.first_done = done
            self.start = time.monotonic()
        elapsed = time.monotonic() - self.start
        fresh = done - (self.first_done or 0)
        rate = f"{fresh / elapsed:.1f} samples/s" if elapsed > 0 and fresh else ""
        now = time.monotonic()
        refresh = done >= total or now - self.last_refresh >= 0.1  # redrawing per sample would cost more than a sample
        if refresh:
            self.last_refresh = now
        self.progress.update(self.task, completed=done, failed=failed, rate=rate, refresh=refresh)

    def stop(self) -> None:
        if self.task is not None:
            self.progress.refresh()
        self.progress.stop()


def cohort(
    sheet: str = typer.Argument(..., metavar="SHEET", help="Sample sheet (TSV or CSV): sample, vcf, segments, tumor_sample, purity, ploidy, ihc; paths relative to the sheet."),
    output_dir: Optional[str] = typer.Option(None, "--output-dir", "-o", help="Write alterations.tsv, samples.tsv, cohort.tsv and errors.tsv here (default: the alteration table on stdout)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Samples annotated in parallel (worker processes)."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS", help="Send the samples to this Dask scheduler (e.g. tcp://host:8786); needs pip install 'her2cli[dask]'."),
    resume: bool = typer.Option(False, "--resume", help="Skip samples already done by a previous run into the same --output-dir."),
    genome: Optional[Genome] = typer.Option(None, "--genome", "-g", help="Genome build for every sample (default: from each file)."),
    reference: Optional[str] = typer.Option(None, "--reference", "-r", help="Indexed genome FASTA for REF checks and intronic normalisation."),
    segment_format: Optional[str] = typer.Option(None, "--segment-format", help="Force the segment format (default: detect)."),
    log_base: Optional[float] = typer.Option(None, "--log-base", help="Segment values are log ratios in this base."),
    threshold: List[str] = typer.Option([], "--threshold", help="Change a copy-number threshold, NAME=VALUE (repeatable)."),
    all_records: bool = typer.Option(False, "--all-records", help="Also report FILTER-failed alleles and alleles with no alt reads."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no notes (errors are still printed)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every per-sample notice (default: only how many)."),
) -> None:
    """Annotate every sample of a sample sheet: one alteration table, one verdict per sample, cohort counts."""
    if resume and not output_dir:
        _fail("--resume needs --output-dir (the directory of the run to resume)", EXIT_USAGE)
    bar = None
    try:
        from her2cli.cohort import read_sample_sheet, render_tables, run_cohort, write_cohort_outputs
        from her2cli.pipeline import Options

        entries = read_sample_sheet(sheet)
        options = Options(
            genome=genome.value if genome else None, reference_fasta=reference, all_records=all_records,
            segment_format=segment_format, log_base=log_base, thresholds=parse_thresholds(threshold) if threshold else None,
        )
        if not quiet and sys.stderr.isatty():
            bar = _ProgressBar()
        try:
            result = run_cohort(entries, options, jobs=jobs, dask_address=dask, progress=bar,
                                resume_dir=output_dir if resume else None, parts_dir=output_dir)
        finally:
            if bar is not None:
                bar.stop()
        if output_dir:
            write_cohort_outputs(result, output_dir)
        else:
            sys.stdout.write(render_tables(result)["alterations"])
            sys.stdout.flush()
    except Her2Error as exc:
        _fail(exc.one_line(), exc.exit_code)

    if not quiet and result.notices:
        if verbose:
            seen = set()
            for sample, notice in result.notices:
                if (sample, notice) not in seen:
                    seen.add((sample, notice))
                    sys.stderr.write(f"her2: note: {sample}: {notice}\n")
        else:
            n_with = len({sample for sample, _ in result.notices})
            sys.stderr.write(f"her2: note: {len(result.notices)} notice(s) for {n_with} sample(s); "
                             "--verbose lists them\n")
    for error in result.errors:
        sys.stderr.write(f"her2: error: {error['sample']}: {error['file']}: {error['reason']}\n")
    if not quiet:
        where = f" (see {output_dir}/errors.tsv)" if output_dir and result.errors else ""
        resumed = f", {result.n_resumed} from the previous run" if result.n_resumed else ""
        sys.stderr.write(f"her2: note: {result.n_samples - result.n_failed} of {result.n_samples} samples "
                         f"annotated{resumed}; {result.n_failed} failed{where}\n")
    sys.stderr.flush()
    raise typer.Exit(EXIT_PARTIAL if result.errors else EXIT_OK)
