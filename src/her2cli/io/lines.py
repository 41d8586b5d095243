"""The one line-length limit, and the bounded line reader every text input shares (issue #23).

Every reader of text (VCF plain/gzip/BGZF, MAF, segment files, purity tables, sample sheets, sample
lists) refuses a line longer than ``MAX_LINE_BYTES`` and a NUL byte, with one line naming the file and
the line: an endless line (``/dev/zero``, a gzip bomb) ends with an error, not out of memory, and binary
data (a crash leaves NUL-filled blocks) is never read as a short file.

:func:`lines` reads a path once, from the start, so a FIFO or ``<(cat x)`` works like a file: the first
bytes are peeked to tell gzip from plain text instead of opening the file twice. Memory holds one chunk
(1 MiB of text) and at most one partial line.

Imports nothing heavy (start-up time).
"""

from __future__ import annotations

import io
import os
import stat
import sys
from typing import BinaryIO, Iterator

from her2cli.errors import InputMissingError, MalformedInputError

__all__ = ["MAX_LINE_BYTES", "LIMIT_TEXT", "line_too_long", "nul_byte", "open_input", "lines", "is_stream",
           "gzip_module", "DECOMPRESS_ERRORS", "BOM", "peek", "take_opened", "digest_of_read", "spool_streams",
           "remove_spools", "Prepended", "read_full"]

# Longest line accepted, header or data, in every format. A VCF line with thousands of samples or ALT
# alleles, or a MAF row, is far below it.
MAX_LINE_BYTES = 16 << 20
LIMIT_TEXT = "16 MiB"
BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


def gzip_module():
    """isal's gzip module (inflates 2-3x faster than zlib; zlib's where isal cannot be installed). Imported on
    first use."""
    try:
        from isal import igzip
    except ImportError:  # pragma: no cover - exercised only without isal
        import gzip as igzip  # type: ignore[no-redef]
    return igzip


def _decompress_errors() -> tuple[type[BaseException], ...]:
    import zlib

    errors: list[type[BaseException]] = [OSError, EOFError, zlib.error]
    try:
        from isal import isal_zlib

        errors.append(isal_zlib.error)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


DECOMPRESS_ERRORS = _decompress_errors()


def line_too_long(path: str | None, line: int | None, what: str = "text") -> MalformedInputError:
    """The one message for a line over the limit."""
    return MalformedInputError(f"line longer than {LIMIT_TEXT}: not {what} (binary or endless input?)",
                               path=path, line=line)


def nul_byte(path: str | None, line: int | None, what: str = "the data") -> MalformedInputError:
    """The one message for a NUL byte (binary data) in a text input."""
    return MalformedInputError(f"binary data (NUL bytes) in {what}", path=path, line=line)


def is_stream(path: str) -> bool:
    """A FIFO, character device or socket (``<(cat x)``, ``/dev/stdin``): it can be read only once."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


# Streams (FIFOs, ``<(cat x)``) are read once: a stream whose first bytes were read to tell its kind
# (sniff.input_kind) is kept open here, those bytes put back, for the reader to take (take_opened); the
# sha256 of everything read from a stream is kept for the provenance of a report (digest_of_read), which
# cannot read the stream again.
_OPENED: dict[str, BinaryIO] = {}
_READ_DIGESTS: dict[str, str] = {}
_SPOOLS: dict[str, str] = {}  # stream -> its copy (spool_streams)
_SPOOL_DIR: str | None = None


def _is_pipe(path: str) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def open_input(path: str, kind: str) -> BinaryIO:
    """``path`` opened once for binary reading ("-" is standard input); a missing file, a folder or another
    failure is one InputMissingError naming the file (``kind`` says what it should have been). A stream is
    the one already opened by ``peek``, if any, and its reads are hashed (digest_of_read)."""
    if path == "-":
        return sys.stdin.buffer
    opened = take_opened(path)
    if opened is not None:
        return opened
    path_read = _SPOOLS.get(path, path)
    try:
        handle = open(path_read, "rb")
    except FileNotFoundError as exc:
        raise InputMissingError(f"{kind} not found", path=path) from exc
    except IsADirectoryError as exc:
        raise InputMissingError(f"is a directory, not a {kind}", path=path) from exc
    except OSError as exc:
        raise InputMissingError(f"cannot open {kind} ({exc.strerror})", path=path) from exc
    if path_read == path and is_stream(path):
        return io.BufferedReader(_Hashing(handle, path), buffer_size=_CHUNK)  # type: ignore[return-value]
    return handle


def spool_streams(paths, kind: str = "input") -> dict[str, str]:
    """Copy each pipe among ``paths`` (a FIFO, ``<(...)``; not "-", not a device) once to a temporary file, for an input
    read twice (an output that passes every record through, a report that draws the segments, a purity table
    that each cohort worker reads). From then on ``open_input(stream)`` reads the copy, and
    ``digest_of_read(stream)`` is the sha256 of what was read. Returns {stream: copy}; the copy keeps the
    stream's file name (messages that name a file by its name say the same). ``remove_spools`` ends it."""
    import shutil
    import tempfile

    global _SPOOL_DIR
    copies: dict[str, str] = {}
    for path in dict.fromkeys(p for p in paths if p and p != "-"):
        if path in _SPOOLS:
            copies[path] = _SPOOLS[path]
            continue
        if not _is_pipe(path):
            continue  # a file can be read again; a device (/dev/zero) fails on its first read anyway
        if _SPOOL_DIR is None:
            _SPOOL_DIR = tempfile.mkdtemp(prefix="her2-streams-")
        folder = os.path.join(_SPOOL_DIR, str(len(_SPOOLS)))
        os.mkdir(folder)
        target = os.path.join(folder, os.path.basename(path) or "stream")
        source = open_input(path, kind)
        try:
            with open(target, "wb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
        finally:
            source.close()
        _SPOOLS[path] = copies[path] = target
    return copies


def remove_spools() -> None:
    """Remove the copies spool_streams made (the CLI calls it when a command ends, however it ends)."""
    import shutil

    global _SPOOL_DIR
    _SPOOLS.clear()
    if _SPOOL_DIR is not None:
        shutil.rmtree(_SPOOL_DIR, ignore_errors=True)
        _SPOOL_DIR = None


def take_opened(path: str) -> BinaryIO | None:
    """The stream ``peek`` opened for ``path`` (its first bytes put back), once; None otherwise."""
    return _OPENED.pop(path, None)


def peek(path: str, n: int, kind: str) -> bytes:
    """The first ``n`` bytes (fewer at the end) of the stream ``path``, read once: the stream stays open, those
    bytes put back, for the next ``open_input(path)``."""
    stream = open_input(path, kind)
    head = read_full(stream, n)
    _OPENED[path] = io.BufferedReader(Prepended(head, stream), buffer_size=_CHUNK)  # type: ignore[assignment]
    return head


def digest_of_read(path: str) -> str | None:
    """sha256 (hex) of all the bytes read from the stream ``path``, once it was read to its end; else None."""
    return _READ_DIGESTS.get(path)


def read_full(stream: BinaryIO, n: int) -> bytes:
    """The first ``n`` bytes of ``stream`` (fewer at its end): a pipe may return short reads."""
    chunks, size = [], 0
    while size < n:
        data = stream.read(n - size)
        if not data:
            break
        chunks.append(data)
        size += len(data)
    return b"".join(chunks)


class _Hashing(io.RawIOBase):
    """A stream read once, hashed as it is read; the digest is kept when its end is reached."""

    def __init__(self, raw: BinaryIO, path: str):
        import hashlib

        self.raw, self.path, self.hash = raw, path, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.raw.fileno()

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer) or 0
        if n:
            self.hash.update(memoryview(buffer)[:n])
        else:
            _READ_DIGESTS[self.path] = self.hash.hexdigest()
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class Prepended(io.RawIOBase):
    """``head`` first, then the rest of ``stream`` (a pipe cannot be rewound)."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.stream.fileno()

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()
        super().close()

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _decompressed(raw: BinaryIO) -> BinaryIO:
    """``raw`` as read, or inflated when it starts with the gzip magic; read once (no seek)."""
    head = read_full(raw, 2)
    stream: BinaryIO = io.BufferedReader(Prepended(head, raw), buffer_size=_CHUNK)  # type: ignore[arg-type]
    if head == _GZIP_MAGIC:
        stream = gzip_module().GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
    return stream


def lines(path: str, kind: str, *, name: str | None = None) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of a plain or gzipped text input, read once and streamed.

    The line ending (LF or CRLF) and a leading UTF-8 byte-order mark are removed. A NUL byte, a line over
    ``MAX_LINE_BYTES``, text that is not UTF-8 or corrupt gzip data raise MalformedInputError naming
    the file (``name``, default ``path``; "<stdin>" for "-") and the line. ``kind`` names the input for
    messages ("segment file", "purity table", "sample sheet").
    """
    name = name or ("<stdin>" if path == "-" else path)
    raw = open_input(path, kind)
    number = 0
    try:
        stream = _decompressed(raw)
        carry = b""
        first = True
        while True:
            data = stream.read(_CHUNK)
            if not data:
                break
            if first:
                first = False
                if data.startswith(BOM):
                    data = data[len(BOM):]
            if b"\0" in data:
                at = data.index(b"\0")
                raise nul_byte(name, number + carry.count(b"\n") + data.count(b"\n", 0, at) + 1, f"a {kind}")
            buf = carry + data if carry else data
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                if len(buf) > MAX_LINE_BYTES:
                    raise line_too_long(name, number + 1, f"a {kind}")
                carry = buf
                continue
            carry = buf[cut:]
            if buf.find(b"\n") > MAX_LINE_BYTES:  # only the first line can span chunks
                raise line_too_long(name, number + 1, f"a {kind}")
            parts = _texts(buf[:cut - 1], name, number, kind)
            yield from zip(range(number + 1, number + 1 + len(parts)), parts)
            number += len(parts)
            if len(carry) > MAX_LINE_BYTES:
                raise line_too_long(name, number + 1, f"a {kind}")
        if carry:
            number += 1
            yield number, _text(carry, name, number, kind)
    except DECOMPRESS_ERRORS as exc:
        if isinstance(exc, EOFError):
            why = "truncated gzip data (the file ends in the middle of compressed data)"
        elif isinstance(exc, OSError) and not getattr(exc, "strerror", None):
            why = f"corrupt gzip data ({exc})"
        elif isinstance(exc, OSError):
            raise InputMissingError(f"cannot read {kind} ({exc.strerror})", path=name) from None
        else:
            why = f"corrupt gzip data ({exc})"
        raise MalformedInputError(why, path=name, line=number + 1 if number else None) from None
    finally:
        if path != "-":
            raw.close()


def _texts(data: bytes, name: str, number: int, kind: str) -> list[str]:
    """The lines of ``data`` (whole lines, the last newline removed) as text, decoded at once."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # find the line for the message
        for n, line in enumerate(data.split(b"\n"), number + 1):
            _text(line, name, n, kind)
        raise MalformedInputError(f"not a text {kind} (bytes that are not UTF-8 text)", path=name) from None
    parts = text.split("\n")
    if "\r" in text:
        parts = [part[:-1] if part.endswith("\r") else part for part in parts]
    return parts


def _text(line: bytes, name: str, number: int, kind: str) -> str:
    if line.endswith(b"\r"):
        line = line[:-1]
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInputError(f"not a text {kind} (bytes that are not UTF-8 text)", path=name,
                                  line=number) from None
