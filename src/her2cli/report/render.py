"""The one table of output formats (``FORMATS``): name -> extensions, description and writer. ``cli.py``
takes its ``-f`` choices, help text and extension mapping from here; a new format is one line in the table
and a writer function (imported only when that format is written).

How the format is chosen (``choose_format``)
    ``-f NAME`` if given; otherwise the output file's extension (longest match: ``x.vcf.gz`` -> vcf);
    otherwise ``table`` on a terminal and ``tsv`` in a pipe or for an output without an extension
    (``-o /dev/stdout``, ``-o results``). An extension no format writes (``-o report.docx``, ``x.xyz``) is
    a usage error (exit 2) unless ``-f`` names the format; ``-f`` naming a different known format than
    the extension (``-f tsv -o x.vcf``) is a usage error as well.
"""

from __future__ import annotations

import importlib
from dataclasses import field
from typing import Callable, Optional

from her2cli.errors import UsageError
from her2cli.values import valueclass


@valueclass
class RenderContext:
    """What a writer may need besides the results. Writers append to ``notices`` what they could not
    carry (e.g. copy-number calls in a MAF): the CLI prints them on stderr."""

    summary: bool = False
    input_paths: list[str] = field(default_factory=list)
    command: Optional[str] = None
    color: bool = False
    width: int = 100
    notices: list[str] = field(default_factory=list)
    provenance: object = None  # report.html.Provenance: inputs with checksums, options (the HTML report)
    vcf_info_field: str = "HER2"  # --vcf-info-field: the annotated VCF's INFO key
    maf_center: str = "."  # --maf-center: the MAF Center column (vcf2maf's default ".")
    retain_info: list[str] = field(default_factory=list)  # --retain-info: extra MAF columns
    retain_fmt: list[str] = field(default_factory=list)  # --retain-fmt: extra MAF t_/n_ columns
    paper: str = "A4"  # the PDF report's paper: A4 or Letter


@valueclass(frozen=True)
class OutputFormat:
    name: str
    extensions: tuple[str, ...]  # lower case, with the dot; compression part of the extension
    description: str  # one line for --help
    renderer: str  # "module:function", (results, RenderContext) -> text; imported only when used
    annotate_every_record: bool = False  # the format carries FILTER-failed/no-read alleles too (VCF)
    # "module:function", (text, path or "-", index) -> files written; None = text written atomically
    file_writer: Optional[str] = None

    def render(self, results: list, context: RenderContext) -> str:
        return _load(self.renderer)(results, context)

    def write_file(self, text: str, path: str, index: bool) -> list[str]:
        return _load(self.file_writer)(text, path, index)


def _load(reference: str) -> Callable:
    module, _, function = reference.partition(":")
    return getattr(importlib.import_module(module), function)


# The one table of output formats, in --help order. Adding a format adds a line here and its writer
# module; the writers are imported only when their format is written (start-up stays lean).
FORMATS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("tsv", (".tsv",), "one row per alteration, or per sample with --summary (default in a pipe)",
                 "her2cli.report.tsv:render_format"),
    OutputFormat("json", (".json",), "one typed document (schema: report/schema.json)",
                 "her2cli.report.json_report:render_format"),
    OutputFormat("vcf", (".vcf", ".vcf.gz", ".vcf.bgz"), "the input VCF with a HER2 INFO field (.vcf.gz: BGZF)",
                 "her2cli.report.vcf_out:render_format", annotate_every_record=True,
                 file_writer="her2cli.report.vcf_out:write_vcf_output"),
    OutputFormat("bcf", (".bcf",), "the annotated VCF as BCF", "her2cli.report.vcf_out:render_format",
                 annotate_every_record=True, file_writer="her2cli.report.vcf_out:write_bcf_output"),
    OutputFormat("maf", (".maf",), "vcf2maf's MAF 2.4 columns, mutations only (cBioPortal, OncoKB)",
                 "her2cli.report.maf:render_format"),
    OutputFormat("cna", (), "ERBB2 discrete copy number, -2..2 (OncoKB annotator / cBioPortal input)",
                 "her2cli.report.cna:render_format"),
    OutputFormat("table", (), "a readable report (default on a terminal)", "her2cli.report.render:render_table"),
    OutputFormat("html", (".html", ".htm"), "a self-contained HTML report", "her2cli.report.render:render_html"),
    OutputFormat("pdf", (".pdf",), "the HTML report printed by headless Chromium (A4; needs chromium)",
                 "her2cli.report.render:render_printable", file_writer="her2cli.report.pdf:write_pdf_output"),
)}


def formats() -> dict[str, OutputFormat]:
    return FORMATS


def format_names() -> list[str]:
    return list(formats())


def format_for_path(path: Optional[str]) -> Optional[str]:
    """The format named by ``path``'s extension, or None (stdout, unknown extension)."""
    if not path or path == "-":
        return None
    lower = path.lower()
    best = None
    for output_format in formats().values():
        for ext in output_format.extensions:
            if lower.endswith(ext) and (best is None or len(ext) > len(best[1])):
                best = (output_format.name, ext)
    return best[0] if best else None


def choose_format(requested: Optional[str], output: Optional[str], stdout_is_terminal: bool) -> str:
    """The format to write (rule in the module docstring); UsageError on a contradiction."""
    from_extension = format_for_path(output)
    if requested is not None:
        if requested not in formats():
            raise UsageError(f"--format {requested}: not one of {', '.join(format_names())}")
        if from_extension is not None and from_extension != requested:
            raise UsageError(f"--format {requested} contradicts the output file {output} "
                             f"(its extension means {from_extension}): drop -f or change the file name")
        return requested
    if from_extension is not None:
        return from_extension
    extension = _extension(output)
    if extension:
        known = sorted({ext for f in formats().values() for ext in f.extensions})
        raise UsageError(f"-o {output}: no output format is written as {extension} (known: {' '.join(known)}); "
                         "name one with -f FORMAT to write it under this name anyway")
    return "table" if output is None and stdout_is_terminal else "tsv"


def _extension(path: Optional[str]) -> str:
    """The file-name extension of an output path ("" for none, stdout, or a dot file such as .out)."""
    import os

    if not path or path == "-":
        return ""
    return os.path.splitext(os.path.basename(path))[1]


def render(results, fmt: str, context: Optional[RenderContext] = None) -> str:
    """The text of ``results`` in format ``fmt``."""
    return formats()[fmt].render(list(results), context or RenderContext())


def write(results, fmt: str, output: Optional[str], context: RenderContext, index: bool = False) -> list[str]:
    """Render and write to ``output`` (None or ``-`` = stdout), never leaving a partial file; the
    files written. ``index`` (tabix/CSI) is for the BGZF and BCF outputs only."""
    from her2cli.io.atomic import write_output

    output_format = formats()[fmt]
    text = output_format.render(list(results), context)
    if output_format.file_writer is not None:
        return output_format.write_file(text, output or "-", index)
    if index:
        raise UsageError("--index goes with a .vcf.gz or .bcf output file")
    write_output(output, text)
    return [output] if output and output != "-" else []


# --- writers of the formats that have no module of their own -------------------------------------

def render_table(results, context: RenderContext) -> str:
    from her2cli.interpret.evidence import load_evidence
    from her2cli.report.terminal import render_terminal

    return render_terminal(results, load_evidence().date, width=context.width, color=context.color)


def render_html(results, context: RenderContext) -> str:
    from her2cli.report.html import make_provenance, render_html

    return render_html(results, context.provenance or make_provenance())


def render_printable(results, context: RenderContext) -> str:
    """The HTML page with its paper size fixed (``context.paper``), for the PDF writer."""
    from her2cli.report.pdf import with_paper

    return with_paper(render_html(results, context), context.paper)




def distinct_sample_names(results) -> None:
    """Give results from different inputs that share a sample name distinct names, in place, so that no
    two inputs merge into one sample: each becomes ``NAME (FILE)`` with FILE the input's file name (the
    whole path when the file names also collide). Results of one input keep their names."""
    import os

    sources_by_name: dict[str, set] = {}
    for result in results:
        sources_by_name.setdefault(result.sample, set()).add(result.source)
    for name, sources in sources_by_name.items():
        if len(sources) < 2:
            continue
        basenames = [os.path.basename(str(s)) for s in sources]
        use_path = len(set(basenames)) < len(basenames)
        for result in results:
            if result.sample == name:
                label = str(result.source) if use_path else os.path.basename(str(result.source))
                _rename(result, f"{name} ({label})")


def _rename(result, new_name: str) -> None:
    result.sample = new_name
    if result.verdict is not None:
        result.verdict.sample = new_name
    for call in result.mutations:
        call.sample = new_name
    for call in result.copy_numbers:
        call.sample = new_name
        call.assessment.sample = new_name
