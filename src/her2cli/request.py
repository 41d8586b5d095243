"""What one sample run asks for: the request (its input files and what the sample sheet or the command
line says of it) and the options of the run. Plain values: the CLI and the cohort runner build them,
``pipeline.run_sample`` reads them, and the readers below take them as they are (attribute access only).
"""

from __future__ import annotations

from dataclasses import field
from typing import Optional

from her2cli.values import valueclass


@valueclass
class Options:
    genome: Optional[str] = None  # "GRCh37"/"GRCh38" from --genome
    reference_fasta: Optional[str] = None
    all_records: bool = False  # also report FILTER-failed alleles and alleles with no alt reads
    segment_format: Optional[str] = None
    log_base: Optional[float] = None
    thresholds: object = None  # copynumber Thresholds
    purity_table: Optional[str] = None  # --purity-table: per-sample purity/ploidy for copy number
    evidence: bool = True
    normal_sample: Optional[str] = None  # --normal: the matched-normal column (default: ##normal_sample, ...)
    # Trust that an unindexed VCF is sorted: stop reading once past ERBB2 (plain text) or bisect a BGZF
    # file. Faster on large files; misses records placed out of order (docs/robustness.md).
    assume_sorted: bool = False
    min_depth: int = 250  # --min-depth: coverage.DEFAULT_MIN_DEPTH (AMP/CAP, Jennings 2017; docs/coverage.md)
    min_alt_reads: int = 5  # --min-alt-reads: the caller's minimum alt reads, for the limit of detection
    # INFO / FORMAT keys whose input values each mutation keeps (MAF --retain-info / --retain-fmt).
    retain_info: tuple[str, ...] = ()
    retain_fmt: tuple[str, ...] = ()
    knowledge: Optional[str] = None  # --knowledge: the user's OncoKB/CIViC/her2cli knowledge file


@valueclass
class SampleRequest:
    vcf: Optional[str] = None  # a VCF/BCF or a MAF (decided by content: io.sniff)
    segments: list[str] = field(default_factory=list)
    label: Optional[str] = None  # the sample name to report (sample sheet `sample`)
    tumor_sample: Optional[str] = None  # which VCF column is the tumour (--sample / `tumor_sample`)
    purity: Optional[float] = None
    ploidy: Optional[float] = None
    ihc: Optional[str] = None
    sequenced: Optional[list[str]] = None  # a study's full sample list (a MAF names only mutated samples)
    # The sample of a multi-sample segment file that this request is (sample sheet `segments_sample`;
    # default for a labelled request: its tumor_sample, else its label).
    segments_sample: Optional[str] = None
    coverage: Optional[str] = None  # --coverage / sheet `coverage`: BAM, CRAM or mosdepth output
    targets: Optional[str] = None  # --targets / sheet `targets`: the panel's target BED
