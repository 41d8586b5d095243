"""Copy-number side of her2cli (issues #3, #10): segment readers, ERBB2 gene-level value, context, calls.

Public API::

    assessments, notices = assess_segment_file(path, fmt, log_base, genome_hint, purity_for, thresholds)
    purity_for = purity_lookup("purities.tsv")            # sample -> (purity, ploidy, source) | None
    format_is_relative("seg")                              # True: purity changes the copy number
    tables = read_segment_file(path, fmt=None, log_base=None, sample=None)   # whole file, small files
    genome = detect_genome(tables, requested_genome, path)
    assessment = assess(table, genome, purity=None, ploidy=None, thresholds=Thresholds())
"""

from __future__ import annotations

from .calls import DEFINITIONS, FOCALITIES, STATUSES, Thresholds
from .gene_level import Erbb2Assessment, assess, min_purity_for_amplification
from .purity import PurityEstimate, purity_lookup, read_purity_table
from .readers import FORMATS, LAYOUTS, format_is_relative, iter_segment_tables, read_segment_file
from .segment_build import detect_genome
from .segment_file import assess_segment_file
from .segments import Segment, SegmentTable

__all__ = [
    "DEFINITIONS", "FOCALITIES", "FORMATS", "LAYOUTS", "STATUSES", "Erbb2Assessment", "PurityEstimate",
    "Segment", "SegmentTable", "Thresholds", "assess", "assess_segment_file", "detect_genome",
    "format_is_relative", "iter_segment_tables", "min_purity_for_amplification", "purity_lookup",
    "read_purity_table", "read_segment_file",
]
