"""Value objects of the internal segment table.

Every reader turns its format into one :class:`SegmentTable` per sample with explicit units and
coordinates normalised to **1-based, closed** intervals, so that the gene-level code never needs to
know which tool wrote the file.

Units (``SegmentTable.unit``):

* ``"log2"``   - log2 copy ratio relative to the sample's genome average (CNVkit, GATK, DNAcopy/IGV
  seg, cBioPortal seg, legacy PCGR ``Segment_Mean``). log10 seg files and raw coverage
  (SplitThreader) are converted to this unit when read.
* ``"copies"`` - absolute copy number per tumour cell, already purity-adjusted by the writing tool
  (PURPLE, ASCAT, FACETS, Sequenza, Control-FREEC, PCGR ``nMajor + nMinor``).
"""

from __future__ import annotations

from dataclasses import field
from functools import lru_cache

from her2cli.values import valueclass

LOG2 = "log2"
COPIES = "copies"
UNITS = (LOG2, COPIES)


@lru_cache(maxsize=1024)
def chrom_key(name: str) -> str:
    """Canonical contig key: 'chr17', 'CHR17', '17' -> '17'; 23/24 -> X/Y (DNAcopy/FACETS style)."""
    key = name.strip()
    if key[:3].lower() == "chr":
        key = key[3:]
    key = key.upper()
    if key == "23":
        return "X"
    if key == "24":
        return "Y"
    if key == "M":
        return "MT"
    return key


@valueclass
class Segment:
    chrom: str            # as written in the input ("17", "chr17")
    start: int            # 1-based, inclusive
    end: int              # 1-based, inclusive
    value: float          # in the table's unit
    line: int             # source line number (for error messages)
    tool_call: str | None = None   # the writing tool's own call for this segment, if the file has one
    name: str | None = None        # gene symbol(s) (gene-level tables, CNVkit 'gene' column)
    max_value: float | None = None  # gene-level tables with a min/max pair (PURPLE cnv.gene.tsv)

    @property
    def key(self) -> str:
        return chrom_key(self.chrom)

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def overlap(self, start: int, end: int) -> int:
        return max(0, min(self.end, end) - max(self.start, start) + 1)


@valueclass
class SegmentTable:
    path: str
    sample: str
    fmt: str                       # reader name, one of readers.FORMATS
    unit: str                      # LOG2 or COPIES
    segments: list[Segment] = field(default_factory=list)
    purity: float | None = None    # from the file or a sibling file, if any
    ploidy: float | None = None
    purity_source: str | None = None   # e.g. "PURPLE purity.tsv"
    ploidy_source: str | None = None
    binned: bool = False           # fixed-size bins (may overrun a contig end slightly)
    segmented: bool = True         # False for unsegmented bins (CNVkit .cnr, FREEC ratio): no breakpoints
    gene_level: bool = False       # one row per gene (PURPLE cnv.gene.tsv)
    build_hints: list[tuple[str, int | None, str]] = field(default_factory=list)  # (build, line, why)
    notes: list[str] = field(default_factory=list)

    def on(self, key: str) -> list[Segment]:
        """Segments of one contig (by canonical key), sorted by start."""
        return sorted((s for s in self.segments if s.key == key), key=lambda s: (s.start, s.end))

    @property
    def contigs(self) -> list[str]:
        seen: dict[str, None] = {}
        for seg in self.segments:
            seen.setdefault(seg.key, None)
        return list(seen)
