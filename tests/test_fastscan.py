"""Tests for her2cli.io.fastscan: every method must equal a naive full read + filter.

The default reads every unindexed file whole; ``assume_sorted=True`` (``--assume-sorted``) enables the
early stop on plain text and the BGZF bisection, which must give the same answer on sorted files."""

from __future__ import annotations

import gzip
import io
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from factories import bgzf

from her2cli.errors import MalformedInputError
from her2cli.io import fastscan
from her2cli.io.fastscan import scan_naive, scan_region, scan_stream

CONTIGS = [("chr1", 5_000_000), ("chr2", 4_000_000), ("chr5", 3_000_000),
           ("chr17", 83_257_441), ("chr20", 2_000_000), ("chrX", 1_000_000)]
REGION = (39_687_914, 39_730_426)
T17 = {"17", "chr17"}
TAIL = ".\tPASS\tDP=50;MQ=60\tGT:AD:DP\t0/1:25,25:50\t0/0:40,0:40"


def header(contig_lines: bool = True) -> list[str]:
    h = ["##fileformat=VCFv4.2", "##reference=GRCh38"]
    if contig_lines:
        h += [f"##contig=<ID={c},length={n}>" for c, n in CONTIGS]
    h.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\tNORMAL")
    return h


def records(seed: int = 1) -> list[str]:
    """~4,000 sorted records; chr5 declared but empty; chr17 dense around REGION with
    edge cases: a deletion starting before the region that reaches into it, an SNV one
    base before it, records at both ends, and two very long lines (span BGZF blocks)."""
    rng = random.Random(seed)
    out: list[str] = []
    for contig, length in CONTIGS:
        if contig == "chr5":
            continue
        if contig == "chr17":
            pos = sorted(set(rng.sample(range(1, REGION[0] - 5000), 800)
                             + rng.sample(range(REGION[0] - 5000, REGION[1] + 5000), 600)
                             + rng.sample(range(REGION[1] + 5000, length), 800)))
            pos = [p for p in pos if p not in (REGION[0] - 30, REGION[0] - 1, REGION[0], REGION[1])]
        else:
            pos = sorted(rng.sample(range(1, length), 500))
        special = {}
        if contig == "chr17":
            special = {
                REGION[0] - 30: f"chr17\t{REGION[0] - 30}\t.\t{'A' * 40}\tA\t{TAIL}",   # reaches in
                REGION[0] - 1: f"chr17\t{REGION[0] - 1}\t.\tC\tT\t{TAIL}",            # just before
                REGION[0]: f"chr17\t{REGION[0]}\t.\tG\tGA\t{TAIL}",
                REGION[1]: f"chr17\t{REGION[1]}\t.\tT\tC\t{TAIL}",
            }
            pos = sorted(set(pos) | set(special))
        for p in pos:
            if p in special:
                out.append(special[p])
                continue
            ref = rng.choice(["A", "C", "G", "T", "AC", "GTT"])
            alt = rng.choice(["A", "C", "G", "T"])
            info = "X" * 150_000 if (contig == "chr17" and p == pos[len(pos) // 2]) else "DP=50;MQ=60"
            out.append(f"{contig}\t{p}\t.\t{ref}\t{alt}\t.\tPASS\t{info}\tGT:AD:DP\t0/1:25,25:50\t0/0:40,0:40")
    out.insert(10, "chr1\t2000\t.\tA\tT\t.\tPASS\t" + "Y" * 100_000 + "\tGT\t0/1\t0/0")
    out.sort(key=lambda r: ([c for c, _ in CONTIGS].index(r.split("\t")[0]), int(r.split("\t")[1])))
    return out


def text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def vcf_lines() -> list[str]:
    return header() + records()


@pytest.fixture(scope="module")
def files(tmp_path_factory, vcf_lines) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("fs")
    data = text(vcf_lines)
    paths = {"plain": d / "a.vcf", "gzip": d / "a.vcf.gz", "bgzf-small": d / "a.small.bgz"}
    paths["plain"].write_bytes(data)
    paths["gzip"].write_bytes(gzip.compress(data))
    paths["bgzf-small"].write_bytes(bgzf(data))
    pysam = pytest.importorskip("pysam")
    paths["bgzf-pysam"] = d / "a.pysam.vcf.gz"
    with pysam.libcbgzf.BGZFile(str(paths["bgzf-pysam"]), "wb") as fh:
        fh.write(data)
    paths["bgzip"] = d / "a.bgzip.vcf.gz"
    if shutil.which("bgzip"):
        with open(paths["plain"], "rb") as src, open(paths["bgzip"], "wb") as dst:
            subprocess.run(["bgzip", "-c"], stdin=src, stdout=dst, check=True)
    else:
        pysam.tabix_compress(str(paths["plain"]), str(paths["bgzip"]), force=True)
    return paths


EXPECTED_METHOD = {"plain": "scan-plain", "gzip": "scan-gzip", "bgzf-small": "scan-bgzf",
                   "bgzf-pysam": "scan-bgzf", "bgzip": "scan-bgzf"}
SORTED_METHOD = dict(EXPECTED_METHOD, **{"bgzf-small": "bgzf-seek", "bgzf-pysam": "bgzf-seek",
                                          "bgzip": "bgzf-seek"})
QUERIES = [
    ("erbb2", T17, *REGION),
    ("first record", {"chr1", "1"}, 1, 3000),
    ("last record", {"chrX"}, 900_000, 1_000_000),
    ("whole chr2", {"chr2"}, 1, 10**9),
    ("declared, empty contig", {"chr5"}, 1, 10**9),
    ("undeclared contig", {"chr9", "9"}, 1, 10**9),
    ("region past contig end", T17, 90_000_000, 91_000_000),
]


@pytest.fixture(params=[0, 3 * 65536], ids=["bisect-to-block", "default"])
def seek_window(request, monkeypatch):
    monkeypatch.setattr(fastscan, "_SEEK_MIN_BYTES", 0)  # test files are small: seek anyway
    monkeypatch.setattr(fastscan, "_SEEK_SCAN_BYTES", request.param)


@pytest.mark.parametrize("assume_sorted", [False, True], ids=["whole", "assume-sorted"])
@pytest.mark.parametrize("kind", list(EXPECTED_METHOD))
def test_all_methods_equal_naive(files, vcf_lines, kind, seek_window, assume_sorted):
    methods = SORTED_METHOD if assume_sorted else EXPECTED_METHOD
    for label, contigs, start, end in QUERIES:
        want = scan_naive(vcf_lines, contigs, start, end)
        got = scan_region(str(files[kind]), contigs, start, end, assume_sorted=assume_sorted)
        assert got.method == methods[kind], label
        assert got.notices == [], label
        assert got.header_lines == want.header_lines, label
        assert got.records == want.records, label


@pytest.fixture(autouse=True)
def always_seek(monkeypatch):
    monkeypatch.setattr(fastscan, "_SEEK_MIN_BYTES", 0)


def test_small_bgzf_is_read_whole(files, vcf_lines, monkeypatch):
    monkeypatch.setattr(fastscan, "_SEEK_MIN_BYTES", 1 << 30)
    got = scan_region(str(files["bgzip"]), T17, *REGION, assume_sorted=True)
    assert (got.method, got.notices) == ("scan-bgzf", [])
    assert got.records == scan_naive(vcf_lines, T17, *REGION).records


def test_region_edges(files, vcf_lines):
    got = scan_region(str(files["bgzf-small"]), T17, *REGION, assume_sorted=True)
    pos = [int(r.split("\t")[1]) for r in got.records]
    assert REGION[0] - 30 in pos          # deletion starting before the region reaches into it
    assert REGION[0] - 1 not in pos       # SNV one base before the region
    assert pos[-1] == REGION[1] and REGION[0] in pos
    assert any(len(r) > 100_000 for r in got.records)   # the long line spanning blocks
    assert len(got.records) > 400
    assert scan_region(str(files["bgzf-small"]), {"chr1"}, 2000, 2000).records[0].endswith("0/0")


def test_stream_plain_gzip_bgzf(files, vcf_lines):
    want = scan_naive(vcf_lines, T17, *REGION).records
    for kind, method in [("plain", "scan-plain"), ("gzip", "scan-gzip"), ("bgzf-small", "scan-bgzf")]:
        res = scan_stream(io.BytesIO(files[kind].read_bytes()), T17, *REGION, source_name="-")
        assert (res.method, res.records) == (method, want)


def test_unsorted_bgzf_falls_back(tmp_path, vcf_lines):
    lines = list(vcf_lines)
    n = len(header())
    body = lines[n:]
    i = next(k for k, r in enumerate(body) if r.startswith("chr20\t"))
    body = body[i:] + body[:i]  # chr20/chrX before chr1..chr17: contig order broken
    lines = lines[:n] + body
    p = tmp_path / "unsorted.vcf.gz"
    p.write_bytes(bgzf(text(lines)))
    got = scan_region(str(p), T17, *REGION, assume_sorted=True)
    assert got.method == "scan-bgzf"
    assert got.notices and "sorted" in got.notices[0]
    assert got.records == scan_naive(lines, T17, *REGION).records


def test_unsorted_positions_in_region_fall_back(tmp_path, vcf_lines, monkeypatch):
    monkeypatch.setattr(fastscan, "_SEEK_SCAN_BYTES", 0)
    lines = list(vcf_lines)
    k = next(i for i, r in enumerate(lines) if r.startswith(f"chr17\t{REGION[0]}\t"))
    lines[k], lines[k + 5] = lines[k + 5], lines[k]
    p = tmp_path / "swap.vcf.gz"
    p.write_bytes(bgzf(text(lines)))
    got = scan_region(str(p), T17, *REGION, assume_sorted=True)
    assert got.method == "scan-bgzf" and "not sorted by position on chr17" in got.notices[0]
    assert got.records == scan_naive(lines, T17, *REGION).records
    plain = tmp_path / "swap.vcf"
    plain.write_bytes(text(lines))
    res = scan_region(str(plain), T17, *REGION, assume_sorted=True)
    assert res.notices == ["file is not sorted by position on chr17; read the whole file"]
    assert res.records == got.records


def test_no_contig_header_falls_back(tmp_path):
    lines = header(contig_lines=False) + records()
    p = tmp_path / "nocontig.vcf.gz"
    p.write_bytes(bgzf(text(lines)))
    got = scan_region(str(p), T17, *REGION, assume_sorted=True)
    assert got.method == "scan-bgzf" and "contig order is unknown" in got.notices[0]
    assert got.records == scan_naive(lines, T17, *REGION).records


def test_truncated_gzip_and_bgzf(tmp_path, files):
    for kind in ["gzip", "bgzf-small", "bgzip"]:
        data = files[kind].read_bytes()
        p = tmp_path / f"cut-{kind}.gz"
        p.write_bytes(data[: len(data) * 2 // 3])
        with pytest.raises(MalformedInputError, match="truncated"):
            scan_region(str(p), T17, *REGION)
        with pytest.raises(MalformedInputError, match="truncated"):
            scan_stream(io.BytesIO(p.read_bytes()), T17, *REGION, source_name="-")


def test_bgzf_without_eof_marker_is_an_error_naming_the_file(tmp_path, vcf_lines):
    # What a killed bgzip leaves: whole blocks, no end-of-file marker block (htslib's bgzf_check_EOF test).
    # Its blocks read as a complete, shorter file, so only the marker tells: an error, never a short read.
    p = tmp_path / "noeof.vcf.gz"
    p.write_bytes(bgzf(text(vcf_lines), eof=False))  # cut exactly at a block boundary
    with pytest.raises(MalformedInputError, match="no end-of-file marker") as err:
        scan_region(str(p), T17, *REGION)
    assert err.value.path == str(p)
    with pytest.raises(MalformedInputError, match="no end-of-file marker") as err:  # the same through a pipe
        scan_stream(io.BytesIO(p.read_bytes()), T17, *REGION, source_name="<stdin>")
    assert err.value.path == "<stdin>"
    complete = tmp_path / "eof.vcf.gz"
    complete.write_bytes(bgzf(text(vcf_lines)))
    assert scan_stream(io.BytesIO(complete.read_bytes()), T17, *REGION, source_name="-").records == \
        scan_naive(vcf_lines, T17, *REGION).records


@pytest.mark.parametrize("content, match", [
    (b"", "empty"),
    (b"chr17\t1\t.\tA\tT\t.\tPASS\t.\n", "#CHROM"),
    (b"BCF\x02\x02rest", "BCF"),
    (b"\x00\x01binary", "not a VCF"),
])
def test_not_a_vcf(tmp_path, content, match):
    for name, data in [("x.vcf", content), ("x.vcf.gz", gzip.compress(content)), ("x.bgz", bgzf(content))]:
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(MalformedInputError, match=match):
            scan_region(str(p), T17, *REGION)


def test_bad_record_on_target_contig(tmp_path):
    lines = header() + [f"chr17\t{REGION[0]}\t.\tA\tT\t.\tPASS\t.\tGT\t0/1\t0/0",
                        "chr17\tnotanumber\t.\tA\tT\t.\tPASS\t.\tGT\t0/1\t0/0"]
    for name, data in [("b.vcf", text(lines)), ("b.vcf.gz", bgzf(text(lines)))]:
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(MalformedInputError, match="POS"):
            scan_region(str(p), T17, *REGION)
    short = header() + [f"chr17\t{REGION[0]}\t.\tA\tT"]
    p = tmp_path / "short.vcf"
    p.write_bytes(text(short))
    with pytest.raises(MalformedInputError, match="8 tab-separated"):
        scan_region(str(p), T17, *REGION)


def test_header_only_and_no_trailing_newline(tmp_path):
    p = tmp_path / "h.vcf.gz"
    p.write_bytes(bgzf(text(header())))
    got = scan_region(str(p), T17, *REGION)
    assert got.records == [] and got.header_lines == header()
    lines = header() + [f"chr17\t{REGION[0]}\t.\tA\tT\t{TAIL}"]
    for name, data in [("n.vcf", text(lines)[:-1]), ("n.vcf.gz", bgzf(text(lines)[:-1]))]:
        q = tmp_path / name
        q.write_bytes(data)
        assert scan_region(str(q), T17, *REGION).records == [lines[-1]]
