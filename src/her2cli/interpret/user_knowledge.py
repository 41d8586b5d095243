"""Curated knowledge the user already has (``--knowledge FILE``): the kind is read from the header.

* OncoKB ``allAnnotatedVariants.txt`` (the user's own licensed download; columns ``Hugo Symbol`` or ``Gene``,
  ``Alteration`` and/or ``Protein Change``, ``Oncogenicity``, as written by oncokb-annotator's ``/utils``
  export): the ERBB2 row naming our protein change gives the class, which overrides the rule-based one.
* CIViC variant summaries (``VariantSummaries.tsv``, CC0; columns ``variant_id``, ``gene``, ``variant``,
  ``civic_variant_evidence_score``...): a summary carries no oncogenicity class, so a matched row is named in
  ``oncogenicity_source`` and the rule-based class stands.
* her2cli's own knowledge table format (docs/oncogenicity.md): its rows join the bundled evidence and the SOP
  scores them (only ``seen`` rows add points).

Nothing here is bundled: the file stays the user's, and its SHA-256 goes into every row it touched.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Optional

from her2cli.errors import MalformedInputError
from her2cli.values import valueclass

__all__ = ["UserKnowledge", "read_user_knowledge", "load_user_knowledge", "ONCOKB_CLASSES"]

GENE = "ERBB2"
# OncoKB's oncogenicity values -> ours (None: not an oncogenicity class; the rule-based class stands).
ONCOKB_CLASSES = {
    "oncogenic": "oncogenic",
    "likely oncogenic": "likely_oncogenic",
    "predicted oncogenic": "likely_oncogenic",
    "likely neutral": "likely_benign",
    "inconclusive": "vus",
    "unknown": "vus",
    "resistance": None,
}
ONCOKB = "OncoKB allAnnotatedVariants"
CIVIC = "CIViC variant summaries"
OWN = "her2cli knowledge table"


@valueclass(frozen=True)
class UserKnowledge:
    path: str
    sha256: str
    kind: str  # ONCOKB, CIVIC or OWN
    entries: dict  # "p.L755S" -> (class or None, text)
    table: object = None  # a KnowledgeTable for our own format

    def describe(self) -> str:
        return f"{self.kind} {os.path.basename(self.path)} (SHA-256 {self.sha256})"

    def lookup(self, protein: str) -> Optional[tuple[Optional[str], str]]:
        return self.entries.get(protein)


def _read_lines(path: str) -> list[str]:
    """The file's lines, through the one bounded reader (io/lines): a NUL byte, a line over the limit, text
    that is not UTF-8 or endless input such as /dev/zero is one error naming the file and line."""
    from her2cli.io.lines import lines

    return [text for _, text in lines(path, "knowledge file")]


def _protein(name: str) -> str:
    name = name.strip()
    return name if name.startswith("p.") else f"p.{name}"


def read_user_knowledge(path: str | os.PathLike) -> UserKnowledge:
    """Read an OncoKB, CIViC or her2cli knowledge file; MalformedInputError (exit 4) for anything else."""
    from her2cli.interpret.knowledge import file_sha256, read_knowledge

    where = os.fspath(path)
    lines = _read_lines(where)
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.startswith("#")]
    if not numbered:
        raise MalformedInputError("knowledge file is empty", where)
    header_line, header_text = numbered[0]
    header = [h.strip() for h in header_text.split("\t")]
    sha = file_sha256(where)
    if {"variant", "evidence", "effect", "grade"} <= set(header):
        table = read_knowledge(where)
        return UserKnowledge(path=where, sha256=sha, kind=OWN, entries={}, table=table)
    if "Oncogenicity" in header and ({"Alteration", "Protein Change"} & set(header)) and (
            {"Hugo Symbol", "Gene"} & set(header)):
        return UserKnowledge(path=where, sha256=sha, kind=ONCOKB, entries=_oncokb(header, numbered[1:], where))
    if {"variant_id", "gene", "variant"} <= set(header):
        return UserKnowledge(path=where, sha256=sha, kind=CIVIC, entries=_civic(header, numbered[1:], where))
    raise MalformedInputError(
        "not a knowledge file this tool reads: expected OncoKB allAnnotatedVariants.txt (Hugo Symbol, Alteration, "
        "Oncogenicity), CIViC VariantSummaries.tsv (variant_id, gene, variant) or a her2cli knowledge table "
        "(variant, evidence, effect, grade)", where, header_line)


def _rows(header: list[str], rows: list[tuple[int, str]], where: str):
    for number, text in rows:
        fields = text.split("\t")
        if len(fields) < len(header):
            fields += [""] * (len(header) - len(fields))  # trailing empty cells (e.g. no abstracts)
        if len(fields) != len(header):
            raise MalformedInputError(f"expected {len(header)} tab-separated fields, found {len(fields)}",
                                      where, number)
        yield number, dict(zip(header, (f.strip() for f in fields)))


def _oncokb(header: list[str], rows: list[tuple[int, str]], where: str) -> dict:
    gene_column = "Hugo Symbol" if "Hugo Symbol" in header else "Gene"
    entries: dict = {}
    for number, row in _rows(header, rows, where):
        if row[gene_column] != GENE:
            continue
        value = row["Oncogenicity"]
        if value.lower() not in ONCOKB_CLASSES:
            raise MalformedInputError(f"Oncogenicity {value!r} is not an OncoKB class ("
                                      f"{', '.join(k.title() for k in ONCOKB_CLASSES)})", where, number)
        label = ONCOKB_CLASSES[value.lower()]
        names = {row.get("Alteration", ""), row.get("Protein Change", "")} - {""}
        effect = row.get("Mutation Effect", "")
        text = f"{value}" + (f", {effect}" if effect else "") + f" (line {number})"
        if label is None:
            text += ": not an oncogenicity class"
        for name in names:
            entries.setdefault(_protein(name), (label, text))
    return entries


def _civic(header: list[str], rows: list[tuple[int, str]], where: str) -> dict:
    entries: dict = {}
    for number, row in _rows(header, rows, where):
        if row["gene"] != GENE or not row["variant"]:
            continue
        score = row.get("civic_variant_evidence_score", "")
        text = (f"CIViC variant {row['variant_id']} {row['variant']}" + (f", evidence score {score}" if score else "")
                + f" (line {number}); a variant summary carries no oncogenicity class")
        for name in [row["variant"], *[a.strip() for a in row.get("variant_aliases", "").split(",")]]:
            if name and name[0].isalpha() and name[1:2].isdigit():
                entries.setdefault(_protein(name), (None, text))
    return entries


@lru_cache(maxsize=4)
def _load(path: str) -> UserKnowledge:
    return read_user_knowledge(path)


def load_user_knowledge(path: Optional[str | os.PathLike]) -> Optional[UserKnowledge]:
    """The user's knowledge file (read once per path), or None when none was given."""
    return None if path is None else _load(os.fspath(path))


def publisher_note(call, ours: str) -> Optional[str]:
    """The OncoKB annotator's MAF columns (ONCOGENIC, MUTATION_EFFECT, HIGHEST_LEVEL) beside our class: shown,
    never silently settled (read with getattr: older typed calls lack the fields)."""
    view = publisher_view(call, ours)
    return f"publisher (MAF {view[0]}): {view[1]}" if view else None


def publisher_view(call, ours: str) -> Optional[tuple[str, str]]:
    """(what the MAF's OncoKB columns state, how it compares with ``ours``: 'agrees with ours', 'differs from ours
    (...)' or 'not an oncogenicity class'); None when the file states no class."""
    oncogenic = getattr(call, "publisher_oncogenic", None)
    if not oncogenic:
        return None
    parts = [f"ONCOGENIC {oncogenic}"]
    for name, label in (("publisher_mutation_effect", "MUTATION_EFFECT"), ("publisher_highest_level", "HIGHEST_LEVEL")):
        value = getattr(call, name, None)
        if value:
            parts.append(f"{label} {value}")
    theirs = ONCOKB_CLASSES.get(str(oncogenic).strip().lower(), "unrecognised")
    if theirs == ours:
        verdict = "agrees with ours"
    elif theirs is None:
        verdict = "not an oncogenicity class"
    else:
        verdict = f"differs from ours ({ours})"
    return ", ".join(parts), verdict
