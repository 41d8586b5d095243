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


# Key names as the annotators document them: gnomAD VCF INFO (v2.1 AF_popmax; v4 AF_grpmax; v4.1 joint
# AF_joint, AF_grpmax_joint), VEP CSQ (--af_gnomade/--af_gnomadg/--max_af/--af_1kg: gnomADe_AF, gnomADe_NFE_AF,
# MAX_AF, EUR_AF), SnpSift dbnsfp (dbNSFP_ prefix + dbNSFP column names gnomAD_exomes_AF,
# gnomAD_exomes_POPMAX_AF, ExAC_AF, 1000Gp3_AF), ANNOVAR (gnomAD_exome_ALL, gnomAD_genome_NFE, ExAC_ALL,
# 1000g2015aug_all, esp6500siv2_all; gnomad41_exome_* for the gnomAD 4.1 tables).
@pytest.mark.parametrize("key", [
    "AF_popmax", "AF_grpmax", "AF_joint", "AF_grpmax_joint", "gnomAD_AF", "gnomADe_AF", "gnomADg_AF",
    "gnomAD_AF_grpmax", "gnomAD_AF_popmax", "dbNSFP_gnomAD_exomes_AF", "dbNSFP_gnomAD_genomes_AF",
    "dbNSFP_gnomAD_exomes_POPMAX_AF", "dbNSFP_ExAC_AF", "dbNSFP_1000Gp3_AF", "gnomAD_exome_ALL",
    "gnomAD_genome_NFE", "gnomAD_exome_AFR", "ExAC_ALL", "ExAC_EAS", "1000g2015aug_all", "esp6500siv2_all",
    "gnomad41_exome_AF", "gnomad41_exome_AF_grpmax", "GND_FREQ",
])
def test_population_keys_real_pipelines_write(key):
    fields = PopulationFields.from_header_lines([f'##INFO=<ID={key},Number=A,Type=Float,Description="x">'])
    assert population_af(fields, {key: "0.031"}, 0, "G") == (pytest.approx(0.031), f"INFO {key}")


@pytest.mark.parametrize("key", [
    "AF", "AF_raw", "AF_XX", "AF_XY", "gnomAD_AF_raw", "gnomAD_AC", "gnomAD_AN", "gnomAD_nhomalt",
    "gnomAD_exome_ASJ", "gnomAD_exome_FIN", "gnomAD_genome_OTH", "gnomADe_AF_remaining", "faf95_popmax",
    "gnomAD_faf95_popmax", "MAX_AF_POPS", "DP", "MQ", "TLOD",
])
def test_not_population_frequencies(key):
    """A caller's own AF, raw or sex-specific frequencies, founder or 'other' groups and filtering AFs
    are not the continental frequencies the SOP's SBVS1/SBS1 read."""
    fields = PopulationFields.from_header_lines([f'##INFO=<ID={key},Number=A,Type=Float,Description="x">'])
    assert population_af(fields, {key: "0.3"}, 0, "G") is None


def test_vep_continental_and_dbnsfp_plugin_subfields():
    header = ['##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
              'Format: Allele|Consequence|SYMBOL|EUR_AF|gnomADe_NFE_AF|gnomAD_exomes_POPMAX_AF|MAX_AF_POPS">']
    fields = PopulationFields.from_header_lines(header)
    assert population_af(fields, csq("G|missense_variant|ERBB2|0.0|0.02|0.04|nfe"), 0, "G") == (
        pytest.approx(0.04), "VEP CSQ gnomAD_exomes_POPMAX_AF")


def test_declared_but_empty_means_absent_and_says_from_what():
    from her2cli.variants.population import population_lookup

    fields = PopulationFields.from_header_lines(VEP_HEADER + [
        '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">'])
    found = population_lookup(fields, csq("G|x|x|ERBB2|E||||||"), 0, "G")
    assert found.af is None
    assert "VEP CSQ gnomADe_AF" in found.absent_from and "INFO AF_grpmax" in found.absent_from
    # No population key declared: nothing can be said about absence.
    assert population_lookup(PopulationFields.from_header_lines([]), {}, 0, "G").absent_from is None
