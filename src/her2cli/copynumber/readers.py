"""Copy-number file readers: one declarative table of layouts, one streaming reader.

Every supported layout is one :class:`Layout` row in ``LAYOUTS`` (format name, how it is recognised
from its header, which columns hold chromosome/start/end/value, coordinate base, value unit).
Coordinates are normalised to 1-based closed intervals; units are ``log2`` (ratio to a normal) or
``copies`` (absolute, already tumour-cell values). The table is rendered in docs/copy-number.md.

Sample column (any layout with a header): decided by the file's structure, not by its name. The
first column is the sample column when no role (chromosome, start, end, value, ...) claims it and
its values repeat in runs (several segments per value), or change on every row while the
coordinates restart (one segment per sample); R row numbers and segment IDs are not one. Files without such a column are one sample named after
the file (GATK: the ``@RG SM:`` tag).

Streaming: :func:`iter_segment_tables` yields one :class:`SegmentTable` per sample as the file is
read, so memory holds one sample's segments at a time. The segments of one sample must be
contiguous: a sample that reappears after another one is an error (not silently split into two
rows), and so are overlapping segments of one sample (the sign of a mis-read sample column; they
are never averaged). Two segments sharing their boundary base are tolerated (end == next start is
common in seg files); Control-FREEC windows are allowed to overlap (the tool writes them so).

Purity/ploidy are taken from sibling files when present: PURPLE ``<prefix>.purple.purity.tsv``,
ASCAT (nf-core) ``<prefix>.purityploidy.txt``, Sequenza ``<prefix>_confints_CP.txt``.
"""

from __future__ import annotations

import math
import os
import re
import statistics
from pathlib import Path
from typing import Callable, Iterator

from her2cli.values import valueclass

from ..errors import InputMissingError, MalformedInputError
from ..io.lines import lines as text_lines
from .numbers import MAX_PLOIDY, MIN_PLOIDY, parse_number
from .numbers import NA as _NA
from .segment_build import coordinate_hints, sam_header_hints
from .segments import COPIES, LOG2, Segment, SegmentTable

COVERAGE = "coverage"   # raw read depth, turned into a log2 ratio against the genome baseline


# Column-name families shared by the seg-like layouts (lower case).
_CHROM = ("chrom", "chromosome", "chr", "contig")
_START = ("loc.start", "start", "startpos", "start_pos", "loc_start")
_END = ("loc.end", "end", "endpos", "end_pos", "loc_end")
_SEG_MEAN = ("seg.mean", "segment_mean", "mean", "seg_mean", "log2ratio", "log2_ratio")
# Columns that are never a sample column, whatever their position.
_NOT_SAMPLE = {"num.mark", "num_probes", "nbrofloci", "num.markers", "num_mark", "probes", "seg", "gene"}

# GRCh37 17q12 start .. GRCh38 17q12 end: left out of a coverage baseline so that a large ERBB2
# amplicon in a small (or chr17-only) file cannot pull the baseline up, whatever the build.
_AMPLICON_WINDOW = ("17", 31_800_001, 39_800_000)


@valueclass(frozen=True)
class Layout:
    """One file layout. Column tuples list accepted names, first match wins (lower case)."""

    format: str                       # public format name (FORMATS, --segment-format)
    layout: str                       # what the layout is, for docs and messages
    unit: str                         # LOG2, COPIES or COVERAGE
    zero_based: bool                  # 0-based half-open input coordinates
    chrom: tuple[str, ...]
    start: tuple[str, ...]
    end: tuple[str, ...]              # empty: windows given by their start only (FREEC _ratio)
    value: tuple[str, ...]            # the value column; with value_sum, every listed column summed
    signature: frozenset[str]         # header columns that recognise the layout (all present)
    without: frozenset[str] = frozenset()   # ... and columns that must be absent
    value_sum: bool = False
    max_value: tuple[str, ...] = ()
    gene: tuple[str, ...] = ()
    tool_call: tuple[str, ...] = ()
    tool_call_prefix: str = ""        # CNVkit 'cn' column -> tool call "cn=3"
    stems: tuple[str, ...] = ()       # file-name suffixes stripped to name a single-sample file
    allow_overlap: bool = False
    headerless: bool = False          # positional columns: chrom, start, end, value, call
    csv_only: bool = False

    @property
    def relative(self) -> bool:
        """Values are ratios against a normal, so purity changes the tumour copy number."""
        return self.unit != COPIES


def _cols(*names: str) -> tuple[str, ...]:
    return tuple(n.lower() for n in names)


LAYOUTS: list[Layout] = [
    Layout("gatk", "GATK4 CallCopyRatioSegments / ModelSegments .seg (@RG SM = sample)", LOG2, False,
           _cols("CONTIG"), _cols("START"), _cols("END"),
           _cols("MEAN_LOG2_COPY_RATIO", "LOG2_COPY_RATIO_POSTERIOR_50"),
           frozenset({"contig", "start", "end"}), tool_call=_cols("CALL"),
           stems=(".called.seg", ".modelFinal.seg", ".cr.seg", ".seg")),
    Layout("cnvkit", "CNVkit .cns/.cnr (.cnr bins have no 'probes' column)", LOG2, True,
           _cols("chromosome"), _cols("start"), _cols("end"), _cols("log2"),
           frozenset({"chromosome", "start", "end", "log2"}), gene=_cols("gene"), tool_call=_cols("cn"),
           tool_call_prefix="cn=", stems=(".call.cns", ".segmetrics.cns", ".cns", ".cnr")),
    Layout("purple_gene", "PURPLE .purple.cnv.gene.tsv (one row per gene, min/max copy number)", COPIES, False,
           _cols("chromosome"), _cols("start"), _cols("end"), _cols("minCopyNumber"),
           frozenset({"gene", "mincopynumber", "maxcopynumber"}), without=frozenset({"driver"}),
           max_value=_cols("maxCopyNumber"), gene=_cols("gene"), allow_overlap=True,   # genes overlap
           stems=(".purple.cnv.gene.tsv", ".cnv.gene.tsv")),
    Layout("purple", "PURPLE .purple.cnv.somatic.tsv", COPIES, False,
           _cols("chromosome"), _cols("start"), _cols("end"), _cols("copyNumber"),
           frozenset({"chromosome", "start", "end", "copynumber"}), without=frozenset({"ratio"}),
           stems=(".purple.cnv.somatic.tsv", ".cnv.somatic.tsv")),
    Layout("facets", "FACETS cncf (tcn.em) / facets-suite (ID loc.start loc.end tcn)", COPIES, False,
           _CHROM, _START, _END, _cols("tcn.em", "tcn"), frozenset({"tcn.em"}),
           stems=("_hisens.cncf.txt", ".cncf.txt", ".seg", ".txt")),
    Layout("facets", "facets-suite segments (tcn with cnlr.median)", COPIES, False,
           _CHROM, _START, _END, _cols("tcn"), frozenset({"tcn", "cnlr.median"}),
           stems=("_hisens.cncf.txt", ".cncf.txt", ".seg", ".txt")),
    Layout("ascat", "ASCAT segments ([sample] chr startpos endpos nMajor nMinor; total = sum)", COPIES, False,
           _cols("chr", "chromosome", "chrom"), _cols("startpos", "start"), _cols("endpos", "end"),
           _cols("nMajor", "nMinor"), frozenset({"startpos", "nmajor", "nminor"}), value_sum=True,
           stems=(".cnvs.txt", ".segments.txt", ".segments_raw.txt")),
    Layout("pcgr", "PCGR >= 2.0 CNA input (Chromosome Start End nMajor nMinor; total = sum)", COPIES, False,
           _cols("Chromosome"), _cols("Start"), _cols("End"), _cols("nMajor", "nMinor"),
           frozenset({"chromosome", "start", "end", "nmajor", "nminor"}), value_sum=True,
           stems=(".cna.tsv", ".tsv")),
    Layout("gdc_ascat", "GDC allele-specific copy number segment (ASCAT2/ASCAT3, WGS ASCAT): "
           "GDC_Aliquot Chromosome Start End Copy_Number Major_Copy_Number Minor_Copy_Number", COPIES, False,
           _cols("Chromosome"), _cols("Start"), _cols("End"), _cols("Copy_Number"),
           frozenset({"chromosome", "start", "end", "copy_number"})),
    Layout("sequenza", "Sequenza _segments.txt (CNt)", COPIES, False,
           _cols("chromosome"), _cols("start.pos"), _cols("end.pos"), _cols("CNt"),
           frozenset({"start.pos", "end.pos", "cnt"}), stems=("_segments.txt",)),
    Layout("freec", "Control-FREEC _ratio.txt (windows by start; CopyNumber)", COPIES, False,
           _cols("Chromosome"), _cols("Start"), (), _cols("CopyNumber"),
           frozenset({"chromosome", "start", "ratio", "copynumber"}), stems=("_ratio.txt", ".txt")),
    Layout("splitthreader", "SplitThreader coverage CSV (10 kb bins; raw coverage)", COVERAGE, True,
           _cols("chromosome"), _cols("start"), _cols("end"), _cols("segmented_coverage", "coverage"),
           frozenset({"chromosome", "start", "end", "coverage"}), csv_only=True,
           stems=(".copynumber.segmented.csv", ".csv")),
    Layout("gdc_seg", "GDC copy number segment, masked or unmasked (Affymetrix SNP6, DNAcopy): "
           "GDC_Aliquot Chromosome Start End Num_Probes Segment_Mean", LOG2, False,
           _cols("Chromosome"), _cols("Start"), _cols("End"), _cols("Segment_Mean"),
           frozenset({"gdc_aliquot", "chromosome", "start", "end", "segment_mean"})),
    Layout("pcgr", "PCGR < 2.0 CNA input (Chromosome Start End Segment_Mean, log2)", LOG2, False,
           _cols("Chromosome"), _cols("Start"), _cols("End"), _cols("Segment_Mean"),
           frozenset({"chromosome", "start", "end", "segment_mean"}), without=frozenset({"num_probes"}),
           stems=(".cna.tsv", ".tsv")),
    Layout("seg", "IGV/DNAcopy/PSCBS/CCLE .seg (ID chrom loc.start loc.end [num.mark] seg.mean)", LOG2, False,
           _CHROM, _START, _END, _SEG_MEAN, frozenset(), stems=(".seg",)),
    Layout("cbioportal", "cBioPortal _seg file (same columns as seg)", LOG2, False,
           _CHROM, _START, _END, _SEG_MEAN, frozenset(), stems=(".seg",)),
    Layout("freec", "Control-FREEC _CNVs (headerless: chr start end copy-number status ...)", COPIES, False,
           (), (), (), (), frozenset(), headerless=True, allow_overlap=True,
           stems=("_CNVs",)),
]

FORMATS: list[str] = list(dict.fromkeys(layout.format for layout in LAYOUTS))

_ALIASES = {
    "cns": "cnvkit", "cnr": "cnvkit", "igv": "seg", "dnacopy": "seg", "cbs": "seg", "ccle": "seg",
    "controlfreec": "freec", "control-freec": "freec", "modelsegments": "gatk",
    "callcopyratiosegments": "gatk", "gatk4": "gatk", "gdc": "gdc_seg",
}


def canonical_format(name: str, path: str | None = None) -> str:
    """Format name for a --segment-format value or alias; MalformedInputError if unknown."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise MalformedInputError(f"unknown --segment-format {name!r}; choose one of: {', '.join(FORMATS)}",
                                  path=path)
    return key


def format_is_relative(name: str) -> bool:
    """True when the format's values are ratios against a normal (purity changes the copy number)."""
    key = canonical_format(name)
    return any(layout.relative for layout in LAYOUTS if layout.format == key)


# ----------------------------------------------------------------------------------------------
# Opening and header

@valueclass
class _Header:
    path: str
    line: int                        # 1-based line number of the header (or first data line)
    fields: list[str]                # as written (quotes stripped)
    delim: str | None                # '\t', ',' or None (whitespace)
    sam: list[tuple[int, str]]       # GATK @ lines

    @property
    def cols(self) -> list[str]:
        return [c.strip().lower() for c in self.fields]

    def split(self, text: str) -> list[str]:
        fields = text.rstrip("\r\n").split(self.delim) if self.delim else text.split()
        if '"' in text or "'" in text:
            return [f.strip().strip('"').strip("'") for f in fields]
        return [f.strip() for f in fields] if self.delim else fields


def _lines(path: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of a plain or gzipped text file, streamed and read once (a FIFO works): the
    shared bounded reader (io.lines: the one line-length limit, NUL bytes refused)."""
    if os.path.isdir(path):
        raise InputMissingError("is a directory, not a segment file", path=path)
    return text_lines(path, "segment file")


def _header(path: str, lines: Iterator[tuple[int, str]]) -> _Header:
    sam: list[tuple[int, str]] = []
    last = 0
    for number, text in lines:
        last = number
        if number == 1 and text.startswith("##fileformat=VCF"):
            raise MalformedInputError("this is a VCF, not a segment file (pass it as the VCF argument)",
                                      path=path, line=1)
        if not text.strip() or text.startswith("#"):
            continue
        if text.startswith("@"):
            sam.append((number, text))
            continue
        if re.match(r"^(WARNING|Warning message|In addition)", text):  # R noise above the header
            continue
        delim = "\t" if "\t" in text else ("," if "," in text else None)
        header = _Header(path, number, [], delim, sam)
        header.fields = header.split(text)
        return header
    raise MalformedInputError("empty segment file (no header or data lines)", path=path, line=last or None)


def _detect(h: _Header) -> Layout:
    cols = set(h.cols)
    if h.sam:
        return _layout("gatk")
    for layout in LAYOUTS:
        if layout.headerless or not layout.signature:
            continue
        if layout.signature <= cols and not (layout.without & cols) and (not layout.csv_only or h.delim == ","):
            if layout.format == "gatk" and not set(layout.value) & cols:
                continue
            return layout
    seg = _layout("seg")
    if _find(h.cols, seg.chrom) is not None and _find(h.cols, seg.start) is not None \
            and _find(h.cols, seg.end) is not None and _find(h.cols, seg.value) is not None:
        return seg
    if "hugo_symbol" in cols:
        raise MalformedInputError(
            "cBioPortal gene-level table (Hugo_Symbol ...), not segments: pass the _seg file instead",
            path=h.path, line=h.line)
    if {"driver", "likelihoodmethod"} <= cols:
        raise MalformedInputError("PURPLE driver catalogue, not copy-number segments: pass the "
                                  ".purple.cnv.somatic.tsv file", path=h.path, line=h.line)
    if {"purity", "ploidy", "normfactor"} <= cols:
        raise MalformedInputError("PURPLE purity.tsv, not copy-number segments: pass the "
                                  ".purple.cnv.somatic.tsv file (its purity.tsv is read automatically)",
                                  path=h.path, line=h.line)
    if "genes_in_peak" in cols:
        raise MalformedInputError("GISTIC peak table, not per-sample copy-number segments",
                                  path=h.path, line=h.line)
    f = h.fields
    if len(f) >= 5 and f[4].lower() in ("gain", "loss", "neutral") and all(
            re.fullmatch(r"\d+(\.\d+)?", x) for x in f[1:4]):
        return next(layout for layout in LAYOUTS if layout.headerless)
    raise MalformedInputError(
        "unknown copy-number format (header: " + " ".join(f[:10]) + "); "
        "use --segment-format with one of: " + ", ".join(FORMATS), path=h.path, line=h.line)


def _layout(fmt: str, h: _Header | None = None) -> Layout:
    """The layout of a forced format: the first of its layouts whose columns the header has."""
    candidates = [layout for layout in LAYOUTS if layout.format == fmt]
    if h is not None and len(candidates) > 1:
        cols = h.cols
        for layout in candidates:
            if layout.headerless:
                continue
            if all(_find(cols, names) is not None for names in (layout.chrom, layout.start, layout.value)) \
                    and (not layout.end or _find(cols, layout.end) is not None):
                return layout
        headerless = [layout for layout in candidates if layout.headerless]
        if headerless:
            return headerless[0]
    return candidates[0]


def _find(cols: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in cols:
            return cols.index(name)
    return None


# ----------------------------------------------------------------------------------------------
# Parsing helpers

# Largest copy-number value accepted: a log2 ratio of 20 is a million-fold gain (more copies of one gene
# than a cell holds DNA), far past any real amplification (ERBB2 peaks near log2 6-7); for absolute copy
# numbers the same bound is 2**20 copies. A larger value is a broken file, never an amplification. There is
# no lower bound: deep losses are written as very negative log2 ratios (CNVkit bins reach -31).
MAX_LOG2 = 20.0
MAX_COPIES = float(1 << 20)


def _num(text: str, what: str, path: str, line: int) -> float | None:
    return parse_number(text, what, path, line)


def _check_value(value: float, unit: str, what: str, path: str, line: int) -> None:
    """An impossible copy-number value (see MAX_LOG2) is an error, not an amplification."""
    limit = MAX_LOG2 if unit == LOG2 else MAX_COPIES
    if value > limit:
        kind = "log2 ratio" if unit == LOG2 else "copy number"
        raise MalformedInputError(f"{what} {value:g} is not a possible {kind} (beyond {limit:g})",
                                  path=path, line=line)


def _coord(text: str, what: str, path: str, line: int) -> int:
    if text.isdigit():
        return int(text)
    value = _num(text, what, path, line)
    if value is None or value < 0 or not math.isfinite(value) or value != int(value):
        raise MalformedInputError(f"{what} is not a genomic position: {text!r}", path=path, line=line)
    return int(value)


def _stem(path: str, suffixes: tuple[str, ...] = ()) -> str:
    name = Path(path).name
    if name.endswith(".gz"):
        name = name[:-3]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name.rsplit(".", 1)[0] if "." in name else name


def _log_factor(log_base: float | None) -> float:
    """Multiplier that turns a log_base ratio into log2 (log10 seg files: log2(10) = 3.32)."""
    if log_base is None or log_base == 2:
        return 1.0
    if log_base <= 0 or log_base == 1:
        raise ValueError(f"log base must be positive and not 1, got {log_base}")
    return math.log2(log_base)


@valueclass
class _Columns:
    """Column indices of one layout in one header."""

    chrom: int
    start: int
    end: int | None
    values: list[int]
    max_value: int | None
    gene: int | None
    tool_call: int | None
    sample: int | None
    width: int
    value_names: list[str]

    @classmethod
    def of(cls, layout: Layout, h: _Header) -> "_Columns":
        if layout.headerless:
            return cls(0, 1, 2, [3], None, None, 4, None, 0, ["copy number"])
        cols = h.cols

        def need(names: tuple[str, ...]) -> int:
            idx = _find(cols, names)
            if idx is None:
                raise MalformedInputError(
                    f"{layout.format} file lacks a {names[0]!r} column (header: {' '.join(h.fields)})",
                    path=h.path, line=h.line)
            return idx

        values = [need((name,)) for name in layout.value] if layout.value_sum else [need(layout.value)]
        c = cls(need(layout.chrom), need(layout.start), need(layout.end) if layout.end else None, values,
                _find(cols, layout.max_value), _find(cols, layout.gene), _find(cols, layout.tool_call),
                None, len(cols), [])
        c.value_names = [h.fields[i] for i in values]
        used = {c.chrom, c.start, c.end, *c.values, c.max_value, c.gene, c.tool_call}
        # Sample column candidate: an unclaimed first column ahead of the chromosome column.
        if 0 not in used and c.chrom > 0 and cols[0] not in _NOT_SAMPLE:
            c.sample = 0
        return c


def _is_sample_column(rows: list[tuple[int, list[str]]], cols: "_Columns") -> bool:
    """Structure test: values repeat in runs (several segments per sample). A column whose value
    changes on every row is a sample column only when its rows, read as one sample, would overlap
    (one segment per sample, e.g. a region-trimmed cohort file); row numbers and segment IDs of a
    single sample's consecutive segments are not."""
    idx = cols.sample
    values = [fields[idx] for _, fields in rows if idx is not None and idx < len(fields)]
    if len(values) < 3:
        return True
    runs = 1 + sum(1 for a, b in zip(values, values[1:]) if a != b)
    if runs < len(values):
        return True
    if all(v.isdigit() for v in values):
        return False   # R row numbers
    ends: dict[str, int] = {}
    for _, fields in rows:
        try:
            chrom, start = fields[cols.chrom], int(float(fields[cols.start]))
            end = int(float(fields[cols.end])) if cols.end is not None else start
        except (IndexError, ValueError):
            continue
        if chrom in ends and start < ends[chrom]:
            return True   # coordinates restart: each row is another sample
        ends[chrom] = max(end, ends.get(chrom, 0))
    return False


# ----------------------------------------------------------------------------------------------
# The reader

_LOOKAHEAD = 200   # data rows buffered to test the sample column's structure


class _SampleCollector:
    """Turns a stream of (sample, segment) into one finished SegmentTable per sample."""

    def __init__(self, path: str, layout: Layout, unit: str, finish: Callable[[SegmentTable], None]):
        self.path, self.layout, self.unit, self.finish = path, layout, unit, finish
        self.table: SegmentTable | None = None
        self.first_line: dict[str, int] = {}   # names only: a few bytes per sample
        self.skipped_na = 0
        self.skipped_empty = 0

    def start(self, sample: str, line: int) -> SegmentTable | None:
        """Begin ``sample`` at ``line``; returns the finished previous table, if any."""
        if self.table is not None and self.table.sample == sample:
            return None
        if sample in self.first_line:
            raise MalformedInputError(
                f"sample {sample!r} reappears after other samples (first seen at line "
                f"{self.first_line[sample]}); the segments of one sample must be contiguous "
                "(sort the file by sample)", path=self.path, line=line)
        self.first_line[sample] = line
        done = self.close()
        self.table = SegmentTable(self.path, sample, self.layout.format, self.unit)
        return done

    def close(self) -> SegmentTable | None:
        table, self.table = self.table, None
        if table is None:
            return None
        if self.skipped_na:
            table.notes.append(f"{self.skipped_na} row(s) with NA values skipped")
        if self.skipped_empty:
            table.notes.append(f"{self.skipped_empty} empty segment(s) (end before start) skipped")
        self.skipped_na = self.skipped_empty = 0
        if not self.layout.allow_overlap:
            _check_overlaps(table)
        self.finish(table)
        return table


def _check_overlaps(table: SegmentTable) -> None:
    by_chrom: dict[str, list[Segment]] = {}
    for seg in table.segments:
        by_chrom.setdefault(seg.key, []).append(seg)
    for segs in by_chrom.values():
        segs.sort(key=lambda s: (s.start, s.end))
        for prev, seg in zip(segs, segs[1:]):
            if seg.start < prev.end:   # a shared boundary base (start == previous end) is tolerated
                raise MalformedInputError(
                    f"segments of sample {table.sample!r} overlap ({prev.chrom}:{prev.start}-{prev.end} "
                    f"at line {prev.line} and {seg.start}-{seg.end} at line {seg.line}); overlapping "
                    "segments are never averaged: is the sample column right?",
                    path=table.path, line=seg.line)


def iter_segment_tables(path: str, fmt: str | None = None, log_base: float | None = None) -> Iterator[SegmentTable]:
    """One SegmentTable per sample, in file order, streamed (see module docstring)."""
    path = str(path)
    lines = _lines(path)
    h = _header(path, lines)
    layout = _layout(canonical_format(fmt, path), h) if fmt is not None else _detect(h)
    if not layout.headerless:  # a column named twice: which one is meant cannot be known (as a MAF's)
        twice = sorted({c for c in h.cols if c and h.cols.count(c) > 1})
        if twice:
            raise MalformedInputError(f"column(s) named twice in the header: {', '.join(twice)}", path=path,
                                      line=h.line)
    cols = _Columns.of(layout, h)
    factor = _log_factor(log_base) if layout.unit == LOG2 else 1.0
    unit = LOG2 if layout.unit == COVERAGE else layout.unit
    default_sample = _default_sample(path, layout, h)
    collector = _SampleCollector(path, layout, unit, _finisher(path, layout, h))

    rows: Iterator[tuple[int, list[str]]] = _data_rows(h, lines, layout)
    if cols.sample is not None:
        buffered = [row for _, row in zip(range(_LOOKAHEAD), rows)]
        if not _is_sample_column(buffered, cols):
            cols.sample = None
        rows = _chain(buffered, rows)
    any_values = False
    for line, fields in rows:
        if len(fields) == cols.width + 1 and cols.width:
            fields = fields[1:]   # R row names: one more field than the header
        sample = _field(fields, cols.sample, path, line) if cols.sample is not None else default_sample
        done = collector.start(sample, line)
        if done is not None:
            any_values |= bool(done.segments)
            yield done
        _add_segment(collector, layout, cols, fields, line, factor)
    done = collector.close()
    if done is None:
        raise MalformedInputError("no copy-number segments with values in file", path=path, line=h.line)
    any_values |= bool(done.segments)
    if not any_values:
        raise MalformedInputError("no copy-number segments with values in file", path=path, line=h.line)
    yield done


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _data_rows(h: _Header, lines: Iterator[tuple[int, str]], layout: Layout) -> Iterator[tuple[int, list[str]]]:
    if layout.headerless:
        yield h.line, h.fields
    for number, text in lines:
        if not text.strip() or text.startswith("#"):
            continue
        yield number, h.split(text)


def _field(fields: list[str], idx: int, path: str, line: int) -> str:
    if idx >= len(fields):
        raise MalformedInputError(f"expected at least {idx + 1} columns, found {len(fields)}", path=path, line=line)
    return fields[idx]


def _add_segment(c: _SampleCollector, layout: Layout, cols: _Columns, fields: list[str], line: int,
                 factor: float) -> None:
    path, table = c.path, c.table
    chrom = _field(fields, cols.chrom, path, line)
    if not chrom:
        raise MalformedInputError("empty chromosome field", path=path, line=line)
    start = _coord(_field(fields, cols.start, path, line), "start", path, line)
    end = _coord(_field(fields, cols.end, path, line), "end", path, line) if cols.end is not None else start
    if layout.zero_based:
        start += 1   # 0-based half-open [s, e) == 1-based closed [s+1, e]
    parts = [_num(_field(fields, i, path, line), cols.value_names[k], path, line) for k, i in enumerate(cols.values)]
    value = None if any(p is None for p in parts) else sum(parts) * factor   # type: ignore[misc]
    if value is None or (layout.format == "freec" and value < 0):
        c.skipped_na += 1
        return
    if cols.end is not None and end < start:
        if layout.format == "cnvkit" or (layout.zero_based and end == start - 1):
            c.skipped_empty += 1   # CNVkit writes its zero-probe segments with end < start; [s, s) is empty
            return
        raise MalformedInputError(f"segment end {end} is before its start {start}", path=path, line=line)
    if layout.unit != COVERAGE:
        _check_value(value, layout.unit, cols.value_names[0] if len(cols.values) == 1 else "total copy number",
                     path, line)
    call = None
    if cols.tool_call is not None and cols.tool_call < len(fields):
        raw = fields[cols.tool_call]
        call = f"{layout.tool_call_prefix}{raw}" if raw.strip().upper() not in _NA else None
    name = fields[cols.gene] if cols.gene is not None and cols.gene < len(fields) else None
    high = _num(fields[cols.max_value], "max copy number", path, line) \
        if cols.max_value is not None and cols.max_value < len(fields) else None
    if high is not None:
        _check_value(high, layout.unit, "max copy number", path, line)
    table.segments.append(Segment(chrom, start, end, value, line, call, name, high))   # type: ignore[union-attr]


def _default_sample(path: str, layout: Layout, h: _Header) -> str:
    if layout.format == "gatk":
        for _, text in h.sam:
            if text.startswith("@RG"):
                for tag in text.split("\t")[1:]:
                    if tag.startswith("SM:"):
                        return tag[3:]
    stem = _stem(path, layout.stems)
    if layout.format == "ascat":
        stem = re.sub(r"\.segments_chr\w+\.txt$", "", stem)
    return stem


# ----------------------------------------------------------------------------------------------
# Per-format finishing (flags, sibling purity files, unit conversion that needs a whole sample)

def _finisher(path: str, layout: Layout, h: _Header) -> Callable[[SegmentTable], None]:
    cols = h.cols

    def finish(table: SegmentTable) -> None:
        fmt = layout.format
        if fmt == "cnvkit":
            binned = "probes" not in cols   # .cnr bins have no 'probes' column; .cns segments do
            table.binned, table.segmented = binned, not binned
        elif fmt == "gatk":
            sam_header_hints(table, h.sam)
        elif fmt == "purple_gene":
            table.gene_level = True
            _purple_purity(path, table, layout.stems)
        elif fmt == "purple":
            _purple_purity(path, table, layout.stems)
        elif fmt == "ascat":
            _ascat_purity(path, table)
        elif fmt == "sequenza":
            _sequenza_purity(path, table)
        elif fmt == "freec" and not layout.headerless:
            _freec_windows(table)
        elif fmt == "freec":
            _freec_ploidy(table)
        elif fmt == "splitthreader":
            _coverage_to_log2(table)
        coordinate_hints(table, tolerance=50_000 if table.binned else 0)

    return finish


def _purple_purity(path: str, table: SegmentTable, suffixes: tuple[str, ...]) -> None:
    name = Path(path).name
    for suffix in suffixes:
        if name.endswith(suffix):
            prefix = name[: -len(suffix)]
            sibling = Path(path).with_name(prefix + (".purple.purity.tsv" if suffix.startswith(".purple") else ".purity.tsv"))
            break
    else:
        return
    values = _read_key_table(sibling, ("purity", "ploidy"))
    if values:
        table.purity, table.ploidy = values.get("purity"), values.get("ploidy")
        table.purity_source = table.ploidy_source = "PURPLE purity.tsv"


def _ascat_purity(path: str, table: SegmentTable) -> None:
    # nf-core/sarek's ASCAT module writes <prefix>.purityploidy.txt (AberrantCellFraction, Ploidy).
    name = Path(path).name
    for suffix in (".cnvs.txt", ".segments.txt"):
        if name.endswith(suffix):
            vals = _read_key_table(Path(path).with_name(name[: -len(suffix)] + ".purityploidy.txt"),
                                   ("aberrantcellfraction", "ploidy"))
            if vals:
                table.purity, table.ploidy = vals.get("aberrantcellfraction"), vals.get("ploidy")
                table.purity_source = table.ploidy_source = "ASCAT purityploidy.txt"


def _sequenza_purity(path: str, table: SegmentTable) -> None:
    name = Path(path).name
    if name.endswith("_segments.txt"):
        # _confints_CP.txt: rows = lower bound, point estimate, upper bound of cellularity/ploidy.
        vals = _read_key_table(Path(path).with_name(name[: -len("_segments.txt")] + "_confints_CP.txt"),
                               ("cellularity", "ploidy"), row=1)
        if vals:
            table.purity, table.ploidy = vals.get("cellularity"), vals.get("ploidy")
            table.purity_source = table.ploidy_source = "Sequenza confints_CP.txt"


def _freec_windows(table: SegmentTable) -> None:
    """_ratio.txt gives window starts only: a window ends where the next one starts (else one
    median window step later). Starts at 0 mean 0-based coordinates."""
    segs = table.segments
    starts: dict[str, list[int]] = {}
    for s in segs:
        starts.setdefault(s.key, []).append(s.start)
    steps = [b - a for s in starts.values() for a, b in zip(s, s[1:]) if b > a]
    window = int(statistics.median(steps)) if steps else 1
    zero_based = any(v == 0 for s in starts.values() for v in s)
    nxt = {(k, a): b for k, s in starts.items() for a, b in zip(s, s[1:])}
    for s in segs:
        end = nxt.get((s.key, s.start), s.start + window) - (0 if zero_based else 1)
        s.start, s.end = s.start + (1 if zero_based else 0), end
    table.binned, table.segmented = True, False


def _freec_ploidy(table: SegmentTable) -> None:
    # _CNVs lists altered regions only, so a mean over it is biased; FREEC labels a region
    # 'neutral' when its copy number equals the ploidy FREEC was run with.
    neutral = [s.value for s in table.segments if (s.tool_call or "").lower() == "neutral"]
    if neutral:
        table.ploidy = statistics.mode(neutral)
        table.ploidy_source = "Control-FREEC 'neutral' copy number"


def _coverage_to_log2(table: SegmentTable) -> None:
    # Raw coverage: divide by the genome baseline (length-weighted median outside 17q12).
    table.binned = True
    key, lo, hi = _AMPLICON_WINDOW
    outside = [s for s in table.segments if not (s.key == key and s.overlap(lo, hi) > 0)] or table.segments
    baseline = weighted_median([(s.value, s.length) for s in outside])
    if not baseline or baseline <= 0:
        raise MalformedInputError("coverage baseline is zero; cannot normalise", path=table.path)
    for s in table.segments:
        s.value = math.log2(s.value / baseline) if s.value > 0 else -10.0
    table.notes.append(f"coverage divided by genome baseline {baseline:g} (median outside 17q12)")


def _read_key_table(path: Path, keys: tuple[str, ...], row: int = 0) -> dict[str, float]:
    """First (or ``row``-th) data row of a small header+values TSV, as floats for ``keys``. Read by the shared
    bounded reader (NUL bytes, an endless line: errors); a value that is not finite, a purity outside (0, 1]
    or a ploidy outside [0.5, 10] is an error naming the file and line, never a silent estimate."""
    if not path.is_file():
        return {}
    try:
        lines = [(n, l) for n, l in text_lines(str(path), "purity file") if l.strip() and not l.startswith("#")]
    except InputMissingError:
        return {}
    if len(lines) < 2 + row:
        return {}
    header = [h.strip().strip('"').lower() for h in re.split(r"[\t ]+", lines[0][1].strip())]
    number, text = lines[1 + row]
    fields = [v.strip().strip('"') for v in re.split(r"[\t ]+", text.strip())]
    if len(fields) == len(header) + 1:
        fields = fields[1:]       # R row names
    out: dict[str, float] = {}
    for key in keys:
        # exact name first, then a prefix match (Sequenza writes 'ploidy.estimate')
        idx = header.index(key) if key in header else next(
            (i for i, h in enumerate(header) if h.startswith(key)), None)
        if idx is None or idx >= len(fields):
            continue
        try:
            value = float(fields[idx]) if "_" not in fields[idx] else math.nan
        except ValueError:
            continue   # a word where a number was expected: no estimate from this file
        if math.isnan(value):
            continue
        low, high, closed_low = (MIN_PLOIDY, MAX_PLOIDY, True) if key == "ploidy" else (0.0, 1.0, False)
        if not (math.isfinite(value) and (low <= value if closed_low else low < value) and value <= high):
            raise MalformedInputError(f"{key} {fields[idx]!r} is not a possible value", path=str(path), line=number)
        out[key] = value
    return out


def weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    """Median of values weighted by (length) weights; the lower median on ties."""
    pairs = sorted((v, w) for v, w in pairs if w > 0)
    total = sum(w for _, w in pairs)
    if not total:
        return None
    acc = 0
    for value, weight in pairs:
        acc += weight
        if acc * 2 >= total:
            return value
    return pairs[-1][0]


def read_segment_file(path: str, fmt: str | None = None, log_base: float | None = None,
                      sample: str | None = None) -> list[SegmentTable]:
    """Read a whole copy-number file into one SegmentTable per sample (in file order).

    ``fmt`` forces a format (one of FORMATS or an alias); ``log_base`` declares the base of a log
    ratio column (e.g. 10 for GenePattern aCGH seg files; default 2); ``sample`` picks one sample of
    a multi-sample file, or names the sample of a single-sample file. For cohort-sized files use
    :func:`iter_segment_tables` (streamed).
    """
    tables = [t for t in iter_segment_tables(path, fmt, log_base)]
    tables = [t for t in tables if t.segments] or tables
    if sample is not None:
        chosen = [t for t in tables if t.sample == sample]
        if chosen:
            tables = chosen
        elif len(tables) == 1:
            tables[0].sample = sample
        else:
            raise MalformedInputError(
                f"sample {sample!r} not in file; samples: {', '.join(t.sample for t in tables)}", path=str(path))
    return tables
