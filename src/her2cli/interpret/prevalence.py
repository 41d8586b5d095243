"""Cohort prevalence: how many samples carry each kind of HER2 alteration, with 95% Wilson intervals.

Input is the per-sample summary table (one row per sample, the columns of ``interpret.verdict.SUMMARY_COLUMNS``,
list cells joined with ';'); output one row per (category, value): ``n_samples``, ``denominator``, ``percent``
and the Wilson score interval ``ci95_low``/``ci95_high`` (percent). Each category has its own denominator, said
in the ``denominator_basis`` column:

* mutation categories: the samples assessed for mutation (``mutation_status`` other than ``not_assessed``): a
  segments-only sample, or a negative whose coverage did not reach the driver exons (docs/coverage.md), is never
  counted as "not mutated";
* amplification categories: the samples with copy-number data;
* IHC: the samples with a score;
* co-occurrence: the samples assessed for both mutation and amplification.

When the full list of sequenced samples is unknown (a MAF names only samples with a mutation and no sample
list was given), ``denominator_basis`` says so: the percentages are then of the samples seen, not of the cohort.

pandas does the table work; it is imported only here, never on the start-up path of ``her2 annotate``.
"""

from __future__ import annotations

import math

PREVALENCE_COLUMNS = ["category", "value", "n_samples", "denominator", "percent", "ci95_low", "ci95_high",
                      "denominator_basis"]

MUTATION_STATUSES = ("activating", "vus_only", "germline_only", "benign_only", "not_detected")
AMPLIFICATION_STATUSES = ("amplification", "gain", "neutral", "loss")
NOT_ASSESSED = ("not_assessed", "not assessed")
Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """Wilson score interval for a binomial proportion, as fractions (Wilson 1927; Newcombe 1998 method 3)."""
    if total <= 0:
        return None, None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _items(cell) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    if isinstance(cell, (list, tuple)):
        return [str(x) for x in cell]
    return [part for part in str(cell).split(";") if part and part != "none"]


def prevalence_table(summaries, samples_known: bool = True):
    """The prevalence table (a pandas DataFrame with PREVALENCE_COLUMNS) of a cohort's summary rows."""
    import pandas as pd

    frame = pd.DataFrame(list(summaries)) if not isinstance(summaries, pd.DataFrame) else summaries
    rows: list[dict] = []
    seen_note = "" if samples_known else "; sample list unknown: only samples present in the inputs"

    def add(category: str, value: str, mask, base, basis: str) -> None:
        n, d = int(mask[base].sum()) if len(frame) else 0, int(base.sum()) if len(frame) else 0
        low, high = wilson_interval(n, d)
        rows.append({
            "category": category, "value": value, "n_samples": n, "denominator": d,
            "percent": round(100.0 * n / d, 1) if d else None,
            "ci95_low": None if low is None else round(100.0 * low, 1),
            "ci95_high": None if high is None else round(100.0 * high, 1),
            "denominator_basis": basis + seen_note,
        })

    if len(frame) == 0:
        return pd.DataFrame(rows, columns=PREVALENCE_COLUMNS)
    status = frame.get("mutation_status", pd.Series([""] * len(frame))).fillna("").astype(str)
    mut_base = ~status.isin(NOT_ASSESSED)
    mut_basis = "samples assessed for mutation (variants read; driver exons covered where coverage was given)"
    for value in MUTATION_STATUSES:
        add("mutation_status", value, status == value, mut_base, mut_basis)
    add("mutation_status", "not_assessed", status.isin(NOT_ASSESSED), pd.Series(True, index=frame.index),
        "all samples")

    subgroups = frame.get("mutation_subgroups", pd.Series([""] * len(frame))).map(_items)
    for value in sorted({s for cell in subgroups for s in cell}):
        add("activating_subgroup", value, subgroups.map(lambda cell, v=value: v in cell) & (status == "activating"),
            mut_base, mut_basis)
    classes = frame.get("oncogenicity_classes", pd.Series([""] * len(frame))).map(_items)
    for value in ("oncogenic", "likely_oncogenic", "vus", "likely_benign", "benign"):
        if any(value in cell for cell in classes):
            add("oncogenicity_class", value, classes.map(lambda cell, v=value: v in cell), mut_base, mut_basis)

    amp = frame.get("amplification_status", pd.Series([""] * len(frame))).fillna("").astype(str)
    cn_base = ~amp.isin(NOT_ASSESSED) & (amp != "")
    for value in AMPLIFICATION_STATUSES:
        add("amplification_status", value, amp == value, cn_base, "samples with copy-number data")
    add("amplification_status", "not_assessed", ~cn_base, pd.Series(True, index=frame.index), "all samples")
    definitions = frame.get("amplification_definitions_met", pd.Series([""] * len(frame))).map(_items)
    for value in sorted({d for cell in definitions for d in cell}):
        add("amplification_definition", value, definitions.map(lambda cell, v=value: v in cell), cn_base,
            "samples with copy-number data")

    ihc = frame.get("overexpression", pd.Series([""] * len(frame))).fillna("").astype(str)
    ihc_base = ihc.str.startswith("IHC ")
    for value in sorted(set(ihc[ihc_base])):
        add("ihc", value, ihc == value, ihc_base, "samples with an IHC score")

    both = mut_base & cn_base
    activating, amplified = status == "activating", amp == "amplification"
    basis = "samples assessed for mutation and amplification"
    add("co_occurrence", "activating_mutation+amplification", activating & amplified, both, basis)
    add("co_occurrence", "activating_mutation_only", activating & ~amplified, both, basis)
    add("co_occurrence", "amplification_only", ~activating & amplified, both, basis)
    add("co_occurrence", "neither", ~activating & ~amplified, both, basis)
    table = pd.DataFrame(rows, columns=PREVALENCE_COLUMNS).astype(object)
    return table.where(table.notna(), None)  # an empty denominator has no percent: None, not NaN
