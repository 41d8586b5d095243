"""Hostile inputs (issue #23 items 3-5): no silent zero, streams read once, one bounded line reader.

Each case builds its input in tmp_path and runs ``her2`` as a subprocess with a timeout (a hang fails the
test instead of blocking the suite), then checks the exit code and the one error line naming the file (and
line). Expectations come from the formats' specifications, not from her2's output: the BGZF end-of-file
marker block is the SAM specification's (section 4.1.2; htslib's bgzf_check_EOF), the tabix/CSI layouts
those of the tabix and CSIv1 specifications; the planted variant is ERBB2 L755S, GRCh38 chr17:39723967 T>C
= NM_004448.4 c.2264T>C p.(Leu755Ser) (../shared/validation/hgvs/erbb2_truth.tsv).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
import factories
from factories import bgzf

from her2cli import errors
from her2cli.io import lines as io_lines
from her2cli.io.bgzf import EOF_MARKER

L755S = ("chr17", 39723967, "T", "C")
GRCH38 = {"chr1": 248956422, "chr2": 242193529, "chr17": 83257441, "chr22": 50818468}
SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
MIB = 1 << 20


def vcf_text(records, samples=("TUMOR",), bom: bool = False) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + factories.vcf_text(records, samples, contigs=GRCH38).encode()


def genome_records(before: int = 2000):
    """A sorted genome-wide file with L755S in it."""
    recs = [(c, p, "A", "G") for c in ("chr1", "chr2") for p in range(10_000, 10_000 + 997 * before, 997)]
    return recs + [("chr17", 39_000_000, "A", "G"), L755S, ("chr22", 20_000_000, "A", "G")]


def her2(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, timeout=timeout, **kw)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("her2: error: "), err
    assert "Traceback" not in err
    return err.strip()


def fails(proc, where: str, what: str, code: int = errors.EXIT_MALFORMED) -> None:
    """Exit ``code`` with one line naming ``where`` (FILE or FILE:LINE) and saying ``what``."""
    line = one_error_line(proc)
    assert proc.returncode == code, line
    assert f"her2: error: {where}:" in line and what in line, line


# ------------------------------------------------------------------------------------- truncated BGZF

def test_bgzf_cut_at_a_block_boundary_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "cut.vcf.gz"
    path.write_bytes(bgzf(vcf_text(genome_records()), eof=False))  # what a killed bgzip leaves
    fails(her2("annotate", str(path)), str(path), "no end-of-file marker")
    fails(her2("annotate", "-", input=path.read_bytes()), "<stdin>", "no end-of-file marker")


def test_indexed_bgzf_without_its_eof_marker_is_an_error(tmp_path):
    pysam = pytest.importorskip("pysam")
    for csi in (False, True):
        plain = tmp_path / f"t{int(csi)}.vcf"
        plain.write_bytes(vcf_text(genome_records()))
        gz = pysam.tabix_index(str(plain), preset="vcf", csi=csi, force=True)
        data = Path(gz).read_bytes()
        assert data.endswith(EOF_MARKER)
        Path(gz).write_bytes(data[:-len(EOF_MARKER)])
        fails(her2("annotate", gz), gz, "no end-of-file marker")


# ------------------------------------------------------------------------------------------ stale index

def _indexed(tmp_path, name: str, records, csi: bool) -> str:
    pysam = pytest.importorskip("pysam")
    plain = tmp_path / name
    plain.write_bytes(vcf_text(records))
    return pysam.tabix_index(str(plain), preset="vcf", csi=csi, force=True)


def _bgzip_over(path: str, records) -> None:
    """Replace the data (a complete BGZF file, EOF marker included) and leave the index as it was."""
    pysam = pytest.importorskip("pysam")
    mtime = os.stat(path + (".tbi" if os.path.exists(path + ".tbi") else ".csi")).st_mtime
    plain = path + ".new"
    Path(plain).write_bytes(vcf_text(records))
    pysam.tabix_compress(plain, path, force=True)
    os.utime(path, (mtime - 60, mtime - 60))  # the index is newer than the data: time alone says fine


@pytest.mark.parametrize("csi", [False, True], ids=["tbi", "csi"])
def test_stale_index_pointing_past_the_data_falls_back_to_a_whole_read(tmp_path, csi):
    gz = _indexed(tmp_path, "s.vcf", genome_records(before=4000), csi)
    _bgzip_over(gz, genome_records(before=50))  # a much shorter file: the index points past its end
    proc = her2("annotate", gz, "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    assert b"39723967\tT\tC" in proc.stdout  # ERBB2 L755S is not missed
    assert b"does not match the data" in proc.stderr and gz.encode() in proc.stderr


@pytest.mark.parametrize("csi", [False, True], ids=["tbi", "csi"])
def test_stale_index_newer_than_data_that_grew_is_not_trusted(tmp_path, csi):
    gz = _indexed(tmp_path, "g.vcf", genome_records(before=50), csi)
    _bgzip_over(gz, genome_records(before=4000))  # more records before ERBB2: every offset moved
    proc = her2("annotate", gz, "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    assert b"39723967\tT\tC" in proc.stdout
    assert b"does not match the data" in proc.stderr


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_bcf_with_a_stale_csi_is_read_whole(tmp_path):
    big, small, bcf = tmp_path / "big.vcf", tmp_path / "small.vcf", tmp_path / "s.bcf"
    big.write_bytes(vcf_text(genome_records(before=4000)))
    small.write_bytes(vcf_text(genome_records(before=50)))
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(bcf), str(big)], check=True)
    subprocess.run(["bcftools", "index", str(bcf)], check=True)
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(bcf), str(small)], check=True)  # replaced, index kept
    os.utime(str(bcf) + ".csi")  # and the index is newer
    proc = her2("annotate", str(bcf), "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    assert b"39723967\tT\tC" in proc.stdout and b"does not match the data" in proc.stderr


def test_a_matching_index_is_used_without_a_notice(tmp_path):
    gz = _indexed(tmp_path, "m.vcf", genome_records(), csi=False)
    proc = her2("annotate", gz, "-f", "tsv")
    assert proc.returncode == 0 and b"39723967\tT\tC" in proc.stdout
    assert b"does not match" not in proc.stderr


# ---------------------------------------------------------------------------------------------- MAF

MAF_COLUMNS = ["Hugo_Symbol", "NCBI_Build", "Chromosome", "Start_Position", "End_Position", "Variant_Type",
               "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode"]
# GRCh37 ERBB2 L755S (17:37880220 T>C) and S310F (17:37868208 C>T), as the vcf2maf TCGA-BH-A18P test MAF has them
MAF_ROWS = [["ERBB2", "GRCh37", "17", "37880220", "37880220", "SNP", "T", "T", "C", "S1"],
            ["ERBB2", "GRCh37", "17", "37868208", "37868208", "SNP", "C", "C", "T", "S2"]]


def write_maf(path: Path, columns, rows) -> Path:
    path.write_text("#version 2.4\n" + "\n".join("\t".join(r) for r in [columns, *rows]) + "\n")
    return path


@pytest.mark.parametrize("column", ["Tumor_Seq_Allele2", "Chromosome"])
def test_maf_with_a_duplicated_column_is_an_error_naming_line_and_column(tmp_path, column):
    at = MAF_COLUMNS.index(column)
    rows = [r + [{"Tumor_Seq_Allele2": "A", "Chromosome": "12"}[column]] for r in MAF_ROWS]
    path = write_maf(tmp_path / "dup.maf", MAF_COLUMNS + [column], rows)
    proc = her2("annotate", str(path))
    fails(proc, f"{path}:2", f"column '{column}' appears twice")
    assert f"columns {at + 1} and {len(MAF_COLUMNS) + 1}" in proc.stderr.decode()


def test_nul_bytes_anywhere_in_a_maf_are_refused(tmp_path):
    rows = [r[:] for r in MAF_ROWS] + [MAF_ROWS[0][:-1] + ["S1\0"]]  # a NUL inside a barcode: not a 3rd sample
    path = write_maf(tmp_path / "nul.maf", MAF_COLUMNS, rows)
    fails(her2("annotate", str(path)), f"{path}:5", "NUL")
    fails(her2("cohort", "--maf", str(path), "-o", str(tmp_path / "out")), f"{path}:5", "NUL")


# ------------------------------------------------------------------------------- numbers in segment files

SEG_HEADER = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"


def seg_file(path: Path, value: str, start: int = 39_600_000, end: int = 39_800_000) -> Path:
    path.write_text(SEG_HEADER + f"S1\t17\t1000\t30000000\t100\t0.01\nS1\t17\t{start}\t{end}\t50\t{value}\n"
                    "S1\t17\t40000000\t80000000\t100\t0.0\n")
    return path


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "1_000", "1e308", "Infinity"])
def test_impossible_seg_mean_is_an_error_naming_file_and_line(tmp_path, value):
    path = seg_file(tmp_path / "x.seg", value)
    fails(her2("annotate", "--segments", str(path)), f"{path}:3", "seg.mean")


def test_segment_end_before_start_is_an_error_naming_the_line_not_genome(tmp_path):
    path = seg_file(tmp_path / "e.seg", "2.5", start=39_800_000, end=39_600_000)
    proc = her2("annotate", "--segments", str(path))
    fails(proc, f"{path}:3", "before its start")
    assert b"--genome" not in proc.stderr


@pytest.mark.parametrize("layout, header, row", [
    ("pcgr", "Chromosome\tStart\tEnd\tnMajor\tnMinor", "17\t39600000\t39800000\tinf\t1"),
    ("ascat", "chr\tstartpos\tendpos\tnMajor\tnMinor", "17\t39600000\t39800000\t3\t1e999"),
])
def test_absolute_copy_numbers_that_are_not_finite_are_an_error(tmp_path, layout, header, row):
    path = tmp_path / f"t.{layout}.tsv"
    path.write_text(f"{header}\n17\t1000\t30000000\t1\t1\n{row}\n")
    fails(her2("annotate", "--segments", str(path), "--genome", "GRCh38"), f"{path}:3", "not a finite number")


@pytest.mark.parametrize("ploidy, ok", [("0.01", False), ("inf", False), ("1e400", False), ("3.1", True)])
def test_purity_table_ploidy_must_be_possible(tmp_path, ploidy, ok):
    table = tmp_path / "p.tsv"
    table.write_text(f"sample\tpurity\tploidy\nS1\t0.6\t{ploidy}\n")
    proc = her2("annotate", "--segments", str(seg_file(tmp_path / "s.seg", "2.5")), "--purity-table", str(table),
                "--genome", "GRCh38")
    if ok:
        assert proc.returncode == 0, proc.stderr
    else:
        fails(proc, f"{table}:2", "ploidy")


@pytest.mark.parametrize("ploidy", ["0.01", "inf"])
def test_a_purple_purity_file_beside_the_segments_is_checked_too(tmp_path, ploidy):
    seg = tmp_path / "t.purple.cnv.somatic.tsv"
    seg.write_text("chromosome\tstart\tend\tcopyNumber\n17\t1000\t30000000\t2\n17\t39600000\t39800000\t8\n"
                   "17\t40000000\t80000000\t2\n")
    sibling = tmp_path / "t.purple.purity.tsv"  # PURPLE's own name for it, read automatically
    sibling.write_text(f"purity\tnormFactor\tscore\tdiploidProportion\tploidy\n0.7\t1\t0.1\t0.5\t{ploidy}\n")
    fails(her2("annotate", "--segments", str(seg), "--genome", "GRCh38"), f"{sibling}:2", "ploidy")


# ------------------------------------------------------------------------------ NUL bytes in every format

def test_nul_bytes_are_refused_in_every_text_input(tmp_path):
    seg = seg_file(tmp_path / "n.seg", "0.1")
    seg.write_bytes(seg.read_bytes().replace(b"S1\t17\t39600000", b"S1\t17\t396\x00000"))
    fails(her2("annotate", "--segments", str(seg)), f"{seg}:3", "NUL")
    table = tmp_path / "p.tsv"
    table.write_bytes(b"sample\tpurity\nS1\t0.\x005\n")
    fails(her2("annotate", "--segments", str(seg_file(tmp_path / "ok.seg", "0.1")), "--purity-table", str(table)),
          f"{table}:2", "NUL")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_bytes(b"sample\tsegments\nA\tok.seg\nB\x00\tok.seg\n")
    fails(her2("cohort", str(sheet), "-o", str(tmp_path / "o1")), f"{sheet}:3", "NUL")
    maf = write_maf(tmp_path / "s.maf", MAF_COLUMNS, MAF_ROWS)
    samples = tmp_path / "samples.txt"
    samples.write_bytes(b"S1\nS2\nS\x003\n")
    fails(her2("cohort", "--maf", str(maf), "--samples", str(samples), "-o", str(tmp_path / "o2")), f"{samples}:3",
          "NUL")


@pytest.mark.parametrize("kind", ["plain", "gzip", "bgzf", "bgzf-indexed"])
def test_nul_bytes_in_an_erbb2_record_are_refused_in_every_vcf_container(tmp_path, kind):
    data = vcf_text(genome_records(before=200)).replace(b"39723967\t.\tT", b"39723967\t.\tT\x00")
    path = tmp_path / f"n.{kind}.vcf{'' if kind == 'plain' else '.gz'}"
    path.write_bytes({"plain": data, "gzip": gzip.compress(data)}.get(kind) or bgzf(data))
    if kind == "bgzf-indexed":
        pysam = pytest.importorskip("pysam")
        plain = tmp_path / "n.vcf"
        plain.write_bytes(data)
        path = Path(pysam.tabix_index(str(plain), preset="vcf", force=True))
    proc = her2("annotate", str(path))
    line = one_error_line(proc)
    assert proc.returncode == errors.EXIT_MALFORMED and str(path) in line and "NUL" in line


# ---------------------------------------------------------------------------------------- streams: FIFOs

def fifo_with_writer(path: Path, data: bytes) -> threading.Thread:
    """A real FIFO and a thread that writes ``data`` into it once (the reader must open it once)."""
    os.mkfifo(path)

    def write():
        try:
            with open(path, "wb") as fifo:
                fifo.write(data)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def release(path: Path) -> None:
    """Unblock a writer still waiting for a reader (after a failed test)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


def test_segments_from_a_fifo(tmp_path):
    cns = (SAMPLE_DATA / "tumour.cns").read_bytes()
    fifo = tmp_path / "cn.fifo"
    fifo_with_writer(fifo, cns)
    try:
        proc = her2("annotate", "--segments", str(fifo), "-f", "tsv", timeout=60)
    finally:
        release(fifo)
    assert proc.returncode == 0, proc.stderr
    reference = her2("annotate", "--segments", str(SAMPLE_DATA / "tumour.cns"), "-f", "tsv")
    assert proc.stdout.count(b"\tamplification\t") == reference.stdout.count(b"\tamplification\t") == 1


def test_vcf_output_from_a_fifo_input(tmp_path):
    vcf = (SAMPLE_DATA / "tumour.vcf").read_bytes()
    fifo = tmp_path / "in.fifo"
    fifo_with_writer(fifo, vcf)
    try:
        proc = her2("annotate", str(fifo), "-f", "vcf", "-q", timeout=60)
    finally:
        release(fifo)
    assert proc.returncode == 0, proc.stderr
    records = [line for line in vcf.decode().splitlines() if line and not line.startswith("#")]
    out = [line for line in proc.stdout.decode().splitlines() if line and not line.startswith("#")]
    assert [r.split("\t")[:5] for r in out] == [r.split("\t")[:5] for r in records]  # every record passed through


def test_html_report_checksums_what_was_read_from_fifos(tmp_path):
    vcf = (SAMPLE_DATA / "tumour.vcf").read_bytes()
    cns = (SAMPLE_DATA / "tumour.cns").read_bytes()
    fifos = [tmp_path / "v.fifo", tmp_path / "c.fifo"]
    fifo_with_writer(fifos[0], vcf)
    fifo_with_writer(fifos[1], cns)
    out = tmp_path / "r.html"
    try:
        proc = her2("annotate", str(fifos[0]), "--segments", str(fifos[1]), "-o", str(out), "-q", timeout=60)
    finally:
        for fifo in fifos:
            release(fifo)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert hashlib.sha256(vcf).hexdigest() in page and hashlib.sha256(cns).hexdigest() in page


def test_cohort_maf_from_a_fifo_without_a_maf_name(tmp_path):
    data = write_maf(tmp_path / "s.maf", MAF_COLUMNS, MAF_ROWS).read_bytes()
    fifo = tmp_path / "study"  # nothing in the name says MAF: its content does
    fifo_with_writer(fifo, data)
    try:
        proc = her2("cohort", "--maf", str(fifo), "-o", str(tmp_path / "out"), "-q", timeout=60)
    finally:
        release(fifo)
    assert proc.returncode == 0, proc.stderr
    samples = (tmp_path / "out" / "samples.tsv").read_text().splitlines()
    assert len(samples) == 3  # header + S1 + S2
    assert hashlib.sha256(data).hexdigest() in (tmp_path / "out" / "report.html").read_text()


def test_purity_table_from_a_fifo_is_checked_then_used(tmp_path):
    # The table is read twice (checked before any sample, then looked up): a FIFO is copied once.
    fifo = tmp_path / "purity.fifo"
    fifo_with_writer(fifo, b"sample\tpurity\tploidy\ntumour\t0.5\t2\n")
    try:
        proc = her2("annotate", "--segments", str(SAMPLE_DATA / "tumour.cns"), "--purity-table", str(fifo),
                    "-f", "json", "-q", timeout=60)
    finally:
        release(fifo)
    assert proc.returncode == 0, proc.stderr
    assert b'"purity": 0.5' in proc.stdout and b"purity table purity.fifo" in proc.stdout


def test_cohort_purity_table_and_study_segments_from_fifos(tmp_path):
    maf = write_maf(tmp_path / "s.maf", MAF_COLUMNS, MAF_ROWS)
    seg = (SEG_HEADER + "S1\t17\t1000\t30000000\t100\t0.01\nS1\t17\t37800000\t37900000\t50\t2.5\n"
           "S1\t17\t40000000\t80000000\t100\t0.0\n").encode()
    fifos = [tmp_path / "seg.fifo", tmp_path / "pur.fifo"]
    fifo_with_writer(fifos[0], seg)
    fifo_with_writer(fifos[1], b"sample\tpurity\nS1\t0.8\n")
    out = tmp_path / "out"
    try:
        proc = her2("cohort", "--maf", str(maf), "--segments", str(fifos[0]), "--purity-table", str(fifos[1]),
                    "--genome", "GRCh37", "-o", str(out), "-q", timeout=90)
    finally:
        for fifo in fifos:
            release(fifo)
    assert proc.returncode == 0, proc.stderr
    assert hashlib.sha256(seg).hexdigest() in (out / "report.html").read_text()
    assert "purity table pur.fifo" in (out / "alterations.tsv").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_process_substitution_with_vcf_output(tmp_path):
    path = tmp_path / "p.vcf"
    path.write_bytes(vcf_text(genome_records(before=100)))
    proc = subprocess.run(["bash", "-c", f'"{sys.executable}" -m her2cli annotate <(cat "{path}") -f vcf'],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(b"\nchr") == len(genome_records(before=100))  # not "empty file"


# ----------------------------------------------------------------------------------- one line-length limit

def long_line_inputs(tmp_path: Path, size: int) -> dict[str, tuple[list[str], str]]:
    """Each reader's input with one line of ``size`` bytes on line 2: (her2 arguments, file named)."""
    filler = "A" * size
    vcf_plain = tmp_path / "long.vcf"
    vcf_plain.write_bytes(vcf_text([]) + f"chr17\t39723967\t.\tT\tC\t.\tPASS\t{filler}\n".encode())
    vcf_gz = tmp_path / "long.gz.vcf.gz"
    vcf_gz.write_bytes(gzip.compress(vcf_plain.read_bytes(), compresslevel=1))
    maf = tmp_path / "long.maf"
    maf.write_text("\t".join(MAF_COLUMNS) + "\n" + "\t".join(MAF_ROWS[0][:-1] + [filler]) + "\n")
    seg = tmp_path / "long.seg"
    seg.write_text(SEG_HEADER + f"S1\t17\t1\t2\t3\t{filler}\n")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(f"sample\tsegments\n{filler}\tx.seg\n")
    sample_list = tmp_path / "samples.txt"
    sample_list.write_text(f"S1\n{filler}\n")
    table = tmp_path / "purity.tsv"
    table.write_text(f"sample\tpurity\n{filler}\t0.5\n")
    small_maf = write_maf(tmp_path / "small.maf", MAF_COLUMNS, MAF_ROWS)
    return {
        "vcf": (["annotate", str(vcf_plain)], f"{vcf_plain}"),
        "vcf.gz": (["annotate", str(vcf_gz)], f"{vcf_gz}"),
        "maf": (["annotate", str(maf)], f"{maf}:2"),
        "segments": (["annotate", "--segments", str(seg)], f"{seg}:2"),
        "sheet": (["cohort", str(sheet), "-o", str(tmp_path / "o")], f"{sheet}:2"),
        "samples": (["cohort", "--maf", str(small_maf), "--samples", str(sample_list), "-o", str(tmp_path / "o2")],
                    f"{sample_list}:2"),
        "purity": (["annotate", "--segments", str(seg), "--purity-table", str(table)], f"{table}:2"),
    }


def test_a_line_just_over_the_limit_is_refused_by_every_reader(tmp_path):
    assert io_lines.MAX_LINE_BYTES == 16 * MIB  # the limit docs/robustness.md states
    for name, (args, where) in long_line_inputs(tmp_path, io_lines.MAX_LINE_BYTES + MIB).items():
        proc = her2(*args)
        line = one_error_line(proc)
        assert proc.returncode == errors.EXIT_MALFORMED, (name, line)
        assert f"her2: error: {where}" in line and "longer than 16 MiB" in line, (name, line)


def test_a_long_line_under_the_limit_is_read(tmp_path):
    seg = tmp_path / "wide.seg"
    seg.write_text(SEG_HEADER.rstrip("\n") + "\tnote\n" + f"S1\t17\t1000\t80000000\t100\t0.01\t{'x' * 3 * MIB}\n")
    assert her2("annotate", "--segments", str(seg), "--genome", "GRCh38").returncode == 0


PEAK_RSS = ("import sys; from her2cli.cli import run; rc = run(sys.argv[1:]); "
            "print('VmHWM', open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr); "
            "sys.exit(rc)")


def test_a_200_mb_line_in_bgzf_is_refused_without_holding_it(tmp_path):
    # BGZF blocks of one letter inflate ~250x: the whole-file reader must not inflate a compressed MB at once.
    path = tmp_path / "bomb.vcf.gz"
    block = b"A" * 65280
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    comp = co.compress(block) + co.flush()
    one = (b"\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0BC\x02\0" + struct.pack("<H", len(comp) + 25) + comp
           + struct.pack("<II", zlib.crc32(block), len(block)))
    head = bgzf(vcf_text([]) + b"chr17\t39723967\t.\t", eof=False)
    path.write_bytes(head + one * (200 * MIB // len(block)) + EOF_MARKER)
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS, "annotate", str(path)], capture_output=True, timeout=120)
    err = proc.stderr.decode().splitlines()
    assert proc.returncode == errors.EXIT_MALFORMED and "longer than 16 MiB" in err[0] and str(path) in err[0]
    peak_mb = int(err[-1].split()[1]) / 1024
    assert peak_mb < 200, peak_mb  # the line limit plus a few chunks, never the 200 MB line


@pytest.mark.parametrize("args, named", [
    (["cohort", "/dev/zero", "-o", "OUT"], "/dev/zero"),
    (["cohort", "--maf", "MAF", "--samples", "/dev/zero", "-o", "OUT"], "/dev/zero"),
    (["annotate", "--segments", "SEG", "--purity-table", "/dev/zero"], "/dev/zero"),
])
def test_endless_sheets_sample_lists_and_tables_end_with_a_clear_error(tmp_path, args, named):
    maf = write_maf(tmp_path / "s.maf", MAF_COLUMNS, MAF_ROWS)
    seg = seg_file(tmp_path / "s.seg", "0.1")
    args = [{"OUT": str(tmp_path / "out"), "MAF": str(maf), "SEG": str(seg)}.get(a, a) for a in args]
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS, *args], capture_output=True, timeout=60)
    err = proc.stderr.decode().splitlines()
    assert proc.returncode == errors.EXIT_MALFORMED and err[0].startswith(f"her2: error: {named}:1: "), err
    assert "not found" not in err[0]
    assert int(err[-1].split()[1]) / 1024 < 200


# ---------------------------------------------------------------------------------------------- messages

def test_a_vcf_with_a_utf8_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.vcf"
    path.write_bytes(vcf_text(genome_records(before=20), bom=True))
    proc = her2("annotate", str(path), "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    assert b"p.Leu755Ser" in proc.stdout


def test_many_samples_without_sample_gives_a_short_line(tmp_path):
    names = [f"PATIENT{i:04d}_BLOOD" for i in range(5000)]
    path = tmp_path / "wide.vcf"
    path.write_bytes(vcf_text([L755S], samples=names))
    proc = her2("annotate", str(path))
    line = one_error_line(proc)
    assert proc.returncode == errors.EXIT_MALFORMED and len(line) < 400, len(line)
    assert str(path) in line and "PATIENT0000_BLOOD" in line and "5,000 samples" in line


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_the_shared_line_reader_reads_as_splitlines(tmp_path, monkeypatch, chunk):
    # The text readers' lines are Python's str.splitlines of the UTF-8 text, LF or CRLF, BOM dropped, plain or
    # gzip, whatever the chunk size; a bad byte is named by its line.
    monkeypatch.setattr(io_lines, "_CHUNK", chunk)
    text = "\ufeffsample\tpurity\r\nS1\t0.5\r\n\nS\u00e9\t0.6\nlast line without newline"
    expected = list(enumerate(text.lstrip("\ufeff").splitlines(), 1))
    plain, packed = tmp_path / "t.tsv", tmp_path / "t.tsv.gz"
    plain.write_bytes(text.encode())
    packed.write_bytes(gzip.compress(text.encode()))
    assert list(io_lines.lines(str(plain), "table")) == expected
    assert list(io_lines.lines(str(packed), "table")) == expected
    plain.write_bytes(text.encode().replace("\u00e9".encode(), b"\xe9"))  # Latin-1 on line 4
    with pytest.raises(errors.MalformedInputError) as err:
        list(io_lines.lines(str(plain), "table"))
    assert err.value.line == 4
