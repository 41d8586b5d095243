"""``her2 plot``: the lollipop and the chr17 copy-number profile as files, drawn by the same code as the
HTML page (``report/svg.py``), so the two can never disagree.

The picture format follows the extension: ``.svg`` is the SVG itself (text kept as ``<text>``),
``.png`` and ``.pdf`` are converted from it by cairosvg (a small Cairo binding: 0.1-0.25 s a figure after
a 0.3-0.5 s import, 34-41 MB; the matplotlib drawing it replaced imported for 0.9 s and drew every figure a
second time; benchmarks/README.md, "Pictures"). Anything else raises ``PlotFormatError`` (exit 2). Files are written atomically. Neither matplotlib nor cairosvg
is imported on the annotate or HTML path; cairosvg only when a PNG or PDF is asked for.
"""

from __future__ import annotations

import os
import re

from her2cli.errors import EXIT_USAGE, Her2Error, OutputError
from her2cli.report.svg import (  # noqa: F401  (the drawing inputs, re-exported for callers of plots)
    first_residue,
    lollipop_counts,
    segments_in_copies,
)

FORMATS = (".png", ".svg", ".pdf")
PNG_SCALE = 2.0  # PNG pixels per SVG unit: sharp on a slide or a high-density screen


class PlotFormatError(Her2Error):
    """Unsupported picture format (exit code 2)."""

    exit_code = EXIT_USAGE


def picture_format(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise PlotFormatError(f"picture format from the extension: use {', '.join(FORMATS)} (got {ext or 'none'})",
                              path=path)
    return ext[1:]


def standalone(svg: str) -> str:
    """The inline SVG of the page as a file: an XML declaration and a fixed size (the page lets it scale)."""
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if box:
        svg = svg.replace('width="100%"', f'width="{box.group(1)}" height="{box.group(2)}"', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


def write_picture(svg: str, path: str) -> str:
    """Write one figure to ``path`` in the format of its extension, atomically."""
    from her2cli.io.atomic import atomic_writer

    fmt = picture_format(path)
    text = standalone(svg)
    if fmt == "svg":
        with atomic_writer(path) as handle:
            handle.write(text)
        return path
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: the Cairo library itself is missing
        raise OutputError(f"cannot write {fmt.upper()}: cairosvg (with the Cairo library) is needed ({exc}); "
                          "write .svg instead", path=path) from None
    convert = cairosvg.svg2png if fmt == "png" else cairosvg.svg2pdf
    data = convert(bytestring=text.encode("utf-8"), scale=PNG_SCALE if fmt == "png" else 1.0)
    with atomic_writer(path, binary=True) as handle:
        handle.write(data)
    return path


def plot_lollipop(rows: list[dict], path: str, title: str | None = None, n_samples: int | None = None) -> str:
    """Draw the ERBB2 lollipop of ``rows`` (mutation rows, any number of samples) to ``path``."""
    from her2cli.report.svg import lollipop_svg

    picture_format(path)
    if n_samples is None:  # the caller knows how many samples were read; rows only name those with a change
        n_samples = len({str(r.get("sample")) for r in rows if r.get("kind") in (None, "mutation")})
    heading = title or f"ERBB2 mutations ({n_samples} sample{'s' if n_samples != 1 else ''})"
    return write_picture(lollipop_svg(rows, title=heading, visible_title=True), path)


def plot_copy_number(segments, erbb2_row: dict, path: str, genome: str, title: str | None = None,
                     thresholds=None) -> str:
    """Draw the chr17 copy-number profile with ERBB2 and the amplification thresholds to ``path``;
    ``segments`` as ``svg.segments_in_copies`` takes them."""
    from her2cli.errors import MalformedInputError
    from her2cli.report.svg import copy_number_svg

    picture_format(path)
    segs = segments_in_copies(segments, erbb2_row)
    if not segs:
        raise MalformedInputError("no chr17 segments to draw")
    log2_input = getattr(segments, "unit", "copies") == "log2"
    svg = copy_number_svg(segs, erbb2_row, genome, thresholds, log2_input, title=title, visible_title=True)
    return write_picture(svg, path)


def plot_copy_number_files(vcf: str | None, segment_paths: list[str], options, output: str,
                           annotate) -> list[str]:
    """Draw the chr17 profile of every sample of the segment files; several samples get
    ``OUTPUT-stem.<sample>.<ext>``. ``annotate(vcf, segment_path)`` gives the typed results of one
    segment file (the caller runs the pipeline: a writer does not reach up to it). Returns the paths
    written."""
    import os

    from her2cli import copynumber
    from her2cli.report.columns import alteration_row

    pictures: list[tuple[object, dict]] = []
    for seg_path in segment_paths:
        tables = copynumber.read_segment_file(seg_path, options.segment_format, options.log_base, sample=None)
        results = annotate(vcf, seg_path)
        cn_rows = [alteration_row(call) for result in results for call in result.copy_numbers]
        if len(tables) == 1 and len(cn_rows) == 1:
            pictures.append((tables[0], cn_rows[0]))
            continue
        by_sample = {str(r.get("sample")): r for r in cn_rows}
        for table in tables:
            if table.sample in by_sample:
                pictures.append((table, by_sample[table.sample]))
    written = []
    for table, row in pictures:
        path = output
        if len(pictures) > 1:
            stem, ext = os.path.splitext(output)
            safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(row.get("sample"))) or "sample"
            path = f"{stem}.{safe}{ext}"
        plot_copy_number(table, row, path, str(row.get("genome")), thresholds=options.thresholds)
        written.append(path)
    return written
