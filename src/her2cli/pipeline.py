"""One sample in, typed results out. The CLI and the cohort runner both call ``run_sample``; this module
only orchestrates: the request and options are ``request.py``; a VCF or MAF is read into calls by
``variants/calls.py``, segment files by ``copynumber/sample.py``; the calls are interpreted by
``interpret/calls.py`` and summed up per sample by ``interpret/verdict.py``.

The pipeline never prints: everything the user should know goes into ``SampleResult.notices``.
"""

from __future__ import annotations

from her2cli.interpret.calls import interpret_mutations, match_evidence
from her2cli.request import Options, SampleRequest
from her2cli.results import CopyNumberCall, MutationCall, SampleResult
from her2cli.variants.calls import annotate_maf, annotate_vcf, annotator_for, file_stem

# Names callers import from here (kept when they moved): the request, and the steps.
__all__ = ["Options", "SampleRequest", "run_sample", "annotate_vcf", "annotate_maf", "annotate_segments",
           "interpret_mutations", "match_evidence", "_annotator"]

_annotator = annotator_for  # its old name here


def __getattr__(name: str):
    if name == "annotate_segments":  # imported on use: the copy-number package is not on a VCF-only path
        from her2cli.copynumber.sample import annotate_segments

        return annotate_segments
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_sample(request: SampleRequest, options: Options) -> list[SampleResult]:
    """Annotate one request (a VCF or MAF and/or segment files). Several results for a MAF or a
    multi-sample segment file: one per sample."""
    from her2cli.interpret import evidence, verdict
    from her2cli.io.sniff import MAF, input_kind

    mutations_by_sample: dict[str, list[MutationCall]] = {}
    copy_numbers: list[CopyNumberCall] = []
    notices: list[str] = []
    label = request.label
    genome = None
    read_samples: set[str] = set(request.sequenced or ())
    build_basis = None
    vcf_scope: dict = {}
    if request.vcf is not None and input_kind(request.vcf) == MAF:
        # A sheet row reads one Tumor_Sample_Barcode (its tumor_sample, else its name) and reports it under its name.
        only = request.tumor_sample or label
        mutations_by_sample, maf_notices, genome = annotate_maf(request.vcf, options, only)
        notices.extend(maf_notices)
        if only is not None and label is not None:
            mutations_by_sample = {label: mutations_by_sample.get(only, [])}
            for call in mutations_by_sample[label]:
                call.sample = label
        read_samples.update(mutations_by_sample)
    elif request.vcf is not None:
        label, vcf_calls, vcf_notices, genome, build_basis = annotate_vcf(request.vcf, options, request.tumor_sample,
                                                            request.label, vcf_scope)
        mutations_by_sample[label] = vcf_calls
        read_samples.add(label)
        notices.extend(vcf_notices)
    multi_sample_mutations = len(mutations_by_sample) > 1 or request.sequenced is not None
    if request.segments:  # the copy-number package only when there is copy number to read (start-up)
        from her2cli.copynumber.sample import annotate_segments, one_segment_sample
    for path in request.segments:
        keep_names = multi_sample_mutations or request.segments_sample is not None
        cn_calls, cn_notices = annotate_segments(path, options, request, None if keep_names else label, genome)
        if not multi_sample_mutations and request.label is not None:  # a sheet row is one sample
            cn_calls, cn_notices = one_segment_sample(path, cn_calls, cn_notices, request, request.label)
        copy_numbers.extend(cn_calls)
        notices.extend(cn_notices)

    interpret_mutations(mutations_by_sample, copy_numbers, request.purity, options.knowledge)
    table = evidence.load_evidence() if options.evidence else None
    if table is not None:
        match_evidence(mutations_by_sample, copy_numbers, table)
    samples: dict[str, tuple[list[MutationCall], list[CopyNumberCall]]] = {
        sample: (calls, []) for sample, calls in mutations_by_sample.items()}
    for sample in request.sequenced or ():
        samples.setdefault(sample, ([], []))
    for call in copy_numbers:
        samples.setdefault(call.sample, ([], []))[1].append(call)
    if not samples:
        samples[label or file_stem(request.vcf or (request.segments or ["sample"])[0])] = ([], [])
    source = request.vcf if request.vcf is not None else (request.segments[0] if request.segments else None)
    source = "<stdin>" if source == "-" else source  # as the readers name it in every row and message
    coverage = _coverage(request, options, genome, vcf_scope, len(mutations_by_sample))
    results = []
    for sample, (sample_mutations, sample_cn) in samples.items():
        sample_coverage = coverage if sample in mutations_by_sample else None
        sample_verdict = verdict.summarize_sample(sample, sample_mutations, sample_cn, request.ihc, table,
                                                  vcf_read=sample in read_samples, coverage=sample_coverage)
        sample_verdict.source = source
        if sample == label and vcf_scope.get("failed_filter") and sample_verdict.mutation_status != "activating":
            sample_verdict.assessment_basis = _not_read(sample_verdict.assessment_basis, vcf_scope["failed_filter"])
        sample_notices = notices + _negative_notice(sample, sample_verdict, sample_coverage)
        sample_genome = genome or next((c.genome for c in sample_cn), None)
        basis = build_basis or ("NCBI_Build column of the MAF" if genome else
                                "segment coordinates or --genome" if sample_genome else None)
        results.append(SampleResult(sample, source, sample_genome, sample_mutations, sample_cn, sample_verdict,
                                    sample_notices, build_basis=basis, coverage=sample_coverage))
    return results


def _not_read(basis: str | None, failed_filter: int) -> str:
    """A negative rests on the calls that passed the caller's FILTER: say how many ERBB2 alleles did not (a real
    low-VAF exon 20 insertion filtered as weak_evidence is exactly what a reviewer wants to look at)."""
    alleles = "allele" if failed_filter == 1 else "alleles"
    said = (f"{failed_filter} ERBB2 {alleles} failed the caller's FILTER and {'was' if failed_filter == 1 else 'were'} "
            f"not read (--all-records shows {'it' if failed_filter == 1 else 'them'})")
    return f"{basis}; {said}" if basis else said


def _negative_notice(sample: str, verdict, coverage) -> list[str]:
    """Every report says what a negative rests on: a notice for a negative without coverage input or one the
    coverage does not support (the summary's assessment_basis says it too; docs/coverage.md)."""
    if verdict.mutation_status == "not_detected" and coverage is None:
        return [f"{sample}: no ERBB2 mutation detected; coverage not given: the negative is not qualified by what "
                "the sequencing covered (give --coverage or --targets; docs/coverage.md)"]
    if verdict.mutation_status == "not_assessed" and coverage is not None and not coverage.assessed:
        return [f"{sample}: mutation not assessed: {coverage.basis}"]
    return []


def _coverage(request: SampleRequest, options: Options, genome, vcf_scope: dict, n_samples: int):
    """The coverage assessment of a one-sample request (coverage.sample), None without coverage input."""
    if n_samples == 0:
        return None  # no variant file: the mutation status is not assessed whatever the coverage
    if n_samples != 1:
        if request.coverage or request.targets:
            from her2cli.errors import MalformedInputError

            raise MalformedInputError("--coverage/--targets describe one sample; this input has "
                                      f"{n_samples}", path=request.vcf)
        return None
    from her2cli.coverage.sample import assess_sample

    return assess_sample(genome or options.genome, options.min_depth, options.min_alt_reads, request.coverage,
                         request.targets, options.reference_fasta, vcf_scope or None)
