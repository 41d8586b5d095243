"""Cohort prevalence table. Wilson intervals are checked against Newcombe, Stat Med 1998;17:857-872,
Table I (method 3, score interval without continuity correction); counts are recomputed here by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from her2cli.interpret.prevalence import PREVALENCE_COLUMNS, prevalence_table, wilson_interval

@pytest.mark.parametrize("x, n, low, high", [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998(x, n, low, high):
    got_low, got_high = wilson_interval(x, n)
    assert got_low == pytest.approx(low, abs=6e-5) and got_high == pytest.approx(high, abs=6e-5)


def sample(name, status, subgroups="", amp="not assessed", definitions="", ihc="not assessable from DNA",
           classes=""):
    return {"sample": name, "mutation_status": status, "mutation_subgroups": subgroups,
            "amplification_status": amp, "amplification_definitions_met": definitions, "overexpression": ihc,
            "oncogenicity_classes": classes}


COHORT = [
    sample("A", "activating", "exon20_insertion", "amplification", "cn_ge_6;ratio_ge_2", classes="oncogenic"),
    sample("B", "activating", "kinase_domain_missense", "neutral", "none", classes="oncogenic;benign"),
    sample("C", "vus_only", "", "gain", "none", classes="vus"),
    sample("D", "not_detected", "", "amplification", "ratio_ge_2", ihc="IHC 3+ (positive)"),
    sample("E", "not_assessed", "", "amplification", "cn_ge_6"),  # segments only: not in mutation denominators
    sample("F", "benign_only", "", classes="benign"),               # no copy number
]


def test_denominators_and_counts():
    table = prevalence_table(COHORT)
    assert all(list(row) == PREVALENCE_COLUMNS for row in table)
    get = {(r["category"], r["value"]): SimpleNamespace(**r) for r in table}
    # mutation: A-D and F were read (5); E was not
    assert (get[("mutation_status", "activating")].n_samples, get[("mutation_status", "activating")].denominator) == (2, 5)
    assert get[("mutation_status", "activating")].percent == 40.0
    assert get[("mutation_status", "not_assessed")].n_samples == 1
    assert get[("activating_subgroup", "exon20_insertion")].n_samples == 1
    assert get[("oncogenicity_class", "benign")].n_samples == 2
    # amplification: A-E have copy number (5); A, D, E amplified
    assert (get[("amplification_status", "amplification")].n_samples,
            get[("amplification_status", "amplification")].denominator) == (3, 5)
    assert get[("amplification_definition", "ratio_ge_2")].n_samples == 2
    assert get[("ihc", "IHC 3+ (positive)")].denominator == 1
    # co-occurrence over A-D (both assessed): A both, B mutation only, D amplification only, C neither
    for value, n in (("activating_mutation+amplification", 1), ("activating_mutation_only", 1),
                     ("amplification_only", 1), ("neither", 1)):
        assert (get[("co_occurrence", value)].n_samples, get[("co_occurrence", value)].denominator) == (n, 4)
    low, high = wilson_interval(2, 5)
    assert get[("mutation_status", "activating")].ci95_low == round(100 * low, 1)
    assert get[("mutation_status", "activating")].ci95_high == round(100 * high, 1)


def test_unknown_sample_list_is_said():
    table = prevalence_table(COHORT, samples_known=False)
    assert table and all("sample list unknown" in row["denominator_basis"] for row in table)


def test_empty_cohort():
    assert prevalence_table([]) == []
