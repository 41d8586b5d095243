"""What the VCF text readers share (the raw-byte scanner ``fastscan`` and the tabix reader ``tabix``):
the header collected from byte chunks, a record line's POS and REF length read off its bytes, a line's
text, the longest line accepted, and what a scan returns.
"""

from __future__ import annotations

import re
from dataclasses import field

from her2cli.errors import MalformedInputError
from her2cli.io import lines
from her2cli.values import valueclass

__all__ = ["ScanResult", "HeaderReader", "decode", "pos_reflen", "too_long", "MAX_LINE_BYTES", "CONTIG_ID"]

# Longest line accepted (header or record): the one limit of every reader (io.lines). A VCF line with
# thousands of samples or ALT alleles is well under it; an endless line (/dev/zero, a gzip bomb) ends with
# an error, not out of memory.
MAX_LINE_BYTES = lines.MAX_LINE_BYTES
CONTIG_ID = re.compile(r"^##contig=<(?:.*,)?ID=([^,>]+)")


@valueclass
class ScanResult:
    header_lines: list[str]
    records: list[str]
    method: str
    notices: list[str] = field(default_factory=list)


def decode(line: bytes) -> str:
    """A VCF line's text (without a CR of a CRLF line; undecodable bytes replaced)."""
    if line.endswith(b"\r"):  # CRLF files: same lines as a text-mode read
        line = line[:-1]
    # 'replace' rather than failing: a stray Latin-1 byte in a description must not
    # make the whole file unreadable.
    return line.decode("utf-8", "replace")


def pos_reflen(line: bytes, name: str) -> tuple[int, int]:
    """POS and len(REF) of a candidate record line; MalformedInputError if it is not one."""
    f = line.split(b"\t", 5)
    if len(f) < 6 or line.count(b"\t") < 7:
        raise MalformedInputError(
            f"not a VCF record (fewer than 8 tab-separated columns): {decode(line[:60])!r}", path=name)
    if not f[1].isdigit():
        raise MalformedInputError(
            f"not a VCF record: POS {decode(f[1][:20])!r} is not a number ({decode(f[0])})", path=name)
    pos = int(f[1])
    ref = f[3]
    if ref.endswith(b"\r"):
        ref = ref[:-1]
    return pos, len(ref)


class HeaderReader:
    """Collects the leading '#' lines; fed byte chunks, returns the bytes after '#CHROM'."""

    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.carry = b""
        self.done = False
        self.seen_bytes = False
        self.size = 0  # bytes of header text consumed (the records start at this offset)

    def feed(self, data: bytes) -> bytes | None:
        if data and not self.seen_bytes:
            self.seen_bytes = True
            if data.startswith(lines.BOM):  # a UTF-8 byte-order mark (Windows editors): not part of the text
                data = data[len(lines.BOM):]
                self.size += len(lines.BOM)  # offsets count the bytes of the file
        buf = self.carry + data if self.carry else data
        i = 0
        while True:
            j = buf.find(b"\n", i)
            if j < 0:
                self.carry = buf[i:]
                if len(self.carry) > 1 and not self.carry.startswith(b"#"):
                    self._not_vcf(self.carry)
                if len(self.carry) > MAX_LINE_BYTES:
                    raise too_long(self.name, len(self.lines) + 1)
                return None
            self._line(buf[i:j])
            self.size += j + 1 - i
            i = j + 1
            if self.done:
                self.carry = b""
                return buf[i:]

    def _line(self, line: bytes) -> None:
        if not line.startswith(b"#"):
            self._not_vcf(line)
        if b"\0" in line:
            raise MalformedInputError("binary data (NUL bytes) in the header", path=self.name,
                                      line=len(self.lines) + 1)
        text = decode(line)
        self.lines.append(text)
        if text.startswith("#CHROM"):
            self.done = True

    def _not_vcf(self, line: bytes) -> None:
        n = len(self.lines) + 1
        if not self.lines and line.startswith(b"BCF"):
            raise MalformedInputError("BCF is not supported here; convert with 'bcftools view -Ov'",
                                      path=self.name)
        if b"\0" in line[:1024]:
            raise MalformedInputError("not a VCF file (binary data)", path=self.name, line=n)
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
                m = CONTIG_ID.match(text)
                if m and m.group(1) not in ranks:
                    ranks[m.group(1)] = len(ranks)
        return ranks


def too_long(name: str, line: int | None) -> MalformedInputError:
    return lines.line_too_long(name, line, "VCF text")
