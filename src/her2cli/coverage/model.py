"""What coverage input says about the ERBB2 coding exons and hotspot codons: typed values, no I/O."""

from __future__ import annotations

from dataclasses import field
from typing import Optional

from her2cli.values import valueclass

# Defaults, with their sources (docs/coverage.md).
# AMP/CAP NGS oncology-panel validation guideline (Jennings et al., J Mol Diagn 2017;19(3):341-365, PMID
# 28341590), "Establishing criteria for depth of sequencing": "a minimal depth of coverage of 250 reads per
# tested amplicon or target is strongly recommended", with a 5-read call threshold in its worked example.
DEFAULT_MIN_DEPTH = 250
DEFAULT_MIN_ALT_READS = 5

COVERAGE_NOT_GIVEN = "coverage not given"
NOT_IN_TARGETS = "ERBB2 not in the panel's targets"
NO_CHR17_IN_HEADER = "no chr17 in the VCF header"


@valueclass
class ExonCoverage:
    """One ERBB2 coding exon (the coding bases of NM_004448.4's exon ``exon``)."""

    exon: int
    start: int  # genomic, 1-based closed: the exon's coding bases
    end: int
    bases_targeted: int  # coding bases in the panel's targets (all of them without --targets)
    median_depth: Optional[float]  # None when the input gives no per-base depth (targets only, thresholds)
    min_depth: Optional[float]
    share_at_min_depth: Optional[float]  # share of the exon's coding bases read by >= --min-depth reads
    driver: bool  # holds a known driver hotspot (its coverage decides the verdict)

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@valueclass
class HotspotCoverage:
    """One hotspot codon (or codon window) and what a negative there rests on."""

    label: str  # "S310", "770-831 (exon 20 insertions)"
    first_codon: int
    last_codon: int
    exon: int
    start: int  # genomic span of the codon bases
    end: int
    depth: Optional[float]  # lowest depth over the codon bases
    lod_vaf: Optional[float]  # lowest VAF detected with 95% probability (coverage.lod)
    min_purity: Optional[float]  # purity below which a clonal heterozygous mutation falls under lod_vaf
    source: str = ""


@valueclass
class CoverageAssessment:
    """One sample's coverage of ERBB2 and whether a negative is a negative."""

    kind: str  # "BAM", "CRAM", "mosdepth per-base", "mosdepth regions", "mosdepth thresholds", "gVCF", "targets"
    source: Optional[str]
    genome: Optional[str]
    min_depth: int
    min_alt_reads: int
    assessed: bool  # the driver exons were covered at min_depth (a negative can be reported)
    basis: str  # what the verdict rests on, one line
    targets: Optional[str] = None
    exons: list[ExonCoverage] = field(default_factory=list)
    hotspots: list[HotspotCoverage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
