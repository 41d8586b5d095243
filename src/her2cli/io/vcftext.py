"""VCF text, from decompressed bytes to parsed records: what every VCF reader shares (``fastscan`` for
files without an index, ``tabix`` through a tabix index, ``vcf`` through htslib).

The header collected from byte chunks (``HeaderReader``), a record line's POS and REF length read off its
bytes, a line's text, the longest line accepted; the scan of a region's record lines through the text
(``RegionScanner``; the readers supply the bytes); and the records parsed (``VcfHeader``, ``VcfRecord``,
``parse_record``) into what ``io.vcf.read_region`` hands back (``region_read`` -> ``RegionRead``), so that
a record goes down once and comes back parsed.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Callable, Iterable, Optional

from her2cli.errors import MalformedInputError
from her2cli.io import lines
from her2cli.reference.builds import header_contigs, header_values
from her2cli.values import valueclass

__all__ = ["ScanResult", "HeaderReader", "RegionScanner", "RegionRead", "VcfHeader", "VcfRecord", "decode",
           "header_from_lines", "in_regions", "parse_record", "pos_reflen", "read_header", "region_read", "too_long",
           "MAX_LINE_BYTES", "CONTIG_ID"]

# Longest line accepted (header or record): the one limit of every reader (io.lines). A VCF line with
# thousands of samples or ALT alleles is well under it; an endless line (/dev/zero, a gzip bomb) ends with
# an error, not out of memory.
MAX_LINE_BYTES = lines.MAX_LINE_BYTES
CONTIG_ID = re.compile(r"^##contig=<(?:.*,)?ID=([^,>]+)")
# Control characters that never occur in VCF text (tab, LF and CR do).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LineOf = Callable[[int], Optional[int]]  # byte offset in the decompressed text -> 1-based line number


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


def read_header(chunks: Iterable[bytes], name: str) -> list[str]:
    """The header lines at the start of the text in ``chunks`` (MalformedInputError unless it is a VCF's)."""
    header = HeaderReader(name)
    for data in chunks:
        if header.feed(data) is not None:
            return header.lines
    header.finish()  # raises: no '#CHROM' line
    return header.lines


def too_long(name: str, line: int | None) -> MalformedInputError:
    return lines.line_too_long(name, line, "VCF text")


# ---------------------------------------------------------------- the region's record lines

class RegionScanner:
    """Sequential raw-bytes scan of decompressed VCF text (``scan``): the header, then the lines of
    ``contigs`` overlapping [start, end], found with ``bytes.find`` of ``b"\\n<contig>\\t"`` (only those
    candidate lines are split). The readers (``fastscan``) only supply the bytes.

    ``early_stop`` (``--assume-sorted`` only) ends the read once every target contig is passed.
    ``line_of`` turns a byte offset into a line number for error messages (None for streams).
    ``max_line`` is the longest line accepted (the reader's limit).
    """

    def __init__(self, contigs: set[str], start: int, end: int, name: str, early_stop: bool,
                 line_of: LineOf | None = None, max_line: int = MAX_LINE_BYTES):
        self.start, self.end, self.name = start, end, name
        self.max_line = max_line
        self.targets = sorted(contigs)
        self.needles = [b"\n" + c.encode() + b"\t" for c in self.targets]
        self.prefixes = tuple(c.encode() + b"\t" for c in self.targets)
        self.header = HeaderReader(name)
        self.records: list[str] = []
        self.carry = b""
        self.in_header = True
        self.early_stop = early_stop
        self.line_of = line_of
        self.offset = 0  # offset in the decompressed text of the next chunk's first byte
        self.ranks: dict[str, int] = {}
        self.last_pos: dict[bytes, int] = {}
        self.passed: set[bytes] = set()  # targets we are certainly past (sorted file)
        self.run_ended: set[bytes] = set()  # targets whose block of lines has ended
        self.sample_rank = -1
        self.unsorted: str | None = None

    # -- driving
    def scan(self, chunks: Iterable[bytes]) -> tuple[list[str], list[str], list[str]]:
        """(header lines, record lines, notices) of the text in ``chunks`` (read until the rest cannot matter)."""
        for chunk in chunks:
            if chunk and not self.feed(chunk):
                break
        return self.finish()

    def feed(self, data: bytes) -> bool:
        """Process one chunk; False once the rest of the input cannot matter."""
        if self.in_header:
            rest = self.header.feed(data)
            if rest is None:
                self.offset += len(data)
                return True
            self.in_header = False
            self.offset = self.header.size
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
        self._check_bytes(data)
        self._chunk(data)
        self.offset += len(data)
        return not (self.early_stop and self.unsorted is None
                    and len(self.passed) == len(self.targets))

    def finish(self) -> tuple[list[str], list[str], list[str]]:
        if self.in_header:
            self.header.finish()
            self.in_header = False
        if self.carry:
            line = self.carry
            self.carry = b""
            if self.prefixes and line.startswith(self.prefixes):
                self._candidates([line])
        notices = []
        if self.unsorted and self.early_stop:
            notices.append(self.unsorted)
        return self.header.lines, self.records, notices

    # -- garbage
    def _error_at(self, offset: int, what: str) -> MalformedInputError:
        line = self.line_of(offset) if self.line_of else None
        where = "" if line else f" (at byte {offset} of the text)"
        return MalformedInputError(what + where, path=self.name, line=line)

    def _check_bytes(self, data: bytes) -> None:
        # NUL never occurs in VCF text and is what a crash leaves behind; `in` is memchr (tens of GB/s),
        # so the whole file is checked. Other control bytes are checked on the lines we keep.
        if b"\0" in data:
            raise self._error_at(self.offset + data.index(b"\0"), "binary data (NUL bytes) in the records")
        if len(self.carry) + len(data) > self.max_line and b"\n" not in data:
            raise self._error_at(self.offset - len(self.carry), too_long(self.name, None).message)

    def _check_line(self, line: bytes) -> None:
        bad = _CONTROL.search(line)
        if bad:
            raise MalformedInputError(
                f"binary data (control byte 0x{line[bad.start()]:02x}) in a record: {decode(line[:40])!r}...",
                path=self.name)

    # -- per chunk
    def _chunk(self, buf: bytes) -> None:
        nl = buf.find(b"\n")
        if nl < 0:
            self.carry += buf
            return
        first = self.carry + buf[:nl] if self.carry else buf[:nl]
        if len(first) > self.max_line:  # a line that ends in this chunk but began chunks ago
            raise self._error_at(self.offset - len(self.carry), too_long(self.name, None).message)
        self.carry = b""
        last = buf.rfind(b"\n")
        lines: list[bytes] = []
        if self.prefixes and first.startswith(self.prefixes):
            lines.append(first)
        # The span from the first to the last candidate line is split once (C speed) and filtered,
        # rather than finding each line: a sorted file's target contig is one long run of lines.
        starts = [i for i in (buf.find(n, nl, last) for n in self.needles) if i >= 0]
        last_hit = -1
        if starts:
            last_hit = max(buf.rfind(n, nl, last) for n in self.needles)
            span_end = buf.find(b"\n", last_hit + 1)
            lines += [line for line in buf[min(starts) + 1:span_end].split(b"\n") if line.startswith(self.prefixes)]
        if lines:
            self._candidates(lines)
            self._run_end_check(buf, nl, last, last_hit, lines[-1])
        if self.ranks and last > nl:
            self._sample_last_line(buf, last)
        self.carry = buf[last + 1:]

    def _candidates(self, lines: list[bytes]) -> None:
        # Hot loop (every line of the target contig): keep it lean.
        start, end, last_pos = self.start, self.end, self.last_pos
        for line in lines:
            f = line.split(b"\t", 4)
            if len(f) < 5 or not f[1].isdigit():
                pos_reflen(line, self.name)  # raises with the right message
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
                pos_reflen(line, self.name)  # full check (8 columns) on kept records only
                self._check_line(line)
                self.records.append(decode(line))

    def _run_end_check(self, buf: bytes, nl: int, last: int, hit: int, line: bytes) -> None:
        # If the line after the chunk's last candidate (``line``, whose newline is at ``hit``; -1: the
        # chunk's first line) is on another contig, that target's run of lines has ended (in a sorted
        # file it will not come back).
        j = buf.find(b"\n", hit + 1) if hit >= 0 else nl
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


# ------------------------------------------------------------------ parsed records

@valueclass
class VcfHeader:
    lines: list[str]  # the '##' lines
    samples: list[str]
    source: str  # the file name, for messages

    def values(self, key: str) -> list[str]:
        return header_values(self.lines, key)

    def contigs(self) -> dict[str, dict[str, str]]:
        """##contig lines as {ID: {attribute: value}}, in header order."""
        return header_contigs(self.lines)


@valueclass
class VcfRecord:
    chrom: str
    pos: int
    id: str
    ref: str
    alts: list[str]
    qual: str
    filter: str
    info_text: str
    format_keys: list[str]
    sample_columns: list[str]
    line_number: int | None = None

    def info(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.info_text in ("", "."):
            return out
        for item in self.info_text.split(";"):
            key, sep, value = item.partition("=")
            out[key] = value if sep else ""
        return out


_REF_BASES = set("ACGTNacgtn")


def parse_record(line: str, source: str, line_number: int | None = None) -> VcfRecord:
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) < 8:
        raise MalformedInputError(
            f"not a VCF record (expected at least 8 tab-separated columns, found {len(fields)})",
            path=source, line=line_number,
        )
    chrom, pos_text, vid, ref, alt, qual, filt, info = fields[:8]
    try:
        pos = int(pos_text)
    except ValueError:
        raise MalformedInputError(f"POS is not an integer: {pos_text!r}", path=source, line=line_number) from None
    if not ref or not set(ref) <= _REF_BASES:
        raise MalformedInputError(f"REF is not a DNA sequence: {ref!r}", path=source, line=line_number)
    format_keys = fields[8].split(":") if len(fields) > 8 and fields[8] not in ("", ".") else []
    return VcfRecord(
        chrom, pos, vid, ref, alt.split(",") if alt not in ("", ".") else [], qual, filt, info,
        format_keys, fields[9:], line_number,
    )


@valueclass
class RegionRead:
    header: VcfHeader
    records: list[VcfRecord]  # the region's records, parsed, in file order
    method: str
    notices: list[str] = field(default_factory=list)


def header_from_lines(lines: list[str], source: str) -> VcfHeader:
    """The header of a VCF from its '#' lines (MalformedInputError unless it is one)."""
    return VcfHeader(*_header_parts(lines, source), source)


def _header_parts(lines: list[str], source: str) -> tuple[list[str], list[str]]:
    """The '##' lines and the sample names of a header's lines, checked."""
    meta = [line for line in lines if line.startswith("##")]
    column_line = next((line for line in lines if line.startswith("#CHROM")), None)
    if not meta or not meta[0].startswith("##fileformat=VCF"):
        raise MalformedInputError("not a VCF file (the first line is not ##fileformat=VCF...)", path=source, line=1)
    if column_line is None:
        raise MalformedInputError("VCF header has no #CHROM line", path=source)
    columns = column_line.rstrip("\r\n").split("\t")
    if columns[:8] != ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
        raise MalformedInputError("VCF #CHROM line does not have the 8 standard columns", path=source)
    return meta, columns[9:]


def in_regions(pos: int, ref_len: int, regions: list[tuple[int, int]]) -> bool:
    """True when POS..POS+len(REF)-1 overlaps one of ``regions`` (1-based, closed)."""
    last = pos + max(ref_len, 1) - 1
    for start, end in regions:
        if pos <= end and last >= start:
            return True
    return False


def region_read(header_lines: list[str], record_lines: list[str], method: str, notices: list[str], source: str,
                contigs: set[str], regions: list[tuple[int, int]]) -> RegionRead:
    """What a reader found, checked and parsed: the header, and the records on ``contigs`` overlapping any of
    ``regions`` (once each, in file order)."""
    meta, samples = _header_parts(header_lines, source)
    seen: set[str] = set()
    records: list[VcfRecord] = []
    for text in record_lines:
        if text in seen:
            continue
        fields = text.split("\t", 5)
        if len(fields) < 5:
            raise MalformedInputError("not a VCF record (too few columns)", path=source)
        try:
            pos = int(fields[1])
        except ValueError:
            raise MalformedInputError(f"POS is not an integer: {fields[1]!r}", path=source) from None
        if fields[0] in contigs and in_regions(pos, len(fields[3]), regions):
            seen.add(text)
            records.append(parse_record(text, source))
    unique: list[str] = []
    for notice in notices:
        if notice not in unique:
            unique.append(notice)
    return RegionRead(VcfHeader(meta, samples, source), records, method, unique)
