"""Curated therapy evidence for ERBB2 alterations in NSCLC (issue #4).

The table lives in ``resources/evidence.tsv`` (versioned, dated, one line per alteration class x
therapy x setting). Every line states *which* alterations it applies to in its ``eligibility``
column, so e.g. "TKIs only for kinase-domain mutations" is data, not code.

Matching keeps the three HER2 mechanisms apart: mutation rows match mutation lines by subgroup,
copy-number rows match amplification lines, and IHC (a protein test, never inferred from DNA)
matches ``ihc_3+`` lines only when the caller supplies it.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from her2cli.errors import MalformedInputError
from her2cli.interpret.oncogenicity import KINASE_DOMAIN, therapy_eligible
from her2cli.reference.datafiles import resource_file
from her2cli.values import valueclass
from her2cli.variants.annotator import SUBGROUPS

EVIDENCE_RESOURCE = "evidence.tsv"

# Column order of the table, also the column order of `her2 evidence`.
EVIDENCE_TABLE_COLUMNS = [
    "id", "alteration_class", "eligibility", "therapy", "setting", "evidence", "level", "amp_level", "status",
    "date", "source", "source_date", "notes",
]

STATUSES = ("approved", "off-label", "investigational", "negative", "not standard")

# Non-mutation eligibility tokens.
AMPLIFICATION = "amplification"
# Label-scope tokens for (likely) oncogenic somatic mutations: any activating mutation (T-DXd's "activating HER2
# (ERBB2) mutations"), one wholly inside the tyrosine kinase domain (the TKIs' "TKD activating mutations"; residues
# 720-987, UniProt P04626), or one outside it.
ACTIVATING = "activating_mutation"
TKD_ACTIVATING = "tkd_activating_mutation"
NON_TKD_ACTIVATING = "non_tkd_activating_mutation"
SCOPE_TOKENS = (ACTIVATING, TKD_ACTIVATING, NON_TKD_ACTIVATING)
IHC_3PLUS = "ihc_3+"
MISSENSE_QUALIFIER = "+missense"

# SO terms that change the protein. Synonymous, intronic, UTR, upstream/downstream and
# non-coding terms are deliberately absent: such variants never make a sample "mutated".
PROTEIN_ALTERING = frozenset({
    "missense_variant", "inframe_insertion", "inframe_deletion", "protein_altering_variant",
    "frameshift_variant", "stop_gained", "stop_lost", "start_lost", "splice_acceptor_variant",
    "splice_donor_variant", "initiator_codon_variant", "incomplete_terminal_codon_variant",
})

# FILTER values meaning "passed" ('.' = no filtering applied; None = caller gave no FILTER).
PASSING_FILTERS = frozenset({"PASS", "."})
NOT_CALLED = "not_called"  # MutationCall.flags: the tumour's genotype leaves this ALT out

IHC_SCORES = ("0", "1+", "2+", "3+")

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@valueclass(frozen=True)
class EvidenceLine:
    id: str
    alteration_class: str
    eligibility: tuple[str, ...]
    therapy: str
    setting: str
    evidence: str
    level: str
    status: str
    date: str
    source: str
    source_date: str
    notes: str
    amp_level: str = ""  # AMP/ASCO/CAP 2017 level A-D (interpret/tier.py); blank for a negative line

    def applies_to_mutation(self, subgroup: str, consequence: str, span: tuple[int, int] | None = None) -> bool:
        """True if this line's eligibility covers a (passing, protein-altering, driver) variant whose protein
        change spans residues ``span``."""
        terms = set(_terms(consequence))
        for token in self.eligibility:
            if token == subgroup or token == ACTIVATING:
                return True
            if token in (TKD_ACTIVATING, NON_TKD_ACTIVATING) and span is not None:
                inside = KINASE_DOMAIN[0] <= span[0] and span[1] <= KINASE_DOMAIN[1]
                if inside == (token == TKD_ACTIVATING):
                    return True
            if token == subgroup + MISSENSE_QUALIFIER and "missense_variant" in terms:
                return True
        return False

    def as_row(self) -> dict[str, str]:
        row = {name: getattr(self, name) for name in EVIDENCE_TABLE_COLUMNS}
        row["eligibility"] = ",".join(self.eligibility)
        return row


@valueclass(frozen=True)
class EvidenceTable:
    version: str
    date: str
    lines: tuple[EvidenceLine, ...]
    path: str = ""

    def by_id(self, line_id: str) -> EvidenceLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)


def _valid_tokens() -> set[str]:
    tokens = {AMPLIFICATION, IHC_3PLUS, *SCOPE_TOKENS}
    for subgroup in SUBGROUPS:
        tokens.add(subgroup)
        tokens.add(subgroup + MISSENSE_QUALIFIER)
    return tokens


def _parse(path: str) -> EvidenceTable:
    meta: dict[str, str] = {}
    header: list[str] | None = None
    lines: list[EvidenceLine] = []
    seen: set[str] = set()
    valid_tokens = _valid_tokens()
    where = str(path)
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise MalformedInputError(f"cannot read evidence table: {exc.strerror}", where) from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.rstrip("\n")
            if text.startswith("#"):
                # '# key: value' header comments carry the table's version and date.
                key, sep, value = text[1:].partition(":")
                if sep and key.strip() in ("version", "date") and key.strip() not in meta:
                    meta[key.strip()] = value.strip()
                continue
            if not text.strip():
                continue
            fields = text.split("\t")
            if header is None:
                missing = [c for c in EVIDENCE_TABLE_COLUMNS if c not in fields]
                if missing:
                    raise MalformedInputError(
                        f"evidence table header lacks column(s): {', '.join(missing)}", where, number)
                header = fields
                continue
            if len(fields) != len(header):
                raise MalformedInputError(
                    f"expected {len(header)} tab-separated fields, found {len(fields)}", where, number)
            row = dict(zip(header, fields))
            line_id = row["id"].strip()
            if not line_id or line_id in seen:
                raise MalformedInputError(f"missing or duplicate evidence id {line_id!r}", where, number)
            seen.add(line_id)
            tokens = tuple(t.strip() for t in row["eligibility"].split(",") if t.strip())
            bad = [t for t in tokens if t not in valid_tokens]
            if not tokens or bad:
                raise MalformedInputError(
                    f"evidence line {line_id}: unknown eligibility token(s) {bad or tokens!r}", where, number)
            if row["status"] not in STATUSES:
                raise MalformedInputError(
                    f"evidence line {line_id}: status {row['status']!r} not one of {', '.join(STATUSES)}",
                    where, number)
            for col in ("date", "source_date"):
                if not _DATE_RE.match(row[col]):
                    raise MalformedInputError(
                        f"evidence line {line_id}: {col} {row[col]!r} is not YYYY[-MM[-DD]]", where, number)
            if row["amp_level"] not in ("", "A", "B", "C", "D"):
                raise MalformedInputError(
                    f"evidence line {line_id}: amp_level {row['amp_level']!r} not one of A, B, C, D or blank",
                    where, number)
            if not row["source"].strip():
                raise MalformedInputError(f"evidence line {line_id}: no source", where, number)
            lines.append(EvidenceLine(
                id=line_id, alteration_class=row["alteration_class"], eligibility=tokens,
                therapy=row["therapy"], setting=row["setting"], evidence=row["evidence"],
                level=row["level"], status=row["status"], date=row["date"], source=row["source"],
                source_date=row["source_date"], notes=row["notes"], amp_level=row["amp_level"],
            ))
    if header is None:
        raise MalformedInputError("evidence table has no header row", where)
    for key in ("version", "date"):
        if key not in meta:
            raise MalformedInputError(f"evidence table lacks a '# {key}:' header line", where)
    return EvidenceTable(version=meta["version"], date=meta["date"], lines=tuple(lines), path=where)


@lru_cache(maxsize=None)
def _load_bundled() -> EvidenceTable:
    return _parse(resource_file(EVIDENCE_RESOURCE))


def load_evidence(path: str | os.PathLike | None = None) -> EvidenceTable:
    """The bundled evidence table (cached; lines are frozen), or one read from ``path``."""
    if path is None:
        return _load_bundled()
    return _parse(os.fspath(path))


def evidence_rows(table: EvidenceTable | None = None) -> list[dict[str, str]]:
    """Rows for `her2 evidence`: one dict per line, keys = EVIDENCE_TABLE_COLUMNS."""
    table = table or load_evidence()
    return [line.as_row() for line in table.lines]


def _terms(consequence: object) -> list[str]:
    if consequence is None:
        return []
    return [t.strip() for t in str(consequence).split("&") if t.strip()]


def is_protein_altering(consequence: object) -> bool:
    return any(t in PROTEIN_ALTERING for t in _terms(consequence))


def is_reportable_mutation(call) -> bool:
    """A variant that counts: PASS/'.' filter, called in the tumour (not flagged ``not_called``), non-zero VAF,
    protein-altering consequence.

    A call without FILTER (None/'') is treated as unfiltered; a call without VAF is kept
    (some callers do not report it), but an explicit VAF of 0 is not a detected variant.
    """
    if call.kind != "mutation":
        return False
    if call.filter not in (None, "") and call.filter not in PASSING_FILTERS:
        return False
    if NOT_CALLED in (getattr(call, "flags", None) or ()):
        return False  # the caller's genotype leaves the ALT out (kept by --all-records): not a detected variant
    if call.vaf is not None and call.vaf <= 0:
        return False
    return is_protein_altering(call.consequence)


def match_call(call, table: EvidenceTable | None = None) -> list[EvidenceLine]:
    """Evidence lines that apply to one call (MutationCall or CopyNumberCall), in table order."""
    table = table or load_evidence()
    if call.kind == "mutation":
        # A therapy line only for a variant shown to be a (likely) oncogenic driver that is not germline.
        if not is_reportable_mutation(call) or not therapy_eligible(call.oncogenicity, call.origin):
            return []
        span = _span(getattr(call, "protein_position", None))
        return [ln for ln in table.lines
                if ln.applies_to_mutation(call.subgroup or "other", call.consequence or "", span)]
    # Only the amplification state counts; a gain (e.g. arm-level) is not amplification.
    if call.cn_status != "amplification":
        return []
    return [ln for ln in table.lines if AMPLIFICATION in ln.eligibility]


def _span(position: object) -> tuple[int, int] | None:
    start, _, end = str(position or "").partition("-")
    try:
        return int(start), int(end or start)
    except ValueError:
        return None


def normalize_ihc(ihc: str | None) -> str | None:
    """'3+', 'IHC 3+', ' 2+ ' -> canonical '0'/'1+'/'2+'/'3+'; None stays None; else ValueError."""
    if ihc is None:
        return None
    text = str(ihc).strip().upper().replace(" ", "")
    if text.startswith("IHC"):
        text = text[3:]
    if text in IHC_SCORES:
        return text
    raise ValueError(f"invalid HER2 IHC score {ihc!r}: expected one of 0, 1+, 2+, 3+")


def match_ihc(ihc: str | None, table: EvidenceTable | None = None) -> list[EvidenceLine]:
    """Evidence lines for an IHC score (only 3+ has lines); raises ValueError for a bad score."""
    table = table or load_evidence()
    score = normalize_ihc(ihc)
    if score != "3+":
        return []
    return [ln for ln in table.lines if IHC_3PLUS in ln.eligibility]


def unique_lines(lines: list[EvidenceLine], table: EvidenceTable | None = None) -> list[EvidenceLine]:
    """De-duplicate by id; keep table order when a table is given, else first-seen order."""
    seen: dict[str, EvidenceLine] = {}
    for line in lines:
        seen.setdefault(line.id, line)
    if table is None:
        return list(seen.values())
    return [ln for ln in table.lines if ln.id in seen]


def _describe(line: EvidenceLine) -> str:
    if line.evidence == "OncoKB" and line.level:
        # The OncoKB level *is* the evidence here; say it once.
        return ", ".join(p for p in (f"OncoKB level {line.level} {line.date}", line.status, line.setting) if p)
    parts = [f"{line.evidence} {line.date}", line.status, line.setting]
    if line.level:
        parts.append(f"OncoKB {line.level}")
    return ", ".join(p for p in parts if p)


def format_evidence(lines: list[EvidenceLine]) -> str:
    """One TSV cell, grouped by therapy in first-seen order, e.g.
    "T-DXd (FDA 2022-08-11, approved, 2L+, OncoKB 1); zongertinib (FDA 2025-08-08, approved, 2L+, OncoKB 1)".
    Empty string when nothing matched."""
    groups: dict[str, list[str]] = {}
    done: set[str] = set()
    for line in lines:
        if line.id in done:
            continue
        done.add(line.id)
        groups.setdefault(line.therapy, []).append(_describe(line))
    return "; ".join(f"{therapy} ({' / '.join(items)})" for therapy, items in groups.items())
