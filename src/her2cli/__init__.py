"""her2cli: ERBB2 (HER2) alteration annotator for non-small-cell lung cancer."""

__version__ = "0.1.0"
