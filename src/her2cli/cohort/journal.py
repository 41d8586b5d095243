"""The resume journal: one JSON line per finished sample in ``DIR/.her2-parts/journal.jsonl``.

A line is appended (and flushed) as each sample completes, so a run killed at any moment leaves at most one
broken last line, which ``load`` skips. ``--resume`` reuses a sample's line only when its fingerprint (the
sheet row, the options, the input files' size and mtime, the her2cli version) is unchanged, and, when the
sample had a page, when that page is still in ``DIR/.her2-parts/pages/`` with the checksum recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from typing import Optional

from her2cli.io.atomic import output_error

__all__ = ["PARTS_DIR", "JOURNAL", "PAGES_DIR", "Journal", "fingerprint", "line", "load", "restore"]

PARTS_DIR = ".her2-parts"
JOURNAL = "journal.jsonl"
PAGES_DIR = "pages"  # inside PARTS_DIR: the pages the workers wrote, published from there
_VERSION = 4  # 4: metadata in the summaries, the sample page's name and checksum


def fingerprint(entry, options, pages: bool, rows: bool = True) -> str:
    """What a stored result depends on: the sheet row (minus its line), the options, whether pages (and the
    rows as data) were asked for, the input files' size and mtime, and the her2cli version."""
    from her2cli.version import __version__

    stats = []
    for path in entry.files():
        try:
            st = os.stat(path)
            stats.append([path, st.st_size, st.st_mtime_ns])
        except OSError:
            stats.append([path, None, None])
    data = asdict(entry)
    data.pop("line", None)
    blob = json.dumps([__version__, data, repr(options), pages, rows, stats], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def load(parts_dir: str) -> dict[str, dict]:
    """The results a previous run recorded in ``parts_dir`` (DIR/.her2-parts), last record per sample."""
    found: dict[str, dict] = {}
    try:
        with open(os.path.join(parts_dir, JOURNAL), encoding="utf-8") as handle:
            for line in handle:
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("version") == _VERSION and "sample" in data:
                    found[data["sample"]] = data
    except OSError:
        pass
    return found


def restore(data: Optional[dict], sample: str, fingerprint_now: str, parts_dir: str) -> Optional[dict]:
    """The fields of the worker.SampleOutcome stored in ``data`` if it still holds (same fingerprint, page
    still there), else None."""
    if data is None or data.get("fingerprint") != fingerprint_now:
        return None
    try:
        page = data.get("page")
        if page is not None:
            page = (str(page[0]), str(page[1]))
            if not os.path.isfile(os.path.join(parts_dir, PAGES_DIR, page[0])):
                return None
        return dict(sample=sample, rows_tsv=str(data["rows_tsv"]), rows=list(data["rows"]),
                    summaries=list(data["summaries"]), notices=list(data["notices"]), page=page,
                    genomes=list(data.get("genomes") or []), resumed=True)
    except (KeyError, TypeError, IndexError):
        return None


def line(outcome, fingerprint_now: str) -> str:
    """The journal record of a finished sample (one JSON line)."""
    data = {"version": _VERSION, "sample": outcome.sample, "fingerprint": fingerprint_now,
            "rows_tsv": outcome.rows_tsv, "rows": outcome.rows, "summaries": outcome.summaries,
            "notices": outcome.notices, "page": outcome.page, "genomes": outcome.genomes}
    return json.dumps(data, sort_keys=True, allow_nan=True) + "\n"


class Journal:
    """Appends finished samples to DIR/.her2-parts/journal.jsonl (a fresh run starts a fresh journal; a
    resumed one adds to it)."""

    def __init__(self, parts_dir: str, resume: bool) -> None:
        self.path = os.path.join(parts_dir, JOURNAL)
        try:
            os.makedirs(parts_dir, exist_ok=True)
            self.handle = open(self.path, "a" if resume else "w", encoding="utf-8")
        except OSError as exc:
            raise output_error(exc, self.path) from None

    def record(self, journal_line: str) -> None:
        """Append one sample's line (``line``, rendered by the worker)."""
        try:
            self.handle.write(journal_line)
            self.handle.flush()
        except OSError as exc:
            raise output_error(exc, self.path) from None

    def close(self) -> None:
        try:
            self.handle.close()
        except OSError:  # a full disk was reported by record()
            pass
