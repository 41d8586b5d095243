"""Where the bundled reference files live (inside the installed package)."""

from __future__ import annotations

from importlib import resources as _ir
from pathlib import Path


def resource_path(name: str) -> Path:
    """Path of a bundled resource file, e.g. ``resource_path("amplicon_genes_17q12.tsv")``."""
    return Path(str(_ir.files("her2cli.resources").joinpath(name)))


def read_tsv(name: str) -> list[dict[str, str]]:
    """Read a bundled TSV (header line first, '#' comment lines skipped) into dicts."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    with open(resource_path(name), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            rows.append(dict(zip(header, fields)))
    return rows
