"""Find the VCF lines of one region of a file without an index, without parsing every record.

Works on plain text, plain gzip and BGZF *without* an index (an indexed file is served by tabix). This
module supplies the bytes: it sniffs the compression, inflates (BGZF blocks in parallel threads, see
:mod:`her2cli.io.bgzf`) and hands the text in large chunks to ``vcftext.RegionScanner``, which looks for
``b"\\n<contig>\\t"`` with ``bytes.find`` -- only those candidate lines are split. ``read_file`` /
``read_stream`` (for ``io.vcf``) end with the records parsed (``vcftext.region_read``); ``scan_region`` /
``scan_stream`` return the lines (``ScanResult``).

No silent miss (issue #11): sortedness cannot be known without reading the file, so by default every
input is read whole. Only with ``assume_sorted=True`` (``--assume-sorted``) does the plain-text scan stop
once past the region and a large BGZF file get bisected by byte offset: a probe block is inflated and the
contig/position of its first complete line read, which with the ``##contig`` order from the header is
enough to jump to the region's contig. That is fast and exact on sorted files, and misses records placed
out of order (e.g. ``cat a.vcf b.vcf``): the bisection checks the order at 16 sampled blocks and falls
back to the whole read with a notice when they disagree, but samples prove nothing about the rest.

Garbage is an error, never a clean negative: a NUL byte anywhere in the data, a control character in a
region line, or a line longer than ``MAX_LINE_BYTES`` raise MalformedInputError naming the file and line.
Memory is bounded by the chunk size and that line limit, whatever the input (``/dev/zero``, gzip bombs).

Every path returns exactly what a plain full read filtered by the same rule returns (``scan_naive`` is
that rule, kept here as the reference). Assumption (as htslib makes it): a header with ``##contig``
lines lists every contig used (an unlisted target such as "17" in a chr-named file is absent).

This module deliberately imports nothing heavy: it runs before the CLI decides whether it needs
cyvcf2/pandas at all.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import os
import stat
from typing import BinaryIO, Iterable, Iterator

from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.io.bgzf import DECOMPRESS_ERRORS as _DECOMPRESS_ERRORS
from her2cli.io.bgzf import EOF_MARKER, BgzfFile, is_bgzf, missing_eof, require_eof_marker
from her2cli.io.bgzf import MAX_BLOCK as _MAX_BLOCK
from her2cli.io.sniff import Prepended, open_binary
from her2cli.io.vcftext import (  # noqa: F401 (ScanResult, MAX_LINE_BYTES: re-exported)
    MAX_LINE_BYTES,
    HeaderReader as _Header,
    RegionRead,
    RegionScanner,
    LineOf,
    region_read,
    ScanResult,
    decode as _decode,
    pos_reflen as _pos_reflen,
    too_long as _too_long,
)

__all__ = ["ScanResult", "scan_region", "scan_stream", "scan_naive", "read_file", "read_stream", "MAX_LINE_BYTES"]


def _gzip():
    """isal's gzip module (inflates 2-3x faster than zlib; zlib's where isal cannot be installed). Imported
    on first use: an indexed read never needs it."""
    try:
        from isal import igzip
    except ImportError:  # pragma: no cover - exercised only without isal
        import gzip as igzip  # type: ignore[no-redef]
    return igzip


CHUNK = 8 << 20  # bytes of decompressed text handled per step
_GZIP_MAGIC = b"\x1f\x8b"
# Stop bisecting when the remaining window is this small (compressed bytes) and read it:
# a few blocks cost less than more probes. Tests set it to 0 to exercise the bisection.
_SEEK_SCAN_BYTES = 3 * _MAX_BLOCK
# Below this compressed size a full read is about as fast and checks every line.
_SEEK_MIN_BYTES = 1 << 20
# Evenly spaced probes that check the contig/position order before trusting a seek.
_SORT_SAMPLES = 16


class _Fallback(Exception):
    """The seek path cannot be trusted for this file; carries the notice text."""


# ------------------------------------------------------------------ compressed IO

@contextlib.contextmanager
def _read_errors(name: str, compressed: bool) -> Iterator[None]:
    """Errors of reading the bytes, said as what they mean for the file (truncated, corrupt, unreadable)."""
    try:
        yield
    except EOFError as exc:
        raise MalformedInputError("truncated gzip/BGZF stream (file ends in the middle of compressed data)",
                                  path=name) from exc
    except _DECOMPRESS_ERRORS as exc:
        if not compressed:
            raise InputMissingError(f"cannot read file: {exc}", path=name) from exc
        raise MalformedInputError(f"corrupt gzip data ({exc})", path=name) from exc


def _compression_note(head: bytes) -> str | None:
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return None


def _line_counter(path: str, compressed: bool) -> LineOf:
    """For error messages only: re-read the file up to an offset and count the lines."""

    def line_of(offset: int) -> int | None:
        try:
            opener = _gzip().open if compressed else open
            with opener(path, "rb") as fh:
                count, left = 0, offset
                while left > 0:
                    data = fh.read(min(CHUNK, left))
                    if not data:
                        break
                    count += data.count(b"\n")
                    left -= len(data)
            return count + 1
        except (OSError, EOFError, MalformedInputError):
            return None

    return line_of


# ---------------------------------------------------------------------- BGZF seek (--assume-sorted)

class _Bisection:
    """Find a region in a sorted BGZF file by bisecting on byte offsets (``--assume-sorted`` only)."""

    def __init__(self, bg: BgzfFile, contigs: set[str], start: int, end: int, name: str):
        self.bg, self.contigs, self.start, self.end, self.name = bg, contigs, start, end, name
        self.eof_off = bg.size - len(EOF_MARKER)
        self.ranks: dict[str, int] = {}
        self.probes: dict[int, tuple[int, int]] = {}  # block offset -> (rank, pos) of its first line

    def run(self) -> "Scan":
        header, data_pos = self._header()
        if data_pos is None:
            header.finish()
            return header.lines, [], "bgzf-seek", []
        self.ranks = header.contig_order()
        if not self.ranks:
            raise _Fallback("no ##contig header lines, so the contig order is unknown; read the whole file")
        self._sample_order(data_pos[0])
        records: list[str] = []
        for trank, tname in sorted((self.ranks[c], c) for c in self.contigs if c in self.ranks):
            lo, lo_in = self._last_block_before(trank, data_pos)
            self._check_probes()
            records += _read_region_from(self.bg, lo, lo_in, self.eof_off, self.ranks, tname, trank,
                                         self.start, self.end, self.name)
        self._check_probes()
        return header.lines, records, "bgzf-seek", []

    def _header(self) -> tuple[_Header, tuple[int, int] | None]:
        """The header and (block offset, offset in its data) of the first record."""
        header = _Header(self.name)
        off = 0
        while off < self.eof_off:
            data, nxt = self.bg.block(off)
            rest = header.feed(data)
            if rest is not None:
                return header, ((off, len(data) - len(rest)) if rest else (nxt, 0))
            off = nxt
        return header, None

    def _sample_order(self, first: int) -> None:
        # Sortedness evidence beyond the bisection probes: a few evenly spaced blocks.
        step = (self.eof_off - first) / (_SORT_SAMPLES + 1)
        for k in range(1, _SORT_SAMPLES + 1):
            at = int(first + k * step)
            if at > first:
                self._probe(at, self.eof_off)
        self._check_probes()

    def _last_block_before(self, trank: int, data_pos: tuple[int, int]) -> tuple[int, int]:
        """Binary search: the last block whose first line is on an earlier contig than ``trank``."""
        lo, lo_in = data_pos
        hi = self.eof_off
        while hi - lo > max(_SEEK_SCAN_BYTES, 1):  # mid > lo: every probe makes progress
            mid = (lo + hi) // 2
            p = self._probe(mid, hi)
            if p is not None and p[2] < trank:
                lo, lo_in = p[0], p[1]
            else:
                hi = mid
        return lo, lo_in

    def _probe(self, at: int, limit: int) -> tuple[int, int, int, int] | None:
        """(block, offset in block data, rank, pos) of the first line starting in a block >= at."""
        b = self.bg.next_block(at, limit)
        while b is not None and b < min(limit, self.eof_off):
            data, nxt = self.bg.block(b)
            nl = data.find(b"\n")
            if 0 <= nl < len(data) - 1:
                rank, pos = self._first_line_key(data[nl + 1:nl + 513], nxt)
                self.probes[b] = (rank, pos)
                return b, nl + 1, rank, pos
            b = nxt
        return None

    def _first_line_key(self, text: bytes, tail: int) -> tuple[int, int]:
        while text.count(b"\t") < 2 and b"\n" not in text and tail < self.eof_off:
            more, tail = self.bg.block(tail)  # the line continues in the next block(s)
            text += more[:512]
        f = text.split(b"\n", 1)[0].split(b"\t", 2)
        if len(f) < 3 or not f[1].isdigit():
            raise _Fallback("a line in the middle of the file is not a record; read the whole file")
        chrom = f[0].decode("utf-8", "replace")
        rank = self.ranks.get(chrom)
        if rank is None:
            raise _Fallback(f"contig {chrom} is not in the ##contig header lines; read the whole file")
        return rank, int(f[1])

    def _check_probes(self) -> None:
        prev = None
        for off in sorted(self.probes):
            key = self.probes[off]
            if prev is not None and key < prev:
                raise _Fallback("file is not sorted by contig and position (checked at sampled blocks); "
                                "read the whole file")
            prev = key


def _read_region_from(bg: BgzfFile, off: int, skip: int, eof_off: int, ranks: dict[str, int],
                      tname: str, trank: int, start: int, end: int, name: str) -> list[str]:
    target = tname.encode()
    out: list[str] = []
    carry = b""
    prev_rank, last_pos = -1, -1
    first = True
    while off < eof_off:
        parts = []
        n = 0
        while off < eof_off and n < (1 << 20):  # ~1 MB of text per step
            data, off = bg.block(off)
            parts.append(data)
            n += len(data)
        buf = b"".join(parts)
        if first:
            buf, first = buf[skip:], False
        if carry:
            buf = carry + buf
        if b"\0" in buf:
            raise MalformedInputError("binary data (NUL bytes) in the records", path=name)
        lines = buf.split(b"\n")
        carry = lines.pop()  # incomplete last line (b"" after a newline)
        if len(carry) > MAX_LINE_BYTES:
            raise _too_long(name, None)
        if off >= eof_off and carry:
            lines.append(carry)  # last line of the file without a newline
        for line in lines:
            t = line.find(b"\t")
            chrom = line[:t] if t > 0 else line
            if chrom != target:
                r = ranks.get(chrom.decode("utf-8", "replace"))
                if r is None:
                    if line.startswith(b"#") or not line:
                        continue
                    raise _Fallback(f"contig {_decode(chrom)} is not in the ##contig header lines; "
                                    "read the whole file")
                if r < prev_rank:
                    raise _Fallback("file is not sorted by contig; read the whole file")
                prev_rank = r
                if r > trank:
                    return out
                continue
            prev_rank = trank
            pos, reflen = _pos_reflen(line, name)
            if pos < last_pos:
                raise _Fallback(f"file is not sorted by position on {tname}; read the whole file")
            last_pos = pos
            if pos > end:
                return out
            if pos + reflen - 1 >= start:
                out.append(_decode(line))
    return out


# ------------------------------------------------------------------- public API


def scan_region(path: str, contigs: set[str], start: int, end: int, assume_sorted: bool = False) -> ScanResult:
    """Header lines plus the records of ``contigs`` overlapping [start, end] (1-based, closed).

    Plain text, gzip or BGZF (sniffed from the first bytes, not the file name), read whole unless
    ``assume_sorted``. A pipe or device is read as a stream (``scan_stream``).
    """
    with open_binary(path, "VCF") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return scan_stream(fh, contigs, start, end, path, assume_sorted)
        return ScanResult(*_scan_file(fh, contigs, start, end, path, assume_sorted))


def scan_stream(stream: BinaryIO, contigs: set[str], start: int, end: int,
                source_name: str, assume_sorted: bool = False) -> ScanResult:
    """Like scan_region for a non-seekable stream (stdin, a pipe, ``<(...)``), plain or gzip/BGZF."""
    return ScanResult(*_scan_stream(stream, contigs, start, end, source_name, assume_sorted))


def read_file(fh: BinaryIO, path: str, contigs: set[str], regions: list[tuple[int, int]],
              assume_sorted: bool = False) -> RegionRead:
    """The header and parsed records of ``contigs`` overlapping any of ``regions`` in an opened regular file
    (``io.vcf.read_region``): one scan over the hull of the regions (both builds' ERBB2 windows when the build
    is not known yet: a second pass over a whole gzip file would cost far more than the 2 Mb between them)."""
    start, end = min(s for s, _ in regions), max(e for _, e in regions)
    header, records, method, notices = _scan_file(fh, contigs, start, end, path, assume_sorted)
    return region_read(header, records, method, notices, path, contigs, regions)


def read_stream(stream: BinaryIO, name: str, contigs: set[str], regions: list[tuple[int, int]],
                assume_sorted: bool = False) -> RegionRead:
    """``read_file`` for a stream read once (stdin, a pipe)."""
    start, end = min(s for s, _ in regions), max(e for _, e in regions)
    header, records, method, notices = _scan_stream(stream, contigs, start, end, name, assume_sorted)
    return region_read(header, records, method, notices, name, contigs, regions)


Scan = tuple[list[str], list[str], str, list[str]]  # header lines, record lines, method, notices


def _scan_file(fh: BinaryIO, contigs: set[str], start: int, end: int, path: str, assume_sorted: bool) -> Scan:
    head = fh.read(18)
    note = _compression_note(head)
    if note:
        raise MalformedInputError(f"{note}-compressed input is not supported; use bgzip or plain text",
                                  path=path)
    if not head.startswith(_GZIP_MAGIC):
        fh.seek(0)
        line_of = _line_counter(path, False)
        with _read_errors(path, compressed=False):
            scanner = RegionScanner(contigs, start, end, path, assume_sorted, line_of, MAX_LINE_BYTES)
            header, records, notices = scanner.scan(iter(functools.partial(fh.read, CHUNK), b""))
        return header, records, "scan-plain", notices
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    if not is_bgzf(head):
        fh.seek(0)
        return _scan_gzip(fh, contigs, start, end, path, "scan-gzip", _line_counter(path, True))
    notices: list[str] = []
    bg = BgzfFile(fh, size, path)
    # Cut short at a block boundary, the blocks read as a complete (shorter) file: only the marker tells.
    require_eof_marker(fh, size, path)
    if assume_sorted and size >= _SEEK_MIN_BYTES:
        try:
            return _Bisection(bg, contigs, start, end, path).run()
        except _Fallback as fb:
            notices.append(str(fb))
    scanner = RegionScanner(contigs, start, end, path, False, _line_counter(path, True), MAX_LINE_BYTES)
    header, records, found = scanner.scan(bg.chunks(0))
    return header, records, "scan-bgzf", _merge(notices, found)


def _merge(a: list[str], b: list[str]) -> list[str]:
    out = list(a)
    for n in b:
        if n not in out:
            out.append(n)
    return out


def _scan_gzip(fh: BinaryIO, contigs: set[str], start: int, end: int, name: str, method: str,
               line_of: LineOf | None) -> Scan:
    # Read to the end even once past the region: only the end of a gzip stream
    # tells a complete file from a truncated one (the cost is inflate, not parsing).
    # (isal's threaded reader was measured: ~5% faster, twice the memory -- not used.)
    with _read_errors(name, compressed=True), _gzip().GzipFile(fileobj=fh, mode="rb") as gz:
        scanner = RegionScanner(contigs, start, end, name, False, line_of, MAX_LINE_BYTES)
        header, records, notices = scanner.scan(iter(functools.partial(gz.read, CHUNK), b""))
    return header, records, method, notices


def _scan_stream(stream: BinaryIO, contigs: set[str], start: int, end: int, source_name: str,
                 assume_sorted: bool) -> Scan:
    head = b""
    while len(head) < 18:  # pipes may return short reads
        more = stream.read(18 - len(head))
        if not more:
            break
        head += more
    note = _compression_note(head)
    if note:
        raise MalformedInputError(f"{note}-compressed input is not supported; use bgzip or plain text",
                                  path=source_name)
    if head.startswith(_GZIP_MAGIC):
        tail = _Tail(Prepended(head, stream))
        raw = io.BufferedReader(tail, buffer_size=1 << 20)
        bgzf = is_bgzf(head)
        result = _scan_gzip(raw, contigs, start, end, source_name,  # type: ignore[arg-type]
                            "scan-bgzf" if bgzf else "scan-gzip", None)
        if bgzf and tail.last != EOF_MARKER:  # read to the end: the last bytes are the marker block
            raise missing_eof(source_name)
        return result
    with _read_errors(source_name, compressed=False):
        scanner = RegionScanner(contigs, start, end, source_name, assume_sorted, None, MAX_LINE_BYTES)
        rest = iter(functools.partial(stream.read, CHUNK), b"")
        header, records, notices = scanner.scan(itertools.chain((head,), rest) if head else rest)
    return header, records, "scan-plain", notices


class _Tail(io.RawIOBase):
    """A read-once stream that remembers its last bytes (the BGZF end-of-file marker of a pipe)."""

    def __init__(self, stream):
        self.stream = stream
        self.last = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.stream.readinto(buffer)
        if n:
            self.last = (self.last + bytes(buffer[max(0, n - len(EOF_MARKER)):n]))[-len(EOF_MARKER):]
        return n or 0


def scan_naive(lines: Iterable[str], contigs: set[str], start: int, end: int,
               method: str = "naive") -> ScanResult:
    """Reference rule: every line read and split (used by the tests; slow)."""
    header: list[str] = []
    records: list[str] = []
    in_header = True
    for line in lines:
        line = line.rstrip("\n").rstrip("\r")
        if in_header:
            header.append(line)
            if line.startswith("#CHROM"):
                in_header = False
            continue
        if not line or line.startswith("#"):
            continue
        f = line.split("\t", 4)
        if f[0] in contigs:
            pos = int(f[1])
            if pos <= end and pos + len(f[3]) - 1 >= start:
                records.append(line)
    return ScanResult(header, records, method, [])
