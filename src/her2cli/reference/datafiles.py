"""Where the bundled reference files live (inside the installed package)."""

from __future__ import annotations

import os

import her2cli.resources as _resources_package

# The data package's folder: works for a wheel, a source checkout and an editable install alike, and
# costs no import of importlib.resources/pathlib on the start-up path.
_RESOURCES = os.path.dirname(os.path.abspath(_resources_package.__file__))


def resource_file(name: str) -> str:
    """Filesystem path of a bundled resource, e.g. ``resource_file("amplicon_genes_17q12.tsv")``."""
    return os.path.join(_RESOURCES, name)


def resource_path(name: str):
    """The same as a ``pathlib.Path``."""
    from pathlib import Path

    return Path(resource_file(name))


def read_tsv(name: str) -> list[dict[str, str]]:
    """Read a bundled TSV (header line first, '#' comment lines skipped) into dicts."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    with open(resource_file(name), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            rows.append(dict(zip(header, fields)))
    return rows
