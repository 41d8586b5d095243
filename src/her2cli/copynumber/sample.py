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


def one_segment_sample(path: str, calls: list[CopyNumberCall], notices: list[str], request,
                       label: str) -> tuple[list[CopyNumberCall], list[str]]:
    """A labelled request (a sheet row) is one sample: from a shared multi-sample segment file keep the one
    named by ``segments_sample`` (else ``tumor_sample``, else the label), reported under the label; refuse
    when the file does not hold it rather than report another sample's copy number."""
    from her2cli.errors import MalformedInputError

    if len(calls) <= 1 and request.segments_sample is None:
        return calls, notices
    wanted = [w for w in (request.segments_sample, request.tumor_sample, label) if w is not None]
    if request.segments_sample is not None:
        wanted = wanted[:1]
    held = [c.assessment.sample for c in calls]
    chosen = next((name for name in wanted if name in held), None)
    if chosen is None:
        shown = ", ".join(held[:5]) + (f" ... ({len(held)} samples)" if len(held) > 5 else "")
        raise MalformedInputError(f"sample {wanted[0]!r} is not in this segment file (it holds {shown}); name the "
                                  "sample in the sheet's segments_sample column", path=path)
    picked = calls[held.index(chosen)]
    others = {name for name in held if name != chosen}
    notices = [n for n in notices if not any(n.startswith(f"{path}: {o}: ") for o in others)]
    picked.sample = picked.assessment.sample = label
    return [picked], [n.replace(f"{path}: {chosen}: ", f"{path}: {label}: ", 1) for n in notices]


@lru_cache(maxsize=4)
def _purity_table(path: Optional[str]):
    """One read of a --purity-table per process, however many samples a cohort has."""
    from her2cli.copynumber import purity_lookup

    return purity_lookup(path)
