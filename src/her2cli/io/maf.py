"""Read the ERBB2 rows of a MAF (Mutation Annotation Format) file, and every sample it lists.

A MAF may hold millions of rows of which a few hundred are ERBB2, so rows are not parsed one by one
in Python: each chunk of bytes is scanned with numpy (line ends, the tabs near each line's start,
the Chromosome and Start_Position fields of every line), and only the lines on chr17 inside either
build's ERBB2 window (or whose Hugo_Symbol is ERBB2) are split and read. The same pass collects
every distinct Tumor_Sample_Barcode: a MAF lists only samples with a mutation, and a sample without
an ERBB2 row is still "sequenced, not detected".

Alleles are rebuilt with MAF conventions and handed over in the annotator's convention
(``Annotator.annotate(pos, ref, alt)``): ``ref == ""`` is an insertion before ``pos``, ``alt == ""``
a deletion of ``ref`` starting at ``pos``. Dialect rules are documented in docs/maf-input.md.
"""

from __future__ import annotations

import io
import sys
from dataclasses import field
from typing import BinaryIO, Iterator

import numpy as np

from her2cli.errors import GenomeBuildError, MalformedInputError
from her2cli.io.sniff import Prepended, open_binary
from her2cli.reference.builds import normalise_build
from her2cli.values import valueclass

try:  # isal inflates 2-3x faster than zlib (a dependency; zlib where it cannot be installed)
    from isal import igzip as _gzip
except ImportError:  # pragma: no cover - exercised only without isal
    import gzip as _gzip  # type: ignore[no-redef]
import zlib as _zlib

__all__ = ["MafRecord", "MafRead", "read_maf"]

CHUNK = 2 << 20  # bytes of text scanned per numpy pass (smaller blocks miss the cache less but pay
# numpy's ~170 calls a block more often: 256 KB-1 MB were no faster, see benchmarks/README.md)
_PAD = 4096  # bytes readable past a block's end: the widest window gathered after a line start
_FIRST_WINDOW = 128  # bytes of each line searched for tabs at first (the columns read are near the start)
_WINDOW_BYTES = 2 << 20  # at most this many window bytes gathered at once (lines x window)
_TABLE_BYTES = 1 << 20  # size of the table of known barcodes of one key width
_KEY_BYTES = 64  # barcodes up to this long are compared as keys in numpy, longer ones read as written
_MIX = np.uint64(0x9E37_79B9_7F4A_7C15)  # odd 64-bit multiplier of the barcode hash (2^64 / golden ratio)
_GZIP_MAGIC = b"\x1f\x8b"
# How far before a build's ERBB2 gene start a row may begin and still reach into the gene
# (a deletion): the prefilter keeps these lines, the exact overlap test decides.
_PREFILTER_FLANK = 10_000
_SCANNED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Tumor_Sample_Barcode")  # columns read for every line
_WORD_17 = np.uint64(int.from_bytes(b"17", "little"))  # a Chromosome field read as a little-endian word
_WORD_CHR17 = np.uint64(int.from_bytes(b"chr17", "little"))
# Digit test on 8 bytes at once: a byte is a digit when its high nibble is 3 and its low nibble
# plus 6 does not carry into bit 4.
_ALL_BYTES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_ZERO_DIGITS = np.uint64(0x3030_3030_3030_3030)
_HIGH_NIBBLES = np.uint64(0xF0F0_F0F0_F0F0_F0F0)
_LOW_NIBBLES = np.uint64(0x0F0F_0F0F_0F0F_0F0F)
_SIXES = np.uint64(0x0606_0606_0606_0606)
_CARRIES = np.uint64(0x1010_1010_1010_1010)
# Variant_Type values of the MAF specifications (GDC, TCGA, vcf2maf) and of the dialects seen in the
# wild (SNV, MNP). A base or a classification here means the row does not line up with its header.
_VARIANT_TYPES = {"SNP", "DNP", "TNP", "ONP", "INS", "DEL", "SNV", "MNP", "MNV", "INDEL", "CONSOLIDATED"}
_NCBI36_NAMES = {"36", "ncbi36", "hg18", "grch36", "ncbi_36", "36.1", "ncbi36.1"}
_BASES = set("ACGTN")
_MISSING_VALUES = {"", ".", "NA", "N/A", "NaN", "nan", "None"}

# Canonical column names; a header matches them ignoring case and surrounding spaces.
_REQUIRED = ("Chromosome", "Start_Position", "Tumor_Sample_Barcode", "Tumor_Seq_Allele2")
_OPTIONAL = (
    "Hugo_Symbol", "NCBI_Build", "End_Position", "Reference_Allele", "Tumor_Seq_Allele1", "Variant_Type",
    "Variant_Classification", "Matched_Norm_Sample_Barcode", "HGVSc", "HGVSp", "HGVSp_Short",
    "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count",
)

# Older dialects name the publisher's protein change differently; used only when the canonical
# column is absent (glioma_msk_2018 has Amino_Acid_Change, UTUC files HGVS_protein_change).
_ALIASES = {"HGVSp_Short": ("Amino_Acid_Change", "Protein_Change"), "HGVSp": ("HGVS_protein_change",)}


@valueclass(frozen=True)
class MafRecord:
    """One MAF row in the ERBB2 region, alleles rebuilt in the annotator's convention."""

    line: int  # 1-based line number in the (decompressed) file
    sample: str  # Tumor_Sample_Barcode
    normal_sample: str | None  # Matched_Norm_Sample_Barcode
    chrom: str  # as written (17 or chr17)
    pos: int  # first reference base; for an insertion (ref == "") the base the insertion precedes
    ref: str  # "" for an insertion
    alt: str  # "" for a deletion
    input_hgvsc: str | None  # the publisher's names, as written
    input_hgvsp: str | None
    input_hgvsp_short: str | None
    t_depth: int | None
    t_ref_count: int | None
    t_alt_count: int | None
    n_depth: int | None
    n_ref_count: int | None
    n_alt_count: int | None
    hugo_symbol: str | None
    variant_classification: str | None


@valueclass
class MafRead:
    path: str
    genome: str | None  # "GRCh37"/"GRCh38"; None only when the file has no row in either ERBB2 window
    samples: list[str]  # every distinct Tumor_Sample_Barcode of the whole file, first-seen order
    records: list[MafRecord]
    notices: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ header

@valueclass
class _Header:
    line: int
    index: dict[str, int]  # canonical name -> column
    width: int
    chromosome_name: bytes  # the Chromosome column's name as written: marks a repeated header line


def _parse_header(text: str, line_no: int, name: str) -> _Header:
    by_lower: dict[str, int] = {}
    names = [c.strip() for c in text.rstrip("\r").split("\t")]
    for i, col in enumerate(names):
        by_lower.setdefault(col.lower(), i)
    index = {c: by_lower[c.lower()] for c in _REQUIRED + _OPTIONAL if c.lower() in by_lower}
    for column, aliases in _ALIASES.items():
        for alias in aliases:
            if column not in index and alias.lower() in by_lower:
                index[column] = by_lower[alias.lower()]
    missing = [c for c in _REQUIRED if c not in index]
    if missing:
        raise MalformedInputError(
            f"not a MAF file: the column header (line {line_no}) lacks {', '.join(missing)}", path=name)
    return _Header(line_no, index, len(names), text.split("\t")[index["Chromosome"]].encode())


# ------------------------------------------------------------------------------ numpy scanning

class _Block:
    """What the scan of one block of whole lines yields; line numbers count from the block's first line (0)."""

    def __init__(self, lines: int):
        self.lines = lines
        self.candidates: list[tuple[int, str]] = []  # (line, text)
        self.barcodes: list[bytes] = []  # as written, first-seen order within the block, repeats possible
        self.first_row: tuple[int, str] | None = None
        self.repeated_headers: list[int] = []  # copies of the column header


class _Scan:
    """The data lines of a MAF, scanned block by block and merged in file order."""

    def __init__(self, header: _Header, windows: list[tuple[int, int]]):
        self.header = header
        self.windows = windows
        self.eight_digit_windows = all(10**7 <= lo - _PREFILTER_FLANK and hi < 10**8 for lo, hi in windows)
        self.samples: dict[str, None] = {}
        self.seen_barcodes: set[bytes] = set()  # barcodes as written, decoded once
        self.known_barcodes = _KnownBarcodes()
        self.scratch = _Scratch()
        self.tabs = _Tabs([header.index[c] for c in _SCANNED if c in header.index], self.scratch)
        self.candidates: list[tuple[int, str]] = []  # (line number, text)
        self.first_row: tuple[int, str] | None = None
        self.repeated_headers: list[int] = []  # line numbers of copies of the column header
        self.lines = 0  # lines merged so far, header and lines before it included

    def merge(self, block: _Block) -> None:
        offset = self.lines + 1
        for raw in block.barcodes:
            if raw not in self.seen_barcodes:
                self.seen_barcodes.add(raw)
                barcode = raw.decode("utf-8", "replace").strip()
                if barcode:
                    self.samples.setdefault(barcode, None)
        self.candidates.extend((offset + n, text) for n, text in block.candidates)
        if self.first_row is None and block.first_row is not None:
            self.first_row = (offset + block.first_row[0], block.first_row[1])
        self.repeated_headers.extend(offset + n for n in block.repeated_headers)
        self.lines += block.lines

    def block(self, data: memoryview, length: int) -> _Block:
        """Scan the first ``length`` bytes of ``data`` (whole lines; the last may lack its newline;
        ``data`` reaches _PAD bytes further). No line is split in Python unless it is a candidate."""
        padded = np.frombuffer(data, dtype=np.uint8)
        arr = padded[:length]
        ends = _newlines(arr, self.scratch)
        if arr[-1] != 10:  # the file's last line, without its newline
            ends = np.append(ends, length)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        # (take: a gather from a contiguous array, several times faster than fancy indexing)
        data_line = (ends > starts) & (arr.take(starts, mode="clip") != ord("#"))
        crlf = (ends > starts) & (arr.take(ends - 1, mode="clip") == 13)  # lines ending in \r\n
        if not crlf.any():
            crlf = None
        result = _Block(len(ends))
        words = _words(padded)
        tab = self.tabs.find(padded, starts, ends)  # tab(n): position of tab n (0-based) on every line

        def span(col: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """(begin, end, present) of column ``col`` on every line, or on the lines ``rows``."""
            every = slice(None) if rows is None else rows
            line_start, line_end, present = starts[every], ends[every], data_line[every]
            end = tab(col)[every]  # the tab after the field, or the line's end
            if col == 0:
                begin = line_start
            else:
                before = tab(col - 1)[every]
                present = present & (before < line_end)  # the line has a col-th tab
                begin = np.minimum(before + 1, line_end)
            if crlf is not None:  # the line's last field loses the \r
                end = end - ((crlf if rows is None else crlf[rows]) & (end == line_end) & (end > begin))
            return begin, end, present

        idx = self.header.index
        chrom = span(idx["Chromosome"])
        # Concatenated MAFs repeat the column header: such a line is no data (and no sample).
        repeated = _equals(words, *chrom, self.header.chromosome_name)
        if repeated.any():
            result.repeated_headers = _nonzero(repeated).tolist()
            data_line &= ~repeated
            chrom = (chrom[0], chrom[1], chrom[2] & ~repeated)
        if data_line.any():
            r = int(np.argmax(data_line))
            result.first_row = (r, _text(data, starts[r], ends[r]))

        # Chromosome 17 or chr17 in any casing (the exact test in _record ignores case too): one
        # 8-byte word per line, the letters of "chr" folded to lower case by setting bit 0x20.
        chrom_word = words[chrom[0]]
        chrom_length = chrom[1] - chrom[0]
        is_17 = (chrom_length == 2) & ((chrom_word & np.uint64(0xFFFF)) == _WORD_17)
        is_chr17 = (chrom_length == 5) & (
            ((chrom_word & np.uint64(0xFF_FFFF_FFFF)) | np.uint64(0x20_2020)) == _WORD_CHR17)
        on17 = _nonzero(chrom[2] & (is_17 | is_chr17))
        wanted = np.zeros(len(starts), dtype=bool)
        if len(on17):
            pos_begin, pos_end, _ = span(idx["Start_Position"], on17)
            wanted[on17] = self._in_windows(arr, words, pos_begin, pos_end)
        if "Hugo_Symbol" in idx:
            wanted |= _equals(words, *span(idx["Hugo_Symbol"]), b"ERBB2")
        result.candidates = [(r, _text(data, starts[r], ends[r])) for r in _nonzero(wanted).tolist()]
        result.barcodes = _barcodes(self.known_barcodes, data, padded, *span(idx["Tumor_Sample_Barcode"]))
        return result

    def _in_windows(self, arr: np.ndarray, words: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
        """True where Start_Position lies in a prefilter window, or is not a plain number (the row
        is then read in Python, which reports it).

        A field of up to 8 bytes is one 8-byte word: its bytes are checked for digits all at once,
        and, both windows being 8-digit numbers, an 8-digit field is compared with them as a
        big-endian number (same order as the digits). Other fields take the digit-by-digit route."""
        length = end - begin
        keep = np.empty(len(begin), dtype=bool)
        fits = (length >= 1) & (length <= 8) if self.eight_digit_windows else np.zeros(len(begin), dtype=bool)
        rows = _nonzero(fits)
        size = length[rows].astype(np.uint64)
        inside = np.where(size == 8, _ALL_BYTES, (np.uint64(1) << (np.uint64(8) * size)) - np.uint64(1))
        word = (words[begin[rows]] & inside) | (_ZERO_DIGITS & ~inside)  # bytes past the field read as '0'
        digits = ((word & _HIGH_NIBBLES) == _ZERO_DIGITS) & (((word & _LOW_NIBBLES) + _SIXES) & _CARRIES == 0)
        number = word.byteswap()
        in_window = np.zeros(len(rows), dtype=bool)
        for lo, hi in self.windows:
            in_window |= (number >= _eight_digits(lo - _PREFILTER_FLANK)) & (number <= _eight_digits(hi))
        keep[rows] = ~digits | (in_window & (size == 8))
        rest = _nonzero(~fits)
        if len(rest):
            keep[rest] = self._in_windows_by_digits(arr, begin[rest], end[rest])
        return keep

    def _in_windows_by_digits(self, arr: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
        width = 10
        length = end - begin
        value = np.zeros(len(begin), dtype=np.int64)
        numeric = (length > 0) & (length <= width)
        for j in range(width):
            inside = j < length
            digit = arr[np.minimum(begin + j, len(arr) - 1)].astype(np.int64) - 48
            numeric &= ~inside | ((digit >= 0) & (digit <= 9))
            value = np.where(inside, value * 10 + digit, value)
        keep = ~numeric
        for lo, hi in self.windows:
            keep |= (value >= lo - _PREFILTER_FLANK) & (value <= hi)
        return keep


class _Scratch:
    """Boolean arrays reused from block to block. A fresh multi-megabyte array per block is given back
    to the system when freed (glibc trims the heap) and faulted back in page by page on the next
    block, which cost more than the comparisons written into it."""

    def __init__(self) -> None:
        self._flags = np.empty(0, dtype=bool)

    def flags(self, size: int) -> np.ndarray:
        if len(self._flags) < size:
            self._flags = np.empty(size, dtype=bool)
        return self._flags[:size]


def _newlines(arr: np.ndarray, scratch: _Scratch) -> np.ndarray:
    """Positions of the newlines of ``arr``, in order.

    numpy lists the nonzero items of a sparse array at about 10-20 ns a hit, so the newline flags
    are read as 8-byte words, only the words holding a newline are listed, and a newline's place
    in its word is its lowest set bit; words with two newlines (lines under 8 bytes) are listed
    byte by byte."""
    size = len(arr) // 8 * 8
    flags = scratch.flags(len(arr) + size // 8)
    is_newline = np.equal(arr, 10, out=flags[:len(arr)])
    words = is_newline[:size].view(np.uint64)  # a newline is a byte 1 in its word
    at = _nonzero(np.not_equal(words, 0, out=flags[len(arr):]))
    word = words.take(at)
    lowest = word & (~word + np.uint64(1))
    ends = at * 8 + (np.bitwise_count(lowest - np.uint64(1)) >> 3)
    more = _nonzero(word != lowest)
    if len(more):
        byte = _nonzero(word[more].view(np.uint8))
        ends = np.union1d(ends, at[more][byte >> 3] * 8 + (byte & 7))
    if size < len(arr):
        ends = np.concatenate((ends, size + _nonzero(is_newline[size:])))
    return ends


class _Tabs:
    """Where the tabs that bound the scanned columns lie on each line of a block.

    Listing every tab of a block would cost most of the scan (a MAF line has dozens of columns; the
    scan reads four, usually near the line's start). So each line's first bytes are gathered into a
    row of a (lines x window) matrix, and only the tabs of that window are listed. A line whose
    deepest needed tab lies past its window (and which does not end inside it) is looked up again
    with a window twice as wide, up to _PAD bytes, and then in Python: no line is skipped, and the
    common line costs only its first bytes. Each block starts with the window that would have served
    most lines of the block before."""

    def __init__(self, columns: list[int], scratch: _Scratch):
        # column c ends at tab c and (c > 0) begins after tab c - 1
        self.numbers = np.array(sorted({n for c in columns for n in (c - 1, c) if n >= 0}))
        self.row = {n: i for i, n in enumerate(self.numbers.tolist())}
        self.window = _FIRST_WINDOW
        self.scratch = scratch

    def find(self, padded: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        """A function of a tab number giving that tab's position on every line (the line's end where
        the line has fewer tabs)."""
        found = np.empty((len(self.numbers), len(starts)), dtype=np.int64)
        width, pending = self.window, None  # None: every line
        while pending is None or (len(pending) and width <= _PAD):
            missed = []
            for lines in self._batches(pending, len(starts), width):
                found[:, lines], past = self._in_window(padded, starts[lines], ends[lines], width)
                missed.append(np.arange(len(starts))[lines][past])
            pending, width = np.concatenate(missed), width * 2
        for line in pending.tolist():  # a needed tab more than _PAD bytes into its line
            found[:, line] = self._in_python(padded, int(starts[line]), int(ends[line]))
        self._adapt(found[-1] - starts)
        return lambda number: found[self.row[number]]

    @staticmethod
    def _batches(pending: np.ndarray | None, count: int, width: int) -> list:
        """Groups of lines gathering at most _WINDOW_BYTES at a time: slices of every line at first,
        then arrays of the lines still pending."""
        step = max(1, _WINDOW_BYTES // width)
        if pending is None:
            return [slice(at, at + step) for at in range(0, count, step)]
        return [pending[at:at + step] for at in range(0, len(pending), step)]

    def _in_window(self, padded: np.ndarray, line_start: np.ndarray, line_end: np.ndarray,
                   width: int) -> tuple[np.ndarray, np.ndarray]:
        """The needed tabs of the lines starting at ``line_start``, from their first ``width`` bytes,
        and which lines have their deepest needed tab past the window (those positions are wrong)."""
        items = np.ndarray((len(padded) - width + 1,), dtype=f"V{width}", buffer=padded, strides=(1,))
        window = items[line_start].view(np.uint8).reshape(len(line_start), width)
        window[:, -1] = 9  # a tab closes every row, so the rows are told apart in the one list of tabs
        is_tab = window.view(bool)  # in place: the bytes are not needed once their tabs are flagged
        np.equal(window, 9, out=is_tab)
        offset = _nonzero(is_tab.ravel())
        offset &= width - 1  # the tabs' offsets in their rows, row after row
        closing = _nonzero(np.equal(offset, width - 1, out=self.scratch.flags(len(offset))))
        first = np.empty_like(closing)
        first[0] = 0
        first[1:] = closing[:-1] + 1
        at = first + self.numbers[:, None]  # index in `offset` of each needed tab, if the row has it
        # A row without tab n gives its closing tab (offset width - 1): past the end of a line that ends
        # inside the window, so the line's end after the clamp; a tab past the line's end is the next
        # line's (this line has fewer tabs), also clamped.
        positions = offset.take(np.minimum(at, closing))
        positions += line_start
        np.minimum(positions, line_end, out=positions)
        return positions, (at[-1] >= closing) & (line_end - line_start >= width)

    def _in_python(self, padded: np.ndarray, start: int, end: int) -> list[int]:
        fields = padded[start:end].tobytes().split(b"\t", int(self.numbers[-1]) + 1)
        tabs = np.cumsum([len(field) + 1 for field in fields]) + start - 1
        return [int(tabs[n]) if n < len(fields) - 1 else end for n in self.numbers.tolist()]

    def _adapt(self, depth: np.ndarray) -> None:
        """Double the next block's window when more than an eighth of the lines had their deepest needed
        tab past it (each such line costs a second, wider gather); halve it (down to 64 bytes) when
        all but an eighth would have fitted in half of it."""
        width = self.window
        if width < _PAD and np.count_nonzero(depth >= width - 1) * 8 > len(depth):
            self.window = width * 2
        elif width > 64 and np.count_nonzero(depth >= width // 2 - 1) * 8 <= len(depth):
            self.window = width // 2


def _barcodes(known: _KnownBarcodes, data: memoryview, padded: np.ndarray, begin: np.ndarray,
              end: np.ndarray, present: np.ndarray) -> list[bytes]:
    """The block's barcodes not collected before, as written, in first-seen order (a few repeats
    possible), without a Python step per row.

    Barcodes are compared as keys, rows of 8-byte words (one length at a time). MAFs are written
    sample by sample, so a row whose key equals the one before it (of that length) is skipped; the
    others are looked up among the barcodes already collected, and only those not found are read in
    Python. A barcode longer than _KEY_BYTES is read as written (the merge keeps it once)."""
    if not present.all():
        rows = present.nonzero()[0]
        begin, end = begin[rows], end[rows]
    length = end - begin
    sizes = np.bincount(length).nonzero()[0].tolist()
    read = [np.empty(0, dtype=np.int64)]
    for size in sizes:
        if size == 0:  # an empty barcode names no sample
            continue
        same = None if len(sizes) == 1 else (length == size).nonzero()[0]  # None: every row
        at = begin if same is None else begin[same]
        if size > _KEY_BYTES:
            new = np.arange(len(at))
        else:
            keys = _keys(padded, at, size)
            changed = np.ones(len(keys), dtype=bool)
            changed[1:] = _differ(keys[1:], keys[:-1])
            changed = changed.nonzero()[0]
            new = changed[known.unknown(keys if len(changed) == len(keys) else keys.take(changed, axis=0))]
        read.append(new if same is None else same[new])
    rows = np.sort(np.concatenate(read))
    return _raw(data, begin[rows], begin[rows] + length[rows])


def _keys(padded: np.ndarray, begin: np.ndarray, size: int) -> np.ndarray:
    """The ``size``-byte barcodes starting at ``begin`` as rows of 1, 2, 4 or 8 little-endian 8-byte
    words (one gather reads a row). The byte after the barcode is made a tab and the rest zeroed: a
    barcode holds no tab, so equal rows are equal barcodes, whatever their lengths."""
    words = 1 << (-(-size // 8) - 1).bit_length()
    items = np.ndarray((len(padded) - 8 * words + 1,), dtype=f"V{8 * words}", buffer=padded, strides=(1,))
    keys = items[begin].view(np.uint64).reshape(len(begin), words)
    full, rest = divmod(size, 8)  # words wholly inside the barcode, bytes of it in the next word
    if full < words:  # (one column at a time: numpy broadcasts a row of masks slowly)
        keys[:, full] &= np.uint64((1 << (8 * rest)) - 1)
        keys[:, full] |= np.uint64(9 << (8 * rest))
        keys[:, full + 1:] = 0
    return keys


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which rows of keys ``a`` and ``b`` differ: a row's word comparisons read as one number."""
    unequal = a != b
    return unequal.view(f"u{unequal.shape[1]}")[:, 0] != 0


class _KnownBarcodes:
    """The barcodes collected so far, as keys in one direct-mapped numpy table per key width (at most
    four, 1 MB each): a key's slot is a hash of its words, and a row whose key is the one in its slot
    is known. A slot keeps the last key stored in it, so barcodes sharing a slot may each be read more
    than once (the merge keeps one); none is ever taken for another."""

    def __init__(self) -> None:
        self.tables: dict[int, np.ndarray] = {}

    def unknown(self, keys: np.ndarray) -> np.ndarray:
        """Indexes of ``keys`` to read: the first row of each key not in the table, which then holds
        it, and every row of a key that lost its slot in this call."""
        words = keys.shape[1]
        table = self.tables.get(words)
        if table is None:  # tab bytes: a barcode (a field) never starts with a tab, so no key is in an empty slot
            slots = 1 << min(16, (_TABLE_BYTES // (8 * words)).bit_length() - 1)
            table = self.tables[words] = np.full((slots, words), 0x0909_0909_0909_0909, dtype=np.uint64)
        slot = _slots(keys, len(table).bit_length() - 1)
        missed = _differ(table.take(slot, axis=0), keys).nonzero()[0]
        if not len(missed):
            return missed
        table[slot[missed]] = keys[missed]  # of the keys missed in one slot, the last stays
        kept = ~_differ(table.take(slot[missed], axis=0), keys[missed])
        _, first = np.unique(slot[missed[kept]], return_index=True)
        return np.sort(np.concatenate((missed[kept][first], missed[~kept])))


def _slots(keys: np.ndarray, bits: int) -> np.ndarray:
    """A ``bits``-wide multiplicative hash of each row of keys."""
    digest = np.zeros(len(keys), dtype=np.uint64)
    for word in keys.T:
        digest ^= word
        digest *= _MIX
    return digest >> np.uint64(64 - bits)


def _nonzero(flags: np.ndarray) -> np.ndarray:
    """np.flatnonzero of a 1-D array without its Python-level wrappers (called ~20 times a block)."""
    return flags.nonzero()[0]


def _raw(data: memoryview, begin: np.ndarray, end: np.ndarray) -> list[bytes]:
    return [bytes(data[b:e]) for b, e in zip(begin.tolist(), end.tolist())]


def _text(data, begin: int, end: int) -> str:
    return bytes(data[begin:end]).decode("utf-8", "replace").rstrip("\r")


def _eight_digits(value: int) -> np.uint64:
    """An 8-digit number as the big-endian word of its digits."""
    return np.uint64(int.from_bytes(b"%08d" % value, "big"))


def _words(padded: np.ndarray) -> np.ndarray:
    """The 8 bytes from every offset of a block as one little-endian word (an unaligned view, no copy)."""
    return np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))


def _equals(words: np.ndarray, begin: np.ndarray, end: np.ndarray, present: np.ndarray, text: bytes) -> np.ndarray:
    """Where the field ``begin:end`` is exactly ``text``, compared 8 bytes at a time."""
    rows = _nonzero(present & ((end - begin) == len(text)))
    for k in range(0, len(text), 8):
        chunk = text[k:k + 8]
        mask = np.uint64((1 << (8 * len(chunk))) - 1)
        rows = rows[(words[begin[rows] + k] & mask) == np.uint64(int.from_bytes(chunk, "little"))]
    found = np.zeros(len(begin), dtype=bool)
    found[rows] = True
    return found


# ----------------------------------------------------------------------------------- reading

def _line_blocks(path: str) -> tuple[str, Iterator[tuple[memoryview, int]]]:
    """The name to cite, and the (decompressed) file as blocks of whole lines."""
    if path == "-":
        raw, name = sys.stdin.buffer, "<stdin>"
    else:
        name = path
        raw = open_binary(path, "MAF")
    head = b""
    while len(head) < 6:  # a pipe may return short reads
        more = raw.read(6 - len(head))
        if not more:
            break
        head += more
    if head.startswith((b"BZh", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd")):
        if path != "-":
            raw.close()
        raise MalformedInputError("bzip2/xz/zstd-compressed input is not supported; use gzip, bgzip or plain text",
                                  path=name)
    if raw.seekable():
        raw.seek(0)
        stream: BinaryIO = raw
    else:
        stream = io.BufferedReader(Prepended(head, raw), buffer_size=1 << 16)  # type: ignore[arg-type]
    if head.startswith(_GZIP_MAGIC):
        stream = _gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
    return name, _blocks(stream, raw, name, close=path != "-")


def _blocks(stream: BinaryIO, raw: BinaryIO, name: str, close: bool) -> Iterator[tuple[memoryview, int]]:
    """Blocks of whole lines read into one reused buffer (flat memory): (view, length), where the
    view reaches _PAD bytes past ``length`` so 8-byte words can be gathered at any field start.
    The last block may lack its final newline. A block is valid until the next one is asked for."""
    size = CHUNK
    buf = bytearray(size + _PAD)
    filled = 0
    try:
        while True:
            view = memoryview(buf)
            got = stream.readinto(view[filled:size])
            view.release()
            if got:
                filled += got
                if filled < size:
                    continue
            if not got:  # end of file: the rest is the last line
                if filled:
                    view = memoryview(buf)
                    yield view, filled
                    view.release()
                return
            cut = buf.rfind(b"\n", 0, filled) + 1
            if cut == 0:  # one line longer than the buffer
                size *= 2
                buf.extend(bytes(size + _PAD - len(buf)))
                continue
            view = memoryview(buf)
            yield view, cut
            view.release()
            buf[:filled - cut] = buf[cut:filled]  # same length: the buffer is never reallocated
            filled -= cut
    except EOFError as exc:
        raise MalformedInputError("truncated gzip stream (file ends in the middle of compressed data)",
                                  path=name) from exc
    except (OSError, _zlib.error) as exc:
        raise MalformedInputError(f"cannot read compressed data ({exc})", path=name) from exc
    finally:
        if close:
            raw.close()


def _scan(path: str, windows: list[tuple[int, int]]) -> tuple[str, _Scan]:
    name, blocks = _line_blocks(path)
    scan: _Scan | None = None
    lines_before = 0  # comment and blank lines before the column header, and the header
    for view, length in blocks:
        at = 0
        if scan is None:
            scan, at, lines_before = _find_header(bytes(view[:length]), lines_before, name, windows)
            if scan is None:
                continue
            scan.lines = lines_before
        if length > at:
            scan.merge(scan.block(view[at:], length - at))
    if scan is None:
        raise MalformedInputError("not a MAF file: no column header line (Hugo_Symbol, Chromosome, "
                                  "Start_Position, ...)", path=name)
    return name, scan


def _find_header(data: bytes, line_no: int, name: str,
                 windows: list[tuple[int, int]]) -> tuple[_Scan | None, int, int]:
    """Skip '#' comment lines and blank lines; the first other line is the column header.
    Returns the scanner, the offset after the header line, and the lines consumed."""
    at = 0
    while at < len(data):
        nl = data.find(b"\n", at)
        nl = len(data) if nl < 0 else nl
        text = data[at:nl].decode("utf-8", "replace").rstrip("\r")
        line_no += 1
        at = nl + 1
        if not text.strip() or text.startswith("#"):
            continue
        return _Scan(_parse_header(text, line_no, name), windows), at, line_no
    return None, at, line_no


# ------------------------------------------------------------------------------------ rows

def _build_of(value: str, name: str, line: int) -> str | None:
    text = value.strip()
    if text in _MISSING_VALUES:
        return None
    if text.lower() in _NCBI36_NAMES:
        raise GenomeBuildError(
            f"NCBI_Build {text!r} is NCBI36/hg18: its ERBB2 coordinates differ from GRCh37/GRCh38 and are not "
            "annotated (lift the file over to GRCh37 or GRCh38 first)", path=name, line=line)
    try:
        return normalise_build(text)
    except GenomeBuildError as exc:
        raise GenomeBuildError(f"NCBI_Build {text!r} is not a genome build her2 knows (GRCh37/hg19/37 or "
                               "GRCh38/hg38/38)", path=name, line=line) from exc


def _cell(fields: list[str], index: dict[str, int], column: str) -> str | None:
    """The stripped value of ``column``, or None when the column or the value is absent."""
    i = index.get(column)
    if i is None or i >= len(fields):
        return None
    value = fields[i].strip()
    return None if value in _MISSING_VALUES else value


def _count(fields: list[str], index: dict[str, int], column: str, where: str,
           notices: list[str]) -> int | None:
    value = _cell(fields, index, column)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        notices.append(f"{where}: {column} {value!r} is not a number; left empty")
        return None
    if number != int(number) or number < 0:
        notices.append(f"{where}: {column} {value!r} is not a read count; left empty")
        return None
    return int(number)


class _RowError(Exception):
    """A row whose alleles cannot be read (becomes a notice; the file goes on)."""


def _allele(value: str | None) -> str | None:
    """MAF allele -> bases; '-' is the empty allele; None when the cell is empty."""
    if value is None:
        return None
    bases = value.upper()
    if bases == "-":
        return ""
    if not set(bases) <= _BASES:
        raise _RowError(f"allele {value!r} is not a DNA sequence")
    return bases


def _alleles(fields: list[str], index: dict[str, int], start: int, end: int | None,
             sequence) -> tuple[int, str, str]:
    """(pos, ref, alt) in the annotator's convention."""
    allele1 = _allele(_cell(fields, index, "Tumor_Seq_Allele1"))
    allele2 = _allele(_cell(fields, index, "Tumor_Seq_Allele2"))
    if "Reference_Allele" in index:
        ref = _allele(_cell(fields, index, "Reference_Allele"))
        if ref is None:
            raise _RowError("Reference_Allele is empty")
    else:
        ref = _ref_from_sequence(fields, index, start, end, sequence)
    # Tumor_Seq_Allele2 is the alt in every MAF specification; Allele1 may be the ref, the alt
    # (older files write the alt first) or empty.
    candidates = [a for a in (allele2, allele1) if a is not None and a != ref]
    if not candidates:
        raise _RowError("no Tumor_Seq_Allele differs from the reference allele")
    alt = candidates[0]
    if len(set(candidates)) > 1:
        raise _RowError(f"two different non-reference alleles ({allele1 or '-'} and {allele2 or '-'}): "
                        "not one variant")
    if ref == "":
        # MAF insertion: Start_Position is the base before the inserted bases.
        if end is not None and end not in (start, start + 1):
            raise _RowError(f"insertion with Start_Position {start} and End_Position {end} (expected "
                            f"End_Position {start + 1})")
        return start + 1, "", alt
    if end is not None and end - start + 1 != len(ref):
        raise _RowError(f"Start_Position {start}..End_Position {end} spans {end - start + 1} bases but "
                        f"Reference_Allele has {len(ref)}")
    return start, ref, alt


def _ref_from_sequence(fields: list[str], index: dict[str, int], start: int, end: int | None, sequence) -> str:
    """No Reference_Allele column: the reference bases come from the sequence provider."""
    variant_type = (_cell(fields, index, "Variant_Type") or "").upper()
    if variant_type == "INS":
        return ""
    last = end if end is not None else start
    bases = [sequence.base(p) for p in range(start, last + 1)] if sequence is not None else [None]
    if None in bases:
        raise _RowError("no Reference_Allele column, and the reference bases at this position are not known "
                        "(outside the bundled exonic sequence: give --reference)")
    return "".join(bases)


def _record(line_no: int, text: str, header: _Header, name: str, sequence,
            gene_window: tuple[int, int] | None) -> tuple[MafRecord, list[str]] | None:
    """The record of one candidate line and its notices, or None when it lies outside the ERBB2 gene.
    Raises _RowError for an unreadable row."""
    index = header.index
    fields = text.split("\t")
    chrom = _cell(fields, index, "Chromosome") or ""
    start_text = _cell(fields, index, "Start_Position")
    try:
        start = int(start_text or "")
    except ValueError:
        raise _RowError(f"Start_Position {start_text!r} is not a position") from None
    end_text = _cell(fields, index, "End_Position")
    try:
        end = int(end_text) if end_text is not None else None
    except ValueError:
        raise _RowError(f"End_Position {end_text!r} is not a position") from None
    if chrom.lower().removeprefix("chr") != "17" or gene_window is None:
        return None
    lo, hi = gene_window
    if start > hi or max(start, end or start) < lo:
        return None
    variant_type = _cell(fields, index, "Variant_Type")
    if variant_type is not None and variant_type.upper() not in _VARIANT_TYPES:
        raise MalformedInputError(
            f"the column headed Variant_Type holds {variant_type!r}, not a variant type: the data columns do not "
            "line up with the header (a column is missing or extra), so alleles cannot be read safely",
            path=name, line=line_no)
    pos, ref, alt = _alleles(fields, index, start, end, sequence)
    notices: list[str] = []
    where = f"{name}:{line_no}"
    sample = _cell(fields, index, "Tumor_Sample_Barcode")
    if sample is None:
        raise _RowError("Tumor_Sample_Barcode is empty")
    return MafRecord(
        line=line_no, sample=sample, normal_sample=_cell(fields, index, "Matched_Norm_Sample_Barcode"),
        chrom=chrom, pos=pos, ref=ref, alt=alt,
        input_hgvsc=_cell(fields, index, "HGVSc"), input_hgvsp=_cell(fields, index, "HGVSp"),
        input_hgvsp_short=_cell(fields, index, "HGVSp_Short"),
        t_depth=_count(fields, index, "t_depth", where, notices),
        t_ref_count=_count(fields, index, "t_ref_count", where, notices),
        t_alt_count=_count(fields, index, "t_alt_count", where, notices),
        n_depth=_count(fields, index, "n_depth", where, notices),
        n_ref_count=_count(fields, index, "n_ref_count", where, notices),
        n_alt_count=_count(fields, index, "n_alt_count", where, notices),
        hugo_symbol=_cell(fields, index, "Hugo_Symbol"),
        variant_classification=_cell(fields, index, "Variant_Classification"),
    ), notices


# ------------------------------------------------------------------------------------ public

def read_maf(path: str, genome: str | None = None, sequence=None) -> MafRead:
    """The ERBB2-region rows and all sample barcodes of a MAF (plain, gzip or BGZF; "-" = stdin).

    ``genome`` is ``--genome`` (any spelling ``normalise_build`` accepts); it must agree with the
    file's NCBI_Build. ``sequence`` is a ``GenomeSequence`` for the file's build (``--reference``);
    without it the bundled exonic sequence fills a missing Reference_Allele column.
    Raises InputMissingError, MalformedInputError or GenomeBuildError; a row whose alleles cannot be
    read becomes a notice naming its line.
    """
    from her2cli.reference.transcript import GENOMES, load_transcript

    requested = normalise_build(genome) if genome else None
    tx = load_transcript()
    gene = {g: (tx.builds[g].gene_start, tx.builds[g].gene_end) for g in GENOMES}
    name, scan = _scan(path, list(gene.values()))
    header = scan.header
    index = header.index

    file_genome, genome_line = None, None
    if "NCBI_Build" in index and scan.first_row is not None:
        line_no, text = scan.first_row
        value = _cell(text.split("\t"), index, "NCBI_Build")
        if value is not None:
            file_genome, genome_line = _build_of(value, name, line_no), line_no
    for line_no, text in scan.candidates:
        value = _cell(text.split("\t"), index, "NCBI_Build")
        row_genome = _build_of(value, name, line_no) if value is not None else None
        if row_genome is None:
            continue
        if file_genome is None:
            file_genome, genome_line = row_genome, line_no
        elif row_genome != file_genome:
            raise GenomeBuildError(f"NCBI_Build says {row_genome} here but {file_genome} on line {genome_line}",
                                   path=name, line=line_no)
    if requested and file_genome and requested != file_genome:
        raise GenomeBuildError(f"--genome {requested} contradicts NCBI_Build {file_genome} (line {genome_line})",
                               path=name)
    resolved = requested or file_genome
    if resolved is None and scan.candidates:
        raise GenomeBuildError("no NCBI_Build column or value: pass --genome GRCh37 or --genome GRCh38", path=name)

    if resolved is not None and sequence is None:
        from her2cli.reference.sequence import exonic_sequence

        sequence = exonic_sequence(tx, resolved)
    window = gene.get(resolved) if resolved else None
    records: list[MafRecord] = []
    notices: list[str] = [f"{name}:{n}: a repeated column header line; skipped" for n in scan.repeated_headers]
    for line_no, text in scan.candidates:
        try:
            found = _record(line_no, text, header, name, sequence, window)
        except _RowError as exc:
            notices.append(f"{name}:{line_no}: {exc}; row skipped")
            continue
        if found is None:
            fields = text.split("\t")
            if (_cell(fields, index, "Hugo_Symbol") or "").upper() == "ERBB2" and window is not None:
                notices.append(
                    f"{name}:{line_no}: Hugo_Symbol ERBB2 at {_cell(fields, index, 'Chromosome')}:"
                    f"{_cell(fields, index, 'Start_Position')} lies outside the ERBB2 gene on {resolved} "
                    f"(chr17:{window[0]}-{window[1]}); row skipped")
            continue
        record, row_notices = found
        records.append(record)
        notices.extend(row_notices)
    return MafRead(path=name, genome=resolved, samples=list(scan.samples), records=records, notices=notices)
