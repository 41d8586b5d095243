"""The windowed translation used for speed equals translating the whole mutant mRNA (seeded random
in-frame and frameshift changes all along the CDS, the start and the stop codon included)."""

from __future__ import annotations

import random

from her2cli.variants.protein import _mutant_protein, translate
from her2cli.reference.transcript import load_transcript


def test_windowed_translation_equals_full_translation():
    tx = load_transcript()
    mrna, utr5 = tx.sequence, tx.utr5_length
    ref_protein = tx.protein + "*"
    rng = random.Random(1255)
    cds_first, cds_last = utr5 + 1, utr5 + tx.cds_length
    for _ in range(3000):
        n_start = rng.randint(cds_first + 3, cds_last)
        length = rng.choice([0, 0, 1, 2, 3, 3, 6, 9, 12])
        n_end = min(n_start + length - 1, len(mrna))
        alt = "".join(rng.choice("ACGT") for _ in range(rng.choice([0, 1, 2, 3, 6, 12])))
        if n_end < n_start and not alt:
            continue
        mutant = mrna[: n_start - 1] + alt + mrna[n_end:]
        delta = len(alt) - (n_end - n_start + 1)
        c_first = n_start - utr5 if n_end >= n_start else n_start - 1 - utr5
        c_last = max(c_first, (n_end if n_end >= n_start else n_start - 1) - utr5)
        first_res = (c_first - 1) // 3
        last_res = min((c_last - 1) // 3, len(ref_protein) - 1)
        expected = translate(mutant[utr5:])
        assert _mutant_protein(mutant, ref_protein, utr5, first_res, last_res, delta) == expected, (
            n_start, n_end, alt)
