"""Origin of one ERBB2 variant: somatic, germline, likely germline or unknown.

With a matched normal (rules N1-N4), its reads decide:
  N1  normal VAF >= 0.20 with >= 2 alt reads                                   -> germline
  N2  normal genotype carries the ALT and the normal has no read counts        -> germline
  N3  a heterozygous germline variant would have shown more alt reads in the normal:
      P(X <= alt | Binomial(depth, 0.5)) < 0.01                                 -> somatic
      (a few alt reads below 0.20 are read as tumour-in-normal contamination and said so)
  N4  hom-ref genotype and no read counts                                        -> somatic (caller's genotype)
  otherwise (a shallow normal)                                                   -> next rules

What the file states (rule S), when the normal did not decide:
  S   the publisher's or caller's own call: MAF ``Mutation_Status`` Somatic / Germline / LOH (a germline
      variant that lost its other allele in the tumour), VCF ``INFO/SOMATIC`` (the VCF specification's
      reserved flag for a somatic call)                                         -> somatic / germline
      (a stated somatic call with a population AF > 0.01 is a conflict: unknown, both said)

Tumour-only (no normal, nothing stated):
  T1  population AF > 0.01 (the knowledge layer's likely-benign cut-off)         -> likely_germline
  T2  purity and the local ERBB2 tumour copy number C (from the segments) known, ERBB2 not amplified: the
      expected VAFs are, with D = purity x C + 2 x (1 - purity),
        germline heterozygous  (purity x m + (1 - purity)) / D   for m = 0..C ALT copies in the tumour,
        germline homozygous    0.99,
        clonal somatic         purity x m / D                    for m = 1..C;
      the tumour VAF fits a germline expectation and no clonal somatic one: two-sided binomial p >= 0.01
      for some germline expectation and < 0.01 for every somatic one          -> likely_germline
  otherwise                                                                      -> unknown, with the numbers
Tumour-only data cannot prove a variant somatic. A VAF alone never calls germline when purity is not
given, when the ERBB2 copy number is not known (no segments: the tumour may carry the mutation on an
amplified allele, where a somatic variant can have any VAF up to about 1), or when ERBB2 is amplified.
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


def _copy_states(copy_number: float) -> int:
    """The whole number of ERBB2 copies a tumour cell holds for the allele model (a segment mean such as 13.64 is
    13.64 on average, but a cell holds 14 copies, of which m = 0..14 carry the ALT)."""
    return int(round(copy_number))


def _expected_vafs(purity: float, copy_number: float) -> tuple[list[float], list[float]]:
    """(germline, somatic) expected VAFs with a diploid normal and C tumour copies holding m ALT copies
    (m = 0..C). C is the whole copy number, in D as in m: a fractional C in D with a rounded m in the numerator
    gave expected VAFs above 1 (13.64 copies at purity 0.8: 1.01)."""
    whole = _copy_states(copy_number)
    denominator = purity * whole + 2.0 * (1.0 - purity)
    copies = range(0, whole + 1)
    germline = [(purity * m + (1.0 - purity)) / denominator for m in copies] + [HOMOZYGOUS_VAF]
    somatic = [purity * m / denominator for m in copies if m >= 1]
    return germline, somatic


def _vafs(values: list[float]) -> str:
    """Expected VAFs as text: all of them when few, the range when many (a high copy number)."""
    unique = sorted(set(round(v, 2) for v in values))
    if len(unique) <= 6:
        return "/".join(f"{v:.2f}" for v in unique)
    return f"{unique[0]:.2f} to {unique[-1]:.2f} ({len(unique)} values)"


def _tumour_only(tumour_vaf, tumour_depth, population_af, purity, local_copy_number, amplified,
                 population_source=None) -> Origin:
    if population_af is not None and population_af > GERMLINE_POPULATION_AF:
        where = f" ({population_source})" if population_source else ""
        return Origin("likely_germline",
                      f"tumour-only: population AF {population_af:.2g}{where} > {GERMLINE_POPULATION_AF}")
    if tumour_vaf is None or not tumour_depth:
        return Origin("unknown", "tumour-only: no VAF and depth; somatic origin cannot be shown")
    alt = int(round(tumour_vaf * tumour_depth))
    observed = f"VAF {tumour_vaf:.2f} ({alt}/{tumour_depth})"
    if purity is None:
        return Origin(
            "unknown",
            f"tumour-only: {observed}; without purity a germline and a clonal somatic variant look alike",
        )
    if local_copy_number is None:
        germline, somatic = _expected_vafs(purity, 2.0)
        return Origin(
            "unknown",
            f"tumour-only: {observed} at purity {purity:.2f}; ERBB2 copy number not given (no segments): at 2 "
            f"copies germline would be {_vafs(germline)}, clonal somatic {_vafs(somatic)}, but a somatic variant "
            "on an amplified ERBB2 allele can reach any VAF up to about 1, so the VAF alone does not call germline",
        )
    germline, somatic = _expected_vafs(purity, local_copy_number)
    shown = f"{round(local_copy_number, 1):g}"
    whole = _copy_states(local_copy_number)
    modelled = "" if shown == str(whole) else f" (modelled as {whole})"
    setting = f"purity {purity:.2f}, ERBB2 {shown} copies per tumour cell{modelled}"
    expected = f"expected germline {_vafs(germline)}, clonal somatic {_vafs(somatic)}"
    if amplified:
        return Origin(
            "unknown",
            f"tumour-only: {observed} at {setting} (amplified): {expected}; a somatic variant on the amplified "
            "allele can reach any of these, so the VAF alone does not call germline",
        )
    fits_germline = [f for f in germline if binomial_two_sided(alt, tumour_depth, f) >= BINOMIAL_ALPHA]
    fits_somatic = [f for f in somatic if binomial_two_sided(alt, tumour_depth, f) >= BINOMIAL_ALPHA]
    if fits_germline and not fits_somatic:
        return Origin(
            "likely_germline",
            f"tumour-only: {observed} fits germline VAF {_vafs(fits_germline)} and no clonal somatic VAF at "
            f"{setting} ({expected})",
        )
    if fits_germline:
        return Origin("unknown", f"tumour-only: {observed} fits both germline and somatic expectations at {setting} "
                                 f"({expected})")
    return Origin(
        "unknown", f"tumour-only: {observed} does not fit a germline variant at {setting} ({expected}); "
                   "somatic not provable without a normal"
    )


_STATED = {"somatic": "somatic", "germline": "germline", "loh": "germline"}


def _stated(stated_origin: Optional[str], stated_source: Optional[str], population_af) -> Optional[Origin]:
    """Rule S: the file's own somatic/germline call (MAF Mutation_Status, VCF INFO/SOMATIC)."""
    label = _STATED.get((stated_origin or "").strip().lower())
    if label is None:
        return None
    where = stated_source or "the input"
    if label == "somatic" and population_af is not None and population_af > GERMLINE_POPULATION_AF:
        return Origin("unknown", f"{where} says somatic, but population AF {population_af:.2g} > "
                                 f"{GERMLINE_POPULATION_AF} says germline: conflict left open")
    return Origin(label, f"stated by {where}")


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
    amplified: bool | None = None,
    stated_origin: str | None = None,
    stated_source: str | None = None,
    population_source: str | None = None,
) -> Origin:
    """Origin of one variant (rules in the module docstring). Pass the normal's fields as None when the
    file has no normal sample; purity is a fraction (0-1], local copy number the tumour's total ERBB2 copies
    per tumour cell (None when no segments were given), ``amplified`` whether ERBB2 is amplified;
    ``stated_origin`` is the file's own call (MAF Mutation_Status, VCF INFO/SOMATIC) and ``stated_source``
    names it."""
    has_normal = any(v is not None for v in (normal_genotype, normal_vaf, normal_depth, normal_alt_depth))
    shallow = None
    if has_normal:
        decided = _with_normal(normal_genotype, normal_vaf, normal_depth, normal_alt_depth)
        if decided is not None and decided.label != "unknown":
            return decided
        shallow = decided  # a normal too shallow to tell: the next rules decide (docs/origin.md)
    stated = _stated(stated_origin, stated_source, population_af)
    if stated is not None:
        return stated
    if purity is not None and not 0.0 < purity <= 1.0:
        raise UsageError(f"purity must be a fraction in (0, 1], got {purity}")
    if local_copy_number is not None and not local_copy_number >= 0:
        raise UsageError(f"local copy number must be a non-negative number, got {local_copy_number}")
    guess = _tumour_only(tumour_vaf, tumour_depth, population_af, purity, local_copy_number, amplified,
                         population_source)
    if has_normal:  # a shallow normal, or a normal column without genotype or reads at this site
        why = f" ({shallow.basis})" if shallow is not None else ""
        return Origin(guess.label, f"normal uninformative{why}; {guess.basis}")
    return guess
