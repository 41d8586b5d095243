"""Read the ERBB2 rows of a MAF (Mutation Annotation Format) file, and every sample it lists.

A MAF may hold millions of rows of which a few hundred are ERBB2, so rows are not parsed one by one
in Python: each block of bytes is handed to a block scanner, which finds, on every line, the
Hugo_Symbol, Chromosome, Start_Position and Tumor_Sample_Barcode fields, and gives back only the
lines on chr17 inside either build's ERBB2 window (or whose Hugo_Symbol is ERBB2) and the barcodes it
has not seen before: a MAF lists only samples with a mutation, and a sample without an ERBB2 row is
still "sequenced, not detected". Only those lines are split and read here.

The scanner is compiled (her2cli/io/_mafscan.c) where the install could build it, plain Python
(mafscan_plain.py: the rule written out, slower) otherwise; both give the same answer, line for line
(SCANNER says which is used).

Alleles are rebuilt with MAF conventions and handed over in the annotator's convention
(``Annotator.annotate(pos, ref, alt)``): ``ref == ""`` is an insertion before ``pos``, ``alt == ""``
a deletion of ``ref`` starting at ``pos``. Dialect rules are documented in docs/maf-input.md.
"""

from __future__ import annotations

import io
import sys
from dataclasses import field
from typing import BinaryIO, Iterator, Protocol

from her2cli.errors import GenomeBuildError, MalformedInputError
from her2cli.io.lines import MAX_LINE_BYTES, line_too_long, nul_byte
from her2cli.io.sniff import Prepended, open_binary
from her2cli.reference.builds import normalise_build
from her2cli.values import valueclass

try:  # isal inflates 2-3x faster than zlib (a dependency; zlib where it cannot be installed)
    from isal import igzip as _gzip
except ImportError:  # pragma: no cover - exercised only without isal
    import gzip as _gzip  # type: ignore[no-redef]
import zlib as _zlib

try:  # built by setup.py where a C compiler is at hand; optional
    from her2cli.io._mafscan import Scanner as _CompiledScanner
except ImportError:  # pragma: no cover - exercised only where the extension was not built
    _CompiledScanner = None

__all__ = ["MafRecord", "MafRead", "read_maf", "SCANNER"]

SCANNER = "compiled" if _CompiledScanner is not None else "plain"  # the block scanner read_maf uses
CHUNK = 2 << 20  # bytes of text scanned per block (256 KB-1 MB blocks were no faster, see benchmarks/README.md)
BLOCK_PADDING = 4096  # bytes readable past a block's end (kept; neither scanner reads past ``length``)
SLOW_SCANNER_NOTICE = ("the compiled MAF scanner (her2cli.io._mafscan) is not built: MAF rows are read in plain "
                       "Python, several times slower (reinstall with a C compiler, docs/maf-input.md)")
_GZIP_MAGIC = b"\x1f\x8b"
# How far before a build's ERBB2 gene start a row may begin and still reach into the gene
# (a deletion): the prefilter keeps these lines, the exact overlap test decides.
_PREFILTER_FLANK = 10_000
# Variant_Type values of the MAF specifications (GDC, TCGA, vcf2maf) and of the dialects seen in the
# wild (SNV, MNP). A base or a classification here means the row does not line up with its header.
_VARIANT_TYPES = {"SNP", "DNP", "TNP", "ONP", "INS", "DEL", "SNV", "MNP", "MNV", "INDEL", "CONSOLIDATED"}
_NCBI36_NAMES = {"36", "ncbi36", "hg18", "grch36", "ncbi_36", "36.1", "ncbi36.1"}
_BASES = set("ACGTN")
_MISSING_VALUES = {"", ".", "NA", "N/A", "NaN", "nan", "None"}
# Mutation_Status values that state an origin (TCGA MAF specification; LOH = a germline variant whose other
# allele the tumour lost). "None", "Unknown" and "Post-transcriptional modification" state none.
_STATED_STATUSES = {"somatic", "germline", "loh"}


def _somatic_statement(value: str | None) -> str | None:
    """A SOMATIC column that states this call somatic (TRUE, Somatic, yes). The SOMATIC column vcf2maf copies
    from VEP (0/1 per co-located known variant, e.g. '0&1') describes database entries, not this call: None."""
    return value if value is not None and value.lower() in ("true", "somatic", "yes") else None

# Canonical column names; a header matches them ignoring case and surrounding spaces.
_REQUIRED = ("Chromosome", "Start_Position", "Tumor_Sample_Barcode", "Tumor_Seq_Allele2")
_OPTIONAL = (
    "Hugo_Symbol", "NCBI_Build", "End_Position", "Reference_Allele", "Tumor_Seq_Allele1", "Variant_Type",
    "Variant_Classification", "Matched_Norm_Sample_Barcode", "HGVSc", "HGVSp", "HGVSp_Short",
    "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count",
    # What the publisher states: its somatic/germline call and the OncoKB annotator's columns.
    "Mutation_Status", "SOMATIC", "ONCOGENIC", "MUTATION_EFFECT", "HIGHEST_LEVEL",
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
    mutation_status: str | None = None  # Mutation_Status (TCGA MAF: Somatic, Germline, LOH, None, Unknown)
    somatic_flag: str | None = None  # a SOMATIC column holding a plain statement (TRUE, Somatic, yes)
    oncogenic: str | None = None  # the OncoKB annotator's ONCOGENIC, MUTATION_EFFECT, HIGHEST_LEVEL
    mutation_effect: str | None = None
    highest_level: str | None = None

    def statements(self) -> dict:
        """What the publisher states of this row, as MutationCall fields (only those it states)."""
        out: dict = {}
        if self.mutation_status and self.mutation_status.lower() in _STATED_STATUSES:
            out.update(stated_origin=self.mutation_status,
                       stated_origin_source=f"MAF Mutation_Status {self.mutation_status!r}")
        elif self.somatic_flag:
            out.update(stated_origin="somatic", stated_origin_source=f"MAF SOMATIC {self.somatic_flag!r}")
        for name, value in (("publisher_oncogenic", self.oncogenic),
                            ("publisher_mutation_effect", self.mutation_effect),
                            ("publisher_highest_level", self.highest_level)):
            if value:
                out[name] = value
        return out


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
    # A column read here named twice: which copy holds the data is unknowable (a second Tumor_Seq_Allele2
    # turned S310F into S310Y, a second Chromosome hid every ERBB2 row), so it is an error, not first-wins.
    for i in index.values():
        again = [j for j, col in enumerate(names) if j != i and col.lower() == names[i].lower()]
        if again:
            raise MalformedInputError(
                f"column {names[i]!r} appears twice in the column header (columns {i + 1} and {again[0] + 1}): "
                "which one holds the data is ambiguous", path=name, line=line_no)
    missing = [c for c in _REQUIRED if c not in index]
    if missing:
        raise MalformedInputError(
            f"not a MAF file: the column header (line {line_no}) lacks {', '.join(missing)}", path=name)
    return _Header(line_no, index, len(names), text.split("\t")[index["Chromosome"]].encode())


# ------------------------------------------------------------------------------------ scanning

class Scanner(Protocol):
    """What a block scanner does (her2cli.io._mafscan.Scanner, mafscan_plain.PlainScanner).

    It is made once per file from the columns it reads (``hugo`` -1 when the file has no
    Hugo_Symbol), the prefilter windows of Start_Position on chr17 (inclusive), and the header's
    Chromosome name as written. ``block(data, length)`` scans the first ``length`` bytes of ``data``
    (whole lines, the last may lack its newline; ``data`` reaches BLOCK_PADDING bytes further) and
    returns (lines, candidates, barcodes, first_row, repeated_headers), line numbers counting from the
    block's first line (0):

    - ``candidates``: (line, begin, end) byte spans of the lines to read: Chromosome 17 or chr17 (any
      casing) with a Start_Position that is not a plain number of 1-10 digits or lies in a window, or
      Hugo_Symbol exactly ERBB2;
    - ``barcodes``: the non-empty Tumor_Sample_Barcodes, as written, not listed before for this file,
      in first-seen order (one may be listed again; the merge keeps the first);
    - ``first_row``: the (line, begin, end) span of the first data line, None when the block has none;
    - ``repeated_headers``: lines whose Chromosome field is the header's (a concatenated MAF).

    Empty lines and lines starting with '#' are skipped. A field a line lacks is empty at the line's
    end, and the \\r of a CRLF line belongs to no field.
    """

    def block(self, data: memoryview, length: int) -> tuple[int, list[tuple[int, int, int]], list[bytes],
                                                             tuple[int, int, int] | None, list[int]]: ...


def _scanner(header: _Header, windows: list[tuple[int, int]]) -> Scanner:
    index = header.index
    if SCANNER == "compiled":
        make = _CompiledScanner
    else:
        from her2cli.io.mafscan_plain import PlainScanner as make
    return make(index.get("Hugo_Symbol", -1), index["Chromosome"], index["Start_Position"],
                index["Tumor_Sample_Barcode"], [(lo - _PREFILTER_FLANK, hi) for lo, hi in windows],
                header.chromosome_name)


class _Scan:
    """The data lines of a MAF, scanned block by block and merged in file order."""

    def __init__(self, header: _Header, windows: list[tuple[int, int]]):
        self.header = header
        self.scanner = _scanner(header, windows)
        self.samples: dict[str, None] = {}
        self.seen_barcodes: set[bytes] = set()  # barcodes as written, decoded once
        self.candidates: list[tuple[int, str]] = []  # (line number, text)
        self.first_row: tuple[int, str] | None = None
        self.repeated_headers: list[int] = []  # line numbers of copies of the column header
        self.lines = 0  # lines merged so far, header and lines before it included

    def block(self, data: memoryview, length: int) -> None:
        """Scan a block of whole lines (see Scanner) and merge what it holds."""
        lines, candidates, barcodes, first_row, repeated_headers = self.scanner.block(data, length)
        offset = self.lines + 1
        for raw in barcodes:
            if raw not in self.seen_barcodes:
                self.seen_barcodes.add(raw)
                barcode = raw.decode("utf-8", "replace").strip()
                if barcode:
                    self.samples.setdefault(barcode, None)
        self.candidates.extend((offset + n, _text(data, begin, end)) for n, begin, end in candidates)
        if self.first_row is None and first_row is not None:
            n, begin, end = first_row
            self.first_row = (offset + n, _text(data, begin, end))
        self.repeated_headers.extend(offset + n for n in repeated_headers)
        self.lines += lines


def _text(data, begin: int, end: int) -> str:
    return bytes(data[begin:end]).decode("utf-8", "replace").rstrip("\r")


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
    view reaches BLOCK_PADDING bytes past ``length`` so 8-byte words can be gathered at any field start.
    The last block may lack its final newline. A block is valid until the next one is asked for."""
    size = CHUNK
    buf = bytearray(size + BLOCK_PADDING)
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
                if filled >= MAX_LINE_BYTES:
                    raise _LineTooLong()
                size *= 2
                buf.extend(bytes(size + BLOCK_PADDING - len(buf)))
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


class _LineTooLong(Exception):
    """A line longer than the limit (io.lines.MAX_LINE_BYTES) starts the current block."""


def _scan(path: str, windows: list[tuple[int, int]]) -> tuple[str, _Scan]:
    name, blocks = _line_blocks(path)
    scan: _Scan | None = None
    lines_before = 0  # comment and blank lines before the column header, and the header
    try:
        for view, length in blocks:
            scan, lines_before = _scan_block(view, length, scan, lines_before, name, windows)
    except _LineTooLong:
        raise line_too_long(name, (scan.lines if scan is not None else lines_before) + 1, "MAF text") from None
    if scan is None:
        raise MalformedInputError("not a MAF file: no column header line (Hugo_Symbol, Chromosome, "
                                  "Start_Position, ...)", path=name)
    return name, scan


def _scan_block(view: memoryview, length: int, scan: _Scan | None, lines_before: int, name: str,
                windows: list[tuple[int, int]]) -> tuple[_Scan | None, int]:
    """One block of whole lines: NUL bytes refused (memchr over the whole data: a NUL inside a barcode would
    make a sample of its own), then the header found or the rows scanned."""
    nul = view.obj.find(b"\0", 0, length)  # type: ignore[union-attr]
    if nul >= 0:
        before = bytes(view[:nul]).count(b"\n")
        raise nul_byte(name, (scan.lines if scan is not None else lines_before) + before + 1, "the MAF")
    at = 0
    if scan is None:
        scan, at, lines_before = _find_header(bytes(view[:length]), lines_before, name, windows)
        if scan is None:
            return None, lines_before
        scan.lines = lines_before
    if length > at:
        scan.block(view[at:], length - at)
    return scan, lines_before


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
        mutation_status=_cell(fields, index, "Mutation_Status"),
        somatic_flag=_somatic_statement(_cell(fields, index, "SOMATIC")),
        oncogenic=_cell(fields, index, "ONCOGENIC"),
        mutation_effect=_cell(fields, index, "MUTATION_EFFECT"),
        highest_level=_cell(fields, index, "HIGHEST_LEVEL"),
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
    notices: list[str] = [SLOW_SCANNER_NOTICE] if _CompiledScanner is None else []
    notices.extend(f"{name}:{n}: a repeated column header line; skipped" for n in scan.repeated_headers)
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
