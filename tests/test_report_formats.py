"""--format vcf / maf / table writers, on hand-written rows.

Expectations come from the standards, not from the writers' output:
* VCF 4.3 (hts-specs): INFO declared in the header, Number=. lists are comma-separated, special
  characters percent-encoded (section 1.2); bcftools must read the result.
* MAF: GDC MAF specification column names/order; vcf2maf's allele/position conventions
  ('-' for the empty allele, insertion Start/End = flanking bases, deletion Start = first deleted
  base) and its GetVariantClassification mapping.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from her2cli.interpret.evidence import load_evidence
from her2cli.results import MutationCall, SampleResult, Verdict
from her2cli.report.maf import maf_alleles, render_maf, variant_classification
from her2cli.report.terminal import render_terminal
from her2cli.errors import UsageError
from her2cli.report.vcf_out import HER2_FIELDS, render_vcf
from factories import cn_call

pd = pytest.importorskip("pandas")

# GDC MAF specification, columns 1-16 then the annotation columns her2cli fills (in GDC order).
GDC_FIRST = [
    "Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position", "End_Position",
    "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
]
GDC_LATER = ["Tumor_Sample_Barcode", "HGVSc", "HGVSp", "HGVSp_Short", "Transcript_ID", "Exon_Number",
             "t_depth", "t_ref_count", "t_alt_count"]


def mutation(sample="S1", **values) -> MutationCall:
    fields = dict(sample=sample, source="t.vcf", chrom="chr17", genome="GRCh38", transcript="NM_004448.4",
                  filter="PASS", subgroup="other", pos=None, ref=None, alt=None)
    fields.update(values)
    return MutationCall(**fields)


def copy_number(sample="S1"):
    call = cn_call("amplification", "cn_ge_6;ratio_ge_2;purple_amp;pcgr_amp;cnvkit_amp;ngs_cn_gt_7", "focal",
                   8.0, 4.0, sample=sample)
    call.assessment.log2, call.assessment.amplicon_size = 2.0, 500000
    call.assessment.purity_source = "none (assumed 100% tumour)"
    return call


def result(sample, calls, notices=(), verdict=None) -> SampleResult:
    return SampleResult(sample, "t.vcf", "GRCh38", [c for c in calls if c.kind == "mutation"],
                        [c for c in calls if c.kind == "copy_number"], verdict, list(notices))


# ERBB2 (GRCh38) L755S: chr17:39723967 T>C, c.2264T>C.
L755S = dict(pos=39723967, ref="T", alt="C", input_pos=39723967, input_ref="T", input_alt="C",
             hgvs_c="c.2264T>C", hgvs_p="p.Leu755Ser", hgvs_p_short="p.L755S", consequence="missense_variant",
             exon="19/27", domain="kinase domain", subgroup="kinase_domain_missense", protein_position="755",
             depth=204, alt_depth=60, vaf=0.294)
# YVMA = c.2313_2324dup, 12 bases inserted after chr17:39724728 (left-aligned anchor); Mutect writes it
# right-shifted at 39724730.
YVMA = dict(pos=39724728, ref="A", alt="AGCATACGTGATG", input_pos=39724730, input_ref="C",
            input_alt="CATACGTGATGGC", hgvs_c="c.2313_2324dup", hgvs_p="p.Tyr772_Ala775dup",
            hgvs_p_short="p.Y772_A775dup", consequence="inframe_insertion", exon="20/27", domain="kinase domain",
            subgroup="exon20_insertion", legacy_name="A775_G776insYVMA", protein_position="772-775",
            depth=202, alt_depth=52, ref_depth=150, vaf=0.257)  # AD 150,52 in VCF_RECORDS


# ------------------------------------------------------------------------------------------------ MAF
@pytest.fixture(scope="module")
def maf():
    rows = [
        mutation(**L755S),
        mutation(**YVMA),
        # 1-base deletion after the anchor G: deleted base at 39725001.
        mutation(pos=39725000, ref="GA", alt="G", hgvs_c="c.2400del", hgvs_p="p.Lys801fs",
                 hgvs_p_short="p.K801fs", consequence="frameshift_variant", exon="20/27", depth=80, alt_depth=20),
        # 1-base insertion between 39725100 and 39725101.
        mutation(pos=39725100, ref="C", alt="CT", hgvs_c="c.2500dup", consequence="frameshift_variant",
                 hgvs_p_short="p.X834fs", depth=100, alt_depth=10),
        # Splice donor c.2307+1G>A: no protein name; vcf2maf writes p.X769_splice ((2307 + 0) / 3).
        mutation(pos=39724500, ref="G", alt="A", hgvs_c="c.2307+1G>A", hgvs_p="p.?", hgvs_p_short="p.?",
                 consequence="splice_donor_variant&intron_variant", intron="19/26", depth=150, alt_depth=30),
        # In-frame 3-base deletion, a dinucleotide substitution and a splice-region missense.
        mutation(pos=39726000, ref="GAAA", alt="G", hgvs_c="c.2600_2602del", consequence="inframe_deletion"),
        mutation(pos=39726100, ref="GC", alt="TT", hgvs_c="c.2700_2701delinsTT", consequence="missense_variant"),
        mutation(pos=39726200, ref="A", alt="G", hgvs_c="c.2800A>G",
                 consequence="missense_variant&splice_region_variant"),
        copy_number(),
    ]
    text = render_maf([result("S1", rows)])
    assert text.startswith("#version 2.4\n")  # vcf2maf's first line
    return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False, comment="#")


def test_maf_columns_follow_the_gdc_specification(maf):
    columns = list(maf.columns)
    assert columns[:len(GDC_FIRST)] == GDC_FIRST
    later = [c for c in columns if c in GDC_LATER]
    assert later == GDC_LATER  # same relative order as the spec
    assert columns.index("Tumor_Sample_Barcode") > columns.index("Tumor_Seq_Allele2")
    for extra in ("Consequence", "subgroup", "domain", "legacy_name", "evidence"):
        assert extra in columns
    assert columns.index("subgroup") > columns.index("t_alt_count")


def test_maf_has_one_line_per_mutation_and_no_copy_number(maf):
    assert len(maf) == 8
    assert set(maf["Hugo_Symbol"]) == {"ERBB2"}
    assert set(maf["Entrez_Gene_Id"]) == {"2064"}
    assert set(maf["NCBI_Build"]) == {"GRCh38"}
    assert set(maf["Chromosome"]) == {"17"}
    assert set(maf["Strand"]) == {"+"}
    assert set(maf["Tumor_Sample_Barcode"]) == {"S1"}


def line(maf, hgvs_c):
    return maf[maf["HGVSc"] == hgvs_c].iloc[0]


def test_maf_yvma_is_an_in_frame_insertion_between_flanking_bases(maf):
    row = line(maf, "c.2313_2324dup")
    assert row["Variant_Classification"] == "In_Frame_Ins"
    assert row["Variant_Type"] == "INS"
    assert (row["Start_Position"], row["End_Position"]) == ("39724728", "39724729")
    assert row["Reference_Allele"] == "-"
    assert row["Tumor_Seq_Allele1"] == "-"
    assert row["Tumor_Seq_Allele2"] == "GCATACGTGATG"
    assert row["HGVSp_Short"] == "p.Y772_A775dup"
    assert row["HGVSp"] == "p.Tyr772_Ala775dup"
    assert row["Exon_Number"] == "20/27"
    assert row["Transcript_ID"].startswith("ENST00000269571")
    assert (row["t_depth"], row["t_ref_count"], row["t_alt_count"]) == ("202", "150", "52")
    assert row["subgroup"] == "exon20_insertion"
    assert row["legacy_name"] == "A775_G776insYVMA"


def test_maf_l755s_is_a_missense_snp(maf):
    row = line(maf, "c.2264T>C")
    assert row["Variant_Classification"] == "Missense_Mutation"
    assert row["Variant_Type"] == "SNP"
    assert (row["Start_Position"], row["End_Position"]) == ("39723967", "39723967")
    assert (row["Reference_Allele"], row["Tumor_Seq_Allele2"]) == ("T", "C")
    assert row["HGVSp_Short"] == "p.L755S"


def test_maf_frameshifts(maf):
    deletion = line(maf, "c.2400del")
    assert deletion["Variant_Classification"] == "Frame_Shift_Del"
    assert deletion["Variant_Type"] == "DEL"
    assert (deletion["Start_Position"], deletion["End_Position"]) == ("39725001", "39725001")
    assert (deletion["Reference_Allele"], deletion["Tumor_Seq_Allele2"]) == ("A", "-")
    insertion = line(maf, "c.2500dup")
    assert insertion["Variant_Classification"] == "Frame_Shift_Ins"
    assert (insertion["Start_Position"], insertion["End_Position"]) == ("39725100", "39725101")
    assert (insertion["Reference_Allele"], insertion["Tumor_Seq_Allele2"]) == ("-", "T")


def test_maf_splice_site(maf):
    row = line(maf, "c.2307+1G>A")
    assert row["Variant_Classification"] == "Splice_Site"
    assert row["Variant_Type"] == "SNP"
    assert row["HGVSp_Short"] == "p.X769_splice"


def test_maf_other_types(maf):
    inframe = line(maf, "c.2600_2602del")
    assert (inframe["Variant_Classification"], inframe["Variant_Type"]) == ("In_Frame_Del", "DEL")
    assert (inframe["Start_Position"], inframe["End_Position"]) == ("39726001", "39726003")
    assert inframe["Reference_Allele"] == "AAA"
    dnp = line(maf, "c.2700_2701delinsTT")
    assert (dnp["Variant_Type"], dnp["Start_Position"], dnp["End_Position"]) == ("DNP", "39726100", "39726101")
    # missense outranks splice_region in vcf2maf's effect priority
    assert line(maf, "c.2800A>G")["Variant_Classification"] == "Missense_Mutation"
    assert line(maf, "c.2800A>G")["Consequence"] == "missense_variant,splice_region_variant"


@pytest.mark.parametrize("effect,var_type,inframe,expected", [
    ("splice_acceptor_variant", "SNP", True, "Splice_Site"),
    ("stop_gained", "SNP", True, "Nonsense_Mutation"),
    ("stop_lost", "SNP", True, "Nonstop_Mutation"),
    ("start_lost", "SNP", True, "Translation_Start_Site"),
    ("protein_altering_variant", "INS", True, "In_Frame_Ins"),
    ("protein_altering_variant", "DEL", False, "Frame_Shift_Del"),
    ("synonymous_variant", "SNP", True, "Silent"),
    ("stop_retained_variant", "SNP", True, "Silent"),
    ("splice_region_variant", "SNP", True, "Splice_Region"),
    ("intron_variant", "SNP", True, "Intron"),
    ("5_prime_UTR_variant", "SNP", True, "5'UTR"),
    ("3_prime_UTR_variant", "DEL", False, "3'UTR"),
    ("upstream_gene_variant", "SNP", True, "5'Flank"),
    ("downstream_gene_variant", "SNP", True, "3'Flank"),
    ("coding_sequence_variant", "SNP", True, "Missense_Mutation"),
    (None, "SNP", True, "Targeted_Region"),
])
def test_vcf2maf_classification_table(effect, var_type, inframe, expected):
    assert variant_classification(effect, var_type, inframe) == expected


def test_maf_alleles_complex_and_long_substitutions():
    # delins longer than REF is an INS spanning the REF bases (vcf2maf)
    assert maf_alleles(100, "AC", "AGT")[:5] == (101, 101, "C", "GT", "INS")
    assert maf_alleles(100, "ACGT", "TGCA")[4] == "ONP"
    assert maf_alleles(100, "ACG", "TGC")[4] == "TNP"


# ------------------------------------------------------------------------------------------------ VCF
VCF_HEADER = [
    "##fileformat=VCFv4.2",
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    "##contig=<ID=chr1,length=248956422>",
    "##contig=<ID=chr17,length=83257441>",
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOUR",
]
VCF_RECORDS = [
    "chr1\t1000\t.\tA\tG\t.\tPASS\tDP=50\tGT:AD\t0/1:25,25",
    "chr17\t39723967\trs1\tT\tC\t50\tPASS\tDP=204\tGT:AD\t0/1:144,60",
    "chr17\t39724730\t.\tC\tCATACGTGATGGC\t.\tPASS\tDP=202\tGT:AD\t0/1:150,52",
    "chr17\t39725000\t.\tG\tA,T\t.\tPASS\tDP=90\tGT:AD\t1/2:30,30,30",
    "chr17\t39726000\t.\tC\tT\t.\tPASS\tDP=80\tGT:AD\t0/1:80,0",
]


@pytest.fixture()
def vcf_path(tmp_path: Path) -> str:
    path = tmp_path / "tumour.vcf"
    path.write_text("\n".join(VCF_HEADER + VCF_RECORDS) + "\n")
    return str(path)


def vcf_results(with_cn: bool = False):
    rows = [
        mutation(sample="TUMOUR", **L755S),
        mutation(sample="TUMOUR", **YVMA),
        # Both ALTs of the multi-allelic record, written in reverse order on purpose; one value
        # carries every character INFO forbids.
        mutation(sample="TUMOUR", pos=39725000, ref="G", alt="T", input_pos=39725000, input_ref="G",
                 input_alt="T", hgvs_c="c.X>T", consequence="missense_variant", legacy_name="a;b=c,d|e f%"),
        mutation(sample="TUMOUR", pos=39725000, ref="G", alt="A", input_pos=39725000, input_ref="G",
                 input_alt="A", hgvs_c="c.X>A", consequence="stop_gained&splice_region_variant"),
    ]
    if with_cn:
        rows.append(copy_number("TUMOUR"))
    return [result("TUMOUR", rows)]


def _decode(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


def test_vcf_header_declares_her2_and_provenance(vcf_path):
    text = render_vcf(vcf_results(with_cn=True), [vcf_path], command="her2 annotate tumour.vcf --format vcf")
    lines = text.splitlines()
    assert lines[0] == "##fileformat=VCFv4.2"
    header = [x for x in lines if x.startswith("##")]
    her2_info = [x for x in header if x.startswith("##INFO=<ID=HER2,")]
    assert len(her2_info) == 1
    assert "Number=." in her2_info[0] and "Type=String" in her2_info[0]
    # VEP's CSQ subfield names, so that bcftools +split-vep -a HER2 finds Consequence, HGVSc...
    assert "Format: Allele|Consequence|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|" in her2_info[0]
    assert her2_info[0].endswith("|oncogenicity|origin\">")
    assert any(x.startswith("##her2cli_version=") for x in header)
    assert "##her2cli_command=her2 annotate tumour.vcf --format vcf" in header
    assert any(x.startswith("##her2cli_") and "copy-number" in x for x in header)
    # the original header is kept, and the column line comes once, after every ## line
    for original in VCF_HEADER[1:-1]:
        assert original in header
    chrom_lines = [i for i, x in enumerate(lines) if x.startswith("#CHROM")]
    assert chrom_lines == [len(header)]
    assert lines[chrom_lines[0]] == VCF_HEADER[-1]


def test_vcf_records_are_the_annotated_input_records(vcf_path):
    text = render_vcf(vcf_results(), [vcf_path], command="her2")
    records = [x.split("\t") for x in text.splitlines() if not x.startswith("#")]
    # every input record, in input order, as VEP keeps them; only annotated ones gain HER2
    assert [r[:2] for r in records] == [r.split("\t")[:2] for r in VCF_RECORDS]
    originals = {tuple(r.split("\t")[:2]): r.split("\t") for r in VCF_RECORDS}
    for record in records:
        original = originals[(record[0], record[1])]
        assert record[:7] == original[:7]
        assert record[8:] == original[8:]
        if record[1] in ("39723967", "39724730", "39725000"):
            assert record[7].startswith(original[7] + ";HER2=")
        else:
            assert record[7] == original[7]
    yvma = dict(zip(HER2_FIELDS, records[2][7].split("HER2=")[1].split("|")))
    assert yvma["Allele"] == "ATACGTGATGGC"  # VEP's allele: the shared first base C dropped
    assert yvma["HGVSc"] == "NM_004448.4:c.2313_2324dup"
    assert yvma["HGVSp"] == "NP_004439.2:p.Tyr772_Ala775dup"
    assert yvma["Consequence"] == "inframe_insertion"
    assert yvma["DOMAINS"] == "kinase_domain"  # VEP writes white space as _
    assert yvma["legacy_name"] == "A775_G776insYVMA"


def test_vcf_multiallelic_entries_follow_alt_order_and_are_escaped(vcf_path):
    text = render_vcf(vcf_results(), [vcf_path], command="her2")
    info = [x for x in text.splitlines() if x.startswith("chr17\t39725000")][0].split("\t")[7]
    value = info.split("HER2=")[1]
    assert ";" not in value and "=" not in value and " " not in value
    entries = value.split(",")
    assert [e.split("|")[0] for e in entries] == ["A", "T"]
    assert all(len(e.split("|")) == len(HER2_FIELDS) for e in entries)
    assert dict(zip(HER2_FIELDS, entries[0].split("|")))["Consequence"] == "stop_gained&splice_region_variant"
    # VEP's replacements: , and | -> &, ; -> %3B, = -> %3D, white space -> _
    assert dict(zip(HER2_FIELDS, entries[1].split("|")))["legacy_name"] == "a%3Bb%3Dc&d&e_f%"


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_bcftools_reads_the_annotated_vcf(vcf_path, tmp_path):
    out = tmp_path / "annotated.vcf"
    out.write_text(render_vcf(vcf_results(with_cn=True), [vcf_path], command="her2 annotate x --format vcf"))
    done = subprocess.run(["bcftools", "query", "-f", "%CHROM\t%POS\t%INFO/HER2\n", str(out)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = [x.split("\t") for x in done.stdout.splitlines()]
    assert [(x[0], x[1]) for x in lines] == [tuple(r.split("\t")[:2]) for r in VCF_RECORDS]
    assert dict(zip(HER2_FIELDS, lines[1][2].split("|")))["HGVSp_Short"] == "p.L755S"
    assert len(lines[3][2].split(",")) == 2
    header = subprocess.run(["bcftools", "view", "-h", str(out)], capture_output=True, text=True, timeout=30)
    assert header.returncode == 0 and "ID=HER2" in header.stdout


def test_vcf_takes_exactly_one_input(vcf_path):
    with pytest.raises(UsageError) as caught:
        render_vcf(vcf_results(), [vcf_path, vcf_path])
    assert caught.value.exit_code == 2
    assert "--format vcf takes one input VCF" in caught.value.one_line()
    with pytest.raises(UsageError):
        render_vcf(vcf_results(), [])


def test_vcf_from_stdin_is_rebuilt_from_rows():
    text = render_vcf(vcf_results(), ["-"], command="her2 annotate -")
    lines = text.splitlines()
    assert lines[0].startswith("##fileformat=VCFv4")
    column = [x for x in lines if x.startswith("#CHROM")][0]
    assert column.split("\t") == ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    records = [x.split("\t") for x in lines if not x.startswith("#")]
    assert ("chr17", "39724730", "C", "CATACGTGATGGC") in {(r[0], r[1], r[3], r[4]) for r in records}
    multi = [r for r in records if r[1] == "39725000"][0]
    # the input's ALT order is lost with stdin; entries must still follow the written ALT order
    assert sorted(multi[4].split(",")) == ["A", "T"]
    entries = multi[7].split("HER2=")[1].split(",")
    assert [e.split("|")[0] for e in entries] == multi[4].split(",")


# ------------------------------------------------------------------------------------------ terminal
def terminal_results():
    table = load_evidence()
    lines = [table.by_id("tdxd_mut_fda"), table.by_id("zong_tkd_fda_2l")]
    rows = [mutation(sample="P1", **YVMA, evidence=lines),
            mutation(sample="P1", **dict(L755S, depth=45, alt_depth=9, vaf=0.2)),
            copy_number("P1")]
    summary = Verdict(
        sample="P1", mutation_status="mutated", mutation_subgroups=["exon20_insertion", "kinase_domain_missense"],
        mutations=["p.Y772_A775dup", "p.L755S"], amplification_status="amplification",
        amplification_definitions_met=["cn_ge_6", "ratio_ge_2", "pcgr_amp"], focality="focal", copy_number=8.0,
        ratio_chr17=4.0, copy_number_basis="raw", overexpression="not assessable from DNA",
        co_occurring="mutation+amplification", evidence=lines, evidence_table_date=table.date,
    )
    notices = ["tumour.vcf: skipped 1 symbolic/breakend/spanning-deletion ALT allele(s) in the ERBB2 region",
               "tumour.cns: no purity available for P1: copy number is not rescaled to tumour cells (give --purity)"]
    return [result("P1", rows, notices, summary)]


def test_terminal_fits_80_columns_without_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = render_terminal(terminal_results(), "2026-01-15", width=80, color=False)
    assert max(len(x) for x in text.splitlines()) <= 80
    assert "\x1b[" not in text


def test_terminal_no_color_environment_wins(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in render_terminal(terminal_results(), "2026-01-15", width=80, color=True)
    monkeypatch.delenv("NO_COLOR")
    # and colour does appear when asked for, so the check above means something
    assert "\x1b[" in render_terminal(terminal_results(), "2026-01-15", width=80, color=True)


def test_terminal_sections_in_order_with_definitions_and_flags(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = render_terminal(terminal_results(), "2026-01-15", width=80, color=False)
    order = [text.index(x) for x in ("Mutation", "Amplification", "Overexpression", "Co-occurring",
                                     "Mutations (", "Copy number (", "Notices")]
    assert order == sorted(order)
    for name in ("cn_ge_6", "ratio_ge_2", "purple_amp", "pcgr_amp", "cnvkit_amp", "ngs_cn_gt_7"):
        assert name in text
    verdict = text[:text.index("Mutations (")]
    assert verdict.count(" not met") == 3 and verdict.count(" met") == 6
    assert "45 low" in text  # depth < 100 flagged in the table ...
    assert "low depth: p.L755S" in text  # ... and in the notices
    assert "skipped 1 symbolic" in text and "no purity" in text
    assert "2026-01-15" in text
    assert "zongertinib" in text
