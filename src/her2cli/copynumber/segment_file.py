"""One segment file in, one ERBB2 assessment per sample out: the copy-number entry point of the pipeline.

The file is streamed sample by sample (readers.iter_segment_tables), so memory holds one sample's
segments at a time whatever the number of samples; only the (small) assessments accumulate.

Genome build: decided by the first sample whose coordinates (or ``genome_hint``, or the file
name) decide it (segment_build.detect_genome); every later sample with its own evidence must
agree (else GenomeBuildError). Samples read before the build is known wait in memory; when no
sample decides it, the usual "pass --genome" error is raised.

Purity: ``purity_for(sample) -> (purity, ploidy, source) | None`` gives each sample its own values
(a --purity-table, the cohort sheet, --purity); without it the file's own values are used
(PURPLE/ASCAT/Sequenza sibling files), else log ratios are read at purity 1 (``assumed_1``).

A sample that cannot be assessed (no chr17, ERBB2 not covered) becomes a notice when other
samples of the file can be; when none can, its error is raised.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..errors import GenomeBuildError, MalformedInputError
from .calls import Thresholds
from .gene_level import ASSUMED_PURITY, Erbb2Assessment, assess
from .readers import iter_segment_tables
from .segment_build import filename_build, detect_genome
from .segments import SegmentTable

PurityFor = Callable[[str], Optional[tuple[Optional[float], Optional[float], str]]]


def assess_segment_file(path: str, fmt: Optional[str] = None, log_base: Optional[float] = None,
                        genome_hint: Optional[str] = None, purity_for: Optional[PurityFor] = None,
                        thresholds: Optional[Thresholds] = None) -> tuple[list[Erbb2Assessment], list[str]]:
    """(one Erbb2Assessment per sample in file order, notices) for one segment file."""
    path = str(path)
    results: list[Erbb2Assessment] = []
    failures: list[MalformedInputError] = []
    notices: list[str] = []
    genome: Optional[str] = None
    decided_by = ""
    pending: list[SegmentTable] = []
    empty = 0

    def run(table: SegmentTable) -> None:
        estimate = purity_for(table.sample) if purity_for is not None else None
        purity, ploidy, source = estimate if estimate is not None else (None, None, "")
        try:
            results.append(assess(table, genome, purity, ploidy, thresholds,   # type: ignore[arg-type]
                                  purity_source=source, ploidy_source=source))
        except MalformedInputError as exc:
            failures.append(exc)

    for table in iter_segment_tables(path, fmt, log_base):
        if not table.segments:
            empty += 1
            continue
        decides = bool(table.build_hints) or genome_hint is not None or filename_build(path) is not None
        if genome is None:
            if not decides:
                pending.append(table)
                continue
            genome = detect_genome([table], genome_hint, path)
            decided_by = table.sample
            for waiting in pending:
                run(waiting)
            pending = []
        elif table.build_hints:
            build = detect_genome([table], genome_hint, path)   # raises on a contradicted --genome
            line, why = next((ln, w) for b, ln, w in table.build_hints if b == build)
            if build != genome:
                raise GenomeBuildError(
                    f"mixed genome builds: sample {table.sample!r} is {build} ({why}) but sample "
                    f"{decided_by!r} is {genome}", path=path, line=line)
        run(table)
    if pending:
        detect_genome(pending[:1], genome_hint, path)   # raises: nothing decides the build

    if failures and not results:
        raise failures[0]
    notices.extend(f"{exc.one_line()} (sample skipped)" for exc in failures)
    if empty:
        notices.append(f"{path}: {empty} sample(s) without any segment value skipped")
    for a in results:
        if a.breakpoint_in_gene:
            notices.append(f"{path}: a segment breakpoint falls inside ERBB2 in {a.sample}")
    assumed = [a.sample for a in results if a.purity_source == ASSUMED_PURITY]
    if assumed:
        who = assumed[0] if len(assumed) == 1 else f"{len(assumed)} samples"
        notices.append(f"{path}: no purity for {who}: log ratios read as 100% tumour (purity_source "
                       "assumed_1; min_purity_for_amplification gives the purity below which ERBB2 "
                       "would be amplified; give --purity or --purity-table to rescale)")
    return results, notices
