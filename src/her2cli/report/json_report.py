"""JSON: one object per sample with stable keys (documented in the README)."""

from __future__ import annotations

import json

from her2cli.report.columns import alteration_row, verdict_row


def render_json(results, columns: list[str], version: str, evidence_date: str | None) -> str:
    samples = []
    for result in results:
        samples.append({
            "sample": result.sample,
            "genome": result.genome,
            "summary": verdict_row(result.verdict) if result.verdict else None,
            "alterations": [{c: row.get(c) for c in columns} for row in map(alteration_row, result.calls)],
            "notices": list(result.notices),
        })
    document = {"her2cli_version": version, "evidence_table_date": evidence_date, "samples": samples}
    return json.dumps(document, indent=2, default=str) + "\n"
