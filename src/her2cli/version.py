"""The package version (the lowest floor: every layer may name it; ``her2cli.__version__`` re-exports it)."""

__version__ = "0.1.0"
