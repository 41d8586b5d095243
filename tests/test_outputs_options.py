"""Options users of vcf2maf and VEP expect (issue 23 item 9): --retain-info / --retain-fmt / --maf-center on
the MAF (vcf2maf.pl: each INFO key a column named as the key, each FORMAT key a t_KEY and an n_KEY column, a
name already used by a column not added again, a flag written 1, an absent key empty; Center from
--maf-center), and --vcf-info-field naming the annotated VCF's INFO field (VEP's --vcf_info_field).

Expected values are read straight from the input record's text, not from her2cli.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
SAGE = FIXTURES / "sage_v4.0_germline_purple_v4.1.tumor_sample.purple.germline.vcf"

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr17,length=83257441,assembly=GRCh38>
##INFO=<ID=HOTSPOT,Number=0,Type=Flag,Description="Hotspot">
##INFO=<ID=TLOD,Number=A,Type=Float,Description="Tumour LOD">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
"""
YVMA = "chr17\t39724730\t.\tC\tCATACGTGATGGC\t50\tPASS\tHOTSPOT;TLOD=41.2\tGT:AD:DP\t0/1:70,30:100"


def her2(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, text=True, timeout=120)


def maf_rows(path: Path) -> tuple[list[str], list[dict]]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return lines[0].split("\t"), list(csv.DictReader(lines, delimiter="\t"))


@pytest.fixture()
def yvma(tmp_path: Path) -> Path:
    path = tmp_path / "t.vcf"
    path.write_text(HEADER + YVMA + "\n")
    return path


def test_retained_fields_follow_vcf2maf(yvma, tmp_path):
    out = tmp_path / "x.maf"
    proc = her2("annotate", str(yvma), "-o", str(out), "--retain-info", "HOTSPOT,TLOD,MISSING,center,somatic",
                "--retain-fmt", "AD,DP", "--maf-center", "broad.mit.edu")
    assert proc.returncode == 0, proc.stderr
    columns, rows = maf_rows(out)
    # vcf2maf: INFO keys in order, a name already a column (Center, VEP's SOMATIC, any case) skipped; then t_/n_ per FORMAT key
    assert columns[-7:] == ["HOTSPOT", "TLOD", "MISSING", "t_AD", "n_AD", "t_DP", "n_DP"]
    assert columns.count("Center") == columns.count("SOMATIC") == 1 and not {"center", "somatic"} & set(columns)
    (row,) = rows
    assert (row["HOTSPOT"], row["TLOD"], row["MISSING"]) == ("1", "41.2", "")
    assert (row["t_AD"], row["n_AD"], row["t_DP"], row["n_DP"]) == ("70,30", "", "100", "")
    assert row["Center"] == "broad.mit.edu"


@pytest.mark.skipif(not SAGE.exists(), reason="../shared/fixtures is not beside the repository")
def test_retained_fields_of_a_real_tumour_normal_file(tmp_path):
    """SAGE germline: the ERBB2 P1170A record (fixture README); tumour and normal FORMAT values by column name."""
    record = next(line.rstrip("\n").split("\t") for line in SAGE.open()
                  if line.startswith("17\t37884037\t"))
    names = next(line.rstrip("\n").split("\t") for line in SAGE.open() if line.startswith("#CHROM"))
    info = dict(item.partition("=")[::2] for item in record[7].split(";"))
    keys = record[8].split(":")
    tumour = dict(zip(keys, record[names.index("tumor_sample")].split(":")))
    normal = dict(zip(keys, record[names.index("ref_sample")].split(":")))
    out = tmp_path / "g.maf"
    proc = her2("annotate", str(SAGE), "-o", str(out), "--retain-info", "TIER,PURPLE_CN",
                "--retain-fmt", "AD,AF")
    assert proc.returncode == 0, proc.stderr
    _, rows = maf_rows(out)
    (row,) = [r for r in rows if r["vcf_pos"] == "37884037"]
    assert (row["TIER"], row["PURPLE_CN"]) == (info["TIER"], info["PURPLE_CN"])
    assert (row["t_AD"], row["n_AD"]) == (tumour["AD"], normal["AD"])
    assert (row["t_AF"], row["n_AF"]) == (tumour["AF"], normal["AF"])
    assert row["Center"] == "."  # vcf2maf's default


def test_vcf_info_field_names_the_annotation(yvma, tmp_path):
    out = tmp_path / "x.vcf"
    proc = her2("annotate", str(yvma), "-o", str(out), "--vcf-info-field", "ERBB2_CSQ")
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "##INFO=<ID=ERBB2_CSQ,Number=.,Type=String" in text and "ID=HER2," not in text
    record = [line for line in text.splitlines() if not line.startswith("#")][0].split("\t")
    assert record[7].startswith("HOTSPOT;TLOD=41.2;ERBB2_CSQ=") and "HER2=" not in record[7]
    if shutil.which("bcftools"):
        split = subprocess.run(["bcftools", "+split-vep", "-a", "ERBB2_CSQ", "-f", "%HGVSc\n", str(out)],
                               capture_output=True, text=True, timeout=60)
        assert split.returncode == 0 and split.stdout.strip() == "NM_004448.4:c.2313_2324dup", split.stderr


@pytest.mark.parametrize("args", [
    ("--vcf-info-field", "1BAD", "-f", "vcf"),
    ("--vcf-info-field", "A;B", "-f", "vcf"),
    ("--vcf-info-field", "CSQ2", "-f", "tsv"),
    ("--retain-info", "TLOD", "-f", "tsv"),
    ("--retain-fmt", "AD", "-f", "json"),
    ("--maf-center", "x", "-f", "vcf"),
    ("--retain-info", "A=B", "-f", "maf"),
])
def test_options_outside_their_format_or_not_keys_are_usage_errors(yvma, args):
    proc = her2("annotate", str(yvma), *args)
    assert proc.returncode == 2 and proc.stderr.count("her2: error:") == 1, proc.stderr


def test_vcf_info_field_never_replaces_an_input_field(tmp_path):
    """sample_data/tumour.vcf declares INFO DP: naming the annotation DP would overwrite the caller's depths."""
    vcf = Path(__file__).resolve().parents[1] / "sample_data" / "tumour.vcf"
    assert "##INFO=<ID=DP," in vcf.read_text()
    proc = her2("annotate", str(vcf), "-o", str(tmp_path / "x.vcf"), "--vcf-info-field", "DP")
    assert proc.returncode == 2 and "already has an INFO field DP" in proc.stderr and "--vcf-info-field" in proc.stderr
    assert not (tmp_path / "x.vcf").exists()
    # an undeclared key the records use counts too (TLOD below is used but not declared)
    undeclared = tmp_path / "u.vcf"
    undeclared.write_text(HEADER.replace('##INFO=<ID=TLOD,Number=A,Type=Float,Description="Tumour LOD">\n', "")
                          + YVMA + "\n")
    proc = her2("annotate", str(undeclared), "-f", "vcf", "--vcf-info-field", "TLOD")
    assert proc.returncode == 2 and "already use an INFO field TLOD" in proc.stderr


def test_reannotating_our_own_output_replaces_our_field(yvma, tmp_path):
    first, second = tmp_path / "1.vcf", tmp_path / "2.vcf"
    assert her2("annotate", str(yvma), "-o", str(first)).returncode == 0
    proc = her2("annotate", str(first), "-o", str(second))
    assert proc.returncode == 0, proc.stderr
    record = [line for line in second.read_text().splitlines() if not line.startswith("#")][0]
    assert record.count("HER2=") == 1


def test_a_vcf_output_of_a_maf_input_is_a_usage_error(yvma, tmp_path):
    maf = tmp_path / "t.maf"
    assert her2("annotate", str(yvma), "-o", str(maf)).returncode == 0
    for name in ("x.vcf", "x.vcf.gz", "x.bcf"):
        proc = her2("annotate", str(maf), "-o", str(tmp_path / name))
        assert proc.returncode == 2 and "is a MAF" in proc.stderr, proc.stderr
        assert not (tmp_path / name).exists()


def test_another_tools_her2_field_is_kept_and_ours_renamed(tmp_path):
    path = tmp_path / "other.vcf"
    path.write_text(HEADER.replace("#CHROM", '##INFO=<ID=HER2,Number=1,Type=Integer,Description="lab score">\n#CHROM')
                    + YVMA.replace("HOTSPOT;", "HOTSPOT;HER2=3;") + "\n")
    proc = her2("annotate", str(path), "-f", "vcf")
    assert proc.returncode == 2 and "--vcf-info-field NAME" in proc.stderr
    proc = her2("annotate", str(path), "-f", "vcf", "--vcf-info-field", "ERBB2_CSQ")
    assert proc.returncode == 0, proc.stderr
    record = [line for line in proc.stdout.splitlines() if not line.startswith("#")][0].split("\t")
    assert "HER2=3" in record[7].split(";") and "ERBB2_CSQ=" in record[7]
    assert '##INFO=<ID=HER2,Number=1,Type=Integer,Description="lab score">' in proc.stdout
