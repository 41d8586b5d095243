"""Population allele frequency of one ALT allele, from the annotations a VCF already carries.

Read, per ALT allele, from every key real pipelines write (``population_key`` says which names count):

* VEP ``CSQ`` (or another INFO field whose header says ``Format: Allele|...``): the subfields that name a
  population frequency (``MAX_AF``, ``gnomADe_AF``, ``gnomADg_AF``, ``gnomADe_NFE_AF``, 1000 Genomes ``AF`` and
  ``EUR_AF``..., dbNSFP-plugin ``gnomAD_exomes_AF``, ``--custom`` gnomAD ``gnomAD_AF_grpmax``...); the entry for
  this ALT is found by ``ALLELE_NUM`` when present, else by VEP's allele string (the ALT without the shared
  first base for indels, ``-`` for a deletion).
* gnomAD's own names (v2 ``AF_popmax``, v4 ``AF_grpmax``, v4.1 joint ``AF_joint``/``AF_grpmax_joint``), as a
  gnomAD VCF or ``bcftools annotate`` copying them writes them, and the same names behind a prefix
  (``gnomAD_AF_grpmax``, ``gnomADe_AF``, ``gnomad41_exome_AF``...).
* SnpSift dbNSFP (``dbNSFP_gnomAD_exomes_AF``, ``dbNSFP_gnomAD4.1_joint_POPMAX_AF``, ``dbNSFP_ExAC_AF``...).
* ANNOVAR ``table_annovar.pl -vcfinput`` (``gnomAD_exome_ALL``, ``gnomAD_genome_NFE``, ``ExAC_ALL``,
  ``1000g2015aug_all``, ``esp6500siv2_all``...).
* Mutect2 ``POPAF`` (-log10 of the population AF, one value per ALT) and PURPLE's ``GND_FREQ``.

Only whole-population and continental frequencies count (the somatic oncogenicity SOP's SBVS1/SBS1 look at
"any of the general continental populations"): raw, sex-specific, founder-population (ASJ, FIN, AMI, MID),
"other"/"remaining" and filtering-AF keys do not. Several may be present; the largest value is used (the
conservative choice for telling germline from somatic) and the source names the key it came from.
``INFO/AF`` is never read: callers write the sample's allele fraction there.

When the header declares population keys but a record carries no value for its allele, the allele is absent
from those resources: ``population_lookup`` says so (``PopulationFrequency.absent_from``), which is what the
SOP's OP4 ("absent from population databases") needs; a file without such keys says nothing either way.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from typing import Optional
from urllib.parse import unquote

from her2cli.values import valueclass
from her2cli.variants.callers import parse_float

__all__ = ["PopulationFields", "PopulationFrequency", "population_af", "population_lookup", "population_key",
           "population_fields", "CSQ_FIELDS", "INFO_FIELDS"]

# Exact names kept from earlier versions (and read even when the header does not declare them).
CSQ_FIELDS = (
    "MAX_AF", "gnomADe_AF", "gnomADg_AF", "gnomAD_AF", "AF", "ExAC_AF",
    "gnomAD_exomes_AF", "gnomAD_genomes_AF", "ExAC_MAX_AF", "gnomAD_exomes_POPMAX_AF",
)
INFO_FIELDS = (
    "gnomAD_exome_ALL", "gnomAD_genome_ALL", "gnomad_exome", "gnomad_genome", "ExAC_ALL",
    "1000g2015aug_all", "esp6500siv2_all", "AF_popmax", "gnomAD_AF", "gnomADe_AF", "gnomADg_AF",
    "gnomAD_AF_popmax", "MAX_AF", "GND_FREQ", "AF_grpmax", "AF_joint", "AF_grpmax_joint",
)
# Continental groups (gnomAD, ExAC, 1000 Genomes, ESP) and the "maximum over groups" summaries.
_GROUPS = r"afr|amr|eas|nfe|sas|eur|aa|ea|popmax|grpmax|grpmax_joint|joint_grpmax|joint|exomes|genomes"
_DATABASE = r"(?:dbnsfp_)?(?:gnomad[a-z0-9.]*(?:_exomes?|_genomes?|_joint)?|exac(?:_adj|_nontcga|_nonpsych)?|" \
            r"1000g[a-z0-9]*|1000gp3|esp6500[a-z0-9]*|esp|topmed|alfa)"
_NAME_RES = (
    # <database>_AF, <database>_AF_<group>, <database>_<GROUP>_AF, <database>_POPMAX_AF (VEP, dbNSFP, bcftools)
    re.compile(rf"^{_DATABASE}_(?:(?:{_GROUPS})_)?af(?:_(?:{_GROUPS}))?$", re.I),
    # ANNOVAR: <database>_ALL or <database>_<GROUP> (gnomAD_exome_ALL, gnomAD_genome_NFE, ExAC_AFR, 1000g2015aug_all)
    re.compile(rf"^{_DATABASE}_(?:all|{_GROUPS})$", re.I),
    # gnomAD's own VCF names: AF_popmax (v2), AF_grpmax (v4), AF_joint / AF_grpmax_joint (v4.1 joint)
    re.compile(r"^AF_(?:popmax|grpmax|joint|grpmax_joint|joint_grpmax)$", re.I),
    # VEP's own frequency subfields: MAX_AF, gnomADe_AF-style handled above, 1000 Genomes AFR_AF ... SAS_AF
    re.compile(r"^(?:max_af|(?:afr|amr|eas|eur|sas|aa|ea)_af|gnd_freq)$", re.I),
)
_NOT_POPULATION = re.compile(r"(?:^|_)(?:raw|xx|xy|male|female|faf\d*|nhomalt|ac|an|asj|fin|ami|mid|oth|remaining|"
                             r"controls|pops)(?:_|$)", re.I)
_FORMAT_RE = re.compile(r"Format:\s*([^\"]+)")


def population_key(name: str, in_csq: bool = False) -> bool:
    """True when an INFO key (or, with ``in_csq``, a VEP CSQ subfield) names a population allele frequency.
    Bare ``AF`` counts only inside VEP's CSQ (1000 Genomes global AF); in INFO it is the caller's VAF."""
    if name in CSQ_FIELDS and in_csq or name in INFO_FIELDS and not in_csq:
        return True
    if name.upper() == "AF" or _NOT_POPULATION.search(name):
        return False
    return any(pattern.match(name) for pattern in _NAME_RES)


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
                if "Allele" in names and any(population_key(n, in_csq=True) for n in names):
                    layouts[ident] = names
            elif ident == "POPAF" or population_key(ident):
                numbers[ident] = _attribute(line, "Number") or "."
        return cls(csq_layouts=layouts, info_numbers=numbers)

    @property
    def declared(self) -> list[str]:
        """The population keys the header declares, as sources name them."""
        keys = [f"VEP {ident} {name}" for ident, layout in self.csq_layouts.items() for name in layout
                if population_key(name, in_csq=True)]
        return keys + [("Mutect2 POPAF" if key == "POPAF" else f"INFO {key}") for key in self.info_numbers]


@lru_cache(maxsize=64)
def population_fields(lines: tuple) -> PopulationFields:
    """``PopulationFields`` of a header's lines, each distinct header parsed once (a cohort's files share one)."""
    return PopulationFields.from_header_lines(list(lines))


@valueclass(frozen=True)
class PopulationFrequency:
    """The population frequency of one ALT allele: the largest value and its key, or, when the header declares
    population keys and none holds a value for this allele, the keys it is absent from."""

    af: Optional[float] = None
    source: Optional[str] = None
    absent_from: Optional[str] = None  # "VEP CSQ gnomADe_AF, VEP CSQ gnomADg_AF" when declared but empty


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
    names = [name for name in layout if population_key(name, in_csq=True)]
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
        for name in names:
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


def population_lookup(
    fields: PopulationFields,
    info: dict[str, str],
    alt_index: int,
    alt: str,
    ref: str | None = None,
    n_alts: int = 1,
) -> PopulationFrequency:
    """The population frequency of one ALT allele (rules in the module docstring).

    ``ref`` and ``n_alts`` let VEP's trimmed indel alleles be matched on multi-allelic records; with one
    ALT every CSQ entry belongs to it.
    """
    found: list[tuple[float, str]] = []
    for ident, layout in fields.csq_layouts.items():
        text = info.get(ident)
        if text:
            found += [(v, f"VEP {ident} {name}") for v, name in _csq_values(layout, text, alt_index, alt, ref, n_alts)]
    for key, text in info.items():
        if key == "POPAF" or not population_key(key):
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
    if found:
        value, source = max(found, key=lambda item: item[0])
        return PopulationFrequency(af=value, source=source)
    declared = fields.declared
    return PopulationFrequency(absent_from=", ".join(declared) if declared else None)


def population_af(*args, **kwargs) -> tuple[float, str] | None:
    """(largest population AF for this ALT, the key it came from) or None when the record carries none;
    the arguments of ``population_lookup``."""
    found = population_lookup(*args, **kwargs)
    return None if found.af is None else (found.af, found.source)
