"""Per-sample tumour purity and ploidy from a table (``--purity-table FILE``).

Accepted files (tab-, comma- or whitespace-separated, one header line, ``#`` lines ignored):

* a simple table: ``sample  purity  ploidy`` (ploidy optional);
* ASCAT's own outputs: the TCGA/PCAWG summary (``name ... barcodeTumour ... purity ploidy``),
  ``ascat.metrics`` (``sample ... purity ploidy``) and nf-core's ``purityploidy.txt``
  (``AberrantCellFraction Ploidy``, one row, no sample column: applies to every sample);
* ABSOLUTE's summary table (``array sample call status purity ploidy ...``);
* PURPLE's ``purity.tsv`` and Sequenza's ``_confints_CP.txt`` are read beside their segment files
  (readers.py), not here.

Columns are found by name: purity = ``purity`` | ``aberrantcellfraction`` | ``cellularity`` |
``tumor_purity`` | ``tumour_purity``; ploidy = ``ploidy`` | ``ploidy.estimate``. Every identifier
column present (``sample``, ``array``, ``name``, ``barcodetumour``, ``id``, ``sample_id``,
``tumor_sample_barcode``, ``aliquot``, else the first column) is indexed, so a sample is found by
any of its names; matching is exact. Rows whose purity is NA (e.g. ABSOLUTE samples without a
call) give no estimate. Purity outside (0, 1], ploidy outside [0.5, 10], a value that is not a finite
number, NUL bytes, a line over the one line-length limit (io.lines), or one name with two
different estimates are errors naming the file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from her2cli.values import valueclass

from ..errors import InputMissingError, MalformedInputError
from ..io.lines import lines as text_lines
from .numbers import MAX_PLOIDY, MIN_PLOIDY, parse_number
from .numbers import NA as _NA

_PURITY_COLS = ("purity", "aberrantcellfraction", "cellularity", "tumor_purity", "tumour_purity")
_PLOIDY_COLS = ("ploidy", "ploidy.estimate")
_ID_COLS = ("sample", "array", "name", "barcodetumour", "id", "sample_id", "tumor_sample_barcode", "aliquot")
ALL_SAMPLES = "*"   # key of a one-row table without a sample column


@valueclass(frozen=True)
class PurityEstimate:
    purity: Optional[float]
    ploidy: Optional[float]
    source: str


PurityLookup = Callable[[str], Optional[tuple[Optional[float], Optional[float], str]]]


def read_purity_table(path: str) -> dict[str, PurityEstimate]:
    """{sample name: estimate} from one purity table (module docstring)."""
    p = Path(path)
    if p.is_dir():
        raise InputMissingError("is a directory, not a purity table", path=path)
    lines = [(n, t) for n, t in text_lines(path, "purity table") if t.strip() and not t.startswith("#")]
    if len(lines) < 2:
        raise MalformedInputError("purity table needs a header and at least one row", path=path,
                                  line=lines[0][0] if lines else None)
    header_no, header_text = lines[0]
    split = _splitter(header_text)
    header = [h.lower() for h in split(header_text)]
    for name in (*_PURITY_COLS, *_PLOIDY_COLS):
        if header.count(name) > 1:  # which one is meant cannot be known: never the first silently
            raise MalformedInputError(f"purity table names the column {name!r} twice", path=path, line=header_no)
    purity_i = _index(header, _PURITY_COLS)
    ploidy_i = _index(header, _PLOIDY_COLS)
    if purity_i is None:
        raise MalformedInputError(
            f"purity table lacks a purity column ({' / '.join(_PURITY_COLS)}); header: {' '.join(header)}",
            path=path, line=header_no)
    id_cols = [i for i, h in enumerate(header) if h in _ID_COLS]
    if not id_cols and purity_i != 0 and ploidy_i != 0:
        id_cols = [0]
    source = f"purity table {p.name}"
    out: dict[str, PurityEstimate] = {}
    for number, line in lines[1:]:
        fields = split(line)
        if len(fields) == len(header) + 1:
            fields = fields[1:]   # R row names
        purity = _value(fields, purity_i, "purity", path, number)
        ploidy = _value(fields, ploidy_i, "ploidy", path, number) if ploidy_i is not None else None
        if purity is None:
            continue
        if not 0 < purity <= 1:
            raise MalformedInputError(f"purity {purity:g} is not in (0, 1]", path=path, line=number)
        if ploidy is not None and not MIN_PLOIDY <= ploidy <= MAX_PLOIDY:
            raise MalformedInputError(f"ploidy {ploidy:g} is not in [{MIN_PLOIDY:g}, {MAX_PLOIDY:g}]", path=path,
                                      line=number)
        estimate = PurityEstimate(purity, ploidy, source)
        names = {fields[i] for i in id_cols if i < len(fields) and fields[i].strip().upper() not in _NA}
        if not id_cols:
            if len(lines) > 2:
                raise MalformedInputError("purity table without a sample column must have one row",
                                          path=path, line=number)
            names = {ALL_SAMPLES}
        for name in names:
            if name in out and out[name] != estimate:
                raise MalformedInputError(f"sample {name!r} has two different purity/ploidy rows",
                                          path=path, line=number)
            out[name] = estimate
    return out


def purity_lookup(path: Optional[str]) -> Optional[PurityLookup]:
    """A ``purity_for(sample) -> (purity, ploidy, source) | None`` over one table, or None."""
    if path is None:
        return None
    table = read_purity_table(path)

    def purity_for(sample: str):
        found = table.get(sample) or table.get(ALL_SAMPLES)
        return None if found is None else (found.purity, found.ploidy, found.source)

    return purity_for


def _splitter(header: str):
    if "\t" in header:
        delim = "\t"
    elif "," in header:
        delim = ","
    else:
        return lambda text: [f.strip('"') for f in text.split()]
    return lambda text: [f.strip().strip('"') for f in text.split(delim)]


def _index(header: list[str], names: tuple[str, ...]) -> Optional[int]:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _value(fields: list[str], idx: int, what: str, path: str, line: int) -> Optional[float]:
    if idx >= len(fields):
        raise MalformedInputError(f"row has no {what} column ({len(fields)} fields)", path=path, line=line)
    return parse_number(fields[idx], what, path, line)
