"""One sample in, alteration rows + notices out. The CLI and the cohort runner both call ``run_sample``.

The pipeline never prints: everything the user should know goes into ``SampleResult.notices``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from her2cli.errors import GenomeBuildError, MalformedInputError
from her2cli.report.columns import empty_row

# Alleles we cannot name on a transcript: symbolic, spanning-deletion, breakend, missing.
_SKIPPED_ALT_MARKERS = ("<", "*", "[", "]", ".")
_DNA = set("ACGTNacgtn")


@dataclass
class Options:
    genome: Optional[str] = None  # "GRCh37"/"GRCh38" from --genome
    reference_fasta: Optional[str] = None
    all_records: bool = False  # also report FILTER-failed alleles and alleles with no alt reads
    segment_format: Optional[str] = None
    log_base: Optional[float] = None
    thresholds: object = None  # copynumber Thresholds
    evidence: bool = True
    # Trust that an unindexed VCF is sorted: stop reading once past ERBB2 (plain text) or bisect a BGZF
    # file. Faster on large files; misses records placed out of order (docs/robustness.md).
    assume_sorted: bool = False


@dataclass
class SampleRequest:
    vcf: Optional[str] = None
    segments: list[str] = field(default_factory=list)
    label: Optional[str] = None  # the sample name to report (sample sheet `sample`)
    tumor_sample: Optional[str] = None  # which VCF column is the tumour (--sample / `tumor_sample`)
    purity: Optional[float] = None
    ploidy: Optional[float] = None
    ihc: Optional[str] = None


@dataclass
class SampleResult:
    sample: str
    rows: list[dict]
    notices: list[str]
    genome: Optional[str] = None
    summary: Optional[dict] = None


def annotate_vcf(path: str, options: Options, tumor_sample: Optional[str] = None,
                 label: Optional[str] = None) -> tuple[str, list[dict], list[str], Optional[str]]:
    """(sample name, mutation rows, notices, genome) for the ERBB2 region of one VCF."""
    from her2cli.variants import callers
    from her2cli.reference.builds import CHR17_NAMES, resolve_build
    from her2cli.io.vcf import read_region
    from her2cli.reference.transcript import GENOMES, load_transcript

    tx = load_transcript()
    requested = options.genome
    # The build decides where ERBB2 is; when unknown, read both builds' windows (they do not overlap).
    regions_by_build = {g: (tx.builds[g].gene_start, tx.builds[g].gene_end) for g in GENOMES}
    regions = [regions_by_build[requested]] if requested else list(regions_by_build.values())
    read = read_region(path, CHR17_NAMES, regions, options.assume_sorted)
    source = read.header.source
    evidence = resolve_build(read.header, requested)
    notices = list(read.notices)
    records = list(read.records())
    genome = evidence.genome
    if genome is None:
        genome = _build_from_ref_bases(records, tx, source)
        if genome is not None:
            notices.append(f"{source}: genome build not stated in the header; REF bases match {genome}")
    if genome is not None:
        start, end = regions_by_build[genome]
        records = [r for r in records if r.pos <= end and r.pos + len(r.ref) - 1 >= start]
    elif records:
        raise GenomeBuildError(
            "cannot tell the genome build (no ##contig lengths or ##reference, and no exonic ERBB2 record to "
            "check REF bases against): pass --genome GRCh37 or --genome GRCh38", path=source,
        )

    header_formats = _header_formats(tuple(read.header.lines))
    sample_index = None
    sample_name = label
    if read.header.samples and (records or tumor_sample):
        sample_index = callers.choose_tumour_sample(read.header.samples, header_formats, tumor_sample, source)
    if sample_name is None:
        if sample_index is not None:
            sample_name = read.header.samples[sample_index]
        elif len(read.header.samples) == 1:
            sample_name = read.header.samples[0]
        else:
            sample_name = _file_stem(source)
    if not records:
        # Say it: no record is not the same as "not mutated" when the panel does not cover ERBB2.
        where = f" ({genome})" if genome else ""
        notices.append(f"{source}: no records in the ERBB2 region{where}")
        return sample_name, [], notices, genome

    annotator = _annotator(genome, options.reference_fasta)
    _check_build_by_ref(records, annotator.sequence, genome, source)

    rows: list[dict] = []
    skipped_symbolic = 0
    not_reported = {"filter": 0, "no_alt_reads": 0}
    for record in records:
        info = None
        reported_filter = options.all_records or record.filter in ("PASS", ".", "")
        values = None  # the tumour's FORMAT values, split once per record (not per ALT: linear in ALTs)
        for alt_index, alt in enumerate(record.alts):
            if alt.startswith(_SKIPPED_ALT_MARKERS) or not set(alt) <= _DNA:
                if alt not in (".", "<NON_REF>", "<*>"):
                    skipped_symbolic += 1
                continue
            if not reported_filter:
                not_reported["filter"] += 1
                continue
            if info is None:
                info = record.info()
            if sample_index is not None:
                if values is None:
                    values = (record.sample_columns[sample_index].split(":")
                              if sample_index < len(record.sample_columns) else [])
                ev = callers.sample_evidence(record.format_keys, values, record.ref, record.alts, alt_index, info,
                                             header_formats)
            else:
                ev = callers.site_evidence(record.ref, record.alts, alt_index, info, header_formats)
            if not options.all_records and _allele_absent(ev, alt_index):
                not_reported["no_alt_reads"] += 1
                continue
            allele = annotator.annotate(record.pos, record.ref, alt)
            if allele is None:
                continue
            row = empty_row()
            row.update(
                sample=sample_name, kind="mutation", chrom=record.chrom, pos=allele.pos, ref=allele.ref,
                alt=allele.alt, genome=genome, transcript=tx.accession, exon=allele.exon, intron=allele.intron,
                hgvs_g=allele.hgvs_g, hgvs_c=allele.hgvs_c, hgvs_p=allele.hgvs_p, hgvs_p_short=allele.hgvs_p_short,
                consequence=allele.consequence, domain=allele.domain, subgroup=allele.subgroup,
                filter=record.filter, depth=ev.depth, alt_depth=ev.alt_depth, vaf=ev.vaf,
                protein_position=allele.protein_position, legacy_name=allele.legacy_name,
                caller_format=ev.convention, input_pos=record.pos, input_ref=record.ref, input_alt=alt,
                flags=",".join(allele.flags) or None,
            )
            rows.append(row)
    if skipped_symbolic:
        notices.append(f"{source}: skipped {skipped_symbolic} symbolic/breakend/spanning-deletion ALT allele(s) "
                       "in the ERBB2 region (not nameable on the transcript)")
    if not_reported["filter"] or not_reported["no_alt_reads"]:
        parts = []
        if not_reported["filter"]:
            parts.append(f"{not_reported['filter']} failed FILTER")
        if not_reported["no_alt_reads"]:
            parts.append(f"{not_reported['no_alt_reads']} not called in {sample_name} (genotype or no alt reads)")
        notices.append(f"{source}: not reported: {', '.join(parts)} (use --all-records to include them)")
    for row in rows:
        if row["flags"] and "ref_mismatch" in row["flags"]:
            notices.append(f"{source}: REF at {row['chrom']}:{row['input_pos']} does not match {genome}; "
                           f"the name of that row is not reliable")
        if row["flags"] and "unshifted_intronic_indel" in row["flags"]:
            notices.append(f"{source}: intronic indel at {row['chrom']}:{row['input_pos']} named unshifted "
                           "(intron sequence is not bundled; give --reference genome.fa to 3'-shift it)")
    return sample_name, rows, notices, genome


@lru_cache(maxsize=64)
def _header_formats(lines: tuple):
    """Headers repeat across a cohort's files (one pipeline wrote them): parse each distinct one once."""
    from her2cli.variants import callers

    return callers.HeaderFormats.from_header_lines(list(lines))


@lru_cache(maxsize=4)
def _annotator(genome: str, reference_fasta: Optional[str]):
    """One annotator per build and reference per process: a cohort reuses it (and its cache of
    names) across thousands of samples."""
    from her2cli.variants.annotator import Annotator
    from her2cli.reference.sequence import FastaSequence, exonic_sequence
    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    if reference_fasta:
        sequence = FastaSequence(reference_fasta, tx, genome)
    else:
        sequence = exonic_sequence(tx, genome)
    return Annotator(tx, genome, sequence, have_genome_fasta=bool(reference_fasta))


def _allele_absent(ev, alt_index: int) -> bool:
    """True when the tumour sample does not carry this ALT: its genotype (the caller's own call) leaves
    it out, e.g. Ion Torrent hotspot rows written as 0/0 with a few noise reads, or, without a
    genotype, no read supports it."""
    if ev.genotype and ev.genotype not in (".", "./.", ".|."):
        alleles = ev.genotype.replace("|", "/").split("/")
        return str(alt_index + 1) not in alleles
    if ev.alt_depth is not None:
        return ev.alt_depth == 0
    if ev.vaf is not None:
        return ev.vaf == 0
    return False


def _build_from_ref_bases(records, tx, source: str) -> Optional[str]:
    from her2cli.reference.transcript import GENOMES

    matches = {}
    for genome in GENOMES:
        checked = agree = 0
        for record in records:
            for i, base in enumerate(record.ref.upper()):
                known = tx.exonic_base(genome, record.pos + i)
                if known is not None:
                    checked += 1
                    agree += known == base
        matches[genome] = (checked, agree)
    good = [g for g, (checked, agree) in matches.items() if checked and agree == checked]
    if len(good) == 1:
        return good[0]
    return None


def _check_build_by_ref(records, sequence, genome: str, source: str) -> None:
    """Most REF bases disagreeing with the build means the build is wrong, not the records."""
    checked = disagree = 0
    for record in records:
        bases = [(sequence.base(record.pos + i), b) for i, b in enumerate(record.ref.upper())]
        known = [(k, b) for k, b in bases if k is not None]
        if known:
            checked += 1
            disagree += any(k != b for k, b in known)
    if checked >= 2 and disagree * 2 > checked:
        raise GenomeBuildError(
            f"REF bases of {disagree} of {checked} ERBB2 records do not match {genome}: wrong build? "
            "(check --genome and the file's header)", path=source,
        )


def _file_stem(path: str) -> str:
    name = os.path.basename(path)
    for suffix in (".gz", ".bgz", ".vcf", ".bcf", ".cns", ".cnr", ".seg", ".tsv", ".txt", ".csv"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name or path


def annotate_segments(path: str, options: Options, request: SampleRequest, label: Optional[str],
                      genome_hint: Optional[str]) -> tuple[list[dict], list[str]]:
    from her2cli import copynumber

    tables = copynumber.read_segment_file(path, options.segment_format, options.log_base,
                                          sample=None)
    if not tables:
        raise MalformedInputError("no segments found", path=path)
    genome = copynumber.detect_genome(tables, options.genome or genome_hint, path)
    rows: list[dict] = []
    notices: list[str] = []
    failures: list[MalformedInputError] = []
    unscaled: list[str] = []
    for table in tables:
        try:
            row = copynumber.assess_erbb2(table, genome, purity=request.purity, ploidy=request.ploidy,
                                          thresholds=options.thresholds)
        except MalformedInputError as exc:
            # In a multi-sample file, one sample without chr17 must not hide the others.
            if len(tables) == 1:
                raise
            failures.append(exc)
            notices.append(f"{exc.one_line()} (sample skipped)")
            continue
        if label is not None and len(tables) == 1:
            row["sample"] = label
        if row.get("segment_format") in _RELATIVE_FORMATS and str(row.get("purity_source", "")).startswith("none"):
            unscaled.append(str(row["sample"]))
        if row.get("breakpoint_in_gene"):
            notices.append(f"{path}: a segment breakpoint falls inside ERBB2 in {row['sample']}")
        rows.append(row)
    if failures and not rows:
        raise failures[0]
    if unscaled:
        who = unscaled[0] if len(unscaled) == 1 else f"{len(unscaled)} samples"
        notices.append(f"{path}: no purity for {who}: log-ratio copy number assumes 100% tumour cells "
                       "(give --purity to rescale)")
    return rows, notices


# Formats whose values are ratios against a normal, so that purity changes the copy number.
_RELATIVE_FORMATS = {"cnvkit", "gatk", "seg", "cbioportal", "splitthreader"}


def run_sample(request: SampleRequest, options: Options) -> list[SampleResult]:
    """Annotate one request (a VCF and/or segment files). Several results only for a multi-sample
    segment file given without a VCF."""
    from her2cli.interpret import evidence
    from her2cli.interpret import verdict as summary

    rows: list[dict] = []
    notices: list[str] = []
    label = request.label
    genome = None
    if request.vcf is not None:
        label, vcf_rows, vcf_notices, genome = annotate_vcf(request.vcf, options, request.tumor_sample, request.label)
        rows.extend(vcf_rows)
        notices.extend(vcf_notices)
    for path in request.segments:
        cn_rows, cn_notices = annotate_segments(path, options, request, label, genome)
        rows.extend(cn_rows)
        notices.extend(cn_notices)

    table = evidence.load_evidence() if options.evidence else None
    by_sample: dict[str, list[dict]] = {}
    for row in rows:
        if table is not None:
            row["evidence"] = evidence.format_evidence(evidence.match_row(row, table)) or None
        by_sample.setdefault(str(row["sample"]), []).append(row)
    if not by_sample:
        by_sample[label or _file_stem(request.vcf or (request.segments or ["sample"])[0])] = []
    results = []
    for sample, sample_rows in by_sample.items():
        verdict = summary.summarize_sample(sample, sample_rows, request.ihc, table)
        results.append(SampleResult(sample, sample_rows, notices, genome, verdict))
    return results
