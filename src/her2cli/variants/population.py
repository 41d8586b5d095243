"""Population allele frequency of one ALT allele, from the annotations a VCF already carries.

Read, per ALT allele, from:

* VEP ``CSQ`` (or another INFO field whose header says ``Format: Allele|...``): the subfields named in
  ``CSQ_FIELDS``; the entry for this ALT is found by ``ALLELE_NUM`` when present, else by VEP's allele
  string (the ALT without the shared first base for indels, ``-`` for a deletion).
* ANNOVAR ``table_annovar.pl -vcfinput`` INFO keys (``gnomAD_exome_ALL``, ``ExAC_ALL``...).
* Mutect2 ``POPAF``: -log10 of the population AF, one value per ALT.
* other INFO keys written by common annotators (``AF_popmax``, ``gnomAD_AF``, PURPLE's ``GND_FREQ``...).

Several may be present; the largest value is used (the conservative choice for telling germline from
somatic) and the source names the field it came from. ``INFO/AF`` is never read: callers write the
sample's allele fraction there.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Optional
from urllib.parse import unquote

from her2cli.values import valueclass
from her2cli.variants.callers import parse_float

__all__ = ["PopulationFields", "population_af", "CSQ_FIELDS", "INFO_FIELDS"]

# VEP --af/--af_gnomade/--af_gnomadg/--max_af subfields (AF = 1000 Genomes global), and dbNSFP/older names.
CSQ_FIELDS = (
    "MAX_AF", "gnomADe_AF", "gnomADg_AF", "gnomAD_AF", "AF", "ExAC_AF",
    "gnomAD_exomes_AF", "gnomAD_genomes_AF", "ExAC_MAX_AF", "gnomAD_exomes_POPMAX_AF",
)
# INFO keys holding a plain population frequency (one value, or one per ALT).
INFO_FIELDS = (
    "gnomAD_exome_ALL", "gnomAD_genome_ALL", "gnomad_exome", "gnomad_genome", "ExAC_ALL",
    "1000g2015aug_all", "esp6500siv2_all", "AF_popmax", "gnomAD_AF", "gnomADe_AF", "gnomADg_AF",
    "gnomAD_AF_popmax", "MAX_AF", "GND_FREQ",
)
_FORMAT_RE = re.compile(r"Format:\s*([^\"]+)")


@valueclass(frozen=True)
class PopulationFields:
    """What the header says about population-frequency annotations."""

    csq_layouts: dict[str, list[str]] = field(default_factory=dict)  # INFO ID -> its '|' subfield names
    info_numbers: dict[str, str] = field(default_factory=dict)  # population INFO keys declared -> Number

    @classmethod
    def from_header_lines(cls, lines: list[str]) -> "PopulationFields":
        layouts: dict[str, list[str]] = {}
        numbers: dict[str, str] = {}
        for raw in lines:
            line = raw.rstrip("\r\n")
            if not line.startswith("##INFO=<"):
                continue
            ident = _attribute(line, "ID")
            if ident is None:
                continue
            match = _FORMAT_RE.search(line)
            if match and "|" in match.group(1):
                names = [n.strip() for n in match.group(1).strip().rstrip(">").rstrip('"').split("|")]
                if "Allele" in names and any(n in CSQ_FIELDS for n in names):
                    layouts[ident] = names
            elif ident in INFO_FIELDS or ident == "POPAF":
                numbers[ident] = _attribute(line, "Number") or "."
        return cls(csq_layouts=layouts, info_numbers=numbers)


def _attribute(line: str, name: str) -> Optional[str]:
    match = re.search(rf"[<,]{name}=([^,>]*)", line)
    return match.group(1) if match else None


def _vep_allele(ref: str, alt: str) -> str:
    """The allele string VEP writes in CSQ's Allele subfield (first shared base dropped for indels)."""
    if len(ref) != len(alt) and ref[:1] == alt[:1]:
        return alt[1:] or "-"
    return alt


def _csq_values(
    layout: list[str], text: str, alt_index: int, alt: str, ref: Optional[str], n_alts: int
) -> list[tuple[float, str]]:
    index = {name: i for i, name in enumerate(layout)}
    wanted_allele = {alt, _vep_allele(ref, alt) if ref else alt}
    found: list[tuple[float, str]] = []
    for entry in text.split(","):
        parts = entry.split("|")
        if len(parts) != len(layout):
            continue
        if "ALLELE_NUM" in index and parts[index["ALLELE_NUM"]].isdigit():
            if int(parts[index["ALLELE_NUM"]]) != alt_index + 1:
                continue
        elif n_alts > 1 and parts[index["Allele"]] not in wanted_allele:
            continue
        for name in CSQ_FIELDS:
            if name not in index:
                continue
            # VEP joins values of several co-located known variants with '&'; take the largest.
            for piece in unquote(parts[index[name]]).split("&"):
                value = parse_float(piece)
                if value is not None and 0.0 <= value <= 1.0:
                    found.append((value, name))
    return found


def _per_alt(text: str, number: str, alt_index: int, n_alts: int) -> Optional[str]:
    items = text.split(",")
    if number == "A" or (len(items) == n_alts and n_alts > 1):
        return items[alt_index] if alt_index < len(items) else None
    if len(items) == 1:
        return items[0]
    return None  # several values but not one per ALT: do not guess which is ours


def population_af(
    fields: PopulationFields,
    info: dict[str, str],
    alt_index: int,
    alt: str,
    ref: str | None = None,
    n_alts: int = 1,
) -> tuple[float, str] | None:
    """(largest population AF for this ALT, where it came from) or None when the record carries none.

    ``ref`` and ``n_alts`` let VEP's trimmed indel alleles be matched on multi-allelic records; with one
    ALT every CSQ entry belongs to it.
    """
    found: list[tuple[float, str]] = []
    for ident, layout in fields.csq_layouts.items():
        text = info.get(ident)
        if text:
            found += [(v, f"VEP {ident} {name}") for v, name in _csq_values(layout, text, alt_index, alt, ref, n_alts)]
    for key in INFO_FIELDS:
        text = info.get(key)
        if text is None:
            continue
        item = _per_alt(text, fields.info_numbers.get(key, "."), alt_index, n_alts)
        value = parse_float(item) if item is not None else None
        if value is not None and 0.0 <= value <= 1.0:
            found.append((value, f"INFO {key}"))
    popaf = info.get("POPAF")
    if popaf is not None:
        item = _per_alt(popaf, fields.info_numbers.get("POPAF", "A"), alt_index, n_alts)
        value = parse_float(item) if item is not None else None
        if value is not None and value >= 0.0:
            found.append((10.0 ** -value, f"Mutect2 POPAF {value:g} (-log10)"))
    if not found:
        return None
    value, source = max(found, key=lambda item: item[0])
    return value, source
