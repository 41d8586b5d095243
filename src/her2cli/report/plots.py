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
    change; head colour = HER2 subgroup; label = ``hgvs_p_short`` without "p.". Changes sharing a
    residue are drawn side by side. Rows without a protein position (intronic, UTR, splice ``p.?``)
    are not drawn; the caption says how many.

Copy-number profile (``plot_copy_number``)
    chr17 segments (x: Mb, y: copies per tumour cell), the ERBB2 gene as a red band, the
    centromere shaded, the chr17 baseline as a grey line, and the threshold of each of the six
    named definitions (``threshold_levels``) as a dashed line labelled at the right with its value
    and name: cn_ge_6, ratio_ge_2, purple_amp, pcgr_amp, cnvkit_amp, ngs_cn_gt_7. Definitions whose
    thresholds fall on the same copy number share one line and one label naming them all (at
    ploidy 2, cn_ge_6 and purple_amp are both at 6). ``segments`` may be a
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

    from matplotlib import rc_context

    # SVG keeps its text as text (not glyph outlines): searchable, selectable, and testable.
    with rc_context({"svg.fonttype": "none"}), atomic_writer(path, binary=True) as handle:
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
    # Clusters of close stems (a hotspot such as exon 20) get their labels stacked in a column above
    # the cluster with leader lines; a lone stem is labelled at its head.
    clusters: list[list[tuple[float, int, str, str]]] = []
    for item in placed:
        if clusters and item[0] - clusters[-1][-1][0] < length / 80:
            clusters[-1].append(item)
        else:
            clusters.append([item])
    step = 0.16 * top
    label_top = top
    for cluster in clusters:
        for x, n, label, sub in cluster:
            colour = SUBGROUP_COLOURS.get(sub, SUBGROUP_COLOURS["other"])
            ax.plot([x, x], [0, n], color="#666666", linewidth=0.8, zorder=3)
            ax.plot([x], [n], marker="o", markersize=7, color=colour, markeredgecolor="black",
                    markeredgewidth=0.5, zorder=4)
        if len(cluster) == 1:
            x, n, label, _ = cluster[0]
            ax.annotate(label, (x, n), xytext=(3, 6), textcoords="offset points", fontsize=7, rotation=30,
                        ha="left", va="bottom", zorder=5)
            continue
        base = max(n for _, n, _, _ in cluster) + step * 0.8
        x_text = max(x for x, _, _, _ in cluster) + length / 60
        # Rightmost stem -> lowest label, so leader lines fan out without crossing.
        for i, (x, n, label, _) in enumerate(sorted(cluster, key=lambda item: -item[0])):
            y_text = base + i * step
            label_top = max(label_top, y_text)
            ax.annotate(label, (x, n), xytext=(x_text, y_text), textcoords="data", fontsize=7, ha="left",
                        va="center", zorder=5,
                        arrowprops=dict(arrowstyle="-", color="#999999", linewidth=0.5, shrinkA=0, shrinkB=4))

    ax.set_xlim(-10, length + 10)
    ax.set_ylim(box_y - box_h * 0.4, max(top * 1.45 + 0.6, label_top + step))
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


# Line colour and dash per definition (the first definition of a shared level styles its line).
THRESHOLD_STYLES = {
    "cn_ge_6": ("#e377c2", (0, (5, 3))),
    "ratio_ge_2": ("#ff7f0e", (0, (1, 1))),
    "purple_amp": ("#2ca02c", (0, (6, 2, 1, 2))),
    "pcgr_amp": ("#8c564b", (0, (2, 2))),
    "cnvkit_amp": ("#17becf", (0, (4, 1, 1, 1, 1, 1))),
    "ngs_cn_gt_7": ("#9467bd", (0, (8, 2))),
}


def threshold_levels(t, ploidy: float, baseline: float | None, purity: float | None,
                     log2_input: bool) -> list[tuple[str, float, str]]:
    """(definition, copy number on the plot's axis, rule) for each named definition of copynumber.calls.

    pcgr_amp is met at the lower of its two thresholds; cnvkit_amp's log2 threshold is drawn where a
    segment of that log2 lands after the conversion the segments get (``_log2_to_copies``); ratio_ge_2
    needs a chr17 baseline and is left out without one."""
    cnvkit_copies = (_log2_to_copies(t.cnvkit_amp_log2, ploidy, purity) if log2_input
                     else ploidy * 2.0 ** t.cnvkit_amp_log2)
    levels = [
        ("cn_ge_6", t.amp_copies, f">= {t.amp_copies:g} copies"),
        ("ratio_ge_2", t.ratio * baseline if baseline else None, f">= {t.ratio:g} x chr17 baseline"),
        ("purple_amp", t.purple_ploidy_factor * ploidy, f"> {t.purple_ploidy_factor:g} x ploidy {ploidy:g}"),
        ("pcgr_amp", min(t.pcgr_copies, t.pcgr_ploidy_factor * ploidy),
         f">= {t.pcgr_copies:g} copies or {t.pcgr_ploidy_factor:g} x ploidy"),
        ("cnvkit_amp", cnvkit_copies, f"log2 >= {t.cnvkit_amp_log2:g}"),
        ("ngs_cn_gt_7", t.ngs_copies, f"> {t.ngs_copies:g} copies"),
    ]
    return [(name, y, rule) for name, y, rule in levels if y is not None]


def _group_levels(levels: list[tuple[str, float, str]]) -> list[tuple[float, list[str]]]:
    """Levels at the same copy number (to 0.01) merged: [(copy number, [definitions])], lowest first."""
    groups: dict[float, list[str]] = {}
    for name, y, _ in levels:
        groups.setdefault(round(y, 2), []).append(name)
    return sorted(groups.items())


def _label_levels(ax, groups: list[tuple[float, list[str]]], levels, top: float) -> None:
    """One label per threshold line, right of the axes; labels closer than a text line are pushed up."""
    from matplotlib.transforms import blended_transform_factory

    rules = {name: rule for name, _, rule in levels}
    where = blended_transform_factory(ax.transAxes, ax.transData)
    gap = top * 0.055
    last = None
    for y, names in groups:
        y_text = y if last is None else max(y, last + gap)
        last = y_text
        colour, _ = THRESHOLD_STYLES[names[0]]
        text = f"{y:g}: " + "; ".join(f"{name} ({rules[name]})" for name in names)
        ax.text(1.02, y_text, text, transform=where, fontsize=6.5, color=colour, va="center", ha="left",
                clip_on=False)


def plot_copy_number(segments, erbb2_row: dict, path: str, genome: str, title: str | None = None,
                     thresholds=None) -> str:
    """Draw the chr17 copy-number profile with ERBB2 and the amplification thresholds to ``path``."""
    fmt = picture_format(path)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from her2cli.copynumber import Thresholds
    from her2cli.copynumber.gene_level import chr17_landmarks, gene_spans

    t = thresholds or Thresholds()
    segs = _segments_in_copies(segments, erbb2_row)
    if not segs:
        from her2cli.errors import MalformedInputError

        raise MalformedInputError("no chr17 segments to draw")
    ploidy = _float(erbb2_row.get("ploidy")) or 2.0
    baseline = _float(erbb2_row.get("chr17_baseline"))
    erbb2_cn = _float(erbb2_row.get("tumour_copy_number")) or _float(erbb2_row.get("copy_number"))
    marks = chr17_landmarks(genome)
    erbb2 = next(g for g in gene_spans(genome) if g.gene == "ERBB2")

    mb = 1e-6
    log2_input = getattr(segments, "unit", "copies") == "log2"
    levels = threshold_levels(t, ploidy, baseline, _float(erbb2_row.get("purity")), log2_input)
    groups = _group_levels(levels)
    ymax = max([v for *_, v in segs] + [y for y, _ in groups] + [erbb2_cn or 0])

    fig = Figure(figsize=(12, 4.4), dpi=150)
    # Fixed margins (not tight_layout): the right quarter holds the threshold labels.
    grid = fig.add_gridspec(1, 2, width_ratios=[2.4, 1], left=0.06, right=0.74, bottom=0.12, top=0.9, wspace=0.06)
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
        for y, names in groups:
            colour, dash = THRESHOLD_STYLES[names[0]]
            ax.axhline(y, color=colour, linewidth=1.0, linestyle=dash, zorder=1)
        ax.set_xlim(lo * mb, hi * mb)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    label = "ERBB2" + (f" {erbb2_cn:.1f} copies" if erbb2_cn is not None else "")
    for ax in (whole, zoom):
        ax.annotate(label, (erbb2.end * mb, ymax * 1.1), xytext=(4, 0), textcoords="offset points", fontsize=8,
                    color="#b22222", va="center")
    top = ymax * 1.22 + 0.5
    whole.set_ylim(0, top)
    _label_levels(zoom, groups, levels, top)
    whole.set_xlabel(f"chr17 position (Mb, {genome}); grey = centromere")
    zoom.set_xlabel("17q12 around ERBB2 (Mb)")
    zoom.tick_params(labelleft=False)
    purity = _float(erbb2_row.get("purity"))
    whole.set_ylabel("copies per tumour cell" if purity is not None else "copy number (100% tumour assumed)")

    handles = [Line2D([], [], color="#1f4e79", linewidth=2.2, label="segment copy number")]
    if baseline:
        handles.append(Line2D([], [], color="#7f7f7f", linewidth=1.0, label=f"chr17 baseline = {baseline:g}"))
    handles.append(Line2D([], [], color="#d62728", alpha=0.35, linewidth=6, label="ERBB2 gene"))
    whole.legend(handles=handles, loc="upper left", fontsize=7, frameon=True, framealpha=0.9, edgecolor="none")
    sample = erbb2_row.get("sample")
    details = [f"status {erbb2_row.get('cn_status')}" if erbb2_row.get("cn_status") else None,
               f"focality {erbb2_row.get('focality')}" if erbb2_row.get("focality") else None,
               f"ratio to chr17 {erbb2_row.get('ratio_chr17'):g}" if _float(erbb2_row.get("ratio_chr17")) else None,
               "no purity" if purity is None else f"purity {purity:g}"]
    heading = title or f"{sample or 'sample'}: ERBB2 copy number on chr17 (" + \
        ", ".join(d for d in details if d) + ")"
    whole.set_title(heading, fontsize=10, loc="left")
    _save(fig, path, fmt)
    return path


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
        plot_copy_number(table, row, path, str(row.get("genome")))
        written.append(path)
    return written
