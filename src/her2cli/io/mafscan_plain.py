"""The plain-Python MAF block scanner: the rule every block scanner follows, written out line by line
(the contract is ``her2cli.io.maf.Scanner``). It is what ``read_maf`` uses where the compiled scanner
(``her2cli.io._mafscan``, built by ``pip install`` where a C compiler is at hand) could not be built,
and the reference ``tests/test_mafscan.py`` checks the compiled one against. It gives the same answer
and reads every line in Python: several times slower on a large MAF (``read_maf`` says so in a notice).
"""

from __future__ import annotations

__all__ = ["PlainScanner"]

_CHR17 = (b"17", b"chr17")


class PlainScanner:
    """The block scanner of one MAF file: the columns it reads (``hugo`` -1 when the file has no
    Hugo_Symbol), the prefilter windows of Start_Position on chr17 (inclusive), and the header's
    Chromosome name as written. Barcodes listed so far are kept, so each is listed once per file."""

    def __init__(self, hugo: int, chrom: int, start: int, barcode: int, windows, header_chrom: bytes):
        self.hugo, self.chrom, self.start, self.barcode = hugo, chrom, start, barcode
        self.windows = [(int(lo), int(hi)) for lo, hi in windows]
        self.header_chrom = bytes(header_chrom)
        self.seen: set[bytes] = set()

    def block(self, data, length: int):
        """(lines, candidates, barcodes, first_row, repeated_headers) of the first ``length`` bytes of
        ``data``, as ``her2cli.io.maf.Scanner.block`` says."""
        text = bytes(data[:length])
        hugo, chrom, start, barcode = self.hugo, self.chrom, self.start, self.barcode
        candidates, barcodes, repeated, first_row = [], [], [], None
        lines = text.split(b"\n")
        if text.endswith(b"\n"):
            lines.pop()
        at = 0
        for number, line in enumerate(lines):
            begin, at = at, at + len(line) + 1
            if not line or line.startswith(b"#"):
                continue
            fields = (line[:-1] if line.endswith(b"\r") else line).split(b"\t")
            width = len(fields)
            chromosome = fields[chrom] if chrom < width else b""
            if chromosome == self.header_chrom:
                repeated.append(number)
                continue
            if first_row is None:
                first_row = (number, begin, begin + len(line))
            wanted = False
            if chromosome.lower() in _CHR17:
                position = fields[start] if start < width else b""
                plain = 1 <= len(position) <= 10 and all(48 <= c <= 57 for c in position)
                wanted = not plain or any(lo <= int(position) <= hi for lo, hi in self.windows)
            if 0 <= hugo < width and fields[hugo] == b"ERBB2":
                wanted = True
            if wanted:
                candidates.append((number, begin, begin + len(line)))
            name = fields[barcode] if barcode < width else b""
            if name and name not in self.seen:
                self.seen.add(name)
                barcodes.append(name)
        return len(lines), candidates, barcodes, first_row, repeated
