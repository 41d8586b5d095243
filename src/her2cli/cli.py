"""The ``her2`` command line. It parses arguments, calls the library and prints; nothing else.

Every user-facing problem becomes one line on stderr (``her2: error: FILE[:LINE]: what is wrong``) and a
documented exit code (see ``her2cli.errors``); no traceback, and no partial output file.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import List, Optional

import typer

from her2cli import __version__
from her2cli.cli_common import Genome


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Annotate ERBB2 (HER2) alterations in NSCLC: mutations from VCFs, amplification from copy-number "
    "segments, one verdict per sample.",
)


class OutputFormat(str, Enum):
    tsv = "tsv"
    json = "json"
    table = "table"
    vcf = "vcf"
    maf = "maf"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"her2 {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """her2cli: ERBB2 (HER2) alterations in non-small-cell lung cancer."""


def _choose_format(fmt: Optional[OutputFormat], output: Optional[str]) -> str:
    from her2cli.annotate_run import choose_format

    return choose_format(fmt.value if fmt else None, output)


@app.command(
    epilog=(
        "Examples:\n\n"
        "  her2 annotate tumour.vcf.gz\n\n"
        "  her2 annotate tumour.vcf.gz --segments tumour.cns --purity 0.6 -o her2.tsv\n\n"
        "  her2 annotate --segments cohort.seg --genome GRCh37 --summary\n\n"
        "  bcftools view -f PASS tumour.bcf | her2 annotate - --format json"
    )
)
def annotate(
    inputs: List[str] = typer.Argument(None, metavar="[VCF]...", help="VCF/BCF files (.vcf, .vcf.gz, .bcf) or - for stdin."),
    segments: List[str] = typer.Option([], "--segments", "-s", help="Copy-number segment file (repeatable)."),
    segment_format: Optional[str] = typer.Option(None, "--segment-format", help="Force the segment format (default: detect)."),
    log_base: Optional[float] = typer.Option(None, "--log-base", help="Segment values are log ratios in this base (e.g. 10 for GenePattern .seg)."),
    genome: Optional[Genome] = typer.Option(None, "--genome", "-g", help="Genome build (default: from the header)."),
    reference: Optional[str] = typer.Option(None, "--reference", "-r", help="Indexed genome FASTA for REF checks and intronic normalisation."),
    sample: Optional[str] = typer.Option(None, "--sample", help="The tumour sample column (default: ##tumor_sample or the only sample)."),
    purity: Optional[float] = typer.Option(None, "--purity", min=0.01, max=1.0, help="Tumour purity (0-1] for copy-number rescaling."),
    ploidy: Optional[float] = typer.Option(None, "--ploidy", min=0.5, max=10.0, help="Tumour ploidy for copy-number calls."),
    ihc: Optional[str] = typer.Option(None, "--ihc", help="HER2 IHC score: 0, 1+, 2+ or 3+."),
    threshold: List[str] = typer.Option([], "--threshold", help="Change a copy-number threshold, NAME=VALUE (repeatable; see README)."),
    output_format: Optional[OutputFormat] = typer.Option(None, "--format", "-f", help="tsv (default when piped), json, table (default on a terminal), vcf, maf."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write here instead of stdout (written atomically)."),
    summary: bool = typer.Option(False, "--summary", help="One verdict row per sample instead of one row per alteration."),
    all_records: bool = typer.Option(False, "--all-records", help="Also report FILTER-failed alleles and alleles with no alt reads."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No notices on stderr."),
) -> None:
    """Annotate the ERBB2 alterations of one or more samples."""
    from her2cli.annotate_run import AnnotateArgs, run_annotate

    code = run_annotate(AnnotateArgs(
        inputs=list(inputs or []), segments=list(segments), segment_format=segment_format, log_base=log_base,
        genome=genome.value if genome else None, reference=reference, sample=sample, purity=purity,
        ploidy=ploidy, ihc=ihc, threshold=list(threshold),
        output_format=output_format.value if output_format else None, output=output, summary=summary,
        all_records=all_records, quiet=quiet,
    ))
    if code:
        raise typer.Exit(code)


@app.command()
def evidence(
    output_format: Optional[OutputFormat] = typer.Option(None, "--format", "-f", help="tsv or table (default on a terminal)."),
) -> None:
    """Print the bundled therapy-evidence table and its date."""
    from her2cli.evidence import EVIDENCE_TABLE_COLUMNS, evidence_rows, load_evidence
    from her2cli.report.tsv import render_tsv

    table = load_evidence()
    rows = evidence_rows(table)
    fmt = _choose_format(output_format, None)
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        view = Table(title=f"her2cli evidence table, version {table.version}, dated {table.date}", title_justify="left")
        for column in ("therapy", "alteration_class", "status", "date", "source"):
            view.add_column(column, overflow="fold")
        for row in rows:
            view.add_row(*(str(row.get(c) or "") for c in ("therapy", "alteration_class", "status", "date", "source")))
        Console().print(view)
        return
    sys.stdout.write(f"# her2cli evidence table version {table.version}, dated {table.date}\n")
    sys.stdout.write(render_tsv(rows, EVIDENCE_TABLE_COLUMNS))


def _register_commands() -> None:
    # Commands that live in their own modules (one module per concept); the CLI only registers them.
    from her2cli.cli_cohort import cohort
    from her2cli.cli_plot import plot

    app.command("cohort", help="Annotate a whole cohort from a sample sheet (TSV/CSV).")(cohort)
    app.command("plot", help="Draw a lollipop of ERBB2 mutations and/or the chr17 copy-number profile.")(plot)


_register_commands()


_COMMANDS = ("annotate", "evidence", "cohort", "plot")


def main() -> None:
    """Typer entry point (``her2cli.entry.main`` sends here whatever it does not serve itself).

    Usage errors become one line too (``her2: error: ...``, exit 2) instead of Click's usage block:
    ``her2 COMMAND --help`` shows the usage."""
    from her2cli.guard import guarded, print_error

    def run() -> int:
        try:
            code = app(standalone_mode=False, prog_name="her2")
        except typer.Abort:
            print_error("aborted")
            return 1
        except Exception as exc:
            # Click's UsageError/BadParameter family (Typer vendors its own copy of Click).
            if type(exc).__name__ == "NoArgsIsHelpError":  # plain `her2`: the help, not an error
                sys.stdout.write(exc.format_message() + "\n")
                return 0
            if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
                command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in _COMMANDS else ""
                print_error(f"{exc.format_message()} (see her2 {command + ' ' if command else ''}--help)")
                return exc.exit_code
            raise
        return code if isinstance(code, int) else 0

    sys.exit(guarded(run))
