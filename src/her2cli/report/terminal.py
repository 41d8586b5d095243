"""The rich terminal report: per sample, the verdict first, then mutations, copy number and notices.

Readable at 80 columns; no colour when piped or when NO_COLOR is set (rich honours both).
"""

from __future__ import annotations

import io


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return str(value)


def render_terminal(results, evidence_date: str | None, width: int | None = None, color: bool | None = None) -> str:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table
    from rich import box

    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 100, force_terminal=bool(color), no_color=not color,
                      highlight=False, soft_wrap=False)
    for result in results:
        summary = result.summary or {}
        verdict = Table.grid(padding=(0, 1))
        verdict.add_column(style="bold")
        verdict.add_column()
        verdict.add_row("Mutation", _fmt(summary.get("mutation_status")) + (
            f" ({summary.get('mutation_subgroups')})" if summary.get("mutation_subgroups") else ""))
        if summary.get("mutations"):
            verdict.add_row("", _fmt(summary.get("mutations")))
        verdict.add_row("Amplification", _fmt(summary.get("amplification_status")))
        if summary.get("amplification_definitions_met"):
            verdict.add_row("", "definitions met: " + _fmt(summary.get("amplification_definitions_met")))
        verdict.add_row("Overexpression", _fmt(summary.get("overexpression")))
        verdict.add_row("Co-occurring", _fmt(summary.get("co_occurring")))
        if summary.get("evidence"):
            verdict.add_row("Evidence", _fmt(summary.get("evidence")))
        title = f"{result.sample}" + (f"  [{result.genome}]" if result.genome else "")
        console.print(Panel(verdict, title=title, title_align="left", box=box.ROUNDED))

        mutations = [r for r in result.rows if r.get("kind") == "mutation"]
        if mutations:
            table = Table(title="Mutations (NM_004448.4)", box=box.SIMPLE_HEAD, title_justify="left")
            for name in ("protein", "c.", "exon", "subgroup", "VAF", "depth", "filter"):
                table.add_column(name, overflow="fold")
            for row in mutations:
                table.add_row(_fmt(row.get("hgvs_p_short")), _fmt(row.get("hgvs_c")), _fmt(row.get("exon")),
                              _fmt(row.get("subgroup")), _fmt(row.get("vaf")), _fmt(row.get("depth")),
                              _fmt(row.get("filter")))
            console.print(table)
        else:
            console.print("No ERBB2 mutation reported.")
        copy_rows = [r for r in result.rows if r.get("kind") == "copy_number"]
        for row in copy_rows:
            table = Table(title="Copy number (ERBB2)", box=box.SIMPLE_HEAD, title_justify="left")
            for name in ("copy number", "log2", "ratio chr17", "focality", "status", "definitions met"):
                table.add_column(name, overflow="fold")
            table.add_row(_fmt(row.get("copy_number"), 2), _fmt(row.get("log2")), _fmt(row.get("ratio_chr17"), 2),
                          _fmt(row.get("focality")), _fmt(row.get("cn_status")), _fmt(row.get("calls")))
            console.print(table)
        if result.notices:
            console.print("Notices:", style="bold")
            for notice in result.notices:
                console.print(f"  - {notice}")
        console.print()
    if evidence_date:
        console.print(f"Evidence table dated {evidence_date} (her2 evidence prints it).")
    return buffer.getvalue()
