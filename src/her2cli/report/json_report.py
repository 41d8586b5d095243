"""``--format json``: one document per run, typed (numbers as numbers, lists as lists, evidence as
objects), keys fixed by the JSON Schema shipped beside this module (``report/schema.json``, loaded with
``json_schema()``); documented in docs/output-formats.md.

Layout: ``{"her2cli_version", "evidence_table_date", "samples": [{"sample", "source", "genome",
"summary", "alterations", "notices"}]}``. An alteration object has every column of the TSV table
(``report.columns.ALL_COLUMNS``, null where not applicable) with ``flags``, ``calls`` and
``co_amplified_genes`` as lists and ``evidence`` as a list of evidence objects. ``coverage``: the ERBB2 exon and
hotspot coverage behind the mutation status (docs/coverage.md), null without coverage input. ``summary`` has the
summary table's keys with ``mutation_subgroups``, ``mutations``, ``amplification_definitions_met`` and
``evidence`` as lists, ``copy_number`` and ``ratio_chr17`` as numbers.
"""

from __future__ import annotations

import json
from importlib import resources

from her2cli.report.columns import ALL_COLUMNS, alteration_row, verdict_row

SCHEMA_FILE = "schema.json"


def evidence_object(line) -> dict:
    """One evidence line as an object (the keys of ``her2 evidence``; eligibility a list)."""
    from her2cli.interpret.evidence import EVIDENCE_TABLE_COLUMNS

    item = {name: getattr(line, name) for name in EVIDENCE_TABLE_COLUMNS}
    item["eligibility"] = list(line.eligibility)
    return item


def alteration_object(call) -> dict:
    row = alteration_row(call)
    item = {name: row.get(name) for name in ALL_COLUMNS}
    if call.kind == "mutation":
        item["flags"] = list(call.flags)
    else:
        item["calls"] = list(call.assessment.calls)
        item["co_amplified_genes"] = list(call.assessment.co_amplified_genes)
    item["evidence"] = [evidence_object(line) for line in call.evidence]
    return item


def summary_object(verdict) -> dict:
    item = verdict_row(verdict)
    item.update({
        "mutation_subgroups": list(verdict.mutation_subgroups), "mutations": list(verdict.mutations),
        "amplification_definitions_met": list(verdict.amplification_definitions_met)
        if verdict.amplification_status != "not assessed" else None,
        "evidence": [evidence_object(line) for line in verdict.evidence],
        "oncogenicity_classes": list(verdict.oncogenicity_classes),
        "oncogenicity_points": list(verdict.oncogenicity_points),
        "no_therapy_reason": verdict.no_therapy_reason,
    })
    return item


def sample_object(result) -> dict:
    summary = None
    if result.verdict is not None:
        from her2cli.interpret.summary import summary_text

        summary = {**summary_object(result.verdict), "summary_text": summary_text(result.verdict, result.mutations)}
    return {
        "sample": result.sample,
        "source": result.source,
        "genome": result.genome,
        "summary": summary,
        "alterations": [alteration_object(call) for call in result.calls],
        "notices": list(result.notices),
        "coverage": coverage_object(result.coverage),
    }


def coverage_object(coverage) -> dict | None:
    """A coverage.CoverageAssessment as the schema's ``coverage`` object (None: no coverage input)."""
    if coverage is None:
        return None

    def r(value, digits: int):
        return None if value is None else round(value, digits)

    return {
        "kind": coverage.kind, "source": coverage.source, "genome": coverage.genome,
        "min_depth": coverage.min_depth, "min_alt_reads": coverage.min_alt_reads, "assessed": coverage.assessed,
        "basis": coverage.basis, "targets": coverage.targets,
        "exons": [{"exon": e.exon, "start": e.start, "end": e.end, "bases_targeted": e.bases_targeted,
                   "median_depth": r(e.median_depth, 1), "min_depth": r(e.min_depth, 1),
                   "share_at_min_depth": r(e.share_at_min_depth, 4), "driver": e.driver} for e in coverage.exons],
        "hotspots": [{"label": h.label, "first_codon": h.first_codon, "last_codon": h.last_codon, "exon": h.exon,
                      "start": h.start, "end": h.end, "depth": r(h.depth, 1), "lod_vaf": r(h.lod_vaf, 4),
                      "min_purity": r(h.min_purity, 4), "source": h.source} for h in coverage.hotspots],
        "notes": list(coverage.notes),
    }


def render_json(results, version: str, evidence_date: str | None) -> str:
    document = {"her2cli_version": version, "evidence_table_date": evidence_date,
                "samples": [sample_object(result) for result in results]}
    return json.dumps(document, indent=2) + "\n"


def render_evidence_json(table) -> str:
    """``her2 evidence -f json``: the bundled evidence table as a document."""
    document = {"version": table.version, "date": table.date,
                "lines": [evidence_object(line) for line in table.lines]}
    return json.dumps(document, indent=2) + "\n"


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of ``--format json`` output."""
    return json.loads(resources.files("her2cli.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def render_format(results, context) -> str:
    from her2cli.version import __version__
    from her2cli.interpret.evidence import load_evidence

    return render_json(results, __version__, load_evidence().date)
