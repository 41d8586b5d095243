"""One verdict per sample (issue #4; statuses of issue #9).

HER2 has three separate biomarkers in NSCLC (mutation, amplification, overexpression) with
different drug data; the verdict keeps them in separate columns and says which co-occur rather
than collapsing them into one "HER2-positive" flag.
"""

from __future__ import annotations

from typing import Optional

from her2cli.results import CopyNumberCall, MutationCall, Verdict
from her2cli.variants.annotator import SUBGROUPS

from .oncogenicity import DRIVER_CLASSES, GERMLINE_ORIGINS, class_decision, therapy_eligible
from .evidence import (
    EvidenceTable, is_reportable_mutation, load_evidence, match_ihc, normalize_ihc, unique_lines,
)

SUMMARY_COLUMNS = [
    "sample", "source", "mutation_status", "mutation_subgroups", "mutations", "oncogenicity_classes", "oncogenicity_points",
    "amplification_status",
    "amplification_definitions_met", "focality", "copy_number", "ratio_chr17", "copy_number_basis",
    "purity_source", "min_purity_for_amplification",
    "overexpression", "co_occurring", "evidence", "no_therapy_reason", "evidence_table_date", "assessment_basis",
]

# Amplification definitions in the order copy-number rows list them (issue #3).
AMPLIFICATION_DEFINITIONS = [
    "cn_ge_6", "ratio_ge_2", "purple_amp", "pcgr_amp", "cnvkit_amp", "ngs_cn_gt_7",
]

NOT_ASSESSED = "not assessed"
NOT_FROM_DNA = "not assessable from DNA"
# subgroup "other" among the drivers: a driver of no named subgroup (e.g. the kinase-domain in-frame deletion
# L755_T759del). mutation_subgroups lists drivers only, so it is never written "other/VUS" (a VUS is no driver).
OTHER_LABEL = "other"

# Breast-derived ASCO/CAP wording; in NSCLC only IHC 3+ is a drug criterion (T-DXd, 2024-04-05).
IHC_LABELS = {
    "0": "IHC 0 (negative)",
    "1+": "IHC 1+ (low)",
    "2+": "IHC 2+ (equivocal)",
    "3+": "IHC 3+ (positive)",
}

# When several copy-number rows exist, the most consequential state is the verdict.
_CN_PRIORITY = {"amplification": 0, "gain": 1, "loss": 2, "neutral": 3}


def _subgroup_label(subgroup: object) -> str:
    sub = str(subgroup or "other")
    return OTHER_LABEL if sub == "other" else sub


def _subgroup_order(label: str) -> int:
    sub = "other" if label == OTHER_LABEL else label
    return SUBGROUPS.index(sub) if sub in SUBGROUPS else len(SUBGROUPS)


def _pick_cn_call(calls: list[CopyNumberCall]) -> CopyNumberCall:
    return sorted(calls, key=lambda c: (_CN_PRIORITY.get(c.cn_status, 9), -(c.assessment.copy_number or 0.0)))[0]


def summarize_sample(sample: str, mutations: list[MutationCall], copy_numbers: list[CopyNumberCall],
                     ihc: str | None = None, table: EvidenceTable | None = None, vcf_read: bool = True,
                     coverage=None) -> Verdict:
    """Verdict for one sample from its calls (and optional IHC score).

    ``vcf_read`` False means no variant file was given: the mutation status is then "not assessed", never
    "not detected". ``coverage`` (a coverage.CoverageAssessment, None when no coverage input was given): a
    negative is "not_detected" only when it says the driver exons were covered, else "not_assessed"; its basis
    (or "coverage not given") is the verdict's ``assessment_basis``. Raises ValueError for an IHC score other
    than 0/1+/2+/3+.
    """
    table = table or load_evidence()
    score = normalize_ihc(ihc)  # validate first: a bad --ihc is a usage error, not a silent blank

    reportable = [c for c in mutations if is_reportable_mutation(c)]
    drivers = [c for c in reportable if therapy_eligible(c.oncogenicity, c.origin)]
    subgroup_labels = sorted({_subgroup_label(c.subgroup) for c in drivers}, key=_subgroup_order)
    names: list[str] = []
    classes: list[str] = []
    points: list[Optional[int]] = []
    for call in reportable:
        if call.name not in names:
            names.append(call.name)
            classes.append(call.oncogenicity or "vus")
            points.append(call.oncogenicity_points)

    focality = copy_number = ratio = basis = purity_source = min_purity = None
    calls_met: list[str] = []
    if copy_numbers:
        chosen = _pick_cn_call(copy_numbers).assessment
        amp_status = chosen.cn_status or NOT_ASSESSED
        calls_met = list(chosen.calls)
        focality = chosen.focality
        # One consistent set: the tumour-cell copy number is what the ratio and the calls were computed from.
        copy_number = None if chosen.tumour_copy_number is None else round(chosen.tumour_copy_number, 2)
        ratio = None if chosen.ratio_chr17 is None else round(chosen.ratio_chr17, 2)
        basis = chosen.values_adjusted
        purity_source, min_purity = chosen.purity_source, chosen.min_purity_for_amplification
    else:
        amp_status = NOT_ASSESSED

    overexpression = IHC_LABELS[score] if score is not None else NOT_FROM_DNA

    present = []
    if drivers:
        present.append("mutation")
    if amp_status == "amplification":
        present.append("amplification")
    if score == "3+":
        present.append("overexpression")
    if len(present) >= 2:
        co_occurring = "+".join(present)
    elif present:
        co_occurring = f"{present[0]} only"
    else:
        co_occurring = "none"

    # Each call carries the lines matched to it (pipeline.run_sample): the verdict only gathers them.
    matched = [line for call in (*mutations, *copy_numbers) for line in call.evidence]
    matched.extend(match_ihc(score, table))

    mutation_status = _mutation_status(vcf_read, reportable, drivers)
    assessment_basis = None
    if vcf_read:
        from her2cli.coverage.model import COVERAGE_NOT_GIVEN

        assessment_basis = coverage.basis if coverage is not None else COVERAGE_NOT_GIVEN
        if mutation_status == "not_detected" and coverage is not None and not coverage.assessed:
            mutation_status = "not_assessed"
    cn_reason = _cn_not_assessed_reason(copy_numbers)
    if cn_reason:
        assessment_basis = f"{assessment_basis}; {cn_reason}" if assessment_basis else cn_reason
    no_therapy = _no_therapy_reason(reportable) if reportable and not drivers else None
    return Verdict(
        sample=sample, mutation_status=mutation_status, mutation_subgroups=subgroup_labels, mutations=names,
        amplification_status=amp_status, amplification_definitions_met=calls_met, focality=focality,
        copy_number=copy_number, ratio_chr17=ratio, copy_number_basis=basis, overexpression=overexpression,
        co_occurring=co_occurring, evidence=unique_lines(matched, table), evidence_table_date=table.date,
        oncogenicity_classes=classes, oncogenicity_points=points, no_therapy_reason=no_therapy, purity_source=purity_source,
        min_purity_for_amplification=None if min_purity is None else round(min_purity, 3),
        assessment_basis=assessment_basis,
    )


def _no_therapy_reason(reportable: list[MutationCall]) -> str | None:
    """Why variants were found but no therapy matched, with what each negative rests on: a VUS (its points and
    criteria), and a (likely) oncogenic variant withheld as (likely) germline (its origin basis: the normal's reads,
    the file's statement, or the tumour-only rule's numbers; the labels are for somatic drivers). None when
    every variant is benign."""
    parts = []
    unknown = [c for c in reportable if c.oncogenicity in (None, "vus")]
    if unknown:
        named = ", ".join(c.name + (f" ({c.oncogenicity_points} points: {c.oncogenicity_criteria})"
                                    if c.oncogenicity_criteria else "") + _decided(c) for c in unknown)
        parts.append(f"no therapy matched to {named}: variant of unknown significance (VUS); "
                     "a VUS is not shown to be a driver")
    germline = [c for c in reportable if c.oncogenicity in DRIVER_CLASSES and c.origin in GERMLINE_ORIGINS]
    for call in germline:
        origin = call.origin.replace("_", " ")
        basis = f" ({call.origin_basis})" if call.origin_basis else ""
        parts.append(f"no therapy matched to {call.name} ({call.oncogenicity.replace('_', ' ')}): {origin}{basis}; "
                     "the therapy labels are for somatic drivers")
    return "; ".join(parts) or None


def _decided(call: MutationCall) -> str:
    """' (class from ...)' when a --knowledge file, not the points, made the variant a VUS: '10 points ... VUS'
    would otherwise contradict itself."""
    said = class_decision(call.oncogenicity_source, call.oncogenicity_basis)
    return f" (class from {said})" if said else ""


def _cn_not_assessed_reason(copy_numbers: list[CopyNumberCall]) -> str | None:
    """Why amplification is not assessed although segments were read (a gap over ERBB2), or None."""
    if not copy_numbers or any(c.cn_status != NOT_ASSESSED for c in copy_numbers):
        return None
    reasons = [note for c in copy_numbers for note in c.assessment.notes if "not assessed" in note]
    return f"copy number: {reasons[0]}" if reasons else None


def _mutation_status(vcf_read: bool, reportable: list[MutationCall], drivers: list[MutationCall]) -> str:
    """activating > vus_only > germline_only > benign_only > not_detected; not_assessed without a variant file.

    ``germline_only``: every variant that is not benign is (likely) germline, e.g. a germline G660D: not a
    somatic driver, said apart from benign polymorphisms."""
    if not vcf_read:
        return "not_assessed"
    if drivers:
        return "activating"
    if not reportable:
        return "not_detected"
    not_benign = [c for c in reportable if c.oncogenicity not in ("benign", "likely_benign")]
    if any(c.origin not in GERMLINE_ORIGINS for c in not_benign):
        return "vus_only"
    if not_benign:
        return "germline_only"
    return "benign_only"
