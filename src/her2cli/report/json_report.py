"""JSON: one object per sample with stable keys (documented in the README)."""

from __future__ import annotations

import json


def render_json(results, columns: list[str], version: str, evidence_date: str | None) -> str:
    samples = []
    for result in results:
        samples.append({
            "sample": result.sample,
            "genome": result.genome,
            "summary": result.summary,
            "alterations": [{c: row.get(c) for c in columns} for row in result.rows],
            "notices": list(result.notices),
        })
    document = {"her2cli_version": version, "evidence_table_date": evidence_date, "samples": samples}
    return json.dumps(document, indent=2, default=str) + "\n"
