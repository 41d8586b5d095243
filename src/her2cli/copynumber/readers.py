"""Copy-number file readers: format detection from header and columns, one SegmentTable per sample.

Coordinates are normalised to 1-based closed intervals. Per format (fixture guide, section 2):

=============  =======================================  ==========================  =========
format         columns used                             unit                         input coords
=============  =======================================  ==========================  =========
cnvkit         chromosome start end log2 [gene cn]      log2 ratio                   0-based half-open
gatk           CONTIG START END MEAN_LOG2_COPY_RATIO    log2 ratio                   1-based closed
               (or LOG2_COPY_RATIO_POSTERIOR_50) [CALL]
seg            ID chrom loc.start loc.end num.mark      log2 ratio (log10: pass      1-based closed
               seg.mean (IGV/DNAcopy/cBioPortal/PSCBS)  log_base=10)
purple         chromosome start end copyNumber          absolute copies              1-based closed
purple_gene    chromosome start end gene min/maxCopyNumber  absolute copies (gene)   1-based closed
facets         chrom start end tcn.em|tcn (cncf,        absolute copies              1-based closed
               facets-suite ID/loc.start/loc.end)
ascat          [sample] chr startpos endpos nMajor      absolute copies              1-based closed
               nMinor
sequenza       chromosome start.pos end.pos CNt         absolute copies              1-based closed
freec          _CNVs (headerless chr start end CN       absolute copies              1-based closed
               status ...) or _ratio.txt (Chromosome
               Start Ratio MedianRatio CopyNumber)
pcgr           Chromosome Start End nMajor nMinor       absolute copies              1-based closed
               (legacy: Segment_Mean, log2)
splitthreader  chromosome,start,end,coverage,           raw coverage -> log2 ratio   0-based half-open
               segmented_coverage (CSV, 10 kb bins)     vs genome baseline
=============  =======================================  ==========================  =========

Purity/ploidy are taken from sibling files when present: PURPLE ``<prefix>.purple.purity.tsv``,
ASCAT (nf-core) ``<prefix>.purityploidy.txt``, Sequenza ``<prefix>_confints_CP.txt``.
"""

from __future__ import annotations

import gzip
import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputMissingError, MalformedInputError
from .segment_build import coordinate_hints, sam_header_hints
from .segments import COPIES, LOG2, Segment, SegmentTable, chrom_key

FORMATS: list[str] = [
    "cnvkit", "gatk", "seg", "cbioportal", "purple", "purple_gene", "facets", "ascat",
    "sequenza", "freec", "pcgr", "splitthreader",
]

_ALIASES = {
    "cns": "cnvkit", "cnr": "cnvkit", "igv": "seg", "dnacopy": "seg", "cbs": "seg",
    "controlfreec": "freec", "control-freec": "freec", "modelsegments": "gatk",
    "callcopyratiosegments": "gatk", "gatk4": "gatk",
}

_NA = {"", "NA", "NAN", ".", "NULL", "NONE"}

# Column-name families (lower case) for the generic seg reader.
_SAMPLE_COLS = ("id", "sample", "samplename", "sample_id", "sampleid", "track")
_CHROM_COLS = ("chrom", "chromosome", "chr", "contig")
_START_COLS = ("loc.start", "start", "startpos", "start_pos", "loc_start")
_END_COLS = ("loc.end", "end", "endpos", "end_pos", "loc_end")
_MEAN_COLS = ("seg.mean", "segment_mean", "mean", "seg_mean", "log2ratio", "log2_ratio")
_MARK_COLS = ("num.mark", "num_probes", "nbrofloci", "num.markers", "num_mark", "probes")

# GRCh37 17q12 start .. GRCh38 17q12 end: left out of a coverage baseline so that a large ERBB2
# amplicon in a small (or chr17-only) file cannot pull the baseline up, whatever the build.
_AMPLICON_WINDOW = ("17", 31_800_001, 39_800_000)


@dataclass
class _File:
    path: str
    lines: list[str]                 # raw lines, index 0 = line 1
    header_no: int                   # 1-based line number of the header (or first data line)
    header: list[str]                # header fields as written (quotes stripped)
    delim: str | None                # '\t', ',' or None (whitespace)
    sam: list[tuple[int, str]]       # GATK @ lines

    @property
    def cols(self) -> list[str]:
        return [c.strip().lower() for c in self.header]

    def split(self, text: str) -> list[str]:
        fields = text.rstrip("\r\n").split(self.delim) if self.delim else text.split()
        return [f.strip().strip('"').strip("'") for f in fields]

    def rows(self, start_after_header: bool = True):
        """(line number, fields) for every data line."""
        first = self.header_no if start_after_header else self.header_no - 1
        for idx in range(first, len(self.lines)):
            text = self.lines[idx]
            if not text.strip() or text.startswith("#"):
                continue
            yield idx + 1, self.split(text)

    def col(self, fmt: str, *names: str, required: bool = True) -> int | None:
        cols = self.cols
        for name in names:
            if name.lower() in cols:
                return cols.index(name.lower())
        if required:
            raise MalformedInputError(
                f"{fmt} file lacks a {names[0]!r} column (header: {' '.join(self.header)})",
                path=self.path, line=self.header_no)
        return None


# ----------------------------------------------------------------------------------------------
# Low-level parsing helpers

# Largest segment file read (decompressed). Bounds memory on endless input (/dev/zero, a gzip bomb);
# a larger multi-sample file can be cut to its header and chr17 lines first (docs/robustness.md).
MAX_SEGMENT_BYTES = 64 << 20
_READ_STEP = 1 << 20


def _read_bounded(path: str) -> bytes:
    """The file's bytes (gunzipped), read step by step: binary data or more than MAX_SEGMENT_BYTES stop
    the read with MalformedInputError at once instead of filling memory."""
    try:
        with open(path, "rb") as handle:
            first = handle.read(_READ_STEP)
            if first[:2] == b"\x1f\x8b" and handle.seekable():
                handle.seek(0)
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    return _read_steps(unzipped, b"", path)
            return _read_steps(handle, first, path)
    except (EOFError, gzip.BadGzipFile) as exc:
        raise MalformedInputError(f"corrupt gzip data: {exc}", path=path) from None
    except OSError as exc:
        raise InputMissingError(f"cannot read segment file: {exc.strerror or exc}", path=path) from None


def _read_steps(stream, first: bytes, path: str) -> bytes:
    parts: list[bytes] = []
    total = 0
    chunk = first or stream.read(_READ_STEP)
    while chunk:
        if b"\x00" in chunk:
            raise MalformedInputError("not a text segment file (binary content)", path=path)
        total += len(chunk)
        if total > MAX_SEGMENT_BYTES:
            raise MalformedInputError(f"segment file larger than {MAX_SEGMENT_BYTES >> 20} MiB (endless input?); "
                                      "keep its header and chr17 lines", path=path)
        parts.append(chunk)
        chunk = stream.read(_READ_STEP)
    return b"".join(parts)


def _read_lines(path: str) -> list[str]:
    p = Path(path)
    if not p.exists():
        raise InputMissingError("segment file not found", path=path)
    if p.is_dir():
        raise InputMissingError("is a directory, not a segment file", path=path)
    raw = _read_bounded(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedInputError("not a text segment file (binary content)", path=path) from None
    if "\x00" in text:
        raise MalformedInputError("not a text segment file (binary content)", path=path)
    return text.splitlines()


def _open(path: str) -> _File:
    lines = _read_lines(path)
    if lines and lines[0].startswith("##fileformat=VCF"):
        raise MalformedInputError("this is a VCF, not a segment file (pass it as the VCF argument)",
                                  path=path, line=1)
    sam: list[tuple[int, str]] = []
    for idx, text in enumerate(lines):
        if not text.strip() or text.startswith("#"):
            continue
        if text.startswith("@"):
            sam.append((idx + 1, text))
            continue
        if re.match(r"^(WARNING|Warning message|In addition)", text):  # R noise above the header
            continue
        delim = "\t" if "\t" in text else ("," if "," in text else None)
        f = _File(path, lines, idx + 1, [], delim, sam)
        f.header = f.split(text)
        return f
    raise MalformedInputError("empty segment file (no header or data lines)", path=path, line=len(lines) or None)


def _num(text: str, what: str, f: _File, line: int) -> float | None:
    if text.strip().upper() in _NA:
        return None
    try:
        value = float(text)
    except ValueError:
        raise MalformedInputError(f"{what} is not a number: {text!r}", path=f.path, line=line) from None
    if math.isnan(value):
        return None
    return value


def _coord(text: str, what: str, f: _File, line: int) -> int:
    value = _num(text, what, f, line)
    if value is None or value < 0 or not math.isfinite(value) or value != int(value):
        raise MalformedInputError(f"{what} is not a genomic position: {text!r}", path=f.path, line=line)
    return int(value)


def _field(fields: list[str], idx: int, f: _File, line: int) -> str:
    if idx >= len(fields):
        raise MalformedInputError(
            f"expected at least {idx + 1} columns, found {len(fields)}", path=f.path, line=line)
    return fields[idx]


class _Builder:
    """Collects segments per sample, skipping NA values and inverted (empty) intervals."""

    def __init__(self, f: _File, fmt: str, unit: str, default_sample: str, zero_based: bool):
        self.f, self.fmt, self.unit = f, fmt, unit
        self.default_sample = default_sample
        self.zero_based = zero_based
        self.tables: dict[str, SegmentTable] = {}
        self.skipped_na = 0
        self.skipped_empty = 0

    def add(self, fields: list[str], line: int, chrom_i: int, start_i: int, end_i: int | None,
            value: float | None, sample: str | None = None, tool_call: str | None = None,
            name: str | None = None, end: int | None = None, max_value: float | None = None) -> None:
        f = self.f
        chrom = _field(fields, chrom_i, f, line)
        if not chrom:
            raise MalformedInputError("empty chromosome field", path=f.path, line=line)
        start = _coord(_field(fields, start_i, f, line), "start", f, line)
        if end is None:
            end = _coord(_field(fields, end_i, f, line), "end", f, line)  # type: ignore[arg-type]
        if self.zero_based:
            start += 1   # 0-based half-open [s, e) == 1-based closed [s+1, e]
        sample = sample or self.default_sample
        table = self.tables.get(sample)
        if table is None:
            table = self.tables[sample] = SegmentTable(f.path, sample, self.fmt, self.unit)
        if value is None:
            self.skipped_na += 1
            return
        if end < start:
            self.skipped_empty += 1   # e.g. CNVkit zero-probe segments with end < start
            return
        table.segments.append(Segment(chrom, start, end, value, line, tool_call, name, max_value))

    def done(self) -> list[SegmentTable]:
        tables = list(self.tables.values())
        for table in tables:
            if self.skipped_na:
                table.notes.append(f"{self.skipped_na} row(s) with NA values skipped")
            if self.skipped_empty:
                table.notes.append(f"{self.skipped_empty} empty segment(s) (end before start) skipped")
        return tables


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


# ----------------------------------------------------------------------------------------------
# Format readers

def _read_cnvkit(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("cnvkit", "chromosome")
    si = f.col("cnvkit", "start")
    ei = f.col("cnvkit", "end")
    li = f.col("cnvkit", "log2")
    gi = f.col("cnvkit", "gene", required=False)
    cni = f.col("cnvkit", "cn", required=False)
    factor = _log_factor(log_base)
    b = _Builder(f, "cnvkit", LOG2, _stem(f.path, (".call.cns", ".segmetrics.cns", ".cns", ".cnr")), True)
    for line, fields in f.rows():
        value = _num(_field(fields, li, f, line), "log2", f, line)
        call = None
        if cni is not None:
            cn = _field(fields, cni, f, line)
            call = f"cn={cn}" if cn.upper() not in _NA else None
        name = fields[gi] if gi is not None and gi < len(fields) else None
        b.add(fields, line, ci, si, ei, None if value is None else value * factor, tool_call=call, name=name)
    tables = b.done()
    binned = "probes" not in f.cols   # .cnr bins have no 'probes' column; .cns segments do
    for t in tables:
        t.binned, t.segmented = binned, not binned
    return tables


def _read_gatk(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("gatk", "CONTIG")
    si = f.col("gatk", "START")
    ei = f.col("gatk", "END")
    vi = f.col("gatk", "MEAN_LOG2_COPY_RATIO", "LOG2_COPY_RATIO_POSTERIOR_50")
    cai = f.col("gatk", "CALL", required=False)
    sample = None
    for _, text in f.sam:
        if text.startswith("@RG"):
            for tag in text.rstrip("\n").split("\t")[1:]:
                if tag.startswith("SM:"):
                    sample = tag[3:]
    factor = _log_factor(log_base)
    b = _Builder(f, "gatk", LOG2, sample or _stem(f.path, (".called.seg", ".modelFinal.seg", ".cr.seg", ".seg")), False)
    for line, fields in f.rows():
        value = _num(_field(fields, vi, f, line), f.header[vi], f, line)
        call = _field(fields, cai, f, line) if cai is not None else None
        b.add(fields, line, ci, si, ei, None if value is None else value * factor, tool_call=call)
    tables = b.done()
    for t in tables:
        sam_header_hints(t, f.sam)
    return tables


def _seg_columns(f: _File) -> tuple[int | None, int, int, int, int] | None:
    cols = f.cols
    def find(names):
        for n in names:
            if n in cols:
                return cols.index(n)
        return None
    idx = [find(_SAMPLE_COLS), find(_CHROM_COLS), find(_START_COLS), find(_END_COLS), find(_MEAN_COLS)]
    if None in idx[1:]:
        return None
    return idx[0], idx[1], idx[2], idx[3], idx[4]  # type: ignore[return-value]


def _read_seg(f: _File, log_base: float | None, fmt: str = "seg") -> list[SegmentTable]:
    found = _seg_columns(f)
    if found is None:
        raise MalformedInputError(
            "seg file needs columns ID chrom loc.start loc.end [num.mark] seg.mean "
            f"(header: {' '.join(f.header)})", path=f.path, line=f.header_no)
    sa, ci, si, ei, vi = found
    factor = _log_factor(log_base)
    b = _Builder(f, fmt, LOG2, _stem(f.path, (".cr.igv.seg", ".seg")), False)
    for line, fields in f.rows():
        value = _num(_field(fields, vi, f, line), f.header[vi], f, line)
        sample = _field(fields, sa, f, line) if sa is not None else None
        b.add(fields, line, ci, si, ei, None if value is None else value * factor, sample=sample)
    tables = b.done()
    if log_base not in (None, 2):
        for t in tables:
            t.notes.append(f"segment means converted from log{log_base:g} to log2")
    return tables


def _read_purple(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("purple", "chromosome")
    si = f.col("purple", "start")
    ei = f.col("purple", "end")
    vi = f.col("purple", "copyNumber")
    b = _Builder(f, "purple", COPIES, _stem(f.path, (".purple.cnv.somatic.tsv", ".cnv.somatic.tsv")), False)
    for line, fields in f.rows():
        b.add(fields, line, ci, si, ei, _num(_field(fields, vi, f, line), "copyNumber", f, line))
    tables = b.done()
    _purple_purity(f.path, tables, (".purple.cnv.somatic.tsv", ".cnv.somatic.tsv"))
    return tables


def _read_purple_gene(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("purple_gene", "chromosome")
    si = f.col("purple_gene", "start")
    ei = f.col("purple_gene", "end")
    gi = f.col("purple_gene", "gene")
    mi = f.col("purple_gene", "minCopyNumber")
    xi = f.col("purple_gene", "maxCopyNumber")
    b = _Builder(f, "purple_gene", COPIES, _stem(f.path, (".purple.cnv.gene.tsv", ".cnv.gene.tsv")), False)
    for line, fields in f.rows():
        low = _num(_field(fields, mi, f, line), "minCopyNumber", f, line)
        high = _num(_field(fields, xi, f, line), "maxCopyNumber", f, line)
        b.add(fields, line, ci, si, ei, low, name=_field(fields, gi, f, line), max_value=high)
    tables = b.done()
    for t in tables:
        t.gene_level = True
    _purple_purity(f.path, tables, (".purple.cnv.gene.tsv", ".cnv.gene.tsv"))
    return tables


def _purple_purity(path: str, tables: list[SegmentTable], suffixes: tuple[str, ...]) -> None:
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
        for t in tables:
            t.purity, t.ploidy = values.get("purity"), values.get("ploidy")
            t.purity_source = t.ploidy_source = "PURPLE purity.tsv"


def _read_key_table(path: Path, keys: tuple[str, ...], row: int = 0) -> dict[str, float]:
    """First (or ``row``-th) data row of a small header+values TSV, as floats for ``keys``."""
    if not path.is_file():
        return {}
    try:
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    except (OSError, UnicodeDecodeError):
        return {}
    if len(lines) < 2 + row:
        return {}
    header = [h.strip().strip('"').lower() for h in re.split(r"[\t ]+", lines[0].strip())]
    fields = [v.strip().strip('"') for v in re.split(r"[\t ]+", lines[1 + row].strip())]
    if len(fields) == len(header) + 1:
        fields = fields[1:]       # R row names
    out: dict[str, float] = {}
    for key in keys:
        # exact name first, then a prefix match (Sequenza writes 'ploidy.estimate')
        idx = header.index(key) if key in header else next(
            (i for i, h in enumerate(header) if h.startswith(key)), None)
        if idx is not None and idx < len(fields):
            try:
                out[key] = float(fields[idx])
            except ValueError:
                pass
    return out


def _read_facets(f: _File, log_base: float | None) -> list[SegmentTable]:
    sa = f.col("facets", "ID", "sample", required=False)
    ci = f.col("facets", "chrom", "chromosome")
    si = f.col("facets", "loc.start", "start")
    ei = f.col("facets", "loc.end", "end")
    vi = f.col("facets", "tcn.em", "tcn")
    b = _Builder(f, "facets", COPIES, _stem(f.path, (".cncf.txt", "_hisens.cncf.txt", ".seg", ".txt")), False)
    for line, fields in f.rows():
        sample = _field(fields, sa, f, line) if sa is not None else None
        b.add(fields, line, ci, si, ei, _num(_field(fields, vi, f, line), f.header[vi], f, line), sample=sample)
    return b.done()


def _read_ascat(f: _File, log_base: float | None) -> list[SegmentTable]:
    sa = f.col("ascat", "sample", required=False)
    ci = f.col("ascat", "chr", "chromosome", "chrom")
    si = f.col("ascat", "startpos", "start")
    ei = f.col("ascat", "endpos", "end")
    mj = f.col("ascat", "nMajor")
    mn = f.col("ascat", "nMinor")
    stem = _stem(f.path, (".cnvs.txt", ".segments.txt", ".segments_raw.txt"))
    stem = re.sub(r"\.segments_chr\w+\.txt$", "", stem)
    b = _Builder(f, "ascat", COPIES, stem, False)
    for line, fields in f.rows():
        major = _num(_field(fields, mj, f, line), "nMajor", f, line)
        minor = _num(_field(fields, mn, f, line), "nMinor", f, line)
        value = None if major is None or minor is None else major + minor
        sample = _field(fields, sa, f, line) if sa is not None else None
        b.add(fields, line, ci, si, ei, value, sample=sample)
    tables = b.done()
    # nf-core/sarek's ASCAT module writes <prefix>.purityploidy.txt (AberrantCellFraction, Ploidy).
    name = Path(f.path).name
    for suffix in (".cnvs.txt", ".segments.txt"):
        if name.endswith(suffix):
            vals = _read_key_table(Path(f.path).with_name(name[: -len(suffix)] + ".purityploidy.txt"),
                                   ("aberrantcellfraction", "ploidy"))
            if vals:
                for t in tables:
                    t.purity, t.ploidy = vals.get("aberrantcellfraction"), vals.get("ploidy")
                    t.purity_source = t.ploidy_source = "ASCAT purityploidy.txt"
    return tables


def _read_sequenza(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("sequenza", "chromosome")
    si = f.col("sequenza", "start.pos")
    ei = f.col("sequenza", "end.pos")
    vi = f.col("sequenza", "CNt")
    b = _Builder(f, "sequenza", COPIES, _stem(f.path, ("_segments.txt",)), False)
    for line, fields in f.rows():
        b.add(fields, line, ci, si, ei, _num(_field(fields, vi, f, line), "CNt", f, line))
    tables = b.done()
    name = Path(f.path).name
    if name.endswith("_segments.txt"):
        # _confints_CP.txt: rows = lower bound, point estimate, upper bound of cellularity/ploidy.
        vals = _read_key_table(Path(f.path).with_name(name[: -len("_segments.txt")] + "_confints_CP.txt"),
                               ("cellularity", "ploidy"), row=1)
        if vals:
            for t in tables:
                t.purity, t.ploidy = vals.get("cellularity"), vals.get("ploidy")
                t.purity_source = t.ploidy_source = "Sequenza confints_CP.txt"
    return tables


def _read_freec(f: _File, log_base: float | None) -> list[SegmentTable]:
    stem = _stem(f.path, ("_CNVs", "_ratio.txt", ".txt"))
    cols = f.cols
    if "ratio" in cols and "copynumber" in cols:   # _ratio.txt: windows given by start only
        ci = f.col("freec", "Chromosome")
        si = f.col("freec", "Start")
        vi = f.col("freec", "CopyNumber")
        rows = [(line, fields) for line, fields in f.rows()]
        starts: dict[str, list[int]] = {}
        for line, fields in rows:
            starts.setdefault(_field(fields, ci, f, line), []).append(_coord(_field(fields, si, f, line), "Start", f, line))
        steps = [b - a for s in starts.values() for a, b in zip(s, s[1:]) if b > a]
        window = int(statistics.median(steps)) if steps else 1
        zero_based = any(v == 0 for s in starts.values() for v in s)
        b = _Builder(f, "freec", COPIES, stem, zero_based)
        nxt: dict[tuple[str, int], int] = {}
        for chrom, s_list in starts.items():
            for a, c in zip(s_list, s_list[1:]):
                nxt[(chrom, a)] = c
        for line, fields in rows:
            chrom = fields[ci]
            start = int(float(fields[si]))
            cn = _num(_field(fields, vi, f, line), "CopyNumber", f, line)
            end = nxt.get((chrom, start), start + window) - (0 if zero_based else 1)
            b.add(fields, line, ci, si, None, None if cn is None or cn < 0 else cn, end=end)
        tables = b.done()
        for t in tables:
            t.binned, t.segmented = True, False
        return tables
    # _CNVs: headerless chr start end copy_number status [genotype uncertainty ...]
    b = _Builder(f, "freec", COPIES, stem, False)
    for line, fields in f.rows(start_after_header=False):
        if len(fields) < 4:
            raise MalformedInputError(f"Control-FREEC _CNVs row needs >= 4 columns, found {len(fields)}",
                                      path=f.path, line=line)
        status = fields[4] if len(fields) > 4 else None
        b.add(fields, line, 0, 1, 2, _num(fields[3], "copy number", f, line), tool_call=status)
    tables = b.done()
    for t in tables:
        # _CNVs lists altered regions only, so a mean over it is biased; FREEC labels a region
        # 'neutral' when its copy number equals the ploidy FREEC was run with.
        neutral = [s.value for s in t.segments if (s.tool_call or "").lower() == "neutral"]
        if neutral:
            t.ploidy = statistics.mode(neutral)
            t.ploidy_source = "Control-FREEC 'neutral' copy number"
    return tables


def _read_pcgr(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("pcgr", "Chromosome")
    si = f.col("pcgr", "Start")
    ei = f.col("pcgr", "End")
    stem = _stem(f.path, (".cna.tsv", ".tsv"))
    mj = f.col("pcgr", "nMajor", required=False)
    if mj is None:   # PCGR < 2.0 input: Segment_Mean (log2 ratio)
        vi = f.col("pcgr", "Segment_Mean")
        factor = _log_factor(log_base)
        b = _Builder(f, "pcgr", LOG2, stem, False)
        for line, fields in f.rows():
            v = _num(_field(fields, vi, f, line), "Segment_Mean", f, line)
            b.add(fields, line, ci, si, ei, None if v is None else v * factor)
        return b.done()
    mn = f.col("pcgr", "nMinor")
    b = _Builder(f, "pcgr", COPIES, stem, False)
    for line, fields in f.rows():
        major = _num(_field(fields, mj, f, line), "nMajor", f, line)
        minor = _num(_field(fields, mn, f, line), "nMinor", f, line)
        b.add(fields, line, ci, si, ei, None if major is None or minor is None else major + minor)
    return b.done()


def _read_splitthreader(f: _File, log_base: float | None) -> list[SegmentTable]:
    ci = f.col("splitthreader", "chromosome")
    si = f.col("splitthreader", "start")
    ei = f.col("splitthreader", "end")
    vi = f.col("splitthreader", "segmented_coverage", "coverage")
    b = _Builder(f, "splitthreader", LOG2, _stem(f.path, (".copynumber.segmented.csv", ".csv")), True)
    for line, fields in f.rows():
        b.add(fields, line, ci, si, ei, _num(_field(fields, vi, f, line), f.header[vi], f, line))
    tables = b.done()
    for t in tables:
        t.binned = True
        # Raw coverage: divide by the genome baseline (length-weighted median outside 17q12).
        key, lo, hi = _AMPLICON_WINDOW
        outside = [s for s in t.segments if not (s.key == key and s.overlap(lo, hi) > 0)] or t.segments
        baseline = weighted_median([(s.value, s.length) for s in outside])
        if not baseline or baseline <= 0:
            raise MalformedInputError("coverage baseline is zero; cannot normalise", path=f.path)
        for s in t.segments:
            s.value = math.log2(s.value / baseline) if s.value > 0 else -10.0
        t.notes.append(f"coverage divided by genome baseline {baseline:g} (median outside 17q12)")
    return tables


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


_READERS = {
    "cnvkit": _read_cnvkit, "gatk": _read_gatk, "seg": _read_seg,
    "cbioportal": lambda f, lb: _read_seg(f, lb, "cbioportal"),
    "purple": _read_purple, "purple_gene": _read_purple_gene, "facets": _read_facets,
    "ascat": _read_ascat, "sequenza": _read_sequenza, "freec": _read_freec, "pcgr": _read_pcgr,
    "splitthreader": _read_splitthreader,
}


# ----------------------------------------------------------------------------------------------
# Detection

def _detect(f: _File) -> str:
    cols = set(f.cols)
    if f.sam or {"contig", "start", "end"} <= cols and (
            "mean_log2_copy_ratio" in cols or "log2_copy_ratio_posterior_50" in cols):
        return "gatk"
    if {"chromosome", "start", "end", "log2"} <= cols:
        return "cnvkit"
    if {"gene", "mincopynumber", "maxcopynumber"} <= cols and "driver" not in cols:
        return "purple_gene"
    if {"chromosome", "start", "end", "copynumber"} <= cols:
        return "purple"
    if "tcn.em" in cols or ("tcn" in cols and "cnlr.median" in cols):
        return "facets"
    if {"nmajor", "nminor"} <= cols:
        return "ascat" if "startpos" in cols else "pcgr"
    if {"start.pos", "end.pos", "cnt"} <= cols:
        return "sequenza"
    if {"chromosome", "start", "ratio", "copynumber"} <= cols:
        return "freec"
    if f.delim == "," and {"chromosome", "start", "end", "coverage"} <= cols:
        return "splitthreader"
    if {"chromosome", "start", "end", "segment_mean"} <= cols and not (cols & set(_SAMPLE_COLS)):
        return "pcgr"
    if _seg_columns(f) is not None:
        return "seg"
    if "hugo_symbol" in cols:
        raise MalformedInputError(
            "cBioPortal gene-level table (Hugo_Symbol ...), not segments: pass the _seg file instead",
            path=f.path, line=f.header_no)
    if {"driver", "likelihoodmethod"} <= cols:
        raise MalformedInputError("PURPLE driver catalogue, not copy-number segments: pass the "
                                  ".purple.cnv.somatic.tsv file", path=f.path, line=f.header_no)
    if {"purity", "ploidy", "normfactor"} <= cols:
        raise MalformedInputError("PURPLE purity.tsv, not copy-number segments: pass the "
                                  ".purple.cnv.somatic.tsv file (its purity.tsv is read automatically)",
                                  path=f.path, line=f.header_no)
    if "genes_in_peak" in cols:
        raise MalformedInputError("GISTIC peak table, not per-sample copy-number segments",
                                  path=f.path, line=f.header_no)
    h = f.header
    if len(h) >= 5 and h[4].lower() in ("gain", "loss", "neutral") and all(
            re.fullmatch(r"\d+(\.\d+)?", x) for x in h[1:4]):
        return "freec"   # headerless Control-FREEC _CNVs
    raise MalformedInputError(
        "unknown copy-number format (header: " + " ".join(h[:10]) + "); "
        "use --segment-format with one of: " + ", ".join(FORMATS), path=f.path, line=f.header_no)


def read_segment_file(path: str, fmt: str | None = None, log_base: float | None = None,
                      sample: str | None = None) -> list[SegmentTable]:
    """Read a copy-number file into one SegmentTable per sample (in file order).

    ``fmt`` forces a reader (one of FORMATS or an alias); ``log_base`` declares the base of a log
    ratio column (e.g. 10 for GenePattern aCGH seg files; default 2); ``sample`` picks one sample of
    a multi-sample file, or names the sample of a single-sample file.
    """
    path = str(path)
    f = _open(path)
    if fmt is not None:
        name = _ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
        if name not in _READERS:
            raise MalformedInputError(
                f"unknown --segment-format {fmt!r}; choose one of: {', '.join(FORMATS)}", path=path)
    else:
        name = _detect(f)
    tables = [t for t in _READERS[name](f, log_base)]
    tables = [t for t in tables if t.segments] or tables
    if not tables or not any(t.segments for t in tables):
        raise MalformedInputError("no copy-number segments with values in file", path=path, line=f.header_no)
    if sample is not None:
        chosen = [t for t in tables if t.sample == sample]
        if chosen:
            tables = chosen
        elif len(tables) == 1:
            tables[0].sample = sample
        else:
            raise MalformedInputError(
                f"sample {sample!r} not in file; samples: {', '.join(t.sample for t in tables)}", path=path)
    for t in tables:
        coordinate_hints(t, tolerance=50_000 if t.binned else 0)
    return tables


def has_chrom(table: SegmentTable, key: str = "17") -> bool:
    return any(s.key == chrom_key(key) for s in table.segments)
