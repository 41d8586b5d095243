"""Population allele frequency from VCF INFO annotations.

Header lines follow the writers' own formats: VEP's CSQ description ("... Format: Allele|Consequence|..."),
ANNOVAR table_annovar -vcfinput keys, Mutect2's POPAF (Number=A, -log10 AF; 7.30 is Mutect2's value for an
allele absent from the resource, -log10(5e-8)); real fixture lines are read from ../shared when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from her2cli.interpret.oncogenicity import classify
from her2cli.interpret.origin import infer_origin
from her2cli.io.vcf import parse_record
from her2cli.variants.population import PopulationFields, population_af

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

VEP_HEADER = [
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
    'Format: Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSp|AF|gnomADe_AF|gnomADg_AF|MAX_AF|MAX_AF_POPS">'
]


def csq(*entries: str) -> dict[str, str]:
    return {"CSQ": ",".join(entries)}


def test_vep_csq_takes_the_largest_and_names_it():
    fields = PopulationFields.from_header_lines(VEP_HEADER)
    info = csq("G|missense_variant|MODERATE|ERBB2|ENST00000269571|p.Ile655Val|0.1276|0.2212|0.2005|0.2854|EUR")
    assert population_af(fields, info, 0, "G") == (pytest.approx(0.2854), "VEP CSQ MAX_AF")


def test_vep_csq_per_alt_allele_and_trimmed_indels():
    fields = PopulationFields.from_header_lines(VEP_HEADER)
    info = csq(
        "T|missense_variant|MODERATE|ERBB2|ENST1||0.001|0.002|||",
        "-|frameshift_variant|HIGH|ERBB2|ENST1||||0.03||",
    )
    # REF GA, ALT T (SNV-like delins) and GA>G (deletion: VEP writes '-')
    assert population_af(fields, info, 0, "T", ref="GA", n_alts=2) == (pytest.approx(0.002), "VEP CSQ gnomADe_AF")
    assert population_af(fields, info, 1, "G", ref="GA", n_alts=2) == (pytest.approx(0.03), "VEP CSQ gnomADg_AF")


def test_vep_allele_num_wins_over_allele_string():
    header = [VEP_HEADER[0].replace("|MAX_AF_POPS", "|MAX_AF_POPS|ALLELE_NUM")]
    fields = PopulationFields.from_header_lines(header)
    info = csq("A|x|x|ERBB2|E|||||0.4|EUR|2", "A|x|x|ERBB2|E|||||0.001|EUR|1")
    assert population_af(fields, info, 0, "A", ref="C", n_alts=2)[0] == pytest.approx(0.001)


def test_vep_ampersand_and_missing_values():
    fields = PopulationFields.from_header_lines(VEP_HEADER)
    info = csq("G|x|x|ERBB2|E||0.1&0.3||||")
    assert population_af(fields, info, 0, "G") == (pytest.approx(0.3), "VEP CSQ AF")
    assert population_af(fields, csq("G|x|x|ERBB2|E||||||"), 0, "G") is None


def test_annovar_keys():
    header = [
        '##INFO=<ID=gnomAD_exome_ALL,Number=.,Type=String,'
        'Description="gnomAD_exome_ALL annotation provided by ANNOVAR">',
        '##INFO=<ID=ExAC_ALL,Number=.,Type=String,Description="ExAC_ALL annotation provided by ANNOVAR">',
    ]
    fields = PopulationFields.from_header_lines(header)
    assert population_af(fields, {"gnomAD_exome_ALL": "0.2212", "ExAC_ALL": "0.2"}, 0, "G") == (
        pytest.approx(0.2212), "INFO gnomAD_exome_ALL",
    )
    assert population_af(fields, {"gnomAD_exome_ALL": ".", "ExAC_ALL": "."}, 0, "G") is None


def test_mutect2_popaf_is_minus_log10_per_alt():
    header = [
        '##INFO=<ID=POPAF,Number=A,Type=Float,Description="negative log 10 population allele frequencies of alt alleles">'
    ]
    fields = PopulationFields.from_header_lines(header)
    value, source = population_af(fields, {"POPAF": "0.66,3.00"}, 0, "G", n_alts=2)
    assert value == pytest.approx(10 ** -0.66) and source == "Mutect2 POPAF 0.66 (-log10)"
    assert population_af(fields, {"POPAF": "0.66,3.00"}, 1, "T", n_alts=2)[0] == pytest.approx(0.001)


def test_caller_info_af_is_never_a_population_frequency():
    fields = PopulationFields.from_header_lines(['##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">'])
    assert population_af(fields, {"AF": "0.5"}, 0, "G") is None


def test_several_values_not_per_alt_are_not_guessed():
    fields = PopulationFields.from_header_lines([])
    assert population_af(fields, {"AF_popmax": "0.1,0.2,0.3"}, 0, "G", n_alts=2) is None


def _fixture_records(name: str):
    path = SHARED / "fixtures" / name
    if not path.exists():
        pytest.skip("../shared/fixtures is absent")
    lines = path.read_text().splitlines()
    header = [l for l in lines if l.startswith("##")]
    records = [parse_record(l, str(path), i + 1) for i, l in enumerate(lines) if not l.startswith("#")]
    return header, records


def test_real_mutect2_popaf_default():
    header, records = _fixture_records("gatk4_mutect2_tumor_only.createpon_sample1.vcf")
    fields = PopulationFields.from_header_lines(header)
    value, source = population_af(fields, records[0].info(), 0, records[0].alts[0])
    assert value == pytest.approx(10 ** -7.30) and "POPAF 7.3" in source  # file: POPAF=7.30


def test_real_purple_germline_p1170a():
    """Hartwig SAGE/PURPLE germline file: ERBB2 c.3508C>G p.Pro1170Ala at 17:37884037, GND_FREQ=0.609."""
    header, records = _fixture_records("sage_v4.0_germline_purple_v4.1.tumor_sample.purple.germline.vcf")
    record = next(r for r in records if r.chrom == "17" and r.pos == 37884037)
    fields = PopulationFields.from_header_lines(header)
    value, source = population_af(fields, record.info(), 0, record.alts[0], ref=record.ref, n_alts=len(record.alts))
    assert (value, source) == (pytest.approx(0.609), "INFO GND_FREQ")
    variant = type("V", (), dict(hgvs_p_short="p.P1170A", hgvs_c="c.3508C>G", consequence="missense_variant",
                                 protein_position="1170", subgroup="other"))
    assert classify(variant, value, source).label == "benign"
    assert infer_origin(0.5, 100, None, None, None, None, value).label == "likely_germline"
