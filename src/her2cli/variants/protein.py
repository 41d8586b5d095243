"""Protein consequence of an mRNA change and its HGVS p. name (three- and one-letter).

The change is applied to the whole transcript sequence and the mutant is translated, then compared
with the reference protein. Names therefore follow from the sequences alone: whichever way a caller
wrote an indel, the same mutant protein gets the same name. Protein-level 3' rule: the common prefix is
trimmed first, so an insertion or deletion in a repeat lands on its most C-terminal position.
"""

from __future__ import annotations

from her2cli.values import valueclass

AA3 = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly",
    "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser",
    "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Xaa",
}

_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON_TABLE = {
    a + b + c: _AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}


def translate(cds: str, to_stop: bool = True) -> str:
    """Translate from the first base; stop after the first stop codon (included as '*')."""
    out = []
    for i in range(0, len(cds) - 2, 3):
        aa = CODON_TABLE.get(cds[i : i + 3], "X")
        out.append(aa)
        if to_stop and aa == "*":
            break
    return "".join(out)


@valueclass(frozen=True)
class ProteinChange:
    consequences: tuple[str, ...]
    hgvs_p: str | None = None  # three-letter, e.g. p.Tyr772_Ala775dup
    hgvs_p_short: str | None = None  # one-letter, e.g. p.Y772_A775dup
    start: int | None = None  # first residue affected (1-based)
    end: int | None = None
    legacy_name: str | None = None  # literature alias, e.g. A775_G776insYVMA
    kind: str = ""  # missense, synonymous, insertion, duplication, deletion, delins, frameshift, ...
    length_change: int = 0  # residues gained (+) or lost (-) by an in-frame change


def _aa(seq: str, i: int, short: bool) -> str:
    return seq[i] if short else AA3.get(seq[i], "Xaa")


def _res(seq: str, i: int, short: bool) -> str:
    """Residue at 0-based index i as 'Tyr772' (or 'Y772')."""
    return f"{_aa(seq, i, short)}{i + 1}"


def _span(seq: str, first: int, last: int, short: bool) -> str:
    if first == last:
        return _res(seq, first, short)
    return f"{_res(seq, first, short)}_{_res(seq, last, short)}"


def _peptide(aas: str, short: bool) -> str:
    return aas if short else "".join(AA3.get(a, "Xaa") for a in aas)


def _both(make) -> tuple[str, str]:
    return "p." + make(False), "p." + make(True)


def coding_change(mrna: str, protein: str, utr5: int, n_start: int, n_end: int, alt: str) -> ProteinChange:
    change = _coding_change(mrna, protein, utr5, n_start, n_end, alt)
    delta = len(alt) - (n_end - n_start + 1)
    if delta % 3 == 0 and change.kind not in ("frameshift",):
        from dataclasses import replace

        change = replace(change, length_change=delta // 3)
    return change


def _coding_change(mrna: str, protein: str, utr5: int, n_start: int, n_end: int, alt: str) -> ProteinChange:
    """Effect of replacing mRNA ``n_start..n_end`` (1-based; ``n_end = n_start - 1`` for an insertion
    between ``n_start - 1`` and ``n_start``) with ``alt``. The change must overlap the CDS."""
    ref_protein = protein + "*"
    mutant = mrna[: n_start - 1] + alt + mrna[n_end:]
    delta = len(alt) - (n_end - n_start + 1)
    cds_first = utr5 + 1  # n. of c.1
    # Residues covered by the change (for an insertion, the residue of the base before it).
    c_first = max(1, n_start - utr5) if n_end >= n_start else max(1, n_start - 1 - utr5)
    c_last = max(c_first, (n_end if n_end >= n_start else n_start - 1) - utr5)
    first_res = (c_first - 1) // 3
    last_res = min((c_last - 1) // 3, len(ref_protein) - 1)

    # Start codon: any change to c.1-c.3 (or an insertion inside it) loses the annotated start.
    if n_end >= n_start:
        touches_start = n_start <= cds_first + 2 and n_end >= cds_first
    else:  # insertion strictly inside the start codon
        touches_start = cds_first < n_start <= cds_first + 2
    if touches_start and (delta != 0 or mutant[utr5 : utr5 + 3] != "ATG"):
        p3, p1 = "p.Met1?", "p.M1?"
        return ProteinChange(("start_lost",), p3, p1, 1, 1, kind="start_lost")

    alt_protein = _mutant_protein(mutant, ref_protein, utr5, first_res, last_res, delta)
    has_stop = alt_protein.endswith("*")

    # First differing residue.
    limit = min(len(ref_protein), len(alt_protein))
    a = _common_prefix_length(ref_protein, alt_protein, limit)

    if delta % 3 != 0:
        return _frameshift(ref_protein, alt_protein, a, has_stop)

    if a == limit and len(ref_protein) == len(alt_protein):
        # Same protein: synonymous (or the stop codon kept).
        i = first_res
        if ref_protein[i] == "*":
            return ProteinChange(("stop_retained_variant",), "p.Ter%d=" % (i + 1), "p.*%d=" % (i + 1), i + 1, i + 1,
                                 kind="stop_retained")
        p3, p1 = _both(lambda s: _res(ref_protein, i, s) + "=")
        return ProteinChange(("synonymous_variant",), p3, p1, i + 1, i + 1, kind="synonymous")

    size_term = _inframe_term(mrna, mutant, utr5, n_start, n_end, delta)

    if a < len(ref_protein) and ref_protein[a] == "*":
        return _extension(ref_protein, alt_protein, a, has_stop)

    if a < len(alt_protein) and alt_protein[a] == "*":
        p3, p1 = _both(lambda s: _res(ref_protein, a, s) + ("*" if s else "Ter"))
        return ProteinChange(("stop_gained",) + size_term, p3, p1, a + 1, a + 1, kind="nonsense")

    expected_stop = len(ref_protein) - 1 + delta // 3
    if has_stop and len(alt_protein) - 1 < expected_stop:
        # A stop codon appears inside the changed stretch: describe up to and including it.
        e = max(a, last_res)
        inserted = alt_protein[a:]
        p3, p1 = _both(lambda s: _span(ref_protein, a, e, s) + "delins" + _peptide(inserted, s))
        return ProteinChange(("stop_gained",) + size_term, p3, p1, a + 1, e + 1, kind="nonsense")

    # Trim the common suffix (never into the prefix).
    s = _common_suffix_length(ref_protein, alt_protein, min(len(ref_protein), len(alt_protein)) - a)
    deleted = ref_protein[a : len(ref_protein) - s]
    inserted = alt_protein[a : len(alt_protein) - s]
    consequences = size_term or ("missense_variant",)

    if len(deleted) == 1 and len(inserted) == 1:
        p3, p1 = _both(lambda sh: _res(ref_protein, a, sh) + _peptide(inserted, sh))
        return ProteinChange(("missense_variant",), p3, p1, a + 1, a + 1, kind="missense")

    if not deleted:
        k = len(inserted)
        if a - k >= 0 and ref_protein[a - k : a] == inserted:
            p3, p1 = _both(lambda sh: _span(ref_protein, a - k, a - 1, sh) + "dup")
            legacy = f"{_res(ref_protein, a - 1, True)}_{_res(ref_protein, a, True)}ins{inserted}"
            return ProteinChange(consequences, p3, p1, a - k + 1, a, legacy_name=legacy, kind="duplication")
        p3, p1 = _both(lambda sh: _span(ref_protein, a - 1, a, sh) + "ins" + _peptide(inserted, sh))
        return ProteinChange(consequences, p3, p1, a, a + 1, kind="insertion")

    last = a + len(deleted) - 1
    if not inserted:
        p3, p1 = _both(lambda sh: _span(ref_protein, a, last, sh) + "del")
        return ProteinChange(consequences, p3, p1, a + 1, last + 1, kind="deletion")

    p3, p1 = _both(lambda sh: _span(ref_protein, a, last, sh) + "delins" + _peptide(inserted, sh))
    legacy = None
    if len(deleted) == 1:
        legacy = f"{_res(ref_protein, a, True)}>{inserted}"  # e.g. G776>VC, as in the older literature
    return ProteinChange(consequences, p3, p1, a + 1, last + 1, legacy_name=legacy, kind="delins")


def _common_prefix_length(x: str, y: str, limit: int) -> int:
    """Length of the common prefix of x and y (at most ``limit``), by bisection on slice equality:
    the comparisons run in C, which matters for a 1,255-residue protein compared thousands of times."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if x[:middle] == y[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix_length(x: str, y: str, limit: int) -> int:
    low, high = 0, max(0, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if x[len(x) - middle :] == y[len(y) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _mutant_protein(mutant: str, ref_protein: str, utr5: int, first_res: int, last_res: int, delta: int) -> str:
    """The mutant protein up to its first stop. Only the changed codons are translated when the
    change is in frame and spares the stop codon: before and after them the mutant is the reference."""
    start = utr5 + 3 * first_res
    end_res = last_res + 1
    if delta % 3 == 0 and end_res < len(ref_protein):
        window = translate(mutant[start : utr5 + 3 * end_res + delta])
        if window.endswith("*"):
            return ref_protein[:first_res] + window
        return ref_protein[:first_res] + window + ref_protein[end_res:]
    return ref_protein[:first_res] + translate(mutant[start:])


def _inframe_term(mrna: str, mutant: str, utr5: int, n_start: int, n_end: int, delta: int) -> tuple[str, ...]:
    """VEP's codon rule: an in-frame insertion (deletion) is one whose alt codons begin or end with the
    ref codons (or the reverse); anything else that changes the length is a protein_altering_variant
    (e.g. G776delinsVC, whose GGT becomes GTGTGT)."""
    if delta == 0:
        return ()
    # Codon-aligned window around the change, in mRNA coordinates (0-based, half-open).
    first = n_start - 1 if n_end >= n_start else n_start - 1
    last = n_end if n_end >= n_start else n_start - 1
    c0 = first - utr5
    window_start = utr5 + (c0 // 3) * 3
    c1 = last - utr5
    window_end = utr5 + -(-c1 // 3) * 3 if n_end >= n_start else window_start + (0 if c0 % 3 == 0 else 3)
    ref_codons = mrna[window_start:window_end]
    alt_codons = mutant[window_start:window_end + delta]
    if delta > 0:
        ok = alt_codons.startswith(ref_codons) or alt_codons.endswith(ref_codons)
        return ("inframe_insertion",) if ok else ("protein_altering_variant",)
    ok = ref_codons.startswith(alt_codons) or ref_codons.endswith(alt_codons)
    return ("inframe_deletion",) if ok else ("protein_altering_variant",)


def _frameshift(ref_protein: str, alt_protein: str, a: int, has_stop: bool) -> ProteinChange:
    if a >= len(ref_protein) or a >= len(alt_protein):
        return ProteinChange(("frameshift_variant",), "p.?", "p.?", kind="frameshift")
    if ref_protein[a] == "*":
        change = _extension(ref_protein, alt_protein, a, has_stop)
        return ProteinChange(("frameshift_variant",) + change.consequences, change.hgvs_p, change.hgvs_p_short,
                             change.start, change.end, kind="frameshift")
    if alt_protein[a] == "*":
        p3, p1 = _both(lambda s: _res(ref_protein, a, s) + ("*" if s else "Ter"))
        return ProteinChange(("stop_gained", "frameshift_variant"), p3, p1, a + 1, a + 1, kind="frameshift")
    length = str(len(alt_protein) - a) if has_stop else "?"
    p3 = f"p.{_res(ref_protein, a, False)}{AA3[alt_protein[a]]}fsTer{length}"
    p1 = f"p.{_res(ref_protein, a, True)}{alt_protein[a]}fs*{length}"
    return ProteinChange(("frameshift_variant",), p3, p1, a + 1, a + 1, kind="frameshift")


def _extension(ref_protein: str, alt_protein: str, a: int, has_stop: bool) -> ProteinChange:
    # HGVS p.Ter110GlnextTer17: the new stop is counted from the old stop's position (Gln110 = 0),
    # unlike a frameshift's fsTerN, which counts the first changed residue as 1.
    length = str(len(alt_protein) - 1 - a) if has_stop else "?"
    new = alt_protein[a]
    p3 = f"p.Ter{a + 1}{AA3[new]}extTer{length}"
    p1 = f"p.*{a + 1}{new}ext*{length}"
    return ProteinChange(("stop_lost",), p3, p1, a + 1, a + 1, kind="stop_lost")
