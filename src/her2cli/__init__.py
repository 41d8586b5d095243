"""her2cli: ERBB2 (HER2) alteration annotator for non-small-cell lung cancer."""

from her2cli.version import __version__  # noqa: F401
