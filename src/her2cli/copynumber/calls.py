"""Named amplification definitions and the overall cn_status rule.

The field has no single definition of ERBB2 amplification, so every definition is evaluated and
the ones met are listed in ``calls`` (semicolon-separated, in this order):

=============  ===============================================================  ===================
name           rule (defaults; each threshold is a Thresholds field)            source
=============  ===============================================================  ===================
cn_ge_6        tumour copy number >= 6 (``amp_copies``)                         ISH >= 6 copies/cell
ratio_ge_2     ERBB2 / chr17-baseline ratio >= 2.0 (``ratio``)                  FISH ERBB2/CEP17
purple_amp     minimum copy number over the gene > 3 x ploidy                   PURPLE driver catalogue
               (``purple_ploidy_factor``)
pcgr_amp       copy number >= 5 (``pcgr_copies``) or >= 2.5 x ploidy            PCGR
               (``pcgr_ploidy_factor``)
cnvkit_amp     log2 ratio >= 0.7 (``cnvkit_amp_log2``)                          cnvkit.py call -m threshold
ngs_cn_gt_7    copy number > 7 (``ngs_copies``)                                 NCI-MATCH arm Q
=============  ===============================================================  ===================

"copy number" here is the tumour-cell copy number (purity-rescaled when a purity is known, else the
sample-level estimate); "log2" is the log2 copy ratio as measured (for absolute-copy-number inputs:
log2(copy number / ploidy)).

cn_status (one value, first rule that applies; R = log2(copy number / ploidy)):

1. ``amplification``: copy number >= ``status_amp_ploidy_factor`` (2.5) x ploidy, or
   ERBB2/chr17 ratio >= ``ratio`` (2.0) together with copy number >= ``fish_min_copies`` (4)
   (the ASCO-CAP ISH group-1 shape). Absolute copies alone (e.g. 6 copies in a tetraploid tumour)
   do not make an amplification.
2. ``gain``: R >= ``cnvkit_gain_log2`` (0.2)
3. ``loss``: R < ``cnvkit_loss_log2`` (-0.25)
4. ``neutral`` otherwise.

With no purity and a log2 input, R equals the measured log2, so gain/loss are exactly CNVkit's
default threshold calls (GAIN >= 0.2, LOSS < -0.25).
"""

from __future__ import annotations

import math
from dataclasses import fields

from her2cli.values import valueclass

DEFINITIONS = ["cn_ge_6", "ratio_ge_2", "purple_amp", "pcgr_amp", "cnvkit_amp", "ngs_cn_gt_7"]
STATUSES = ["amplification", "gain", "neutral", "loss"]
FOCALITIES = ["focal", "arm", "chromosome", "none"]


@valueclass
class Thresholds:
    """Every copy-number threshold; field names double as CLI option names (amp_copies -> --amp-copies)."""

    amp_copies: float = 6.0             # cn_ge_6
    ratio: float = 2.0                  # ratio_ge_2 (ERBB2/chr17)
    purple_ploidy_factor: float = 3.0   # purple_amp: min CN > factor x ploidy
    pcgr_copies: float = 5.0            # pcgr_amp: CN >= copies ...
    pcgr_ploidy_factor: float = 2.5     # ... or CN >= factor x ploidy
    cnvkit_amp_log2: float = 0.7        # cnvkit_amp
    cnvkit_gain_log2: float = 0.2       # cn_status gain (relative to ploidy)
    cnvkit_loss_log2: float = -0.25     # cn_status loss (relative to ploidy)
    ngs_copies: float = 7.0             # ngs_cn_gt_7: CN > copies
    status_amp_ploidy_factor: float = 2.5  # cn_status amplification: CN >= factor x ploidy
    fish_min_copies: float = 4.0        # cn_status amplification via ratio also needs >= this many copies
    focal_max_mb: float = 10.0          # gained region shorter than this is focal
    focal_min_ratio: float = 1.5        # ERBB2 >= this x chr17 median: look for a peak above the arm
    chromosome_fraction: float = 0.8    # gained region covering this share of chr17 (both arms) = chromosome

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"threshold {f.name} must be a finite number, got {value!r}")
        for name in ("amp_copies", "ratio", "purple_ploidy_factor", "pcgr_copies", "pcgr_ploidy_factor",
                     "ngs_copies", "status_amp_ploidy_factor", "focal_max_mb", "focal_min_ratio"):
            if getattr(self, name) <= 0:
                raise ValueError(f"threshold {name} must be > 0")
        if not 0 < self.chromosome_fraction <= 1:
            raise ValueError("threshold chromosome_fraction must be in (0, 1]")


def definitions_met(copies: float, min_copies: float, log2: float, ploidy: float,
                    ratio_chr17: float | None, t: Thresholds) -> list[str]:
    """Names of the definitions met, in DEFINITIONS order."""
    met = {
        "cn_ge_6": copies >= t.amp_copies,
        "ratio_ge_2": ratio_chr17 is not None and ratio_chr17 >= t.ratio,
        "purple_amp": min_copies > t.purple_ploidy_factor * ploidy,
        "pcgr_amp": copies >= t.pcgr_copies or copies >= t.pcgr_ploidy_factor * ploidy,
        "cnvkit_amp": log2 >= t.cnvkit_amp_log2,
        "ngs_cn_gt_7": copies > t.ngs_copies,
    }
    return [name for name in DEFINITIONS if met[name]]


def relative_log2(copies: float, ploidy: float) -> float:
    """log2(copies / ploidy), floored at -10 for zero copies."""
    if copies <= 0 or ploidy <= 0:
        return -10.0
    return max(-10.0, math.log2(copies / ploidy))


def cn_status(copies: float, ploidy: float, ratio_chr17: float | None, t: Thresholds) -> str:
    """The overall status; rule in the module docstring."""
    if copies >= t.status_amp_ploidy_factor * ploidy or (
            ratio_chr17 is not None and ratio_chr17 >= t.ratio and copies >= t.fish_min_copies):
        return "amplification"
    rel = relative_log2(copies, ploidy)
    if rel >= t.cnvkit_gain_log2:
        return "gain"
    if rel < t.cnvkit_loss_log2:
        return "loss"
    return "neutral"
