"""Find the VCF lines of one region without parsing every record.

Works on plain text, plain gzip and BGZF *without* an index (an indexed file is
better served by tabix). The idea: decompress in large chunks and look for
``b"\\n<contig>\\t"`` with ``bytes.find`` -- only those candidate lines are split.
For BGZF the file is a chain of independent gzip blocks, so we can binary-search
by byte offset, inflate one block, and read the contig/position of its first
complete line; with the ``##contig`` order from the header that is enough to jump
to the start of the region's contig.

Every path returns exactly what a plain full read filtered by the same rule
returns (``scan_naive`` is that rule, kept here as the reference). Anything that
would make the seek unsafe (no contig order, unsorted data, a contig missing from
the header, a missing BGZF EOF marker) falls back to the sequential scan with a
notice. Assumptions (as htslib makes them): a header with ``##contig`` lines lists
every contig used (an unlisted target such as "17" in a chr-named file is absent),
and sortedness is checked on what is read (probe blocks, the lines up to the
region), not proven for the rest -- the plain-text scan and the BGZF seek stop
once past the region; gzip/BGZF full reads always see every line.

This module deliberately imports nothing heavy: it runs before the CLI decides
whether it needs cyvcf2/pandas at all.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Iterator

from her2cli.errors import InputMissingError, MalformedInputError

try:  # isal inflates 2-3x faster than zlib; optional dependency ("fast" extra)
    from isal import igzip as _gzip
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - exercised only without isal
    import gzip as _gzip  # type: ignore[no-redef]
    import zlib as _zlib  # type: ignore[no-redef]
import zlib as _stdzlib

__all__ = ["ScanResult", "scan_region", "scan_stream", "scan_naive"]

CHUNK = 8 << 20  # bytes of decompressed text handled per step
_GZIP_MAGIC = b"\x1f\x8b"
_BGZF_MAGIC = b"\x1f\x8b\x08\x04"
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_MAX_BLOCK = 65536
# Stop bisecting when the remaining window is this small (compressed bytes) and read it:
# a few blocks cost less than more probes. Tests set it to 0 to exercise the bisection.
_SEEK_SCAN_BYTES = 3 * _MAX_BLOCK
# Below this compressed size a full read is about as fast and checks every line.
_SEEK_MIN_BYTES = 1 << 20
# Evenly spaced probes that check the contig/position order before trusting a seek.
_SORT_SAMPLES = 16
_CONTIG_ID = re.compile(r"^##contig=<(?:.*,)?ID=([^,>]+)")
_DECOMPRESS_ERRORS = (OSError, EOFError, _zlib.error, _stdzlib.error)


@dataclass
class ScanResult:
    header_lines: list[str]
    records: list[str]
    method: str
    notices: list[str] = field(default_factory=list)


class _Fallback(Exception):
    """The seek path cannot be trusted for this file; carries the notice text."""


# --------------------------------------------------------------------------- lines

def _decode(line: bytes) -> str:
    if line.endswith(b"\r"):  # CRLF files: same lines as a text-mode read
        line = line[:-1]
    # 'replace' rather than failing: a stray Latin-1 byte in a description must not
    # make the whole file unreadable.
    return line.decode("utf-8", "replace")


def _pos_reflen(line: bytes, name: str) -> tuple[int, int]:
    """POS and len(REF) of a candidate record line; MalformedInputError if it is not one."""
    f = line.split(b"\t", 5)
    if len(f) < 6 or line.count(b"\t") < 7:
        raise MalformedInputError(
            f"not a VCF record (fewer than 8 tab-separated columns): {_decode(line[:60])!r}", path=name)
    if not f[1].isdigit():
        raise MalformedInputError(
            f"not a VCF record: POS {_decode(f[1][:20])!r} is not a number ({_decode(f[0])})", path=name)
    pos = int(f[1])
    ref = f[3]
    if ref.endswith(b"\r"):
        ref = ref[:-1]
    return pos, len(ref)


class _Header:
    """Collects the leading '#' lines; fed byte chunks, returns the bytes after '#CHROM'."""

    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.carry = b""
        self.done = False
        self.seen_bytes = False

    def feed(self, data: bytes) -> bytes | None:
        if data:
            self.seen_bytes = True
        buf = self.carry + data if self.carry else data
        i = 0
        while True:
            j = buf.find(b"\n", i)
            if j < 0:
                self.carry = buf[i:]
                if len(self.carry) > 1 and not self.carry.startswith(b"#"):
                    self._not_vcf(self.carry)
                return None
            self._line(buf[i:j])
            i = j + 1
            if self.done:
                self.carry = b""
                return buf[i:]

    def _line(self, line: bytes) -> None:
        if not line.startswith(b"#"):
            self._not_vcf(line)
        text = _decode(line)
        self.lines.append(text)
        if text.startswith("#CHROM"):
            self.done = True

    def _not_vcf(self, line: bytes) -> None:
        n = len(self.lines) + 1
        if not self.lines and line.startswith(b"BCF"):
            raise MalformedInputError("BCF is not supported here; convert with 'bcftools view -Ov'",
                                      path=self.name)
        if not self.lines and b"\0" in line[:1024]:
            raise MalformedInputError("not a VCF file (binary data)", path=self.name, line=1)
        raise MalformedInputError("not a VCF file: no '#CHROM' header line before the first record",
                                  path=self.name, line=n)

    def finish(self) -> None:
        if not self.done and self.carry:
            self._line(self.carry)
            self.carry = b""
        if not self.done:
            if not self.seen_bytes:
                raise MalformedInputError("empty file, not a VCF", path=self.name)
            raise MalformedInputError("not a VCF file: no '#CHROM' header line", path=self.name)

    def contig_order(self) -> dict[str, int]:
        ranks: dict[str, int] = {}
        for text in self.lines:
            if text.startswith("##contig="):
                m = _CONTIG_ID.match(text)
                if m and m.group(1) not in ranks:
                    ranks[m.group(1)] = len(ranks)
        return ranks


# ------------------------------------------------------------- sequential scanner

class _Scanner:
    """Sequential raw-bytes scan. Feed decompressed chunks in order; read the result."""

    def __init__(self, contigs: set[str], start: int, end: int, name: str, early_stop: bool):
        self.start, self.end, self.name = start, end, name
        self.targets = sorted(contigs)
        self.needles = [b"\n" + c.encode() + b"\t" for c in self.targets]
        self.prefixes = tuple(c.encode() + b"\t" for c in self.targets)
        self.header = _Header(name)
        self.records: list[str] = []
        self.carry = b""
        self.in_header = True
        self.early_stop = early_stop
        self.ranks: dict[str, int] = {}
        self.last_pos: dict[bytes, int] = {}
        self.passed: set[bytes] = set()  # targets we are certainly past (sorted file)
        self.run_ended: set[bytes] = set()  # targets whose block of lines has ended
        self.sample_rank = -1
        self.unsorted: str | None = None

    # -- driving
    def feed(self, data: bytes) -> bool:
        """Process one chunk; False once the rest of the input cannot matter."""
        if self.in_header:
            rest = self.header.feed(data)
            if rest is None:
                return True
            self.in_header = False
            self.ranks = self.header.contig_order()
            if self.ranks:
                # A header that lists contigs is taken as complete (as htslib does): a
                # target it does not list (e.g. "17" in a chr-named file) is absent, so
                # only the listed targets are searched -- each needle is a pass over the data.
                keep = [i for i, c in enumerate(self.targets) if c in self.ranks]
                self.needles = [self.needles[i] for i in keep]
                self.prefixes = tuple(self.prefixes[i] for i in keep)
                self.passed = {c.encode() for c in self.targets if c not in self.ranks}
            else:
                self.early_stop = False  # contig order unknown: read everything
            data = rest
        self._chunk(data)
        return not (self.early_stop and self.unsorted is None
                    and len(self.passed) == len(self.targets))

    def finish(self) -> ScanResult:
        if self.in_header:
            self.header.finish()
            self.in_header = False
        if self.carry:
            line = self.carry
            self.carry = b""
            if self.prefixes and line.startswith(self.prefixes):
                self._candidates([line])
        notices = []
        if self.unsorted:
            notices.append(self.unsorted)
        return ScanResult(self.header.lines, self.records, "", notices)

    # -- per chunk
    def _chunk(self, buf: bytes) -> None:
        nl = buf.find(b"\n")
        if nl < 0:
            self.carry += buf
            return
        first = self.carry + buf[:nl] if self.carry else buf[:nl]
        self.carry = b""
        last = buf.rfind(b"\n")
        hits: list[tuple[int, bytes]] = []
        if self.prefixes and first.startswith(self.prefixes):
            hits.append((-1, first))
        multi = 0
        for needle in self.needles:
            i = buf.find(needle, nl, last)
            if i >= 0:
                multi += 1
            while i >= 0:
                j = buf.find(b"\n", i + 1)
                hits.append((i, buf[i + 1:j]))
                i = buf.find(needle, j, last)
        if multi > 1:
            hits.sort(key=lambda h: h[0])  # keep file order across contig aliases
        if hits:
            self._candidates([h[1] for h in hits])
            self._run_end_check(buf, nl, last, hits[-1])
        if self.ranks and last > nl:
            self._sample_last_line(buf, last)
        self.carry = buf[last + 1:]

    def _candidates(self, lines: list[bytes]) -> None:
        # Hot loop (every line of the target contig up to the region): keep it lean.
        start, end, last_pos = self.start, self.end, self.last_pos
        for line in lines:
            f = line.split(b"\t", 4)
            if len(f) < 5 or not f[1].isdigit():
                _pos_reflen(line, self.name)  # raises with the right message
            chrom = f[0]
            pos = int(f[1])
            if pos < last_pos.get(chrom, 0) and self.unsorted is None:
                self.unsorted = f"file is not sorted by position on {chrom.decode()}; read the whole file"
            if chrom in self.run_ended and self.unsorted is None:
                self.unsorted = f"records of {chrom.decode()} are not contiguous; read the whole file"
            last_pos[chrom] = pos
            if pos > end:
                self.passed.add(chrom)
            elif pos + len(f[3]) - 1 >= start:
                _pos_reflen(line, self.name)  # full check (8 columns) on kept records only
                self.records.append(_decode(line))

    def _run_end_check(self, buf: bytes, nl: int, last: int, hit: tuple[int, bytes]) -> None:
        # If the line after the chunk's last candidate is on another contig, that
        # target's run of lines has ended (in a sorted file it will not come back).
        i, line = hit
        j = buf.find(b"\n", i + 1) if i >= 0 else nl
        if j < last and not buf.startswith(self.prefixes, j + 1) and not buf.startswith(b"#", j + 1):
            chrom = line[:line.find(b"\t")]
            self.run_ended.add(chrom)
            self.passed.add(chrom)

    def _sample_last_line(self, buf: bytes, last: int) -> None:
        # Contig of the chunk's last complete line: cheap evidence of where we are.
        s = buf.rfind(b"\n", 0, last) + 1
        t = buf.find(b"\t", s, last)
        if t < 0:
            return
        chrom = buf[s:t].decode("utf-8", "replace")
        rank = self.ranks.get(chrom)
        if rank is None:
            self.early_stop = False  # a contig the header does not list: cannot reason
            return
        if rank < self.sample_rank:
            if self.unsorted is None:
                self.unsorted = f"file is not sorted by contig ({chrom} after a later contig); read the whole file"
            return
        self.sample_rank = rank
        for c in self.targets:
            r = self.ranks.get(c)
            if r is not None and rank > r:
                self.passed.add(c.encode())


def _drive(scanner: _Scanner, chunks: Iterable[bytes], method: str) -> ScanResult:
    for chunk in chunks:
        if not chunk:
            break
        if not scanner.feed(chunk):
            break
    res = scanner.finish()
    res.method = method
    return res


# ------------------------------------------------------------------ compressed IO

def _read_chunks(fh: BinaryIO, name: str, compressed: bool) -> Iterator[bytes]:
    try:
        while True:
            data = fh.read(CHUNK)
            if not data:
                return
            yield data
    except EOFError as exc:
        raise MalformedInputError("truncated gzip/BGZF stream (file ends in the middle of compressed data)",
                                  path=name) from exc
    except _DECOMPRESS_ERRORS as exc:
        if not compressed:
            raise InputMissingError(f"cannot read file: {exc}", path=name) from exc
        raise MalformedInputError(f"corrupt gzip data ({exc})", path=name) from exc


def _is_bgzf(head: bytes) -> bool:
    return (head.startswith(_BGZF_MAGIC) and len(head) >= 18
            and _bgzf_bsize(head, 0) is not None)


def _bgzf_bsize(buf: bytes, off: int) -> int | None:
    """Total size of the BGZF block at buf[off:] (from its BC extra subfield), or None."""
    if len(buf) < off + 18 or buf[off:off + 4] != _BGZF_MAGIC:
        return None
    if buf[off + 12:off + 16] == b"BC\x02\x00":  # the layout bgzip/htslib always write
        return struct.unpack_from("<H", buf, off + 16)[0] + 1
    (xlen,) = struct.unpack_from("<H", buf, off + 10)
    p, stop = off + 12, off + 12 + xlen
    if stop > len(buf):
        return None
    while p + 4 <= stop:
        (slen,) = struct.unpack_from("<H", buf, p + 2)
        if buf[p:p + 2] == b"BC" and slen == 2 and p + 6 <= stop:
            return struct.unpack_from("<H", buf, p + 4)[0] + 1
        p += 4 + slen
    return None


def _compression_note(head: bytes) -> str | None:
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return None


# ---------------------------------------------------------------------- BGZF seek

class _Bgzf:
    """Random access to the blocks of a BGZF file (with a small read-ahead buffer)."""

    def __init__(self, fh: BinaryIO, size: int, name: str):
        self.fh, self.size, self.name = fh, size, name
        self.buf = b""
        self.buf_off = 0
        self.cache: dict[int, tuple[bytes, int]] = {}

    def _raw(self, off: int, n: int) -> bytes:
        if not (self.buf_off <= off and off + n <= self.buf_off + len(self.buf)):
            self.fh.seek(off)
            self.buf = self.fh.read(max(n, 4 * _MAX_BLOCK))
            self.buf_off = off
        s = off - self.buf_off
        return self.buf[s:s + n]

    def block(self, off: int) -> tuple[bytes, int]:
        """(decompressed data, next block offset) of the block starting at off."""
        hit = self.cache.get(off)
        if hit is not None:
            return hit
        head = self._raw(off, 18 + 256)
        bsize = _bgzf_bsize(head, 0)
        if bsize is None or off + bsize > self.size:
            raise MalformedInputError(f"corrupt or truncated BGZF block at byte {off}", path=self.name)
        raw = self._raw(off, bsize)
        try:
            data = _zlib.decompress(raw, 31)  # wbits 31: gzip container, checks CRC32 + ISIZE
        except _DECOMPRESS_ERRORS as exc:
            raise MalformedInputError(f"corrupt or truncated BGZF block at byte {off} ({exc})",
                                      path=self.name) from exc
        if len(self.cache) > 64:
            self.cache.clear()
        self.cache[off] = (data, off + bsize)
        return data, off + bsize

    def next_block(self, off: int, limit: int) -> int | None:
        """First offset >= off (< limit) where a BGZF block starts, validated by the chain:
        its size must lead to another block header (or to the end of the file)."""
        while off < limit:
            window = self._raw(off, min(2 * _MAX_BLOCK + 18, self.size - off))
            i = window.find(_BGZF_MAGIC)
            while i >= 0:
                cand = off + i
                if cand >= limit:
                    return None
                bsize = _bgzf_bsize(window, i)
                if bsize is not None and bsize >= 28:
                    nxt = cand + bsize
                    if nxt == self.size or self._raw(nxt, 4) == _BGZF_MAGIC:
                        return cand
                i = window.find(_BGZF_MAGIC, i + 1)
            if len(window) < 4:
                return None
            off += len(window) - 3
        return None


def _scan_bgzf_seek(bg: _Bgzf, contigs: set[str], start: int, end: int, name: str) -> ScanResult:
    eof_off = bg.size - len(_BGZF_EOF)
    # 1. header, from the first blocks
    header = _Header(name)
    off = 0
    data_pos: tuple[int, int] | None = None  # (block offset, offset in its data) of the first record
    while off < eof_off:
        data, nxt = bg.block(off)
        rest = header.feed(data)
        if rest is not None:
            data_pos = (off, len(data) - len(rest)) if rest else (nxt, 0)
            break
        off = nxt
    if data_pos is None:
        header.finish()
        return ScanResult(header.lines, [], "bgzf-seek", [])
    ranks = header.contig_order()
    if not ranks:
        raise _Fallback("no ##contig header lines, so the contig order is unknown; read the whole file")
    targets = sorted((ranks[c], c) for c in contigs if c in ranks)
    records: list[str] = []
    probes: dict[int, tuple[int, int]] = {}  # block offset -> (rank, pos) of its first line

    def probe(at: int, limit: int) -> tuple[int, int, int, int] | None:
        """(block, offset in block data, rank, pos) of the first line starting in a block >= at."""
        b = bg.next_block(at, limit)
        while b is not None and b < min(limit, eof_off):
            data, nxt = bg.block(b)
            nl = data.find(b"\n")
            if 0 <= nl < len(data) - 1:
                s = nl + 1
                text, tail = data[s:s + 512], nxt
                while text.count(b"\t") < 2 and b"\n" not in text and tail < eof_off:
                    more, tail = bg.block(tail)  # line continues in the next block(s)
                    text += more[:512]
                f = text.split(b"\n", 1)[0].split(b"\t", 2)
                if len(f) < 3 or not f[1].isdigit():
                    raise _Fallback("a line in the middle of the file is not a record; read the whole file")
                chrom = f[0].decode("utf-8", "replace")
                rank = ranks.get(chrom)
                if rank is None:
                    raise _Fallback(f"contig {chrom} is not in the ##contig header lines; read the whole file")
                key = (rank, int(f[1]))
                probes[b] = key
                return b, s, key[0], key[1]
            b = nxt
        return None

    # 2. sortedness evidence beyond the bisection probes: a few evenly spaced blocks
    step = (eof_off - data_pos[0]) / (_SORT_SAMPLES + 1)
    for k in range(1, _SORT_SAMPLES + 1):
        at = int(data_pos[0] + k * step)
        if at > data_pos[0]:
            probe(at, eof_off)
    _check_probes(probes)
    for trank, tname in targets:
        # 3. binary search: the last block whose first line is on an earlier contig
        lo, lo_in = data_pos
        hi = eof_off
        while hi - lo > max(_SEEK_SCAN_BYTES, 1):  # mid > lo: every probe makes progress
            mid = (lo + hi) // 2
            p = probe(mid, hi)
            if p is None:
                hi = mid
            elif p[2] < trank:
                lo, lo_in = p[0], p[1]
            else:
                hi = mid
        _check_probes(probes)
        # 4. sequential from there until past the region
        records += _read_region_from(bg, lo, lo_in, eof_off, ranks, tname, trank, start, end, name)
    _check_probes(probes)
    return ScanResult(header.lines, records, "bgzf-seek", [])


def _check_probes(probes: dict[int, tuple[int, int]]) -> None:
    prev = None
    for off in sorted(probes):
        key = probes[off]
        if prev is not None and key < prev:
            raise _Fallback("file is not sorted by contig and position (checked at sampled blocks); "
                            "read the whole file")
        prev = key


def _read_region_from(bg: _Bgzf, off: int, skip: int, eof_off: int, ranks: dict[str, int],
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
        lines = buf.split(b"\n")
        carry = lines.pop()  # incomplete last line (b"" after a newline)
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

def _open(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except FileNotFoundError as exc:
        raise InputMissingError("no such file", path=path) from exc
    except IsADirectoryError as exc:
        raise InputMissingError("is a directory, not a VCF file", path=path) from exc
    except OSError as exc:
        raise InputMissingError(f"cannot open file ({exc.strerror})", path=path) from exc


def scan_region(path: str, contigs: set[str], start: int, end: int) -> ScanResult:
    """Header lines plus the records of ``contigs`` overlapping [start, end] (1-based, closed).

    Plain text, gzip or BGZF (sniffed from the first bytes, not the file name).
    """
    with _open(path) as fh:
        head = fh.read(18)
        note = _compression_note(head)
        if note:
            raise MalformedInputError(f"{note}-compressed input is not supported; use bgzip or plain text",
                                      path=path)
        if not head.startswith(_GZIP_MAGIC):
            fh.seek(0)
            scanner = _Scanner(contigs, start, end, path, early_stop=True)
            return _drive(scanner, _read_chunks(fh, path, False), "scan-plain")
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        notices: list[str] = []
        if _is_bgzf(head):
            has_eof = False
            if size >= len(_BGZF_EOF):
                fh.seek(size - len(_BGZF_EOF))
                has_eof = fh.read() == _BGZF_EOF
            if not has_eof:
                # No EOF marker: possibly cut short. The full read below raises if so.
                notices.append("no BGZF end-of-file marker (the file may be truncated); read the whole file")
            elif size >= _SEEK_MIN_BYTES:
                try:
                    return _scan_bgzf_seek(_Bgzf(fh, size, path), contigs, start, end, path)
                except _Fallback as fb:
                    notices.append(str(fb))
            method = "scan-bgzf"
        else:
            method = "scan-gzip"
        fh.seek(0)
        res = _scan_compressed(fh, contigs, start, end, path, method)
        res.notices = _merge(notices, res.notices)
        return res


def _merge(a: list[str], b: list[str]) -> list[str]:
    out = list(a)
    for n in b:
        if n not in out:
            out.append(n)
    return out


def _scan_compressed(fh: BinaryIO, contigs: set[str], start: int, end: int, name: str,
                     method: str) -> ScanResult:
    # Read to the end even once past the region: only the end of a gzip stream
    # tells a complete file from a truncated one (the cost is inflate, not parsing).
    scanner = _Scanner(contigs, start, end, name, early_stop=False)
    # (isal's threaded reader was measured: ~5% faster, twice the memory -- not used.)
    with _gzip.GzipFile(fileobj=fh, mode="rb") as gz:
        return _drive(scanner, _read_chunks(gz, name, True), method)


class _Prepend(io.RawIOBase):
    """A read-only stream: `head` first, then the rest of `stream` (after sniffing stdin)."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(b), len(self.head))
            b[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.stream.read(len(b))
        n = len(data)
        b[:n] = data
        return n


def scan_stream(stream: BinaryIO, contigs: set[str], start: int, end: int,
                source_name: str) -> ScanResult:
    """Like scan_region for a non-seekable stream (stdin), plain or gzip/BGZF compressed."""
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
        raw = io.BufferedReader(_Prepend(head, stream), buffer_size=1 << 20)
        return _scan_compressed(raw, contigs, start, end, source_name,  # type: ignore[arg-type]
                                "scan-bgzf" if _is_bgzf(head) else "scan-gzip")
    scanner = _Scanner(contigs, start, end, source_name, early_stop=True)

    def chunks() -> Iterator[bytes]:
        if head:
            yield head
        yield from _read_chunks(stream, source_name, False)

    return _drive(scanner, chunks(), "scan-plain")


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

