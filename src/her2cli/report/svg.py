"""Hand-written SVG pictures for the HTML report (no matplotlib: the report must not need it).

``lollipop_svg(rows)``
    ERBB2 mutations on the 1,255-residue protein (NP_004439.2) with its UniProt domains from the
    bundled transcript. One stem per distinct protein change (height = samples carrying it), head
    shape *and* colour = HER2 subgroup. Labels sit in lanes above the stems with leader lines; a
    label never overlaps another label nor crosses another label's leader (``place_labels``). Changes
    in the exon 20 cluster (codons 770-831) are labelled in a zoom panel below the protein, where
    they are spread over the full width.

``copy_number_svg(segments, erbb2_row, genome, thresholds, log2_input)``
    chr17 segments (copies per tumour cell) on the whole chromosome and a 17q12 zoom (ERBB2 +-2.5 Mb),
    the ERBB2 gene band, the centromere, the chr17 baseline and the copy-number threshold of each of
    the six named amplification definitions (copynumber.calls.DEFINITIONS). Definitions whose
    thresholds coincide share one line and one label block listing each of them; distinct values get
    their own dash pattern, so colour never carries the meaning alone. Label blocks are stacked in a
    right-hand gutter with leader lines, never overlapping.

Both pictures are the only drawing of each figure: the HTML page inlines them and ``her2 plot`` writes them
(``report/plots.py``: SVG as is, PNG/PDF converted by cairosvg).

Every text is a real ``<text>`` element in a monospace font, so its extent is at most
``len(text) x CHAR_WIDTH x font-size`` (monospace advance is 0.6 em in DejaVu Sans Mono and Liberation
Mono) and tests can check label boxes from the SVG text alone. Every string from the data is escaped.
"""

from __future__ import annotations

import math
from dataclasses import field
from html import escape

import re

from her2cli.values import valueclass

PROTEIN_LENGTH = 1255

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

# Upper bound of a monospace glyph's advance, in em (DejaVu/Liberation Mono: 0.6).
CHAR_WIDTH = 0.62
FONT = "DejaVu Sans Mono, Liberation Mono, Menlo, Consolas, monospace"
LABEL_SIZE = 11

# The exon 20 insertion cluster (OncoKB: in-frame insertions in codons 770-831) and the zoom around it.
EXON20_CLUSTER = (770, 831)
EXON20_ZOOM = (760, 841)

# Head shapes carry the subgroup together with the colour.
SUBGROUP_SHAPES = {
    "exon20_insertion": "circle",
    "kinase_domain_missense": "square",
    "extracellular": "diamond",
    "transmembrane_juxtamembrane": "triangle",
    "other": "ring",
}

# (colour, dash pattern) per distinct threshold value, in order of first use.
THRESHOLD_STYLES = [
    ("#c2185b", "8 4"), ("#2e7d32", "2 3"), ("#6a1b9a", "10 3 2 3"), ("#e65100", "4 2"),
    ("#00838f", "1 2"), ("#4e342e", "12 2 2 2 2 2"),
]


def subgroup_label(subgroup: str) -> str:
    """The subgroup in words (``exon 20 insertion``), as the page and the summary say it."""
    from her2cli.interpret.summary import SUBGROUP_LABELS

    return SUBGROUP_LABELS.get(subgroup, subgroup)


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    return len(text) * CHAR_WIDTH * size


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def _text(x: float, y: float, text: str, size: float = LABEL_SIZE, anchor: str = "start", cls: str = "",
          extra: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<text{klass} x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-family="{FONT}"{extra}>{_esc(text)}</text>')


# ------------------------------------------------------------------------------------ label placement


@valueclass
class Label:
    anchor_x: float  # x of the leader line (the stem head the label names)
    text: str
    lane: int = 0

    @property
    def width(self) -> float:
        return text_width(self.text) + 4

    @property
    def left(self) -> float:
        return self.anchor_x


def place_labels(labels: list[Label], gap: float = 4.0) -> list[Label]:
    """Give each label a lane so that no two label boxes overlap and no leader crosses a box.

    A box starts at its anchor and its leader rises vertically there from below lane 0. Placed from
    right to left, each label goes one lane above every placed box within its own extent (those boxes
    have anchors at or right of it, so its leader, at its left edge, passes no box; and every leader
    under its box ends in a lower lane). The caller leaves room on the right for the widest label."""
    placed: list[Label] = []
    for label in sorted(labels, key=lambda lb: -lb.anchor_x):
        lo, hi = label.left - gap, label.left + label.width + gap
        under = [other.lane for other in placed if other.left < hi and other.left + other.width > lo]
        label.lane = max(under) + 1 if under else 0
        placed.append(label)
    return labels


# --------------------------------------------------------------------------------------------- lollipop


def _head(shape: str, x: float, y: float, colour: str, title: str) -> str:
    r = 5.5
    tip = f"<title>{_esc(title)}</title>"
    stroke = 'stroke="#222" stroke-width="0.8"'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}" {stroke}>{tip}</rect>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} {x - r - 1:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}" {stroke}>{tip}</polygon>'
    if shape == "triangle":
        pts = f"{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y + r:.1f} {x - r - 1:.1f},{y + r:.1f}"
        return f'<polygon points="{pts}" fill="{colour}" {stroke}>{tip}</polygon>'
    if shape == "ring":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#fff" stroke="{colour}" stroke-width="2.5">{tip}</circle>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" {stroke}>{tip}</circle>'


def _label_text(label: str, n: int) -> str:
    return label if n == 1 else f"{label} (n={n})"


def _spread(stems: list[tuple[int, str, str, int]], scale, min_dx: float) -> list[tuple[float, str, str, int, int]]:
    """(x, label, subgroup, n, residue): changes sharing a residue side by side, min_dx apart."""
    by_residue: dict[int, list[tuple[int, str, str, int]]] = {}
    for stem in stems:
        by_residue.setdefault(stem[0], []).append(stem)
    out = []
    for residue, group in sorted(by_residue.items()):
        for i, (res, label, sub, n) in enumerate(group):
            out.append((scale(res) + i * min_dx, label, sub, n, res))
    return out


SPREAD_DX = 9.0


def _fitted_scale(anchors: list[tuple[float, str]], lo: float, hi: float, left: float, right: float):
    """residue -> x with lo at ``left``, squeezed so that hi and every label (text starting at its
    residue, plus the side-by-side spread) end by ``right``."""
    k = (right - left) / (hi - lo)
    for residue, text in anchors:
        room = right - left - text_width(text) - 8 - 3 * SPREAD_DX
        if residue > lo:
            k = min(k, room / (residue - lo))
    return lambda res: left + (res - lo) * k


def _stem_panel(parts: list[str], stems, scale, base_y: float, top: int,
                extra: tuple[float, float, str] | None = None) -> float:
    """Stems on base_y, heads and labels above them; ``extra`` = (x, y, text): one more label whose
    leader starts at (x, y). Returns the y of the highest label lane used."""
    stem_max, lane_h = 70.0, LABEL_SIZE + 6
    heads = [(x, base_y - 18 - stem_max * n / top, label, sub, n, res)
             for x, label, sub, n, res in _spread(stems, scale, SPREAD_DX)]
    labels = [Label(x, _label_text(text, n)) for x, _, text, _, n, _ in heads]
    extra_label = Label(extra[0], extra[2]) if extra else None
    place_labels(labels + ([extra_label] if extra_label else []))
    lane0 = base_y - 18 - stem_max - 22
    for (x, y, text, sub, n, res), label in zip(heads, labels):
        colour = SUBGROUP_COLOURS.get(sub, SUBGROUP_COLOURS["other"])
        ly = lane0 - label.lane * lane_h
        parts.append(f'<line x1="{x:.1f}" y1="{base_y:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#666" stroke-width="1"/>')
        parts.append(f'<line class="leader" x1="{x:.1f}" y1="{y - 7:.1f}" x2="{x:.1f}" y2="{ly + 3:.1f}" '
                     f'stroke="#aaa" stroke-width="0.7"/>')
        parts.append(_head(SUBGROUP_SHAPES.get(sub, "ring"), x, y, colour,
                           f"{text}: {subgroup_label(sub)}, {n} sample(s), residue {res}"))
        parts.append(_text(label.left + 2, ly, label.text, cls="label"))
    if extra_label is not None:
        ly = lane0 - extra_label.lane * lane_h
        parts.append(f'<line class="leader" x1="{extra[0]:.1f}" y1="{extra[1]:.1f}" x2="{extra[0]:.1f}" '
                     f'y2="{ly + 3:.1f}" stroke="#d62728" stroke-width="0.7"/>')
        parts.append(_text(extra_label.left + 2, ly, extra_label.text, cls="label note"))
    lanes = [lb.lane for lb in labels] + ([extra_label.lane] if extra_label else [])
    return lane0 - max(lanes, default=0) * lane_h


def _protein_track(parts: list[str], domains, scale, lo: int, hi: int, y: float, h: float) -> None:
    parts.append(f'<rect x="{scale(lo):.1f}" y="{y + h * 0.35:.1f}" width="{scale(hi) - scale(lo):.1f}" '
                 f'height="{h * 0.3:.1f}" fill="#9e9e9e"/>')
    for d in domains:
        start, end = max(d.start, lo), min(d.end, hi)
        if start > end:
            continue
        x0, x1 = scale(start - 0.5), scale(end + 0.5)
        parts.append(f'<rect class="domain" x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" height="{h}" '
                     f'fill="{DOMAIN_COLOURS.get(d.name, "#ddd")}" stroke="#555" stroke-width="0.6">'
                     f'<title>{_esc(d.name)} {d.start}-{d.end} ({_esc(d.source)})</title></rect>')
        short = DOMAIN_LABELS.get(d.name, d.name)
        if text_width(short, 10) + 1 <= x1 - x0:
            parts.append(_text((x0 + x1) / 2, y + h / 2 + 3.5, short, size=10, anchor="middle", cls="domain-label"))


def lollipop_svg(rows: list[dict], title: str = "ERBB2 mutations on the protein", width: int = 960,
                 uid: str = "lollipop", visible_title: bool = False) -> str:
    """The lollipop as one ``<svg>`` element (rows: mutation rows of any number of samples)."""
    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    length = len(tx.protein) or PROTEIN_LENGTH
    stems, skipped = lollipop_counts(rows)
    top = max([n for *_, n in stems] + [1])
    left, right = 30.0, width - 10.0
    box_h = 22.0
    cluster = [s for s in stems if EXON20_CLUSTER[0] <= s[0] <= EXON20_CLUSTER[1]]
    outside = [s for s in stems if s not in cluster]
    note = f"exon 20 cluster {EXON20_CLUSTER[0]}-{EXON20_CLUSTER[1]}: zoom below"

    # Each panel is drawn with its base at y=0, then translated below the previous one.
    main: list[str] = []
    anchors = [(res, _label_text(label, n)) for res, label, _, n in outside]
    main_scale = _fitted_scale(anchors + ([(EXON20_CLUSTER[0], note)] if cluster else []), 1, length, left, right)
    extra = None
    if cluster:
        cx0, cx1 = main_scale(EXON20_CLUSTER[0]), main_scale(EXON20_CLUSTER[1])
        main.append(f'<rect x="{cx0:.1f}" y="-12" width="{cx1 - cx0:.1f}" height="9" fill="none" '
                    f'stroke="#d62728" stroke-width="1"/>')
        extra = (cx0, -12.0, note)
    main_top = _stem_panel(main, outside, main_scale, 0.0, top, extra)
    _protein_track(main, tx.domains, main_scale, 1, length, 0.0, box_h)
    for tick in range(0, length + 1, 100):
        x = main_scale(max(tick, 1))
        main.append(f'<line x1="{x:.1f}" y1="{box_h:.1f}" x2="{x:.1f}" y2="{box_h + 4:.1f}" stroke="#555"/>')
        main.append(_text(x, box_h + 15, str(max(tick, 1)), size=9, anchor="middle", cls="tick"))
    main_shift = -(main_top - LABEL_SIZE - 10)
    main_height = main_shift + box_h + 24

    zoom: list[str] = []
    zoom_height = zoom_shift = 0.0
    if cluster:
        lo, hi = EXON20_ZOOM
        zoom_scale = _fitted_scale([(res, _label_text(label, n)) for res, label, _, n in cluster], lo, hi, left, right)
        zoom_top = _stem_panel(zoom, cluster, zoom_scale, 0.0, top)
        _protein_track(zoom, tx.domains, zoom_scale, lo, hi, 0.0, box_h)
        for tick in range(lo - lo % 10 + 10, hi + 1, 10):
            x = zoom_scale(tick)
            zoom.append(f'<line x1="{x:.1f}" y1="{box_h:.1f}" x2="{x:.1f}" y2="{box_h + 4:.1f}" stroke="#555"/>')
            zoom.append(_text(x, box_h + 15, str(tick), size=9, anchor="middle", cls="tick"))
        zoom.append(_text(left, box_h + 30, f"zoom: residues {lo}-{hi} (exon 20 cluster "
                          f"{EXON20_CLUSTER[0]}-{EXON20_CLUSTER[1]})", size=10, cls="note"))
        zoom_shift = main_height + 10 - (zoom_top - LABEL_SIZE - 10)
        zoom_height = 10 - (zoom_top - LABEL_SIZE - 10) + box_h + 38

    legend_y = main_height + zoom_height + 14
    legend = []
    x = left
    used = [s for s in SUBGROUP_COLOURS if any(st[2] == s for st in stems)]
    for sub in used:
        name = subgroup_label(sub)
        legend.append(_head(SUBGROUP_SHAPES[sub], x + 5, legend_y - 4, SUBGROUP_COLOURS[sub], name))
        legend.append(_text(x + 14, legend_y, name, size=10, cls="legend", extra=f' data-subgroup="{sub}"'))
        x += 14 + text_width(name, 10) + 16
    notes = [f"x: residue on {tx.protein_accession} ({length} aa); stem height: samples with the change"]
    if not stems:
        notes.insert(0, "no protein-changing ERBB2 mutation to draw")
    if skipped:
        notes.append(f"{skipped} change(s) without a protein position (intronic, UTR, splice) not drawn")
    for i, text in enumerate(notes):
        legend.append(_text(left, legend_y + 18 + 14 * i, text, size=10, cls="note"))
    height = legend_y + 12 + 14 * len(notes)

    body = (f'<g transform="translate(0 {main_shift:.1f})">{"".join(main)}</g>'
            + (f'<g transform="translate(0 {zoom_shift:.1f})">{"".join(zoom)}</g>' if zoom else "")
            + "".join(legend))
    return _svg("lollipop", width, height, uid, title, body, visible_title)


# ------------------------------------------------------------------------------------ copy-number profile


@valueclass
class ThresholdLine:
    copies: float
    texts: list[str]  # one line of label per definition at this value
    colour: str
    dash: str
    names: list[str] = field(default_factory=list)  # the definitions' machine names, one per text after the head


def threshold_lines(erbb2_row: dict, thresholds=None, log2_input: bool = True) -> list[ThresholdLine]:
    """The copy-number threshold of each definition in copynumber.calls.DEFINITIONS, on the y axis of
    the profile (copies per tumour cell); definitions with the same value share one line."""
    from her2cli.copynumber.calls import DEFINITIONS, Thresholds

    t = thresholds or Thresholds()
    ploidy = _float(erbb2_row.get("ploidy")) or 2.0
    baseline = _float(erbb2_row.get("chr17_baseline"))
    purity = _float(erbb2_row.get("purity"))
    # cnvkit_amp is a log2 cut: on log2 input it applies to the measured log2 (the segments' copies
    # are purity-rescaled), on absolute input to log2(copies / ploidy).
    if log2_input and purity is not None:
        cnvkit = log2_to_copies(t.cnvkit_amp_log2, ploidy, purity)
    else:
        cnvkit = ploidy * 2.0 ** t.cnvkit_amp_log2
    pcgr = min(t.pcgr_copies, t.pcgr_ploidy_factor * ploidy)
    from her2cli.copynumber.definitions import definition_label

    def named(name: str, rule: str = "") -> str:
        return definition_label(name, t) + (f" ({rule})" if rule else "")

    values = {
        "cn_ge_6": (t.amp_copies, named("cn_ge_6")),
        "ratio_ge_2": (t.ratio * baseline, named("ratio_ge_2", f"baseline {baseline:g}")) if baseline else None,
        "purple_amp": (t.purple_ploidy_factor * ploidy, named("purple_amp", f"> {t.purple_ploidy_factor:g}x ploidy {ploidy:g}")),
        "pcgr_amp": (pcgr, named("pcgr_amp", f">={t.pcgr_copies:g} or {t.pcgr_ploidy_factor:g}x ploidy")),
        "cnvkit_amp": (cnvkit, named("cnvkit_amp", f"log2 >= {t.cnvkit_amp_log2:g}")),
        "ngs_cn_gt_7": (t.ngs_copies, named("ngs_cn_gt_7")),
    }
    lines: list[ThresholdLine] = []
    for name in DEFINITIONS:
        entry = values.get(name)
        if entry is None:
            continue
        copies, text = entry
        same = next((ln for ln in lines if abs(ln.copies - copies) < 1e-6), None)
        if same is not None:
            same.texts.append(text)
            same.names.append(name)
            continue
        colour, dash = THRESHOLD_STYLES[len(lines) % len(THRESHOLD_STYLES)]
        lines.append(ThresholdLine(copies, [text], colour, dash, [name]))
    for line in lines:
        line.texts.insert(0, f"{line.copies:.3g} copies:")
    return lines


def stack_blocks(wanted: list[float], heights: list[float], y_min: float, y_max: float, gap: float = 3.0) -> list[float]:
    """Top y of each block, as close to its wanted centre as possible without overlapping (blocks keep
    their order by wanted centre), all inside [y_min, y_max] when they fit."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    tops = [0.0] * len(wanted)
    cursor = y_min
    for i in order:
        tops[i] = max(cursor, wanted[i] - heights[i] / 2)
        cursor = tops[i] + heights[i] + gap
    overflow = cursor - gap - y_max
    if overflow > 0:  # push the stack back up, keeping the order
        floor = y_max
        for i in reversed(order):
            tops[i] = min(tops[i], floor - heights[i])
            floor = tops[i] - gap
    return tops


def copy_number_svg(segments: list[tuple[int, int, float]], erbb2_row: dict, genome: str, thresholds=None,
                    log2_input: bool = True, width: int = 960, uid: str = "cn", title: str | None = None,
                    visible_title: bool = False) -> str:
    """The chr17 profile as one ``<svg>``; ``segments`` are (start, end, copies per tumour cell) on chr17."""
    from her2cli.copynumber.gene_level import chr17_landmarks, gene_spans

    marks = chr17_landmarks(genome)
    erbb2 = next(g for g in gene_spans(genome) if g.gene == "ERBB2")
    baseline = _float(erbb2_row.get("chr17_baseline"))
    erbb2_cn = _float(erbb2_row.get("tumour_copy_number"))
    if erbb2_cn is None:
        erbb2_cn = _float(erbb2_row.get("copy_number"))
    lines = threshold_lines(erbb2_row, thresholds, log2_input)

    top, plot_h = 30.0, 260.0
    bottom = top + plot_h
    y_hi = max([v for *_, v in segments] + [ln.copies for ln in lines] + [baseline or 0, erbb2_cn or 0, 4.0]) * 1.1
    y_hi = math.ceil(y_hi)

    def y_of(copies: float) -> float:
        return bottom - min(copies, y_hi) / y_hi * plot_h

    gutter = 330.0
    whole = (60.0, 60.0 + (width - gutter - 80) * 0.68)
    zoomx = (whole[1] + 20, width - gutter - 10)
    centre = (erbb2.start + erbb2.end) / 2
    panels = [(whole, 0.0, float(marks["chrom_length"]), "chr17 (Mb)"),
              (zoomx, centre - 2.5e6, centre + 2.5e6, "17q12 around ERBB2 (Mb)")]
    parts: list[str] = []
    for (x0, x1), lo, hi, caption in panels:
        def x_of(pos: float, x0=x0, x1=x1, lo=lo, hi=hi) -> float:
            return x0 + (min(max(pos, lo), hi) - lo) / (hi - lo) * (x1 - x0)
        parts.append(f'<rect x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" height="{plot_h}" fill="#fff" stroke="#999"/>')
        c0, c1 = marks["centromere_acen_start"], marks["centromere_acen_end"]
        if c1 > lo and c0 < hi:
            parts.append(f'<rect x="{x_of(c0):.1f}" y="{top:.1f}" width="{max(1.0, x_of(c1) - x_of(c0)):.1f}" '
                         f'height="{plot_h}" fill="#eee"><title>centromere</title></rect>')
        gx0, gx1 = x_of(erbb2.start), x_of(erbb2.end)
        parts.append(f'<rect class="erbb2-band" x="{gx0:.1f}" y="{top:.1f}" width="{max(2.0, gx1 - gx0):.1f}" '
                     f'height="{plot_h}" fill="#d62728" fill-opacity="0.3"><title>ERBB2 {erbb2.start}-{erbb2.end} '
                     f'({_esc(genome)})</title></rect>')
        for ln in lines:
            parts.append(f'<line class="threshold" x1="{x0:.1f}" x2="{x1:.1f}" y1="{y_of(ln.copies):.1f}" '
                         f'y2="{y_of(ln.copies):.1f}" stroke="{ln.colour}" stroke-width="1.4" stroke-dasharray="{ln.dash}"/>')
        if baseline:
            parts.append(f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y_of(baseline):.1f}" y2="{y_of(baseline):.1f}" '
                         f'stroke="#777" stroke-width="1"/>')
        for start, end, value in segments:
            if end < lo or start > hi:
                continue
            parts.append(f'<line class="segment" x1="{x_of(start):.1f}" x2="{max(x_of(end), x_of(start) + 1):.1f}" '
                         f'y1="{y_of(value):.1f}" y2="{y_of(value):.1f}" stroke="#1f4e79" stroke-width="3">'
                         f'<title>{start}-{end}: {value:.2f} copies</title></line>')
        step = 10e6 if hi - lo > 20e6 else 1e6
        tick = math.ceil(lo / step) * step
        while tick <= hi:
            parts.append(f'<line x1="{x_of(tick):.1f}" x2="{x_of(tick):.1f}" y1="{bottom:.1f}" y2="{bottom + 4:.1f}" stroke="#555"/>')
            parts.append(_text(x_of(tick), bottom + 15, f"{tick / 1e6:g}", size=9, anchor="middle", cls="tick"))
            tick += step
        parts.append(_text((x0 + x1) / 2, bottom + 30, caption, size=10, anchor="middle", cls="note"))
        parts.append(_text(gx1 + 3, top + 12, "ERBB2", size=10, cls="gene"))
    for value in range(0, int(y_hi) + 1, max(1, int(y_hi) // 8)):
        parts.append(_text(whole[0] - 5, y_of(value) + 3, str(value), size=9, anchor="end", cls="tick"))
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="10" font-family="{FONT}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">copies per tumour cell</text>')

    # Label blocks in the gutter: one per threshold value, plus the baseline; leaders from the line ends.
    blocks: list[tuple[float, list[str], str, str, list[str]]] = [
        (ln.copies, ln.texts, ln.colour, ln.dash, ["", *ln.names]) for ln in lines]
    if baseline:
        blocks.append((baseline, [f"chr17 baseline {baseline:g} copies"], "#777", "", [""]))
    line_h = LABEL_SIZE + 2
    heights = [len(block[1]) * line_h + 2 for block in blocks]
    tops = stack_blocks([y_of(c) for c, *_ in blocks], heights, 4.0, bottom + 36)
    label_x = zoomx[1] + 46
    for (copies, texts, colour, dash, names), y0, h in zip(blocks, tops, heights):
        y = y_of(copies)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line class="leader" x1="{zoomx[1]:.1f}" y1="{y:.1f}" x2="{label_x - 22:.1f}" y2="{y0 + h / 2:.1f}" '
                     f'stroke="{colour}" stroke-width="0.8"/>')
        parts.append(f'<line x1="{label_x - 20:.1f}" x2="{label_x - 4:.1f}" y1="{y0 + h / 2:.1f}" y2="{y0 + h / 2:.1f}" '
                     f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for i, (text, name) in enumerate(zip(texts, names)):
            code = f' data-definition="{name}"' if name else ""
            parts.append(_text(label_x, y0 + (i + 1) * line_h - 2, text, cls="label threshold-label", extra=code))
    height = bottom + 44
    sample = erbb2_row.get("sample") or "sample"
    title = title or f"{sample}: ERBB2 copy number on chr17 ({genome})"
    return _svg("cn-profile", width, height, uid, title, "".join(parts), visible_title)


def _svg(cls: str, width: float, height: float, uid: str, title: str, body: str, visible_title: bool) -> str:
    """One ``<svg>`` element; ``visible_title`` draws the title as a heading above the figure (a picture file
    has no page heading around it) on a white background."""
    if visible_title:
        body = (f'<rect width="{width}" height="{height + 26:.0f}" fill="#fff"/>'
                + _text(10, 17, title, size=13, cls="heading") + f'<g transform="translate(0 26)">{body}</g>')
        height += 26
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" viewBox="0 0 {width} {height:.0f}" '
            f'width="100%" aria-labelledby="{_esc(uid)}-title"><title id="{_esc(uid)}-title">{_esc(title)}</title>'
            f'{body}</svg>')


def _float(value: object) -> float | None:
    try:
        return None if value is None or value == "" else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------------------- inputs


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


def segments_in_copies(segments, erbb2_row: dict) -> list[tuple[int, int, float]]:
    """(start, end, tumour copies) of the chr17 segments: a ``copynumber.SegmentTable`` (log2 tables converted
    as the gene-level value is: ploidy x 2^log2, purity-rescaled when the row has a purity), a list of
    ``copynumber.Segment`` (taken as copies) or ``(start, end, copies)`` tuples."""
    ploidy = _float(erbb2_row.get("ploidy")) or 2.0
    purity = _float(erbb2_row.get("purity"))
    table_segments = getattr(segments, "segments", None)
    if table_segments is not None:  # a copynumber.SegmentTable
        unit = getattr(segments, "unit", "copies")
        chosen = segments.on("17") if hasattr(segments, "on") else table_segments
        return [(seg.start, seg.end, log2_to_copies(float(seg.value), ploidy, purity) if unit == "log2"
                 else float(seg.value)) for seg in chosen]
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


def log2_to_copies(value: float, ploidy: float, purity: float | None) -> float:
    """As copynumber.gene_level: ploidy x 2^log2, or the tumour-cell value when purity is known (normal
    cells diploid)."""
    if purity is None:
        return ploidy * 2.0 ** value
    normal = 2.0 * (1.0 - purity)
    return max(0.0, (2.0 ** value * (purity * ploidy + normal) - normal) / purity)
