"""her2cli: ERBB2 (HER2) alteration annotator for non-small-cell lung cancer.

The library API (docs/api.md): ``her2cli.annotate(...)`` and ``her2cli.run_cohort(...)`` return the typed
results the writers use.
It is imported on first use, so that ``import her2cli`` (and the command's start-up) stays light.
"""

from her2cli.version import __version__  # noqa: F401

__all__ = ["__version__", "annotate", "run_cohort"]


def __getattr__(name: str):
    if name == "annotate":
        from her2cli.api import annotate

        return annotate
    if name == "run_cohort":  # a sample sheet's samples: cohort.run.CohortResult
        from her2cli.cohort.api import run_cohort

        return run_cohort
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
