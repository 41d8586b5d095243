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


def render_tsv(rows: list[dict], columns: list[str]) -> str:
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join(format_value(row.get(c)) for c in columns))
    return "\n".join(lines) + "\n"
