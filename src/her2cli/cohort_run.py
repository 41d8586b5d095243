"""Running ``her2 cohort``: a sample sheet in, the four tables out, one stderr line per failed sample.

Command-line layer without Typer (see ``annotate_run``): ``entry.main`` serves plain invocations itself,
the Typer command in ``cli_cohort`` calls the same ``run_cohort_command``. Exit codes: 0 all samples done,
1 some samples failed (the others are in the outputs), 2-6 the sheet or the options are bad.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import List, Optional

from her2cli.annotate_run import thresholds_from_items
from her2cli.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, Her2Error
from her2cli.guard import print_error as _error


@dataclass
class CohortArgs:
    sheet: str = ""
    output_dir: Optional[str] = None
    jobs: int = 1
    dask: Optional[str] = None
    resume: bool = False
    genome: Optional[str] = None
    reference: Optional[str] = None
    segment_format: Optional[str] = None
    log_base: Optional[float] = None
    threshold: List[str] = field(default_factory=list)
    all_records: bool = False
    quiet: bool = False
    verbose: bool = False


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


def run_cohort_command(args: CohortArgs) -> int:
    """Annotate every sample of a sample sheet: one alteration table, one verdict per sample, cohort counts."""
    if args.resume and not args.output_dir:
        _error("--resume needs --output-dir (the directory of the run to resume)")
        return EXIT_USAGE
    bar = None
    try:
        from her2cli.cohort import read_sample_sheet, render_tables, run_cohort, write_cohort_outputs
        from her2cli.pipeline import Options

        entries = read_sample_sheet(args.sheet)
        options = Options(
            genome=args.genome, reference_fasta=args.reference, all_records=args.all_records,
            segment_format=args.segment_format, log_base=args.log_base,
            thresholds=thresholds_from_items(args.threshold) if args.threshold else None,
        )
        if not args.quiet and sys.stderr.isatty():
            bar = _ProgressBar()
        try:
            result = run_cohort(entries, options, jobs=args.jobs, dask_address=args.dask, progress=bar,
                                resume_dir=args.output_dir if args.resume else None, parts_dir=args.output_dir)
        finally:
            if bar is not None:
                bar.stop()
        if args.output_dir:
            write_cohort_outputs(result, args.output_dir)
        else:
            sys.stdout.write(render_tables(result)["alterations"])
            sys.stdout.flush()
    except Her2Error as exc:
        _error(exc.one_line())
        return exc.exit_code

    if not args.quiet and result.notices:
        if args.verbose:
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
    if not args.quiet:
        where = f" (see {args.output_dir}/errors.tsv)" if args.output_dir and result.errors else ""
        resumed = f", {result.n_resumed} from the previous run" if result.n_resumed else ""
        sys.stderr.write(f"her2: note: {result.n_samples - result.n_failed} of {result.n_samples} samples "
                         f"annotated{resumed}; {result.n_failed} failed{where}\n")
    sys.stderr.flush()
    return EXIT_PARTIAL if result.errors else EXIT_OK


# Options the simple parser understands (entry.main); anything else goes to Typer.
_VALUE_OPTIONS = {
    "--output-dir": ("output_dir", "str"), "-o": ("output_dir", "str"), "--jobs": ("jobs", "jobs"),
    "-j": ("jobs", "jobs"), "--dask": ("dask", "str"), "--genome": ("genome", "genome"), "-g": ("genome", "genome"),
    "--reference": ("reference", "str"), "-r": ("reference", "str"), "--segment-format": ("segment_format", "str"),
    "--log-base": ("log_base", "float"), "--threshold": ("threshold", "list"),
}
_FLAGS = {"--resume": "resume", "--all-records": "all_records", "--quiet": "quiet", "-q": "quiet",
          "--verbose": "verbose", "-v": "verbose"}


def parse_simple(argv: List[str]) -> Optional[CohortArgs]:
    """``cohort SHEET ...`` parsed without Typer when every token is plainly valid; None otherwise."""
    if not argv or argv[0] != "cohort":
        return None
    from her2cli.simple_args import parse

    args = parse(argv[1:], CohortArgs(), _VALUE_OPTIONS, _FLAGS, positional="sheet", max_positional=1)
    if args is not None:
        args.jobs = int(args.jobs)
    return args
