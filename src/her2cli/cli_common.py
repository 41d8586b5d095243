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
    import dataclasses

    from her2cli.copynumber import Thresholds

    fields = {f.name for f in dataclasses.fields(Thresholds)}
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            fail(f"--threshold takes NAME=VALUE with NAME one of: {', '.join(sorted(fields))}", EXIT_USAGE)
        try:
            values[name] = float(text)
        except ValueError:
            fail(f"--threshold {name}: not a number: {text!r}", EXIT_USAGE)
    try:
        return Thresholds(**values)
    except ValueError as exc:
        fail(f"--threshold: {exc}", EXIT_USAGE)
