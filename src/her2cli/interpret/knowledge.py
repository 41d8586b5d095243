"""The oncogenicity knowledge table: one fact from one source per row (format: docs/oncogenicity.md).

``resources/oncogenicity.tsv`` is built by ``scripts/build_knowledge.py``; ``read_knowledge(path)`` reads it or a
user's table in the same format (``--knowledge``). The SOP engine (``interpret/oncogenicity.py``) turns the facts
into criteria; this module only reads and checks them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import field
from functools import lru_cache
from typing import Optional

from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.values import valueclass

__all__ = ["KNOWLEDGE_COLUMNS", "CLASS_KEYS", "Fact", "KnowledgeTable", "load_knowledge", "read_knowledge",
           "file_sha256"]

KNOWLEDGE_COLUMNS = (
    "variant", "evidence", "effect", "detail", "residue_tumours", "allele_tumours", "population_af",
    "population_af_source", "source", "pmid", "locator", "checked", "grade", "rsid", "hgvs_c", "note",
)
_REQUIRED = ("variant", "evidence", "effect", "source", "grade")
EVIDENCE_KINDS = ("functional", "class_rule", "hotspot", "population", "resistance", "clinical", "regulatory")
EFFECTS = {
    "functional": ("activating", "neutral", "inconclusive"),
    "class_rule": ("oncogenic",),
    "hotspot": ("hotspot",),
    "population": ("common", "rare"),
    "resistance": ("resistance",),
    "clinical": ("response",),
    "regulatory": ("listed",),
}
GRADES = ("seen", "secondary", "recalled")
# Class keys the engine knows how to test a variant against (interpret/oncogenicity.py, _in_class).
CLASS_KEYS = ("class:exon20_inframe_insertion", "class:exon20_inframe_deletion")
_VARIANT_RE = re.compile(r"^(p\.[A-Z*]\d+\S*|class:[a-z0-9_]+)$")


@valueclass(frozen=True)
class Fact:
    variant: str
    evidence: str
    effect: str
    detail: str
    residue_tumours: Optional[int]
    allele_tumours: Optional[int]
    population_af: Optional[float]
    population_af_source: str
    source: str
    pmid: str
    locator: str
    checked: str
    grade: str
    rsid: str = ""
    hgvs_c: str = ""
    note: str = ""

    @property
    def seen(self) -> bool:
        return self.grade == "seen"

    def cite(self) -> str:
        """Short citation for a criterion's reason: the source's first clause and PMID (the locator stays in the
        table)."""
        first = re.sub(r"\s*\([^()]*\)$", "", self.source.split(";")[0].strip())
        parts = [first]
        if self.pmid and self.pmid != "-":
            parts.append(f"PMID {self.pmid}")
        text = ", ".join(parts)
        return text if self.seen else f"{text}; grade {self.grade}"


@valueclass(frozen=True)
class KnowledgeTable:
    path: str
    sha256: str
    facts: tuple[Fact, ...]
    built: str = ""  # the '# built ...' comment, when present
    index: dict = field(default_factory=dict, compare=False, repr=False)  # variant -> its facts

    def __post_init__(self) -> None:
        for fact in self.facts:
            self.index.setdefault(fact.variant, []).append(fact)

    def rows_for(self, variant: str) -> list[Fact]:
        return list(self.index.get(variant, ()))

    def merged(self, other: "KnowledgeTable") -> "KnowledgeTable":
        return KnowledgeTable(path=self.path, sha256=self.sha256, facts=self.facts + other.facts, built=self.built)


def file_sha256(path: str) -> str:
    """SHA-256 of a knowledge file (a few MB at most: read whole)."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _count(text: str, name: str, where: str, number: int) -> Optional[int]:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise MalformedInputError(f"knowledge table: {name} {text!r} is not a whole number", where, number)
    return int(text)


def _af(text: str, where: str, number: int) -> Optional[float]:
    text = text.strip()
    if not text:
        return None
    low = text.split("-")[0] if re.fullmatch(r"[0-9.eE+-]+-[0-9.]+", text) else text  # a range: its lowest
    try:
        value = float(low)
    except ValueError:
        raise MalformedInputError(f"knowledge table: population_af {text!r} is not a number", where, number) from None
    if not 0 <= value <= 1:
        raise MalformedInputError(f"knowledge table: population_af {text!r} is not in [0, 1]", where, number)
    return value


def read_knowledge(path: str) -> KnowledgeTable:
    """Read and check a knowledge table; MalformedInputError (exit 4) names the file and line of a bad row."""
    where = os.fspath(path)
    try:
        handle = open(where, encoding="utf-8")
    except FileNotFoundError:
        raise InputMissingError("knowledge table not found", where) from None
    except OSError as exc:
        raise MalformedInputError(f"cannot read knowledge table: {exc.strerror}", where) from None
    header: Optional[list[str]] = None
    built = ""
    facts: list[Fact] = []
    with handle:
        try:
            lines = list(handle)
        except UnicodeDecodeError:
            raise MalformedInputError("knowledge table is not UTF-8 text", where) from None
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if text.startswith("#"):
            if not built and "built" in text:
                built = text.lstrip("# ").strip()
            continue
        if not text.strip():
            continue
        fields = text.split("\t")
        if header is None:
            header = [f.strip() for f in fields]
            missing = [c for c in _REQUIRED if c not in header]
            if missing:
                raise MalformedInputError(f"knowledge table header lacks column(s): {', '.join(missing)}",
                                          where, number)
            continue
        if len(fields) != len(header):
            raise MalformedInputError(f"expected {len(header)} tab-separated fields, found {len(fields)}",
                                      where, number)
        row = dict(zip(header, (f.strip() for f in fields)))
        facts.append(_fact(row, where, number))
    if header is None:
        raise MalformedInputError("knowledge table has no header row", where)
    return KnowledgeTable(path=where, sha256=file_sha256(where), facts=tuple(facts), built=built)


def _fact(row: dict[str, str], where: str, number: int) -> Fact:
    variant, kind, effect, grade = row["variant"], row["evidence"], row["effect"], row["grade"]
    if not _VARIANT_RE.match(variant):
        raise MalformedInputError(f"knowledge table: variant {variant!r} is not p.<change> or class:<key>",
                                  where, number)
    if variant.startswith("class:") and variant not in CLASS_KEYS:
        raise MalformedInputError(f"knowledge table: unknown class key {variant!r} (known: {', '.join(CLASS_KEYS)})",
                                  where, number)
    if kind not in EFFECTS:
        raise MalformedInputError(f"knowledge table: evidence {kind!r} not one of {', '.join(EVIDENCE_KINDS)}",
                                  where, number)
    if effect not in EFFECTS[kind]:
        raise MalformedInputError(f"knowledge table: effect {effect!r} not one of {', '.join(EFFECTS[kind])} "
                                  f"for {kind} evidence", where, number)
    if grade not in GRADES:
        raise MalformedInputError(f"knowledge table: grade {grade!r} not one of {', '.join(GRADES)}", where, number)
    if not row.get("source"):
        raise MalformedInputError("knowledge table: a row without a source", where, number)
    return Fact(
        variant=variant, evidence=kind, effect=effect, detail=row.get("detail", ""),
        residue_tumours=_count(row.get("residue_tumours", ""), "residue_tumours", where, number),
        allele_tumours=_count(row.get("allele_tumours", ""), "allele_tumours", where, number),
        population_af=_af(row.get("population_af", ""), where, number),
        population_af_source=row.get("population_af_source", ""), source=row["source"], pmid=row.get("pmid", ""),
        locator=row.get("locator", ""), checked=row.get("checked", ""), grade=grade, rsid=row.get("rsid", ""),
        hgvs_c=row.get("hgvs_c", ""), note=row.get("note", ""),
    )


@lru_cache(maxsize=4)
def _load(path: Optional[str]) -> KnowledgeTable:
    if path is None:
        from her2cli.reference.datafiles import resource_file

        table = read_knowledge(str(resource_file("oncogenicity.tsv")))
        return KnowledgeTable(path="resources/oncogenicity.tsv", sha256=table.sha256, facts=table.facts,
                              built=table.built)
    return read_knowledge(path)


def load_knowledge(path: Optional[str | os.PathLike] = None) -> KnowledgeTable:
    """The bundled knowledge table (cached), or one read from ``path``."""
    return _load(None if path is None else os.fspath(path))
