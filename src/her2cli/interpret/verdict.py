"""One verdict row per sample, and cohort counts (issue #4).

HER2 has three separate biomarkers in NSCLC (mutation, amplification, overexpression) with
different drug data; the verdict keeps them in separate columns and says which co-occur rather
than collapsing them into one "HER2-positive" flag.
"""

from __future__ import annotations

from her2cli.report.columns import SUBGROUPS
from her2cli.results import CopyNumberCall, MutationCall, Verdict

from .evidence import (
    EvidenceTable, is_reportable_mutation, load_evidence, match_call, match_ihc, normalize_ihc, unique_lines,
)

SUMMARY_COLUMNS = [
    "sample", "source", "mutation_status", "mutation_subgroups", "mutations", "amplification_status",
    "amplification_definitions_met", "focality", "copy_number", "ratio_chr17", "copy_number_basis",
    "overexpression", "co_occurring", "evidence", "evidence_table_date",
]

COHORT_COLUMNS = ["category", "value", "n_samples", "denominator", "percent"]

# Amplification definitions in the order copy-number rows list them (issue #3).
AMPLIFICATION_DEFINITIONS = [
    "cn_ge_6", "ratio_ge_2", "purple_amp", "pcgr_amp", "cnvkit_amp", "ngs_cn_gt_7",
]

NOT_ASSESSED = "not assessed"
NOT_FROM_DNA = "not assessable from DNA"
OTHER_LABEL = "other/VUS"  # subgroup "other": protein-altering but no recognised activating class

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
    return sorted(calls, key=lambda c: (_CN_PRIORITY.get(c.cn_status, 9), -c.assessment.copy_number))[0]


def summarize_sample(sample: str, mutations: list[MutationCall], copy_numbers: list[CopyNumberCall],
                     ihc: str | None = None, table: EvidenceTable | None = None, vcf_read: bool = True) -> Verdict:
    """Verdict for one sample from its calls (and optional IHC score).

    ``vcf_read`` False means no variant file was given: the mutation status is then "not assessed", never
    "not detected". Raises ValueError for an IHC score other than 0/1+/2+/3+.
    """
    table = table or load_evidence()
    score = normalize_ihc(ihc)  # validate first: a bad --ihc is a usage error, not a silent blank

    reportable = [c for c in mutations if is_reportable_mutation(c)]
    subgroup_labels = sorted({_subgroup_label(c.subgroup) for c in reportable}, key=_subgroup_order)
    names: list[str] = []
    for call in reportable:
        if call.name not in names:
            names.append(call.name)

    focality = copy_number = ratio = basis = None
    calls_met: list[str] = []
    if copy_numbers:
        chosen = _pick_cn_call(copy_numbers).assessment
        amp_status = chosen.cn_status or NOT_ASSESSED
        calls_met = list(chosen.calls)
        focality = chosen.focality
        # One consistent set: the tumour-cell copy number is what the ratio and the calls were computed from.
        copy_number = round(chosen.tumour_copy_number, 2)
        ratio = None if chosen.ratio_chr17 is None else round(chosen.ratio_chr17, 2)
        basis = "purity-adjusted" if chosen.tumour_copy_number != chosen.copy_number else "raw"
    else:
        amp_status = NOT_ASSESSED

    overexpression = IHC_LABELS[score] if score is not None else NOT_FROM_DNA

    present = []
    if reportable:
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

    matched = [line for call in (*mutations, *copy_numbers) for line in match_call(call, table)]
    matched.extend(match_ihc(score, table))

    if not vcf_read:
        mutation_status = NOT_ASSESSED
    else:
        mutation_status = "mutated" if reportable else "not detected"
    return Verdict(
        sample=sample, mutation_status=mutation_status, mutation_subgroups=subgroup_labels, mutations=names,
        amplification_status=amp_status, amplification_definitions_met=calls_met, focality=focality,
        copy_number=copy_number, ratio_chr17=ratio, copy_number_basis=basis, overexpression=overexpression,
        co_occurring=co_occurring, evidence=unique_lines(matched, table), evidence_table_date=table.date,
    )


def _split(value: object) -> list[str]:
    return [v for v in str(value or "").split(";") if v and v != "none"]


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def cohort_summary(summaries: list[dict]) -> list[dict]:
    """Counts and percentages of samples per mutation subgroup, amplification status/definition,
    co-occurrence and (when any sample has one) IHC class. Keys = COHORT_COLUMNS.

    A sample with two subgroups counts in both, so subgroup percentages may sum past 100.
    Amplification definitions use the samples with copy-number data as denominator; IHC classes
    the samples with an IHC score.
    """
    total = len(summaries)
    out: list[dict] = []

    def add(category: str, value: str, n: int, denominator: int) -> None:
        out.append({"category": category, "value": value, "n_samples": n,
                    "denominator": denominator, "percent": _pct(n, denominator)})

    for status in ("mutated", "not detected"):
        add("mutation_status", status, sum(s.get("mutation_status") == status for s in summaries), total)

    labels = [s for s in SUBGROUPS if s != "other"] + [OTHER_LABEL]
    for label in labels:
        add("mutation_subgroup", label,
            sum(label in _split(s.get("mutation_subgroups")) for s in summaries), total)

    for status in ("amplification", "gain", "neutral", "loss", NOT_ASSESSED):
        add("amplification_status", status,
            sum(s.get("amplification_status") == status for s in summaries), total)

    assessed = [s for s in summaries if s.get("amplification_status") != NOT_ASSESSED]
    for definition in AMPLIFICATION_DEFINITIONS:
        add("amplification_definition", definition,
            sum(definition in _split(s.get("amplification_definitions_met")) for s in assessed), len(assessed))

    with_ihc = [s for s in summaries if s.get("overexpression") in IHC_LABELS.values()]
    if with_ihc:
        for label in IHC_LABELS.values():
            add("ihc", label, sum(s.get("overexpression") == label for s in with_ihc), len(with_ihc))

    combos: dict[str, int] = {}
    for s in summaries:
        combos[str(s.get("co_occurring"))] = combos.get(str(s.get("co_occurring")), 0) + 1
    for combo in sorted(combos):
        add("co_occurring", combo, combos[combo], total)
    return out
