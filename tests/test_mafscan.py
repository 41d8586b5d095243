"""The two MAF block scanners give the same answer, line for line, on blocks built to trip them, and
both agree with a rule written out here line by line in Python (the contract of her2cli.io.maf.Scanner).

test_maf_input.py reads whole MAFs with each scanner; this drives ``block()`` directly with lines no
MAF writer would produce: missing columns, empty fields, CR bytes, '#' lines, fields of every length
around the 8-, 16- and 128-byte steps of the numpy scanner, numbers with leading zeros and up to 11
digits, the header's Chromosome name repeated, and barcodes repeated across blocks.
"""

from __future__ import annotations

import random

import pytest

from her2cli.io import maf
from her2cli.io.mafscan_numpy import NumpyScanner

WINDOWS = [(37_834_167, 37_886_679), (39_677_914, 39_730_426)]  # GRCh37/GRCh38 gene, 10 kb flank before
HEADER_CHROM = b"Chromosome"


def expected_block(text: bytes, columns: tuple[int, int, int, int], seen: set[bytes]):
    """The contract, line by line (``seen``: barcodes listed by earlier blocks, updated)."""
    hugo, chrom, start, barcode = columns
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

        def field(column: int, fields: list[bytes] = fields) -> bytes | None:
            return fields[column] if column < len(fields) else None

        if field(chrom) == HEADER_CHROM:
            repeated.append(number)
            continue
        if first_row is None:
            first_row = (number, begin, begin + len(line))
        wanted = False
        if (field(chrom) or b"").lower() in (b"17", b"chr17") and (field(chrom) or b"")[-2:] == b"17":
            position = field(start) or b""
            plain = 1 <= len(position) <= 10 and all(48 <= c <= 57 for c in position)
            wanted = not plain or any(lo <= int(position) <= hi for lo, hi in WINDOWS)
        if hugo >= 0 and field(hugo) == b"ERBB2":
            wanted = True
        if wanted:
            candidates.append((number, begin, begin + len(line)))
        name = field(barcode)
        if name and name not in seen:
            seen.add(name)
            barcodes.append(name)
    return len(lines), candidates, barcodes, first_row, repeated


def first_seen(barcodes: list[bytes], seen: set[bytes]) -> list[bytes]:
    """A scanner may list a barcode again (the merge keeps the first): what the merge keeps."""
    kept = []
    for name in barcodes:
        if name not in seen:
            seen.add(name)
            kept.append(name)
    return kept


FIELDS = [b"", b"17", b"chr17", b"CHR17", b"cHr17", b"chr1", b"chr177", b"Chr17 ", b" 17", b"17\r", b"ERBB2",
          b"erbb2", b"ERBB2 ", b"ERBB", b"Chromosome", b"chromosome", b"37880220", b"037880220", b"0037880220",
          b"00037880220", b"37834167", b"37834166", b"37886679", b"37886680", b"39723967", b"3788022", b"+37880220",
          b"3788O220", b"1e7", b"9", b"S1", b"S2", b"TCGA-AA-0001-01", b"TCGA-AA-0001-02", b"#", b"x" * 7,
          b"x" * 8, b"y" * 9, b"z" * 16, b"w" * 17, b"v" * 127, b"u" * 129, b"t" * 300, b"\x00", b"\x01\x0b"]


def random_line(rng: random.Random, width: int) -> bytes:
    if rng.random() < 0.05:
        return rng.choice([b"", b"#", b"#comment\tx", b"\r", b"\t\t", b"17"])
    fields = [rng.choice(FIELDS) for _ in range(rng.randrange(0, width + 3))]
    line = b"\t".join(fields)
    return line + b"\r" if rng.random() < 0.2 else line


def blocks_of(rng: random.Random, lines: list[bytes]) -> list[bytes]:
    """The lines cut into blocks of whole lines; the very last line may lack its newline."""
    text = b"\n".join(lines) + rng.choice([b"\n", b""])
    blocks, at = [], 0
    while at < len(text):
        cut = text.find(b"\n", min(len(text), at + rng.randrange(1, 2000)))
        cut = len(text) if cut < 0 else cut + 1
        blocks.append(text[at:cut])
        at = cut
    return blocks


def padded(block: bytes) -> memoryview:
    return memoryview(bytearray(block + bytes(maf.BLOCK_PADDING)))


COLUMN_SETS = [(0, 4, 5, 16), (-1, 4, 5, 16), (0, 1, 2, 3), (3, 0, 1, 2), (0, 4, 5, 0), (2, 2, 2, 2), (0, 20, 21, 40)]


@pytest.mark.parametrize("columns", COLUMN_SETS, ids=[",".join(map(str, c)) for c in COLUMN_SETS])
@pytest.mark.parametrize("seed", range(6))
def test_scanners_agree_with_the_rule_line_by_line(columns, seed):
    rng = random.Random(seed * 31 + sum(columns))
    width = max(columns) + 1
    lines = [random_line(rng, width) for _ in range(1500)]
    compiled = maf._CompiledScanner(*columns, WINDOWS, HEADER_CHROM) if maf._CompiledScanner else None
    numpy_scanner = NumpyScanner(*columns, WINDOWS, HEADER_CHROM)
    assert compiled is not None, "her2cli.io._mafscan was not built"
    expected_seen, numpy_seen = set(), set()
    for block in blocks_of(rng, lines):
        expected = expected_block(block, columns, expected_seen)
        for name, scanner in (("compiled", compiled), ("numpy", numpy_scanner)):
            got = list(scanner.block(padded(block), len(block)))
            if name == "numpy":
                got[2] = first_seen(got[2], numpy_seen)
            assert tuple(got) == expected, name


def test_compiled_scanner_reads_no_byte_past_the_length():
    """The compiled scanner needs no padding: a block cut from a longer buffer is read only up to
    ``length`` (a tab or newline past it would change the last line)."""
    if maf._CompiledScanner is None:
        pytest.fail("her2cli.io._mafscan was not built")
    line = b"ERBB2\t0\tx\tGRCh37\t17\t37880220\tS1"
    for cut in range(1, len(line) + 1):  # (an empty block is never scanned)
        scanner = maf._CompiledScanner(0, 4, 5, 6, WINDOWS, HEADER_CHROM)
        data = line[:cut] + b"\t9\tS2\n" + b"x" * 40  # what follows the block must not be read
        got = scanner.block(data, cut)
        expected = expected_block(line[:cut], (0, 4, 5, 6), set())
        assert got == expected, cut


def test_compiled_scanner_refuses_bad_arguments():
    if maf._CompiledScanner is None:
        pytest.fail("her2cli.io._mafscan was not built")
    with pytest.raises(ValueError):
        maf._CompiledScanner(0, -1, 5, 16, WINDOWS, HEADER_CHROM)
    with pytest.raises(TypeError):
        maf._CompiledScanner(0, 4, 5, 16, [(1,)], HEADER_CHROM)
    scanner = maf._CompiledScanner(0, 4, 5, 16, WINDOWS, HEADER_CHROM)
    with pytest.raises(ValueError):
        scanner.block(b"abc\n", 5)
    with pytest.raises(TypeError):
        scanner.block("text", 4)
