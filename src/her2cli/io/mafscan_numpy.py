"""The numpy MAF block scanner: the fallback of the compiled one (her2cli.io._mafscan), where that
cannot be built, and its reference in the tests. Both take the same arguments and give, line for
line, the same answer (the contract is in her2cli.io.maf: ``Scanner``).

Rows are not parsed one by one in Python: each block of bytes is scanned with numpy (line ends, the
tabs near each line's start, the Chromosome, Start_Position, Hugo_Symbol and Tumor_Sample_Barcode
fields of every line), and only the candidate lines are handed back as spans.
"""

from __future__ import annotations

import numpy as np

from her2cli.io.maf import BLOCK_PADDING as _PAD

__all__ = ["NumpyScanner"]

_FIRST_WINDOW = 128  # bytes of each line searched for tabs at first (the columns read are near the start)
_WINDOW_BYTES = 2 << 20  # at most this many window bytes gathered at once (lines x window)
_TABLE_BYTES = 1 << 20  # size of the table of known barcodes of one key width
_KEY_BYTES = 64  # barcodes up to this long are compared as keys in numpy, longer ones read as written
_MIX = np.uint64(0x9E37_79B9_7F4A_7C15)  # odd 64-bit multiplier of the barcode hash (2^64 / golden ratio)
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


class NumpyScanner:
    """The block scanner of one MAF file (see her2cli.io.maf ``Scanner``): column numbers (``hugo`` -1
    when the file has none), the prefilter windows of Start_Position on chr17 as inclusive (low, high),
    and the header's Chromosome name. Blocks must reach BLOCK_PADDING bytes past their length."""

    def __init__(self, hugo: int, chrom: int, start: int, barcode: int, windows: list[tuple[int, int]],
                 header_chrom: bytes):
        self.hugo, self.chrom, self.start, self.barcode = hugo, chrom, start, barcode
        self.windows = windows
        self.header_chrom = header_chrom
        self.eight_digit_windows = all(10**7 <= lo and hi < 10**8 for lo, hi in windows)
        self.known_barcodes = _KnownBarcodes()
        self.scratch = _Scratch()
        self.tabs = _Tabs([c for c in (hugo, chrom, start, barcode) if c >= 0], self.scratch)

    def block(self, data: memoryview, length: int) -> tuple[int, list, list[bytes], tuple | None, list[int]]:
        """Scan the first ``length`` bytes of ``data`` (whole lines; the last may lack its newline;
        ``data`` reaches _PAD bytes further): (lines, candidate spans, barcodes, first row, repeated
        headers) as her2cli.io.maf ``Scanner.block`` says; a barcode may be listed more than once."""
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

        chrom = span(self.chrom)
        # Concatenated MAFs repeat the column header: such a line is no data (and no sample).
        repeated = _equals(words, *chrom, self.header_chrom)
        repeated_headers: list[int] = []
        if repeated.any():
            repeated_headers = _nonzero(repeated).tolist()
            data_line &= ~repeated
            chrom = (chrom[0], chrom[1], chrom[2] & ~repeated)
        first_row = None
        if data_line.any():
            r = int(np.argmax(data_line))
            first_row = (r, int(starts[r]), int(ends[r]))

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
            pos_begin, pos_end, _ = span(self.start, on17)
            wanted[on17] = self._in_windows(arr, words, pos_begin, pos_end)
        if self.hugo >= 0:
            wanted |= _equals(words, *span(self.hugo), b"ERBB2")
        rows = _nonzero(wanted)
        candidates = list(zip(rows.tolist(), starts[rows].tolist(), ends[rows].tolist()))
        barcodes = _barcodes(self.known_barcodes, data, padded, *span(self.barcode))
        return len(ends), candidates, barcodes, first_row, repeated_headers

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
            in_window |= (number >= _eight_digits(lo)) & (number <= _eight_digits(hi))
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
            keep |= (value >= lo) & (value <= hi)
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


