"""Oncogenicity of one ERBB2 variant: driver, VUS or polymorphism, with the reason and its source.

Rules, first match wins (docs/oncogenicity.md gives the sources and dates):

1. no protein change: synonymous only -> likely_benign; anything else without a protein name (splice,
   intronic, UTR, ``p.?``) -> vus.
2. a common germline polymorphism in the knowledge table (I655V, P1170A) -> benign.
3. population AF from the input above 5% -> benign, above 1% -> likely_benign (the somatic oncogenicity
   SOP's SBVS1/SBS1 cut-offs), unless rule 4 or 5 also matches: then vus, saying both (a conflict is not
   settled silently).
4. exon 20 in-frame insertion wholly inside residues 770-831 -> oncogenic (OncoKB class rule).
5. the protein change matches a known activating allele in the table -> the table's class
   (functional study seen: oncogenic; cancer hotspot or recalled study: likely_oncogenic).
6. truncating (stop gained, frameshift, start lost) -> vus: loss of function does not activate an oncogene.
7. anything else -> vus, never a driver by default (a hotspot residue with another allele is named).

The knowledge table is ``resources/oncogenicity.tsv`` (built by scripts/build_knowledge.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Protocol

from her2cli.reference.datafiles import read_tsv
from her2cli.values import valueclass

__all__ = [
    "ONCOGENICITY_CLASSES",
    "BENIGN_AF",
    "LIKELY_BENIGN_AF",
    "Oncogenicity",
    "classify",
    "therapy_eligible",
]

ONCOGENICITY_CLASSES = ("oncogenic", "likely_oncogenic", "vus", "likely_benign", "benign")
DRIVER_CLASSES = ("oncogenic", "likely_oncogenic")
GERMLINE_ORIGINS = ("germline", "likely_germline")

# ClinGen/CGC/VICC somatic oncogenicity SOP (Horak et al., Genet Med 2022): SBVS1 = population AF > 5%
# (stand-alone benign), SBS1 = AF > 1% (strong benign). Tumour-only panels see germline variants, so an AF
# this high in the general population rules out a recurrent somatic driver.
BENIGN_AF = 0.05
LIKELY_BENIGN_AF = 0.01

TRUNCATING_TERMS = ("stop_gained", "frameshift_variant", "start_lost")
PROTEIN_ALTERING_TERMS = (
    "missense_variant", "inframe_insertion", "inframe_deletion", "protein_altering_variant", "stop_lost",
) + TRUNCATING_TERMS
_RANK = {label: i for i, label in enumerate(ONCOGENICITY_CLASSES)}
_RESIDUE_RE = re.compile(r"^p\.([A-Z*])(\d+)")


class VariantLike(Protocol):
    hgvs_p_short: Optional[str]
    hgvs_c: Optional[str]
    consequence: Optional[str]
    protein_position: Optional[str]
    subgroup: Optional[str]


@valueclass(frozen=True)
class Oncogenicity:
    label: str  # one of ONCOGENICITY_CLASSES
    basis: str  # why, in a few words, with the source


@valueclass(frozen=True)
class _Knowledge:
    by_variant: dict[str, list[dict[str, str]]]  # "p.L755S" -> its evidence rows
    exon20_range: tuple[int, int]
    exon20_basis: str
    hotspot_residues: dict[str, str]  # "L755" -> "p.L755A, p.L755M, ..."


_EXON20_RANGE_RE = re.compile(r"residues (\d+)-(\d+)")


def _class_of(row: dict[str, str]) -> str:
    """The class one knowledge row gives on its own: only a functional study read in its source (grade
    ``seen``) makes ``oncogenic``; a hotspot allele ``likely_oncogenic``; a common polymorphism ``benign``;
    anything else (other grades, neutral or inconclusive studies, resistance) no class (``vus``)."""
    if row["evidence"] == "functional" and row["effect"] == "activating" and row["grade"] == "seen":
        return "oncogenic"
    if row["evidence"] == "hotspot":
        return "likely_oncogenic"
    if row["evidence"] == "population" and row["effect"] == "common":
        return "benign"
    return "vus"


_YEAR_RE = re.compile(r"\b(19|20)\d\d\b")


def _basis_of(row: dict[str, str]) -> str:
    """The row in a few words with its source, e.g. 'functional: ... (Bose 2013)'."""
    year = _YEAR_RE.search(row["source"])
    cite = row["source"].split()[0].rstrip(",") + (f" {year.group(0)}" if year else "")
    if row["evidence"] == "population":
        return f"population: common germline polymorphism {row['rsid']}, {row['detail']} ({cite})"
    if row["evidence"] == "hotspot":
        return f"hotspot: {row['detail']}"
    return f"{row['evidence']}: {row['detail']} ({cite})"


@lru_cache(maxsize=1)
def _knowledge() -> _Knowledge:
    by_variant: dict[str, list[dict[str, str]]] = {}
    exon20 = None
    residues: dict[str, list[str]] = {}
    for row in read_tsv("oncogenicity.tsv"):
        row = dict(row, oncogenicity=_class_of(row), evidence_grade=row["grade"], basis=_basis_of(row))
        if row["evidence"] == "population":
            row["evidence"] = "polymorphism"
        if row["variant"] == "class:exon20_inframe_insertion":
            span = _EXON20_RANGE_RE.search(row["detail"])
            if span:
                exon20 = ((int(span.group(1)), int(span.group(2))), row["detail"])
            continue
        if row["evidence"] == "class_rule":
            continue
        by_variant.setdefault(row["variant"], []).append(row)
        if row["evidence"] == "hotspot":
            match = _RESIDUE_RE.match(row["variant"])
            if match:
                residues.setdefault(match.group(1) + match.group(2), []).append(row["variant"])
    if exon20 is None:
        raise RuntimeError("resources/oncogenicity.tsv has no exon 20 class-rule row")
    return _Knowledge(
        by_variant=by_variant,
        exon20_range=exon20[0],
        exon20_basis=exon20[1],
        hotspot_residues={k: ", ".join(sorted(set(v))) for k, v in residues.items()},
    )


def _terms(variant: VariantLike) -> set[str]:
    return set((variant.consequence or "").split("&")) - {""}


def _positions(variant: VariantLike) -> Optional[tuple[int, int]]:
    text = variant.protein_position
    if not text:
        return None
    start, _, end = str(text).partition("-")
    try:
        return int(start), int(end or start)
    except ValueError:
        return None


def _exon20_insertion(variant: VariantLike, knowledge: _Knowledge) -> bool:
    """Net in-frame insertion (dup, ins, or delins lengthening the protein) wholly inside 770-831.

    The annotator's subgroup already requires a net in-frame gain in this range; the positions are checked
    again here so that the class rule stands on its own.
    """
    span = _positions(variant)
    low, high = knowledge.exon20_range
    return variant.subgroup == "exon20_insertion" and span is not None and low <= span[0] and span[1] <= high


def _known_activating(variant: VariantLike, knowledge: _Knowledge) -> Optional[Oncogenicity]:
    rows = [r for r in knowledge.by_variant.get(variant.hgvs_p_short or "", []) if r["oncogenicity"] in DRIVER_CLASSES]
    if not rows:
        return None
    best = min(_RANK[r["oncogenicity"]] for r in rows)
    # Most direct evidence first: a seen functional study, then hotspot recurrence, then recalled studies.
    order = {"seen": 0, "secondary": 1, "recalled": 2}
    rows.sort(
        key=lambda r: (_RANK[r["oncogenicity"]], order.get(r["evidence_grade"], 3), r["evidence"] != "functional")
    )
    bases = list(dict.fromkeys(r["basis"] for r in rows))
    return Oncogenicity(ONCOGENICITY_CLASSES[best], "; ".join(bases))


def _polymorphism(variant: VariantLike, knowledge: _Knowledge) -> Optional[Oncogenicity]:
    for row in knowledge.by_variant.get(variant.hgvs_p_short or "", []):
        if row["evidence"] == "polymorphism":
            return Oncogenicity(row["oncogenicity"], row["basis"])
    return None


def known_population_af(variant: VariantLike) -> Optional[tuple[float, str]]:
    """The population allele frequency the knowledge table gives a common polymorphism (the lowest of a
    range: the conservative figure), with its source; None for any other variant."""
    for row in _knowledge().by_variant.get(variant.hgvs_p_short or "", []):
        if row["evidence"] == "polymorphism" and row.get("population_af"):
            low = row["population_af"].split("-")[0]
            try:
                return float(low), f"knowledge table: {row['population_af_source']}"
            except ValueError:
                return None
    return None


def _format_af(value: float) -> str:
    return f"{value:.2g}" if value < 0.01 else f"{value:.2f}"


def _population_class(population_af: Optional[float], source: Optional[str]) -> Optional[Oncogenicity]:
    if population_af is None:
        return None
    where = source or "input"
    if population_af > BENIGN_AF:
        return Oncogenicity("benign", f"population: {where} AF {_format_af(population_af)} > {BENIGN_AF}")
    if population_af > LIKELY_BENIGN_AF:
        return Oncogenicity(
            "likely_benign", f"population: {where} AF {_format_af(population_af)} > {LIKELY_BENIGN_AF}"
        )
    return None


def classify(
    variant: VariantLike,
    population_af: float | None = None,
    population_af_source: str | None = None,
) -> Oncogenicity:
    """Oncogenicity of one ERBB2 variant on NM_004448.4 (rules in the module docstring)."""
    knowledge = _knowledge()
    terms = _terms(variant)
    protein = variant.hgvs_p_short
    if not protein or protein == "p.?" or not terms & set(PROTEIN_ALTERING_TERMS):
        if terms and terms <= {"synonymous_variant"}:
            return Oncogenicity("likely_benign", "no protein change: synonymous")
        what = "&".join(sorted(terms)) or "unknown consequence"
        return Oncogenicity("vus", f"no protein change named ({what}): effect unknown")

    known = _polymorphism(variant, knowledge)
    if known is not None:
        return known

    if _exon20_insertion(variant, knowledge):
        driver = Oncogenicity("oncogenic", knowledge.exon20_basis)
    else:
        driver = _known_activating(variant, knowledge)

    common = _population_class(population_af, population_af_source)
    if common is not None:
        if driver is not None:
            return Oncogenicity("vus", f"conflict: {driver.basis}, but {common.basis}")
        return common
    if driver is not None:
        return driver

    if terms & set(TRUNCATING_TERMS):
        return Oncogenicity("vus", "truncating: loss of function does not activate this oncogene; not a driver")

    match = _RESIDUE_RE.match(protein)
    residue = match.group(1) + match.group(2) if match else None
    if residue in knowledge.hotspot_residues:
        return Oncogenicity(
            "vus",
            f"not a known activating allele; hotspot residue {residue} has {knowledge.hotspot_residues[residue]} "
            "(cancerhotspots v2)",
        )
    return Oncogenicity("vus", "no known activating evidence (not in the knowledge table)")


def therapy_eligible(oncogenicity_label: str, origin_label: str) -> bool:
    """Only oncogenic or likely oncogenic variants that are not (likely) germline are matched to therapy."""
    return oncogenicity_label in DRIVER_CLASSES and origin_label not in GERMLINE_ORIGINS
