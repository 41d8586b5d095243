"""``her2cli.run_cohort``: a cohort run as the command runs it, for scripts (docs/api.md).

The command (``her2 cohort``) calls ``run_sheet`` too: checking the output folder against every input,
holding its lock, running, and publishing are done in one place.
"""

from __future__ import annotations

import contextlib
from typing import Optional, Union

from her2cli.cohort.publisher import check_output_dir, lock_output_dir, page_names
from her2cli.cohort.run import CohortResult, ProgressCallback, cohort_inputs, run_cohort as _run_entries
from her2cli.cohort.run import write_cohort_outputs

__all__ = ["run_cohort", "run_sheet", "run_maf_study"]


def _options_inputs(options) -> list[str]:
    return [p for p in (getattr(options, "purity_table", None), getattr(options, "reference_fasta", None)) if p]


def run_sheet(sheet: Optional[str], entries: list, options, jobs: int = 1, output_dir: Optional[str] = None,
              pages: bool = False, force: bool = False, dask_address: Optional[str] = None,
              progress: Optional[ProgressCallback] = None, resume: bool = False, provenance=None,
              keep_rows: bool = True) -> CohortResult:
    """Run ``entries`` (read from ``sheet``); with ``output_dir``, refuse a folder the run may not write into
    (``publisher.check_output_dir``), hold its lock, and publish the outputs as one set."""
    if output_dir is None:
        return _run_entries(entries, options, jobs=jobs, dask_address=dask_address, progress=progress,
                            keep_rows=keep_rows)
    names = page_names(e.sample for e in entries).values() if pages else ()
    check_output_dir(output_dir, cohort_inputs(sheet, entries, tuple(_options_inputs(options))), force, names)
    with lock_output_dir(output_dir):
        result = _run_entries(entries, options, jobs=jobs, dask_address=dask_address, progress=progress,
                              resume_dir=output_dir if resume else None, parts_dir=output_dir, pages=pages,
                              keep_rows=keep_rows)
        if provenance is None:
            from her2cli.report.html import make_provenance

            provenance = make_provenance(None, (), options, sample_sheet=sheet)
        write_cohort_outputs(result, output_dir, provenance)
    return result


def run_maf_study(maf: str, segments: list[str], sample_list: Optional[str], options,
                  output_dir: Optional[str] = None, pages: bool = False, force: bool = False,
                  provenance=None) -> CohortResult:
    """A published study (``her2 cohort --maf``): the same checks, lock and publication as ``run_sheet``."""
    import os

    from her2cli.cohort.journal import PAGES_DIR, PARTS_DIR
    from her2cli.cohort.study import run_study

    if output_dir is None:
        return run_study(maf, segments, sample_list, options)
    inputs = [maf, *segments, *([sample_list] if sample_list else []), *_options_inputs(options)]
    check_output_dir(output_dir, inputs, force)  # page names are known only after reading: checked below
    with lock_output_dir(output_dir):
        pages_dir = os.path.join(output_dir, PARTS_DIR, PAGES_DIR) if pages else None
        result = run_study(maf, segments, sample_list, options, pages_dir)
        if pages:
            check_output_dir(output_dir, inputs, force, [name for name, _, _ in result.pages.values()])
        if provenance is None:
            from her2cli.report.html import make_provenance

            provenance = make_provenance(maf, segments, options)
        write_cohort_outputs(result, output_dir, provenance)
    return result


def run_cohort(sheet: Union[str, list], options=None, jobs: int = 1, output_dir: Optional[str] = None,
               pages: bool = False, force: bool = False, dask_address: Optional[str] = None,
               progress: Optional[ProgressCallback] = None, resume: bool = False) -> CohortResult:
    """Annotate every sample of ``sheet`` (a sample-sheet path, or a list of ``sheet.SheetEntry``) and return
    the typed CohortResult; with ``output_dir``, publish the tables, report.html (and the pages) there."""
    from her2cli.cohort.sheet import read_sample_sheet
    from her2cli.pipeline import Options

    options = options if options is not None else Options()
    if isinstance(sheet, (str, bytes)) or hasattr(sheet, "__fspath__"):
        path = str(sheet)
        return run_sheet(path, read_sample_sheet(path), options, jobs, output_dir, pages, force, dask_address,
                         progress, resume)
    return run_sheet(None, list(sheet), options, jobs, output_dir, pages, force, dask_address, progress, resume)
