"""Coverage behind a negative (issue 22; docs/coverage.md): real BAM/mosdepth files made at test time, the
shared gVCF and non-human fixtures, and the verdict + basis each case gets."""

from __future__ import annotations

import gzip
import math
import os
import re
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from coverage_data import exon_bed, write_bam, write_reference  # noqa: E402

from her2cli.cli import run  # noqa: E402
from her2cli.coverage.assess import coding_exons, hotspot_spans  # noqa: E402
from her2cli.coverage.lod import detection_probability, limit_of_detection, min_purity_for_detection  # noqa: E402
from her2cli.io.coverage import read_coverage, sniff  # noqa: E402

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures")
ALL_EXONS = list(range(1, 28))
DRIVER_EXONS = [8, 17, 19, 20, 21]

# A GRCh38 VCF with chr17 and no ERBB2 record (a negative).
NEGATIVE_VCF = """##fileformat=VCFv4.2
##contig=<ID=chr17,length=83257441>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT
chr17\t7675088\t.\tC\tT\t50\tPASS\t.\tGT\t0/1
"""


def _negative_vcf(tmp_path) -> str:
    path = tmp_path / "neg.vcf"
    path.write_text(NEGATIVE_VCF)
    return str(path)


def _summary(capsys, *args) -> dict:
    code = run(["annotate", *args, "--summary", "-f", "tsv", "-q"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    header, row = out[0].split("\t"), out[1].split("\t")
    return dict(zip(header, row))


# --- the limit-of-detection model ---------------------------------------------------------------------------

def test_guideline_worked_example():
    # Jennings et al. 2017 (PMID 28341590): 250 reads, 5% VAF, >= 5 alt reads called: 99.543% detected.
    assert detection_probability(250, 0.05, 5) == pytest.approx(0.995429, abs=1e-6)
    assert limit_of_detection(250, 5) < 0.05


def test_lod_one_read_closed_form():
    # With one alt read enough, P(detect) = 1 - (1 - f)^n, so the 95% LoD is 1 - 0.05^(1/n).
    for depth in (10, 80, 250, 1000):
        assert limit_of_detection(depth, 1) == pytest.approx(1 - 0.05 ** (1 / depth), rel=1e-9)


def test_lod_bounds_and_purity():
    lod = limit_of_detection(80, 5)
    assert detection_probability(80, lod, 5) == pytest.approx(0.95, abs=1e-9)
    assert detection_probability(80, lod * 0.99, 5) < 0.95
    assert limit_of_detection(4, 5) is None  # fewer reads than the caller needs: nothing can be called
    assert min_purity_for_detection(0.05) == pytest.approx(0.10)  # clonal heterozygous: VAF = purity / 2
    assert min_purity_for_detection(0.6) is None


def test_hotspot_codons_on_the_genome():
    # c.928 (S310, first base) is exon 8's coding start c.902 (GRCh38 39711928, shared/reference/exons_GRCh38.tsv)
    # + 26; the exon 20 insertion window 770-831 is exon 20 exactly (c.2308-2493 = 39724726-39724911).
    spans = {label: (exon, start, end) for label, _f, _l, exon, start, end, _s in hotspot_spans("GRCh38")}
    assert spans["S310"] == (8, 39711954, 39711956)
    assert spans["770-831 (exon 20 insertions)"] == (20, 39724726, 39724911)
    assert spans["V842"][0] == 21 and spans["L755"][0] == 19 and spans["G660"][0] == 17


# --- depths agree with samtools depth and mosdepth to the base ------------------------------------------------

def _samtools_depth(bam: str, start: int, end: int, chrom: str = "chr17") -> list[int]:
    out = subprocess.run(["samtools", "depth", "-a", "-r", f"{chrom}:{start}-{end}", bam], check=True,
                         capture_output=True, text=True).stdout
    return [int(line.split("\t")[2]) for line in out.splitlines()]


@pytest.fixture(scope="module")
def mixed_bam(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bam")
    depths = {n: (n * 37) % 400 for n in ALL_EXONS}  # 0x to ~400x, exon 27 at 0 (n=27: 999 % 400 = 199)
    depths[20] = 0
    return write_bam(str(folder / "mixed.bam"), depths, extra_random=5)


@pytest.mark.skipif(shutil.which("samtools") is None, reason="samtools not installed")
def test_bam_depth_equals_samtools_on_every_exon(mixed_bam):
    exons = coding_exons("GRCh38")
    read = read_coverage(mixed_bam, None, lambda g: [(s, e) for _n, s, e in coding_exons(g)])
    assert read.kind == "BAM" and read.genome == "GRCh38"
    for (number, start, end), ours in zip(exons, read.depths):
        assert ours == _samtools_depth(mixed_bam, start, end), f"exon {number}"


@pytest.mark.skipif(shutil.which("mosdepth") is None or shutil.which("samtools") is None,
                    reason="mosdepth/samtools not installed")
def test_mosdepth_outputs_read_to_the_base(mixed_bam, tmp_path):
    bed = exon_bed(str(tmp_path / "exons.bed"), ALL_EXONS)
    prefix = str(tmp_path / "md")
    subprocess.run(["mosdepth", "--by", bed, "--thresholds", "100,250", prefix, mixed_bam], check=True)
    intervals = [(s, e) for _n, s, e in coding_exons("GRCh38")]
    per_base = f"{prefix}.per-base.bed.gz"
    assert sniff(per_base) == "mosdepth per-base"
    assert sniff(f"{prefix}.regions.bed.gz") == "mosdepth regions"
    assert sniff(f"{prefix}.thresholds.bed.gz") == "mosdepth thresholds"
    read = read_coverage(per_base, "GRCh38", lambda g: intervals)
    for (start, end), ours in zip(intervals, read.depths):
        assert ours == _samtools_depth(mixed_bam, start, end)
    # regions: each base gets its region's mean, mosdepth's two-decimal mean of samtools' depths (exons 2-26 are
    # all coding, so the region is the coding exon)
    read = read_coverage(f"{prefix}.regions.bed.gz", "GRCh38", lambda g: intervals)
    for (number, start, end), ours in zip(coding_exons("GRCh38"), read.depths):
        if 2 <= number <= 26:
            depth = _samtools_depth(mixed_bam, start, end)
            assert len(set(ours)) == 1, number
            assert ours[0] == pytest.approx(sum(depth) / len(depth), abs=0.005), number
    # thresholds over whole exons: the coding-exon share is exact where the exon is all coding (exons 2-26)
    read = read_coverage(f"{prefix}.thresholds.bed.gz", "GRCh38", lambda g: intervals, min_depth=250)
    for (number, start, end), share in zip(coding_exons("GRCh38"), read.shares):
        if 2 <= number <= 26:
            depth = _samtools_depth(mixed_bam, start, end)
            assert share == pytest.approx(sum(d >= 250 for d in depth) / len(depth)), number


@pytest.mark.skipif(shutil.which("mosdepth") is None or shutil.which("samtools") is None,
                    reason="mosdepth/samtools not installed")
def test_mosdepth_regions_without_an_exon_say_its_depth_is_unknown(tmp_path, capsys):
    # Every exon read at 300x (samtools depth below), but mosdepth run --by exons 8 and 20 only: its regions and
    # thresholds files have no row over exons 17, 19 and 21, so their depth is unknown, not "0% of bases".
    bam = write_bam(str(tmp_path / "all300.bam"), {n: 300 for n in ALL_EXONS})
    for number, start, end in coding_exons("GRCh38"):
        if number in (17, 19, 21):
            assert min(_samtools_depth(bam, start, end)) == 300
    prefix = str(tmp_path / "md")
    subprocess.run(["mosdepth", "-n", "--by", exon_bed(str(tmp_path / "two.bed"), [8, 20]), "--thresholds", "250",
                    prefix, bam], check=True)
    for suffix in ("regions", "thresholds"):
        row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", f"{prefix}.{suffix}.bed.gz")
        assert row["mutation_status"] == "not_assessed"
        assert row["assessment_basis"] == "exons 17, 19, 21: depth unknown", suffix


# --- verdict and basis ----------------------------------------------------------------------------------------

def test_no_coverage_keeps_not_detected_but_says_so(tmp_path, capsys):
    row = _summary(capsys, _negative_vcf(tmp_path))
    assert row["mutation_status"] == "not_detected" and row["assessment_basis"] == "coverage not given"


def test_high_depth_bam_is_a_real_negative(tmp_path, capsys):
    bam = write_bam(str(tmp_path / "high.bam"), {n: 300 for n in ALL_EXONS})
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam)
    assert row["mutation_status"] == "not_detected"
    assert row["assessment_basis"].startswith("exons 8, 17, 19, 20, 21: 100% of bases >= 250x (BAM)")


def test_low_depth_bam_is_not_assessed(tmp_path, capsys):
    bam = write_bam(str(tmp_path / "low.bam"), {n: 80 for n in ALL_EXONS}, read_length=1000)
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam)
    assert row["mutation_status"] == "not_assessed"
    assert row["assessment_basis"] == "exons 8, 17, 19, 20, 21: 0% of bases >= 250x"
    # the same reads pass a 50x threshold (one read-length tile per exon: every base at exactly 80x)
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam, "--min-depth", "50")
    assert row["mutation_status"] == "not_detected"


def test_bam_without_exon_20(tmp_path, capsys):
    depths = {n: 300 for n in ALL_EXONS}
    depths[20] = 0
    bam = write_bam(str(tmp_path / "no20.bam"), depths)
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam)
    assert row["mutation_status"] == "not_assessed"
    assert row["assessment_basis"] == "exon 20: 0% of bases >= 250x"


def test_panel_without_erbb2(tmp_path, capsys):
    bed = tmp_path / "panel.bed"
    bed.write_text("chr7\t55019016\t55019366\tEGFR_e1\nchr17\t7675000\t7675200\tTP53_e5\n")
    row = _summary(capsys, _negative_vcf(tmp_path), "--targets", str(bed))
    assert row["mutation_status"] == "not_assessed"
    assert row["assessment_basis"] == "ERBB2 not in the panel's targets"


def test_panel_with_the_driver_exons(tmp_path, capsys):
    bed = exon_bed(str(tmp_path / "panel.bed"), DRIVER_EXONS)
    row = _summary(capsys, _negative_vcf(tmp_path), "--targets", bed)
    assert row["mutation_status"] == "not_detected"
    assert "depth not given" in row["assessment_basis"]


def shared_fixture(name: str) -> str:
    """A real caller file of ../shared/fixtures; the test skips when ../shared is absent."""
    path = os.path.join(SHARED, name)
    if not os.path.exists(path):
        pytest.skip("../shared absent")
    return path


def test_non_human_vcf(capsys):
    path = shared_fixture("bcftools_v1.11_mpileup_call.sarscov2_nfcore.vcf")
    row = _summary(capsys, path)
    assert row["mutation_status"] == "not_assessed"
    assert row["assessment_basis"].startswith("no chr17 in the VCF header")
    assert "MT192765.1" in row["assessment_basis"]


def test_gatk_gvcf_of_other_chromosomes(capsys):
    # HaplotypeCaller -ERC GVCF of chr20/21 (GRCh37 lengths): a human file that cannot speak to ERBB2.
    path = shared_fixture("gatk4_haplotypecaller.testGVCFMode.g.vcf")
    row = _summary(capsys, path)
    assert (row["mutation_status"], row["assessment_basis"]) == ("not_assessed", "no chr17 in the VCF header")


def test_pisces_genome_vcf_without_erbb2_sites(capsys):
    # A Pisces genome VCF lists every callable site (ALT '.'); it has chr17 sites but none in ERBB2.
    path = shared_fixture("pisces_v5.2.5.genome.vcf")
    row = _summary(capsys, path)
    assert row["mutation_status"] == "not_assessed"
    assert row["assessment_basis"] == "exons 8, 17, 19, 20, 21: 0% of bases >= 250x"


def _gvcf(tmp_path, min_dp_exon20: int) -> str:
    """GATK-style blocks over every ERBB2 coding exon (GRCh38), exon 20's at its own MIN_DP."""
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=chr17,length=83257441>",
             '##ALT=<ID=NON_REF,Description="Represents any possible alternative allele not already represented">',
             '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
             '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP observed within the block">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT"]
    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    for number, start, end in coding_exons("GRCh38"):
        exon = tx.builds["GRCh38"].exons[number - 1]
        ref = tx.sequence[exon.tx_start - 1 + start - exon.start]
        dp = min_dp_exon20 if number == 20 else 400
        lines.append(f"chr17\t{start}\t.\t{ref}\t<NON_REF>\t.\t.\tEND={end}\tGT:DP:GQ:MIN_DP\t0/0:{dp + 20}:99:{dp}")
    path = tmp_path / f"t{min_dp_exon20}.g.vcf"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_gvcf_blocks(tmp_path, capsys):
    row = _summary(capsys, _gvcf(tmp_path, 400))
    assert row["mutation_status"] == "not_detected" and "(gVCF)" in row["assessment_basis"]
    row = _summary(capsys, _gvcf(tmp_path, 38))
    assert (row["mutation_status"], row["assessment_basis"]) == ("not_assessed", "exon 20: 0% of bases >= 250x")


def test_positive_stays_positive_with_low_coverage(tmp_path, capsys):
    bam = write_bam(str(tmp_path / "low.bam"), {n: 20 for n in ALL_EXONS})
    row = _summary(capsys, "sample_data/tumour.vcf", "--coverage", bam)
    assert row["mutation_status"] == "activating"
    assert row["assessment_basis"] == "exons 8, 17, 19, 20, 21: 0% of bases >= 250x"


def test_bad_coverage_inputs(tmp_path, capsys):
    bed = exon_bed(str(tmp_path / "t.bed"), DRIVER_EXONS)
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", bed]) == 2
    assert "--targets" in capsys.readouterr().err
    junk = tmp_path / "junk.bam"
    junk.write_bytes(b"\x00\x01garbage")
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", str(junk)]) == 4
    err = capsys.readouterr().err
    assert "junk.bam" in err and "Traceback" not in err


def test_docs_example_runs():
    text = open(os.path.join(os.path.dirname(__file__), "..", "docs", "coverage.md")).read()
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "docs/coverage.md", "exec"), {})


def test_cohort_sheet_columns_and_denominators(tmp_path, capsys):
    vcf = _negative_vcf(tmp_path)
    write_bam(str(tmp_path / "high.bam"), {n: 300 for n in ALL_EXONS})
    write_bam(str(tmp_path / "low.bam"), {n: 30 for n in ALL_EXONS})
    panel = tmp_path / "panel.bed"
    panel.write_text("chr7\t55019016\t55019366\tEGFR_e1\n")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\tvcf\tcoverage\ttargets\n"
                     f"covered\t{vcf}\thigh.bam\t\n"
                     f"shallow\t{vcf}\tlow.bam\t\n"
                     f"offpanel\t{vcf}\t\tpanel.bed\n"
                     f"unqualified\t{vcf}\t\t\n")
    out = tmp_path / "out"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == 0
    import csv

    with open(out / "samples.tsv") as handle:
        rows = {r["sample"]: r for r in csv.DictReader(handle, delimiter="\t")}
    assert rows["covered"]["mutation_status"] == "not_detected"
    assert rows["shallow"]["mutation_status"] == "not_assessed"
    assert rows["offpanel"]["assessment_basis"] == "ERBB2 not in the panel's targets"
    assert (rows["unqualified"]["mutation_status"], rows["unqualified"]["assessment_basis"]) == \
        ("not_detected", "coverage not given")
    with open(out / "cohort.tsv") as handle:
        counts = {(r["category"], r["value"]): r for r in csv.DictReader(handle, delimiter="\t")}
    # 2 not assessed (shallow, offpanel) leave 2 assessed samples, both negative
    assert counts[("mutation_status", "not_detected")]["n_samples"] == "2"
    assert counts[("mutation_status", "not_detected")]["denominator"] == "2"
    assert counts[("mutation_status", "not_assessed")]["n_samples"] == "2"


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_vcf_output_header_says_what_the_status_rests_on(tmp_path):
    bam = write_bam(str(tmp_path / "no20.bam"), {n: (0 if n == 20 else 300) for n in ALL_EXONS})
    out = tmp_path / "o.vcf"
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", bam, "-o", str(out), "-q"]) == 0
    header = subprocess.run(["bcftools", "view", "-h", str(out)], check=True, capture_output=True,
                            text=True).stdout.splitlines()
    assert '##her2cli_assessment=<Sample=T,MutationStatus=not_assessed,Basis="exon 20: 0% of bases >= 250x">' in header


def test_json_and_html_carry_the_coverage(tmp_path, capsys):
    import json

    import jsonschema

    from her2cli.report.json_report import json_schema

    bam = write_bam(str(tmp_path / "no20.bam"), {n: (0 if n == 20 else 300) for n in ALL_EXONS})
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", bam, "-f", "json", "-q"]) == 0
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, json_schema())
    sample = document["samples"][0]
    assert sample["summary"]["assessment_basis"] == "exon 20: 0% of bases >= 250x"
    coverage = sample["coverage"]
    assert coverage["kind"] == "BAM" and coverage["assessed"] is False and coverage["min_depth"] == 250
    exon20 = next(e for e in coverage["exons"] if e["exon"] == 20)
    assert (exon20["bases_targeted"], exon20["min_depth"], exon20["share_at_min_depth"]) == (186, 0, 0)
    window = next(h for h in coverage["hotspots"] if h["first_codon"] == 770)
    assert window["depth"] == 0 and window["lod_vaf"] is None  # nothing can be called with no reads
    html = tmp_path / "r.html"
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", bam, "-o", str(html), "-q"]) == 0
    text = html.read_text()
    assert "Coverage behind the mutation status" in text and "exon 20: 0% of bases &gt;= 250x" in text
    assert 'class="exon-coverage"' in text and "none callable" in text
    # Every depth figure carries its unit (reads, "x" on the axis), like the threshold it is read against.
    assert ">median depth (reads)</th>" in text and ">depth (reads)</th>" in text
    axis = re.findall(r'font-size="11" text-anchor="end">([^<]*)</text>', text.split('class="exon-coverage"')[1])
    assert axis and all(label == "0" or label.endswith("x") for label in axis), axis


@pytest.mark.skipif(shutil.which("samtools") is None, reason="samtools not installed")
def test_cram(tmp_path, capsys):
    # A CRAM written by samtools with the read bases stored (no_ref=1), so that it decodes whatever FASTA is
    # given; --reference is still required (pysam would otherwise look the reference up over the network).
    bam = write_bam(str(tmp_path / "no20.bam"), {n: (0 if n == 20 else 300) for n in ALL_EXONS})
    cram = str(tmp_path / "no20.cram")
    subprocess.run(["samtools", "view", "-C", "--output-fmt-option", "no_ref=1", "-o", cram, bam], check=True)
    subprocess.run(["samtools", "index", cram], check=True)
    fasta = tmp_path / "chr17.fa"
    fasta.write_text(">chr17\nACGTACGTAC\n")
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    assert sniff(cram) == "CRAM"
    read = read_coverage(cram, None, lambda g: [(s, e) for _n, s, e in coding_exons(g)], reference=str(fasta))
    expected = read_coverage(bam, None, lambda g: [(s, e) for _n, s, e in coding_exons(g)])
    assert read.kind == "CRAM" and read.depths == expected.depths
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", cram, "--reference", str(fasta))
    assert (row["mutation_status"], row["assessment_basis"]) == ("not_assessed", "exon 20: 0% of bases >= 250x")
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", cram]) == 2
    assert "needs --reference" in capsys.readouterr().err


def test_unindexed_bam_and_wrong_build(tmp_path, capsys):
    bam = write_bam(str(tmp_path / "b.bam"), {8: 10})
    os.remove(bam + ".bai")
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", bam]) == 3
    assert "samtools index" in capsys.readouterr().err
    grch37 = write_bam(str(tmp_path / "b37.bam"), {8: 10}, genome="GRCh37")
    assert run(["annotate", _negative_vcf(tmp_path), "--coverage", grch37]) == 5
    assert "GRCh37" in capsys.readouterr().err


@pytest.mark.skipif(any(shutil.which(t) is None for t in ("bcftools", "samtools", "bgzip")),
                    reason="bcftools/samtools/bgzip not installed")
def test_bcftools_gvcf(tmp_path, capsys):
    # bcftools mpileup | bcftools call -g: reference blocks with ALT '.', END and INFO/MinDP.
    import json

    depths = {n: 300 for n in ALL_EXONS}
    depths[20] = 40
    bam = write_bam(str(tmp_path / "g.bam"), depths)
    fasta = write_reference(str(tmp_path / "ref.fa.gz"))
    pileup = subprocess.run(["bcftools", "mpileup", "-f", fasta, "-d", "10000", "-a", "AD,DP",
                             "-r", "chr17:39700000-39730000", bam], check=True, capture_output=True).stdout
    gvcf = tmp_path / "g.g.vcf"
    gvcf.write_bytes(subprocess.run(["bcftools", "call", "-m", "-g", "0"], input=pileup, check=True,
                                    capture_output=True).stdout)
    assert "MinDP=" in gvcf.read_text()
    row = _summary(capsys, str(gvcf))
    assert (row["mutation_status"], row["assessment_basis"]) == ("not_assessed", "exon 20: 0% of bases >= 250x")
    assert run(["annotate", str(gvcf), "--min-depth", "40", "-f", "json", "-q"]) == 0
    document = json.loads(capsys.readouterr().out)
    coverage = document["samples"][0]["coverage"]
    assert coverage["kind"] == "gVCF" and coverage["assessed"] is True
    # every exon's minimum depth from the blocks is samtools depth's minimum over the exon
    for exon, (number, start, end) in zip(coverage["exons"], coding_exons("GRCh38")):
        assert exon["min_depth"] == min(_samtools_depth(bam, start, end)), number


def test_every_report_says_the_negative_is_unqualified(tmp_path, capsys):
    vcf = _negative_vcf(tmp_path)
    assert run(["annotate", vcf, "-f", "tsv"]) == 0  # the alteration table is empty: the note says it
    assert "coverage not given: the negative is not qualified" in capsys.readouterr().err
    assert run(["annotate", vcf, "-f", "table", "-q"]) == 0
    assert "Rests on        coverage not given" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("samtools") is None, reason="samtools not installed")
def test_partial_exon_share_is_samtools_share(tmp_path, capsys):
    # exon 20 (186 coding bases) tiled 150 times by 100-base reads: the bases where the two tiles overlap are read
    # 300 times, the others 150 times; the share >= 250x is what samtools depth counts.
    depths = {n: 300 for n in ALL_EXONS}
    depths[20] = 150
    bam = write_bam(str(tmp_path / "p.bam"), depths)
    start, end = next((s, e) for n, s, e in coding_exons("GRCh38") if n == 20)
    theirs = _samtools_depth(bam, start, end)
    share = sum(d >= 250 for d in theirs) / len(theirs)
    assert 0 < share < 1
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam)
    assert row["mutation_status"] == "not_assessed"
    assert row["assessment_basis"] == f"exon 20: {100 * share:.0f}% of bases >= 250x"


def test_targets_and_depth_together(tmp_path, capsys):
    bam = write_bam(str(tmp_path / "high.bam"), {n: 300 for n in ALL_EXONS})
    panel = exon_bed(str(tmp_path / "panel.bed"), DRIVER_EXONS)
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam, "--targets", panel)
    assert row["mutation_status"] == "not_detected"
    # a panel missing exon 20: its reads (off-target here) do not count
    panel = exon_bed(str(tmp_path / "panel19.bed"), [8, 17, 19, 21])
    row = _summary(capsys, _negative_vcf(tmp_path), "--coverage", bam, "--targets", panel)
    assert (row["mutation_status"], row["assessment_basis"]) == \
        ("not_assessed", "exon 20: 0% of bases in the panel's targets")


def test_defaults_are_the_documented_ones():
    from her2cli.coverage import DEFAULT_MIN_ALT_READS, DEFAULT_MIN_DEPTH
    from her2cli.request import Options

    assert (Options().min_depth, Options().min_alt_reads) == (DEFAULT_MIN_DEPTH, DEFAULT_MIN_ALT_READS) == (250, 5)
    text = open(os.path.join(os.path.dirname(__file__), "..", "docs", "coverage.md")).read()
    assert "| `--min-depth N` | 250 |" in text and "PMID 28341590" in text and "| `--min-alt-reads N` | 5 |" in text
