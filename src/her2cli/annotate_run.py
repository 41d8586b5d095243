"""Running ``her2 annotate``: arguments in, output written, notices and errors on stderr, exit code out.

This is the command-line layer (it prints), kept free of Typer so that the common invocations can skip
importing the CLI framework: ``entry.main`` parses simple argument lists itself (``parse_simple``) and
hands everything else to the Typer app in ``cli``, which calls the same ``run_annotate``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import List, Optional

from her2cli.errors import EXIT_USAGE, Her2Error
from her2cli.guard import print_error as _error

@dataclass
class AnnotateArgs:
    inputs: List[str] = field(default_factory=list)
    segments: List[str] = field(default_factory=list)
    segment_format: Optional[str] = None
    log_base: Optional[float] = None
    genome: Optional[str] = None
    reference: Optional[str] = None
    sample: Optional[str] = None
    purity: Optional[float] = None
    ploidy: Optional[float] = None
    ihc: Optional[str] = None
    threshold: List[str] = field(default_factory=list)
    output_format: Optional[str] = None
    output: Optional[str] = None
    summary: bool = False
    all_records: bool = False
    quiet: bool = False


def choose_format(fmt: Optional[str], output: Optional[str]) -> str:
    if fmt is not None:
        return fmt
    if output is None and sys.stdout.isatty():
        return "table"
    return "tsv"


def run_annotate(args: AnnotateArgs) -> int:
    """Annotate, write the output, print notices; return the exit code (errors printed as one line)."""
    if not args.inputs and not args.segments:
        _error("give at least one VCF or --segments FILE (see her2 annotate --help)")
        return EXIT_USAGE
    if len(args.inputs) > 1 and (args.segments or args.sample):
        _error("--segments/--sample go with a single VCF; use 'her2 cohort' with a sample sheet for several")
        return EXIT_USAGE
    fmt = choose_format(args.output_format, args.output)
    try:
        from her2cli.pipeline import Options, SampleRequest, run_sample
        from her2cli.report.render import render

        ihc = args.ihc
        if ihc is not None:
            from her2cli.evidence import normalize_ihc

            try:
                ihc = normalize_ihc(ihc)
            except ValueError as exc:
                _error(f"--ihc: {exc}")
                return EXIT_USAGE
        thresholds = thresholds_from_items(args.threshold) if (args.threshold or args.segments) else None
        options = Options(
            genome=args.genome, reference_fasta=args.reference, all_records=args.all_records,
            segment_format=args.segment_format, log_base=args.log_base, thresholds=thresholds,
        )
        results = []
        if args.inputs:
            for path in args.inputs:
                request = SampleRequest(vcf=path, segments=list(args.segments), tumor_sample=args.sample,
                                        purity=args.purity, ploidy=args.ploidy, ihc=ihc)
                results.extend(run_sample(request, options))
        else:
            request = SampleRequest(segments=list(args.segments), purity=args.purity, ploidy=args.ploidy, ihc=ihc)
            results.extend(run_sample(request, options))
        text = render(results, fmt, summary=args.summary, input_paths=args.inputs)
        if not args.quiet:
            seen = set()
            for result in results:
                for notice in result.notices:
                    if notice not in seen:
                        seen.add(notice)
                        sys.stderr.write(f"her2: note: {notice}\n")
        from her2cli.output import write_output

        write_output(args.output, text)
    except Her2Error as exc:
        _error(exc.one_line())
        return exc.exit_code
    return 0


def thresholds_from_items(items: List[str]):
    """``--threshold NAME=VALUE`` items into copynumber.Thresholds; UsageError on a bad item."""
    import dataclasses

    from her2cli.copynumber import Thresholds
    from her2cli.errors import UsageError

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


# Options the simple parser understands: name -> (field, kind). Anything else goes to Typer.
_VALUE_OPTIONS = {
    "--segments": ("segments", "list"), "-s": ("segments", "list"),
    "--segment-format": ("segment_format", "str"), "--log-base": ("log_base", "float"),
    "--genome": ("genome", "genome"), "-g": ("genome", "genome"),
    "--reference": ("reference", "str"), "-r": ("reference", "str"),
    "--sample": ("sample", "str"), "--purity": ("purity", "purity"), "--ploidy": ("ploidy", "ploidy"),
    "--ihc": ("ihc", "str"), "--threshold": ("threshold", "list"),
    "--format": ("output_format", "format"), "-f": ("output_format", "format"),
    "--output": ("output", "str"), "-o": ("output", "str"),
}
_FLAGS = {"--summary": "summary", "--all-records": "all_records", "--quiet": "quiet", "-q": "quiet"}


def parse_simple(argv: List[str]) -> Optional[AnnotateArgs]:
    """``annotate ...`` parsed without Typer when every token is plainly valid; None otherwise."""
    if not argv or argv[0] != "annotate":
        return None
    from her2cli.simple_args import parse

    return parse(argv[1:], AnnotateArgs(), _VALUE_OPTIONS, _FLAGS, positional="inputs")
