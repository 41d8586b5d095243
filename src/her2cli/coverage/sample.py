"""One sample's coverage assessment from whatever it has: ``--coverage`` (BAM, CRAM, mosdepth), ``--targets``,
gVCF blocks in the VCF, and the VCF header's contigs (docs/coverage.md)."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from her2cli.reference.builds import CHR17_NAMES

from .gvcf import depths_from_records, first_record_is_reference_block, header_says_gvcf, record_is_reference_block
from .model import NO_CHR17_IN_HEADER, CoverageAssessment



@lru_cache(maxsize=1)
def _human_contig_lengths() -> frozenset[tuple[str, int]]:
    """(name without 'chr', length) of GRCh37 and GRCh38 chr1-22, X, Y (resources/contig_lengths.tsv)."""
    from her2cli.reference.datafiles import read_tsv

    out = set()
    for row in read_tsv("contig_lengths.tsv"):
        name = row["ucsc_name"].removeprefix("chr")
        if name not in ("M", "MT"):
            out.update({(name, int(row["b37_length"])), (name, int(row["GRCh38_length"]))})
    return frozenset(out)


def header_scope(header) -> Optional[CoverageAssessment]:
    """not assessed when the header lists contigs and none is chr17 (a panel of other chromosomes, or not a
    human genome at all); None when the header does not rule ERBB2 out."""
    contigs = header.contigs()
    if not contigs or any(name in CHR17_NAMES for name in contigs):
        return None
    known = _human_contig_lengths()
    human = any(attrs.get("length", "").isdigit() and (name.removeprefix("chr"), int(attrs["length"])) in known
                for name, attrs in contigs.items())
    names = list(contigs)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    why = NO_CHR17_IN_HEADER + ("" if human else f" (contigs {shown}: not a human reference)")
    return CoverageAssessment(kind="VCF header", source=header.source, genome=None, min_depth=0, min_alt_reads=0,
                              assessed=False, basis=why)


def assess_sample(genome: Optional[str], min_depth: int, min_alt_reads: int, coverage: Optional[str] = None,
                  targets: Optional[str] = None, reference: Optional[str] = None, vcf: Optional[dict] = None
                  ) -> Optional[CoverageAssessment]:
    """The assessment, or None when nothing speaks to coverage (the negative then rests on the VCF alone:
    "coverage not given"). ``vcf``: {"header", "records", "tumour", "path"} of the sample's VCF when read."""
    if vcf is not None:
        ruled_out = header_scope(vcf["header"])
        if ruled_out is not None:
            return ruled_out
    genome_vcf = coverage is None and vcf is not None and genome is not None and _is_genome_vcf(vcf)
    if coverage is None and targets is None and not genome_vcf:
        return None  # nothing speaks to coverage: "coverage not given"
    from .assess import assess, coding_exons  # here, not at the top: a plain VCF run never needs it

    if coverage is not None or targets is not None:
        from her2cli.io import coverage as reader
    target_intervals = None
    if targets is not None:
        target_intervals = reader.read_targets(targets, genome)
    notes: list[str] = []
    if coverage is not None:
        def intervals_for(build: str):
            return [(start, end) for _n, start, end in coding_exons(build)]

        read = reader.read_coverage(coverage, genome, intervals_for, reference, min_depth)
        numbers = [n for n, _s, _e in coding_exons(read.genome)]
        # An exon the file has no row over (None) stays out: its depth is unknown, and the basis says so.
        depths = ({n: d for n, d in zip(numbers, read.depths) if d is not None}
                  if read.depths is not None else None)
        shares = ({n: v for n, v in zip(numbers, read.shares) if v is not None}
                  if read.shares is not None else None)
        return assess(read.genome, read.kind, coverage, min_depth, min_alt_reads, depths=depths, shares=shares,
                      targets=target_intervals, targets_source=targets, notes=list(read.notes or []))
    if genome_vcf:
        exons = coding_exons(genome)
        depths = depths_from_records(vcf["records"], [(s, e) for _n, s, e in exons], vcf.get("tumour"))
        return assess(genome, "gVCF", vcf["path"], min_depth, min_alt_reads,
                      depths={n: d for (n, _s, _e), d in zip(exons, depths)}, targets=target_intervals,
                      targets_source=targets, notes=notes)
    if target_intervals is not None:
        if genome is None:
            return None
        return assess(genome, "targets", None, min_depth, min_alt_reads, targets=target_intervals,
                      targets_source=targets)
    return None


def _is_genome_vcf(vcf: dict) -> bool:
    header = vcf["header"]
    if header_says_gvcf(header.lines):
        return True
    if vcf["records"]:  # a genome VCF writes blocks over ERBB2 too: records without one are a plain VCF
        return any(record_is_reference_block(r) for r in vcf["records"])
    path = vcf.get("path")
    return bool(path) and path != "-" and first_record_is_reference_block(path)
