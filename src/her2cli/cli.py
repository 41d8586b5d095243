"""The ``her2`` command line: Typer parses the arguments, the library does the work, this module prints.

Every user-facing problem becomes one line on stderr (``her2: error: FILE[:LINE]: what is wrong``) and a
documented exit code (``her2cli.errors``); no traceback, and no partial output file. ``run_guarded`` is
the one place that maps exceptions to exit codes, ``print_error`` the one place that prints an error.

Start-up matters (an indexed VCF is answered in a fraction of a second), so the library and rich are
imported inside the commands, never at module level. For the same reason the annotations here are real
objects (no ``from __future__ import annotations``): Typer would otherwise evaluate every one of them as a
string on each call, and it is given only the command that was asked for (``_app_for``).
"""

import contextlib
import copy
import gc
import math
import os
import sys
import time
from typing import List, Optional

import typer

from her2cli.version import __version__
from her2cli.errors import (
    EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_TERMINATED, EXIT_USAGE,
    Her2Error, UsageError,
)

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Annotate ERBB2 (HER2) alterations in NSCLC: mutations from VCFs, amplification from copy-number "
    "segments, one verdict per sample.\n\n" + EXIT_CODES_HELP,
)

def _formats():
    from her2cli.report.render import formats

    return formats()


def _format_help() -> str:
    return "; ".join(f"{f.name}: {f.description}" for f in _formats().values()) + \
        ". Default: from -o's extension, else table on a terminal, tsv in a pipe."


def print_error(message: str) -> None:
    """The one stderr line of a failed command."""
    sys.stderr.write(f"her2: error: {message}\n")
    sys.stderr.flush()


def print_notes(notices, quiet: bool) -> None:
    """Notices on stderr, each once, in order."""
    if quiet:
        return
    seen = set()
    for notice in notices:
        if notice not in seen:
            seen.add(notice)
            sys.stderr.write(f"her2: note: {notice}\n")
    sys.stderr.flush()


# --- option values checked here so that a bad one is a usage error (exit 2) with the allowed range --------

def _genome_option(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from her2cli.errors import GenomeBuildError
    from her2cli.reference.builds import normalise_build

    try:
        return normalise_build(value)
    except GenomeBuildError as exc:
        raise typer.BadParameter(exc.message) from None


def _purity_option(value: Optional[float]) -> Optional[float]:
    if value is not None and not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise typer.BadParameter(f"{value} is not in (0, 1]: purity is the tumour-cell fraction, e.g. 0.6")
    return value


def _ploidy_option(value: Optional[float]) -> Optional[float]:
    if value is not None and not (math.isfinite(value) and 0.5 <= value <= 10.0):
        raise typer.BadParameter(f"{value} is not in [0.5, 10]")
    return value


def _log_base_option(value: Optional[float]) -> Optional[float]:
    if value is not None and not (math.isfinite(value) and value > 0 and value != 1):
        raise typer.BadParameter(f"{value} is not a logarithm base: use a number > 0 other than 1 (2, 10, e)")
    return value


def _format_option(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in _formats():
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(_formats())}")
    return value


# Options that `annotate` and `cohort` share: one definition each.
SEGMENT_FORMAT_OPTION = typer.Option(None, "--segment-format", metavar="NAME",
                                     help="Force the segment format (default: detect).")
REFERENCE_OPTION = typer.Option(None, "--reference", "-r", metavar="FASTA",
                                help="Indexed genome FASTA for REF checks and intronic normalisation.")
ALL_RECORDS_OPTION = typer.Option(False, "--all-records",
                                  help="Also report FILTER-failed alleles and alleles with no alt reads.")
ASSUME_SORTED_OPTION = typer.Option(False, "--assume-sorted",
                                    help="Trust that unindexed VCFs are sorted: stop reading past ERBB2 (plain text) "
                                         "or bisect BGZF. Faster on big files, but a record out of order (e.g. after "
                                         "'cat a.vcf b.vcf') is MISSED. Default: read them whole.")

KNOWLEDGE_OPTION = typer.Option(None, "--knowledge", metavar="FILE",
                                help="Your curated knowledge: OncoKB allAnnotatedVariants.txt, CIViC "
                                     "VariantSummaries.tsv or a her2cli knowledge table; a class it names overrides "
                                     "ours (see docs/oncogenicity.md).")


def _check_knowledge(path: Optional[str]) -> None:
    """A bad --knowledge file stops the run before any sample is read."""
    if path is not None:
        from her2cli.interpret.user_knowledge import load_user_knowledge

        load_user_knowledge(path)


MIN_DEPTH_OPTION = typer.Option(250, "--min-depth", min=1, metavar="N",
                                help="Reads a base needs for a negative to count (AMP/CAP 2017: 250; docs/coverage.md).")
MIN_ALT_READS_OPTION = typer.Option(5, "--min-alt-reads", min=1, metavar="N",
                                    help="The caller's minimum alt reads, for the limit of detection.")


def choose_format(fmt: Optional[str], output: Optional[str]) -> str:
    from her2cli.report.render import choose_format as choose

    if output is not None and not output.strip():
        raise UsageError("-o needs a file name (or - for standard output)")
    return choose(fmt, output, sys.stdout.isatty())


def thresholds_from_items(items: List[str]):
    """``--threshold NAME=VALUE`` items into copynumber.Thresholds; UsageError on a bad item."""
    import dataclasses

    from her2cli.copynumber import Thresholds

    fields = {f.name for f in dataclasses.fields(Thresholds)}
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            raise UsageError(f"--threshold takes NAME=VALUE with NAME one of: {', '.join(sorted(fields))}")
        try:
            values[name] = float(text)
        except ValueError:
            raise UsageError(f"--threshold {name}: not a number: {text!r}") from None
    try:
        return Thresholds(**values)
    except ValueError as exc:
        raise UsageError(f"--threshold: {exc}") from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"her2 {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """her2cli: ERBB2 (HER2) alterations in non-small-cell lung cancer."""


# --- her2 annotate -----------------------------------------------------------------------------------------

@app.command(
    epilog=(
        "Examples:\n\n"
        "  her2 annotate tumour.vcf.gz\n\n"
        "  her2 annotate tumour.vcf.gz --segments tumour.cns --purity 0.6 -o her2.tsv\n\n"
        "  her2 annotate --segments cohort.seg --summary\n\n"
        "  bcftools view -f PASS tumour.bcf | her2 annotate - --format json"
    )
)
def annotate(
    inputs: Optional[List[str]] = typer.Argument(None, metavar="VCF", show_default=False, hidden=True),
    segments: List[str] = typer.Option([], "--segments", "-s", metavar="FILE", show_default=False,
                                       help="Copy-number segment file (repeatable)."),
    segment_format: Optional[str] = SEGMENT_FORMAT_OPTION,
    log_base: Optional[float] = typer.Option(None, "--log-base", metavar="BASE", callback=_log_base_option,
                                             help="Segment values are log ratios in this base (e.g. 10)."),
    genome: Optional[str] = typer.Option(None, "--genome", "-g", metavar="BUILD", callback=_genome_option,
                                         help="GRCh37 or GRCh38 (hg19/hg38 too; default: from the input)."),
    reference: Optional[str] = REFERENCE_OPTION,
    sample: Optional[str] = typer.Option(None, "--sample", metavar="NAME",
                                         help="The tumour sample column (default: ##tumor_sample or the only sample)."),
    normal: Optional[str] = typer.Option(None, "--normal", metavar="NAME",
                                         help="The matched-normal column (default: ##normal_sample or the other of two "
                                              "samples); decides germline vs somatic."),
    purity: Optional[float] = typer.Option(None, "--purity", metavar="FRACTION", callback=_purity_option,
                                           help="Tumour purity (0-1] for copy-number rescaling."),
    ploidy: Optional[float] = typer.Option(None, "--ploidy", metavar="N", callback=_ploidy_option,
                                           help="Tumour ploidy [0.5-10] for copy-number calls."),
    purity_table: Optional[str] = typer.Option(None, "--purity-table", metavar="FILE",
                                               help="Per-sample purity/ploidy (sample purity ploidy; ASCAT or "
                                                    "ABSOLUTE summaries too; see docs/copy-number.md)."),
    ihc: Optional[str] = typer.Option(None, "--ihc", metavar="SCORE", help="HER2 IHC score: 0, 1+, 2+ or 3+."),
    knowledge: Optional[str] = KNOWLEDGE_OPTION,
    threshold: List[str] = typer.Option([], "--threshold", metavar="NAME=VALUE", show_default=False,
                                        help="Change a copy-number threshold (repeatable; see docs/copy-number.md)."),
    output_format: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT", callback=_format_option,
                                                help=_format_help()),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Write here instead of stdout (written atomically; a device or "
                                              "FIFO is written through); the extension chooses the format (.tsv "
                                              ".json .vcf .vcf.gz .bcf .maf .html .pdf; another needs -f)."),
    paper: str = typer.Option("A4", "--paper", metavar="SIZE", help="Paper of a PDF report: A4 or Letter."),
    index: bool = typer.Option(False, "--index", help="Index a .vcf.gz (tabix .tbi) or .bcf (.csi) output."),
    summary: bool = typer.Option(False, "--summary", help="One verdict row per sample instead of one row per alteration."),
    all_records: bool = ALL_RECORDS_OPTION,
    assume_sorted: bool = ASSUME_SORTED_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No notices on stderr."),
    coverage: Optional[str] = typer.Option(None, "--coverage", metavar="FILE",
                                           help="Depth over ERBB2: indexed BAM or CRAM (CRAM with --reference), or "
                                                "mosdepth per-base/regions/thresholds .bed.gz (docs/coverage.md)."),
    targets: Optional[str] = typer.Option(None, "--targets", metavar="FILE", help="The panel's target BED."),
    min_depth: int = MIN_DEPTH_OPTION,
    min_alt_reads: int = MIN_ALT_READS_OPTION,
    vcf_info_field: str = typer.Option("HER2", "--vcf-info-field", metavar="NAME",
                                       help="The INFO field of the annotated VCF/BCF (as VEP's --vcf_info_field)."),
    retain_info: Optional[str] = typer.Option(None, "--retain-info", metavar="KEYS",
                                              help="MAF: INFO fields kept as extra columns, comma-separated "
                                                   "(as vcf2maf)."),
    retain_fmt: Optional[str] = typer.Option(None, "--retain-fmt", metavar="KEYS",
                                             help="MAF: FORMAT fields kept as extra t_KEY and n_KEY columns, "
                                                  "comma-separated (as vcf2maf)."),
    maf_center: str = typer.Option(".", "--maf-center", metavar="NAME",
                                   help="MAF: the Center column (as vcf2maf)."),
) -> None:
    """Annotate the ERBB2 alterations of one or more samples.

    VCF: VCF/BCF files (.vcf, .vcf.gz, .bcf), or - for standard input (text or BCF)."""
    inputs = list(inputs or [])
    if not inputs and not segments:
        raise UsageError("give at least one VCF or --segments FILE (see her2 annotate --help)")
    if len(inputs) > 1 and (segments or sample or coverage or targets):
        raise UsageError("--segments/--sample/--coverage/--targets go with a single VCF; use 'her2 cohort' with a "
                         "sample sheet for several")
    fmt = choose_format(output_format, output)
    from her2cli.interpret.evidence import normalize_ihc
    from her2cli.io.atomic import guard_inputs, refuse_inputs
    from her2cli.pipeline import Options, SampleRequest, run_sample
    from her2cli.report.render import formats

    retained = _output_field_options(fmt, vcf_info_field, retain_info, retain_fmt, maf_center)

    if ihc is not None:
        try:
            ihc = normalize_ihc(ihc)
        except ValueError as exc:
            raise UsageError(f"--ihc: {exc}") from None
    # A VCF output carries every allele, as VEP does: FILTER-failed ones are annotated too.
    every_record = all_records or formats()[fmt].annotate_every_record
    read_files = inputs + list(segments)
    read_files += [path for path in (reference, purity_table, coverage, targets, knowledge) if path]
    read_files += [path + suffix for path in inputs for suffix in (".tbi", ".csi")]
    written = [output, *((output + ".tbi", output + ".csi") if index else ())] if output else []
    refuse_inputs(written, read_files)  # before any work: -o a.vcf must not replace a.vcf
    # Inputs read twice (VCF/BCF output passes every record through; HTML draws the segments and lists
    # checksums; the purity table is checked, then read) are copied once if they are FIFOs or <(...).
    from her2cli.io.lines import spool_streams

    report = fmt in ("html", "pdf")
    twice = formats()[fmt].annotate_every_record or report
    copies = spool_streams([*(inputs if twice else []), *(segments if report else []), purity_table])
    purity_table = copies.get(purity_table, purity_table) if purity_table else None
    options = Options(
        genome=genome, reference_fasta=reference, all_records=every_record, segment_format=segment_format,
        log_base=log_base, thresholds=thresholds_from_items(threshold) if (threshold or segments) else None,
        normal_sample=normal, purity_table=purity_table, assume_sorted=assume_sorted, knowledge=knowledge,
        min_depth=min_depth, min_alt_reads=min_alt_reads,
        retain_info=tuple(retained["retain_info"]), retain_fmt=tuple(retained["retain_fmt"]),
    )
    _check_knowledge(knowledge)
    if purity_table is not None:
        from her2cli.copynumber import read_purity_table

        read_purity_table(purity_table)   # a bad table stops the run before any sample is read
    requests = [SampleRequest(vcf=path, segments=list(segments), tumor_sample=sample, purity=purity,
                              ploidy=ploidy, ihc=ihc, coverage=coverage, targets=targets) for path in inputs]
    if not requests:
        requests = [SampleRequest(segments=list(segments), purity=purity, ploidy=ploidy, ihc=ihc)]
    with guard_inputs(read_files), _stdin_spooled(requests if formats()[fmt].annotate_every_record else []) as spool:
        results = [result for request in requests for result in run_sample(request, options)]
        if spool is not None:  # the VCF output re-reads its input: the spool stands in for stdin
            _name_stdin(results, spool)
            inputs = [spool if path == "-" else path for path in inputs]
        inputs = [copies.get(path, path) for path in inputs]  # the VCF writer re-reads a FIFO's copy
        _write_annotation(results, fmt, output, index, summary, inputs, segments, options, requests, quiet,
                          retained, spool, paper)


def _output_field_options(fmt: str, vcf_info_field: str, retain_info: Optional[str], retain_fmt: Optional[str],
                          maf_center: str) -> dict:
    """The options that shape one output format, checked against it: --vcf-info-field goes with vcf/bcf,
    --retain-info/--retain-fmt/--maf-center with maf; a key that cannot be a VCF key is a usage error."""
    if vcf_info_field == "HER2" and not retain_info and not retain_fmt and maf_center == ".":
        return {"retain_info": [], "retain_fmt": [], "vcf_info_field": vcf_info_field, "maf_center": maf_center}
    from her2cli.report.vcf_out import DEFAULT_INFO_FIELD, check_field_name  # only when one is given

    check_field_name(vcf_info_field, "--vcf-info-field")
    if vcf_info_field != DEFAULT_INFO_FIELD and fmt not in ("vcf", "bcf"):
        raise UsageError("--vcf-info-field goes with a VCF or BCF output (-f vcf, -o x.vcf.gz, -o x.bcf)")
    lists = {}
    for option, value in (("--retain-info", retain_info), ("--retain-fmt", retain_fmt)):
        keys = [key.strip() for key in (value or "").split(",") if key.strip()]
        for key in keys:
            check_field_name(key, option)
        lists[option[2:].replace("-", "_")] = list(dict.fromkeys(keys))
    if any(ch in maf_center for ch in "\t\r\n"):  # one MAF cell: a tab or line break would shift the columns
        raise UsageError(f"--maf-center {maf_center!r}: a MAF cell cannot hold a tab or a line break")
    if (lists["retain_info"] or lists["retain_fmt"] or maf_center != ".") and fmt != "maf":
        raise UsageError("--retain-info, --retain-fmt and --maf-center go with a MAF output (-f maf or -o x.maf)")
    return {**lists, "vcf_info_field": vcf_info_field, "maf_center": maf_center}


@contextlib.contextmanager
def _stdin_spooled(requests):
    """For outputs that pass every input record through (VCF, BCF): standard input, which cannot be read
    twice, copied to a temporary file that both the annotation and the writer read; removed afterwards."""
    if not any(request.vcf == "-" for request in requests):
        yield None
        return
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="her2-stdin-") as folder:
        spool = os.path.join(folder, "stdin")
        with open(spool, "wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle, 1 << 20)
        for request in requests:
            if request.vcf == "-":
                request.vcf = spool
        yield spool


def _name_stdin(results, spool: str) -> None:
    """Say "<stdin>" where the spool's path would otherwise show."""
    for result in results:
        for item in (result, result.verdict, *result.calls):
            if item is not None and getattr(item, "source", None) == spool:
                item.source = "<stdin>"
        result.notices[:] = [notice.replace(spool, "<stdin>") for notice in result.notices]


def _write_annotation(results, fmt, output, index, summary, inputs, segments, options, requests, quiet,
                      retained, spool=None, paper: str = "A4") -> None:
    """Write the results in ``fmt`` and print the notices (once: the terminal report shows its own)."""
    import shutil

    from her2cli.report.render import RenderContext, distinct_sample_names, write
    from her2cli.report.terminal import use_color

    distinct_sample_names(results)
    terminal = sys.stdout.isatty()
    context = RenderContext(summary=summary, input_paths=inputs, color=use_color(terminal),
                            width=shutil.get_terminal_size((100, 24)).columns if terminal else 100, **retained)
    if fmt in ("html", "pdf"):
        from her2cli.report.html import make_provenance
        from her2cli.report.pdf import PAPERS

        if paper.lower() not in PAPERS:
            raise UsageError(f"--paper {paper}: use A4 or Letter")
        context.paper = paper

        context.provenance = make_provenance(inputs, segments, options, requests[0])
    written = write(results, fmt, output, context, index=index)
    if written and fmt in ("vcf", "bcf"):
        # An index left by an earlier run beside a new file no longer matches it: say so (it is not ours
        # to delete).
        context.notices.extend(f"{written[0] + suffix} is from an earlier run and does not index the new "
                               f"{written[0]}: remove it or write with --index"
                               for suffix in (".tbi", ".csi")
                               if written[0] + suffix not in written and os.path.exists(written[0] + suffix))
    # The terminal report has its own Notices section: on a terminal, stderr would repeat it.
    report_shows_notices = fmt == "table" and output is None and terminal
    written_notices = [notice.replace(spool, "<stdin>") if spool else notice for notice in context.notices]
    print_notes([notice for result in results for notice in result.notices] + written_notices,
                quiet or report_shows_notices)


# --- her2 evidence -----------------------------------------------------------------------------------------

@app.command()
def evidence(
    output_format: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                                help="tsv (default in a pipe), json or table (default on a terminal)."),
) -> None:
    """Print the bundled therapy-evidence table and its date."""
    from her2cli.interpret.evidence import EVIDENCE_TABLE_COLUMNS, evidence_rows, load_evidence
    from her2cli.report.tsv import render_tsv

    if output_format not in (None, "tsv", "json", "table"):
        raise UsageError(f"--format {output_format}: her2 evidence writes tsv, json or table")
    table = load_evidence()
    rows = evidence_rows(table)
    if output_format == "json":
        from her2cli.report.json_report import render_evidence_json

        sys.stdout.write(render_evidence_json(table))
        return
    if choose_format(output_format, None) == "table":
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


# --- her2 cohort -------------------------------------------------------------------------------------------

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


@app.command()
def cohort(
    sheet: Optional[str] = typer.Argument(None, metavar="[SHEET]", show_default=False,
                                          help="Sample sheet (TSV or CSV): sample, vcf (or maf), segments, segments_sample, "
                                               "tumor_sample, normal_sample, purity, ploidy, ihc, and any metadata "
                                               "columns (carried to samples.tsv); paths relative to the sheet."),
    maf: Optional[str] = typer.Option(None, "--maf", metavar="FILE",
                                      help="A whole study instead of a sheet: its MAF (e.g. data_mutations.txt), one "
                                           "sample per Tumor_Sample_Barcode."),
    study_segments: List[str] = typer.Option([], "--segments", "-s", metavar="FILE", show_default=False,
                                             help="With --maf: the study's multi-sample segment file (repeatable)."),
    samples: Optional[str] = typer.Option(None, "--samples", metavar="FILE",
                                          help="With --maf: every sequenced sample (cBioPortal case list or one ID per "
                                               "line); the prevalence denominator. Without it the denominator is the "
                                               "samples seen."),
    output_dir: Optional[str] = typer.Option(None, "--output-dir", "-o", metavar="DIR",
                                             help="Write the tables (alterations, samples, cohort prevalence, errors, "
                                                  "CNA), report.html (with --pages, a page per sample) and the "
                                                  "manifest her2-run.json here, published together (default: the "
                                                  "alteration table on stdout)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, metavar="N", help="Samples annotated in parallel (worker processes)."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS",
                                       help="Send the samples to this Dask scheduler (e.g. tcp://host:8786); "
                                            "needs pip install 'her2cli[dask]'."),
    resume: bool = typer.Option(False, "--resume", help="Skip samples already done by a previous run into the same --output-dir."),
    pages: bool = typer.Option(False, "--pages", help="Also write one HTML page per sample (DIR/samples/), rendered "
                                                       "by the workers; report.html is always written."),
    force: bool = typer.Option(False, "--force", help="Write into a non-empty --output-dir that her2 did not create "
                                                       "(files her2 did not write are still never replaced)."),
    genome: Optional[str] = typer.Option(None, "--genome", "-g", metavar="BUILD", callback=_genome_option,
                                         help="Genome build for every sample (default: from each file)."),
    reference: Optional[str] = REFERENCE_OPTION,
    segment_format: Optional[str] = SEGMENT_FORMAT_OPTION,
    log_base: Optional[float] = typer.Option(None, "--log-base", metavar="BASE", callback=_log_base_option,
                                             help="Segment values are log ratios in this base."),
    threshold: List[str] = typer.Option([], "--threshold", metavar="NAME=VALUE", show_default=False,
                                        help="Change a copy-number threshold (repeatable)."),
    purity_table: Optional[str] = typer.Option(None, "--purity-table", metavar="FILE",
                                               help="Per-sample purity/ploidy for copy number (the sheet's own "
                                                    "purity/ploidy columns win)."),
    knowledge: Optional[str] = KNOWLEDGE_OPTION,
    all_records: bool = ALL_RECORDS_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no notes (errors are still printed)."),
    assume_sorted: bool = ASSUME_SORTED_OPTION,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every per-sample notice (default: only how many)."),
    min_depth: int = MIN_DEPTH_OPTION,
    min_alt_reads: int = MIN_ALT_READS_OPTION,
) -> None:
    """Annotate every sample of a sample sheet: one alteration table, one verdict per sample, cohort counts.

    Exit 0 when every sample was annotated, 1 when some failed (the others are in the outputs)."""
    if resume and not output_dir:
        raise UsageError("--resume needs --output-dir (the directory of the run to resume)")
    if (sheet is None) == (maf is None):
        raise UsageError("give a sample sheet or --maf FILE (a whole study), not both")
    if maf is None and (study_segments or samples):
        raise UsageError("--segments and --samples go with --maf (a sheet names each sample's files)")
    from her2cli.cohort.api import run_maf_study, run_sheet
    from her2cli.cohort.run import render_tables
    from her2cli.cohort.sheet import read_sample_sheet
    from her2cli.pipeline import Options

    if pages and not output_dir:
        raise UsageError("--pages needs --output-dir (the pages are files beside report.html)")
    entries = read_sample_sheet(sheet) if sheet is not None else None
    from her2cli.io.lines import spool_streams

    # A FIFO purity table is read by every worker, FIFO study segments again by the report: copied once.
    # A FIFO study MAF too when a report is written: its checksum in the report is of the bytes read.
    copies = spool_streams([purity_table, *(([*study_segments, maf] if maf else study_segments) if output_dir else [])])
    purity_table = copies.get(purity_table, purity_table) if purity_table else None
    options = Options(
        genome=genome, reference_fasta=reference, all_records=all_records, segment_format=segment_format,
        log_base=log_base, thresholds=thresholds_from_items(threshold) if threshold else None,
        purity_table=purity_table, assume_sorted=assume_sorted, knowledge=knowledge, min_depth=min_depth,
        min_alt_reads=min_alt_reads,
    )
    _check_knowledge(knowledge)
    if purity_table is not None:
        from her2cli.copynumber import read_purity_table

        read_purity_table(purity_table)   # a bad table stops the run before any sample is read
    provenance = None
    if output_dir:
        from her2cli.report.html import make_provenance

        provenance = make_provenance(maf, study_segments, options, sample_sheet=sheet)
    if maf is not None:
        result = run_maf_study(maf, study_segments, samples, options, output_dir, pages, force, provenance)
    else:
        bar = _ProgressBar() if not quiet and sys.stderr.isatty() else None
        try:
            result = run_sheet(sheet, entries, options, jobs, output_dir, pages, force, dask, bar, resume, provenance,
                               keep_rows=False)  # the command writes the TSV lines; no dict per row kept
        finally:
            if bar is not None:
                bar.stop()
    if not output_dir:
        sys.stdout.write(render_tables(result)["alterations"])
        sys.stdout.flush()
    if not quiet and result.notices:
        if verbose:
            print_notes((f"{sample}: {notice}" for sample, notice in result.notices), quiet)
        else:
            n_with = len({sample for sample, _ in result.notices})
            sys.stderr.write(f"her2: note: {len(result.notices)} notice(s) for {n_with} sample(s); "
                             "--verbose lists them\n")
    for error in result.errors:
        print_error(f"{error['sample']}: {error['file']}: {error['reason']}")
    if not quiet:
        where = f" (see {output_dir}/errors.tsv)" if output_dir and result.errors else ""
        resumed = f", {result.n_resumed} from the previous run" if result.n_resumed else ""
        sys.stderr.write(f"her2: note: {result.n_samples - result.n_failed} of {result.n_samples} samples "
                         f"annotated{resumed}; {result.n_failed} failed{where}\n")
    sys.stderr.flush()
    if result.errors:
        raise typer.Exit(EXIT_PARTIAL)


# --- her2 plot ---------------------------------------------------------------------------------------------

PLOT_KINDS = ("auto", "lollipop", "copy-number")


def _with_suffix(output: str, suffix: str) -> str:
    stem, ext = os.path.splitext(output)
    return f"{stem}.{suffix}{ext}"


@app.command()
def plot(
    inputs: Optional[List[str]] = typer.Argument(None, metavar="VCF", show_default=False, hidden=True),
    segments: List[str] = typer.Option([], "--segments", "-s", metavar="FILE", show_default=False,
                                       help="Copy-number segment file (repeatable)."),
    genome: Optional[str] = typer.Option(None, "--genome", "-g", metavar="BUILD", callback=_genome_option,
                                         help="GRCh37 or GRCh38 (default: from the input)."),
    output: str = typer.Option(..., "--output", "-o", metavar="FILE", help="Picture file: .png, .svg or .pdf."),
    kind: str = typer.Option("auto", "--kind", metavar="KIND", help="lollipop, copy-number or auto."),
) -> None:
    """Draw a lollipop of ERBB2 mutations and/or the chr17 copy-number profile of VCF/BCF files (one
    sample each) and/or segment files.

    auto (default): a lollipop when VCFs are given, a copy-number profile when segments are given; with
    both, OUTPUT's extension is replaced by .lollipop.EXT and .copy_number.EXT. Several samples in the
    segments: OUTPUT-stem.SAMPLE.EXT. The picture format follows OUTPUT's extension."""
    inputs = list(inputs or [])
    if kind not in PLOT_KINDS:
        raise UsageError(f"--kind must be one of {', '.join(PLOT_KINDS)} (got {kind!r})")
    want_lollipop = kind == "lollipop" or (kind == "auto" and bool(inputs))
    want_cn = kind == "copy-number" or (kind == "auto" and bool(segments))
    if want_lollipop and not inputs:
        raise UsageError("--kind lollipop needs at least one VCF")
    if want_cn and not segments:
        raise UsageError("--kind copy-number needs --segments FILE")
    if not want_lollipop and not want_cn:
        raise UsageError("give at least one VCF or --segments FILE (see her2 plot --help)")
    if want_cn and len(inputs) > 1:
        raise UsageError("--segments goes with a single VCF (one sample)")
    from her2cli.io.atomic import guard_inputs, refuse_inputs
    from her2cli.report import plots

    plots.picture_format(output)
    both = want_lollipop and want_cn
    pictures = [_with_suffix(output, "lollipop"), _with_suffix(output, "copy_number")] if both else [output]
    refuse_inputs(pictures, inputs + segments)  # before any work: a picture never replaces an input
    from her2cli.io.lines import spool_streams

    spool_streams([*inputs, *segments])  # a FIFO or <(...) is read more than once (sniffed, then drawn): copied once
    with guard_inputs(inputs + segments):  # the pictures named per sample are checked as they are written
        _plot(inputs, segments, genome, output, want_lollipop, want_cn)


def _plot(inputs, segments, genome, output, want_lollipop, want_cn) -> None:
    from her2cli.pipeline import Options, SampleRequest, run_sample
    from her2cli.report import plots
    from her2cli.report.columns import alteration_row

    both = want_lollipop and want_cn
    options = Options(genome=genome, evidence=False)
    if want_lollipop:
        path = _with_suffix(output, "lollipop") if both else output
        mutation_rows: list[dict] = []
        n_samples = 0
        from her2cli.report.render import distinct_sample_names

        results = [result for vcf in inputs
                   for result in run_sample(SampleRequest(vcf=vcf, segments=segments if want_cn else []), options)]
        distinct_sample_names(results)  # two files with a TUMOR column are two samples
        for result in results:
            n_samples += 1
            mutation_rows.extend(map(alteration_row, result.mutations))
        plots.plot_lollipop(mutation_rows, path, n_samples=n_samples)
        sys.stderr.write(f"her2: wrote {path}\n")
    if want_cn:
        path = _with_suffix(output, "copy_number") if both else output
        def annotate(vcf, seg_path):
            return run_sample(SampleRequest(vcf=vcf, segments=[seg_path]), options)

        for written in plots.plot_copy_number_files(inputs[0] if inputs else None, segments, options, path, annotate):
            sys.stderr.write(f"her2: wrote {written}\n")


# --- running a command -------------------------------------------------------------------------------------

class _ClosedStdout:
    """Standard output when the process started with it closed: not a terminal, and a write is an
    OSError(EBADF) that run_guarded turns into exit 7 (output cannot be written), not a traceback."""

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")

    def write(self, text: str) -> int:
        return self.fileno()

    @property
    def buffer(self):
        return self.fileno()

    def flush(self) -> None:
        pass


def run_guarded(run) -> int:
    """Run a command; turn every escape into an exit code and at most one stderr line. The one place
    that maps exceptions to exit codes."""
    import signal

    from her2cli.errors import Terminated, note_stop, raise_if_stopped

    if sys.stdout is None:  # started with standard output closed (`her2 ... >&-`): a write is exit 7
        sys.stdout = _ClosedStdout()

    def _stopped(signum, frame):
        note_stop(signum)  # remembered: the exception below can be swallowed inside a finaliser or fork hook
        raise_if_stopped()

    try:
        signal.signal(signal.SIGTERM, _stopped)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _stopped)
    except ValueError:  # not the main thread (tests calling main() from a thread)
        pass
    try:
        result = run()
        code = int(result) if isinstance(result, int) else EXIT_OK
        if code not in (EXIT_INTERRUPTED, EXIT_TERMINATED):
            raise_if_stopped()  # a stop whose exception was swallowed still ends the run with its code
        return code
    except KeyboardInterrupt:
        sys.stderr.write("her2: interrupted\n")
        return EXIT_INTERRUPTED
    except Terminated:
        sys.stderr.write("her2: terminated (SIGTERM)\n")
        return EXIT_TERMINATED
    except BrokenPipeError:
        # The reader went away (e.g. `her2 annotate x.vcf | head`): not an error of ours.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except Her2Error as exc:
        print_error(exc.one_line())
        return exc.exit_code
    except OSError as exc:
        import errno

        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EBADF):
            return _internal_error(exc)
        # Writing stdout to a full or read-only disk (`her2 annotate x.vcf > /full/out.tsv`).
        from her2cli.io.atomic import output_error

        error = output_error(exc, "<stdout>")
        print_error(error.one_line())
        return error.exit_code
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:  # a bug of ours: still one line, and a distinct exit code
        return _internal_error(exc)
    finally:
        from her2cli.io.lines import remove_spools

        remove_spools()  # the copies of FIFO inputs (io.lines.spool_streams), however the command ended


def _internal_error(exc: BaseException) -> int:
    sys.stderr.write(f"her2: internal error: {type(exc).__name__}: {exc} (please report this)\n")
    return EXIT_INTERNAL


_COMMANDS = ("annotate", "evidence", "cohort", "plot")


def _app_for(args: List[str]) -> typer.Typer:
    """The app to parse ``args``: when they start with a command, a copy of ``app`` that holds only that one,
    since Typer inspects every command's signature before it parses (half its work on a plain call)."""
    if not args or args[0] not in _COMMANDS:
        return app
    single = copy.copy(app)
    single.registered_commands = [c for c in app.registered_commands if _command_name(c) == args[0]]
    return single


def _command_name(info) -> str:
    return info.name or info.callback.__name__


def _run_app(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _app_for(args)(args=args, standalone_mode=False, prog_name="her2")
    except typer.Abort:
        print_error("aborted")
        return EXIT_INTERRUPTED
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        # Click's UsageError/BadParameter family (Typer vendors its own copy of Click).
        if type(exc).__name__ == "NoArgsIsHelpError":  # plain `her2`: the help, not an error
            sys.stdout.write(exc.format_message() + "\n")
            return EXIT_OK
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            command = args[0] if args and args[0] in _COMMANDS else ""
            print_error(f"{exc.format_message()} (see her2 {command + ' ' if command else ''}--help)")
            return exc.exit_code if exc.exit_code else EXIT_USAGE
        raise
    if code == EXIT_INTERRUPTED:  # Typer turns Ctrl-C into a silent return of 130
        sys.stderr.write("her2: interrupted\n")
    return code if isinstance(code, int) else EXIT_OK


def run(argv: Optional[List[str]] = None) -> int:
    """Run ``her2 ARGV...`` in this process; the exit code (for tests and embedding)."""
    return run_guarded(lambda: _run_app(argv))


def main(argv: Optional[List[str]] = None) -> None:
    """The ``her2`` console script."""
    # What is alive now (Typer, Click, this module) lives until the process ends: frozen, it is not walked
    # again by each collection during the run nor by those at exit (about 5% of a plain call). Only
    # cyclic garbage among these objects could go uncollected, and they are not garbage.
    gc.freeze()
    # her2 does no linear algebra; numpy's OpenBLAS would start worker threads that spin on the other
    # cores for a while after its import (20-45 ms of CPU per MAF read). A user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
