"""The sample sheet: one row per sample, the files to read and what is known about it.

``read_sample_sheet(path)`` validates a TSV or CSV sheet and resolves its paths relative to the sheet. The
columns it understands are the table ``COLUMNS`` below (one line each: add a column there, and the field
of the same name to ``SheetEntry``); every other column is the user's metadata, carried through to
``samples.tsv`` after the verdict columns.
"""

from __future__ import annotations

import csv
import os
from dataclasses import field
from typing import Callable, Optional

from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.values import valueclass

__all__ = ["COLUMNS", "SHEET_COLUMNS", "SheetEntry", "read_sample_sheet", "read_text_lines"]



@valueclass
class SheetEntry:
    sample: str
    vcf: Optional[str] = None  # a VCF/BCF or a MAF (the kind is read from the file)
    segments: list[str] = field(default_factory=list)
    tumor_sample: Optional[str] = None  # the VCF column (or MAF Tumor_Sample_Barcode) of the tumour
    purity: Optional[float] = None
    ploidy: Optional[float] = None
    ihc: Optional[str] = None
    line: Optional[int] = None  # line in the sample sheet (for messages)
    segments_sample: Optional[str] = None  # which sample of a multi-sample segment file is this one
    normal_sample: Optional[str] = None  # the VCF column of the matched normal
    metadata: dict[str, str] = field(default_factory=dict)  # the sheet's other columns, in sheet order
    coverage: Optional[str] = None  # BAM/CRAM/mosdepth behind a negative (docs/coverage.md)
    targets: Optional[str] = None  # the panel's target BED

    def files(self) -> list[str]:
        return ([self.vcf] if self.vcf else []) + list(self.segments) + [p for p in (self.coverage, self.targets) if p]

    def request(self):
        from her2cli.pipeline import SampleRequest

        return SampleRequest(vcf=self.vcf, segments=list(self.segments), label=self.sample,
                             tumor_sample=self.tumor_sample, purity=self.purity, ploidy=self.ploidy, ihc=self.ihc,
                             segments_sample=self.segments_sample, coverage=self.coverage, targets=self.targets)


# ------------------------------------------------------------------------------------------- columns

_Parse = Callable[[str, "_Row"], object]


@valueclass
class _Row:
    """What a column parser may need: where the row is (for messages) and where its paths are relative to."""

    path: str
    line: int
    base: str


def _text(text: str, row: _Row) -> str:
    return text


def _path(text: str, row: _Row) -> str:
    text = os.path.expanduser(text)
    if text == "-":
        return text
    return text if os.path.isabs(text) else os.path.normpath(os.path.join(row.base, text))


def _paths(text: str, row: _Row) -> list[str]:
    return [_path(part.strip(), row) for part in text.split(";") if part.strip()]


def _number(column: str, low: float, high: float, low_open: bool) -> _Parse:
    def parse(text: str, row: _Row) -> float:
        try:
            value = float(text)
        except ValueError:
            raise MalformedInputError(f"{column} is not a number: {text!r}", path=row.path, line=row.line) from None
        if value != value or (value <= low if low_open else value < low) or value > high:
            bracket = "(" if low_open else "["
            raise MalformedInputError(f"{column} must be in {bracket}{low:g}, {high:g}], got {text!r}",
                                      path=row.path, line=row.line)
        return value

    return parse


def _ihc(text: str, row: _Row) -> str:
    from her2cli.interpret.evidence import normalize_ihc

    try:
        return normalize_ihc(text)
    except ValueError as exc:
        raise MalformedInputError(f"ihc: {exc}", path=row.path, line=row.line) from None


# column -> (SheetEntry field, parser). An empty cell leaves the field at its default.
COLUMNS: dict[str, tuple[str, _Parse]] = {
    "sample": ("sample", _text),
    "vcf": ("vcf", _path),
    "maf": ("vcf", _path),  # a MAF is read for this sample's barcode
    "segments": ("segments", _paths),  # several files separated by ';'
    "segments_sample": ("segments_sample", _text),
    "tumor_sample": ("tumor_sample", _text),
    "normal_sample": ("normal_sample", _text),
    "purity": ("purity", _number("purity", 0.0, 1.0, True)),
    "ploidy": ("ploidy", _number("ploidy", 0.5, 10.0, False)),
    "ihc": ("ihc", _ihc),
    "coverage": ("coverage", _path),
    "targets": ("targets", _path),
}
SHEET_COLUMNS = list(COLUMNS)


def read_text_lines(path: str, what: str = "sample sheet") -> list[str]:
    """A small text input's lines (a sample sheet, a sample list), through the one bounded line reader
    (io/lines.py): an endless input such as /dev/zero is refused at once, not read into memory; NUL bytes,
    over-long lines and text that is not UTF-8 are refused naming the file and line."""
    from her2cli.io.lines import lines

    if os.path.isdir(path):
        raise InputMissingError(f"is a folder, not a {what}", path=path)
    return [text for _, text in lines(path, what)]


def _header(fields: list[str], path: str, line: int) -> list[str]:
    from her2cli.interpret.verdict import SUMMARY_COLUMNS

    header = [h.strip().lstrip("#").strip() for h in fields]
    header = [h.lower() if h.lower() in COLUMNS else h for h in header]
    if any(not h for h in header):
        raise MalformedInputError("a column of the header has no name", path=path, line=line)
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise MalformedInputError(f"duplicated column(s) {', '.join(duplicated)}", path=path, line=line)
    clash = [h for h in header if h not in COLUMNS and h in SUMMARY_COLUMNS]
    if clash:
        raise MalformedInputError(f"column(s) {', '.join(clash)} would repeat a column of samples.tsv: rename them",
                                  path=path, line=line)
    if "sample" not in header or not ({"vcf", "maf", "segments"} & set(header)):
        raise MalformedInputError("the sample sheet needs a 'sample' column and a 'vcf' (or 'maf') and/or "
                                  "'segments' column", path=path, line=line)
    return header


def read_sample_sheet(path: str) -> list[SheetEntry]:
    """Parse a sample sheet: TSV (a tab in the header) or CSV. ``sample`` plus ``vcf`` (or ``maf``) and/or
    ``segments`` are required, the other COLUMNS optional, any other column is metadata. Blank lines and
    lines starting with '#' after the header are skipped. Raises InputMissingError / MalformedInputError
    naming the sheet and line."""
    lines = read_text_lines(path)
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise MalformedInputError("sample sheet is empty", path=path)
    delimiter = "\t" if "\t" in lines[header_index] else ","
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = _header(rows[header_index], path, header_index + 1)
    base = os.path.dirname(os.path.abspath(path))
    entries: list[SheetEntry] = []
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        fields = rows[index]
        number = index + 1
        if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if len(fields) > len(header):
            raise MalformedInputError(f"{len(fields)} fields but the header has {len(header)}", path=path,
                                      line=number)
        values = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
        sample = values["sample"]
        if not sample:
            raise MalformedInputError("empty sample name", path=path, line=number)
        if sample in seen:
            raise MalformedInputError(f"duplicate sample name {sample!r} (first on line {seen[sample]})", path=path,
                                      line=number)
        seen[sample] = number
        if values.get("vcf") and values.get("maf"):
            raise MalformedInputError(f"sample {sample!r} has both a vcf and a maf: give one variant file",
                                      path=path, line=number)
        row = _Row(path, number, base)
        known: dict[str, object] = {}
        for column, text in values.items():
            if column in COLUMNS and text:
                name, parse = COLUMNS[column]
                known[name] = parse(text, row)
        if not known.get("vcf") and not known.get("segments"):
            raise MalformedInputError(f"sample {sample!r} has neither a vcf/maf nor a segments file", path=path,
                                      line=number)
        metadata = {column: text for column, text in values.items() if column not in COLUMNS}
        entries.append(SheetEntry(**known, line=number, metadata=metadata))
    if not entries:
        raise MalformedInputError("the sample sheet lists no samples", path=path)
    return entries
