"""Hostile cases found in review (issue #23 items 3 and 5): each built in tmp_path, run as a subprocess with a
timeout so that a hang fails instead of blocking the suite; each must end with one error line naming the
file and a documented exit code (docs/exit-codes.md), never exit 70.

The VCF is the bundled sample_data/tumour.vcf; the mosdepth regions layout (chrom, start, end, mean depth)
is mosdepth's README ("regions.bed.gz"); a depth is a count of reads, so it is finite and not negative.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from her2cli import errors

VCF = str(Path(__file__).resolve().parents[1] / "sample_data" / "tumour.vcf")
HER2 = os.path.join(os.path.dirname(sys.executable), "her2")
KNOWLEDGE_HEADER = b"Hugo Symbol\tAlteration\tOncogenicity\n"
MIB = 1 << 20


def her2(*args: str, cwd=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([HER2, *args], capture_output=True, text=True, timeout=60, cwd=cwd, **kwargs)


def one_error(result: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    for needle in needles:
        assert needle in line, line
    return line


def test_knowledge_from_dev_zero_is_refused_not_read_forever():
    one_error(her2("annotate", VCF, "--knowledge", "/dev/zero", "-f", "tsv"), errors.EXIT_MALFORMED,
              "/dev/zero", "NUL")


def test_knowledge_line_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "known.tsv"
    path.write_bytes(KNOWLEDGE_HEADER + b"ERBB2\tS310F\tOncogenic\n" + b"x" * (17 * MIB) + b"\n")
    one_error(her2("annotate", VCF, "--knowledge", str(path), "-f", "tsv"), errors.EXIT_MALFORMED,
              "known.tsv:3", "16 MiB")


def test_knowledge_with_nul_names_the_line(tmp_path):
    path = tmp_path / "known.tsv"
    path.write_bytes(KNOWLEDGE_HEADER + b"ERBB2\tS310F\tOnco\0genic\n")
    one_error(her2("annotate", VCF, "--knowledge", str(path), "-f", "tsv"), errors.EXIT_MALFORMED,
              "known.tsv:2", "NUL")


def test_knowledge_with_bom_and_crlf_is_read(tmp_path):
    # A file saved by a spreadsheet on Windows: the header is still recognised (not "not a knowledge file").
    path = tmp_path / "known.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + (KNOWLEDGE_HEADER + b"ERBB2\tS310F\tOncogenic\n").replace(b"\n", b"\r\n"))
    result = her2("annotate", VCF, "--knowledge", str(path), "-f", "tsv", "-q")
    assert result.returncode == 0, result.stderr


def test_knowledge_directory_is_exit_3(tmp_path):
    one_error(her2("annotate", VCF, "--knowledge", str(tmp_path), "-f", "tsv"), errors.EXIT_MISSING,
              str(tmp_path), "directory")


@pytest.mark.parametrize("depth", ["nan", "inf", "-3"])
def test_mosdepth_depth_not_finite_or_negative_is_malformed(tmp_path, depth):
    path = tmp_path / "s.regions.bed.gz"
    path.write_bytes(gzip.compress(f"chr17\t39687000\t39730000\t{depth}\n".encode()))
    one_error(her2("annotate", VCF, "--coverage", str(path), "-f", "tsv"), errors.EXIT_MALFORMED,
              "s.regions.bed.gz", repr(depth))


@pytest.mark.parametrize("args", [["evidence", "-f", "tsv"], ["evidence", "-f", "json"],
                                  ["annotate", VCF, "-f", "tsv", "-q"], ["annotate", VCF, "-f", "bcf", "-q"]])
def test_closed_standard_output_is_exit_7(args):
    # `her2 ... >&-`: Python starts with sys.stdout None; the output cannot be written (exit 7), not exit 70.
    result = subprocess.run([HER2, *args], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            timeout=60, preexec_fn=lambda: os.close(1))
    assert result.returncode == errors.EXIT_OUTPUT, result.stderr
    assert "internal error" not in result.stderr
    assert "standard output is closed" in result.stderr


def test_closed_standard_output_with_an_output_file_still_writes_it(tmp_path):
    out = tmp_path / "out.tsv"
    result = subprocess.run([HER2, "annotate", VCF, "-q", "-o", str(out)], stdin=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("sample")


@pytest.mark.parametrize("header", ["sample\tpurity\tpurity\tploidy", "sample\tpurity\tPloidy\tploidy"])
def test_purity_table_with_a_column_named_twice_is_refused(tmp_path, header):
    # Which of the two values is the purity (or ploidy) cannot be known: refused, as a MAF column named twice.
    table = tmp_path / "p.tsv"
    table.write_text(f"{header}\ntumour\t0.5\t0.9\t2\n")
    one_error(her2("annotate", VCF, "--purity-table", str(table), "-f", "tsv"), errors.EXIT_MALFORMED,
              "p.tsv:1", "twice")


@pytest.mark.parametrize("row", ["chr17\t39730000\t39687000", "chr17\t-5\t39730000"])
def test_target_bed_interval_ending_before_its_start_is_refused(tmp_path, row):
    # UCSC BED: chromStart >= 0 and chromEnd >= chromStart; such a row is no target, never silently kept.
    bed = tmp_path / "panel.bed"
    bed.write_text(f"chr17\t39687000\t39688000\n{row}\n")
    one_error(her2("annotate", VCF, "--targets", str(bed), "-f", "tsv"), errors.EXIT_MALFORMED, "panel.bed")


@pytest.mark.parametrize("center", ["a\tb", "a\nb", "a\rb"])
def test_maf_center_with_a_tab_or_line_break_is_a_usage_error(center):
    # A MAF (GDC MAF spec) is one tab-separated row per line: such a Center would shift or split the row.
    one_error(her2("annotate", VCF, "--maf-center", center, "-f", "maf"), errors.EXIT_USAGE, "--maf-center")


def test_plot_segments_from_a_process_substitution(tmp_path):
    # `her2 plot -s <(cat x.cns)`: the stream is sniffed then drawn; it must be read once, not found empty.
    cns = Path(VCF).with_name("tumour.cns")
    out = tmp_path / "cn.svg"
    result = subprocess.run(["bash", "-c", f'"{HER2}" plot -s <(cat "{cns}") -o "{out}"'], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_segment_file_with_a_column_named_twice_is_refused(tmp_path):
    # ASCAT's segments columns (sample chr startpos endpos nMajor nMinor) with nMinor twice: the first
    # would win silently; refused, naming the file, the header line and the column.
    seg = tmp_path / "ascat.segments.txt"
    seg.write_text("sample\tchr\tstartpos\tendpos\tnMajor\tnMinor\tnMinor\n"
                   "T1\t17\t39600000\t39800000\t9\t1\t0\n")
    one_error(her2("annotate", "-s", str(seg), "-f", "tsv"), errors.EXIT_MALFORMED, "ascat.segments.txt:1",
              "nminor")
