"""AMP/ASCO/CAP 2017 tier of one alteration, with the evidence level behind it.

Li MM et al., "Standards and Guidelines for the Interpretation and Reporting of Sequence Variants in Cancer",
J Mol Diagn 2017;19(1):4-23, PMID 27993330: Tier I = strong clinical significance (Level A: FDA-approved therapy
or professional guidelines for this tumour type; Level B: well-powered studies with expert consensus); Tier II =
potential clinical significance (Level C: FDA-approved for another tumour type, investigational therapies, or
multiple small studies with some consensus; Level D: preclinical or a few case reports without consensus);
Tier III = unknown clinical significance; Tier IV = benign or likely benign.

Each line of ``resources/evidence.tsv`` carries its AMP level (column ``amp_level``; blank for a negative line,
which supports no tier). A variant's tier is the best level among its matched lines; a VUS is Tier III, a
(likely) benign variant Tier IV; a germline variant is not tiered (the tiers are for somatic variants).
"""

from __future__ import annotations

from typing import Iterable, Optional

from her2cli.values import valueclass

__all__ = ["AMP_LEVELS", "Tier", "tier_for_mutation", "tier_for_copy_number", "VUS_NO_THERAPY"]

AMP_LEVELS = ("A", "B", "C", "D")
_TIER_OF_LEVEL = {"A": "I-A", "B": "I-B", "C": "II-C", "D": "II-D"}
VUS_NO_THERAPY = "no therapy matched: variant of unknown significance"
TIER_CITATION = "AMP/ASCO/CAP 2017 (Li et al., J Mol Diagn 2017;19:4-23, PMID 27993330)"


@valueclass(frozen=True)
class Tier:
    tier: Optional[str]  # "I-A", "I-B", "II-C", "II-D", "III", "IV", or None (not tiered)
    basis: str


def _best(lines: Iterable) -> Optional[Tier]:
    levelled = [ln for ln in lines if getattr(ln, "amp_level", "")]
    if not levelled:
        return None
    best = min(ln.amp_level for ln in levelled)
    chosen = [ln for ln in levelled if ln.amp_level == best]
    what = "; ".join(dict.fromkeys(f"{ln.therapy} ({ln.evidence} {ln.date}, {ln.status})" for ln in chosen))
    return Tier(_TIER_OF_LEVEL[best], f"Level {best}: {what}")


def tier_for_mutation(oncogenicity: Optional[str], origin: Optional[str], lines: Iterable) -> Tier:
    from her2cli.interpret.oncogenicity import DRIVER_CLASSES, GERMLINE_ORIGINS

    if oncogenicity in ("benign", "likely_benign"):
        return Tier("IV", f"{oncogenicity.replace('_', ' ')}: no therapy matched")
    if origin in GERMLINE_ORIGINS:
        return Tier(None, f"not tiered: {origin.replace('_', ' ')} (the tiers are for somatic variants); "
                          "no therapy matched")
    if oncogenicity not in DRIVER_CLASSES:
        return Tier("III", VUS_NO_THERAPY)
    best = _best(lines)
    if best is None:
        return Tier("III", f"{oncogenicity.replace('_', ' ')}, but no therapy line matched")
    return best


def tier_for_copy_number(cn_status: Optional[str], lines: Iterable) -> Tier:
    if cn_status != "amplification":
        return Tier(None, f"not tiered: {cn_status or 'no call'} (only amplification has therapy lines)")
    best = _best(lines)
    return best if best is not None else Tier("III", "amplification, but no therapy line matched")


def tier_for_call(call) -> Tier:
    """The tier of a MutationCall or CopyNumberCall whose evidence lines have been matched."""
    if call.kind == "mutation":
        from her2cli.interpret.evidence import is_reportable_mutation

        if not is_reportable_mutation(call):
            return Tier(None, "not tiered: not a reportable call (FILTER, not called, VAF 0 or no protein change)")
        return tier_for_mutation(call.oncogenicity, call.origin, call.evidence)
    return tier_for_copy_number(call.cn_status, call.evidence)
