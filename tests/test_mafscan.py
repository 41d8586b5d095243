"""The compiled MAF block scanner gives the same answer, line for line, as the rule written out in
plain Python (``her2cli.io.mafscan_plain``, the contract of her2cli.io.maf.Scanner and the fallback
where the C file cannot be built), on blocks built to trip it; the rule itself is checked on
hand-written lines.

test_maf_input.py reads whole MAFs with each scanner; this drives ``block()`` directly with lines no
MAF writer would produce: missing columns, empty fields, CR bytes, '#' lines, fields of every length
around 8, 16 and 128 bytes, numbers with leading zeros and up to 11 digits, the header's Chromosome
name repeated, and barcodes repeated across blocks.
"""

from __future__ import annotations

import random

import pytest

from her2cli.io import maf
from her2cli.io.mafscan_plain import PlainScanner

WINDOWS = [(37_834_167, 37_886_679), (39_677_914, 39_730_426)]  # GRCh37/GRCh38 gene, 10 kb flank before
HEADER_CHROM = b"Chromosome"


def expected_block(text: bytes, columns: tuple[int, int, int, int], seen: set[bytes]):
    """The contract, line by line, as the package's plain scanner (the fallback) applies it (``seen``:
    barcodes listed by earlier blocks, updated)."""
    scanner = PlainScanner(*columns, WINDOWS, HEADER_CHROM)
    scanner.seen = seen
    return scanner.block(memoryview(text), len(text))


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


def test_the_rule_on_hand_written_lines():
    """Each line's answer read off the contract (docs/maf-input.md) by hand: columns Hugo_Symbol 0,
    Chromosome 1, Start_Position 2, Tumor_Sample_Barcode 3."""
    block = b"\n".join([
        b"ERBB2\t17\t37880220\tS1",          # 0: in the GRCh37 window
        b"KRAS\t12\t25398284\tS2",           # 1: another chromosome; S2 listed
        b"#comment\t17\t37880220\tS9",       # 2: '#' line skipped (S9 not listed)
        b"",                                 # 3: empty line skipped
        b"X\tChr17\t39723967\tS1\r",          # 4: chr17 any casing, GRCh38 window, CRLF; S1 seen
        b"X\tchr17\t37834166\tS3",           # 5: one before the window: not a candidate
        b"X\t17\t037880220\tS3",             # 6: a leading zero (9 digits): plain, in the window
        b"X\t17\t37880220x\tS4",             # 7: not a plain number: kept for the exact reader
        b"X\t17\t00037880220\tS4",           # 8: 11 digits: not a plain number
        b"Hugo\tChromosome\tStart\tBarcode",  # 9: the header repeated
        b"ERBB2\t7",                          # 10: Hugo_Symbol ERBB2 anywhere; no barcode field
        b"ERBB2 \t7\t1\t",                    # 11: 'ERBB2 ' is not ERBB2; empty barcode
    ]) + b"\n"
    scanner = PlainScanner(0, 1, 2, 3, WINDOWS, HEADER_CHROM)
    lines, candidates, barcodes, first_row, repeated = scanner.block(memoryview(block), len(block))
    starts = [0]
    for line in block.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    spans = {n: (n, starts[n], starts[n + 1] - 1) for n in range(12)}
    assert lines == 12
    assert candidates == [spans[n] for n in (0, 4, 6, 7, 8, 10)]
    assert barcodes == [b"S1", b"S2", b"S3", b"S4"]
    assert first_row == spans[0]
    assert repeated == [9]
    # a later block lists only barcodes not seen before
    more = b"X\t1\t1\tS2\nX\t1\t1\tS5"
    assert scanner.block(memoryview(more), len(more)) == (2, [], [b"S5"], (0, 0, 8), [])


@pytest.mark.parametrize("columns", COLUMN_SETS, ids=[",".join(map(str, c)) for c in COLUMN_SETS])
@pytest.mark.parametrize("seed", range(6))
def test_compiled_scanner_agrees_with_the_rule_line_by_line(columns, seed):
    rng = random.Random(seed * 31 + sum(columns))
    width = max(columns) + 1
    lines = [random_line(rng, width) for _ in range(1500)]
    assert maf._CompiledScanner is not None, "her2cli.io._mafscan was not built"
    compiled = maf._CompiledScanner(*columns, WINDOWS, HEADER_CHROM)
    expected_seen = set()
    for block in blocks_of(rng, lines):
        expected = expected_block(block, columns, expected_seen)
        assert tuple(compiled.block(padded(block), len(block))) == expected


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
