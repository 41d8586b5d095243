"""The tabular edge: column names of the alteration and verdict tables, and the one place where typed
results (``her2cli.results``) become rows.

A row is a plain ``dict[str, object]`` keyed by these names; a value that does not apply is ``None``
(written as an empty TSV field / JSON null). Mutation rows have ``kind == "mutation"``, copy-number
rows ``kind == "copy_number"``.
"""

from __future__ import annotations

from her2cli.variants.annotator import SUBGROUPS  # noqa: F401 (decided in variants/; re-exported)

# Columns every row has, in output order (issue #2 names these exactly).
SHARED_COLUMNS = [
    "sample", "source", "kind", "chrom", "pos", "ref", "alt", "genome", "transcript", "exon",
    "hgvs_g", "hgvs_c", "hgvs_p", "hgvs_p_short", "consequence", "domain", "subgroup",
    "filter", "depth", "alt_depth", "vaf",
]

# Mutation-specific extras.
MUTATION_COLUMNS = [
    "intron", "protein_position", "legacy_name", "caller_format", "input_pos", "input_ref",
    "input_alt", "flags", "oncogenicity", "oncogenicity_basis", "oncogenicity_criteria", "oncogenicity_points",
    "oncogenicity_source", "population_af", "population_af_source",
    "origin", "origin_basis", "input_hgvsc", "input_hgvsp", "renamed", "ref_depth",
    "population_absent_from", "publisher_oncogenic", "publisher_mutation_effect", "publisher_highest_level",
]

# Copy-number-specific extras (issue #3 names the first seven).
COPY_NUMBER_COLUMNS = [
    "copy_number", "log2", "ratio_chr17", "focality", "amplicon_size", "calls", "cn_status",
    "tumour_copy_number", "chr17_baseline", "ploidy", "purity", "purity_source",
    "breakpoint_in_gene", "co_amplified_genes", "segment_format", "values_adjusted",
    "min_purity_for_amplification",
]

# Evidence (issue #4), filled by the evidence matcher.
EVIDENCE_COLUMNS = ["evidence", "amp_tier", "amp_tier_basis"]

ALL_COLUMNS = SHARED_COLUMNS + MUTATION_COLUMNS + COPY_NUMBER_COLUMNS + EVIDENCE_COLUMNS


def empty_row() -> dict[str, object]:
    return {name: None for name in ALL_COLUMNS}


def _round(value, digits: int):
    return None if value is None else round(value, digits)


def format_evidence_cell(lines) -> str | None:
    from her2cli.interpret.evidence import format_evidence

    return format_evidence(lines) or None


def alteration_row(call) -> dict[str, object]:
    """One MutationCall or CopyNumberCall as a row of ALL_COLUMNS (lists joined, numbers rounded)."""
    row = empty_row()
    if call.kind == "mutation":
        for name in ALL_COLUMNS:
            if name in _MUTATION_FIELDS:
                row[name] = getattr(call, name)
        row["kind"] = "mutation"
        row["flags"] = ",".join(call.flags) or None
    else:
        a = call.assessment
        row.update({
            "sample": call.sample, "source": call.source, "kind": "copy_number", "chrom": a.chrom, "pos": a.pos,
            "genome": a.genome, "copy_number": _round(a.copy_number, 2), "log2": _round(a.log2, 3),
            "ratio_chr17": _round(a.ratio_chr17, 2), "focality": a.focality, "amplicon_size": a.amplicon_size,
            "calls": ";".join(a.calls), "cn_status": a.cn_status,
            "tumour_copy_number": _round(a.tumour_copy_number, 2), "chr17_baseline": _round(a.chr17_baseline, 2),
            "ploidy": _round(a.ploidy, 2), "purity": _round(a.purity, 3), "purity_source": a.purity_source,
            "breakpoint_in_gene": a.breakpoint_in_gene, "co_amplified_genes": ",".join(a.co_amplified_genes),
            "segment_format": a.segment_format, "values_adjusted": a.values_adjusted,
            "min_purity_for_amplification": _round(a.min_purity_for_amplification, 3),
        })
    row["evidence"] = format_evidence_cell(call.evidence)
    row["amp_tier"], row["amp_tier_basis"] = call.amp_tier, call.amp_tier_basis
    return row


def _mutation_fields() -> frozenset[str]:
    from dataclasses import fields

    from her2cli.results import MutationCall

    return frozenset(f.name for f in fields(MutationCall)) & set(ALL_COLUMNS)


_MUTATION_FIELDS = _mutation_fields()


def verdict_row(verdict) -> dict[str, object]:
    """One Verdict as a row of the summary table (interpret.verdict.SUMMARY_COLUMNS)."""
    def joined(items) -> str:
        return ";".join(items)

    return {
        "sample": verdict.sample, "source": verdict.source, "mutation_status": verdict.mutation_status,
        "mutation_subgroups": joined(verdict.mutation_subgroups), "mutations": joined(verdict.mutations),
        "oncogenicity_classes": joined(verdict.oncogenicity_classes),
        "oncogenicity_points": joined("" if p is None else str(p) for p in verdict.oncogenicity_points),
        "amplification_status": verdict.amplification_status,
        "amplification_definitions_met": (joined(verdict.amplification_definitions_met) or "none")
        if verdict.amplification_status != "not assessed" else "",
        "focality": verdict.focality, "copy_number": verdict.copy_number, "ratio_chr17": verdict.ratio_chr17,
        "copy_number_basis": verdict.copy_number_basis, "purity_source": verdict.purity_source,
        "min_purity_for_amplification": verdict.min_purity_for_amplification,
        "overexpression": verdict.overexpression,
        "co_occurring": verdict.co_occurring, "evidence": format_evidence_cell(verdict.evidence) or "",
        "no_therapy_reason": verdict.no_therapy_reason,
        "evidence_table_date": verdict.evidence_table_date,
        "assessment_basis": verdict.assessment_basis,
    }


def alteration_rows(results) -> list[dict[str, object]]:
    """Every call of every result as rows, in result order (mutations first within a sample)."""
    return [alteration_row(call) for result in results for call in result.calls]
