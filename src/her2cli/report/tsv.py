"""Tidy TSV: header first, one row per alteration (or per sample for the summary)."""

from __future__ import annotations



def format_value(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:  # the common case, first
        return value if "\t" not in value and "\n" not in value else value.replace("\t", " ").replace("\n", " ")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text if text not in ("-0", "") else "0"
    return str(value).replace("\t", " ").replace("\n", " ")


def render_lines(rows: list[dict], columns: list[str]) -> str:
    """The data lines only (each ending in a newline), so that workers can render their own rows."""
    out = []
    for row in rows:
        # Most cells are empty or plain text: skip the call for those (a cohort renders millions).
        cells = [row.get(c) for c in columns]
        out.append("\t".join(
            "" if v is None else v if (type(v) is str and "\t" not in v and "\n" not in v) else format_value(v)
            for v in cells
        ))
        out.append("\n")
    return "".join(out)


def render_tsv(rows: list[dict], columns: list[str]) -> str:
    return "\t".join(columns) + "\n" + render_lines(rows, columns)


def render_format(results, context) -> str:
    from her2cli.report.columns import ALL_COLUMNS, alteration_rows, verdict_row

    if context.summary:
        from her2cli.interpret.verdict import SUMMARY_COLUMNS

        return render_tsv([verdict_row(r.verdict) for r in results if r.verdict], SUMMARY_COLUMNS)
    return render_tsv(alteration_rows(results), ALL_COLUMNS)
