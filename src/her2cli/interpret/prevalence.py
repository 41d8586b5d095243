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

Plain Python counters (``PrevalenceCounts``): one pass over the rows, memory independent of the cohort's size, and
no pandas import (~0.25 s of a cohort run's start-up).
"""

from __future__ import annotations

import math

from her2cli.interpret.oncogenicity import ONCOGENICITY_CLASSES

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


def _text(cell) -> str:
    """A status cell as text: a missing value (None, NaN) is ''."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell)


class PrevalenceCounts:
    """The prevalence counts of a cohort, one summary row at a time (``add``): only counters are kept, so a
    cohort of any size costs the same memory. ``table()`` gives the rows of PREVALENCE_COLUMNS."""

    def __init__(self) -> None:
        self.n = 0  # samples
        self.mut_base = 0  # samples assessed for mutation
        self.cn_base = 0  # samples with copy-number data
        self.both = 0  # assessed for both
        self.ihc_base = 0  # samples with an IHC score
        self.counts: dict[tuple[str, str], int] = {}
        self.subgroups: set[str] = set()  # every subgroup named in any row (a row per value, even a 0)
        self.classes: set[str] = set()
        self.definitions: set[str] = set()
        self.ihc: set[str] = set()

    def _count(self, category: str, value: str) -> None:
        key = (category, value)
        self.counts[key] = self.counts.get(key, 0) + 1

    def add(self, row: dict) -> None:
        """Count one sample's summary row (keys of interpret.verdict.SUMMARY_COLUMNS)."""
        self.n += 1
        status = _text(row.get("mutation_status"))
        assessed = status not in NOT_ASSESSED
        subgroups = _items(row.get("mutation_subgroups"))
        classes = _items(row.get("oncogenicity_classes"))
        self.subgroups.update(subgroups)
        self.classes.update(classes)
        if assessed:
            self.mut_base += 1
            self._count("mutation_status", status)
            if status == "activating":
                for value in set(subgroups):
                    self._count("activating_subgroup", value)
            for value in set(classes):
                self._count("oncogenicity_class", value)
        else:
            self._count("mutation_status", "not_assessed")
        amp = _text(row.get("amplification_status"))
        cn = amp not in NOT_ASSESSED and amp != ""
        definitions = _items(row.get("amplification_definitions_met"))
        self.definitions.update(definitions)
        if cn:
            self.cn_base += 1
            self._count("amplification_status", amp)
            for value in set(definitions):
                self._count("amplification_definition", value)
        else:
            self._count("amplification_status", "not_assessed")
        ihc = _text(row.get("overexpression"))
        if ihc.startswith("IHC "):
            self.ihc_base += 1
            self.ihc.add(ihc)
            self._count("ihc", ihc)
        if assessed and cn:
            self.both += 1
            activating, amplified = status == "activating", amp == "amplification"
            self._count("co_occurrence", "activating_mutation+amplification" if activating and amplified else
                        "activating_mutation_only" if activating else "amplification_only" if amplified else "neither")

    def table(self, samples_known: bool = True) -> list[dict]:
        """The prevalence rows (dicts keyed by PREVALENCE_COLUMNS; an empty denominator has no percent: None)."""
        if not self.n:
            return []
        rows: list[dict] = []
        seen_note = "" if samples_known else "; sample list unknown: only samples present in the inputs"

        def add(category: str, value: str, d: int, basis: str) -> None:
            n = self.counts.get((category, value), 0)
            low, high = wilson_interval(n, d)
            rows.append({
                "category": category, "value": value, "n_samples": n, "denominator": d,
                "percent": round(100.0 * n / d, 1) if d else None,
                "ci95_low": None if low is None else round(100.0 * low, 1),
                "ci95_high": None if high is None else round(100.0 * high, 1),
                "denominator_basis": basis + seen_note,
            })

        mut_basis = "samples assessed for mutation (variants read; driver exons covered where coverage was given)"
        for value in MUTATION_STATUSES:
            add("mutation_status", value, self.mut_base, mut_basis)
        add("mutation_status", "not_assessed", self.n, "all samples")
        for value in sorted(self.subgroups):
            add("activating_subgroup", value, self.mut_base, mut_basis)
        for value in ONCOGENICITY_CLASSES:
            if value in self.classes:
                add("oncogenicity_class", value, self.mut_base, mut_basis)
        for value in AMPLIFICATION_STATUSES:
            add("amplification_status", value, self.cn_base, "samples with copy-number data")
        add("amplification_status", "not_assessed", self.n, "all samples")
        for value in sorted(self.definitions):
            add("amplification_definition", value, self.cn_base, "samples with copy-number data")
        for value in sorted(self.ihc):
            add("ihc", value, self.ihc_base, "samples with an IHC score")
        basis = "samples assessed for mutation and amplification"
        for value in ("activating_mutation+amplification", "activating_mutation_only", "amplification_only",
                      "neither"):
            add("co_occurrence", value, self.both, basis)
        return rows


def prevalence_table(summaries, samples_known: bool = True) -> list[dict]:
    """The prevalence table (rows keyed by PREVALENCE_COLUMNS) of a cohort's summary rows."""
    counts = PrevalenceCounts()
    for row in summaries:
        counts.add(row)
    return counts.table(samples_known)
