"""Origin of one ERBB2 variant: somatic, germline, likely germline or unknown.

With a matched normal (rules N1-N4), its reads decide:
  N1  normal VAF >= 0.20 with >= 2 alt reads                                   -> germline
  N2  normal genotype carries the ALT and the normal has no read counts        -> germline
  N3  a heterozygous germline variant would have shown more alt reads in the normal:
      P(X <= alt | Binomial(depth, 0.5)) < 0.01                                 -> somatic
      (a few alt reads below 0.20 are read as tumour-in-normal contamination and said so)
  N4  hom-ref genotype and no read counts                                        -> somatic (caller's genotype)
  otherwise (a shallow normal)                                                   -> unknown

Tumour-only (no normal):
  T1  population AF > 0.01 (the knowledge layer's likely-benign cut-off)         -> likely_germline
  T2  given purity (and local copy number, 2 if not given), the tumour VAF fits a heterozygous or homozygous
      germline variant and no clonal somatic expectation: two-sided binomial p >= 0.01 for some germline
      expectation and < 0.01 for every somatic one                               -> likely_germline
  otherwise                                                                      -> unknown
Tumour-only data cannot prove a variant somatic; without purity a VAF near 0.5 fits a germline
heterozygote and a clonal somatic variant in a pure tumour alike, so VAF alone never calls germline.
"""

from __future__ import annotations

import math
from typing import Optional

from her2cli.errors import UsageError
from her2cli.values import valueclass

__all__ = [
    "ORIGINS",
    "Origin",
    "infer_origin",
    "GERMLINE_NORMAL_VAF",
    "GERMLINE_POPULATION_AF",
    "BINOMIAL_ALPHA",
]

ORIGINS = ("somatic", "germline", "likely_germline", "unknown")

GERMLINE_NORMAL_VAF = 0.20  # a heterozygote sits near 0.5; 0.2 leaves room for allelic imbalance in capture
MIN_NORMAL_ALT_READS = 2  # one read is too easily an error
GERMLINE_POPULATION_AF = 0.01  # as LIKELY_BENIGN_AF in oncogenicity.py (SBS1): common in the population
BINOMIAL_ALPHA = 0.01
HOMOZYGOUS_VAF = 0.99  # expected VAF of a homozygous germline variant, allowing for sequencing errors


@valueclass(frozen=True)
class Origin:
    label: str  # one of ORIGINS
    basis: str  # the rule and its numbers


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)
    )


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return min(1.0, sum(math.exp(_log_pmf(i, n, p)) for i in range(0, k + 1)))


def binomial_two_sided(k: int, n: int, p: float) -> float:
    """Two-sided p-value of k successes in n trials at rate p (twice the smaller tail, capped at 1)."""
    lower = binomial_cdf(k, n, p)
    upper = 1.0 - binomial_cdf(k - 1, n, p) if k > 0 else 1.0
    return min(1.0, 2.0 * min(lower, upper))


def _has_alt(genotype: Optional[str]) -> Optional[bool]:
    """True when the GT carries a non-reference allele, False for hom-ref, None when absent or no-call."""
    if not genotype:
        return None
    alleles = [a for a in genotype.replace("|", "/").split("/") if a not in (".", "")]
    if not alleles:
        return None
    return any(a != "0" for a in alleles)


def _with_normal(normal_genotype, normal_vaf, normal_depth, normal_alt_depth) -> Optional[Origin]:
    carries = _has_alt(normal_genotype)
    gt_text = f"normal genotype {normal_genotype}" if normal_genotype else "no normal genotype"
    if normal_depth and normal_alt_depth is not None:
        vaf = normal_alt_depth / normal_depth
        reads = f"normal {normal_alt_depth}/{normal_depth} alt reads (VAF {vaf:.2f})"
        if vaf >= GERMLINE_NORMAL_VAF and normal_alt_depth >= MIN_NORMAL_ALT_READS:
            return Origin("germline", f"{reads} >= {GERMLINE_NORMAL_VAF}; {gt_text}")
        p_het = binomial_cdf(normal_alt_depth, normal_depth, 0.5)
        if p_het < BINOMIAL_ALPHA:
            note = "; alt reads in the normal: tumour-in-normal contamination or artefact" if normal_alt_depth else ""
            return Origin("somatic", f"{reads}: heterozygous germline implausible (P={p_het:.1g}){note}")
        return Origin("unknown", f"{reads}: normal too shallow to tell (P het={p_het:.2f})")
    if normal_vaf is not None and normal_vaf >= GERMLINE_NORMAL_VAF:
        return Origin("germline", f"normal VAF {normal_vaf:.2f} >= {GERMLINE_NORMAL_VAF} (no read counts); {gt_text}")
    if carries is True:
        return Origin("germline", f"{gt_text} carries the ALT (no read counts)")
    if carries is False:
        return Origin("somatic", f"{gt_text} (caller's genotype, no read counts)")
    return None


def _expected_vafs(purity: float, copy_number: float) -> tuple[list[float], list[float]]:
    """(germline, somatic) expected VAFs with a diploid normal and C tumour copies holding m ALT copies."""
    denominator = purity * copy_number + 2.0 * (1.0 - purity)
    copies = range(0, int(round(copy_number)) + 1)
    germline = [(purity * m + (1.0 - purity)) / denominator for m in copies] + [HOMOZYGOUS_VAF]
    somatic = [purity * m / denominator for m in copies if m >= 1]
    return germline, somatic


def _tumour_only(tumour_vaf, tumour_depth, population_af, purity, local_copy_number) -> Origin:
    if population_af is not None and population_af > GERMLINE_POPULATION_AF:
        return Origin("likely_germline", f"tumour-only: population AF {population_af:.2g} > {GERMLINE_POPULATION_AF}")
    if tumour_vaf is None or not tumour_depth:
        return Origin("unknown", "tumour-only: no VAF and depth; somatic origin cannot be shown")
    if purity is None:
        return Origin(
            "unknown",
            f"tumour-only: VAF {tumour_vaf:.2f}; without purity a germline and a clonal somatic variant look alike",
        )
    copy_number = local_copy_number if local_copy_number is not None else 2.0
    alt = int(round(tumour_vaf * tumour_depth))
    germline, somatic = _expected_vafs(purity, copy_number)
    fits_germline = [f for f in germline if binomial_two_sided(alt, tumour_depth, f) >= BINOMIAL_ALPHA]
    fits_somatic = [f for f in somatic if binomial_two_sided(alt, tumour_depth, f) >= BINOMIAL_ALPHA]
    setting = f"purity {purity:.2f}, copy number {copy_number:g}{'' if local_copy_number is not None else ' (assumed)'}"
    observed = f"VAF {tumour_vaf:.2f} ({alt}/{tumour_depth})"
    if fits_germline and not fits_somatic:
        expected = ", ".join(f"{f:.2f}" for f in fits_germline)
        return Origin(
            "likely_germline", f"tumour-only: {observed} fits germline VAF {expected} at {setting}, no somatic VAF"
        )
    if fits_germline:
        return Origin("unknown", f"tumour-only: {observed} fits both germline and somatic expectations at {setting}")
    return Origin(
        "unknown", f"tumour-only: {observed} does not fit a germline variant at {setting}; somatic not provable"
    )


def infer_origin(
    tumour_vaf: float | None,
    tumour_depth: int | None,
    normal_genotype: str | None,
    normal_vaf: float | None,
    normal_depth: int | None,
    normal_alt_depth: int | None,
    population_af: float | None,
    purity: float | None = None,
    local_copy_number: float | None = None,
) -> Origin:
    """Origin of one variant (rules in the module docstring). Pass the normal's fields as None when the
    file has no normal sample; purity is a fraction (0-1], local copy number the tumour's total copies."""
    has_normal = any(v is not None for v in (normal_genotype, normal_vaf, normal_depth, normal_alt_depth))
    if has_normal:
        decided = _with_normal(normal_genotype, normal_vaf, normal_depth, normal_alt_depth)
        if decided is not None:
            return decided
    if purity is not None and not 0.0 < purity <= 1.0:
        raise UsageError(f"purity must be a fraction in (0, 1], got {purity}")
    if local_copy_number is not None and local_copy_number < 0:
        raise UsageError(f"local copy number must not be negative, got {local_copy_number}")
    guess = _tumour_only(tumour_vaf, tumour_depth, population_af, purity, local_copy_number)
    if has_normal:  # a normal column without genotype or reads at this site
        return Origin(guess.label, f"normal uninformative; {guess.basis}")
    return guess
