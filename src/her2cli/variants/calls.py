"""A sample's variant file read into ``MutationCall``s: the ERBB2 region of a VCF (which columns are
the tumour and the normal, the genome build from the header or the REF bases, the reported ALT alleles
with their reads) and the ERBB2 rows of a MAF, each allele named by the annotator.

Options come in as ``her2cli.request.Options`` (read by attribute); nothing here prints: what the user
should know is returned as notices.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Optional

from her2cli.errors import MalformedInputError
from her2cli.results import MutationCall


def annotate_vcf(path: str, options, tumor_sample: Optional[str] = None,
                 label: Optional[str] = None, scope: Optional[dict] = None
                 ) -> tuple[str, list[MutationCall], list[str], Optional[str], str]:
    """(sample name, mutation calls, notices, genome, how the genome was decided) for the ERBB2 region of
    one VCF. ``options`` is a ``her2cli.request.Options`` (genome, reference_fasta, all_records,
    normal_sample, assume_sorted are read). ``scope``, when given, receives what coverage needs: the header,
    the ERBB2 records, the tumour column and the path (coverage.sample)."""
    from her2cli.io.vcf import read_region
    from her2cli.reference.builds import CHR17_NAMES, check_build_by_ref, decide_build
    from her2cli.reference.transcript import GENOMES, load_transcript

    tx = load_transcript()
    # The build decides where ERBB2 is; when unknown, read both builds' windows (they do not overlap).
    regions_by_build = {g: (tx.builds[g].gene_start, tx.builds[g].gene_end) for g in GENOMES}
    regions = [regions_by_build[options.genome]] if options.genome else list(regions_by_build.values())
    # Down once: the header and the parsed records of the region.
    read = read_region(path, CHR17_NAMES, regions, options.assume_sorted)
    source = read.header.source
    build = decide_build(read.header.lines, read.records, source, options.genome, tx, regions_by_build)
    genome, records = build.genome, build.records
    notices = list(read.notices) + build.notices
    annotator = None
    if records:
        annotator = annotator_for(genome, options.reference_fasta)
        check_build_by_ref(records, annotator.sequence, genome, source)
    from her2cli.variants.callers import AlleleReader, SampleColumns
    from her2cli.variants.population import population_fields, population_lookup

    columns = SampleColumns.choose(read.header, bool(records), tumor_sample, options.normal_sample)
    name = label if label is not None else columns.name if columns.name is not None else file_stem(source)
    if scope is not None:
        scope.update(header=read.header, records=records, tumour=columns.tumour, path=path)
    if annotator is None:
        # Say it: no record is not the same as "not mutated" when the panel does not cover ERBB2.
        where = f" ({genome})" if genome else ""
        notices.append(f"{source}: no records in the ERBB2 region{where}")
        return name, [], notices, genome, build.basis

    # One pass over the records: each reported ALT with its reads (callers), its population frequency
    # (population) and its name (the annotator).
    reader = AlleleReader(read.header, columns, options.all_records, options.retain_info, options.retain_fmt)
    populations = None
    calls: list[MutationCall] = []
    for record in records:
        for alt_index, alt, reads, info in reader.alleles(record):
            if populations is None:
                populations = population_fields(tuple(read.header.lines))
            population = population_lookup(populations, info, alt_index, alt, record.ref, len(record.alts))
            allele = annotator.annotate(record.pos, record.ref, alt)
            if allele is not None:
                calls.append(_call(allele, name, source, record.chrom, genome, tx.accession,
                                   filter=record.filter, input_pos=record.pos, input_ref=record.ref, input_alt=alt,
                                   population_af=population.af, population_af_source=population.source,
                                   population_absent_from=population.absent_from, **reads))
    notices.extend(_skipped_notices(reader, source, name))
    notices.extend(_naming_notices(calls, source, genome))
    if scope is not None:
        scope["failed_filter"] = reader.failed_filter  # what a negative rests on (pipeline: assessment_basis)
    return name, calls, notices, genome, build.basis


def _skipped_notices(reader, source: str, sample_name: str) -> list[str]:
    """What the reader left out, and why (``callers.AlleleReader``'s counts)."""
    out = []
    if reader.symbolic:
        out.append(f"{source}: skipped {reader.symbolic} symbolic/breakend/spanning-deletion ALT allele(s) "
                   "in the ERBB2 region (not nameable on the transcript)")
    parts = []
    if reader.failed_filter:
        parts.append(f"{reader.failed_filter} failed FILTER")
    if reader.no_alt_reads:
        parts.append(f"{reader.no_alt_reads} not called in {sample_name} (genotype or no alt reads)")
    if parts:
        out.append(f"{source}: not reported: {', '.join(parts)} (use --all-records to include them)")
    return out


def _call(allele, sample: str, source: str, chrom: str, genome: str, transcript: str, **fields) -> MutationCall:
    """A MutationCall from an annotated allele plus what the input says of it (reads, FILTER, input alleles).
    ``not_called``: the tumour's genotype leaves this ALT out (kept by --all-records): flagged ``not_called``, so
    that it is shown but never counted (Ion Torrent writes every hotspot, PASS, with a few noise reads)."""
    flags = list(allele.flags) + (["not_called"] if fields.pop("not_called", False) else [])
    return MutationCall(
        sample=sample, source=source, chrom=chrom, pos=allele.pos, ref=allele.ref, alt=allele.alt, genome=genome,
        transcript=transcript, exon=allele.exon, intron=allele.intron, hgvs_g=allele.hgvs_g, hgvs_c=allele.hgvs_c,
        hgvs_p=allele.hgvs_p, hgvs_p_short=allele.hgvs_p_short, consequence=allele.consequence,
        domain=allele.domain, subgroup=allele.subgroup or "other", protein_position=allele.protein_position,
        legacy_name=allele.legacy_name, flags=flags, **fields)


def _naming_notices(calls: list[MutationCall], source: str, genome: str) -> list[str]:
    out = []
    for call in calls:
        if "ref_mismatch" in call.flags:
            out.append(f"{source}: REF at {call.chrom}:{call.input_pos} does not match {genome}; "
                       f"the name of that row is not reliable")
        if "unshifted_intronic_indel" in call.flags:
            out.append(f"{source}: intronic indel at {call.chrom}:{call.input_pos} named unshifted "
                       "(intron sequence is not bundled; give --reference genome.fa to 3'-shift it)")
    return out


@lru_cache(maxsize=4)
def annotator_for(genome: str, reference_fasta: Optional[str]):
    """One annotator per build and reference per process: a cohort reuses it (and its cache of
    names) across thousands of samples."""
    from her2cli.reference.sequence import FastaSequence, exonic_sequence
    from her2cli.reference.transcript import load_transcript
    from her2cli.variants.annotator import Annotator

    tx = load_transcript()
    if reference_fasta:
        sequence = FastaSequence(reference_fasta, tx, genome)
    else:
        sequence = exonic_sequence(tx, genome)
    return Annotator(tx, genome, sequence, have_genome_fasta=bool(reference_fasta))


def file_stem(path: str) -> str:
    """A file's name without its directory and its VCF/segment/compression suffixes."""
    name = os.path.basename(path)
    for suffix in (".gz", ".bgz", ".vcf", ".bcf", ".cns", ".cnr", ".seg", ".tsv", ".txt", ".csv"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name or path


def annotate_maf(path: str, options, only_sample: Optional[str] = None
                 ) -> tuple[dict[str, list[MutationCall]], list[str], Optional[str]]:
    """({sample: mutation calls} for every sample the MAF lists, notices, genome). ``only_sample`` keeps one
    Tumor_Sample_Barcode (a cohort sheet row). ``options``: genome, reference_fasta (``request.Options``)."""
    from her2cli.io.maf import read_maf
    from her2cli.reference.transcript import load_transcript

    read = read_maf(path, options.genome)
    notices = list(read.notices)
    samples = [only_sample] if only_sample is not None else list(read.samples)
    if only_sample is not None and only_sample not in read.samples:
        raise MalformedInputError(f"sample {only_sample!r} is not a Tumor_Sample_Barcode of this MAF", path=path)
    calls: dict[str, list[MutationCall]] = {sample: [] for sample in samples}
    if not read.records:
        return calls, notices, read.genome
    tx = load_transcript()
    annotator = annotator_for(read.genome, options.reference_fasta)
    for record in read.records:
        if record.sample not in calls:
            continue
        allele = annotator.annotate(record.pos, record.ref, record.alt)
        if allele is None:
            notices.append(f"{path}:{record.line}: REF and ALT describe no change (row skipped)")
            continue
        depth = record.t_depth
        if depth is None and record.t_ref_count is not None and record.t_alt_count is not None:
            depth = record.t_ref_count + record.t_alt_count
        vaf = round(record.t_alt_count / depth, 4) if depth and record.t_alt_count is not None else None
        call = _call(allele, record.sample, path, record.chrom, read.genome, tx.accession, filter=None,
                     depth=depth, alt_depth=record.t_alt_count, ref_depth=record.t_ref_count, vaf=vaf,
                     caller_format="MAF", input_pos=record.pos, input_ref=record.ref or "-",
                     input_alt=record.alt or "-", normal_sample=record.normal_sample, normal_depth=record.n_depth,
                     normal_alt_depth=record.n_alt_count, normal_ref_depth=record.n_ref_count,
                     input_hgvsc=record.input_hgvsc, input_hgvsp=record.input_hgvsp_short or record.input_hgvsp,
                     **record.statements())
        call.renamed = _renamed(call, record)
        calls[record.sample].append(call)
    return calls, notices, read.genome


def _renamed(call: MutationCall, record) -> Optional[bool]:
    """True when the publisher's protein name is neither our canonical short name nor its legacy alias
    (None when the row gave no protein name)."""
    written = (record.input_hgvsp_short or "").strip()
    if not written:
        return None
    bare = written[2:] if written.startswith("p.") else written
    ours = {n[2:] if n.startswith("p.") else n for n in (call.hgvs_p_short, call.legacy_name) if n}
    if "?" in ours and re.fullmatch(r"X\d+_splice", bare):
        return False  # vcf2maf's splice label for what HGVS writes p.? (the c. names agree)
    return bare not in ours
