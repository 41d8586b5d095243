"""Choose the writer for an output format."""

from __future__ import annotations

from her2cli import __version__
from her2cli.report.columns import ALL_COLUMNS, alteration_rows, verdict_row


def _evidence_date() -> str | None:
    from her2cli.interpret.evidence import load_evidence

    return load_evidence().date


def render(results, fmt: str, summary: bool = False, input_paths: list[str] | None = None) -> str:
    if fmt == "tsv":
        from her2cli.report.tsv import render_tsv

        if summary:
            from her2cli.interpret.verdict import SUMMARY_COLUMNS

            return render_tsv([verdict_row(r.verdict) for r in results if r.verdict], SUMMARY_COLUMNS)
        return render_tsv(alteration_rows(results), ALL_COLUMNS)
    if fmt == "json":
        from her2cli.report.json_report import render_json

        return render_json(results, ALL_COLUMNS, __version__, _evidence_date())
    if fmt == "table":
        import shutil
        import sys

        from her2cli.report.terminal import render_terminal, use_color

        color = use_color(sys.stdout.isatty())
        width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
        return render_terminal(results, _evidence_date(), width=width, color=color)
    if fmt == "vcf":
        from her2cli.report.vcf_out import render_vcf

        return render_vcf(results, input_paths or [])
    if fmt == "maf":
        from her2cli.report.maf import render_maf

        return render_maf(results)
    raise ValueError(f"unknown format {fmt}")
