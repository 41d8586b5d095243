"""Numbers read from copy-number inputs (segment files, purity tables): finite, and possible.

Shared by the segment reader (readers) and the purity table reader (purity).
"""

from __future__ import annotations

import math

from ..errors import MalformedInputError

__all__ = ["parse_number", "NA", "MIN_PLOIDY", "MAX_PLOIDY"]

NA = {"", "NA", "NAN", ".", "NULL", "NONE"}  # missing-value spellings (upper case)
# Ploidy is the mean number of copies of the genome per tumour cell: a haploid genome is 1, so a value far
# below it is not a cell. The same range as --ploidy (cli.py).
MIN_PLOIDY, MAX_PLOIDY = 0.5, 10.0


def parse_number(text: str, what: str, path: str, line: int) -> float | None:
    """A finite decimal number; None for NA/NaN; MalformedInputError naming the file and line for anything
    else: inf, 1e400 (overflows to inf), '1_000' (Python's float() takes the underscore, no tool writes it),
    words."""
    stripped = text.strip()
    if stripped.upper() in NA:
        return None
    try:
        value = float(stripped) if "_" not in stripped else None
    except ValueError:
        value = None
    if value is None:
        raise MalformedInputError(f"{what} is not a number: {text!r}", path=path, line=line)
    if math.isnan(value):
        return None
    if not math.isfinite(value):
        raise MalformedInputError(f"{what} is not a finite number: {text!r}", path=path, line=line)
    return value
