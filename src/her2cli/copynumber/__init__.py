"""Copy-number side of her2cli (issue #3): segment readers, ERBB2 gene-level value, context, calls.

Public API used by the CLI::

    tables = read_segment_file(path, fmt=None, log_base=None, sample=None)
    genome = detect_genome(tables, requested_genome, path)
    row = assess_erbb2(table, genome, purity=None, ploidy=None, thresholds=Thresholds())
"""

from __future__ import annotations

from .calls import DEFINITIONS, FOCALITIES, STATUSES, Thresholds
from .gene_level import Erbb2Assessment, assess, assess_erbb2
from .segment_build import detect_genome
from .readers import FORMATS, read_segment_file
from .segments import Segment, SegmentTable

__all__ = [
    "DEFINITIONS", "FOCALITIES", "FORMATS", "STATUSES", "Erbb2Assessment", "Segment", "SegmentTable",
    "Thresholds", "assess", "assess_erbb2", "detect_genome", "read_segment_file",
]
