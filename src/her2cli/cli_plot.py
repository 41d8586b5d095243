"""``her2 plot``: pictures of one run (registered by the CLI as ``app.command("plot")(plot)``).

Kinds (``--kind``):

* ``lollipop``: ERBB2 mutations of all the given VCFs on the protein (height = samples with the
  change) -> OUTPUT.
* ``copy-number``: the chr17 profile of each sample in ``--segments`` -> OUTPUT (several samples:
  ``OUTPUT-stem.<sample>.<ext>``).
* ``auto`` (default): lollipop when VCFs are given, copy-number when segments are given; with both,
  OUTPUT's extension is replaced by ``.lollipop.<ext>`` and ``.copy_number.<ext>`` (``-o her2.png``
  writes ``her2.lollipop.png`` and ``her2.copy_number.png``).

The picture format follows OUTPUT's extension: .png, .svg or .pdf.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from her2cli.cli_common import fail as _fail

from her2cli.errors import EXIT_USAGE, Her2Error

KINDS = ("auto", "lollipop", "copy-number")


def _with_suffix(output: str, suffix: str) -> str:
    stem, ext = os.path.splitext(output)
    return f"{stem}.{suffix}{ext}"


def plot(
    inputs: List[str] = typer.Argument(None, metavar="[VCF]...", help="VCF/BCF files (one sample each)."),
    segments: List[str] = typer.Option([], "--segments", "-s", help="Copy-number segment file (repeatable)."),
    genome: Optional[str] = typer.Option(None, "--genome", "-g", help="GRCh37 or GRCh38 (default: from the input)."),
    output: str = typer.Option(..., "--output", "-o", help="Picture file: .png, .svg or .pdf."),
    kind: str = typer.Option("auto", "--kind", help="lollipop|copy-number|auto"),
) -> None:
    """Draw a lollipop of ERBB2 mutations and/or a chr17 copy-number profile."""
    inputs = list(inputs or [])
    segments = list(segments or [])
    if kind not in KINDS:
        _fail(f"--kind must be one of {', '.join(KINDS)} (got {kind!r})", EXIT_USAGE)
    want_lollipop = kind == "lollipop" or (kind == "auto" and bool(inputs))
    want_cn = kind == "copy-number" or (kind == "auto" and bool(segments))
    if want_lollipop and not inputs:
        _fail("--kind lollipop needs at least one VCF", EXIT_USAGE)
    if want_cn and not segments:
        _fail("--kind copy-number needs --segments FILE", EXIT_USAGE)
    if not want_lollipop and not want_cn:
        _fail("give at least one VCF or --segments FILE (see her2 plot --help)", EXIT_USAGE)
    if want_cn and len(inputs) > 1:
        _fail("--segments goes with a single VCF (one sample)", EXIT_USAGE)
    try:
        from her2cli.genome import normalise_genome
        from her2cli.pipeline import Options, SampleRequest, run_sample
        from her2cli import plotting

        plotting.picture_format(output)
        options = Options(genome=normalise_genome(genome), evidence=False)
        both = want_lollipop and want_cn
        lollipop_path = _with_suffix(output, "lollipop") if both else output
        cn_path = _with_suffix(output, "copy_number") if both else output

        mutation_rows: list[dict] = []
        if want_lollipop:
            for path in inputs:
                request = SampleRequest(vcf=path, segments=segments if want_cn else [])
                for result in run_sample(request, options):
                    mutation_rows.extend(r for r in result.rows if r.get("kind") == "mutation")
            plotting.plot_lollipop(mutation_rows, lollipop_path)
            sys.stderr.write(f"her2: wrote {lollipop_path}\n")
        if want_cn:
            _plot_copy_number(inputs[0] if inputs else None, segments, options, cn_path)
    except Her2Error as exc:
        _fail(exc.one_line(), exc.exit_code)


def _plot_copy_number(vcf: Optional[str], segments: List[str], options, output: str) -> None:
    from her2cli import copynumber, plotting
    from her2cli.pipeline import SampleRequest, run_sample

    pictures: list[tuple[object, dict]] = []
    for seg_path in segments:
        tables = copynumber.read_segment_file(seg_path, options.segment_format, options.log_base, sample=None)
        results = run_sample(SampleRequest(vcf=vcf, segments=[seg_path]), options)
        cn_rows = [r for result in results for r in result.rows if r.get("kind") == "copy_number"]
        if len(tables) == 1 and len(cn_rows) == 1:
            pictures.append((tables[0], cn_rows[0]))
            continue
        by_sample = {str(r.get("sample")): r for r in cn_rows}
        for table in tables:
            if table.sample in by_sample:
                pictures.append((table, by_sample[table.sample]))
    for table, row in pictures:
        path = output if len(pictures) == 1 else _with_suffix(output, _safe(str(row.get("sample"))))
        plotting.plot_copy_number(table, row, path, str(row.get("genome")))
        sys.stderr.write(f"her2: wrote {path}\n")


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "sample"
