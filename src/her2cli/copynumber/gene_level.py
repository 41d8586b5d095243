"""ERBB2 gene-level copy number and its chr17 / genome context, as one copy-number row.

Gene-level value
    Segments overlapping the ERBB2 gene span (amplicon_genes_17q12.tsv: GRCh38 39,687,914-39,730,426,
    GRCh37 37,844,167-37,886,679) are averaged weighted by overlap length, in the table's own unit
    (log2 for ratio formats, copies for absolute formats), then converted. ``breakpoint_in_gene`` is
    True when segments with different values meet inside the gene (None for unsegmented bins).

Units
    ``log2``: measured log2 ratio (absolute inputs: log2(copies / ploidy)).
    ``copy_number`` (= ``tumour_copy_number``): copies per tumour cell, the value every call, the
    chr17 baseline and ``ratio_chr17`` are computed from. log2 inputs with purity p and ploidy P:
    (2^log2 x (p P + 2 (1 - p)) - 2 (1 - p)) / p (the normal cells are diploid; CNVkit's rescaling
    generalised to P); without purity p = 1, i.e. P x 2^log2, and purity_source is ``assumed_1``.
    Absolute inputs are already tumour-cell values (purity is recorded, not applied).
    ``values_adjusted`` labels these numbers: ``raw`` (log ratio taken at purity 1),
    ``purity-adjusted`` (rescaled here with the purity in ``purity``), ``tool-absolute`` (the
    writing tool's own absolute copy numbers).
    ``min_purity_for_amplification`` (log2 inputs at assumed purity 1 only): the purity below which
    the observed log ratios would already be an amplification under cn_status (copy number >=
    status_amp_ploidy_factor x ploidy, or ERBB2/chr17 >= ratio with >= fish_min_copies copies),
    found by bisection on p in [0.01, 1] with the ERBB2 value and the chr17 baseline segments as
    measured (both rules only grow as p falls, so the answer is one threshold). For the copy-number
    rule alone it is p* = 2 (r - 1) / (k P - r (P - 2) - 2) with r = 2^log2, k the factor.
    Empty when no purity >= 0.01 would make it one (log2 <= 0, or too small a gain).
    ``ploidy``: --ploidy, else the file's (PURPLE purity.tsv, ASCAT purityploidy, Sequenza), else for
    absolute inputs the length-weighted mean copy number of all segments (Y/MT excluded), else 2.

Context
    ``chr17_baseline``: length-weighted median tumour copy number of chr17 segments, excluding the
    focal ERBB2 amplicon. ``ratio_chr17`` = tumour_copy_number / chr17_baseline (FISH-like
    ERBB2/CEP17).

Focality (``focality``, ``amplicon_size`` in bp)
    * ``none``: ERBB2 neither gained vs ploidy (log2(CN/ploidy) < cnvkit_gain_log2) nor
      >= focal_min_ratio (1.5) x the chr17 median.
    * Otherwise the gained region is the run of chr17 segments around ERBB2 whose copy number stays
      >= a level: if ERBB2 is >= 1.5x the chr17 median (a peak), the geometric midpoint
      sqrt(CN x chr17 median), so a focal amplicon is separated from a gained arm it sits on;
      else (ERBB2 at the chr17 level) the gain level ploidy x 2^cnvkit_gain_log2.
    * ``chromosome``: the region crosses the centromere and covers >= chromosome_fraction (80%) of
      the chr17 span in the file; ``focal``: region < focal_max_mb (10 Mb), whether it is a peak
      above the arm or a short gain on a flat chr17 (a 1.7 Mb gain is focal); ``arm``: otherwise.
    ``co_amplified_genes``: only when cn_status is ``amplification``: the other 17q12 genes (MED1,
    CDK12, PPP1R1B, STARD3, TCAP, PNMT, PGAP3, MIEN1, GRB7, IKZF3) whose own copy number reaches
    the same level, in genomic order.
"""

from __future__ import annotations

import math
from dataclasses import field
from functools import lru_cache

from her2cli.values import valueclass

from ..errors import MalformedInputError
from ..reference.builds import normalise_build
from ..reference.datafiles import read_tsv
from .calls import Thresholds, cn_status, definitions_met, relative_log2
from .readers import weighted_median
from .segments import LOG2, Segment, SegmentTable

GENE = "ERBB2"
ASSUMED_PURITY = "assumed_1"                 # log ratio read as if the sample were 100% tumour
NO_PURITY = "none (absolute copy number)"    # absolute inputs: the tool has already adjusted
RAW, PURITY_ADJUSTED, TOOL_ABSOLUTE = "raw", "purity-adjusted", "tool-absolute"
_MIN_SEARCH_PURITY = 0.01


@valueclass(frozen=True)
class GeneSpan:
    gene: str
    start: int   # 1-based inclusive
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@lru_cache(maxsize=2)
def gene_spans(genome: str) -> tuple[GeneSpan, ...]:
    """17q12 amplicon genes (incl. ERBB2) on one build, in genomic order."""
    rows = [r for r in read_tsv("amplicon_genes_17q12.tsv") if r["build"] == genome]
    return tuple(sorted((GeneSpan(r["gene"], int(r["start"]), int(r["end"])) for r in rows),
                        key=lambda g: g.start))


@lru_cache(maxsize=2)
def chr17_landmarks(genome: str) -> dict[str, int]:
    for row in read_tsv("chr17_landmarks.tsv"):
        if row["build"] == genome:
            return {k: int(v) for k, v in row.items() if k not in ("build", "chrom")}
    raise KeyError(genome)


@valueclass
class _Scale:
    """Converts the table's native unit to copies, given ploidy and (optional) purity."""

    unit: str
    ploidy: float
    purity: float | None

    def bulk(self, v: float) -> float:
        return self.ploidy * 2.0 ** v if self.unit == LOG2 else v

    def tumour(self, v: float) -> float:
        if self.unit != LOG2 or self.purity is None:
            return self.bulk(v)
        p, normal = self.purity, 2.0 * (1.0 - self.purity)
        return max(0.0, (2.0 ** v * (p * self.ploidy + normal) - normal) / p)

    def log2(self, v: float) -> float:
        return v if self.unit == LOG2 else relative_log2(v, self.ploidy)


@valueclass
class GeneValue:
    native: float            # overlap-weighted mean in the table unit
    native_min: float        # lowest overlapping value (PURPLE's AMP uses the gene minimum)
    covered_bp: int
    breakpoint: bool | None
    segments: list[Segment]


def gene_value(chr17: list[Segment], span: GeneSpan, table: SegmentTable) -> GeneValue | None:
    if table.gene_level:
        rows = [s for s in chr17 if (s.name or "").upper() == span.gene.upper()]
        if not rows:
            return None
        low = min(s.value for s in rows)
        high = max((s.max_value if s.max_value is not None else s.value) for s in rows)
        return GeneValue(low, low, span.length, high != low, rows)
    hits = [(s, s.overlap(span.start, span.end)) for s in chr17]
    hits = [(s, w) for s, w in hits if w > 0]
    if not hits:
        return None
    total = sum(w for _, w in hits)
    native = sum(s.value * w for s, w in hits) / total
    breakpoint = len({round(s.value, 6) for s, _ in hits}) > 1 if table.segmented else None
    return GeneValue(native, min(s.value for s, _ in hits), min(total, span.length), breakpoint,
                     [s for s, _ in hits])


@valueclass
class Erbb2Assessment:
    sample: str
    genome: str
    chrom: str
    pos: int
    segment_format: str
    log2: float | None  # None (like every value below) when no segment overlaps ERBB2: cn_status "not assessed"
    copy_number: float | None
    tumour_copy_number: float | None
    min_copy_number: float | None
    ploidy: float
    ploidy_source: str
    purity: float | None
    purity_source: str
    values_adjusted: str | None
    min_purity_for_amplification: float | None
    chr17_baseline: float | None
    ratio_chr17: float | None
    breakpoint_in_gene: bool | None
    covered_fraction: float
    focality: str | None
    amplicon_start: int | None
    amplicon_end: int | None
    amplicon_size: int | None
    co_amplified_genes: list[str]
    calls: list[str]
    cn_status: str
    tool_calls: list[str] = field(default_factory=list)   # the writing tool's own segment calls
    notes: list[str] = field(default_factory=list)



def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _genome_ploidy(table: SegmentTable) -> float | None:
    pairs = [(s.value, s.length) for s in table.segments if s.key not in ("Y", "MT")]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else None


def _running_median(values: list[float], width: int) -> list[float]:
    half = width // 2
    return [sorted(values[max(0, i - half): i + half + 1])[len(values[max(0, i - half): i + half + 1]) // 2]
            for i in range(len(values))]


def _walk(chr17: list[Segment], copies: list[float], span: GeneSpan, level: float) -> tuple[int, int] | None:
    """Indices (first, last) of the run of segments >= level that contains ERBB2's gained part."""
    core = [i for i, s in enumerate(chr17) if s.overlap(span.start, span.end) > 0 and copies[i] >= level]
    if not core:
        return None
    lo, hi = min(core), max(core)
    while lo > 0 and copies[lo - 1] >= level:
        lo -= 1
    while hi < len(chr17) - 1 and copies[hi + 1] >= level:
        hi += 1
    return lo, hi


def assess(table: SegmentTable, genome: str, purity: float | None = None, ploidy: float | None = None,
           thresholds: Thresholds | None = None, purity_source: str = "--purity",
           ploidy_source: str = "--ploidy") -> Erbb2Assessment:
    """ERBB2 copy number, context and calls for one sample (see module docstring).

    ``purity``/``ploidy`` override the file's values; ``*_source`` says where they came from
    (e.g. "purity table t.tsv")."""
    t = thresholds or Thresholds()
    genome = normalise_build(genome) or genome
    if purity is not None and not 0 < purity <= 1:
        raise ValueError(f"purity must be in (0, 1], got {purity}")
    if ploidy is not None and not ploidy > 0:
        raise ValueError(f"ploidy must be > 0, got {ploidy}")
    notes = list(table.notes)
    chr17 = table.on("17")
    if not chr17:
        raise MalformedInputError(
            f"no chr17 segments for sample {table.sample}: ERBB2 copy number cannot be assessed",
            path=table.path)
    spans = gene_spans(genome)
    erbb2 = next(g for g in spans if g.gene == GENE)
    use_ploidy, ploidy_source = _ploidy(table, ploidy, ploidy_source)
    use_purity, purity_source = _purity(table, purity, purity_source)
    if use_purity is not None and table.unit != LOG2:
        notes.append("copy numbers are already tumour-cell values; purity recorded, not applied")
    scale = _Scale(table.unit, use_ploidy, use_purity)

    gv = gene_value(chr17, erbb2, table)
    if gv is None:
        # Never "not amplified": the file says nothing about ERBB2 (issue 22; docs/copy-number.md).
        notes.append(f"no segment overlaps ERBB2 (chr17:{erbb2.start}-{erbb2.end} on {genome}; wrong --genome?): "
                     "amplification not assessed")
        return _not_covered(table, genome, erbb2, use_ploidy, ploidy_source, use_purity, purity_source, notes)
    copies = scale.tumour(gv.native)
    min_copies = scale.tumour(gv.native_min)
    log2 = scale.log2(gv.native)
    context = _chr17_context(table, chr17, erbb2, copies, scale, use_ploidy, genome, t)
    ratio = copies / context.baseline if context.baseline else None

    calls = definitions_met(copies, min_copies, log2, use_ploidy, ratio, t)
    status = cn_status(copies, use_ploidy, ratio, t)
    coding_gap = _coding_gap(gv.segments, genome) if table.segmented else 0
    if coding_gap and status != "amplification":
        # A gap between segments over the coding part of the gene: what is not read may be amplified; the part
        # read is not enough to say no. (Segment ends short of the UTRs are normal: CBS ends a segment at its last
        # probe; bins of a targeted panel cover the exons only, by design.)
        status = "not assessed"
        notes.append(f"segments leave {coding_gap:,} bp of the ERBB2 coding span uncovered (a gap): amplification "
                     "not assessed")
    elif gv.covered_bp < erbb2.length:
        notes.append(f"segments cover {gv.covered_bp / erbb2.length:.0%} of ERBB2")
    co_amp: list[str] = []
    if status == "amplification" and context.level is not None and context.region is not None:
        for span in spans:
            other = gene_value(chr17, span, table) if span.gene != GENE else None
            if other is not None and scale.tumour(other.native) >= context.level:
                co_amp.append(span.gene)

    min_purity = None
    if table.unit == LOG2 and use_purity is None:
        # At purity 1 copies are P x 2^log2, so the baseline's own log ratio is log2(baseline / P).
        base_native = math.log2(context.baseline / use_ploidy) if context.baseline else None
        min_purity = min_purity_for_amplification(gv.native, base_native, use_ploidy, t)
    if use_purity is None:
        basis = RAW if table.unit == LOG2 else TOOL_ABSOLUTE
    else:
        basis = PURITY_ADJUSTED if table.unit == LOG2 else TOOL_ABSOLUTE
    tool_calls = [s.tool_call for s in gv.segments if s.tool_call]
    return Erbb2Assessment(
        sample=table.sample, genome=genome, chrom=gv.segments[0].chrom, pos=erbb2.start,
        segment_format=table.fmt, log2=log2, copy_number=copies,
        tumour_copy_number=copies, min_copy_number=min_copies, ploidy=use_ploidy,
        ploidy_source=ploidy_source, purity=use_purity, purity_source=purity_source,
        values_adjusted=basis, min_purity_for_amplification=min_purity,
        chr17_baseline=context.baseline, ratio_chr17=ratio, breakpoint_in_gene=gv.breakpoint,
        covered_fraction=min(1.0, gv.covered_bp / erbb2.length), focality=context.focality,
        amplicon_start=context.start, amplicon_end=context.end, amplicon_size=context.size,
        co_amplified_genes=co_amp, calls=calls, cn_status=status, tool_calls=tool_calls, notes=notes)


def _coding_gap(segments: list[Segment], genome: str) -> int:
    """Bases of the ERBB2 coding span (first to last coding base of NM_004448.4) no segment covers."""
    from her2cli.reference.transcript import load_transcript

    model = load_transcript().builds[genome]
    start, end = model.cds_start, model.cds_end
    covered = 0
    cursor = start
    for seg in sorted(segments, key=lambda s: s.start):
        lo, hi = max(seg.start, cursor), min(seg.end, end)
        if lo <= hi:
            covered += hi - lo + 1
            cursor = hi + 1
    return (end - start + 1) - covered


def _not_covered(table: SegmentTable, genome: str, erbb2: GeneSpan, ploidy: float, ploidy_source: str,
                 purity: float | None, purity_source: str, notes: list[str]) -> Erbb2Assessment:
    """The assessment of a sample whose segments do not overlap ERBB2: no value, status not assessed."""
    chrom = table.on("17")[0].chrom
    return Erbb2Assessment(
        sample=table.sample, genome=genome, chrom=chrom, pos=erbb2.start, segment_format=table.fmt, log2=None,
        copy_number=None, tumour_copy_number=None, min_copy_number=None, ploidy=ploidy, ploidy_source=ploidy_source,
        purity=purity, purity_source=purity_source, values_adjusted=None, min_purity_for_amplification=None,
        chr17_baseline=None, ratio_chr17=None, breakpoint_in_gene=None, covered_fraction=0.0, focality=None,
        amplicon_start=None, amplicon_end=None, amplicon_size=None, co_amplified_genes=[], calls=[],
        cn_status="not assessed", notes=notes)


def _ploidy(table: SegmentTable, given: float | None, given_source: str) -> tuple[float, str]:
    """Ploidy and where it came from: the option > the file > the segments' mean (absolute) > diploid."""
    if given is not None:
        return given, given_source
    if table.ploidy is not None:
        return table.ploidy, table.ploidy_source or "file"
    if table.unit != LOG2 and not table.gene_level and _genome_ploidy(table):
        return _genome_ploidy(table), "segments (length-weighted mean copy number)"
    return 2.0, "assumed diploid"


def _purity(table: SegmentTable, given: float | None, given_source: str) -> tuple[float | None, str]:
    """Purity and where it came from: the option > the file > none (assumed 1 for log ratios)."""
    if given is not None:
        return given, given_source
    if table.purity is not None:
        return table.purity, table.purity_source or "file"
    return None, ASSUMED_PURITY if table.unit == LOG2 else NO_PURITY


@valueclass
class _Chr17Context:
    baseline: float | None  # chr17 median copy number outside the ERBB2 amplicon
    focality: str
    region: tuple[int, int] | None  # first and last chr17 segment index of the gained region
    level: float | None  # the copy number that bounds the gained region
    start: int | None = None
    end: int | None = None
    size: int | None = None


def _chr17_context(table: SegmentTable, chr17: list[Segment], erbb2: GeneSpan, copies: float, scale: "_Scale",
                   ploidy: float, genome: str, t: Thresholds) -> _Chr17Context:
    """The chr17 baseline and the gained region around ERBB2 with its focality (module docstring)."""
    # Unsegmented bins are smoothed first so that one noisy bin does not end a region.
    seg_copies = [scale.tumour(s.value) for s in chr17]
    if not table.segmented:
        seg_copies = _running_median(seg_copies, 5)
    baseline0 = weighted_median([(c, s.length) for c, s in zip(seg_copies, chr17)])
    peak = baseline0 is not None and baseline0 > 0 and copies >= t.focal_min_ratio * baseline0
    context = _Chr17Context(baseline0, "none", None, None)
    if peak:
        context.level = math.sqrt(copies * baseline0)
        context.region = _walk(chr17, seg_copies, erbb2, context.level)
        if context.region is not None:
            first, last = context.region
            outside = [(c, s.length) for i, (c, s) in enumerate(zip(seg_copies, chr17)) if not first <= i <= last]
            context.baseline = weighted_median(outside) if outside else baseline0
    elif relative_log2(copies, ploidy) >= t.cnvkit_gain_log2:
        context.level = ploidy * 2.0 ** t.cnvkit_gain_log2
        context.region = _walk(chr17, seg_copies, erbb2, context.level)
    if context.region is not None:
        context.start, context.end = chr17[context.region[0]].start, chr17[context.region[1]].end
        context.size = context.end - context.start + 1
        marks = chr17_landmarks(genome)
        extent = chr17[-1].end - chr17[0].start + 1
        crosses = context.start < marks["centromere_acen_start"] and context.end > marks["centromere_acen_end"]
        if crosses and context.size >= t.chromosome_fraction * extent:
            context.focality = "chromosome"
        elif context.size < t.focal_max_mb * 1e6:
            context.focality = "focal"     # short: a peak above the arm or a small gain on a flat chr17
        else:
            context.focality = "arm"
    return context


def min_purity_for_amplification(erbb2_log2: float, chr17_log2: float | None, ploidy: float,
                                 t: Thresholds) -> float | None:
    """Purity below which these log ratios mean an amplification under cn_status (module docstring)."""
    def amplified(p: float) -> bool:
        scale = _Scale(LOG2, ploidy, p)
        copies = scale.tumour(erbb2_log2)
        if copies >= t.status_amp_ploidy_factor * ploidy:
            return True
        base = scale.tumour(chr17_log2) if chr17_log2 is not None else None
        return bool(base) and copies / base >= t.ratio and copies >= t.fish_min_copies

    if erbb2_log2 <= 0 or not amplified(_MIN_SEARCH_PURITY):
        return None
    if amplified(1.0):
        return 1.0
    lo, hi = _MIN_SEARCH_PURITY, 1.0     # amplified(lo) is True, amplified(hi) is False
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if amplified(mid) else (lo, mid)
    return lo

