"""Pictures: a lollipop of ERBB2 mutations on the protein, and a chr17 copy-number profile.

Both write one file whose format follows the extension (``.png``, ``.svg`` or ``.pdf``; anything
else raises ``PlotFormatError``, exit code 2). matplotlib is imported inside the functions and
drawn through a bare ``Figure`` (Agg-family canvases chosen by extension, no pyplot, no global
backend switch), so ``her2 annotate`` never loads it.

Lollipop (``plot_lollipop``)
    The 1,255-residue ERBB2 protein (NP_004439.2) with its domains from the bundled transcript
    (UniProt P04626: signal peptide, extracellular, transmembrane, juxtamembrane, kinase,
    C-terminal tail) as coloured boxes. One stem per distinct protein change at its first residue
    (``protein_position`` "772-775" -> 772); stem height = number of distinct samples carrying that
    change; head colour = HER2 subgroup; label = ``hgvs_p_short`` without "p.", in lanes above the
    stems with leader lines so that no two labels overlap (report.svg.place_labels). Changes sharing a
    residue are drawn side by side. Rows without a protein position (intronic, UTR, splice ``p.?``)
    are not drawn; the caption says how many.

Copy-number profile (``plot_copy_number``)
    chr17 segments (x: Mb, y: copies per tumour cell), the ERBB2 gene as a red band, the
    centromere shaded, the chr17 baseline as a grey line, and the threshold of each of the six named
    amplification definitions (report.svg.threshold_lines) as a dashed line, one dash pattern per
    distinct value; definitions with equal values share a line and a legend entry. ``segments`` may be a
    ``her2cli.copynumber.SegmentTable`` (log2 tables are converted like the gene-level value:
    ploidy x 2^log2, purity-rescaled when the row has a purity), a list of
    ``copynumber.Segment`` (taken as copies) or a list of ``(start, end, copy_number)`` tuples on
    chr17 (1-based, copies).
"""

from __future__ import annotations

import os
import re

from her2cli.errors import EXIT_USAGE, Her2Error

PROTEIN_LENGTH = 1255
FORMATS = (".png", ".svg", ".pdf")

SUBGROUP_COLOURS = {
    "exon20_insertion": "#d62728",
    "kinase_domain_missense": "#ff7f0e",
    "extracellular": "#1f77b4",
    "transmembrane_juxtamembrane": "#9467bd",
    "other": "#7f7f7f",
}
DOMAIN_COLOURS = {
    "signal peptide": "#c7c7c7",
    "extracellular domain": "#aec7e8",
    "transmembrane domain": "#c5b0d5",
    "juxtamembrane domain": "#dbdb8d",
    "kinase domain": "#ffbb78",
    "C-terminal tail": "#e0e0e0",
}

DOMAIN_LABELS = {
    "signal peptide": "SP", "extracellular domain": "extracellular", "transmembrane domain": "TM",
    "juxtamembrane domain": "JM", "kinase domain": "kinase", "C-terminal tail": "C-terminal tail",
}


class PlotFormatError(Her2Error):
    """Unsupported picture format (exit code 2)."""

    exit_code = EXIT_USAGE


def picture_format(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise PlotFormatError(f"picture format from the extension: use {', '.join(FORMATS)} (got {ext or 'none'})",
                              path=path)
    return ext[1:]


def _save(fig, path: str, fmt: str) -> None:
    """Write atomically (temporary file next to the target, then rename): never a partial picture."""
    from her2cli.io.atomic import atomic_writer

    with atomic_writer(path, binary=True) as handle:
        fig.savefig(handle, format=fmt)


def first_residue(position: object) -> int | None:
    """'772-775' -> 772, '755' -> 755, None/'' -> None."""
    match = re.match(r"\s*(\d+)", str(position or ""))
    return int(match.group(1)) if match else None


def lollipop_counts(rows: list[dict]) -> tuple[list[tuple[int, str, str, int]], int]:
    """([(residue, label, subgroup, n_samples)] sorted by residue, number of rows not drawable)."""
    samples: dict[tuple[int, str], set[str]] = {}
    subgroup: dict[tuple[int, str], str] = {}
    skipped = 0
    for row in rows:
        if row.get("kind") not in (None, "mutation"):
            continue
        residue = first_residue(row.get("protein_position"))
        name = row.get("hgvs_p_short") or row.get("hgvs_p")
        if residue is None or not name or name == "p.?":
            skipped += 1
            continue
        label = str(name)[2:] if str(name).startswith("p.") else str(name)
        key = (residue, label)
        samples.setdefault(key, set()).add(str(row.get("sample")))
        subgroup.setdefault(key, str(row.get("subgroup") or "other"))
    out = [(res, label, subgroup[(res, label)], len(names)) for (res, label), names in samples.items()]
    out.sort(key=lambda item: (item[0], item[1]))
    return out, skipped


def plot_lollipop(rows: list[dict], path: str, title: str | None = None, n_samples: int | None = None) -> str:
    """Draw the ERBB2 lollipop of ``rows`` (mutation rows, any number of samples) to ``path``."""
    fmt = picture_format(path)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    length = len(tx.protein) or PROTEIN_LENGTH
    stems, skipped = lollipop_counts(rows)
    if n_samples is None:  # the caller knows how many samples were read; rows only name those with a change
        n_samples = len({str(r.get("sample")) for r in rows if r.get("kind") in (None, "mutation")})

    fig = Figure(figsize=(11, 4.2), dpi=150)
    ax = fig.add_subplot(1, 1, 1)
    top = max([n for *_, n in stems] + [1])
    box_h = 0.12 * top
    box_y = -box_h * 1.6

    # Protein backbone and domains.
    ax.add_patch(Rectangle((1, box_y + box_h * 0.35), length - 1, box_h * 0.3, color="#9e9e9e", zorder=1))
    for domain in tx.domains:
        colour = DOMAIN_COLOURS.get(domain.name, "#dddddd")
        ax.add_patch(Rectangle((domain.start, box_y), domain.end - domain.start + 1, box_h, facecolor=colour,
                               edgecolor="#555555", linewidth=0.6, zorder=2))
        short = DOMAIN_LABELS.get(domain.name, domain.name)
        ax.text((domain.start + domain.end) / 2, box_y + box_h / 2, short, ha="center", va="center",
                fontsize=7 if len(short) > 2 else 6, zorder=3)

    # Stems: changes sharing a residue are spread a few residues apart so each stays visible.
    spread = max(4.0, length / 250)
    by_residue: dict[int, list[tuple[int, str, str, int]]] = {}
    for stem in stems:
        by_residue.setdefault(stem[0], []).append(stem)
    placed: list[tuple[float, int, str, str]] = []
    for residue, group in by_residue.items():
        offsets = [(i - (len(group) - 1) / 2) * spread for i in range(len(group))]
        for (res, label, sub, n), dx in zip(group, offsets):
            placed.append((res + dx, n, label, sub))
    placed.sort()
    # Labels in lanes above the stems (report.svg.place_labels: no box overlaps a box or crosses a
    # leader), in a monospace font so that widths are known: place_labels measures in 11-unit glyphs,
    # the text here is 7 pt, and the axes span about 0.9 of the 11-inch figure.
    from her2cli.report.svg import Label, place_labels

    units_per_residue = 0.9 * 11 * 72 / (length + 20) * 11 / 7
    labels = [Label(x * units_per_residue, label) for x, _, label, _ in placed]
    place_labels(labels)
    step = 0.16 * top
    lane0 = top * 1.25
    label_top = lane0
    right_edge = length + 10
    for (x, n, label, sub), lab in zip(placed, labels):
        colour = SUBGROUP_COLOURS.get(sub, SUBGROUP_COLOURS["other"])
        ax.plot([x, x], [0, n], color="#666666", linewidth=0.8, zorder=3)
        ax.plot([x], [n], marker="o", markersize=7, color=colour, markeredgecolor="black",
                markeredgewidth=0.5, zorder=4)
        y_text = lane0 + lab.lane * step
        label_top = max(label_top, y_text)
        ax.plot([x, x], [n, y_text], color="#999999", linewidth=0.5, zorder=2)
        ax.text(x, y_text, " " + label, fontsize=7, family="monospace", ha="left", va="bottom", zorder=5)
        right_edge = max(right_edge, x + lab.width / units_per_residue)

    ax.set_xlim(-10, right_edge)
    ax.set_ylim(box_y - box_h * 0.4, label_top + 2 * step)
    ax.set_xlabel(f"residue (ERBB2 {tx.protein_accession}, {length} aa)")
    ax.set_ylabel("samples with the change")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.axhline(0, color="#9e9e9e", linewidth=0.5, zorder=0)
    used = [s for s in SUBGROUP_COLOURS if any(p[3] == s for p in placed)]
    if used:
        ax.legend(handles=[Patch(color=SUBGROUP_COLOURS[s], label=s) for s in used], loc="upper right",
                  fontsize=7, frameon=False, title="subgroup", title_fontsize=7)
    heading = title or f"ERBB2 mutations ({n_samples} sample{'s' if n_samples != 1 else ''})"
    ax.set_title(heading, fontsize=10, loc="left")
    if skipped or not stems:
        note = f"{skipped} change(s) without a protein position not drawn" if skipped else \
            "no protein-changing mutation"
        ax.text(0.0, -0.28, note, transform=ax.transAxes, fontsize=7, color="#555555")
    fig.tight_layout()
    _save(fig, path, fmt)
    return path


def _segments_in_copies(segments, erbb2_row: dict) -> list[tuple[int, int, float]]:
    """(start, end, tumour copies) of the chr17 segments, whatever form they come in."""
    ploidy = _float(erbb2_row.get("ploidy")) or 2.0
    purity = _float(erbb2_row.get("purity"))
    table_segments = getattr(segments, "segments", None)
    if table_segments is not None:  # a copynumber.SegmentTable
        unit = getattr(segments, "unit", "copies")
        chosen = segments.on("17") if hasattr(segments, "on") else table_segments
        out = []
        for seg in chosen:
            value = float(seg.value)
            if unit == "log2":
                out.append((seg.start, seg.end, _log2_to_copies(value, ploidy, purity)))
            else:
                out.append((seg.start, seg.end, value))
        return out
    out = []
    for item in segments:
        if hasattr(item, "start") and hasattr(item, "value"):
            if getattr(item, "key", "17") != "17":
                continue
            out.append((int(item.start), int(item.end), float(item.value)))
        else:
            start, end, value = item[:3]
            out.append((int(start), int(end), float(value)))
    return sorted(out)


def _log2_to_copies(value: float, ploidy: float, purity: float | None) -> float:
    """As copynumber.gene_level: ploidy x 2^log2, or the tumour-cell value when purity is known
    (normal cells diploid)."""
    if purity is None:
        return ploidy * 2.0 ** value
    normal = 2.0 * (1.0 - purity)
    return max(0.0, (2.0 ** value * (purity * ploidy + normal) - normal) / purity)


def _float(value: object) -> float | None:
    try:
        return None if value is None or value == "" else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def plot_copy_number(segments, erbb2_row: dict, path: str, genome: str, title: str | None = None,
                     thresholds=None) -> str:
    """Draw the chr17 copy-number profile with ERBB2 and the amplification thresholds to ``path``."""
    fmt = picture_format(path)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from her2cli.copynumber import Thresholds
    from her2cli.copynumber.gene_level import chr17_landmarks, gene_spans
    from her2cli.report.svg import threshold_lines

    t = thresholds or Thresholds()
    segs = _segments_in_copies(segments, erbb2_row)
    if not segs:
        from her2cli.errors import MalformedInputError

        raise MalformedInputError("no chr17 segments to draw")
    baseline = _float(erbb2_row.get("chr17_baseline"))
    erbb2_cn = _float(erbb2_row.get("tumour_copy_number")) or _float(erbb2_row.get("copy_number"))
    marks = chr17_landmarks(genome)
    erbb2 = next(g for g in gene_spans(genome) if g.gene == "ERBB2")

    mb = 1e-6
    # Every definition's threshold in copies; definitions with equal values share one line and label.
    log2_input = getattr(segments, "unit", "copies") == "log2"
    lines = [(ln.copies, " / ".join(ln.texts[1:]), ln.colour, (0, tuple(float(v) for v in ln.dash.split())))
             for ln in threshold_lines(erbb2_row, t, log2_input)]
    ymax = max([v for *_, v in segs] + [y for y, *_ in lines] + [baseline or 0, erbb2_cn or 0])

    fig = Figure(figsize=(12, 5.2), dpi=150)
    grid = fig.add_gridspec(1, 3, width_ratios=[2.4, 1, 0.02])
    whole = fig.add_subplot(grid[0, 0])
    zoom = fig.add_subplot(grid[0, 1], sharey=whole)
    # The zoom shows 17q12 around ERBB2 (+-2.5 Mb), where a focal amplicon is visible.
    centre = (erbb2.start + erbb2.end) / 2
    windows = [(whole, 0, marks["chrom_length"]), (zoom, centre - 2.5e6, centre + 2.5e6)]
    for ax, lo, hi in windows:
        ax.axvspan(marks["centromere_acen_start"] * mb, marks["centromere_acen_end"] * mb, color="#eeeeee",
                   zorder=0)
        for start, end, value in segs:
            if end < lo or start > hi:
                continue
            ax.plot([max(start, lo) * mb, min(end, hi) * mb], [value, value], color="#1f4e79", linewidth=2.2,
                    solid_capstyle="butt", zorder=3)
        ax.axvspan(erbb2.start * mb, erbb2.end * mb, color="#d62728", alpha=0.35, zorder=2, linewidth=0)
        if baseline:
            ax.axhline(baseline, color="#7f7f7f", linewidth=1.0, zorder=1)
        for y, _, colour, dash in lines:
            ax.axhline(y, color=colour, linewidth=1.0, linestyle=dash, zorder=1)
        ax.set_xlim(lo * mb, hi * mb)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    label = "ERBB2" + (f" {erbb2_cn:.1f} copies" if erbb2_cn is not None else "")
    for ax in (whole, zoom):
        ax.annotate(label, (erbb2.end * mb, ymax * 1.1), xytext=(4, 0), textcoords="offset points", fontsize=8,
                    color="#b22222", va="center")
    whole.set_ylim(0, ymax * 1.22 + 0.5)
    whole.set_xlabel(f"chr17 position (Mb, {genome}); grey = centromere")
    zoom.set_xlabel("17q12 around ERBB2 (Mb)")
    zoom.tick_params(labelleft=False)
    purity = _float(erbb2_row.get("purity"))
    whole.set_ylabel("copies per tumour cell" if purity is not None else "copy number (100% tumour assumed)")

    handles = [Line2D([], [], color="#1f4e79", linewidth=2.2, label="segment copy number")]
    if baseline:
        handles.append(Line2D([], [], color="#7f7f7f", linewidth=1.0, label=f"chr17 baseline = {baseline:g}"))
    for y, text, colour, dash in lines:
        handles.append(Line2D([], [], color=colour, linewidth=1.0, linestyle=dash, label=f"{y:.3g} copies: {text}"))
    handles.append(Line2D([], [], color="#d62728", alpha=0.35, linewidth=6, label="ERBB2 gene"))
    # Below the panels, so that it never hides a segment.
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False)
    sample = erbb2_row.get("sample")
    details = [f"status {erbb2_row.get('cn_status')}" if erbb2_row.get("cn_status") else None,
               f"focality {erbb2_row.get('focality')}" if erbb2_row.get("focality") else None,
               f"ratio to chr17 {erbb2_row.get('ratio_chr17'):g}" if _float(erbb2_row.get("ratio_chr17")) else None,
               "no purity" if purity is None else f"purity {purity:g}"]
    heading = title or f"{sample or 'sample'}: ERBB2 copy number on chr17 (" + \
        ", ".join(d for d in details if d) + ")"
    whole.set_title(heading, fontsize=10, loc="left")
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    _save(fig, path, fmt)
    return path


def plot_copy_number_files(vcf: str | None, segment_paths: list[str], options, output: str) -> list[str]:
    """Draw the chr17 profile of every sample of the segment files; several samples get
    ``OUTPUT-stem.<sample>.<ext>``. Returns the paths written."""
    import os

    from her2cli import copynumber
    from her2cli.pipeline import SampleRequest, run_sample

    pictures: list[tuple[object, dict]] = []
    for seg_path in segment_paths:
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
    written = []
    for table, row in pictures:
        path = output
        if len(pictures) > 1:
            stem, ext = os.path.splitext(output)
            safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(row.get("sample"))) or "sample"
            path = f"{stem}.{safe}{ext}"
        plot_copy_number(table, row, path, str(row.get("genome")))
        written.append(path)
    return written
