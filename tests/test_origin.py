"""Origin (somatic / germline / likely germline / unknown) and the choice of the normal sample.

Expected values are worked by hand from the documented rules (docs/oncogenicity.md):
* a heterozygous germline variant gives VAF ~0.5 in the normal; P(X <= 0 | Bin(91, 0.5)) = 0.5**91.
* tumour-only with purity p and copy number C: germline het VAF = (p*m + 1 - p) / (p*C + 2(1 - p)),
  somatic VAF = p*m / (p*C + 2(1 - p)); at p = 0.3, C = 2: germline 0.35, 0.5, 0.65; somatic 0.15, 0.30.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from her2cli.errors import MalformedInputError, UsageError
from her2cli.interpret.origin import ORIGINS, binomial_cdf, infer_origin
from her2cli.variants.callers import choose_normal_sample

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def tumour_only(vaf, depth, population_af=None, purity=None, copy_number=None):
    return infer_origin(vaf, depth, None, None, None, None, population_af, purity, copy_number)


def test_binomial_tail_by_hand():
    assert binomial_cdf(0, 3, 0.5) == pytest.approx(0.125)
    assert binomial_cdf(1, 4, 0.5) == pytest.approx(5 / 16)


def test_somatic_when_normal_has_no_alt_reads():
    # her2_drivers_tn.vcf somatic rows: tumour 38/150, normal 0/91 (GT 0/0)
    origin = infer_origin(0.253, 150, "0/0", 0.011, 91, 0, None)
    assert origin.label == "somatic" and "0/91" in origin.basis


def test_germline_when_normal_is_heterozygous():
    # her2_drivers_tn.vcf I655V / P1170A: normal 48/100 alt reads, GT 0/1
    origin = infer_origin(0.493, 140, "0/1", 0.48, 100, 48, None)
    assert origin.label == "germline" and "48/100" in origin.basis


def test_shallow_normal_cannot_tell():
    origin = infer_origin(0.3, 100, "0/0", 0.0, 3, 0, None)  # P(0 of 3 | het) = 0.125
    assert origin.label == "unknown"


def test_low_alt_reads_in_deep_normal_are_contamination_not_germline():
    origin = infer_origin(0.4, 200, "0/0", 0.03, 200, 6, None)
    assert origin.label == "somatic" and "contamination" in origin.basis


def test_normal_genotype_without_reads():
    assert infer_origin(0.4, 100, "0/1", None, None, None, None).label == "germline"
    assert infer_origin(0.4, 100, "0|0", None, None, None, None).label == "somatic"


def test_tumour_only_vaf_01_is_not_germline():
    assert tumour_only(0.1, 200).label == "unknown"
    assert tumour_only(0.1, 200, purity=0.4).label == "unknown"


def test_tumour_only_vaf_05_without_purity_is_unknown():
    origin = tumour_only(0.5, 140)
    assert origin.label == "unknown" and "purity" in origin.basis


def test_tumour_only_vaf_05_at_low_purity_and_known_diploid_erbb2_is_likely_germline():
    # p = 0.3, C = 2 (segments say so): germline 0.35/0.50/0.65, somatic 0.15/0.30; 70/140 fits only germline.
    origin = tumour_only(0.5, 140, purity=0.3, copy_number=2.0)
    assert origin.label == "likely_germline"
    assert "0.50" in origin.basis and "purity 0.30" in origin.basis and "0.15/0.30" in origin.basis


def test_tumour_only_homozygous_at_known_copy_number():
    assert tumour_only(1.0, 80, purity=0.3, copy_number=2.0).label == "likely_germline"


def test_issue_21_purity_without_segments_never_calls_germline():
    """Issue 21: YVMA at VAF 0.49 with --purity 0.3, D769Y at VAF 0.97 with --purity 0.6, no segments: the
    copy number is unknown, so the VAF alone must not make them likely_germline."""
    yvma = tumour_only(0.49, 200, purity=0.3)
    d769y = tumour_only(0.97, 150, purity=0.6)
    for origin in (yvma, d769y):
        assert origin.label == "unknown"
        assert "copy number not given" in origin.basis
    # The germline/somatic expectations at 2 copies are still shown: p = 0.6: D = 1.2 + 0.8 = 2.0,
    # germline (0.6m + 0.4)/2 = 0.20/0.50/0.80 (+0.99 hom), somatic 0.30/0.60.
    assert "0.20/0.50/0.80/0.99" in d769y.basis and "0.30/0.60" in d769y.basis


def test_amplified_erbb2_never_calls_germline_from_vaf():
    # p = 0.6, C = 12: D = 7.2 + 0.8 = 8.0; somatic 0.6m/8 up to 0.90; germline (0.6m + 0.4)/8 up to 0.95.
    origin = infer_origin(0.97, 150, None, None, None, None, None, 0.6, 12.0, amplified=True)
    assert origin.label == "unknown" and "amplified" in origin.basis and "0.90" in origin.basis


def test_copy_number_aware_expectations_at_a_gain():
    # p = 0.5, C = 4 (not amplified): D = 2 + 1 = 3; somatic 0.5m/3 = 0.17/0.33/0.50/0.67; 67/100 fits m = 4.
    origin = infer_origin(0.67, 100, None, None, None, None, None, 0.5, 4.0, amplified=False)
    assert origin.label == "unknown" and "0.17/0.33/0.50/0.67" in origin.basis


def test_stated_origin_from_the_file():
    somatic = infer_origin(0.45, 100, None, None, None, None, None, stated_origin="Somatic",
                           stated_source="MAF Mutation_Status 'Somatic'")
    assert somatic.label == "somatic" and "Mutation_Status" in somatic.basis
    assert infer_origin(0.5, 100, None, None, None, None, None, stated_origin="LOH").label == "germline"
    assert infer_origin(0.5, 100, None, None, None, None, None, stated_origin="Unknown").label == "unknown"
    # A matched normal's reads outrank the statement; a common polymorphism stated somatic stays open.
    assert infer_origin(0.5, 100, "0/1", 0.48, 100, 48, None, stated_origin="Somatic").label == "germline"
    assert infer_origin(0.5, 100, None, None, None, None, 0.3, stated_origin="Somatic").label == "unknown"


def test_tumour_only_common_population_af():
    origin = tumour_only(0.1, 200, population_af=0.22)
    assert origin.label == "likely_germline" and "0.22" in origin.basis


def test_bad_purity_is_a_usage_error():
    with pytest.raises(UsageError):
        tumour_only(0.5, 100, purity=30)


def test_labels_are_documented_origins():
    for origin in (tumour_only(0.5, 140), infer_origin(0.4, 100, "0/1", None, None, None, None)):
        assert origin.label in ORIGINS


HEADER = ["##fileformat=VCFv4.2", "##tumor_sample=TUMOR", "##normal_sample=NORMAL"]


def test_normal_from_header_hint():
    assert choose_normal_sample(["NORMAL", "TUMOR"], HEADER, 1, None, "x.vcf") == 0


def test_normal_is_the_other_of_two():
    assert choose_normal_sample(["S1", "S2"], ["##fileformat=VCFv4.2"], 0, None, "x.vcf") == 1


def test_tumour_only_has_no_normal():
    assert choose_normal_sample(["TUMOR"], HEADER[:2], 0, None, "x.vcf") is None
    assert choose_normal_sample([], [], None, None, "x.vcf") is None


def test_three_samples_only_a_named_normal():
    samples = ["PT_normal", "PT_tumor_dna", "PT_tumor_rna"]
    assert choose_normal_sample(samples, [], 1, None, "x.vcf") == 0
    assert choose_normal_sample(["A", "B", "C"], [], 1, None, "x.vcf") is None


def test_requested_normal():
    assert choose_normal_sample(["NORMAL", "TUMOR"], HEADER, 1, "normal", "x.vcf") == 0
    with pytest.raises(MalformedInputError, match="--normal 'BLOOD' is not a sample"):
        choose_normal_sample(["NORMAL", "TUMOR"], HEADER, 1, "BLOOD", "x.vcf")
    with pytest.raises(MalformedInputError, match="is the tumour sample"):
        choose_normal_sample(["NORMAL", "TUMOR"], HEADER, 1, "TUMOR", "x.vcf")


def test_test_vcf_normal_column():
    lines = [l for l in (DATA / "her2_drivers_tn.vcf").read_text().splitlines() if l.startswith("#")]
    samples = lines[-1].split("\t")[9:]
    assert samples == ["NORMAL", "TUMOR"]
    assert choose_normal_sample(samples, lines[:-1], samples.index("TUMOR"), None, "her2_drivers_tn.vcf") == 0


def _layer_on(path: Path):
    """The whole layer on one test VCF, wired as the pipeline will wire it: p. name -> (class, origin, eligible)."""
    from her2cli.interpret.oncogenicity import classify, therapy_eligible
    from her2cli.io.vcf import parse_record
    from her2cli.reference.sequence import exonic_sequence
    from her2cli.reference.transcript import load_transcript
    from her2cli.variants import callers
    from her2cli.variants.annotator import Annotator
    from her2cli.variants.population import PopulationFields, population_af

    tx = load_transcript()
    annotator = Annotator(tx, "GRCh38", exonic_sequence(tx, "GRCh38"), have_genome_fasta=False)
    lines = path.read_text().splitlines()
    header = [l for l in lines if l.startswith("##")]
    samples = next(l for l in lines if l.startswith("#CHROM")).split("\t")[9:]
    formats = callers.HeaderFormats.from_header_lines(header)
    fields = PopulationFields.from_header_lines(header)
    tumour = callers.choose_tumour_sample(samples, formats, None, str(path))
    normal = callers.choose_normal_sample(samples, header, tumour, None, str(path))
    out = {}
    for number, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        record = parse_record(line, str(path), number)
        info = record.info()

        def evidence(index):
            values = record.sample_columns[index].split(":")
            return callers.sample_evidence(record.format_keys, values, record.ref, record.alts, 0, info, formats)

        t = evidence(tumour)
        n = evidence(normal) if normal is not None else None
        allele = annotator.annotate(record.pos, record.ref, record.alts[0])
        population = population_af(fields, info, 0, record.alts[0], record.ref, len(record.alts))
        onc = classify(allele, *(population or (None, None)))
        origin = infer_origin(
            t.vaf, t.depth, n and n.genotype, n and n.vaf, n and n.depth, n and n.alt_depth,
            population[0] if population else None,
        )
        out[allele.hgvs_p_short] = (onc.label, origin.label, therapy_eligible(onc.label, origin.label))
    return out


def test_tumour_normal_vcf_as_issue_9_checks_it():
    """Issue 9: drivers (likely) oncogenic, somatic, therapy-matched; I655V/P1170A benign, germline, no therapy;
    the rare kinase-domain missense a VUS with no therapy."""
    result = _layer_on(DATA / "her2_drivers_tn.vcf")
    # drivers by the SOP from seen evidence (see test_driver_verdicts.py for why G660D and R678Q are not)
    drivers = ["p.Y772_A775dup", "p.G776delinsVC", "p.G778_P780dup", "p.S310F", "p.L755S", "p.D769Y", "p.V777L",
               "p.V842I"]
    for name in drivers:
        label, origin, eligible = result[name]
        assert label in ("oncogenic", "likely_oncogenic") and origin == "somatic" and eligible, name
    # SBS1 (> 1%, -4) from the lowest published frequency: I655V 2%, P1170A >= 5% (Benusiglio 2005)
    assert result["p.P1170A"] == ("likely_benign", "germline", False)
    assert result["p.I655V"] == ("likely_benign", "germline", False)
    assert result["p.E812K"] == ("vus", "somatic", False)
    assert len(result) == 13


def test_tumour_only_i655v_is_benign_without_therapy():
    assert _layer_on(DATA / "her2_i655v_tumour_only.vcf") == {"p.I655V": ("likely_benign", "unknown", False)}


def _first_record(name: str, predicate=lambda r: True):
    from her2cli.io.vcf import parse_record

    path = SHARED / "fixtures" / name
    if not path.exists():
        pytest.skip("../shared/fixtures is absent")
    lines = path.read_text().splitlines()
    samples = next(l for l in lines if l.startswith("#CHROM")).split("\t")[9:]
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            record = parse_record(line, str(path), i + 1)
            if predicate(record):
                return record, samples
    raise AssertionError(f"no such record in {name}")


def _stated(record, tumour_column):
    from her2cli.variants.callers import stated_origin

    return stated_origin(record.info(), record.format_keys, record.sample_columns[tumour_column].split(":"))


def test_caller_stated_origin_on_real_files():
    """The codes as each file's header spells them: VarScan2 INFO/SS and SomaticSniper FORMAT/SS
    '0=wildtype,1=germline,2=somatic,3=LOH'; VarDict INFO/STATUS StrongSomatic; Strelka's INFO/SOMATIC flag."""
    varscan, _ = _first_record("varscan2_somatic.tcga.vcf")  # line: DP=208;SS=1;... (germline)
    assert _stated(varscan, 1) == ("germline", "the caller's INFO/SS=1")
    sniper, samples = _first_record("somaticsniper.tcga.vcf")  # NORMAL SS=0, TUMOR SS=2
    assert samples == ["NORMAL", "TUMOR"] and _stated(sniper, 1) == ("somatic", "the tumour's FORMAT/SS=2")
    vardict, _ = _first_record("vardictjava_v1.8.2_paired.vcf")  # STATUS=StrongSomatic
    assert _stated(vardict, 0) == ("somatic", "the caller's INFO/STATUS=StrongSomatic")
    strelka, _ = _first_record("strelka2_somatic_snvs.hcc1395.vcf", lambda r: "SOMATIC" in r.info())
    assert _stated(strelka, 1)[0] == "somatic"


def test_shallow_normal_falls_through_to_the_tumour_only_rules():
    """docs/origin.md: a shallow normal (0 of 3 reads: P = 0.125) is 'normal uninformative' and the next rules
    decide. T1: a population AF > 0.01 is likely germline; T2: the worked example p = 0.3, C = 2, VAF 0.50 in
    140 reads fits only germline. A shallow normal must not turn either into 'unknown' (which would let a
    germline variant reach therapy lines)."""
    common = infer_origin(0.5, 100, "0/0", 0.0, 3, 0, 0.22, population_source="VEP CSQ gnomADe_AF")
    assert common.label == "likely_germline"
    assert "normal uninformative" in common.basis and "0/3" in common.basis
    by_vaf = infer_origin(0.5, 140, "0/1", 0.33, 3, 1, None, purity=0.3, local_copy_number=2.0, amplified=False)
    assert by_vaf.label == "likely_germline" and "normal uninformative" in by_vaf.basis


def test_two_copy_number_rows_use_the_amplified_one_for_origin():
    """docs/origin.md: with ERBB2 amplified the VAF alone does not call germline; the verdict reports the most
    consequential copy-number row (amplification first). With two segment rows for one sample (-s twice), an
    amplified one and a neutral one listed last, the worked example VAF 0.50 in 140 reads at purity 0.3 must
    not become likely_germline from the neutral row (that would take an oncogenic L755S's lines away)."""
    from factories import cn_call, mutation_call
    from her2cli.interpret.calls import interpret_mutations

    call = mutation_call("kinase_domain_missense", name="p.L755S", vaf=0.5, depth=140)
    rows = [cn_call("amplification", "cn_ge_6", "focal", 12.0, 5.0), cn_call("neutral", "", "none", 2.0, 1.0)]
    interpret_mutations({"S": [call]}, rows, purity=0.3)
    assert call.origin == "unknown" and "amplified" in call.origin_basis


def test_fractional_copy_number_gives_expected_vafs_of_whole_copies():
    """docs/origin.md: D = p*C + 2(1-p), germline (p*m + 1 - p)/D and somatic p*m/D for m = 0..C copies. A cell
    holds a whole number of copies: a segment mean of 13.64 at purity 0.8 is modelled as C = 14, D = 11.6, so the
    largest germline heterozygous VAF is (0.8*14 + 0.2)/11.6 = 0.98 and the largest somatic 11.2/11.6 = 0.97;
    no expected VAF exceeds 1 (the mixed model gave 1.01). The basis shows the copy number as 13.6."""
    origin = infer_origin(0.90, 200, None, None, None, None, None, 0.8, 13.6421, amplified=True)
    assert origin.label == "unknown"
    assert "ERBB2 13.6 copies per tumour cell (modelled as 14)" in origin.basis
    assert "expected germline 0.02 to 0.99 (16 values), clonal somatic 0.07 to 0.97 (14 values)" in origin.basis
    # a neutral segment mean of 2.04 is 2 copies: the docs' worked example (p = 0.3) holds unchanged
    near_two = infer_origin(0.5, 140, None, None, None, None, None, 0.3, 2.04, amplified=False)
    assert near_two.label == "likely_germline" and "ERBB2 2 copies per tumour cell (" in near_two.basis
    assert "expected germline 0.35/0.50/0.65/0.99, clonal somatic 0.15/0.30" in near_two.basis
