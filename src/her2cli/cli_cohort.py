"""``her2 cohort SHEET``: the command function (registered by cli.py with ``app.command("cohort")(cohort)``).

It parses options, calls ``her2cli.cohort`` and prints; every problem is one stderr line
(``her2: error: SAMPLE: FILE: reason`` for a failed sample) and a documented exit code: 0 all samples
done, 1 some samples failed (the others are in the outputs), 2-6 the sheet or the options are bad.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from her2cli.cli_common import Genome


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
    from her2cli.cohort_run import CohortArgs, run_cohort_command

    code = run_cohort_command(CohortArgs(
        sheet=sheet, output_dir=output_dir, jobs=jobs, dask=dask, resume=resume,
        genome=genome.value if genome else None, reference=reference, segment_format=segment_format,
        log_base=log_base, threshold=list(threshold), all_records=all_records, quiet=quiet, verbose=verbose,
    ))
    raise typer.Exit(code)
