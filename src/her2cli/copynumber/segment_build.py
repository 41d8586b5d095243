"""Genome build of a segment file: GRCh37 vs GRCh38 from contig coordinates.

Evidence, strongest first, collected per table as ``build_hints`` (build, line, reason):

* a SAM-style ``@SQ`` header (GATK) whose ``LN`` equals one build's contig length, or ``AS:`` tag;
* a segment ending exactly at one build's contig length (PURPLE writes telomere-to-telomere);
* a segment ending beyond a contig's length in one build but not the other (e.g. chr17 end
  > 81,195,210 can only be GRCh38; chr1 end > 248,956,422 can only be GRCh37).

Contradicting evidence (mixed builds) is an error. Without evidence the caller's ``--genome`` is
used; a build word in the file name (hg19, GRCh38, ...) is the last resort. Bins of binned formats
may run a little past a contig end, so they get a tolerance.
"""

from __future__ import annotations

from pathlib import Path

from ..reference.datafiles import read_tsv
from ..errors import GenomeBuildError
from ..reference.builds import builds_named_in, normalise_build
from .segments import SegmentTable, chrom_key

GRCH37 = "GRCh37"
GRCH38 = "GRCh38"


def contig_lengths() -> dict[str, dict[str, int]]:
    """{'17': {'GRCh37': 81195210, 'GRCh38': 83257441}, ...} for chr1-22, X, Y."""
    out: dict[str, dict[str, int]] = {}
    for row in read_tsv("contig_lengths.tsv"):
        key = chrom_key(row["ucsc_name"])
        if key == "MT":
            continue  # chrM differs only between hg19 and b37 naming, not between builds
        out[key] = {GRCH37: int(row["b37_length"]), GRCH38: int(row["GRCh38_length"])}
    return out


def coordinate_hints(table: SegmentTable, tolerance: int = 0) -> None:
    """Append build evidence from segment ends to ``table.build_hints``."""
    lengths = contig_lengths()
    last: dict[str, tuple[int, int, str]] = {}
    for seg in table.segments:
        key = seg.key
        if key in lengths and (key not in last or seg.end > last[key][0]):
            last[key] = (seg.end, seg.line, seg.chrom)
    for key, (end, line, written) in last.items():
        l37, l38 = lengths[key][GRCH37], lengths[key][GRCH38]
        if end == l37 and end != l38:
            table.build_hints.append((GRCH37, line, f"{written} ends at {end:,}, the GRCh37 length"))
        elif end == l38 and end != l37:
            table.build_hints.append((GRCH38, line, f"{written} ends at {end:,}, the GRCh38 length"))
        elif end > max(l37, l38) + tolerance:
            table.build_hints.append(("none", line, f"{written} ends at {end:,}, beyond its length in both builds"))
        elif end > l37 + tolerance and end <= l38:
            table.build_hints.append((GRCH38, line, f"{written} ends at {end:,}, beyond GRCh37's {l37:,}"))
        elif end > l38 + tolerance and end <= l37:
            table.build_hints.append((GRCH37, line, f"{written} ends at {end:,}, beyond GRCh38's {l38:,}"))


def sam_header_hints(table: SegmentTable, sam_lines: list[tuple[int, str]]) -> None:
    """Build evidence from GATK's @SQ lines (SN/LN/AS tags)."""
    lengths = contig_lengths()
    for lineno, text in sam_lines:
        if not text.startswith("@SQ"):
            continue
        tags = dict(f.split(":", 1) for f in text.rstrip("\n").split("\t")[1:] if ":" in f)
        assembly = tags.get("AS", "")
        named = builds_named_in(assembly)
        if len(named) == 1:
            table.build_hints.append((named.pop(), lineno, f"@SQ AS:{assembly}"))
        key = chrom_key(tags.get("SN", ""))
        if key in lengths and tags.get("LN", "").isdigit():
            ln = int(tags["LN"])
            for build in (GRCH37, GRCH38):
                other = GRCH38 if build == GRCH37 else GRCH37
                if ln == lengths[key][build] and ln != lengths[key][other]:
                    table.build_hints.append((build, lineno, f"@SQ {tags['SN']} LN:{ln}"))


def filename_build(path: str) -> str | None:
    found = builds_named_in(Path(path).name)
    return found.pop() if len(found) == 1 else None


def detect_genome(tables: list[SegmentTable], requested: str | None, path: str) -> str:
    """'GRCh37'/'GRCh38' from the tables' coordinates if decidable, else ``requested``.

    Raises GenomeBuildError for an unknown requested build, mixed-build evidence, a requested build
    that contradicts the coordinates, or when nothing decides it (telling the user to pass --genome).
    """
    wanted = normalise_build(requested)
    first: dict[str, tuple[int | None, str]] = {}
    for table in tables:
        for build, line, why in table.build_hints:
            if build == "none":
                raise GenomeBuildError(f"{why}: not GRCh37 or GRCh38 coordinates", path=path, line=line)
            first.setdefault(build, (line, why))
    if len(first) > 1:
        l37, w37 = first[GRCH37]
        l38, w38 = first[GRCH38]
        raise GenomeBuildError(
            f"mixed genome builds: {w37} (line {l37}) but {w38} (line {l38})", path=path, line=l38)
    if first:
        build, (line, why) = next(iter(first.items()))
        if wanted is not None and wanted != build:
            raise GenomeBuildError(
                f"--genome {wanted} contradicts the segment coordinates ({why}, {build})", path=path, line=line)
        return build
    if wanted is not None:
        return wanted
    by_name = filename_build(path)
    if by_name is not None:
        return by_name
    raise GenomeBuildError(
        "cannot tell GRCh37 from GRCh38 from the segment coordinates; pass --genome GRCh37 or --genome GRCh38",
        path=path)
