"""The HTML page's coverage section (docs/coverage.md, docs/html-report.md): what the mutation status rests on,
a per-exon picture of the ERBB2 coding exons against ``--min-depth``, and the hotspot table with the limit of
detection. Self-contained (its own escaping, table and SVG) so that ``report/html.py`` hooks it in with one call.
"""

from __future__ import annotations

from html import escape

_WIDTH, _HEIGHT = 880, 190
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 14, 46


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _table(headers: list[str], rows: list[list[str]], caption: str) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<table class="coverage"><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _whole(value) -> str:
    return "" if value is None else f"{value:.0f}"


def _percent(value, digits: int = 0) -> str:
    return "" if value is None else f"{100 * value:.{digits}f}%"


def coverage_section(coverage, basis: object) -> str:
    """The section for one sample: ``coverage`` a coverage.CoverageAssessment or None (no coverage input, or a
    page rebuilt from cohort tables), ``basis`` the summary's ``assessment_basis``."""
    text = str(basis) if basis else "no variant file: mutation not assessed"
    qualified = coverage is not None and coverage.assessed
    kind = "negative" if qualified else "unknown"
    parts = ['<section class="coverage" aria-label="Coverage behind the mutation status">',
             "<h2>Coverage behind the mutation status</h2>",
             f'<p>Rests on: <span class="status {kind}">{_e(text)}</span></p>']
    if coverage is None:
        parts.append('<p class="muted">Without coverage input (--coverage, --targets, gVCF blocks) a '
                     '"not detected" is not qualified by what the sequencing could see.</p></section>')
        return "".join(parts)
    where = coverage.kind + (f" {coverage.source}" if coverage.source else "")
    if coverage.targets:
        where += f"; targets {coverage.targets}"
    if coverage.exons:  # depths were read: say how they are judged
        parts.append(f'<p class="muted">From {_e(where)}; threshold {coverage.min_depth} reads; limit of '
                     f"detection: lowest VAF seen with 95% probability with at least {coverage.min_alt_reads} alt "
                     "reads (binomial model, docs/coverage.md).</p>")
    else:
        parts.append(f'<p class="muted">From {_e(where)}.</p>')
    if coverage.exons:
        parts.append(exon_picture(coverage))
        rows = [[_e(e.exon) + (" (driver)" if e.driver else ""), _e(e.bases_targeted), _e(_whole(e.median_depth)),
                 _e(_whole(e.min_depth)), _e(_percent(e.share_at_min_depth))] for e in coverage.exons if e.driver]
        parts.append(_table(["exon", "bases targeted", "median depth (reads)", "min depth (reads)",
                             f"bases >= {coverage.min_depth}x"], rows, "Driver exons"))
    if coverage.hotspots and any(h.depth is not None for h in coverage.hotspots):
        rows = [[_e(h.label), _e(h.exon), _e(_whole(h.depth)),
                 _e("none callable" if h.lod_vaf is None else _percent(h.lod_vaf, 1)),
                 _e("any" if h.min_purity is None else _percent(h.min_purity)), _e(h.source)]
                for h in coverage.hotspots]
        parts.append(_table(["hotspot", "exon", "depth (reads)", "LoD VAF", "missed below purity", "source"], rows,
                            "Hotspots: depth and limit of detection (a clonal heterozygous mutation is missed "
                            "below the purity shown)"))
    parts.extend(f'<p class="muted">{_e(note)}</p>' for note in coverage.notes)
    parts.append("</section>")
    return "".join(parts)


def exon_picture(coverage) -> str:
    """One bar per coding exon: the median depth (a tick at the minimum), a dashed line at --min-depth; driver
    exons labelled in bold; the bar's colour says whether every base reached the threshold."""
    exons = coverage.exons
    values = [e.median_depth for e in exons if e.median_depth is not None]
    top = max([coverage.min_depth * 1.25, *values]) if values else coverage.min_depth * 1.25
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    step = plot_w / len(exons)

    def y_of(depth: float) -> float:
        return _TOP + plot_h * (1 - min(depth, top) / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="exon-coverage" role="img" '
             f'viewBox="0 0 {_WIDTH} {_HEIGHT}" width="100%"><title>Median depth per ERBB2 coding exon</title>',
             f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{_TOP + plot_h}" y2="{_TOP + plot_h}" stroke="#555"/>',
             f'<text x="{_LEFT - 6}" y="{_TOP + 4}" font-size="11" text-anchor="end">{top:.0f}x</text>',
             f'<text x="{_LEFT - 6}" y="{_TOP + plot_h}" font-size="11" text-anchor="end">0</text>']
    for i, e in enumerate(exons):
        x = _LEFT + i * step + step * 0.15
        w = step * 0.7
        share = e.share_at_min_depth
        colour = "#9aa5b1" if share is None else "#2e7d32" if share >= 1 else "#c62828" if share < 0.5 else "#ef8f00"
        label = (f"exon {e.exon}: median {_whole(e.median_depth) or 'n/a'}, min {_whole(e.min_depth) or 'n/a'}, "
                 f"{_percent(share) or 'n/a'} of bases >= {coverage.min_depth}x")
        if e.median_depth is not None:
            y = y_of(e.median_depth)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{_TOP + plot_h - y:.1f}" '
                         f'fill="{colour}"><title>{_e(label)}</title></rect>')
            if e.min_depth is not None:
                ym = y_of(e.min_depth)
                parts.append(f'<line x1="{x:.1f}" x2="{x + w:.1f}" y1="{ym:.1f}" y2="{ym:.1f}" stroke="#111" '
                             'stroke-width="1.5"/>')
        else:
            parts.append(f'<rect x="{x:.1f}" y="{_TOP + plot_h - 4}" width="{w:.1f}" height="4" fill="{colour}">'
                         f"<title>{_e(label)}</title></rect>")
        weight = "700" if e.driver else "400"
        parts.append(f'<text x="{x + w / 2:.1f}" y="{_TOP + plot_h + 14}" font-size="10" text-anchor="middle" '
                     f'font-weight="{weight}">{e.exon}</text>')
    y_line = y_of(coverage.min_depth)
    parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y_line:.1f}" y2="{y_line:.1f}" stroke="#111" '
                 f'stroke-dasharray="5 4"/><text x="{_LEFT - 6}" y="{y_line + 4:.1f}" font-size="11" '
                 f'text-anchor="end">{coverage.min_depth}x</text>')
    parts.append(f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_HEIGHT - 8}" font-size="11" text-anchor="middle">'
                 "ERBB2 coding exon (bold: holds a driver hotspot); bar: median depth, tick: minimum; green: every "
                 "base at the threshold</text></svg>")
    return "".join(parts)
