"""Read one region of a bgzipped VCF through its tabix (.tbi) index, in pure Python.

The index gives, for each reference, the BGZF virtual offsets of the chunks of
records in each bin (the UCSC/SAM binning scheme, 16 kb leaf windows) and a
linear index: the offset of the first record overlapping each 16 kb window.
Querying it is htslib's rule (``hts_itr_query``): the chunks of the bins that
can hold an overlapping record (``reg2bins``), minus those ending before the
linear-index offset of the region's first window. We seek to the smallest
qualifying chunk start, then inflate BGZF blocks sequentially (one at a time:
the decompressed bytes held stay small) until a record on the contig starts
past the region or the contig changes -- the index guarantees the sort order.

Records are selected with the same rule as :func:`her2cli.io.fastscan.scan_naive`
(``POS <= end and POS + len(REF) - 1 >= start``). The index records each
record's span as POS..POS+len(REF)-1 (or INFO/END), so a long deletion starting
before the region is found through its (larger) bin.

Only the TBI format for VCF is handled; anything else (a CSI index, a TBI for
BED/GFF/SAM) returns ``None`` so that the caller can use htslib. Like
fastscan, this module imports nothing heavy.
"""

from __future__ import annotations

import struct

from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.io.bgzf import BgzfFile, require_eof_marker
from her2cli.io.lines import MAX_LINE_BYTES, line_too_long, nul_byte
from her2cli.io.vcftext import RegionRead, ScanResult, decode, pos_reflen, read_header, region_read

__all__ = ["read_tbi_region", "read_records", "IndexMismatch", "check_index_covers", "csi_last_offset", "tbi_last_offset"]

_TBI_MAGIC = b"TBI\x01"
_CSI_MAGIC = b"CSI\x01"
_FORMAT_VCF = 2
_MIN_SHIFT = 14  # 16 kb linear-index windows
_MAX_COORD = 1 << 29  # largest coordinate the TBI binning scheme can express
_MISSING = 0xFFFFFFFFFFFFFFFF
_META_BIN = 37450  # htslib's metadata pseudo-bin of a TBI (min_shift 14, depth 5)


class IndexMismatch(MalformedInputError):
    """The index does not describe this data file: it was made for another file, or the data changed after
    indexing (a stale index). Checked against the data, not by modification time: the index's last offset
    must be the end of the data, and the offsets it gives must land on block boundaries, at the start of a
    record of the contig asked for. The caller reads the whole file instead, with a notice."""


def _reg2bins(beg: int, end: int) -> set[int]:
    """Bins that may hold an interval overlapping [beg, end) (0-based, half-open)."""
    end -= 1
    bins = {0}
    for shift, first in ((26, 1), (23, 9), (20, 73), (17, 585), (14, 4681)):
        bins.update(range(first + (beg >> shift), first + (end >> shift) + 1))
    return bins


# ------------------------------------------------------------------ the index

class _IndexBuf:
    """The decompressed index, inflated block by block (``bgzf.BgzfFile``) only as far as the parser reads."""

    def __init__(self, raw: bytes, path: str):
        self.raw, self.path = raw, path
        self.data = bytearray()
        self.blocks = None
        if raw[:2] != b"\x1f\x8b":
            self.data += raw  # htslib also accepts an uncompressed index
            self.raw = b""

    def ensure(self, n: int) -> None:
        """Inflate until at least n bytes are available (or the index ends)."""
        try:
            if self.raw:
                self.blocks = BgzfFile.in_memory(self.raw, self.path).blocks(0)
                self.raw = b""
            while len(self.data) < n and self.blocks is not None:
                block = next(self.blocks, None)
                if block is None:
                    self.blocks = None
                    break
                self.data += block
        except MalformedInputError as exc:
            raise MalformedInputError(f"corrupt or truncated tabix index ({exc.message})", path=self.path) from None


def _one_chunk_run(buf: _IndexBuf, p: int, left: int) -> int:
    """How many of the next ``left`` bins at ``p`` hold exactly one chunk.

    Nearly every bin of a VCF index does (24 bytes: bin, n_chunk=1, beg, end), so
    a reference's bins are skipped by looking at every 24th byte with C-speed
    strided slices instead of unpacking ~10^5 bins one by one.
    """
    stop = p + 24 * left
    buf.ensure(stop)
    data = buf.data
    if len(data) < stop:
        return 0  # truncated: let the slow path raise
    n = _leading(data[p + 4:stop:24], _IS_ONE)  # low byte of each n_chunk
    for k in (5, 6, 7):  # the other three bytes of n_chunk must be 0
        if n == 0:
            break
        n = min(n, _leading(data[p + k:p + k + 24 * n:24], _IS_ZERO))
    return n


# Byte tables for _leading: 0 where the byte is the one wanted, 1 elsewhere.
_IS_ONE = bytes(0 if b == 1 else 1 for b in range(256))
_IS_ZERO = bytes(0 if b == 0 else 1 for b in range(256))


def _leading(s: bytearray, table: bytes) -> int:
    """How many bytes at the start of ``s`` the table marks 0 (a C-speed translate and find: ``lstrip``
    with an argument tests each byte with a memchr call, 10x slower)."""
    first_other = s.translate(table).find(1)
    return len(s) if first_other < 0 else first_other


def _read_index_bytes(index_path: str) -> bytes:
    try:
        with open(index_path, "rb") as fh:
            return fh.read()
    except FileNotFoundError as exc:
        raise InputMissingError("no such index file", path=index_path) from exc
    except OSError as exc:
        raise InputMissingError(f"cannot open index file ({exc.strerror})", path=index_path) from exc


def _load_index(index_path: str) -> _IndexBuf | None:
    """The index (lazily inflated), or None when it is not a TBI."""
    buf = _IndexBuf(_read_index_bytes(index_path), index_path)
    buf.ensure(4)
    if bytes(buf.data[:4]) != _TBI_MAGIC:
        return None  # CSI ("CSI\1") or something else: let htslib deal with it
    return buf


class _Tbi:
    """The parts of a TBI index needed for one query (parsed lazily, per reference)."""

    def __init__(self, buf: _IndexBuf):
        self.buf, self.path = buf, buf.path
        try:
            buf.ensure(36)
            (self.n_ref, self.fmt, self.col_seq, self.col_beg, self.col_end, self.meta,
             self.skip, l_nm) = struct.unpack_from("<8i", buf.data, 4)
            if l_nm < 0 or self.n_ref < 0:
                raise struct.error("negative count")
            buf.ensure(36 + l_nm)
            names = bytes(buf.data[36:36 + l_nm])
            if len(names) != l_nm:
                raise struct.error("names truncated")
        except struct.error as exc:
            raise self._bad() from exc
        self.names = [n.decode("utf-8", "replace") for n in names.split(b"\0")[:self.n_ref]]
        if len(self.names) != self.n_ref:
            raise self._bad()
        self.refs_off = 36 + l_nm

    def _bad(self) -> MalformedInputError:
        return MalformedInputError("corrupt or truncated tabix index", path=self.path)

    def is_vcf(self) -> bool:
        return (self.fmt & 0xFFFF) == _FORMAT_VCF and self.col_seq == 1 and self.col_beg == 2

    def query(self, tids: set[int], spans: list[tuple[int, int]]) -> list[dict[int, int]]:
        """For each [beg, end) of ``spans`` (0-based): tid -> virtual offset where to start reading (tids with
        nothing to read are absent). One walk over the index serves every span."""
        wants = [_reg2bins(beg, end) for beg, end in spans]
        windows = [beg >> _MIN_SHIFT for beg, _ in spans]
        every_bin = set().union(*wants)
        out: list[dict[int, int]] = [{} for _ in spans]
        p = self.refs_off
        try:
            for tid in range(max(tids) + 1):
                wanted = tid in tids
                p, chunks = self._bins(p, every_bin if wanted else None)
                p, min_offs = self._linear(p, windows if wanted else [])
                for want, min_off, starts_of in zip(wants, min_offs, out):
                    if min_off is None:  # the window is past the reference's last record
                        continue
                    starts = [u for b, u, v in chunks if b in want and v > min_off]
                    if starts:
                        # Every record overlapping the region lies at or after min_off (a record
                        # start), so starting there is as safe as at an earlier chunk start.
                        starts_of[tid] = max(min(starts), min_off)
        except struct.error as exc:
            raise self._bad() from exc
        return out

    def _bins(self, p: int, want: set[int] | None, single_chunk: bool = True) -> tuple[int, list[tuple[int, int, int]]]:
        """Read one reference's bins at ``p``; the chunks (bin, beg, end) of the bins in ``want`` (None: skip
        them all; ``single_chunk`` False: no bin wanted has one chunk, so runs of those are skipped unread).
        Returns the offset after the bins and the chunks."""
        buf = self.buf
        (n_bin,) = struct.unpack_from("<i", self._at(p, 4), p)
        if n_bin < 0:
            raise struct.error("negative n_bin")
        p += 4
        chunks: list[tuple[int, int, int]] = []
        left = n_bin
        while left:
            n = _one_chunk_run(buf, p, left)  # the common case, skipped in bulk
            if n:
                if want is not None and single_chunk:
                    chunks += [(b, u, v) for b, _, u, v in struct.iter_unpack("<IiQQ", buf.data[p:p + 24 * n])
                               if b in want]
                p += 24 * n
                left -= n
                continue
            b, n_chunk = struct.unpack_from("<Ii", self._at(p, 8), p)
            if n_chunk < 0:
                raise struct.error("negative n_chunk")
            p += 8
            if want is not None and b in want:
                v = struct.unpack_from(f"<{2 * n_chunk}Q", self._at(p, 16 * n_chunk), p)
                chunks.extend((b, u, e) for u, e in zip(v[::2], v[1::2]))
            p += 16 * n_chunk
            left -= 1
        return p, chunks

    def _linear(self, p: int, windows: list[int]) -> tuple[int, list[int | None]]:
        """Read one reference's linear index at ``p``: the offset after it and, per window asked, the smallest
        file offset a record overlapping it can have (None: the window is past the last record)."""
        (n_intv,) = struct.unpack_from("<i", self._at(p, 4), p)
        if n_intv < 0:
            raise struct.error("negative n_intv")
        lin = p + 4
        after = lin + 8 * n_intv
        if not windows:
            return after, []
        data = self._at(after, 0)
        return after, [self._window_offset(data, lin, w) if w < n_intv else None for w in windows]

    @staticmethod
    def _window_offset(data: bytearray, lin: int, window: int) -> int:
        for w in range(window, -1, -1):  # a missing window entry: use an earlier one
            (v0,) = struct.unpack_from("<Q", data, lin + 8 * w)
            if v0 != _MISSING and (v0 != 0 or w == 0):
                return v0
        return 0

    def last_offset(self) -> int:
        """The virtual offset just past the last record indexed: the largest end of htslib's metadata pseudo-bin
        (each reference's first and last record offsets), read while the other bins are skipped in bulk (as the
        query skips them: this runs on every indexed read). An index without pseudo-bins (old tabix) has every
        chunk of its references unpacked instead."""
        p, last = self.refs_off, 0
        try:
            for _ in range(self.n_ref):
                start = p
                p, meta_end = self._meta_end(p)
                if meta_end is None:  # no metadata pseudo-bin: the largest chunk end of every bin
                    _, chunks = self._bins(start, _EVERY_BIN)
                    meta_end = max((v for _, _, v in chunks), default=0)
                last = max(last, meta_end)
                p, _ = self._linear(p, [])
        except struct.error as exc:
            raise self._bad() from exc
        return last

    def _meta_end(self, p: int) -> tuple[int, int | None]:
        """Skip one reference's bins at ``p``; the offset after them and the end offset its metadata pseudo-bin
        gives (None: it has none; 0: no bins, no records)."""
        (n_bin,) = struct.unpack_from("<i", self._at(p, 4), p)
        p, chunks = self._bins(p, {_META_BIN}, single_chunk=False)  # the pseudo-bin has two 'chunks'
        if not n_bin:
            return p, 0
        return p, (chunks[0][2] if len(chunks) == 2 else None)

    def _at(self, p: int, n: int) -> bytearray:
        """The index data, inflated at least up to p + n."""
        self.buf.ensure(p + n)
        return self.buf.data


class _EveryBin:
    """``want`` that holds every bin (for last_offset); the metadata pseudo-bin too (its first 'chunk' is the
    reference's first and last record offsets)."""

    def __contains__(self, bin_: object) -> bool:
        return bin_ != _META_BIN  # its second pair is (mapped, unmapped) counts, not offsets


_EVERY_BIN = _EveryBin()


def csi_last_offset(index_path: str) -> int | None:
    """The largest chunk end of a CSI index (see _Tbi.last_offset); None when the file is not a CSI."""
    buf = _IndexBuf(_read_index_bytes(index_path), index_path)
    bad = MalformedInputError("corrupt or truncated CSI index", path=index_path)
    try:
        buf.ensure(16)
        if bytes(buf.data[:4]) != _CSI_MAGIC:
            return None
        _min_shift, depth, l_aux = struct.unpack_from("<3i", buf.data, 4)
        meta_bin = ((1 << (3 * depth + 3)) - 1) // 7 + 1
        p = 16 + l_aux
        buf.ensure(p + 4)
        (n_ref,) = struct.unpack_from("<i", buf.data, p)
        p += 4
        last = 0
        for _ in range(n_ref):
            buf.ensure(p + 4)
            (n_bin,) = struct.unpack_from("<i", buf.data, p)
            p += 4
            for _ in range(n_bin):
                buf.ensure(p + 16)
                _bin, _loff, n_chunk = struct.unpack_from("<IQi", buf.data, p)
                p += 16
                if n_chunk and _bin != meta_bin:
                    buf.ensure(p + 16 * n_chunk)
                    ends = struct.unpack_from(f"<{2 * n_chunk}Q", buf.data, p)[1::2]
                    last = max(last, max(ends))
                p += 16 * n_chunk
    except struct.error:
        raise bad from None
    return last


def tbi_last_offset(index_path: str) -> int | None:
    """The largest chunk end of a TBI index (of any file type); None when the file is not a TBI."""
    buf = _load_index(index_path)
    return None if buf is None else _Tbi(buf).last_offset()


def check_index_covers(reader: BgzfFile, last: int, index_path: str) -> None:
    """IndexMismatch unless the index's last offset ``last`` is the end of the data: past it, only the
    end-of-file marker (a file grown, shrunk or replaced since indexing fails here)."""
    coff, uoff = last >> 16, last & 0xFFFF
    name = reader.name
    if coff > reader.size:
        raise IndexMismatch(f"the index ends at byte {coff}, past the end of {name} ({reader.size} bytes): it does "
                            "not belong to this file (stale index?)", path=index_path)
    try:
        for i, data in enumerate(reader.blocks(coff)):
            if i == 0:
                if uoff > len(data):
                    raise IndexMismatch(f"the index's last offset is past the end of a BGZF block of {name}: it "
                                        "does not belong to this file (stale index?)", path=index_path)
                data = data[uoff:]
            if data.strip():
                raise IndexMismatch(f"{name} has records after the last one its index knows: the file changed "
                                    "after it was indexed (stale index)", path=index_path)
    except IndexMismatch:
        raise
    except MalformedInputError:
        raise IndexMismatch(f"the index's last offset does not land on a BGZF block of {name}: it does not "
                            "belong to this file (stale index?)", path=index_path) from None


# ----------------------------------------------------------------- the data

def _read_records(reader: BgzfFile, voff: int, contig: str, start: int, end: int,
                  name: str, index_path: str) -> list[str]:
    coff, uoff = voff >> 16, voff & 0xFFFF
    if coff >= reader.size:
        raise IndexMismatch(
            f"index points to byte {coff}, past the end of {name} ({reader.size} bytes); "
            "the index does not belong to this file (stale index?)", path=index_path)
    prefix = contig.encode() + b"\t"
    out: list[str] = []
    carry = b""
    first = True
    try:
        blocks = reader.blocks(coff)
        head = next(blocks, b"")
    except MalformedInputError:
        raise IndexMismatch(f"index points to byte {coff} of {name}, where no BGZF block starts: the index does "
                            "not belong to this file (stale index?)", path=index_path) from None
    for data in _chain_one(head, blocks):
        if first:
            first = False
            if uoff > len(data) or (uoff and data[uoff - 1:uoff] != b"\n"):
                raise IndexMismatch(
                    f"index points inside a BGZF block of {name} where no record starts; "
                    "the index does not belong to this file (stale index?)", path=index_path)
            data = data[uoff:]
            if data and not data.startswith(prefix):
                raise IndexMismatch(
                    f"index points to a line of {name} that is not a {contig} record: the index does not "
                    "belong to this file (stale index?)", path=index_path)
        if not data:
            continue
        if b"\0" in data:
            raise nul_byte(name, None, "the records")
        lines = data.split(b"\n")
        if carry:
            lines[0] = carry + lines[0]
        carry = lines.pop()
        if len(carry) > MAX_LINE_BYTES:
            raise line_too_long(name, None, "VCF text")
        for line in lines:
            if _keep(line, prefix, start, end, name, out):
                return out
    if carry:  # last line without a newline
        _keep(carry, prefix, start, end, name, out)
    return out


def _chain_one(first: bytes, rest):
    yield first
    yield from rest


def _keep(line: bytes, prefix: bytes, start: int, end: int, name: str, out: list[str]) -> bool:
    """Append the line if it overlaps; True once reading can stop."""
    if not line.startswith(prefix):
        return bool(line) and not line.startswith(b"#")  # another contig: done
    pos, reflen = pos_reflen(line, name)
    if pos > end:
        return True
    if pos + reflen - 1 >= start:
        out.append(decode(line))
    return False


# ------------------------------------------------------------------- public API

def read_tbi_region(path: str, index_path: str, contigs: set[str], regions: list[tuple[int, int]]
                    ) -> ScanResult | None:
    """Header lines plus the records of ``contigs`` overlapping each [start, end] of ``regions`` (1-based,
    closed; regions in ascending order), read through the tabix index with one parse of the index and one
    read of the header; None if ``index_path`` is not a TBI index for VCF."""
    found = _read(path, index_path, contigs, regions)
    return None if found is None else ScanResult(*found)


def read_records(path: str, index_path: str, contigs: set[str], regions: list[tuple[int, int]]
                 ) -> RegionRead | None:
    """``read_tbi_region`` for ``io.vcf.read_region``: the header and the records parsed (``vcftext``)."""
    found = _read(path, index_path, contigs, sorted(regions))
    return None if found is None else region_read(*found, path, contigs, regions)


def _read(path: str, index_path: str, contigs: set[str], regions: list[tuple[int, int]]
          ) -> tuple[list[str], list[str], str, list[str]] | None:
    """(header lines, record lines, method, notices), or None when the index is not a TBI for VCF. The index
    is loaded and the data file checked (its end-of-file marker) before either is read further."""
    buf = _load_index(index_path)
    if buf is None:
        return None
    try:
        fh = open(path, "rb")
    except FileNotFoundError as exc:
        raise InputMissingError("no such file", path=path) from exc
    except OSError as exc:
        raise InputMissingError(f"cannot open file ({exc.strerror})", path=path) from exc
    with fh:
        fh.seek(0, 2)
        size = fh.tell()
        require_eof_marker(fh, size, path)
        reader = BgzfFile(fh, size, path)
        tbi = _Tbi(buf)
        if not tbi.is_vcf():
            return None
        check_index_covers(reader, tbi.last_offset(), index_path)
        records: list[str] = []
        tid_of = {n: i for i, n in enumerate(tbi.names)}
        tids = {tid_of[c] for c in contigs if c in tid_of}
        spans = [(max(start, 1), end) for start, end in regions]
        spans = [(start, end) for start, end in spans if start <= end and start <= _MAX_COORD]
        if tids and spans:
            per_span = tbi.query(tids, [(start - 1, min(end, _MAX_COORD)) for start, end in spans])
            for (start, end), starts in zip(spans, per_span):
                for tid in sorted(starts):  # index order is file order
                    records += _read_records(reader, starts[tid], tbi.names[tid], start, end,
                                             path, index_path)
        header = read_header(reader.blocks(0), path)
    return header, records, "tabix-index", []
