"""Coverage of the ERBB2 coding exons from the files pipelines already have (docs/coverage.md).

Each format is decided by content, never by the name:

* BAM (BGZF whose first block starts ``BAM\\1``) and CRAM (``CRAM`` magic), indexed, read with pysam over the
  requested intervals only. Depth counts what ``samtools depth`` counts by default: every aligned base (M, =, X;
  not deletions nor skips) of reads without the UNMAP, SECONDARY, QCFAIL or DUP flags, any mapping and base
  quality. A CRAM needs ``--reference`` (pysam would otherwise fetch sequence from the network).
* mosdepth output (bgzipped BED): ``*.per-base.bed.gz`` (integer depth runs), ``*.regions.bed.gz`` (mean depth
  per region, two decimals), ``*.thresholds.bed.gz`` (header ``#chrom start end region 1X ...``: bases at or above
  each threshold per region). Read through its index (``.csi``/``.tbi``) when there is one, else streamed.
* A target BED (``--targets``): 3+ columns, the 4th (if any) a name.

``read_coverage`` returns per-base depths over the requested intervals (or per-interval shares for
thresholds files); bounded memory: one array per interval, whatever the file's size.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from typing import Optional, Sequence

from her2cli.errors import GenomeBuildError, InputMissingError, MalformedInputError, UsageError
from her2cli.values import valueclass

BAM, CRAM = "BAM", "CRAM"
PER_BASE, REGIONS, THRESHOLDS, BED = "mosdepth per-base", "mosdepth regions", "mosdepth thresholds", "BED"
_SKIP_FLAGS = 0x4 | 0x100 | 0x200 | 0x400  # samtools depth's default --excl-flags UNMAP,SECONDARY,QCFAIL,DUP
_CHR17 = ("chr17", "17", "NC_000017.11", "NC_000017.10")
_CHR17_LENGTHS = {81195210: "GRCh37", 83257441: "GRCh38"}

Interval = tuple[int, int]  # 1-based closed


@valueclass
class CoverageRead:
    kind: str
    genome: Optional[str]
    depths: Optional[list] = None  # per interval, per base (None: no row of the file over the interval)
    shares: Optional[list] = None  # per interval: share of bases >= min_depth (thresholds); None: no region
    notes: list[str] = None  # type: ignore[assignment]


def _open(path: str):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputMissingError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputMissingError("is a directory, not a coverage file", path=path) from None
    except OSError as exc:
        raise InputMissingError(f"cannot open file ({exc.strerror})", path=path) from None


def sniff(path: str) -> str:
    """BAM, CRAM, PER_BASE, REGIONS, THRESHOLDS or BED, from the first bytes."""
    with _open(path) as handle:
        head = handle.read(1 << 16)
    if head.startswith(b"CRAM"):
        return CRAM
    if head[:2] == b"\x1f\x8b":
        try:
            text = zlib.decompressobj(31).decompress(head)
        except zlib.error:
            raise MalformedInputError("gzip data is corrupt", path=path) from None
        if text.startswith(b"BAM\x01"):
            return BAM
    else:
        text = head
    if b"\x00" in text:
        raise MalformedInputError("binary data: not a BAM, CRAM, mosdepth or BED file", path=path)
    lines = text.decode("utf-8", "replace").splitlines()
    if len(head) == 1 << 16 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the sniffed window
    lines = [line for line in lines if line.strip()]
    if lines and lines[0].startswith("#chrom") and "region" in lines[0] and lines[0].rstrip().endswith("X"):
        return THRESHOLDS
    data = [line.split("\t") for line in lines if not line.startswith(("#", "track", "browser"))]
    if not data or any(len(f) < 3 or not f[1].isdigit() or not f[2].isdigit() for f in data[:20]):
        raise MalformedInputError("not a BAM, CRAM, mosdepth output or BED file (expected tab-separated "
                                  "chrom, start, end)", path=path)
    last = [f[-1] for f in data[:50]]
    if len(data[0]) >= 4 and all(_is_number(v) for v in last):
        if all(v.isdigit() for v in last) and len(data[0]) == 4:
            return PER_BASE
        return REGIONS
    return BED


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _build_of(bam) -> Optional[str]:
    """The build from the @SQ length of chr17 (None when there is no chr17)."""
    for name in _CHR17:
        if name in bam.references:
            return _CHR17_LENGTHS.get(bam.get_reference_length(name))
    return None


def _alignment_file(path: str, kind: str, reference: Optional[str]):
    import pysam

    if kind == CRAM and not reference:
        raise UsageError("a CRAM needs --reference FASTA (the genome it was compressed against)", path=path)
    try:
        return pysam.AlignmentFile(path, "rc" if kind == CRAM else "rb", reference_filename=reference,
                                   require_index=True)
    except (OSError, ValueError) as exc:
        text = str(exc)
        if "index" in text.lower():
            raise InputMissingError(f"no index: run 'samtools index {path}'", path=path) from None
        raise MalformedInputError(f"cannot read the {kind}: {text}", path=path) from None


def read_coverage(path: str, genome_hint: Optional[str], intervals_for, reference: Optional[str] = None,
                  min_depth: int = 0) -> CoverageRead:
    """Depths over ``intervals_for(genome)`` (1-based closed chr17 intervals) of a BAM, CRAM or mosdepth file."""
    kind = sniff(path)
    if kind == BED:
        raise UsageError("this is a BED without depths (a panel's targets?): give it with --targets", path=path)
    notes: list[str] = []
    if kind in (BAM, CRAM):
        with _alignment_file(path, kind, reference) as bam:
            genome = _build_of(bam)
            if genome is None:
                raise GenomeBuildError("no chr17 of GRCh37 or GRCh38 among the @SQ lines (not a human alignment, "
                                       "or another build)", path=path)
            if genome_hint is not None and genome_hint != genome:
                raise GenomeBuildError(f"the alignment is {genome} (@SQ chr17 length) but the sample is "
                                       f"{genome_hint}", path=path)
            return CoverageRead(kind, genome, depths=_alignment_depths(bam, intervals_for(genome)), notes=notes)
    if genome_hint is None:
        raise GenomeBuildError("a mosdepth file does not say its genome build: give --genome (or the VCF)",
                               path=path)
    intervals = intervals_for(genome_hint)
    rows = _bed_rows(path, intervals)
    if kind == THRESHOLDS:
        return CoverageRead(kind, genome_hint, shares=_threshold_shares(path, rows, intervals, min_depth),
                            notes=["mosdepth thresholds give shares per region: an exon gets its regions' shares, "
                                   "weighted by overlap"])
    depths: list = []
    for start, end in intervals:
        if not any(b_start + 1 <= end and b_end >= start for _c, b_start, b_end, _f in rows):
            depths.append(None)  # no row of the file over this exon: its depth is unknown, not 0
            continue
        values = [0] * (end - start + 1)
        for chrom, b_start, b_end, fields in rows:
            lo, hi = max(b_start + 1, start), min(b_end, end)
            if lo <= hi:
                value = _depth(fields, path)
                for pos in range(lo, hi + 1):
                    values[pos - start] = value
        depths.append(values)
    if kind == REGIONS:
        notes.append("mosdepth regions give a mean per region: each base of a region gets its mean")
    return CoverageRead(kind, genome_hint, depths=depths, notes=notes)


def _depth(fields: list[str], path: str) -> float:
    """The depth (last column) of a mosdepth row: a number that is not finite or is negative is an error
    naming the file and the row, never a depth (NaN would pass every comparison with --min-depth)."""
    text = fields[-1].strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise MalformedInputError(f"depth {text!r} of the row {fields[0]}:{fields[1]}-{fields[2]} is not a "
                                  f"finite number >= 0", path=path)
    return value


def _alignment_depths(bam, intervals: Sequence[Interval]):
    """Per-base depth over each interval: one indexed fetch over their span, each read's aligned blocks added
    to difference arrays of the intervals they touch (memory: one integer per requested base)."""
    import bisect

    order = sorted(range(len(intervals)), key=lambda i: intervals[i][0])
    starts0 = [intervals[i][0] - 1 for i in order]  # 0-based half-open
    ends0 = [intervals[i][1] for i in order]
    diffs = [[0] * (intervals[i][1] - intervals[i][0] + 2) for i in order]
    chrom = next(name for name in _CHR17 if name in bam.references)
    for read in bam.fetch(chrom, min(starts0), max(ends0)):
        if read.flag & _SKIP_FLAGS:
            continue
        for b_start, b_end in read.get_blocks():
            k = max(0, bisect.bisect_right(starts0, b_start) - 1)
            while k < len(starts0) and starts0[k] < b_end:
                lo, hi = max(b_start, starts0[k]), min(b_end, ends0[k])
                if lo < hi:
                    diffs[k][lo - starts0[k]] += 1
                    diffs[k][hi - starts0[k]] -= 1
                k += 1
    out: list[list[int]] = [[] for _ in intervals]
    for k, i in enumerate(order):
        depth, running = [], 0
        for step in diffs[k][:-1]:
            running += step
            depth.append(running)
        out[i] = depth
    return out


def _bed_rows(path: str, intervals: Sequence[Interval]):
    """(chrom, start0, end, fields) of the chr17 rows overlapping the intervals: through the index when there
    is one, else a streamed read (memory bounded by the rows kept)."""
    low, high = min(s for s, _ in intervals), max(e for _, e in intervals)
    index = next((path + suffix for suffix in (".tbi", ".csi") if os.path.exists(path + suffix)), None)
    if index is not None:
        import pysam

        # mosdepth's index declares 1-based coordinates for a 0-based BED: htslib warns on every start 0 line
        # (the fields are parsed here, not by htslib): keep its stderr quiet.
        verbosity = pysam.set_verbosity(0)
        try:
            with pysam.TabixFile(path, index=index) as tabix:
                chrom = next((c for c in _CHR17 if c in tabix.contigs), None)
                if chrom is None:
                    return []
                return [(chrom, int(f[1]), int(f[2]), f) for f in
                        (line.split("\t") for line in tabix.fetch(chrom, low - 1, high))]
        except (OSError, ValueError) as exc:
            raise MalformedInputError(f"cannot read through its index: {exc}", path=path) from None
        finally:
            pysam.set_verbosity(verbosity)
    rows = []
    opener = gzip.open if _is_gzip(path) else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if line.startswith(("#", "track", "browser")) or not line.strip():
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if fields[0] not in _CHR17:
                    continue
                try:
                    start, end = int(fields[1]), int(fields[2])
                except (ValueError, IndexError):
                    raise MalformedInputError("start/end are not integers", path=path, line=number) from None
                if start < 0 or end < start:  # BED: 0 <= chromStart <= chromEnd
                    raise MalformedInputError(f"interval {start}-{end} ends before it starts or starts below 0",
                                              path=path, line=number)
                if start < high and end >= low:
                    rows.append((fields[0], start, end, fields))
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise MalformedInputError("truncated or corrupt gzip data", path=path) from None
    return rows


def _is_gzip(path: str) -> bool:
    with _open(path) as handle:
        return handle.read(2) == b"\x1f\x8b"


def _threshold_shares(path: str, rows, intervals: Sequence[Interval], min_depth: int) -> list[Optional[float]]:
    header = _thresholds_header(path)
    column = f"{min_depth}X"
    if column not in header:
        raise UsageError(f"--min-depth {min_depth}: the thresholds file counts {', '.join(header[4:])} only "
                         f"(run mosdepth --thresholds {min_depth})", path=path)
    index = header.index(column)
    shares = []
    for start, end in intervals:
        covered = weight = 0.0
        for _chrom, b_start, b_end, fields in rows:
            overlap = min(b_end, end) - max(b_start + 1, start) + 1
            if overlap > 0:
                length = b_end - b_start
                covered += overlap * int(fields[index]) / length
                weight += overlap
        shares.append(covered / (end - start + 1) if weight else None)  # no region over the exon: unknown
    return shares


def _thresholds_header(path: str) -> list[str]:
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        return handle.readline().lstrip("#").rstrip("\r\n").split("\t")


def read_targets(path: str, genome: Optional[str]) -> list[Interval]:
    """The chr17 intervals (1-based closed) of a target BED; [] when it has none. Any chrom naming."""
    kind = sniff(path)
    if kind not in (BED, REGIONS):
        raise UsageError(f"--targets takes a BED of the panel's targets; this is a {kind} file", path=path)
    rows = _bed_rows(path, [(1, 1 << 30)])
    return [(start + 1, end) for _chrom, start, end, _f in rows]
