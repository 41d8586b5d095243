"""her2cli: ERBB2 (HER2) alteration annotator for non-small-cell lung cancer."""

from her2cli.version import __version__  # noqa: F401


def run_cohort(sheet, options=None, jobs: int = 1, output_dir=None, pages: bool = False, **kwargs):
    """Annotate every sample of a sample sheet (a path, or a list of ``cohort.sheet.SheetEntry``) and return
    the typed ``cohort.run.CohortResult`` (the rows, verdicts, prevalence and errors the writers use). With
    ``output_dir``, also publish the tables, ``report.html`` (and, with ``pages``, one page per sample) there,
    as ``her2 cohort SHEET -o DIR`` does. ``options`` is a ``pipeline.Options``; other keywords go to
    ``cohort.run.run_cohort`` (``dask_address``, ``progress``, ``resume_dir``). See docs/api.md."""
    from her2cli.cohort.api import run_cohort as _run

    return _run(sheet, options, jobs=jobs, output_dir=output_dir, pages=pages, **kwargs)
