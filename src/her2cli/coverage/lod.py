"""The binomial limit of detection behind a negative (docs/coverage.md).

A caller reports an allele when at least ``k`` reads carry it (``--min-alt-reads``). At a site read by ``n``
reads, a mutation present in a fraction ``f`` of the molecules is seen in X ~ Binomial(n, f) reads, so it is
reported with probability P(X >= k). The limit of detection (LoD) is the lowest ``f`` reported with probability
``confidence`` (0.95): the VAF below which a negative no longer rules the mutation out. This is the model of the
AMP/CAP validation guideline's worked example (Jennings et al., J Mol Diagn 2017;19(3):341-365, PMID 28341590:
at 250 reads and a 5% allele fraction, a 5-read threshold misses the allele with probability < 0.5%).

A clonal heterozygous mutation in a copy-neutral diploid region sits at VAF = purity / 2, so the tumour purity
below which it falls under the LoD is ``2 x LoD`` (``None`` when even a pure tumour would fall under it).
Sequencing errors, mapping and strand filters are outside the model: it is a lower bound on what was missed.
"""

from __future__ import annotations

import math

CONFIDENCE = 0.95


def detection_probability(depth: int, vaf: float, min_alt_reads: int) -> float:
    """P(X >= min_alt_reads) for X ~ Binomial(depth, vaf)."""
    if min_alt_reads <= 0:
        return 1.0
    if depth < min_alt_reads or vaf <= 0.0:
        return 0.0
    if vaf >= 1.0:
        return 1.0
    log_p, log_q = math.log(vaf), math.log1p(-vaf)
    below = 0.0
    for i in range(min_alt_reads):  # the lower tail has only k terms, whatever the depth
        below += math.exp(math.lgamma(depth + 1) - math.lgamma(i + 1) - math.lgamma(depth - i + 1)
                          + i * log_p + (depth - i) * log_q)
    return max(0.0, min(1.0, 1.0 - below))


def limit_of_detection(depth: int, min_alt_reads: int, confidence: float = CONFIDENCE) -> float | None:
    """The lowest VAF detected with probability ``confidence`` at ``depth`` reads; None when fewer reads than
    ``min_alt_reads`` cover the site (nothing can be called there)."""
    if depth < max(1, min_alt_reads):
        return None
    low, high = 0.0, 1.0
    for _ in range(60):  # detection probability rises with the VAF: bisect to 1e-18
        mid = (low + high) / 2
        if detection_probability(depth, mid, min_alt_reads) >= confidence:
            high = mid
        else:
            low = mid
    return high


def min_purity_for_detection(lod: float | None) -> float | None:
    """The purity below which a clonal heterozygous (VAF = purity / 2) mutation falls under ``lod``; None when
    no purity reaches it."""
    if lod is None or 2 * lod > 1.0:
        return None
    return 2 * lod
