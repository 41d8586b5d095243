"""Oncogenicity of one ERBB2 variant by the ClinGen/CGC/VICC somatic oncogenicity SOP, with its points shown.

Horak P et al., "Standards for the classification of pathogenicity of somatic variants in cancer (oncogenicity)",
Genet Med 2022;24(5):986-998, PMID 35101336: Table 2 (oncogenic criteria and points), Table 3 (benign criteria and
points) and the point-based classification (oncogenic >= 10, likely oncogenic 6-9, VUS 0-5, likely benign -1 to -6,
benign <= -7). Each criterion is applied from evidence we hold (the knowledge table, the input's population
frequency, the variant's own protein change); docs/oncogenicity.md gives the criterion -> evidence mapping and what
cannot be applied (OVS1, OS1, OP1, OP2, SBP1, SBP2).

A curated knowledge file the user gives (``--knowledge``: OncoKB, CIViC or our own format) is read by
``interpret/user_knowledge.py``; a class it names overrides the rule-based one and says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional, Protocol

from her2cli.values import valueclass

if TYPE_CHECKING:
    from her2cli.interpret.knowledge import KnowledgeTable
    from her2cli.interpret.user_knowledge import UserKnowledge

__all__ = [
    "ONCOGENICITY_CLASSES",
    "DRIVER_CLASSES",
    "SOP_POINTS",
    "SOP_CITATION",
    "BENIGN_AF",
    "LIKELY_BENIGN_AF",
    "OP4_MAX_AF",
    "Oncogenicity",
    "classify",
    "class_for_points",
    "known_population_af",
    "therapy_eligible",
    "class_decided_by",
    "class_decision",
]

ONCOGENICITY_CLASSES = ("oncogenic", "likely_oncogenic", "vus", "likely_benign", "benign")
DRIVER_CLASSES = ("oncogenic", "likely_oncogenic")
GERMLINE_ORIGINS = ("germline", "likely_germline")

SOP_CITATION = "ClinGen/CGC/VICC SOP (Horak et al., Genet Med 2022, PMID 35101336)"
# The SOP's points, Tables 2 and 3 of Horak 2022 (very strong 8, strong 4, moderate 2, supporting 1; benign
# very strong -8, strong -4, supporting -1).
SOP_POINTS = {
    "OVS1": 8,
    "OS1": 4, "OS2": 4, "OS3": 4,
    "OM1": 2, "OM2": 2, "OM3": 2, "OM4": 2,
    "OP1": 1, "OP2": 1, "OP3": 1, "OP4": 1,
    "SBVS1": -8,
    "SBS1": -4, "SBS2": -4,
    "SBP1": -1, "SBP2": -1,
}
# Point-based classification of Horak 2022: lowest points of each class, from the top (checked in a secondary
# source, the OncoVI implementation of the SOP; the criteria and points above were read in Tables 2-3 of PMC9081216).
CLASS_MIN_POINTS = (("oncogenic", 10), ("likely_oncogenic", 6), ("vus", 0), ("likely_benign", -6))

# SBVS1: minor allele frequency > 5% in gnomAD; SBS1: > 1% (Horak 2022, Table 3).
BENIGN_AF = 0.05
LIKELY_BENIGN_AF = 0.01
# OP4: "absent from controls (or at an extremely low frequency) in gnomAD". The SOP gives no number; we read
# "extremely low" as at most 1 in 10,000 alleles (docs/oncogenicity.md).
OP4_MAX_AF = 1e-4
# cancerhotspots.org thresholds of OS3/OM3/OP3 (Horak 2022, Table 2): >= 50 tumours at the residue and >= 10
# with this amino-acid change (OS3); < 50 at the residue and >= 10 with the change (OM3); < 10 with it (OP3).
HOTSPOT_RESIDUE_MIN = 50
HOTSPOT_ALLELE_MIN = 10

# OM1: "located in a critical and well-established part of a functional domain (e.g., active site of an enzyme)".
# For ERBB2 that part is the tyrosine kinase domain, UniProt P04626 720-987: the catalytic domain whose activating
# mutations define the zongertinib and sevabertinib labels ("HER2 (ERBB2) tyrosine kinase domain activating
# mutations"). Truncating changes never count (they remove the domain's function rather than sit in it).
KINASE_DOMAIN = (720, 987)  # UniProt P04626 FT DOMAIN 720..987 Protein kinase (resources/NM_004448.4.json)
EXON20_CODONS = (770, 831)  # exon 20 of NM_004448.4 = c.2308-2493 = codons 770-831 (shared/reference README)

# Grantham R, "Amino acid difference formula to help explain protein evolution", Science 1974;185:862-864
# (PMID 4843792): the distance matrix (AAindex GRAR740104), rows and columns in this order; checked against two
# public copies of the published matrix. OM4's caveat: the variant's amino-acid difference from the reference must be
# "greater or at least approximately the same" as that of the oncogenic missense; we read "approximately" as >= 90%.
_GRANTHAM_ORDER = "ARNDCQEGHILKMFPSTWYV"
_GRANTHAM_ROWS = """
0 112 111 126 195 91 107 60 86 94 96 106 84 113 27 99 58 148 112 64
112 0 86 96 180 43 54 125 29 97 102 26 91 97 103 110 71 101 77 96
111 86 0 23 139 46 42 80 68 149 153 94 142 158 91 46 65 174 143 133
126 96 23 0 154 61 45 94 81 168 172 101 160 177 108 65 85 181 160 152
195 180 139 154 0 154 170 159 174 198 198 202 196 205 169 112 149 215 194 192
91 43 46 61 154 0 29 87 24 109 113 53 101 116 76 68 42 130 99 96
107 54 42 45 170 29 0 98 40 134 138 56 126 140 93 80 65 152 122 121
60 125 80 94 159 87 98 0 98 135 138 127 127 153 42 56 59 184 147 109
86 29 68 81 174 24 40 98 0 94 99 32 87 100 77 89 47 115 83 84
94 97 149 168 198 109 134 135 94 0 5 102 10 21 95 142 89 61 33 29
96 102 153 172 198 113 138 138 99 5 0 107 15 22 98 145 92 61 36 32
106 26 94 101 202 53 56 127 32 102 107 0 95 102 103 121 78 110 85 97
84 91 142 160 196 101 126 127 87 10 15 95 0 28 87 135 81 67 36 21
113 97 158 177 205 116 140 153 100 21 22 102 28 0 114 155 103 40 22 50
27 103 91 108 169 76 93 42 77 95 98 103 87 114 0 74 38 147 110 68
99 110 46 65 112 68 80 56 89 142 145 121 135 155 74 0 58 177 144 124
58 71 65 85 149 42 65 59 47 89 92 78 81 103 38 58 0 128 92 69
148 101 174 181 215 130 152 184 115 61 61 110 67 40 147 177 128 0 37 88
112 77 143 160 194 99 122 147 83 33 36 85 36 22 110 144 92 37 0 55
64 96 133 152 192 96 121 109 84 29 32 97 21 50 68 124 69 88 55 0
"""
OM4_MIN_GRANTHAM_RATIO = 0.9


def grantham(ref: str, alt: str) -> int:
    """Grantham's distance between two amino acids (one-letter codes)."""
    rows = [line.split() for line in _GRANTHAM_ROWS.strip().splitlines()]
    return int(rows[_GRANTHAM_ORDER.index(ref)][_GRANTHAM_ORDER.index(alt)])


TRUNCATING_TERMS = ("stop_gained", "frameshift_variant", "start_lost")
PROTEIN_ALTERING_TERMS = (
    "missense_variant", "inframe_insertion", "inframe_deletion", "protein_altering_variant", "stop_lost",
) + TRUNCATING_TERMS
_MISSENSE_RE = re.compile(r"^p\.([A-Z])(\d+)([A-Z])$")
_RESIDUE_RE = re.compile(r"^p\.([A-Z*])(\d+)")


class VariantLike(Protocol):
    hgvs_p_short: Optional[str]
    hgvs_c: Optional[str]
    consequence: Optional[str]
    protein_position: Optional[str]
    subgroup: Optional[str]


@valueclass(frozen=True)
class Criterion:
    code: str
    reason: str

    @property
    def points(self) -> int:
        return SOP_POINTS[self.code]

    def text(self) -> str:
        return f"{self.code} {self.points:+d} ({self.reason})"


@valueclass(frozen=True)
class Oncogenicity:
    label: str  # one of ONCOGENICITY_CLASSES
    basis: str  # why, in a few words, with the source
    criteria: str = ""  # the SOP criteria that fired, with their points and reasons
    points: Optional[int] = None  # the SOP's sum (None: no protein change to score)
    source: str = ""  # where the class came from: the rule-based SOP, or a user knowledge file that overrides it


def class_for_points(points: int) -> str:
    """The SOP's class for a sum of points (Horak 2022: >= 10 oncogenic, 6-9 likely oncogenic, 0-5 VUS, -1 to
    -6 likely benign, <= -7 benign)."""
    for label, low in CLASS_MIN_POINTS:
        if points >= low:
            return label
    return "benign"


def _terms(variant: VariantLike) -> set[str]:
    return set((variant.consequence or "").split("&")) - {""}


def _span(variant: VariantLike) -> Optional[tuple[int, int]]:
    text = variant.protein_position
    if not text:
        return None
    start, _, end = str(text).partition("-")
    try:
        return int(start), int(end or start)
    except ValueError:
        return None


def _length_change(variant: VariantLike, terms: set[str]) -> int:
    """+1 a net in-frame gain, -1 a net in-frame loss, 0 neither (from the consequence and the protein name)."""
    name = variant.hgvs_p_short or ""
    if "inframe_insertion" in terms or name.endswith("dup") or re.search(r"ins[A-Z]+$", name) and "del" not in name:
        return 1
    if "inframe_deletion" in terms:
        return -1
    match = re.match(r"^p\.[A-Z](\d+)(?:_[A-Z](\d+))?delins([A-Z]+)$", name)
    if match:
        removed = int(match.group(2) or match.group(1)) - int(match.group(1)) + 1
        added = len(match.group(3))
        return (added > removed) - (added < removed)
    return 0


def _in_class(key: str, variant: VariantLike, terms: set[str]) -> bool:
    span = _span(variant)
    if span is None:
        return False
    inside = EXON20_CODONS[0] <= span[0] and span[1] <= EXON20_CODONS[1]
    if key == "class:exon20_inframe_insertion":
        return inside and _length_change(variant, terms) > 0
    if key == "class:exon20_inframe_deletion":
        return inside and _length_change(variant, terms) < 0
    return False


def _residue(name: str) -> Optional[str]:
    match = _RESIDUE_RE.match(name)
    return f"p.{match.group(1)}{match.group(2)}" if match else None


def _format_af(value: float) -> str:
    return f"{value:.2g}" if value < 0.01 else f"{value:.2f}"


def _population(variant: VariantLike, population_af: Optional[float], population_af_source: Optional[str],
                knowledge: "KnowledgeTable", absent_from: Optional[str] = None) -> tuple[list[Criterion], str]:
    """SBVS1/SBS1/OP4 from the input's population frequency first, else the knowledge table's population rows
    (seen or secondary: they may lower a class, never raise it, so OP4 needs the input's own key)."""
    from_input = population_af is not None
    where = population_af_source or "input"
    if not from_input and absent_from:
        # The input declares population keys and none holds a value for this allele: absent from them.
        return [Criterion("OP4", f"absent from {absent_from}")], ""
    if not from_input:
        # The lowest of the table's figures (the conservative one: benign evidence from a table row may only lower
        # a class), whatever the order the rows were built in.
        facts = [f for f in knowledge.rows_for(variant.hgvs_p_short or "")
                 if f.evidence == "population" and f.population_af is not None and f.grade != "recalled"]
        if not facts:
            return [], "OP4 not applied (population frequency not given)"
        fact = min(facts, key=lambda f: f.population_af)
        population_af = fact.population_af
        where = " ".join(p for p in (fact.rsid, fact.population_af_source or "population") if p)
        where += f" ({fact.cite()})"
    af = _format_af(population_af)
    if population_af > BENIGN_AF:
        return [Criterion("SBVS1", f"{where} AF {af} > {BENIGN_AF}")], ""
    if population_af > LIKELY_BENIGN_AF:
        return [Criterion("SBS1", f"{where} AF {af} > {LIKELY_BENIGN_AF}")], ""
    if not from_input:
        return [], "OP4 not applied (population frequency not given in the input)"
    if population_af <= OP4_MAX_AF:
        absent = "absent from" if population_af == 0 else f"AF {af} <= {OP4_MAX_AF:g} in"
        return [Criterion("OP4", f"{absent} {where}")], ""
    return [], f"OP4 not applied ({where} AF {af} > {OP4_MAX_AF:g})"


_REGION_RE = re.compile(r"^p\.[A-Z](\d+)_[A-Z](\d+)$")


def _is_indel(name: str) -> bool:
    """An in-frame indel's protein name (p.Y772_A775dup, p.G776delinsVC, p.L755_T759del), not one residue's."""
    return "_" in name or any(word in name for word in ("del", "ins", "dup"))


def _hotspot_site(variant: VariantLike, knowledge: "KnowledgeTable") -> tuple[str, list]:
    """Where the variant's hotspot counts are kept: its residue (``p.S310``) for a one-residue change, else the
    in-frame indel hotspot regions (``p.Y772_A775``, cancerhotspots' 772-775) that hold the indel's whole span."""
    name = variant.hgvs_p_short or ""
    if not _is_indel(name):
        residue = _residue(name)
        rows = [f for f in knowledge.rows_for(residue or "") if f.evidence == "hotspot"]
        return (residue[2:] if residue else name[2:]), rows
    span = _span(variant)
    if span is None:
        return name[2:], []
    regions = [(f, m) for f in knowledge.facts if f.evidence == "hotspot" and (m := _REGION_RE.match(f.variant))
               and int(m.group(1)) <= span[0] and span[1] <= int(m.group(2))]
    sites = sorted({f"{m.group(1)}-{m.group(2)}" for _, m in regions})
    return (f"in-frame indel hotspot {', '.join(sites)}" if sites else name[2:]), [f for f, _ in regions]


def _hotspot(variant: VariantLike, knowledge: "KnowledgeTable") -> Optional[Criterion]:
    """OS3/OM3/OP3 from the cancerhotspots v2 counts of seen hotspot rows: tumours at the residue (for an in-frame
    indel: with an in-frame indel in the hotspot region holding it) and tumours with this very change (for an
    indel: the same protein change, i.e. the same inserted or deleted residues at the same place)."""
    name = variant.hgvs_p_short or ""
    site, site_rows = _hotspot_site(variant, knowledge)
    allele_rows = [f for f in knowledge.rows_for(name) if f.evidence == "hotspot" and f.seen]
    # The allele row's own residue count first: it comes from the same source row as the allele count.
    residue_count = max((f.residue_tumours for f in allele_rows if f.residue_tumours is not None), default=None)
    if residue_count is None:
        residue_count = max((f.residue_tumours for f in site_rows if f.seen and f.residue_tumours is not None),
                            default=None)
    if residue_count is None:
        return None
    counts = [f.allele_tumours for f in allele_rows if f.allele_tumours is not None]
    if not counts and any(f.evidence == "hotspot" for f in knowledge.rows_for(name)):
        return None  # the allele is listed, but its count is not held from a seen source: unknown, not 0
    allele_count = max(counts, default=0)
    reason = f"cancerhotspots v2: {residue_count} tumours at {site}, {allele_count} with {name[2:]}"
    if allele_count >= HOTSPOT_ALLELE_MIN:
        return Criterion("OS3" if residue_count >= HOTSPOT_RESIDUE_MIN else "OM3", reason)
    return Criterion("OP3", reason)


def _om1(variant: VariantLike, terms: set[str]) -> Optional[Criterion]:
    span = _span(variant)
    if span is None or terms & set(TRUNCATING_TERMS):
        return None
    if KINASE_DOMAIN[0] <= span[0] and span[1] <= KINASE_DOMAIN[1]:
        return Criterion("OM1", f"kinase domain {KINASE_DOMAIN[0]}-{KINASE_DOMAIN[1]}, UniProt P04626")
    return None


def _rule_criteria(variant: VariantLike, knowledge: "KnowledgeTable", terms: set[str],
                   with_om4: bool = True) -> list[Criterion]:
    """The oncogenic/benign criteria from held evidence (not population), for one protein change."""
    name = variant.hgvs_p_short or ""
    rows = knowledge.rows_for(name)
    found: list[Criterion] = []
    activating = [f for f in rows if f.evidence == "functional" and f.effect == "activating" and f.seen]
    classes = [f for f in knowledge.facts if f.evidence == "class_rule" and f.seen and _in_class(f.variant, variant,
                                                                                                  terms)]
    if activating:
        found.append(Criterion("OS2", "functional: " + "; ".join(dict.fromkeys(f.cite() for f in activating))))
    elif classes:
        found.append(Criterion("OS2", "class rule: " + "; ".join(
            dict.fromkeys(f"{f.variant[6:].replace('_', ' ')} ({f.cite()})" for f in classes))))
    neutral = [f for f in rows if f.evidence == "functional" and f.effect == "neutral" and f.grade != "recalled"]
    if neutral:
        found.append(Criterion("SBS2", "functional: no oncogenic effect, " + "; ".join(
            dict.fromkeys(f.cite() for f in neutral))))
    om1 = _om1(variant, terms)
    if om1 is not None:
        found.append(om1)
    length = _length_change(variant, terms)
    if length and not terms & {"frameshift_variant", "stop_gained"}:
        found.append(Criterion("OM2", f"in-frame {'insertion' if length > 0 else 'deletion'} in an oncogene"))
    om4 = _om4(variant, knowledge) if with_om4 else None
    if om4 is not None:
        found.append(om4)
    hotspot = _hotspot(variant, knowledge)
    # OM3 (hotspot with < 50 tumours at the residue) is not used when OM1 or OM4 applies (Horak 2022, Table 2).
    if hotspot is not None and not (hotspot.code == "OM3" and (om1 is not None or om4 is not None)):
        found.append(hotspot)
    return found


@valueclass(frozen=True)
class _Named:
    hgvs_p_short: str
    protein_position: str
    consequence: str = "missense_variant"
    hgvs_c: Optional[str] = None
    subgroup: Optional[str] = None


def _om4(variant: VariantLike, knowledge: "KnowledgeTable") -> Optional[Criterion]:
    """OM4: a missense at a residue where a different missense is oncogenic by this standard (from the
    knowledge table's other alleles, scored without OM4 and without population data)."""
    match = _MISSENSE_RE.match(variant.hgvs_p_short or "")
    if not match:
        return None
    ref, pos, alt = match.groups()
    others = sorted({f.variant for f in knowledge.facts if f.variant != variant.hgvs_p_short
                     and (m := _MISSENSE_RE.match(f.variant)) and m.group(1) == ref and m.group(2) == pos})
    if ref not in _GRANTHAM_ORDER or alt not in _GRANTHAM_ORDER:
        return None
    ours = grantham(ref, alt)
    for other in others:
        named = _Named(hgvs_p_short=other, protein_position=pos)
        points = sum(c.points for c in _rule_criteria(named, knowledge, {"missense_variant"}, with_om4=False))
        theirs = grantham(ref, other[-1])
        if class_for_points(points) == "oncogenic" and ours >= OM4_MIN_GRANTHAM_RATIO * theirs:
            return Criterion("OM4", f"{other} at the same residue is oncogenic by this standard ({points} points); "
                                    f"Grantham {ref}>{alt} {ours} >= {ref}>{other[-1]} {theirs}")
    return None


def classify(
    variant: VariantLike,
    population_af: float | None = None,
    population_af_source: str | None = None,
    knowledge: "KnowledgeTable | None" = None,
    user: "UserKnowledge | None" = None,
    absent_from: str | None = None,
) -> Oncogenicity:
    """Oncogenicity of one ERBB2 variant on NM_004448.4 by the SOP (module docstring), or a user file's class."""
    from her2cli.interpret.knowledge import load_knowledge

    table = knowledge if knowledge is not None else load_knowledge()
    if user is not None and user.table is not None:
        table = table.merged(user.table)
    found = _rule_based(variant, population_af, population_af_source, table, absent_from)
    source = f"rule-based: {SOP_CITATION} on {table.path}"
    listed = [f for f in table.rows_for(variant.hgvs_p_short or "") if f.evidence == "regulatory" and f.seen]
    if listed:
        found, source = _regulatory(found, listed[0], source)
    if user is not None and user.table is not None and user.table.rows_for(variant.hgvs_p_short or ""):
        source += f" with {user.describe()}"
    if user is not None:
        override = user.lookup(variant.hgvs_p_short or "")
        if override is not None:
            label, text = override
            if label is None:
                source = f"{user.describe()}: {text}; {source}"
            else:
                rule = f"rule-based {found.label}" + (f" ({found.points} points)" if found.points is not None else "")
                basis = f"{user.kind}: {text} (overrides {rule})"
                if listed and label not in DRIVER_CLASSES:
                    # The file may lower the class (docs: it overrides), but a listed allele's approved lines go
                    # with it: say so rather than drop them silently.
                    basis += (f"; the variant is {listed[0].detail} ({listed[0].cite()}): this class withholds "
                              "the approved lines that list supports")
                return Oncogenicity(label, basis, found.criteria, found.points,
                                    f"{user.describe()}: {text}; overrides {rule}")
    return Oncogenicity(found.label, found.basis, found.criteria, found.points, source)


def _regulatory(found: Oncogenicity, fact, source: str) -> tuple[Oncogenicity, str]:
    """A variant named on a regulatory list of activating mutations (the TKD list behind the zongertinib and
    sevabertinib approvals) is at least likely oncogenic: the list decides eligibility for the approved drugs.
    The SOP's points are kept and shown; a variant with benign evidence (SBVS1/SBS1/SBS2/SBP1/SBP2, e.g. a
    common population frequency) is not raised, and the conflict is said."""
    listed = f"{fact.detail} ({fact.cite()})"
    if found.label in DRIVER_CLASSES:
        return Oncogenicity(found.label, f"{found.basis}; also {listed}", found.criteria, found.points), source
    benign = re.findall(r"\b(SB(?:VS|S|P)\d) ", found.criteria or "")
    if found.label != "vus" or benign:
        return Oncogenicity(found.label, f"{found.basis}; {listed}, but the SOP's benign evidence "
                            f"({', '.join(dict.fromkeys(benign)) or found.label}) is not overridden",
                            found.criteria, found.points), source
    rule = f"rule-based vus ({found.points} points)" if found.points is not None else "rule-based vus"
    return (Oncogenicity("likely_oncogenic", f"regulatory list: {listed}; raises {rule}; {found.basis}",
                         found.criteria, found.points),
            f"regulatory list: {fact.cite()}; raises {rule}; {source}")


def _rule_based(variant: VariantLike, population_af: Optional[float], population_af_source: Optional[str],
                knowledge: "KnowledgeTable", absent_from: Optional[str] = None) -> Oncogenicity:
    terms = _terms(variant)
    protein = variant.hgvs_p_short
    if not protein or protein == "p.?" or not terms & set(PROTEIN_ALTERING_TERMS):
        what = "&".join(sorted(terms)) or "unknown consequence"
        population, _ = _population(variant, population_af, population_af_source, knowledge)
        population = [c for c in population if c.code != "OP4"]
        if population:
            points = sum(c.points for c in population)
            return Oncogenicity(class_for_points(points), f"no protein change ({what}); {SOP_CITATION}: {points} "
                                f"points", "; ".join(c.text() for c in population), points)
        return Oncogenicity("vus", f"no protein change named ({what}): effect unknown; the SOP's SBP2 (synonymous) "
                            "needs splicing and conservation predictors, not run", "", None)
    criteria = _rule_criteria(variant, knowledge, terms)
    population, note = _population(variant, population_af, population_af_source, knowledge, absent_from)
    criteria += population
    points = sum(c.points for c in criteria)
    label = class_for_points(points)
    text = "; ".join(c.text() for c in criteria)
    if note:
        text = f"{text}; {note}" if text else note
    basis = f"{SOP_CITATION}: {points} points = {label}"
    if not criteria:
        basis += "; no criterion applies"
    site, site_rows = _hotspot_site(variant, knowledge)
    if _is_indel(protein):  # the indel itself and its hotspot region's rows
        listed = sorted({f.variant for f in site_rows + knowledge.rows_for(protein) if f.evidence == "hotspot"})
    else:  # every hotspot row at the residue
        residue = _residue(protein)
        listed = sorted({f.variant for f in knowledge.facts if f.evidence == "hotspot" and not _is_indel(f.variant)
                         and _residue(f.variant) == residue})
    if listed and not any(c.code in ("OS3", "OM3", "OP3") for c in criteria):
        counted = _hotspot(variant, knowledge)
        if counted is not None:  # OM3 with OM1/OM4: not used together (Horak 2022, Table 2)
            basis += f"; OM3 ({counted.reason}) not used with OM1 or OM4 (Horak 2022, Table 2)"
        else:
            where = site if _is_indel(protein) else f"hotspot residue {site}"
            basis += f"; {where} ({', '.join(listed)}) held without seen tumour counts: OS3/OM3/OP3 not applied"
    if terms & set(TRUNCATING_TERMS):
        basis += "; truncating: OVS1 is for tumour suppressors, and ERBB2 is an oncogene"
    # A secondary neutral functional row did count (SBS2: benign evidence may come from secondary rows): it is
    # in the criteria, so the basis must not call it "not counted".
    recalled = [f for f in knowledge.rows_for(protein) if f.grade != "seen" and f.evidence != "population"
                and not (f.evidence == "functional" and f.effect == "neutral" and f.grade == "secondary")]
    if recalled:
        basis += "; not counted, grade not seen: " + "; ".join(dict.fromkeys(
            (f.evidence if f.effect == f.evidence else f"{f.evidence} {f.effect}") + f" ({f.cite()})"
            for f in recalled))
    return Oncogenicity(label, basis, text, points)


def known_population_af(variant: VariantLike) -> Optional[tuple[float, str]]:
    """The population allele frequency the knowledge table gives a common polymorphism (the lowest of a
    range: the conservative figure), with its source; None for any other variant."""
    from her2cli.interpret.knowledge import load_knowledge

    facts = [f for f in load_knowledge().rows_for(variant.hgvs_p_short or "")
             if f.evidence == "population" and f.effect == "common" and f.population_af is not None]
    if not facts:
        return None
    fact = min(facts, key=lambda f: f.population_af)
    return fact.population_af, f"knowledge table: {fact.population_af_source}"


def therapy_eligible(oncogenicity_label: str, origin_label: str) -> bool:
    """Only oncogenic or likely oncogenic variants that are not (likely) germline are matched to therapy."""
    return oncogenicity_label in DRIVER_CLASSES and origin_label not in GERMLINE_ORIGINS


def class_decision(source: Optional[str], basis: Optional[str]) -> Optional[str]:
    """In the basis's own words, what decided the class when the SOP's points did not (``class_decided_by``):
    'the regulatory list: named on ...; raises rule-based vus (2 points)' or 'OncoKB allAnnotatedVariants:
    Inconclusive, Unknown (line 3) (overrides rule-based oncogenic (10 points))'; None when the points decided."""
    decider = class_decided_by(source)
    if not decider:
        return None
    said = str(basis).split(f"; {SOP_CITATION}")[0] if basis else decider
    return "the " + said if said.startswith("regulatory list:") else said


def class_decided_by(source: Optional[str]) -> Optional[str]:
    """What decided the class when it is not the SOP's points (a regulatory list or the user's knowledge file),
    in a few words for a report; None when the points decided it."""
    if not source:
        return None
    # The decider is the part just before "overrides ..." (a --knowledge class) or "raises ..." (the regulatory
    # list). A file named without a class (a CIViC summary, an OncoKB 'Resistance' row) decided nothing: the
    # rule-based class stands (docs/oncogenicity.md), and the report must not say otherwise.
    parts = [part.strip() for part in source.split(";")]
    for before, part in zip(parts, parts[1:]):
        if part.startswith(("overrides ", "raises ")):
            return before
    return None
