"""Pieces every command shares: the one-line failure, the build choice, --threshold parsing."""

from __future__ import annotations

import sys
from enum import Enum
from typing import List

import typer

from her2cli.errors import EXIT_USAGE


class Genome(str, Enum):
    GRCh37 = "GRCh37"
    GRCh38 = "GRCh38"


def fail(message: str, code: int) -> None:
    """One line on stderr and the exit code; never a traceback."""
    sys.stderr.write(f"her2: error: {message}\n")
    sys.stderr.flush()
    raise typer.Exit(code)


def parse_thresholds(items: List[str]):
    """``--threshold NAME=VALUE`` items into copynumber.Thresholds (usage error on a bad item)."""
    from her2cli.annotate_run import thresholds_from_items
    from her2cli.errors import UsageError

    try:
        return thresholds_from_items(items)
    except UsageError as exc:
        fail(exc.one_line(), EXIT_USAGE)
