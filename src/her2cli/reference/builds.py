"""Genome build detection from the '##' lines of a VCF header, and the contig names ERBB2 may sit on.

Evidence, strongest first: ``##contig`` lengths of chr17/chr1 (the two builds differ), then
``##reference`` / ``##assembly`` / contig ``assembly=`` text. Disagreement between the header and
``--genome``, or within the header, is an error: a silently wrong build renames every variant.
When the header says nothing, the REF bases of the exonic records decide (``decide_build``), and most
REF bases disagreeing with the build decided means it is wrong (``check_build_by_ref``).

The functions take the header's lines (and the file name for messages), not a reader's header object,
and records only as things with a ``pos`` and a ``ref``: the reference floor sits below ``io`` and knows
nothing of how a file was read.
"""

from __future__ import annotations

import re
from functools import lru_cache

from her2cli.errors import GenomeBuildError
from her2cli.values import valueclass

CHR17_NAMES = {"17", "chr17", "NC_000017.10", "NC_000017.11"}

# Lengths from resources/contig_lengths.tsv (bedtools genome files; checked in shared/reference).
_LENGTHS = {
    ("1", 249250621): "GRCh37", ("1", 248956422): "GRCh38",
    ("17", 81195210): "GRCh37", ("17", 83257441): "GRCh38",
}

_GRCH37_WORDS = re.compile(r"grch37|hg19|b37|hs37|human_g1k_v37|ncbi37|37\.1|grch37lite|g1k_v37", re.I)
_GRCH38_WORDS = re.compile(r"grch38|hg38|hs38|assembly38|b38|gca_000001405\.15", re.I)


_BUILD_NAMES = (
    (re.compile(r"(grch37|hg19|b37|hs37d5|hs37|ncbi37|37)([._-]?p\d+)?", re.I), "GRCh37"),
    (re.compile(r"(grch38|hg38|b38|hs38|hs38dh|38)([._-]?p\d+)?", re.I), "GRCh38"),
)


def normalise_build(name: str | None) -> str | None:
    """The one build-name normaliser: 'grch38', 'hg19', 'GRCh37.p13', '37' ... -> 'GRCh37'/'GRCh38'.

    None stays None; anything else (e.g. 'hg18', 'NCBI36') is a GenomeBuildError (exit 5)."""
    if name is None:
        return None
    text = str(name).strip()
    for pattern, build in _BUILD_NAMES:
        if pattern.fullmatch(text):
            return build
    raise GenomeBuildError(f"unknown genome build {name!r} (use GRCh37 or GRCh38; hg19/hg38 are accepted)")


def builds_named_in(text: str) -> set[str]:
    """Builds named by the words of a free text (a file name, an @SQ AS tag); bare numbers do not count."""
    found = set()
    for word in re.split(r"[^a-z0-9]+", text.lower()):
        if len(word) > 2:
            for pattern, build in _BUILD_NAMES:
                if pattern.fullmatch(word):
                    found.add(build)
    return found


@valueclass(frozen=True)
class BuildEvidence:
    genome: str | None
    reason: str


def parse_structured(value: str) -> dict[str, str]:
    """Parse '<ID=x,Number=1,Description="a, b">' into a dict (quotes respected)."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if '"' not in value:  # e.g. ##contig lines: no quoted commas, a plain split is exact
        return dict(item.split("=", 1) for item in value.split(",") if "=" in item)
    out: dict[str, str] = {}
    key, buf, in_quotes, reading_key = "", [], False, True
    for ch in value + ",":
        if reading_key:
            if ch == "=":
                key, reading_key = "".join(buf).strip(), False
                buf = []
            elif ch == ",":
                buf = []
            else:
                buf.append(ch)
            continue
        if ch == '"':
            in_quotes = not in_quotes
            continue
        if ch == "," and not in_quotes:
            out[key] = "".join(buf)
            key, buf, reading_key = "", [], True
            continue
        buf.append(ch)
    return out


def header_values(lines, key: str) -> list[str]:
    """The values of the '##key=' lines, in order."""
    prefix = f"##{key}="
    return [line[len(prefix):] for line in lines if line.startswith(prefix)]


def header_contigs(lines) -> dict[str, dict[str, str]]:
    """##contig lines as {ID: {attribute: value}}, in header order."""
    found: dict[str, dict[str, str]] = {}
    for value in header_values(lines, "contig"):
        attrs = parse_structured(value)
        if "ID" in attrs:
            found[attrs["ID"]] = attrs
    return found


def build_from_header(lines, source: str) -> BuildEvidence:
    """The build the '##' lines of a header state (``source`` names the file in messages)."""
    relevant = tuple(line for line in lines if line.startswith(("##contig=", "##reference=", "##assembly=")))
    decided = _build_from_lines(relevant)
    if isinstance(decided, str):
        raise GenomeBuildError(decided, path=source)
    return decided


@lru_cache(maxsize=64)
def _build_from_lines(lines: tuple):
    """The build, or the message of a contradiction. Headers repeat across a cohort: each distinct set of
    build lines is decided once."""
    votes: dict[str, list[str]] = {"GRCh37": [], "GRCh38": []}
    contigs = header_contigs(lines)
    # chr17 first: it is the contig that matters here, so messages should cite it.
    ordered = sorted(contigs.items(), key=lambda item: item[0].lower().lstrip("chr") != "17")
    for contig_id, attrs in ordered:
        name = contig_id[3:] if contig_id.lower().startswith("chr") else contig_id
        length = attrs.get("length")
        if length and length.isdigit() and (name, int(length)) in _LENGTHS:
            votes[_LENGTHS[(name, int(length))]].append(f"##contig {contig_id} length {length}")
        assembly = attrs.get("assembly", "")
        for genome, pattern in (("GRCh37", _GRCH37_WORDS), ("GRCh38", _GRCH38_WORDS)):
            if assembly and pattern.search(assembly):
                votes[genome].append(f"##contig assembly={assembly}")
    for key in ("reference", "assembly"):
        for value in header_values(lines, key):
            for genome, pattern in (("GRCh37", _GRCH37_WORDS), ("GRCh38", _GRCH38_WORDS)):
                if pattern.search(value):
                    votes[genome].append(f"##{key}={value}")
    # Contig lengths are facts; file names in ##reference are hints. Lengths decide when present.
    length_votes = {g: [v for v in vs if "length" in v] for g, vs in votes.items()}
    for pool in (length_votes, votes):
        found = [g for g, vs in pool.items() if vs]
        if len(found) == 1:
            return BuildEvidence(found[0], pool[found[0]][0])
        if len(found) == 2:
            return (f"the header contradicts itself about the genome build ({pool['GRCh37'][0]} says GRCh37, "
                    f"{pool['GRCh38'][0]} says GRCh38)")
    return BuildEvidence(None, "no build information in the header")


def resolve_build(lines, source: str, requested: str | None) -> BuildEvidence:
    """Build from ``--genome`` and the header's '##' lines; a contradiction between them is an error."""
    from_header = build_from_header(lines, source)
    if requested is None:
        return from_header
    if from_header.genome is not None and from_header.genome != requested:
        raise GenomeBuildError(
            f"--genome {requested} contradicts the header ({from_header.reason} means {from_header.genome})",
            path=source,
        )
    return BuildEvidence(requested, "--genome")


@valueclass
class BuildDecision:
    genome: str | None
    basis: str  # how it was decided, as the results say it
    records: list  # the records in that build's ERBB2 window (all of them when no build was decided)
    notices: list[str]


def decide_build(lines, records: list, source: str, requested: str | None, transcript,
                 windows: dict[str, tuple[int, int]]) -> BuildDecision:
    """The build of a VCF and its records in that build's ERBB2 window (``windows``: build -> (start, end)).
    The header (or ``--genome``) first, else the REF bases of exonic records (``transcript`` knows the exonic
    bases of each build); neither with records is an error (exit 5)."""
    evidence = resolve_build(lines, source, requested)
    genome = evidence.genome
    basis = "given with --genome" if evidence.reason == "--genome" else f"from the VCF header ({evidence.reason})"
    notices: list[str] = []
    if genome is None:
        genome = _build_from_ref_bases(records, transcript)
        if genome is not None:
            basis = "not stated in the VCF header; the REF bases match it"
            notices.append(f"{source}: genome build not stated in the header; REF bases match {genome}")
    if genome is not None:
        start, end = windows[genome]
        records = [r for r in records if r.pos <= end and r.pos + len(r.ref) - 1 >= start]
    elif records:
        raise GenomeBuildError(
            "cannot tell the genome build (no ##contig lengths or ##reference, and no exonic ERBB2 record to "
            "check REF bases against): pass --genome GRCh37 or --genome GRCh38", path=source,
        )
    return BuildDecision(genome, basis, records, notices)


def _build_from_ref_bases(records, transcript) -> str | None:
    """The one build whose exonic bases every exonic REF base checked matches, else None."""
    good = []
    for genome in transcript.builds:
        checked = agree = 0
        for record in records:
            for i, base in enumerate(record.ref.upper()):
                known = transcript.exonic_base(genome, record.pos + i)
                if known is not None:
                    checked += 1
                    agree += known == base
        if checked and agree == checked:
            good.append(genome)
    return good[0] if len(good) == 1 else None


def check_build_by_ref(records, sequence, genome: str, source: str) -> None:
    """Most REF bases disagreeing with ``sequence`` (the bases of ``genome``) means the build is wrong, not the
    records: GenomeBuildError (exit 5)."""
    checked = disagree = 0
    for record in records:
        known = wrong = False
        for i, base in enumerate(record.ref.upper()):
            expected = sequence.base(record.pos + i)
            if expected is not None:
                known = True
                wrong = wrong or expected != base
        if known:
            checked += 1
            disagree += wrong
    if checked >= 2 and disagree * 2 > checked:
        raise GenomeBuildError(
            f"REF bases of {disagree} of {checked} ERBB2 records do not match {genome}: wrong build? "
            "(check --genome and the file's header)", path=source,
        )
