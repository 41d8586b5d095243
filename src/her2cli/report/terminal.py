"""The rich terminal report (``--format table``).

Per sample, in this order:

0. **Summary**: the verdict in plain sentences (``interpret.summary.summary_sentences``, the same as
   the HTML page's summary and the JSON ``summary_text``).
1. **Verdict** (a box): mutation status and subgroups; amplification status with each named
   definition (cn_ge_6, ratio_ge_2, purple_amp, pcgr_amp, cnvkit_amp, ngs_cn_gt_7) marked met / not
   met; focality; overexpression (IHC, never inferred from DNA); co-occurrence; matched evidence,
   one therapy per line.
2. **Mutations**: change, c. name, VAF, depth (flagged ``low`` under 100 reads), subgroup, FILTER,
   then each mutation's evidence.
3. **Copy number**: copy number (and tumour-cell copy number when purity rescaled it), ratio to
   the chr17 baseline, log2, focality and amplicon size, definitions met, co-amplified genes.
4. **Notices**: the pipeline's (skipped records, REF mismatches, missing purity, ...) plus one
   per low-depth mutation.

The evidence table's date closes the report. Lines never exceed ``width`` (default 100; rich folds
long values). Colour follows ``use_color``: ``NO_COLOR`` (non-empty) wins, then ``FORCE_COLOR``
(non-empty; CI logs, ``less -R``), then whether the output is a terminal -- the rules rich itself uses.
"""

from __future__ import annotations

import io
import os
import re

from her2cli.report.columns import alteration_row, verdict_row

LOW_DEPTH = 100  # reads; below this a VAF (and a negative call) is unreliable

# Named amplification definitions (copynumber.calls) with the assay or tool each one mirrors.
DEFINITION_SOURCES = [
    ("cn_ge_6", "ISH: >= 6 copies"),
    ("ratio_ge_2", "FISH: ERBB2/chr17"),
    ("purple_amp", "PURPLE: min CN vs ploidy"),
    ("pcgr_amp", "PCGR: copies or x ploidy"),
    ("cnvkit_amp", "CNVkit: log2"),
    ("ngs_cn_gt_7", "NCI-MATCH: > 7 copies"),
]


def use_color(is_terminal: bool, environ=None) -> bool:
    """Escape codes or not: NO_COLOR beats FORCE_COLOR beats the terminal test (no-color.org, force-color.org)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    return is_terminal


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return str(value)


def _points(row: dict) -> str:
    points = row.get("oncogenicity_points")
    return "" if points in (None, "") else f" ({points})"


def _criteria(text: str) -> list[str]:
    """One SOP criterion per line (a reason may itself hold '; ')."""
    import re

    return re.split(r"; (?=(?:OVS|OS|OM|OP|SBVS|SBS|SBP)\d )", str(text))


def _split(value: object, sep: str = ";") -> list[str]:
    return [v.strip() for v in str(value or "").split(sep) if v.strip() and v.strip() != "none"]


def _depth_int(row: dict) -> int | None:
    try:
        return int(row.get("depth"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _notices_for(result, others: set[str]) -> list[str]:
    """Notices about this sample: those naming it, or naming no other sample of the run."""
    def names(sample: str, text: str) -> bool:
        return re.search(r"(?<![\w.-])" + re.escape(sample) + r"(?![\w-])", text) is not None

    out = []
    for notice in result.notices:
        if names(result.sample, notice) or not any(names(o, notice) for o in others):
            if notice not in out:
                out.append(notice)
    return out


def render_terminal(results, evidence_date: str | None, width: int | None = None, color: bool | None = None) -> str:
    """The report of every sample: verdict, mutations, copy number, notices (80 columns and up)."""
    from rich.console import Console
    from rich.text import Text

    # An explicit colour request still yields to NO_COLOR; no request means "not a terminal".
    color = use_color(False) if color is None else bool(color) and use_color(True)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 100, force_terminal=bool(color), no_color=not color,
                      color_system="standard" if color else None, highlight=False, soft_wrap=False,
                      emoji=False, markup=False)
    all_samples = {r.sample for r in results}
    for result in results:
        mutations = [(call.name, alteration_row(call)) for call in result.mutations]
        cn_rows = [alteration_row(call) for call in result.copy_numbers]
        if result.verdict is not None:  # the answer first, in the sentences the HTML page and JSON show
            from her2cli.interpret.summary import summary_sentences

            console.print(Text(f"Summary: {result.sample}", style="bold"))
            console.print(_indented([s.text for s in summary_sentences(result.verdict, result.mutations)], 2,
                                    bullet="- "))
        console.print(_verdict_panel(result, cn_rows, evidence_date))
        low_depth = _mutation_section(console, mutations)
        _coverage_section(console, result.coverage)
        _copy_number_section(console, cn_rows)
        notices = _notices_for(result, all_samples - {result.sample}) + low_depth
        if notices:
            console.print()
            console.print(Text("Notices", style="bold"))
            console.print(_indented(notices, 2, bullet="- "))
        console.print()
    if evidence_date:
        console.print(Text(f"Evidence table dated {evidence_date} (her2 evidence prints it)."))
    text = buffer.getvalue()
    if not color:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text


def _verdict_panel(result, cn_rows: list[dict], evidence_date: str | None):
    """The boxed verdict: the three mechanisms apart, the definitions met, the evidence lines."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    summary = verdict_row(result.verdict) if result.verdict else {}
    verdict = Table.grid(padding=(0, 2))
    verdict.add_column(style="bold", no_wrap=True)
    verdict.add_column(overflow="fold")
    status = _fmt(summary.get("mutation_status"))
    subgroups = summary.get("mutation_subgroups")
    verdict.add_row("Mutation", status + (f" ({subgroups.replace(';', ', ')})" if subgroups else ""))
    if summary.get("mutations"):
        verdict.add_row("", ", ".join(_split(summary.get("mutations"))))
    if summary.get("assessment_basis"):
        verdict.add_row("Rests on", str(summary["assessment_basis"]))
    amp = _fmt(summary.get("amplification_status"))
    verdict.add_row("Amplification", amp if cn_rows else f"{amp} (no segment file)")
    if cn_rows:
        met = set(_split(summary.get("amplification_definitions_met")))
        defs = Table.grid(padding=(0, 2))
        defs.add_column(no_wrap=True)
        defs.add_column(no_wrap=True)
        defs.add_column(overflow="fold", style="dim")
        for name, source in DEFINITION_SOURCES:
            defs.add_row(name, "met" if name in met else "not met", source)
        verdict.add_row("", defs)
        verdict.add_row("Focality", _fmt(summary.get("focality")))
    verdict.add_row("Overexpression", _fmt(summary.get("overexpression")))
    verdict.add_row("Co-occurring", _fmt(summary.get("co_occurring")))
    therapies = _split(summary.get("evidence"))
    if therapies:
        verdict.add_row("Evidence", "\n".join(therapies))
    elif summary.get("no_therapy_reason"):
        verdict.add_row("Evidence", str(summary["no_therapy_reason"]))
    elif evidence_date:
        verdict.add_row("Evidence", "no matching line in the evidence table")
    title = f"{result.sample}" + (f" [{result.genome}]" if result.genome else "")
    return Panel(verdict, title=title, title_align="left", box=box.ROUNDED, subtitle="verdict",
                 subtitle_align="right")


def _mutation_section(console, mutations: list[tuple[str, dict]]) -> list[str]:
    """The mutation table and the evidence per mutation; returns the low-depth notices."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not mutations:
        console.print(Text("Mutations: no ERBB2 mutation reported.", style="bold"))
        return []
    low_depth: list[str] = []
    table = Table(title="Mutations (ERBB2 NM_004448.4)", box=box.SIMPLE_HEAD, title_justify="left",
                  title_style="bold", pad_edge=False)
    for name, justify in (("change", "left"), ("VAF", "right"), ("depth", "right"),
                          ("subgroup", "left"), ("class / origin", "left"), ("filter", "left")):
        table.add_column(name, overflow="fold", justify=justify)  # type: ignore[arg-type]
    for name, row in mutations:
        depth = _depth_int(row)
        depth_text = _fmt(row.get("depth"))
        if depth is not None and depth < LOW_DEPTH:
            depth_text += " low"
            low_depth.append(f"low depth: {name} has {depth} reads (< {LOW_DEPTH}); "
                             "its VAF is imprecise and a wild-type call there would not be reliable")
        change = Text(name)
        if row.get("hgvs_c") and row.get("hgvs_c") != name:
            change.append("\n" + str(row["hgvs_c"]), style="dim")
        table.add_row(change, _fmt(row.get("vaf")), depth_text, _fmt(row.get("subgroup")),
                      f"{_fmt(row.get('oncogenicity'))}{_points(row)}\n{_fmt(row.get('origin'))}",
                      _fmt(row.get("filter")))
    console.print(table)
    from her2cli.interpret.oncogenicity import class_decided_by

    criteria = []
    for name, r in mutations:
        if r.get("oncogenicity_criteria"):
            items = _criteria(r["oncogenicity_criteria"])
            decided = class_decided_by(r.get("oncogenicity_source"))
            criteria.append((name, items + [f"class decided by {decided}"] if decided else items))
    if criteria:
        console.print(Text("Oncogenicity criteria (ClinGen/CGC/VICC SOP)", style="bold"))
        for name, items in criteria:
            console.print(_indented([name], 2, style="bold"))
            console.print(_indented(items, 4))
    evidence_lines = [(name, _split(r.get("evidence"))) for name, r in mutations if r.get("evidence")]
    if evidence_lines:
        console.print(Text("Evidence per mutation", style="bold"))
        for name, items in evidence_lines:
            console.print(_indented([name], 2, style="bold"))
            console.print(_indented(items, 4))
    return low_depth


def _coverage_section(console, coverage) -> None:
    """Driver-exon coverage and the hotspot limits of detection (docs/coverage.md); nothing without input."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if coverage is None or not coverage.exons:
        return
    console.print()
    where = f"{coverage.kind}" + (f": {coverage.source}" if coverage.source else "")
    console.print(Text(f"Coverage of the driver exons ({where}; >= {coverage.min_depth}x)", style="bold"))
    exons = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("exon", "bases", "median", "min", f">= {coverage.min_depth}x"):
        exons.add_column(name, justify="right")
    for e in coverage.exons:
        if e.driver:
            share = "" if e.share_at_min_depth is None else f"{100 * e.share_at_min_depth:.0f}%"
            exons.add_row(str(e.exon), str(e.bases_targeted), _whole(e.median_depth), _whole(e.min_depth), share)
    console.print(exons)
    if any(h.depth is not None for h in coverage.hotspots):
        spots = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"Hotspots (LoD: 95% detection with "
                      f">= {coverage.min_alt_reads} alt reads)", title_justify="left")
        for name, justify in (("hotspot", "left"), ("exon", "right"), ("depth", "right"), ("LoD VAF", "right"),
                              ("purity below which missed", "right")):
            spots.add_column(name, justify=justify)  # type: ignore[arg-type]
        for h in coverage.hotspots:
            lod = "none callable" if h.lod_vaf is None else f"{100 * h.lod_vaf:.1f}%"
            purity = ("any" if h.lod_vaf is None or h.min_purity is None else f"{100 * h.min_purity:.0f}%")
            spots.add_row(h.label, str(h.exon), _whole(h.depth), lod, purity)
        console.print(spots)


def _whole(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def _copy_number_section(console, cn_rows: list[dict]) -> None:
    from rich.text import Text

    if not cn_rows:
        console.print(Text("Copy number: not assessed (no segment file).", style="bold"))
        return
    console.print()
    console.print(Text("Copy number (ERBB2)", style="bold"))
    for row in cn_rows:
        console.print(_copy_number_grid(row))


def _copy_number_grid(row: dict):
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, width=0)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    value = _fmt(row.get("copy_number"), 2)
    tumour = row.get("tumour_copy_number")
    if tumour is not None and tumour != row.get("copy_number"):
        value += f" (tumour cells: {_fmt(tumour, 2)})"
    grid.add_row("", "copy number", value)
    ratio = _fmt(row.get("ratio_chr17"), 2)
    if row.get("chr17_baseline") is not None:
        ratio += f" (chr17 baseline {_fmt(row.get('chr17_baseline'), 2)})"
    grid.add_row("", "ratio to chr17", ratio)
    grid.add_row("", "log2", _fmt(row.get("log2")))
    focality = _fmt(row.get("focality"))
    if row.get("amplicon_size"):
        focality += f" ({float(row['amplicon_size']) / 1e6:.2f} Mb)"  # type: ignore[arg-type]
    grid.add_row("", "focality", focality)
    grid.add_row("", "status", _fmt(row.get("cn_status")))
    grid.add_row("", "definitions met", ", ".join(_split(row.get("calls"))) or "none")
    if row.get("co_amplified_genes"):
        grid.add_row("", "co-amplified", ", ".join(_split(row.get("co_amplified_genes"), ",")))
    if row.get("purity") is None:
        purity = "not given (copy number assumes 100% tumour cells)"
        if row.get("min_purity_for_amplification") is not None:
            purity += (f"; already an amplification if purity < "
                       f"{_fmt(row.get('min_purity_for_amplification'), 2)}")
    else:
        purity = f"{_fmt(row.get('purity'))} ({_fmt(row.get('purity_source'))})"
    grid.add_row("", "purity", purity)
    grid.add_row("", "ploidy", _fmt(row.get("ploidy"), 2))
    if row.get("segment_format"):
        grid.add_row("", "segments", _fmt(row.get("segment_format")))
    return grid


def _indented(lines: list[str], indent: int, bullet: str = "", style: str | None = None):
    """Lines with a hanging indent: wrapped continuations line up under the text."""
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(width=indent + len(bullet), no_wrap=True)
    grid.add_column(overflow="fold", style=style)
    for line in lines:
        grid.add_row(" " * indent + bullet, line)
    return grid
