"""One request's segment files read into ``CopyNumberCall``s: purity and ploidy from the request (the
command line or the sample sheet), else from a ``--purity-table``, else from the file."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from her2cli.results import CopyNumberCall


def annotate_segments(path: str, options, request, label: Optional[str],
                      genome_hint: Optional[str]) -> tuple[list[CopyNumberCall], list[str]]:
    """The ERBB2 copy number of every sample of one segment file (``options``/``request``: a
    ``her2cli.request.Options``/``SampleRequest``)."""
    from her2cli import copynumber

    table_lookup = _purity_table(options.purity_table)

    def purity_for(sample: str):
        # The request's own values (--purity/--ploidy, the cohort sheet) win over the purity table.
        found = table_lookup(sample) if table_lookup is not None else None
        purity, ploidy, source = found if found is not None else (None, None, "")
        if request.purity is not None:
            purity, source = request.purity, "--purity"
        if request.ploidy is not None:
            ploidy = request.ploidy
            source = {"": "--ploidy", "--purity": "--purity/--ploidy"}.get(source, f"{source} (ploidy from --ploidy)")
        return None if purity is None and ploidy is None else (purity, ploidy, source)

    assessments, notices = copynumber.assess_segment_file(
        path, options.segment_format, options.log_base, options.genome or genome_hint, purity_for,
        options.thresholds)
    if label is not None and len(assessments) == 1:
        assessments[0].sample = label
    for assessment in assessments:
        notices.extend(f"{path}: {assessment.sample}: {note}" for note in assessment.notes)
    return [CopyNumberCall(sample=a.sample, source=path, assessment=a) for a in assessments], notices


@lru_cache(maxsize=4)
def _purity_table(path: Optional[str]):
    """One read of a --purity-table per process, however many samples a cohort has."""
    from her2cli.copynumber import purity_lookup

    return purity_lookup(path)
