"""A run never touches a file it did not create (issue 23 item 2): every input checked against every output
through links (resolved path and inode); links and devices named by -o are written through, never replaced
by a regular file; a short write to a device or to standard output is exit 7; an extension no format writes
is a usage error (exit 2) unless -f names the format.

The expectations are the file system's own facts (bytes, inode, file type before and after), checked with
os.stat, never her2cli's report of what it did. Devices are only reached through a link in tmp_path, so
that a regression replaces the link, not the device.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_VCF = ROOT / "sample_data" / "tumour.vcf"
SAMPLE_CNS = ROOT / "sample_data" / "tumour.cns"
COHORT_SEG = ROOT / "sample_data" / "cohort.seg"


def her2(*args: str, stdout=subprocess.PIPE, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], stdout=stdout, stderr=subprocess.PIPE,
                          timeout=120, cwd=cwd)


def snapshot(path: Path) -> tuple:
    st = os.lstat(path)
    return st.st_ino, st.st_mode, path.read_bytes() if stat.S_ISREG(st.st_mode) else None


@pytest.fixture()
def tumour(tmp_path: Path) -> Path:
    path = tmp_path / "t.vcf"
    path.write_bytes(SAMPLE_VCF.read_bytes())
    return path


def test_purity_table_is_never_the_output(tumour, tmp_path):
    table = tmp_path / "p.tsv"
    table.write_text("sample\tpurity\tploidy\nPATIENT1_TUMOUR\t0.5\t2\n")
    before = snapshot(table)
    proc = her2("annotate", str(tumour), "--segments", str(SAMPLE_CNS), "--purity-table", str(table), "-o", str(table))
    assert proc.returncode == 2 and b"refusing to overwrite an input" in proc.stderr
    assert snapshot(table) == before


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "dotted"])
def test_an_input_reached_another_way_is_refused(tumour, tmp_path, kind):
    other = tmp_path / "other.vcf"
    if kind == "symlink":
        other.symlink_to(tumour)
    elif kind == "hardlink":
        os.link(tumour, other)
    else:
        other = tmp_path / "." / "sub" / ".." / "t.vcf"
        (tmp_path / "sub").mkdir()
    before = snapshot(tumour)
    proc = her2("annotate", str(tumour), "-o", str(other))
    assert proc.returncode == 2 and b"refusing to overwrite an input" in proc.stderr, proc.stderr
    assert snapshot(tumour) == before


def test_an_index_beside_the_output_may_not_be_an_input(tumour, tmp_path):
    """-o x.vcf.gz --index also writes x.vcf.gz.tbi: that name is checked against the inputs as well."""
    companion = tmp_path / "x.vcf.gz.tbi"
    os.link(tumour, companion)
    proc = her2("annotate", str(companion), "-o", str(tmp_path / "x.vcf.gz"), "--index")
    assert proc.returncode == 2 and b"refusing to overwrite an input" in proc.stderr
    assert not (tmp_path / "x.vcf.gz").exists()


def test_a_picture_per_sample_never_replaces_an_input(tmp_path):
    """`her2 plot --segments cohort.seg -o o.svg` writes o.<sample>.svg per sample: a segment file that
    happens to carry one of those names is refused before anything is drawn over it."""
    segments = tmp_path / "o.S2_neutral.svg"
    segments.write_bytes(COHORT_SEG.read_bytes())
    before = snapshot(segments)
    proc = her2("plot", "--segments", str(segments), "--genome", "GRCh38", "-o", str(tmp_path / "o.svg"))
    assert proc.returncode == 2 and b"refusing to overwrite an input" in proc.stderr, proc.stderr
    assert snapshot(segments) == before


def test_a_link_to_a_file_is_kept_and_its_file_written(tumour, tmp_path):
    target = tmp_path / "real.tsv"
    target.write_text("old\n")
    link = tmp_path / "link.tsv"
    link.symlink_to(target)
    proc = her2("annotate", str(tumour), "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("sample\tsource\t")


@pytest.mark.parametrize("fmt", ["tsv", "vcf.gz", "bcf"])
def test_a_link_to_standard_output_is_written_through(tumour, tmp_path, fmt):
    link = tmp_path / f"out.{fmt}"
    link.symlink_to("/proc/self/fd/1")
    proc = her2("annotate", str(tumour), "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    if fmt == "tsv":
        assert proc.stdout.startswith(b"sample\tsource\t")
    else:
        assert proc.stdout[:2] == b"\x1f\x8b"  # BGZF / BCF arrived on the pipe


def test_dev_null_stays_a_device(tumour):
    before = os.stat("/dev/null")
    proc = her2("annotate", str(tumour), "-o", "/dev/null")
    after = os.stat("/dev/null")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_fifo_is_written_through(tumour, tmp_path):
    fifo = tmp_path / "out.tsv"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    proc = her2("annotate", str(tumour), "-o", str(fifo))
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"sample\tsource\t")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_device_is_exit_7_and_kept(tumour, tmp_path):
    link = tmp_path / "full.tsv"
    link.symlink_to("/dev/full")
    proc = her2("annotate", str(tumour), "-o", str(link))
    assert proc.returncode == 7 and b"no space left" in proc.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [
    ("annotate", str(SAMPLE_VCF), "--segments", str(SAMPLE_CNS)),
    ("annotate", str(SAMPLE_VCF), "-f", "json"),
    ("annotate", str(SAMPLE_VCF), "-f", "bcf"),
    ("evidence",),
    ("evidence", "-f", "json"),
])
def test_standard_output_on_a_full_disk_is_exit_7(args):
    with open("/dev/full", "wb") as full:
        proc = her2(*args, stdout=full)
    assert proc.returncode == 7, proc.stderr
    assert proc.stderr.count(b"her2: error:") == 1 and b"Traceback" not in proc.stderr


@pytest.mark.parametrize("name", ["report.docx", "x.xyz", "x.tsv.gz"])
def test_an_extension_no_format_writes_is_a_usage_error(tumour, tmp_path, name):
    proc = her2("annotate", str(tumour), "-o", str(tmp_path / name))
    assert proc.returncode == 2 and b"-f FORMAT" in proc.stderr
    assert not (tmp_path / name).exists()


def test_format_named_writes_under_any_name(tumour, tmp_path):
    out = tmp_path / "report.docx"
    proc = her2("annotate", str(tumour), "-f", "tsv", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("sample\tsource\t")


def test_no_temporary_file_is_left_beside_a_refused_or_failed_output(tumour, tmp_path):
    her2("annotate", str(tumour), "-o", str(tmp_path / "x.xyz"))
    her2("annotate", str(tumour), "-o", str(tmp_path / "t.vcf"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.vcf"]


def test_a_picture_through_a_link_to_standard_output(tmp_path):
    link = tmp_path / "out.svg"
    link.symlink_to("/proc/self/fd/1")
    proc = her2("plot", str(SAMPLE_VCF), "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and b"<svg" in proc.stdout[:2000]


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_dev_stdout_appends_where_the_shell_pointed_it(tumour, tmp_path, name):
    """`her2 annotate t.vcf -o /dev/stdout >> log`: the log keeps its earlier lines and its inode."""
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    inode = os.stat(log).st_ino
    with open(log, "ab") as handle:
        proc = her2("annotate", str(tumour), "-o", name, "-f", "tsv", stdout=handle)
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier line" and lines[1].startswith("sample\tsource\t")
    assert os.stat(log).st_ino == inode


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 24 KiB tmpfs (needs root and mount; skipped otherwise), unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


@pytest.mark.parametrize("name", ["x.bcf", "x.vcf.gz", "x.vcf"])
def test_a_full_disk_is_exit_7_with_nothing_left(small_disk, name):
    """A real caller file larger than the disk (Mutect2, 108 kB): one line, exit 7, no partial or temporary
    file (was exit 70 for `-o x.bcf --index`)."""
    path = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "gatk4_mutect2_tumor_normal.mc3_validation.vcf"
    if not path.exists():
        pytest.skip("../shared/fixtures is not beside the repository")
    index = ("--index",) if name in ("x.bcf", "x.vcf.gz") else ()
    proc = her2("annotate", str(path), "-o", str(small_disk / name), *index, "-q")
    assert proc.returncode == 7 and proc.stderr.count(b"her2: error:") == 1, proc.stderr
    assert b"no space left" in proc.stderr
    assert list(small_disk.iterdir()) == []


def test_a_loop_of_links_is_refused_and_kept(tumour, tmp_path):
    (tmp_path / "a.tsv").symlink_to(tmp_path / "b.tsv")
    (tmp_path / "b.tsv").symlink_to(tmp_path / "a.tsv")
    proc = her2("annotate", str(tumour), "-o", str(tmp_path / "a.tsv"))
    assert proc.returncode == 7 and b"loop" in proc.stderr
    assert (tmp_path / "a.tsv").is_symlink() and (tmp_path / "b.tsv").is_symlink()


def test_an_empty_output_name_is_a_usage_error(tumour):
    proc = her2("annotate", str(tumour), "-o", "")
    assert proc.returncode == 2 and b"-o needs a file name" in proc.stderr


def test_an_earlier_index_beside_a_new_output_is_named_not_deleted(tumour, tmp_path):
    out = tmp_path / "x.vcf.gz"
    assert her2("annotate", str(tumour), "-o", str(out), "--index").returncode == 0
    index = tmp_path / "x.vcf.gz.tbi"
    before = snapshot(index)
    proc = her2("annotate", str(tumour), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert b"x.vcf.gz.tbi is from an earlier run" in proc.stderr
    assert snapshot(index) == before  # not ours to delete


def test_a_folder_where_the_index_goes_stops_before_anything_is_published(tumour, tmp_path):
    (tmp_path / "x.bcf.csi").mkdir()
    proc = her2("annotate", str(tumour), "-o", str(tmp_path / "x.bcf"), "--index")
    assert proc.returncode == 7 and b"is a folder" in proc.stderr
    assert not (tmp_path / "x.bcf").exists()
