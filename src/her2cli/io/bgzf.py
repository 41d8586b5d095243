"""The one BGZF block reader (issue #14): random access for the bisection, sequential blocks for tabix
queries, and a whole-file read that inflates batches of blocks in parallel threads.

BGZF is a chain of independent gzip members of at most 64 KiB, each naming its own size in a ``BC``
extra subfield, so a file can be cut into blocks without inflating it and the blocks inflated in any
order. zlib (and isal) release the GIL while inflating, so a thread pool uses every core.

Like fastscan, this module imports nothing heavy.
"""

from __future__ import annotations

import os
import struct
from collections import deque
from typing import BinaryIO, Iterator

from her2cli.errors import MalformedInputError

try:  # isal inflates 2-3x faster than zlib (a dependency; zlib where it cannot be installed)
    from isal import isal_zlib as zlib_impl
except ImportError:  # pragma: no cover - exercised only without isal
    import zlib as zlib_impl  # type: ignore[no-redef]
import zlib as _stdzlib

__all__ = ["BgzfFile", "MAGIC", "EOF_MARKER", "MAX_BLOCK", "DECOMPRESS_ERRORS", "block_size", "is_bgzf",
           "has_eof_marker", "missing_eof", "require_eof_marker", "zlib_impl", "BATCH_BLOCKS"]

MAGIC = b"\x1f\x8b\x08\x04"
EOF_MARKER = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
MAX_BLOCK = 65536
DECOMPRESS_ERRORS = (OSError, EOFError, zlib_impl.error, _stdzlib.error)
# Compressed bytes per parallel task: ~16 blocks, ~4 MB of text. Tasks in flight are capped at twice
# the thread count, so at most ~20 MB of inflated text is held whatever the file size.
_BATCH_BYTES = 1 << 20
# ... and at most this many blocks (64 KiB of text each, 4 MiB a task): a highly compressible file (one
# endless line of one letter inflates ~1000x) must not inflate a whole compressed MB at once.
BATCH_BLOCKS = 64
_CACHE_BLOCKS = 64  # blocks kept by block(): the bisection revisits its probes


def block_size(buf: bytes, off: int) -> int | None:
    """Total size of the BGZF block at buf[off:] (from its BC extra subfield), or None."""
    if len(buf) < off + 18 or buf[off:off + 4] != MAGIC:
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


def is_bgzf(head: bytes) -> bool:
    return head.startswith(MAGIC) and len(head) >= 18 and block_size(head, 0) is not None


def has_eof_marker(fh: BinaryIO, size: int) -> bool:
    if size < len(EOF_MARKER):
        return False
    fh.seek(size - len(EOF_MARKER))
    return fh.read() == EOF_MARKER


def missing_eof(name: str) -> MalformedInputError:
    """The error for a BGZF file without its end-of-file marker block: what a killed bgzip (or a copy cut at
    a block boundary) leaves, indistinguishable from a complete file by its blocks alone. htslib checks the
    same marker (bgzf_check_EOF: "EOF marker is absent. The input is probably truncated")."""
    return MalformedInputError("truncated BGZF file: no end-of-file marker block (the file was cut short, e.g. "
                               "by a killed bgzip: compress it again)", path=name)


def require_eof_marker(fh: BinaryIO, size: int, name: str) -> None:
    if not has_eof_marker(fh, size):
        raise missing_eof(name)


def worker_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class BgzfFile:
    """The blocks of one seekable BGZF file of ``size`` bytes (``name`` for messages)."""

    def __init__(self, fh: BinaryIO, size: int, name: str):
        self.fh, self.size, self.name = fh, size, name
        self.buf = b""
        self.buf_off = 0
        self.cache: dict[int, tuple[bytes, int]] = {}

    @classmethod
    def in_memory(cls, data: bytes, name: str) -> "BgzfFile":
        """The blocks of BGZF data already read whole (an index): sliced from ``data``, no file."""
        reader = cls(None, len(data), name)  # type: ignore[arg-type]
        reader.buf = data
        return reader

    def _bad(self, off: int, why: str = "") -> MalformedInputError:
        return MalformedInputError(f"corrupt or truncated BGZF block at byte {off}{why}", path=self.name)

    def _raw(self, off: int, n: int) -> bytes:
        if self.fh is None:  # in memory
            return self.buf[off:off + n]
        if not (self.buf_off <= off and off + n <= self.buf_off + len(self.buf)):
            self.fh.seek(off)
            self.buf = self.fh.read(max(n, 4 * MAX_BLOCK))
            self.buf_off = off
        s = off - self.buf_off
        return self.buf[s:s + n]

    def _inflate_at(self, off: int) -> tuple[bytes, int]:
        head = self._raw(off, 18 + 256)
        bsize = block_size(head, 0)
        if bsize is None or bsize < 26 or off + bsize > self.size:
            raise self._bad(off)
        try:
            data = zlib_impl.decompress(self._raw(off, bsize), 31)  # wbits 31: checks CRC32 + ISIZE
        except DECOMPRESS_ERRORS as exc:
            raise self._bad(off, f" ({exc})") from exc
        return data, off + bsize

    def block(self, off: int) -> tuple[bytes, int]:
        """(inflated data, next block offset) of the block starting at ``off`` (cached)."""
        hit = self.cache.get(off)
        if hit is None:
            if len(self.cache) > _CACHE_BLOCKS:
                self.cache.clear()
            hit = self.cache[off] = self._inflate_at(off)
        return hit

    def blocks(self, off: int) -> Iterator[bytes]:
        """The inflated blocks from ``off`` to the end, one at a time (for reads that stop early)."""
        while off < self.size:
            data, off = self._inflate_at(off)
            yield data

    def next_block(self, off: int, limit: int) -> int | None:
        """First offset >= off (< limit) where a BGZF block starts, validated by the chain:
        its size must lead to another block header (or to the end of the file)."""
        while off < limit:
            window = self._raw(off, min(2 * MAX_BLOCK + 18, self.size - off))
            i = window.find(MAGIC)
            while i >= 0:
                cand = off + i
                if cand >= limit:
                    return None
                bsize = block_size(window, i)
                if bsize is not None and bsize >= 28:
                    nxt = cand + bsize
                    if nxt == self.size or self._raw(nxt, 4) == MAGIC:
                        return cand
                i = window.find(MAGIC, i + 1)
            if len(window) < 4:
                return None
            off += len(window) - 3
        return None

    # -- the whole file, in parallel

    def chunks(self, off: int = 0, threads: int | None = None) -> Iterator[bytes]:
        """All the inflated text from ``off`` to the end, in order, in chunks of a few MB.

        One thread reads the file ~1 MB at a time and cuts it into whole blocks; ``threads`` threads
        (default: the usable cores) inflate those batches; the caller scans the results meanwhile."""
        threads = threads or worker_count()
        batches = self._raw_batches(off)
        if threads < 2:
            for batch in batches:
                yield self._inflate_batch(*batch)
            return
        from concurrent.futures import ThreadPoolExecutor  # only for a whole read: not on the indexed path

        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="her2-bgzf-read")
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="her2-bgzf")
        pending: deque = deque()
        try:
            ahead = reader.submit(next, batches, None)
            while True:
                batch = ahead.result()
                if batch is None:
                    break
                ahead = reader.submit(next, batches, None)  # read the next batch while this one inflates
                pending.append(pool.submit(self._inflate_batch, *batch))
                if len(pending) >= 2 * threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            reader.shutdown(wait=True, cancel_futures=True)
            pool.shutdown(wait=True, cancel_futures=True)

    def _raw_batches(self, off: int) -> Iterator[tuple[int, bytes, list[tuple[int, int]]]]:
        """(file offset of raw[0], raw bytes, block spans in raw) for whole blocks, ~1 MB at a time."""
        self.fh.seek(off)
        raw = b""
        while True:
            more = self.fh.read(_BATCH_BYTES)
            raw = raw + more if raw else more
            spans = []
            p = 0
            while True:
                bsize = block_size(raw, p)
                if bsize is None or p + bsize > len(raw):
                    break
                if bsize < 26:
                    raise self._bad(off + p)
                spans.append((p, p + bsize))
                p += bsize
                if len(spans) == BATCH_BLOCKS:
                    yield off, raw, spans
                    spans = []
            if spans:
                yield off, raw, spans
            if not more:
                if p < len(raw):
                    raise self._bad(off + p)
                return
            if not spans and len(raw) >= 18 + MAX_BLOCK:  # no block header where one must start
                raise self._bad(off)
            raw, off = raw[p:], off + p

    def _inflate_batch(self, first: int, raw: bytes, spans: list[tuple[int, int]]) -> bytes:
        view = memoryview(raw)
        out = []
        for s, e in spans:
            try:
                out.append(zlib_impl.decompress(view[s:e], 31))
            except DECOMPRESS_ERRORS as exc:
                raise self._bad(first + s, f" ({exc})") from exc
        return b"".join(out)
