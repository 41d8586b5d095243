"""The library API: what a script calls to get the typed results the writers use (``docs/api.md``).

``her2cli.annotate(...)`` is ``her2 annotate`` without the writing: the same options, checked the same
way, and the ``SampleResult``s (``her2cli.results``) every output format is made from. Nothing is
printed: the notices the command would print are in ``SampleResult.notices``. Bad input raises the
``her2cli.errors`` exception the command turns into its exit code (``Her2Error.exit_code``).
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Optional

from her2cli.errors import UsageError

__all__ = ["annotate"]


def annotate(vcf: Optional[str] = None, segments: Iterable[str] = (), *, sample: Optional[str] = None,
             normal: Optional[str] = None, genome: Optional[str] = None, reference: Optional[str] = None,
             purity: Optional[float] = None, ploidy: Optional[float] = None, purity_table: Optional[str] = None,
             ihc: Optional[str] = None, thresholds: Optional[Mapping[str, float]] = None,
             segment_format: Optional[str] = None, log_base: Optional[float] = None, all_records: bool = False,
             assume_sorted: bool = False, evidence: bool = True) -> list:
    """The ERBB2 alterations of one sample: a VCF/BCF or MAF (``vcf``) and/or copy-number segment files
    (``segments``), as ``her2 annotate VCF --segments FILE ...`` reads them (docs/annotate.md). Returns
    a list of ``her2cli.results.SampleResult`` (one per sample: a MAF or a multi-sample segment file
    gives several).

    Keywords are the command's options: ``sample`` (--sample), ``normal`` (--normal), ``genome``
    (--genome; hg19/hg38 too), ``reference`` (--reference FASTA), ``purity``, ``ploidy``,
    ``purity_table``, ``ihc`` ("0", "1+", "2+", "3+"), ``thresholds`` ({name: value}, as
    ``--threshold name=value``), ``segment_format``, ``log_base``, ``all_records``, ``assume_sorted``;
    ``evidence=False`` leaves the therapy evidence out.
    """
    from her2cli.interpret.evidence import normalize_ihc
    from her2cli.pipeline import Options, SampleRequest, run_sample
    from her2cli.reference.builds import normalise_build

    segments = [segments] if isinstance(segments, str) else list(segments)
    if vcf is None and not segments:
        raise UsageError("give a VCF or segment files")
    if purity is not None and not (math.isfinite(purity) and 0.0 < purity <= 1.0):
        raise UsageError(f"purity {purity} is not in (0, 1]")
    if ploidy is not None and not (math.isfinite(ploidy) and 0.5 <= ploidy <= 10.0):
        raise UsageError(f"ploidy {ploidy} is not in [0.5, 10]")
    if ihc is not None:
        try:
            ihc = normalize_ihc(ihc)
        except ValueError as exc:
            raise UsageError(f"ihc: {exc}") from None
    options = Options(genome=normalise_build(genome), reference_fasta=reference, all_records=all_records,
                      segment_format=segment_format, log_base=log_base,
                      thresholds=_thresholds(thresholds) if (thresholds or segments) else None,
                      purity_table=purity_table, evidence=evidence, normal_sample=normal,
                      assume_sorted=assume_sorted)
    request = SampleRequest(vcf=vcf, segments=segments, tumor_sample=sample, purity=purity, ploidy=ploidy, ihc=ihc)
    return run_sample(request, options)


def _thresholds(values: Optional[Mapping[str, float]]):
    import dataclasses

    from her2cli.copynumber import Thresholds

    names = {f.name for f in dataclasses.fields(Thresholds)}
    unknown = sorted(set(values or {}) - names)
    if unknown:
        raise UsageError(f"unknown threshold {', '.join(unknown)} (one of: {', '.join(sorted(names))})")
    try:
        return Thresholds(**{name: float(value) for name, value in (values or {}).items()})
    except ValueError as exc:
        raise UsageError(f"thresholds: {exc}") from None
