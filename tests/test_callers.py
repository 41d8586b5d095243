"""Per-caller sample evidence, checked against raw fields of the shared fixtures.

Every expected number is worked out by hand from the raw FORMAT/INFO text quoted in the
comment next to it; never from the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from her2cli.variants.callers import (
    HeaderFormats,
    SampleEvidence,
    choose_tumour_sample,
    sample_evidence,
    site_evidence,
)
from her2cli.errors import MalformedInputError

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


class Vcf:
    """A fixture VCF split with plain string operations (no VCF library)."""

    def __init__(self, name: str):
        path = FIXTURES / name
        if not path.is_file():
            pytest.skip(f"fixture {name} not available")
        self.path = str(path)
        self.header_lines: list[str] = []
        self.samples: list[str] = []
        self.records: list[list[str]] = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.rstrip("\n")
                if line.startswith("##"):
                    self.header_lines.append(line)
                elif line.startswith("#"):
                    self.samples = line.split("\t")[9:]
                elif line:
                    self.records.append(line.split("\t"))
        self.header = HeaderFormats.from_header_lines(self.header_lines)

    def tumour(self, requested: str | None = None) -> int | None:
        return choose_tumour_sample(self.samples, self.header, requested, self.path)

    def record(self, chrom: str, pos: int, alt: str | None = None) -> list[str]:
        for cols in self.records:
            if cols[0] == chrom and cols[1] == str(pos) and (alt is None or cols[4] == alt):
                return cols
        raise AssertionError(f"{chrom}:{pos} not in {self.path}")

    def evidence(self, chrom: str, pos: int, sample: int, alt: str | None = None,
                 alt_index: int = 0, record_alt: str | None = None) -> SampleEvidence:
        cols = self.record(chrom, pos, record_alt)
        alts = cols[4].split(",")
        if alt is not None:
            alt_index = alts.index(alt)
        return sample_evidence(cols[8].split(":"), cols[9 + sample].split(":"), cols[3], alts,
                               alt_index, info_dict(cols[7]), self.header)


def info_dict(text: str) -> dict[str, str]:
    if text == ".":
        return {}
    out = {}
    for item in text.split(";"):
        key, _, value = item.partition("=")
        out[key] = value
    return out


def header(*lines: str) -> HeaderFormats:
    return HeaderFormats.from_header_lines(list(lines))


# ----------------------------------------------------------------------------- GATK family


def test_mutect2_tumour_normal_multiallelic_uses_header_tumour_and_af():
    vcf = Vcf("gatk4_mutect2_tumor_normal.mc3_validation.vcf")
    # ##tumor_sample=TUMOR; columns NORMAL, TUMOR
    assert vcf.tumour() == 1
    # 1:9633387 GTT>G,GT,GTTT, TUMOR = "0/0:74,0,11,8:0.042,0.143,0.124:..." (no FORMAT DP)
    ev = vcf.evidence("1", 9633387, 1, alt="GT")
    assert ev.alt_depth == 11  # AD[1 + 1]
    assert ev.depth == 74 + 0 + 11 + 8  # = 93, sum(AD) since no DP
    assert ev.vaf == 0.143  # AF[1], Mutect2's own estimate
    assert ev.genotype == "0/0"
    assert ev.convention == "AD+AF"


def test_mutect2_unfiltered_tumour_first_column():
    vcf = Vcf("gatk4_mutect2_tumor_normal_unfiltered.cfdna.vcf")
    assert vcf.samples == ["TUMOR", "NORMAL"]
    assert vcf.tumour() == 0
    # 1:12921386 G>A, TUMOR = "0/1:2016,23:0.011:2039:..."
    ev = vcf.evidence("1", 12921386, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (2039, 23, 0.011)


def test_mutect2_tumour_only():
    vcf = Vcf("gatk4_mutect2_tumor_only.createpon_sample1.vcf")
    assert vcf.tumour() == 0  # ##tumor_sample=sample1, one column
    # 20:577114 G>A "0/1:4,8:0.646:12:2,7:2,1" -> AF 0.646 preferred over 8/12 = 0.667
    ev = vcf.evidence("20", 577114, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (12, 8, 0.646, "0/1")


def test_mutect1_fa_and_depth_not_below_sum_of_ad():
    vcf = Vcf("mutect1_somatic.tcga.vcf")
    assert vcf.tumour() == 1  # NORMAL, TUMOR
    # 1:204429832 C>A PASS, TUMOR "0/1:39,3:32:42:0.071:2"
    ev = vcf.evidence("1", 204429832, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (42, 3, 0.071)
    assert ev.convention == "mutect1_FA"
    # 1:13448084 G>A, TUMOR "0:0,13:.:10:1.00": DP 10 < 0 + 13 reads in AD -> depth 13
    ev = vcf.evidence("1", 13448084, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (13, 13, 1.0, "0")


def test_muse_tumour_first():
    vcf = Vcf("muse_somatic.tcga.vcf")
    assert vcf.tumour() == 0  # TUMOR, NORMAL
    # 1:8715966 C>A, TUMOR "0/1:142:130,12:38,31:2" -> 12/142 = 0.08451
    ev = vcf.evidence("1", 8715966, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (142, 12, 0.0845, "AD")


def test_haplotypecaller_gvcf_non_ref_and_reference_block():
    vcf = Vcf("gatk4_haplotypecaller.testGVCFMode.g.vcf")
    assert vcf.tumour() == 0
    # 20:10000117 C>T,<NON_REF> "0/1:36,28,0:64:..." -> 28/64 = 0.4375
    ev = vcf.evidence("20", 10000117, 0, alt="T")
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (64, 28, 0.4375, "AD")
    # reference block 20:10000000 T><NON_REF> "0/0:84:99:64:0,120,1800" (GT:DP:GQ:MIN_DP:PL)
    ev = vcf.evidence("20", 10000000, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (84, None, None, "0/0")
    assert ev.convention == "dp_only"


def test_genotypegvcfs_trio_needs_sample_and_star_allele():
    vcf = Vcf("gatk4_genotypegvcfs_spanning_deletion_star_allele.hg38_trio.vcf")
    with pytest.raises(MalformedInputError, match="--sample"):
        vcf.tumour()
    idx = vcf.tumour("NWD666458")
    assert idx == 2
    # chr3:179199000 A>C,*  NWD666458 = "0/2:18,0,8:26:..." -> '*' has 8 reads, 8/26 = 0.30769
    ev = vcf.evidence("chr3", 179199000, idx, alt="*")
    assert (ev.depth, ev.alt_depth, ev.vaf) == (26, 8, 0.3077)


def test_sage_somatic_reference_then_tumour():
    vcf = Vcf("sage_v3.4_purple_v4.0.COLO829.purple.somatic.vcf")
    assert vcf.samples == ["COLO829v003R", "COLO829v003T"]
    assert vcf.tumour() == 1
    # 1:696644 G>A, tumour "0/1:35:21,81:0.794:23,23:0.900,1.10:102:..." (GT:ABQ:AD:AF:AMQ:ANM:DP)
    ev = vcf.evidence("1", 696644, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (102, 81, 0.794, "AD+AF")


def test_sage_germline_erbb2_tumour_column_first():
    vcf = Vcf("sage_v4.0_germline_purple_v4.1.tumor_sample.purple.germline.vcf")
    assert vcf.samples == ["tumor_sample", "ref_sample"]
    assert vcf.tumour() == 0
    # ERBB2 17:37884037 C>G, tumor_sample "./.:48,49:96,45:0.319:37:60:60,60:141:..."
    ev = vcf.evidence("17", 37884037, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (141, 45, 0.319, "./.")


def test_sage_positional_fallback_only_for_somatic_files():
    somatic = header("##sageVersion=3.4")
    assert choose_tumour_sample(["X1", "X2"], somatic, None, "s.vcf") == 1
    germline = header(
        "##sageVersion=4.0",
        '##INFO=<ID=GND_FREQ,Number=1,Type=Float,Description="Gnomad variant frequency">',
    )
    with pytest.raises(MalformedInputError):
        choose_tumour_sample(["X1", "X2"], germline, None, "g.vcf")


def test_deepvariant_vaf_field():
    vcf = Vcf("deepvariant_v1.5.0_somatic_postprocess.golden_tumor.vcf")
    assert vcf.tumour() == 0
    # chr20:10001436 "1/1:38:39:2,35:0.897436:..." (GT:GQ:DP:AD:VAF:PL); VAF rounded 0.8974
    ev = vcf.evidence("chr20", 10001436, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (39, 35, 0.8974, "deepvariant_VAF")


def test_pisces_vf_and_reference_site():
    vcf = Vcf("pisces_v5.2.5.genome.vcf")
    assert vcf.tumour() == 0
    # 2:25497924 G>C "0/1:100:137,15:152:0.099:20:-8.5405" (GT:GQ:AD:DP:VF:NL:SB)
    ev = vcf.evidence("2", 25497924, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (152, 15, 0.099, "pisces_VF")
    # reference site 1:115256530 G, ALT '.': "0/0:36:827:827:0.000:20:-100.0000"
    ev = vcf.evidence("1", 115256530, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (827, None, None)


def test_isaac_trio_requested_sample_indel_uses_dpi():
    vcf = Vcf("isaac_variant_caller.vcf")
    with pytest.raises(MalformedInputError, match="JH-027F, JH-027M, JH-027P"):
        vcf.tumour()
    idx = vcf.tumour("JH-027P")
    assert idx == 2
    # chr1:23469193 TACAC>T, JH-027P "0/1:99:259:30:14,7" (GT:GQ:GQX:DPI:AD) -> 7/30 = 0.2333
    ev = vcf.evidence("chr1", 23469193, idx, record_alt="T")
    assert (ev.depth, ev.alt_depth, ev.vaf) == (30, 7, 0.2333)
    # same record, JH-027F "./.:.:.:.:." -> nothing but the written genotype
    ev = vcf.evidence("chr1", 23469193, 0, record_alt="T")
    assert ev == SampleEvidence(None, None, None, "./.", "gt_only")


# ----------------------------------------------------------------------------- Strelka


def test_strelka1_snv_tier1_counts():
    vcf = Vcf("strelka1_somatic_snv.tcga.vcf")
    assert vcf.tumour() == 1  # NORMAL, TUMOR
    # 1:35944648 G>A, TUMOR "58:0:0:0:56,57:0,0:2,2:0,0" (DP:FDP:SDP:SUBDP:AU:CU:GU:TU)
    # alt = AU tier1 = 56, ref = GU tier1 = 2 -> 56/(2+56) = 0.96552
    ev = vcf.evidence("1", 35944648, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (58, 56, 0.9655, None)
    assert ev.convention == "strelka_snv"


def test_strelka1_indel_tar_tir():
    vcf = Vcf("strelka1_somatic_indel.varcode_example.vcf")
    assert vcf.tumour() == 1
    # chr1:17086085 G>GC, TUMOR "46:46:33,33:11,11:2,2:..." (DP:DP2:TAR:TIR:TOR) -> 11/(33+11)
    ev = vcf.evidence("chr1", 17086085, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (46, 11, 0.25, "strelka_indel")


def test_strelka2_snv():
    vcf = Vcf("strelka2_somatic_snvs.hcc1395.vcf")
    assert vcf.tumour() == 1
    # chr1:92836 G>A PASS, TUMOR "6:0:0:0:4,5:0,0:2,5:0,0" -> AU 4 / (GU 2 + AU 4) = 0.66667
    ev = vcf.evidence("chr1", 92836, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (6, 4, 0.6667)


def test_strelka2_indel():
    vcf = Vcf("strelka2_somatic_indels.hcc1395.vcf")
    assert vcf.tumour() == 1
    # chr1:624509 AAGGG>A PASS, TUMOR "44:44:29,41:11,18:4,7:..." -> 11/(29+11) = 0.275
    ev = vcf.evidence("chr1", 624509, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (44, 11, 0.275)


# ----------------------------------------------------------------------------- TCGA callers


def test_varscan2_alt_only_ad():
    vcf = Vcf("varscan2_somatic.tcga.vcf")
    assert vcf.header.format_numbers["AD"] == "1"
    assert vcf.tumour() == 1
    # 1:2584408 C>A, TUMOR "0/1:.:13:9:4:30.77%:5,4,2,2" (GT:GQ:DP:RD:AD:FREQ:DP4) -> 4/(9+4)
    ev = vcf.evidence("1", 2584408, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (13, 4, 0.3077, "varscan_RD_AD")


def test_somaticsniper_dp4():
    vcf = Vcf("somaticsniper.tcga.vcf")
    assert vcf.tumour() == 1
    # 1:1648002 C>T, TUMOR "0/1:0/1:21:0,14,0,7:0,14,0,7:..." (GT:IGT:DP:DP4:BCOUNT)
    # DP4 alt = 0 + 7, ref = 0 + 14 -> 7/21 = 0.33333
    ev = vcf.evidence("1", 1648002, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (21, 7, 0.3333, "dp4")


def test_radia_dna_tumour_and_ref_first_af():
    vcf = Vcf("radia_somatic.tcga.vcf")
    assert vcf.samples == ["DNA_NORMAL", "DNA_TUMOR", "RNA_TUMOR"]
    assert vcf.tumour() == 1
    # 1:29651735 C>T, DNA_TUMOR "0/1:106:0:1:2:95,11:0.9,0.1:..." (GT:DP:INDEL:START:STOP:AD:AF)
    # AF lists ref first (0.9 is the REF fraction), so VAF = 11/106 = 0.10377
    ev = vcf.evidence("1", 29651735, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (106, 11, 0.1038, "AD")


def test_pindel_ad_and_varscan_style_line():
    vcf = Vcf("pindel_somatic.tcga.vcf")
    assert vcf.tumour() == 1
    # 1:16890971 ACT>A, TUMOR "0/0:47:.:2:43,4" (GT:DP:BQ:SS:AD) -> 4/47 = 0.08511
    ev = vcf.evidence("1", 16890971, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (47, 4, 0.0851)
    # 10:8111432 TCA>T uses undeclared RD/FREQ: "0/1:52:218:143,23,48,4:23.85%:166"
    # (GT:AD:DP:DP4:FREQ:RD) -> AD is alt-only: 52/(166+52) = 0.23853
    ev = vcf.evidence("10", 8111432, 1)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (218, 52, 0.2385, "varscan_RD_AD")


def test_pcgr_adt_dpt():
    vcf = Vcf("pcgr_input_tcga_consensus.T001-BRCA.grch38.vcf")
    assert vcf.tumour() == 0  # one combined column
    # 1:1968826 C>T "0/1:237:144:.,.:112,32:1,3,4,2" (GT:DPC:DPT:ADC:ADT:AL) -> 32/144 = 0.2222
    ev = vcf.evidence("1", 1968826, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (144, 32, 0.2222, "pcgr_ADT_DPT")


def test_merged_file_with_missing_dp4_does_not_raise():
    vcf = Vcf("merged_sniper_varscan_strelka.tcga.vcf")
    assert vcf.tumour() == 1
    # 1:2585243 C>T NORMAL: AD '.', DP4 '.,.,.,.', BCOUNT "0,43,0,4" (A,C,G,T), DP 38
    ev = vcf.evidence("1", 2585243, 0)
    assert ev.alt_depth == 4  # T count
    assert ev.depth == 43 + 4  # 47 > stated DP 38
    assert ev.vaf == 0.0851  # 4/47 = 0.08511
    assert ev.convention == "sniper_BCOUNT"


# ----------------------------------------------------------------------------- others


def test_vardict_tumour_only():
    vcf = Vcf("vardict_tumor_only.bcbio.vcf")
    assert vcf.tumour() == 0
    # chr22:5090 G>GCCT "1/1:54:51:2,51:0.9444:1,1:36,15" (GT:DP:VD:AD:AF:RD:ALD)
    ev = vcf.evidence("chr22", 5090, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (54, 51, 0.9444, "vardict_VD_AF")


def test_vardictjava_paired_match_suffix_is_normal():
    vcf = Vcf("vardictjava_v1.8.2_paired.vcf")
    assert vcf.samples == ["abc", "abc-match"]
    assert vcf.tumour() == 0
    # 20:76660 CA>C, abc "0/0:353:2:1,1:260,89:349,2:0.0057:..." (GT:DP:VD:ALD:RD:AD:AF)
    ev = vcf.evidence("20", 76660, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (353, 2, 0.0057)


def test_freebayes_single_sample():
    vcf = Vcf("freebayes_v1.3.10.tiny_chr22_regression.vcf")
    assert vcf.tumour() == 0
    # q:186 T>C "0/1:41:25,16:25:953:16:591:..." (GT:DP:AD:RO:QR:AO:QA) -> 16/41 = 0.39024
    ev = vcf.evidence("q", 186, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (41, 16, 0.3902, "freebayes_AO_RO")


def test_freebayes_multisample_panel_needs_sample():
    vcf = Vcf("freebayes_v0.9.21.miseq_panel.vcf")
    with pytest.raises(MalformedInputError, match="15G15594"):
        vcf.tumour()
    idx = vcf.tumour("15G17766")
    # chr19:11210912 C>T, 15G17766 "0/1:605:324:11537:255:7581:..." (GT:DP:RO:QR:AO:QA)
    ev = vcf.evidence("chr19", 11210912, idx, record_alt="T")
    assert (ev.depth, ev.alt_depth, ev.vaf) == (605, 255, 0.4215)  # 255/605 = 0.42149
    # 15G17401 is all missing ".:.:.:.:.:.:."
    ev = vcf.evidence("chr19", 11210912, vcf.tumour("15G17401"), record_alt="T")
    assert ev == SampleEvidence(None, None, None, None, "none")


def test_bcbio_ensemble_tumour_name_and_bad_ad():
    vcf = Vcf("bcbio_ensemble_mutect_vardict_freebayes_varscan.vcf")
    assert vcf.samples == ["c-tumor2", "c-normal"]
    assert vcf.tumour() == 0
    # chr22:16060 C>T "0/1:8,2:30:21:0.381" (GT:AD:BQ:DP:FREQ) -> 2/21 = 0.09524
    ev = vcf.evidence("chr22", 16060, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (21, 2, 0.0952, "AD")
    # chr22:16062 "0/0:13:30:21:0.381": AD has one value for two alleles -> no alt count
    ev = vcf.evidence("chr22", 16062, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (21, None, None)


def test_ion_torrent_flow_counts_erbb2_hotspot():
    vcf = Vcf("ion_torrent_tvc_v5.4_oncomine.M19-12140.SmallVariants.vcf")
    assert vcf.tumour() == 0
    # chr17:37868208 C>A,T "0/0:746:4479:4485:4474:4483:0,3:0,2:..." (GT:GQ:DP:FDP:RO:FRO:AO:FAO)
    # T: FAO 2 of FDP 4485 (raw AO 3 / DP 4479 not used) -> 2/4485 = 0.000446
    ev = vcf.evidence("chr17", 37868208, 0, alt="T")
    assert (ev.depth, ev.alt_depth, ev.vaf) == (4485, 2, 0.0004)
    assert ev.convention == "ion_torrent_FAO_FDP"
    # chr17:37881332 G>A "...:13556:7998:13511:7990:8:8:..." -> 8/7998 = 0.0010003
    ev = vcf.evidence("chr17", 37881332, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (7998, 8, 0.001)


def test_ion_torrent_nocall_uses_flow_not_raw_counts():
    vcf = Vcf("ion_torrent_tvc_v5.4_oncomine.M19-12140.SmallVariants.filtered.vcf")
    # chr1:40363552 A>AG "./.:1038:6972:6940:6242:6940:504:0:..." raw AO 504 but FAO 0
    ev = vcf.evidence("chr1", 40363552, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (6940, 0, 0.0, "./.")


def test_ion_torrent_info_only():
    vcf = Vcf("ion_torrent_tvc_v5.4_oncomine.M19-12140.SmallVariants.vcf")
    cols = vcf.record("chr17", 37881332)
    # INFO "...AO=8;DP=13556;FAO=8;FDP=7998..." -> 8/7998
    ev = site_evidence(cols[3], cols[4].split(","), 0, info_dict(cols[7]), vcf.header)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (7998, 8, 0.001, None)


def test_bcftools_call_gt_pl_only_uses_info_dp4():
    vcf = Vcf("bcftools_v1.11_mpileup_call.sarscov2_nfcore.vcf")
    assert vcf.tumour() == 0
    # MT192765.1:197 G>T, INFO "DP=1;...;DP4=0,0,1,0", sample "1/1:36,3,0" (GT:PL)
    ev = vcf.evidence("MT192765.1", 197, 0)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype, ev.convention) == (1, 1, 1.0, "1/1", "dp4")
    cols = vcf.record("MT192765.1", 197)
    ev = site_evidence(cols[3], ["T"], 0, info_dict(cols[7]), vcf.header)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (1, 1, 1.0, "dp4")


def test_bcftools_raw_mpileup_two_samples():
    vcf = Vcf("bcftools_mpileup_raw_gl.bcftools_test.vcf")
    with pytest.raises(MalformedInputError, match="sample1, sample2"):
        vcf.tumour()
    idx = vcf.tumour("sample2")
    # chr1:486173 A>T,<*>, sample2 "140,0,48,143,57,194:4:1,3,0" (PL:DP:AD) -> 3/4
    ev = vcf.evidence("chr1", 486173, idx, alt="T")
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.genotype) == (4, 3, 0.75, None)


# ----------------------------------------------------------------------------- synthetic

GATK_HEADER = header(
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths, ref first">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    "##tumor_sample=T1",
    "##normal_sample=N1",
)


def test_header_parsing():
    h = header(
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="ref, then Number=A alts">',
        '##INFO=<ID=FAO,Number=A,Type=Integer,Description="x">',
        '##SAMPLE=<ID=DNA_TUMOR,SampleName=x,Description="TumorDNASample",File="a.bam">',
        "##tumor_sample=T1",
        "##normal_sample=N1",
        "##sageVersion=3.4",
        "#CHROM\tPOS",
    )
    assert h.format_numbers == {"AD": "R"}
    assert h.info_numbers == {"FAO": "A"}
    assert (h.tumour_sample_hint, h.normal_sample_hint) == ("T1", "N1")
    assert h.sample_descriptions == {"DNA_TUMOR": "TumorDNASample"}
    assert h.meta["sageVersion"] == "3.4"


def test_multiallelic_ad_without_caller_fraction():
    h = header('##FORMAT=<ID=AD,Number=R,Type=Integer,Description="x">')
    # "1/2:10,5,15:30" -> second ALT: 15 reads of DP 30
    ev = sample_evidence(["GT", "AD", "DP"], ["1/2", "10,5,15", "30"], "A", ["C", "G"], 1, {}, h)
    assert ev == SampleEvidence(30, 15, 0.5, "1/2", "AD")
    # first ALT: 5/30 = 0.16667
    ev = sample_evidence(["GT", "AD", "DP"], ["1/2", "10,5,15", "30"], "A", ["C", "G"], 0, {}, h)
    assert (ev.alt_depth, ev.vaf) == (5, 0.1667)


def test_mutect2_af_per_alt_in_multiallelic():
    ev = sample_evidence(["GT", "AD", "AF", "DP"], ["0/1/2", "50,30,20", "0.29,0.21", "100"],
                         "A", ["C", "T"], 1, {}, GATK_HEADER)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (100, 20, 0.21, "AD+AF")


def test_missing_and_odd_values_never_raise():
    keys = ["GT", "AD", "AF", "DP"]
    # trailing fields dropped: only GT written
    assert sample_evidence(keys, ["0/1"], "A", ["C"], 0, {}, GATK_HEADER) == SampleEvidence(
        None, None, None, "0/1", "gt_only")
    # every value missing
    assert sample_evidence(keys, [".", ".", ".", "."], "A", ["C"], 0, {}, GATK_HEADER) == (
        SampleEvidence(None, None, None, None, "none"))
    # non-numeric depth, alt count given: depth falls back to sum(AD) = 7 + 3, vaf 3/10
    ev = sample_evidence(keys, ["0/1", "7,3", "abc", "n/a"], "A", ["C"], 0, {}, GATK_HEADER)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (10, 3, 0.3)
    # division by zero: AD 0,0 and DP 0 -> no VAF
    ev = sample_evidence(keys, ["0/0", "0,0", ".", "0"], "A", ["C"], 0, {}, GATK_HEADER)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (0, 0, None)
    # alt_index beyond the ALTs
    ev = sample_evidence(keys, ["0/1", "5,5", ".", "10"], "A", ["C"], 3, {}, GATK_HEADER)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (10, None, None)


def test_fraction_without_counts():
    # AD missing, AF 0.3, DP 50 -> the caller's fraction, no alt count invented
    ev = sample_evidence(["GT", "AD", "AF", "DP"], ["0/1", ".", "0.3", "50"], "A", ["C"], 0, {},
                         GATK_HEADER)
    assert ev == SampleEvidence(50, None, 0.3, "0/1", "AF")


def test_vaf_out_of_range_falls_back_to_counts():
    # AF "1.7" is unusable; 5 alt reads of DP 10 -> 0.5
    ev = sample_evidence(["GT", "AD", "AF", "DP"], ["0/1", "5,5", "1.7", "10"], "A", ["C"], 0,
                         {}, GATK_HEADER)
    assert (ev.alt_depth, ev.vaf, ev.convention) == (5, 0.5, "AD")


def test_varscan_declared_ad_number_1_without_freq():
    h = header('##FORMAT=<ID=AD,Number=1,Type=Integer,Description="alt depth">')
    # RD 30, AD 10, DP 41 -> 10/(30+10) = 0.25
    ev = sample_evidence(["GT", "DP", "RD", "AD"], ["0/1", "41", "30", "10"], "G", ["A"], 0, {}, h)
    assert ev == SampleEvidence(41, 10, 0.25, "0/1", "varscan_RD_AD")


def test_site_evidence_info_af_is_not_population_af():
    h = header()
    # LoFreq-style sites-only: DP=200;AF=0.12 -> caller's fraction
    ev = site_evidence("A", ["T"], 0, {"DP": "200", "AF": "0.12"}, h)
    assert (ev.depth, ev.alt_depth, ev.vaf, ev.convention) == (200, None, 0.12, "info_AF_DP")
    # GATK joint-calling INFO: AF = AC/AN, a genotype frequency, not reads
    ev = site_evidence("A", ["T"], 0, {"DP": "82", "AF": "0.167", "AC": "1", "AN": "6"}, h)
    assert (ev.depth, ev.vaf, ev.convention) == (82, None, "dp_only")
    assert site_evidence("A", ["T"], 0, {}, h) == SampleEvidence(None, None, None, None, "none")
    # DP4 pools all non-ref reads: not attributable when there are two real ALTs
    ev = site_evidence("A", ["T", "G"], 0, {"DP4": "5,5,3,2"}, h)
    assert (ev.depth, ev.alt_depth, ev.vaf) == (15, None, None)


# ----------------------------------------------------------------------------- tumour choice


def test_requested_sample_wins_and_missing_one_is_reported():
    samples = ["N1", "T1"]
    assert choose_tumour_sample(samples, GATK_HEADER, "N1", "x.vcf") == 0
    with pytest.raises(MalformedInputError) as err:
        choose_tumour_sample(samples, GATK_HEADER, "TUMOUR_X", "x.vcf")
    message = str(err.value)
    assert "x.vcf" in message and "TUMOUR_X" in message and "N1, T1" in message
    assert err.value.path == "x.vcf"


def test_no_sample_columns():
    assert choose_tumour_sample([], GATK_HEADER, None, "x.vcf") is None
    with pytest.raises(MalformedInputError, match="no sample columns"):
        choose_tumour_sample([], GATK_HEADER, "T1", "x.vcf")


@pytest.mark.parametrize(
    "samples, expected",
    [
        (["NORMAL", "TUMOR"], 1),
        (["tumour", "normal"], 0),
        (["P1_N", "P1_T"], 1),
        (["P1-T1", "P1-N1"], 0),
        (["HCC1395N", "HCC1395T"], 1),
        (["TCGA-AB-1234-10A", "TCGA-AB-1234-01A"], 1),
        (["ref_sample", "tumor_sample"], 1),
    ],
)
def test_tumour_from_names(samples, expected):
    assert choose_tumour_sample(samples, header(), None, "x.vcf") == expected


def test_normal_hint_leaves_the_other_sample():
    h = header("##normal_sample=blood7")
    assert choose_tumour_sample(["blood7", "sampleX"], h, None, "x.vcf") == 1


def test_ambiguous_samples_ask_for_sample_option():
    with pytest.raises(MalformedInputError, match="--sample.*alpha, beta"):
        choose_tumour_sample(["alpha", "beta"], header(), None, "x.vcf")
