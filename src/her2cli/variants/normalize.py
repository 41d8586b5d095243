"""Indel normalisation in genome space: trim, left-align (as ``bcftools norm``) and 3'-shift (HGVS).

An ``Edit`` is the minimal description of one ALT: genome bases ``start..end`` (1-based, closed) are
replaced by ``alt``. A pure insertion has ``end == start - 1`` (it sits between ``start - 1`` and
``start``); a pure deletion has ``alt == ""``.

``normalise`` does the whole of it for one ALT in one call, reading bases from the sequence provider it is
given (``reference.sequence``), with the bases the record states itself (its REF) filling the provider's
gaps (``OverlaySequence``).
"""

from __future__ import annotations

from her2cli.reference.sequence import GenomeSequence
from her2cli.values import valueclass


@valueclass(frozen=True)
class Edit:
    start: int
    end: int
    ref: str
    alt: str

    @property
    def is_insertion(self) -> bool:
        return not self.ref and bool(self.alt)

    @property
    def is_deletion(self) -> bool:
        return bool(self.ref) and not self.alt

    @property
    def is_substitution(self) -> bool:
        return len(self.ref) == 1 and len(self.alt) == 1

    @property
    def is_indel(self) -> bool:
        return self.is_insertion or self.is_deletion


@valueclass(frozen=True)
class Shifted:
    edit: Edit
    limited: bool  # True when the shift stopped at a base we do not know (not at a real end)


@valueclass(frozen=True)
class Normalised:
    """One ALT normalised (``normalise``)."""

    vcf: tuple[int, str, str]  # left-aligned, trimmed VCF POS/REF/ALT (anchor base for indels)
    named: Edit  # 3'-shifted (HGVS): the edit the name describes
    kind: str  # "substitution", "insertion", "deletion" or "delins"
    limited: bool  # an indel whose shift (left or right) stopped at a base we do not know
    dup: tuple[int, int] | None  # the span an insertion duplicates (HGVS dup), if it does
    ref_mismatch: bool  # the provider knows a REF base and it differs


class OverlaySequence:
    """A provider plus the bases a record states itself (its REF), which fill the provider's gaps."""

    def __init__(self, inner: GenomeSequence, pos: int, ref: str):
        self.genome = inner.genome
        self._inner = inner
        self._pos = pos
        self._ref = ref.upper()

    def base(self, pos: int) -> str | None:
        known = self._inner.base(pos)
        if known is not None:
            return known
        i = pos - self._pos
        if 0 <= i < len(self._ref):
            return self._ref[i]
        return None


def normalise(pos: int, ref: str, alt: str, sequence: GenomeSequence) -> Normalised | None:
    """Trim, left-align (VCF form) and 3'-shift (HGVS form) one ALT against ``sequence``; None when REF and
    ALT describe no change."""
    ref, alt = ref.upper(), alt.upper()
    if ref == alt:
        return None
    ref_mismatch = False
    for i, base in enumerate(ref):
        known = sequence.base(pos + i)
        if known is not None and known != base:
            ref_mismatch = True
            break
    seq = OverlaySequence(sequence, pos, ref)
    edit = trim(pos, ref, alt)
    left = left_align(edit, seq)
    right = right_shift(left.edit, seq)
    named = right.edit
    if named.is_insertion:
        kind = "insertion"
    elif named.is_deletion:
        kind = "deletion"
    else:
        kind = "substitution" if named.is_substitution else "delins"
    return Normalised(
        vcf=to_vcf(left.edit, seq), named=named, kind=kind,
        limited=edit.is_indel and (left.limited or right.limited),
        dup=duplicated_span(named, seq) if kind == "insertion" else None, ref_mismatch=ref_mismatch,
    )


def trim(pos: int, ref: str, alt: str) -> Edit:
    """Drop the bases REF and ALT share, right end first (as vt/bcftools do), then the left end."""
    ref, alt = ref.upper(), alt.upper()
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    start = pos
    while ref and alt and ref[0] == alt[0]:
        ref, alt = ref[1:], alt[1:]
        start += 1
    return Edit(start, start + len(ref) - 1, ref, alt)


def left_align(edit: Edit, seq: GenomeSequence) -> Shifted:
    if edit.is_deletion:
        start, end = edit.start, edit.end
        while True:
            before, last = seq.base(start - 1), seq.base(end)
            if before is None or last is None:
                return Shifted(_deletion(start, end, seq, edit), True)
            if before != last:
                return Shifted(_deletion(start, end, seq, edit), False)
            start, end = start - 1, end - 1
    if edit.is_insertion:
        start, inserted = edit.start, edit.alt
        while True:
            before = seq.base(start - 1)
            if before is None:
                return Shifted(Edit(start, start - 1, "", inserted), True)
            if before != inserted[-1]:
                return Shifted(Edit(start, start - 1, "", inserted), False)
            inserted = inserted[-1] + inserted[:-1]
            start -= 1
    return Shifted(edit, False)


def right_shift(edit: Edit, seq: GenomeSequence) -> Shifted:
    """HGVS 3' rule: move an indel as far 3' (right, ERBB2 being on +) as the sequence allows."""
    if edit.is_deletion:
        start, end = edit.start, edit.end
        while True:
            after, first = seq.base(end + 1), seq.base(start)
            if after is None or first is None:
                return Shifted(_deletion(start, end, seq, edit), True)
            if after != first:
                return Shifted(_deletion(start, end, seq, edit), False)
            start, end = start + 1, end + 1
    if edit.is_insertion:
        start, inserted = edit.start, edit.alt
        while True:
            after = seq.base(start)
            if after is None:
                return Shifted(Edit(start, start - 1, "", inserted), True)
            if after != inserted[0]:
                return Shifted(Edit(start, start - 1, "", inserted), False)
            inserted = inserted[1:] + inserted[0]
            start += 1
    return Shifted(edit, False)


def _deletion(start: int, end: int, seq: GenomeSequence, original: Edit) -> Edit:
    if (start, end) == (original.start, original.end):
        return original
    bases = "".join(seq.base(p) or "N" for p in range(start, end + 1))
    return Edit(start, end, bases, "")


def duplicated_span(edit: Edit, seq: GenomeSequence) -> tuple[int, int] | None:
    """For a (3'-shifted) insertion, the genome span it duplicates, if the bases before it equal it."""
    if not edit.is_insertion:
        return None
    k = len(edit.alt)
    first = edit.start - k
    before = "".join(seq.base(p) or "?" for p in range(first, edit.start))
    if before == edit.alt:
        return first, edit.start - 1
    return None


def to_vcf(edit: Edit, seq: GenomeSequence) -> tuple[int, str, str]:
    """VCF POS/REF/ALT of an edit, with the anchor base VCF needs for indels (left, else right)."""
    if edit.ref and edit.alt:
        return edit.start, edit.ref, edit.alt
    anchor = seq.base(edit.start - 1)
    if anchor is not None:
        return edit.start - 1, anchor + edit.ref, anchor + edit.alt
    after = seq.base(edit.end + 1)
    if after is None:  # cannot happen for an edit from a record that stated its own REF
        return edit.start, edit.ref or "N", edit.alt or "N"
    return edit.start, edit.ref + after, edit.alt + after
