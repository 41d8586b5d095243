"""Per-sample read evidence (depth, alt depth, VAF, genotype) by each caller's conventions, and which of a
VCF's columns are the tumour and the matched normal.

``SampleColumns.choose`` picks the columns from the header; ``AlleleReader.alleles`` takes one parsed
record and gives each reported ALT allele with what the record says of it (tumour and normal reads, the
caller's stated origin, INFO/FORMAT values asked for), counting the alleles left out (symbolic, failed
FILTER, not carried by the tumour) so that the caller can say how many and why. Below that, the
functions take raw VCF text already split: the FORMAT keys, one sample's values, REF/ALT as written and
INFO as a dict. Nothing here parses whole files or prints.

Conventions (first match wins, see ``sample_evidence``):

* ``ion_torrent_FAO_FDP``  Ion Torrent TVC: flow-corrected FAO/FDP (FORMAT, INFO fallback).
  Checked first because TVC also writes raw AO/RO, which are not what Ion Reporter reports.
* ``varscan_RD_AD``        VarScan2: AD is Number=1 (alt only), RD = ref, FREQ = "48.7%".
* ``vardict_VD_AF``        VarDict/VarDictJava: VD alt depth, AF, DP.
* ``pcgr_ADT_DPT``         PCGR input: ADT "ref,alt" (String), DPT (INFO TVAF/TDP fallback).
* ``freebayes_AO_RO``      FreeBayes: AO (Number=A), RO, DP.
* ``AD`` / ``AD+AF`` / ``mutect1_FA`` / ``deepvariant_VAF`` / ``pisces_VF``
                           GATK-style AD (ref first), with the caller's own per-ALT fraction
                           when there is one.
* ``strelka_indel``        Strelka TAR/TIR tier 1.
* ``strelka_snv``          Strelka {REF}U/{ALT}U tier 1.
* ``dp4`` / ``sniper_BCOUNT`` SomaticSniper per-sample DP4, BCOUNT (A,C,G,T) fallback.
* ``AF`` (or ``mutect1_FA``, ...) a caller fraction with no usable counts beside it.
* INFO-only (``site_evidence``): Ion INFO FAO/FDP, ``pcgr_TVAF_TDP``, ``dp4`` (bcftools),
  ``info_AF_DP`` (e.g. LoFreq-style INFO AF), ``dp_only``.
* ``dp_only`` (depth but no allele counts, e.g. gVCF reference blocks), ``gt_only``, ``none``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import field, replace
from typing import Callable, Optional

from her2cli.errors import MalformedInputError
from her2cli.values import valueclass

__all__ = [
    "AlleleReader",
    "SampleColumns",
    "SampleEvidence",
    "HeaderFormats",
    "header_formats",
    "choose_normal_sample",
    "choose_tumour_sample",
    "sample_evidence",
    "site_evidence",
    "stated_origin",
]


@valueclass(frozen=True)
class SampleEvidence:
    depth: Optional[int]  # total read depth at the site for this sample
    alt_depth: Optional[int]  # reads supporting this ALT
    vaf: Optional[float]  # alt allele fraction (0..1), rounded to 4 decimals
    genotype: Optional[str]  # GT as written (e.g. "0/1"), None if absent
    convention: str  # which convention was used (see module docstring)
    # Reads supporting REF only (not other ALTs); None when the caller gives none. Left out of ==, so the
    # per-convention depth/alt/VAF checks stay as they are.
    ref_depth: Optional[int] = field(default=None, compare=False)


@valueclass(frozen=True)
class HeaderFormats:
    format_numbers: dict[str, str]  # FORMAT ID -> Number as declared ('R', 'A', '1', '.', ...)
    info_numbers: dict[str, str]
    tumour_sample_hint: Optional[str]  # value of ##tumor_sample= if present
    normal_sample_hint: Optional[str]  # value of ##normal_sample= if present
    # ##SAMPLE=<ID=..,Description=..> (RADIA, SomaticSniper): ID -> Description ('' if none)
    sample_descriptions: dict[str, str] = field(default_factory=dict)
    # other simple "##key=value" lines, first value per key (e.g. sageVersion, source)
    meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_header_lines(cls, lines: list[str]) -> "HeaderFormats":
        format_numbers: dict[str, str] = {}
        info_numbers: dict[str, str] = {}
        samples: dict[str, str] = {}
        meta: dict[str, str] = {}
        tumour: Optional[str] = None
        normal: Optional[str] = None
        for raw in lines:
            line = raw.rstrip("\r\n")
            if not line.startswith("##") or "=" not in line:
                continue
            key, _, value = line[2:].partition("=")
            key = key.strip()
            if value.startswith("<") and value.endswith(">"):
                body = value[1:-1]
                # drop quoted Description first: it may contain ",Number=" or '>' text
                described = _DESCRIPTION_RE.search(body)
                bare = _DESCRIPTION_RE.sub("", body)
                ident = _attr(bare, "ID")
                if ident is None:
                    continue
                if key in ("FORMAT", "INFO"):
                    number = _attr(bare, "Number")
                    target = format_numbers if key == "FORMAT" else info_numbers
                    if number is not None and ident not in target:
                        target[ident] = number
                elif key == "SAMPLE":
                    samples.setdefault(ident, described.group(1) if described else "")
                continue
            value = value.strip()
            if key == "tumor_sample" and tumour is None and value:
                tumour = value
            elif key == "normal_sample" and normal is None and value:
                normal = value
            else:
                meta.setdefault(key, value)
        return cls(
            format_numbers=format_numbers,
            info_numbers=info_numbers,
            tumour_sample_hint=tumour,
            normal_sample_hint=normal,
            sample_descriptions=samples,
            meta=meta,
        )


_DESCRIPTION_RE = re.compile(r'Description="((?:[^"\\]|\\.)*)"')


_ATTR_RES: dict = {}


def _attr(body: str, name: str) -> Optional[str]:
    pattern = _ATTR_RES.get(name)
    if pattern is None:
        pattern = _ATTR_RES[name] = re.compile(r"(?:^|,)\s*" + name + r"=([^,]*)")
    match = pattern.search(body)
    return match.group(1).strip() if match else None


# --------------------------------------------------------------------------- tumour column

_TCGA_RE = re.compile(r"^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}-(\d{2})", re.IGNORECASE)
_NORMAL_WORDS = {"normal", "germline", "blood", "match", "matched", "control", "ref", "reference"}
# PURPLE germline annotation fields: their presence means a germline SAGE file, whose columns
# are not in the somatic "reference, tumour" order (the fixture has tumor_sample first).
_SAGE_GERMLINE_INFO = ("GND_FREQ", "CLNSIG", "CLNSIGCONF")


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[_\-.\s]+", name.lower()) if t]


def _looks_tumour(name: str, description: str) -> bool:
    lowered = name.lower()
    if "tumor" in lowered or "tumour" in lowered or "tumor" in description.lower():
        return True
    toks = _tokens(name)
    if len(toks) > 1 and re.fullmatch(r"t\d?", toks[-1]):  # sample_T, S1-T, x.T1
        return True
    if re.search(r"(?<=[0-9a-z])T\d?$", name):  # HCC1395T, COLO829v003T (HMF), PatientT1
        return True
    tcga = _TCGA_RE.match(name)
    return bool(tcga and 1 <= int(tcga.group(1)) <= 9)  # TCGA sample types 01-09 = tumour


def _looks_normal(name: str, description: str) -> bool:
    lowered = name.lower()
    if "normal" in lowered or "germline" in lowered or "normal" in description.lower():
        return True
    toks = _tokens(name)
    if any(t in _NORMAL_WORDS for t in toks):  # abc-match (VarDictJava), ref_sample (SAGE)
        return True
    if len(toks) > 1 and re.fullmatch(r"[nrb]\d?", toks[-1]):  # sample_N, x-R
        return True
    if re.search(r"(?<=[0-9a-z])[NR]\d?$", name):  # HCC1395N, COLO829v003R (HMF reference)
        return True
    tcga = _TCGA_RE.match(name)
    return bool(tcga and 10 <= int(tcga.group(1)) <= 19)


def _is_rna(name: str, description: str) -> bool:
    return "rna" in name.lower() or "rna" in description.lower()


def sample_listing(samples: list[str], shown: int = 5) -> str:
    """The samples for a one-line message: all of a few; the first ``shown`` and the count of a many-sample VCF
    (a 5,000-sample cohort VCF would otherwise make one 34 KB line)."""
    if len(samples) <= shown + 1:
        return ", ".join(samples)
    return f"{', '.join(samples[:shown])} and {len(samples) - shown:,} more ({len(samples):,} samples)"


def choose_tumour_sample(
    samples: list[str], header: HeaderFormats, requested: Optional[str], path: str
) -> Optional[int]:
    """Index of the tumour sample column; None when the file has no sample columns."""
    listing = sample_listing(samples)
    if requested is not None:
        if requested in samples:
            return samples.index(requested)
        if not samples:
            raise MalformedInputError(
                f"--sample {requested!r} requested but the file has no sample columns", path=path
            )
        folded = [i for i, s in enumerate(samples) if s.lower() == requested.lower()]
        if len(folded) == 1:
            return folded[0]
        raise MalformedInputError(
            f"--sample {requested!r} is not a sample in this file; samples: {listing}", path=path
        )
    if not samples:
        return None
    hint = header.tumour_sample_hint
    if hint is not None and hint in samples:
        return samples.index(hint)
    if len(samples) == 1:
        return 0

    def desc(name: str) -> str:
        return header.sample_descriptions.get(name, "")

    normal = {
        i
        for i, s in enumerate(samples)
        if _looks_normal(s, desc(s)) or s == header.normal_sample_hint
    }
    tumour = [i for i, s in enumerate(samples) if i not in normal and _looks_tumour(s, desc(s))]
    # RADIA: DNA normal, DNA tumour, RNA tumour -> the DNA tumour
    dna_tumour = [i for i in tumour if not _is_rna(samples[i], desc(samples[i]))]
    for group in (dna_tumour, tumour):
        if len(group) == 1:
            return group[0]
    rest = [i for i in range(len(samples)) if i not in normal]
    dna_rest = [i for i in rest if not _is_rna(samples[i], desc(samples[i]))]
    for group in (dna_rest, rest):
        if len(group) == 1:
            return group[0]
    # HMF SAGE somatic writes the reference column(s) first and the tumour last.
    if (
        "sageVersion" in header.meta
        and len(samples) == 2
        and not any(k in header.info_numbers for k in _SAGE_GERMLINE_INFO)
    ):
        return len(samples) - 1
    raise MalformedInputError(
        f"cannot tell which sample is the tumour; use --sample with one of: {listing}", path=path
    )


def choose_normal_sample(
    samples: list[str],
    header_lines: list[str],
    tumour_index: Optional[int],
    requested: Optional[str],
    source: str,
) -> Optional[int]:
    """Index of the matched-normal sample column, or None for a tumour-only file.

    In order: ``--normal NAME`` (an error if it is not a sample in the file or is the tumour), the
    ``##normal_sample=`` header line, the other column of a two-sample file, the one DNA column of a larger
    file whose name or ##SAMPLE description says normal. Nothing else is guessed.
    """
    listing = sample_listing(samples)
    if requested is not None:
        matches = [i for i, s in enumerate(samples) if s == requested]
        if not matches:
            matches = [i for i, s in enumerate(samples) if s.lower() == requested.lower()]
        if len(matches) != 1:
            where = f"samples: {listing}" if samples else "the file has no sample columns"
            raise MalformedInputError(f"--normal {requested!r} is not a sample in this file; {where}", path=source)
        if matches[0] == tumour_index:
            raise MalformedInputError(
                f"--normal {requested!r} is the tumour sample; name the matched normal (samples: {listing})",
                path=source,
            )
        return matches[0]
    if tumour_index is None or len(samples) < 2:
        return None
    header = HeaderFormats.from_header_lines(header_lines)
    hint = header.normal_sample_hint
    if hint is not None and hint in samples and samples.index(hint) != tumour_index:
        return samples.index(hint)
    others = [i for i in range(len(samples)) if i != tumour_index]
    if len(others) == 1:
        return others[0]

    def desc(name: str) -> str:
        return header.sample_descriptions.get(name, "")

    normal_dna = [
        i for i in others if _looks_normal(samples[i], desc(samples[i])) and not _is_rna(samples[i], desc(samples[i]))
    ]
    return normal_dna[0] if len(normal_dna) == 1 else None


# --------------------------------------------------------------------------- value parsing

_MISSING = ("", ".")


def _as_int(text: Optional[str]) -> Optional[int]:
    """Non-negative integer, or None for missing/odd values ('.', '', 'abc', '-1', '3.5')."""
    if text is None:
        return None
    text = text.strip()
    digits = text[1:] if text[:1] == "+" else text
    if digits.isdigit() and digits.isascii():
        return int(digits)
    value = parse_float(text)  # some tools write counts as "12.0"
    if value is not None and value >= 0 and value == int(value):
        return int(value)
    return None


def parse_float(text: Optional[str]) -> Optional[float]:
    """A finite number, or None for a missing ('', '.'), non-numeric, NaN or infinite value."""
    if text is None:
        return None
    text = text.strip()
    if text in _MISSING:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _as_fraction(text: Optional[str]) -> Optional[float]:
    """A fraction 0..1; accepts VarScan's '48.7%'."""
    if text is None:
        return None
    text = text.strip()
    if text.endswith("%"):
        pct = parse_float(text[:-1])
        return None if pct is None else pct / 100.0
    return parse_float(text)


# The parsers of comma lists are memoised on the text: every ALT of a record parses the same AD/AO/AF
# string, and re-parsing it per ALT made a record with 100,000 ALTs quadratic (63 s, issue #11).
# A str caches its hash and the lookup matches by identity, so a hit costs O(1).
@functools.lru_cache(maxsize=64)
def _items(text: Optional[str]) -> tuple[str, ...]:
    """Comma list; a wholly missing value gives ()."""
    if text is None or text.strip() in _MISSING:
        return ()
    return tuple(text.split(","))


@functools.lru_cache(maxsize=64)
def _parsed_ints(text: Optional[str]) -> tuple[tuple[Optional[int], ...], Optional[int]]:
    values = tuple(_as_int(x) for x in _items(text))
    return values, _sum(values)


def _ints(text: Optional[str]) -> tuple[Optional[int], ...]:
    return _parsed_ints(text)[0]


def _ints_total(text: Optional[str]) -> Optional[int]:
    """_sum(_ints(text)), memoised with it."""
    return _parsed_ints(text)[1]


def _ratio(num: Optional[int], den: Optional[int]) -> Optional[float]:
    if num is None or den is None or den <= 0:
        return None
    return _clean_vaf(num / den)


def _clean_vaf(value: Optional[float]) -> Optional[float]:
    # An "allele fraction" outside 0..1 is corrupt data; report it as unknown, never clamp.
    if value is None or not (0.0 <= value <= 1.0):
        return None
    return round(value, 4)


def _sum(values) -> Optional[int]:
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _depth(stated: Optional[int], counted: Optional[int]) -> Optional[int]:
    """Stated DP, but never below the reads the caller itself counted per allele.

    Same sanity rule as vcf2maf ("AD of alleles exceed DP. Setting DP to sum of allele
    depths"); seen in MuTect1 and merged TCGA files where DP < sum(AD).
    """
    if stated is None:
        return counted
    if counted is not None and counted > stated:
        return counted
    return stated


def _real_alts(alts: list[str]) -> list[str]:
    # A lone '.' ALT (Pisces genome VCF reference sites) means no ALT allele at all.
    return [] if alts in ([], ["."]) else alts  # not copied: per ALT, a copy is O(n_alts)


_PLACEHOLDER_ALTS = ("<*>", "<NON_REF>", "<X>")


def _informative_alts(alts: list[str]) -> list[str]:
    """ALTs that can carry reads: gVCF/mpileup placeholders carry none by definition."""
    return [a for a in alts if a not in _PLACEHOLDER_ALTS]


def _per_alt(
    text: Optional[str], number: Optional[str], n_alts: int, alt_index: int
) -> Optional[str]:
    """The value for this ALT from a per-ALT field, or None when the layout is not per-ALT.

    Number=A, or an undeclared/'.' field with exactly one value per ALT, or Number=1 on a
    single-ALT record. Number=R-shaped lists (RADIA's AF: ref first) are *not* per-ALT.
    """
    values = _items(text)
    if n_alts == 0 or alt_index >= n_alts or not values:
        return None
    if number in (None, ".", "A") and len(values) == n_alts:
        return values[alt_index]
    if number == "1" and n_alts == 1 and len(values) == 1:
        return values[0]
    return None


# --------------------------------------------------------------------------- conventions


@valueclass(frozen=True)
class _Record:
    """What every convention needs about one allele of one record."""

    fmt: dict[str, str]
    ref: str
    alts: list[str]  # real ALTs ('.' removed)
    alt_index: int
    info: dict[str, str]
    header: HeaderFormats

    @property
    def n_alts(self) -> int:
        return len(self.alts)

    @property
    def alt(self) -> Optional[str]:
        return self.alts[self.alt_index] if 0 <= self.alt_index < self.n_alts else None

    def fmt_int(self, key: str) -> Optional[int]:
        return _as_int(self.fmt.get(key))

    def has(self, *keys: str) -> bool:
        return all(k in self.fmt for k in keys)


def _evidence(depth, alt_depth, vaf, genotype, convention) -> SampleEvidence:
    return SampleEvidence(
        depth=depth, alt_depth=alt_depth, vaf=_clean_vaf(vaf), genotype=genotype,
        convention=convention,
    )


def _ion_torrent(rec: _Record, source: dict[str, str], numbers: dict[str, str]):
    if "FAO" not in source or "FDP" not in source:
        return None
    depth = _as_int(source.get("FDP"))
    alt = _as_int(_per_alt(source.get("FAO"), numbers.get("FAO", "A"), rec.n_alts, rec.alt_index))
    if depth is None and alt is None:
        return None
    # VAF = FAO/FDP: the flow-corrected fraction Ion Reporter shows (FORMAT/INFO AF is the same).
    return depth, alt, _ratio(alt, depth), "ion_torrent_FAO_FDP"


def _fmt_ion(rec: _Record):
    got = _ion_torrent(rec, rec.fmt, rec.header.format_numbers)
    if got is None and "FAO" in rec.fmt:
        # FORMAT declared but empty: fall back to INFO (single-sample TVC files)
        got = _ion_torrent(rec, rec.info, rec.header.info_numbers)
    return got


def _fmt_varscan(rec: _Record):
    if not rec.has("RD", "AD"):
        return None
    ad = _items(rec.fmt.get("AD"))
    declared_one = rec.header.format_numbers.get("AD") == "1"
    # VarScan's AD is alt-only (Number=1). Pindel's VarScan-style lines leave AD/RD/FREQ
    # undeclared, so a single-valued AD next to RD+FREQ counts too. VarDict's RD is
    # "ref fwd,rev" next to an R-type AD, which this excludes.
    if len(ad) > 1 or not (declared_one or "FREQ" in rec.fmt):
        return None
    ref = rec.fmt_int("RD")
    alt = _as_int(ad[0]) if ad and rec.n_alts == 1 else None
    depth = _depth(rec.fmt_int("DP"), _sum([ref, alt]))
    # Compute reads2/(reads1+reads2) like VarScan's FREQ, but unrounded; FREQ as fallback.
    vaf = _ratio(alt, _sum([ref, alt]))
    if vaf is None and rec.n_alts == 1:
        vaf = _as_fraction(rec.fmt.get("FREQ"))
    if depth is None and alt is None and vaf is None:
        return None
    return depth, alt, vaf, "varscan_RD_AD"


def _fmt_vardict(rec: _Record):
    if "VD" not in rec.fmt or rec.n_alts != 1:  # VarDict writes one ALT per record
        return None
    alt = rec.fmt_int("VD")
    depth = rec.fmt_int("DP")
    if alt is None and depth is None:
        return None
    af = _per_alt(rec.fmt.get("AF"), rec.header.format_numbers.get("AF"), rec.n_alts, rec.alt_index)
    vaf = _as_fraction(af)  # VarDict's AF is VD/DP, rounded to 4 places by VarDict
    if vaf is None:
        vaf = _ratio(alt, depth)
    return _depth(depth, alt), alt, vaf, "vardict_VD_AF"


def _fmt_pcgr(rec: _Record):
    if "ADT" not in rec.fmt and "DPT" not in rec.fmt:
        return None
    counts = _ints(rec.fmt.get("ADT"))  # String-typed "ref,alt"
    alt = counts[1 + rec.alt_index] if len(counts) == rec.n_alts + 1 and rec.alt else None
    depth = _depth(rec.fmt_int("DPT"), _ints_total(rec.fmt.get("ADT")) if len(counts) == rec.n_alts + 1 else None)
    if alt is None and depth is None:
        return None
    vaf = _ratio(alt, depth)
    if vaf is None:
        vaf = _as_fraction(_per_alt(rec.info.get("TVAF"), None, rec.n_alts, rec.alt_index))
    return depth, alt, vaf, "pcgr_ADT_DPT"


def _fmt_freebayes(rec: _Record):
    if not rec.has("AO", "RO"):
        return None
    ref = rec.fmt_int("RO")
    alt_counts = _ints(rec.fmt.get("AO"))
    alt = alt_counts[rec.alt_index] if len(alt_counts) == rec.n_alts and rec.alt else None
    alt_total = [_ints_total(rec.fmt.get("AO"))] if alt_counts else []
    counted = _sum([ref] + alt_total) if len(alt_counts) == rec.n_alts else None
    depth = _depth(rec.fmt_int("DP"), counted)
    if depth is None and alt is None:
        return None
    return depth, alt, _ratio(alt, depth), "freebayes_AO_RO"


# Caller's own per-ALT fraction, by preference, and the convention it names.
_FRACTION_KEYS = (
    ("VAF", "deepvariant_VAF"),
    ("VF", "pisces_VF"),
    ("FA", "mutect1_FA"),
    ("AF", "AD+AF"),
)


def _fmt_ad(rec: _Record):
    if "AD" not in rec.fmt:
        return None
    counts = _ints(rec.fmt.get("AD"))
    number = rec.header.format_numbers.get("AD")
    alt: Optional[int] = None
    counted: Optional[int] = None
    if len(counts) == rec.n_alts + 1 and number != "1":
        # Number=R (GATK, SAGE, DeepVariant) or '.' (MuSE, RADIA, Isaac, Pisces): ref first
        alt = counts[1 + rec.alt_index] if rec.alt else None
        counted = _ints_total(rec.fmt.get("AD"))
    elif number == "1" and len(counts) == 1 and rec.n_alts == 1:
        alt = counts[0]  # declared alt-only AD without RD (vcf2maf does the same)
    # else: AD does not fit the alleles (e.g. bcbio test "AD=13" for C>T) -> unusable

    if alt is None:
        return None  # let other counts (BCOUNT, DP4, ...) or the fraction-only fallback speak
    # Mutect2 users expect the AF Mutect2 prints (IGV, Funcotator, MultiQC all show it): it is
    # the caller's estimate from read likelihoods, so it is preferred over AD_alt/DP. Same for
    # DeepVariant VAF, Pisces VF, MuTect1 FA, SAGE/VarDictJava AF (alt/DP in those callers).
    vaf, convention = _caller_fraction(rec)
    depth = _depth(_stated_depth(rec), counted)
    if vaf is None:
        vaf, convention = _ratio(alt, depth), "AD"
    return depth, alt, vaf, convention


def _stated_depth(rec: _Record) -> Optional[int]:
    stated = rec.fmt_int("DP")
    return stated if stated is not None else rec.fmt_int("DPI")  # Isaac indels: DPI, no DP


def _caller_fraction(rec: _Record) -> tuple[Optional[float], str]:
    """The caller's own per-ALT fraction and its convention name, or (None, '')."""
    for key, name in _FRACTION_KEYS:
        if key in rec.fmt:
            value = _clean_vaf(_as_fraction(
                _per_alt(rec.fmt.get(key), rec.header.format_numbers.get(key), rec.n_alts, rec.alt_index)
            ))  # an out-of-range fraction is ignored, so the counts decide instead
            if value is not None:
                return value, name
    return None, ""


def _fmt_fraction_only(rec: _Record):
    """No usable counts, but the caller wrote its fraction (e.g. AD '.' next to AF)."""
    vaf, name = _caller_fraction(rec)
    if vaf is None:
        return None
    return _stated_depth(rec), None, vaf, "AF" if name == "AD+AF" else name


def _tier1(text: Optional[str]) -> Optional[int]:
    items = _items(text)
    return _as_int(items[0]) if items else None


def _fmt_strelka_indel(rec: _Record):
    if not rec.has("TAR", "TIR"):
        return None
    ref = _tier1(rec.fmt.get("TAR"))
    # Strelka indel records carry one ALT; TIR counts reads for that indel.
    alt = _tier1(rec.fmt.get("TIR")) if rec.n_alts == 1 else None
    depth = rec.fmt_int("DP")
    if ref is None and alt is None and depth is None:
        return None
    # Strelka's documented recipe: tier1 TIR / (TAR + TIR), not /DP
    return _depth(depth, _sum([ref, alt])), alt, _ratio(alt, _sum([ref, alt])), "strelka_indel"


def _fmt_strelka_snv(rec: _Record):
    ref_key = rec.ref.upper() + "U"
    alt_key = (rec.alt or "").upper() + "U"
    if not (len(ref_key) == 2 and ref_key in ("AU", "CU", "GU", "TU") and rec.has(ref_key)):
        return None
    ref = _tier1(rec.fmt.get(ref_key))
    alt = _tier1(rec.fmt.get(alt_key)) if alt_key in ("AU", "CU", "GU", "TU") else None
    depth = rec.fmt_int("DP")
    if ref is None and alt is None and depth is None:
        return None
    # Strelka's documented recipe: {ALT}U[0] / ({REF}U[0] + {ALT}U[0]); depth = DP (tier1)
    return _depth(depth, _sum([ref, alt])), alt, _ratio(alt, _sum([ref, alt])), "strelka_snv"


def _dp4_counts(text: Optional[str]) -> Optional[tuple[int, int]]:
    values = _ints(text)
    if len(values) != 4 or any(v is None for v in values):
        return None
    rf, rr, af, ar = values  # ref-fwd, ref-rev, alt-fwd, alt-rev
    return rf + rr, af + ar  # type: ignore[operator]


def _dp4_alt(rec: _Record, alt_total: int) -> Optional[int]:
    # DP4's alt pair pools every non-ref base: only attributable to one ALT when there is one.
    informative = _informative_alts(rec.alts)
    return alt_total if rec.alt in informative and len(informative) == 1 else None


def _fmt_dp4(rec: _Record):
    counts = _dp4_counts(rec.fmt.get("DP4"))
    if counts is not None:
        ref, alt_total = counts
        alt = _dp4_alt(rec, alt_total)
        depth = _depth(rec.fmt_int("DP"), ref + alt_total)
        # DP4 counts high-quality bases only: VAF from DP4 itself, as bcftools users do
        return depth, alt, _ratio(alt, ref + alt_total) if alt is not None else None, "dp4"
    bcount = _ints(rec.fmt.get("BCOUNT"))  # SomaticSniper: counts of A,C,G,T
    if len(bcount) == 4 and rec.alt is not None:
        base_index = {"A": 0, "C": 1, "G": 2, "T": 3}
        alt = bcount[base_index[rec.alt.upper()]] if rec.alt.upper() in base_index else None
        depth = _depth(rec.fmt_int("DP"), _sum(bcount))
        if alt is None and depth is None:
            return None
        return depth, alt, _ratio(alt, depth), "sniper_BCOUNT"
    return None


_FORMAT_CONVENTIONS: tuple[Callable[[_Record], Optional[tuple]], ...] = (
    _fmt_ion,
    _fmt_varscan,
    _fmt_vardict,
    _fmt_pcgr,
    _fmt_freebayes,
    _fmt_ad,
    _fmt_strelka_indel,
    _fmt_strelka_snv,
    _fmt_dp4,
    _fmt_fraction_only,
)


def _site(rec: _Record):
    """INFO-only evidence as (depth, alt, vaf, convention), or None."""
    info, numbers = rec.info, rec.header.info_numbers
    got = _ion_torrent(rec, info, numbers)
    if got is not None:
        return got
    if "TVAF" in info or "TDP" in info:  # PCGR input, tumour-only INFO
        vaf = _as_fraction(_per_alt(info.get("TVAF"), None, rec.n_alts, rec.alt_index))
        depth = _as_int(info.get("TDP"))
        if vaf is not None or depth is not None:
            return depth, None, vaf, "pcgr_TVAF_TDP"
    counts = _dp4_counts(info.get("DP4"))
    if counts is not None:  # bcftools / samtools / LoFreq
        ref, alt_total = counts
        alt = _dp4_alt(rec, alt_total)
        depth = _depth(_as_int(info.get("DP")), ref + alt_total)
        return depth, alt, _ratio(alt, ref + alt_total) if alt is not None else None, "dp4"
    # INFO AF is a read fraction only in sites-only somatic output; with AC/AN it is the
    # genotype-derived population frequency (GATK, FreeBayes), which is not a VAF.
    if "AF" in info and not ("AC" in info and "AN" in info):
        vaf = _as_fraction(_per_alt(info.get("AF"), numbers.get("AF"), rec.n_alts, rec.alt_index))
        if vaf is not None:
            return _as_int(info.get("DP")), None, vaf, "info_AF_DP"
    depth = _as_int(info.get("DP"))
    if depth is not None:
        return depth, None, None, "dp_only"
    return None


def _make_record(format_keys, sample_values, ref, alts, alt_index, info, header) -> _Record:
    values = list(sample_values) + ["."] * max(0, len(format_keys) - len(sample_values))
    fmt = {k: v for k, v in zip(format_keys, values) if k}
    return _Record(
        fmt=fmt, ref=ref, alts=_real_alts(alts), alt_index=alt_index,
        info=dict(info or {}), header=header,
    )


def sample_evidence(
    format_keys: list[str],
    sample_values: list[str],
    ref: str,
    alts: list[str],
    alt_index: int,
    info: dict[str, str],
    header: HeaderFormats,
) -> SampleEvidence:
    """Depth, alt depth, VAF and GT of one sample for ALT ``alt_index``.

    ``sample_values`` may be shorter than ``format_keys`` (trailing fields dropped).
    Odd or missing values give None for that field; this never raises on data.
    """
    rec = _make_record(format_keys, sample_values, ref, alts, alt_index, info, header)
    gt = rec.fmt.get("GT")
    genotype = gt if gt not in (None, "", ".") else None
    for convention in _FORMAT_CONVENTIONS:
        got = convention(rec)
        if got is not None:
            return replace(_evidence(got[0], got[1], got[2], genotype, got[3]), ref_depth=_ref_reads(rec, got[3]))
    # No allele counts in FORMAT: INFO may carry them (single-sample bcftools DP4, TVC, PCGR).
    site = _site(rec)
    if site is not None and site[3] != "dp_only":
        return _evidence(site[0], site[1], site[2], genotype, site[3])
    depth = rec.fmt_int("DP")
    if depth is not None:  # e.g. gVCF reference blocks: GT:DP:GQ:MIN_DP:PL
        return _evidence(depth, None, None, genotype, "dp_only")
    if genotype is not None:
        return _evidence(None, None, None, genotype, "gt_only")
    return _evidence(None, None, None, None, "none")


def _ref_reads(rec: _Record, convention: str) -> Optional[int]:
    """Reads for the REF allele alone, from the same caller field family that gave the alt reads
    (MAF's t_ref_count must not count other ALTs' reads as reference)."""
    if convention == "varscan_RD_AD":
        return rec.fmt_int("RD")
    if convention == "freebayes_AO_RO":
        return rec.fmt_int("RO")
    if convention == "strelka_indel":
        return _tier1(rec.fmt.get("TAR"))
    if convention == "strelka_snv":
        return _tier1(rec.fmt.get(rec.ref.upper() + "U"))
    if convention == "ion_torrent_FAO_FDP":
        return rec.fmt_int("FRO")
    counts = _ints(rec.fmt.get("AD"))
    if len(counts) == rec.n_alts + 1 and rec.header.format_numbers.get("AD") != "1":
        return counts[0]  # Number=R AD (GATK, SAGE, DeepVariant, VarDict): REF first
    return None


def site_evidence(
    ref: str, alts: list[str], alt_index: int, info: dict[str, str], header: HeaderFormats
) -> SampleEvidence:
    """INFO-only evidence for files without sample columns (Ion INFO FAO/FDP, DP4, AF/DP)."""
    rec = _make_record([], [], ref, alts, alt_index, info, header)
    site = _site(rec)
    if site is None:
        return _evidence(None, None, None, None, "none")
    return _evidence(site[0], site[1], site[2], None, site[3])


# The somatic-status codes VarScan2 (INFO/SS) and SomaticSniper/TCGA VCFs (FORMAT/SS) write, as their
# headers spell them: "0=Reference,1=Germline,2=Somatic,3=LOH, or 5=Unknown".
_SS_CODES = {"1": "germline", "2": "somatic", "3": "germline"}  # LOH: a germline variant, other allele lost
# VarDict's INFO/STATUS (paired mode): the somatic calls and the germline ones (LOH = germline, allele lost).
_VARDICT_STATUS = {"StrongSomatic": "somatic", "LikelySomatic": "somatic", "Germline": "germline",
                   "StrongLOH": "germline", "LikelyLOH": "germline"}


def stated_origin(info: dict[str, str], format_keys: list[str],
                  tumour_values: Optional[list[str]]) -> Optional[tuple[str, str]]:
    """(origin, what says so) when the caller states this record's somatic status, else None: the VCF
    specification's reserved INFO/SOMATIC flag (Strelka, VarScan2, MuSE, Manta...), VarScan2's INFO/SS,
    the tumour column's FORMAT/SS (SomaticSniper, TCGA VCFs), VarDict's INFO/STATUS."""
    if "SOMATIC" in info:
        return "somatic", "the caller's INFO/SOMATIC flag"
    code = info.get("SS")
    if code in _SS_CODES:
        return _SS_CODES[code], f"the caller's INFO/SS={code}"
    if tumour_values is not None and "SS" in format_keys:
        i = format_keys.index("SS")
        code = tumour_values[i] if i < len(tumour_values) else None
        if code in _SS_CODES:
            return _SS_CODES[code], f"the tumour's FORMAT/SS={code}"
    status = info.get("STATUS")
    if status in _VARDICT_STATUS:
        return _VARDICT_STATUS[status], f"the caller's INFO/STATUS={status}"
    return None


@functools.lru_cache(maxsize=64)
def header_formats(lines: tuple) -> HeaderFormats:
    """``HeaderFormats`` of a header's lines. Headers repeat across a cohort's files (one pipeline wrote
    them): each distinct one is parsed once."""
    return HeaderFormats.from_header_lines(list(lines))


@valueclass
class SampleColumns:
    """Which VCF columns are the tumour and the matched normal, and the name of the tumour (or only) column."""

    tumour: Optional[int]
    normal: Optional[int]
    name: Optional[str]  # None: the file names no sample the results can be reported under

    @classmethod
    def choose(cls, header, has_records: bool, tumor_sample: Optional[str],
               normal_sample: Optional[str]) -> "SampleColumns":
        """From a parsed header (``samples``, ``lines``, ``source``): the columns asked for or recognised."""
        tumour = normal = None
        if header.samples and (has_records or tumor_sample):
            tumour = choose_tumour_sample(header.samples, header_formats(tuple(header.lines)), tumor_sample,
                                          header.source)
        if header.samples and (has_records or normal_sample):
            normal = choose_normal_sample(header.samples, header.lines, tumour, normal_sample, header.source)
        name = None
        if tumour is not None:
            name = header.samples[tumour]
        elif len(header.samples) == 1:
            name = header.samples[0]
        return cls(tumour, normal, name)


# Alleles we cannot name on a transcript: symbolic, spanning-deletion, breakend, missing.
_SKIPPED_ALT_MARKERS = ("<", "*", "[", "]", ".")
_DNA = set("ACGTNacgtn")


class AlleleReader:
    """The ALT alleles of a record that are reported, with their read evidence (tumour, normal) and the
    caller's stated origin, counting those left out (``symbolic``, ``failed_filter``, ``no_alt_reads``)."""

    def __init__(self, header, columns: SampleColumns, all_records: bool, retain_info: tuple = (),
                 retain_fmt: tuple = ()):
        self.retain_info, self.retain_fmt = retain_info, retain_fmt
        self.formats = header_formats(tuple(header.lines))
        self.columns, self.all_records = columns, all_records
        self.normal_name = header.samples[columns.normal] if columns.normal is not None else None
        self.symbolic = self.failed_filter = self.no_alt_reads = 0

    def alleles(self, record):
        """(alt index, alt, fields of MutationCall, the record's INFO as a dict) for each reported ALT of
        ``record``."""
        info = None
        passed = self.all_records or record.filter in ("PASS", ".", "")
        tumour_values = normal_values = None  # FORMAT values, split once per record (linear in ALTs)
        for alt_index, alt in enumerate(record.alts):
            if alt.startswith(_SKIPPED_ALT_MARKERS) or not set(alt) <= _DNA:
                if alt not in (".", "<NON_REF>", "<*>"):
                    self.symbolic += 1
                continue
            if not passed:
                self.failed_filter += 1
                continue
            if info is None:
                info = record.info()
            if self.columns.tumour is not None:
                if tumour_values is None:
                    tumour_values = _column_values(record, self.columns.tumour)
                ev = sample_evidence(record.format_keys, tumour_values, record.ref, record.alts, alt_index,
                                     info, self.formats)
            else:
                ev = site_evidence(record.ref, record.alts, alt_index, info, self.formats)
            absent = _allele_absent(ev, alt_index)
            if not self.all_records and absent:
                self.no_alt_reads += 1
                continue
            reads = dict(depth=ev.depth, alt_depth=ev.alt_depth, ref_depth=ev.ref_depth, vaf=ev.vaf,
                         caller_format=ev.convention, not_called=absent)
            stated = stated_origin(info, record.format_keys, tumour_values)
            if stated is not None:
                reads["stated_origin"], reads["stated_origin_source"] = stated
            if self.columns.normal is not None:
                if normal_values is None:
                    normal_values = _column_values(record, self.columns.normal)
                normal = sample_evidence(record.format_keys, normal_values, record.ref, record.alts,
                                         alt_index, info, self.formats)
                reads.update(normal_sample=self.normal_name, normal_genotype=normal.genotype,
                             normal_depth=normal.depth, normal_ref_depth=normal.ref_depth,
                             normal_alt_depth=normal.alt_depth, normal_vaf=normal.vaf)
            if self.retain_info or self.retain_fmt:
                self._retain(record, info, reads)
            yield alt_index, alt, reads, info

    def _retain(self, record, info: dict, reads: dict) -> None:
        """The INFO/FORMAT values asked for, as written (vcf2maf: a flag is "1", an absent key "")."""
        reads["retained_info"] = {key: (info[key] or "1") if key in info else "" for key in self.retain_info}
        columns = [dict(zip(record.format_keys, _column_values(record, index))) if index is not None else {}
                   for index in (self.columns.tumour, self.columns.normal)]
        reads["retained_format"] = {key: (columns[0].get(key, ""), columns[1].get(key, ""))
                                    for key in self.retain_fmt}


def _column_values(record, index: int) -> list[str]:
    """One sample column's FORMAT values."""
    return record.sample_columns[index].split(":") if index < len(record.sample_columns) else []


def _allele_absent(ev: SampleEvidence, alt_index: int) -> bool:
    """True when the tumour sample does not carry this ALT: its genotype (the caller's own call) leaves
    it out, e.g. Ion Torrent hotspot rows written as 0/0 with a few noise reads, or, without a
    genotype, no read supports it."""
    if ev.genotype and ev.genotype not in (".", "./.", ".|."):
        alleles = ev.genotype.replace("|", "/").split("/")
        return str(alt_index + 1) not in alleles
    if ev.alt_depth is not None:
        return ev.alt_depth == 0
    if ev.vaf is not None:
        return ev.vaf == 0
    return False
