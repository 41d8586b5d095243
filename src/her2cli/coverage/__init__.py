"""Coverage, assay scope and limit of detection behind a negative (issue 22; docs/coverage.md).

``assess`` turns per-base depths (or a panel's targets, or per-region shares) over the ERBB2 coding exons into
per-exon and per-hotspot figures and one decision: were the exons that hold the known drivers read deeply enough
for "not detected" to mean something? The readers live in ``io/coverage.py``; this package does not read files.
"""

from .model import (
    COVERAGE_NOT_GIVEN, DEFAULT_MIN_ALT_READS, DEFAULT_MIN_DEPTH, NO_CHR17_IN_HEADER, NOT_IN_TARGETS,
    CoverageAssessment, ExonCoverage, HotspotCoverage,
)

__all__ = [
    "COVERAGE_NOT_GIVEN", "DEFAULT_MIN_ALT_READS", "DEFAULT_MIN_DEPTH", "NO_CHR17_IN_HEADER", "NOT_IN_TARGETS",
    "CoverageAssessment", "ExonCoverage", "HotspotCoverage",
]
