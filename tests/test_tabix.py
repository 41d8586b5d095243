"""read_tbi_region: the pure-Python tabix reader must return exactly what a naive
filter of the plain file returns (and what htslib's tabix fetch returns)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

pysam = pytest.importorskip("pysam")

from her2cli.errors import MalformedInputError  # noqa: E402
from her2cli.io.fastscan import scan_naive  # noqa: E402
from her2cli.io.bgzf import EOF_MARKER  # noqa: E402
from her2cli.io.tabix import IndexMismatch, _reg2bins, read_tbi_region  # noqa: E402

CONTIGS = [("chr1", 3_000_000), ("chr2", 600_000), ("chr17", 2_500_000), ("chrX", 400_000)]
BASES = "ACGT"
# chr17 specials: a long deletion whose span crosses many 16 kb windows (and so sits
# in a higher-level bin), records exactly at a region's edges, duplicates.
DEL_POS, DEL_LEN = 1_000_000, 40_000
EDGE_START, EDGE_END = 1_030_000, 1_060_000


def _record(rng: random.Random, chrom: str, pos: int, ref: str | None = None, info_extra: str = "") -> str:
    ref = ref or rng.choice(BASES)
    alt = rng.choice([b for b in BASES if b != ref[0]])
    info = f"DP={rng.randint(5, 300)};AF={rng.random():.3f}{info_extra}"
    return "\t".join([chrom, str(pos), ".", ref, alt, "50", "PASS", info, "GT:AD", "0/1:10,5"])


def _build(tmp_path) -> tuple[str, str, str]:
    rng = random.Random(20240601)
    header = ["##fileformat=VCFv4.2"]
    header += [f"##contig=<ID={c},length={n}>" for c, n in CONTIGS]
    header += ['##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
               '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">',
               '##INFO=<ID=PAD,Number=1,Type=String,Description="padding">',
               '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
               '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Depth">',
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1"]
    lines = list(header)
    for chrom, length in CONTIGS:
        n = 3000 if chrom == "chr17" else 1500
        recs: list[tuple[int, str]] = []
        for pos in sorted(rng.randint(1000, length - 1000) for _ in range(n)):
            extra = ""
            r = rng.random()
            if r < 0.01:
                extra = ";PAD=" + "N" * rng.randint(70_000, 90_000)  # a line over one BGZF block
            elif r < 0.05:
                extra = ";PAD=" + "N" * rng.randint(500, 5000)
            ref = None
            if rng.random() < 0.05:  # small deletions
                ref = "".join(rng.choice(BASES) for _ in range(rng.randint(2, 60)))
            recs.append((pos, _record(rng, chrom, pos, ref, extra)))
        if chrom == "chr17":
            recs.append((DEL_POS, _record(rng, chrom, DEL_POS, "A" * DEL_LEN)))
            for pos in (EDGE_START, EDGE_START, EDGE_END, EDGE_END - 1, EDGE_END + 1, EDGE_START - 1):
                recs.append((pos, _record(rng, chrom, pos)))
            recs.append((EDGE_START - 3, _record(rng, chrom, EDGE_START - 3, "ACGTA")))  # overlaps by 2
            recs.append((EDGE_START - 5, _record(rng, chrom, EDGE_START - 5, "ACGTA")))  # ends at start-1
        recs.sort(key=lambda t: t[0])  # stable: duplicates keep their order
        lines += [r for _, r in recs]
    plain = tmp_path / "calls.vcf"
    plain.write_text("\n".join(lines) + "\n")
    gz = str(tmp_path / "calls.vcf.gz")
    pysam.tabix_compress(str(plain), gz, force=True)
    pysam.tabix_index(gz, preset="vcf", force=True, keep_original=True)  # returns the data path
    return str(plain), gz, gz + ".tbi"


@pytest.fixture(scope="module")
def vcf(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("tabix"))


def _naive(plain: str, contigs: set[str], start: int, end: int):
    with open(plain) as fh:
        return scan_naive(fh, contigs, start, end)


def _check(vcf, contigs: set[str], start: int, end: int):
    plain, gz, tbi = vcf
    got = read_tbi_region(gz, tbi, contigs, [(start, end)])
    want = _naive(plain, contigs, start, end)
    assert got is not None
    assert got.method == "tabix-index"
    assert got.header_lines == want.header_lines
    assert got.records == want.records, (contigs, start, end)
    assert got.notices == []
    return got


def test_reg2bins_matches_spec_examples():
    assert _reg2bins(0, 1) == {0, 1, 9, 73, 585, 4681}
    assert 4681 + (1 << 15) - 1 in _reg2bins((1 << 29) - 1, 1 << 29)


def test_deletion_spanning_region_start(vcf):
    start = DEL_POS + DEL_LEN - 100  # the 40 kb deletion starts ~3 windows earlier
    got = _check(vcf, {"chr17"}, start, start + 50)
    assert any(r.split("\t")[1] == str(DEL_POS) for r in got.records)


def test_records_exactly_at_edges(vcf):
    got = _check(vcf, {"chr17"}, EDGE_START, EDGE_END)
    positions = [int(r.split("\t")[1]) for r in got.records]
    assert positions.count(EDGE_START) >= 2 and EDGE_END in positions
    assert EDGE_START - 3 in positions and EDGE_START - 5 not in positions
    assert EDGE_END + 1 not in positions
    assert DEL_POS in positions  # 1,000,000 + 40,000 - 1 >= 1,030,000


@pytest.mark.parametrize("contigs,start,end", [
    ({"chr17"}, 1, 10),                        # before the first record
    ({"chr17"}, 1, 2_000),                     # includes the first records
    ({"chr17"}, 2_499_000, 3_000_000),         # after the last record
    ({"chr17"}, 400_000_000, 600_000_000),     # far past the last window (and past 2^29)
    ({"chrX"}, 1, 1_000_000),                  # a whole contig (the last one)
    ({"chr1"}, 1, 5_000_000),                  # a whole contig (the first one)
    ({"chr17", "17"}, 500_000, 900_000),       # alias not in the index
    ({"chr2", "chr17"}, 100_000, 300_000),     # two contigs: file order
    ({"chr17"}, 1_000_000, 1_000_000),         # one base
    ({"chr17"}, 5, 4),                         # empty region
])
def test_fixed_regions(vcf, contigs, start, end):
    _check(vcf, contigs, start, end)


def test_random_regions(vcf):
    plain, gz, tbi = vcf
    # the naive rule on pre-split lines (scan_naive itself on the first regions)
    with open(plain) as fh:
        rows = [(f[0], int(f[1]), len(f[3]), line.rstrip("\n"))
                for line in fh if not line.startswith("#") for f in [line.split("\t", 4)]]
    rng = random.Random(7)
    for i in range(300):
        chrom, length = rng.choice(CONTIGS)
        start = rng.randint(1, length)
        end = start + rng.choice([0, 10, 500, 16_384, 60_000, 300_000])
        if i < 10:
            _check(vcf, {chrom}, start, end)
            continue
        want = [line for c, pos, reflen, line in rows
                if c == chrom and pos <= end and pos + reflen - 1 >= start]
        assert read_tbi_region(gz, tbi, {chrom}, [(start, end)]).records == want, (chrom, start, end)


def test_agrees_with_htslib_fetch(vcf):
    plain, gz, tbi = vcf
    rng = random.Random(11)
    regions = [("chr17", EDGE_START, EDGE_END), ("chr17", DEL_POS + DEL_LEN - 1, DEL_POS + DEL_LEN + 5000)]
    for _ in range(40):
        chrom, length = rng.choice(CONTIGS)
        start = rng.randint(1, length)
        regions.append((chrom, start, start + rng.randint(0, 200_000)))
    with pysam.TabixFile(gz) as tf:
        for chrom, start, end in regions:
            want = list(tf.fetch(chrom, start - 1, end))  # same overlap rule (no INFO/END here)
            got = read_tbi_region(gz, tbi, {chrom}, [(start, end)])
            assert got.records == want, (chrom, start, end)


def test_absent_contig_gives_header_only(vcf):
    plain, gz, tbi = vcf
    got = read_tbi_region(gz, tbi, {"chr5", "17"}, [(1, 10_000_000)])
    assert got.records == []
    assert got.header_lines[-1].startswith("#CHROM")
    assert got.header_lines == _naive(plain, {"chr5"}, 1, 2).header_lines


def test_csi_index_returns_none(vcf, tmp_path):
    plain, gz, tbi = vcf
    gz2 = str(tmp_path / "c.vcf.gz")
    shutil.copy(gz, gz2)
    pysam.tabix_index(gz2, preset="vcf", csi=True, force=True)
    csi = gz2 + ".csi"
    assert Path(csi).read_bytes()[:2] == b"\x1f\x8b"
    assert read_tbi_region(gz2, csi, {"chr17"}, [(1, 100_000)]) is None


def test_non_vcf_tbi_returns_none(tmp_path):
    bed = tmp_path / "r.bed"
    bed.write_text("".join(f"chr17\t{i * 100}\t{i * 100 + 50}\tx\n" for i in range(1000)))
    gz = str(tmp_path / "r.bed.gz")
    pysam.tabix_compress(str(bed), gz)
    pysam.tabix_index(gz, preset="bed", force=True)
    tbi = gz + ".tbi"
    assert read_tbi_region(gz, tbi, {"chr17"}, [(1, 1000)]) is None


def test_truncated_data_file(vcf, tmp_path):
    plain, gz, tbi = vcf
    data = Path(gz).read_bytes()
    cut = str(tmp_path / "cut.vcf.gz")
    # cut in the middle of a block, inside chr17's records
    with open(cut, "wb") as fh:
        fh.write(data[:len(data) * 2 // 3 + 123])
    with pytest.raises(MalformedInputError):
        read_tbi_region(cut, tbi, {"chr17"}, [(1, 3_000_000)])
    # cut before the region: without its end-of-file marker the data file itself is named
    with open(cut, "wb") as fh:
        fh.write(data[:len(data) // 3])
    with pytest.raises(MalformedInputError, match="no end-of-file marker") as err:
        read_tbi_region(cut, tbi, {"chrX"}, [(1, 1_000_000)])
    assert err.value.path == cut
    # the same cut at a block boundary with a marker appended looks complete: the index no longer fits it
    blocks, off = [], 0
    while off < len(data) // 3:
        blocks.append(off)
        off += int.from_bytes(data[off + 16:off + 18], "little") + 1
    with open(cut, "wb") as fh:
        fh.write(data[:blocks[-1]] + EOF_MARKER)
    with pytest.raises(IndexMismatch) as err:
        read_tbi_region(cut, tbi, {"chrX"}, [(1, 1_000_000)])
    assert err.value.path == tbi and "past the end" in err.value.message


def test_corrupt_block_and_index(vcf, tmp_path):
    plain, gz, tbi = vcf
    data = bytearray(Path(gz).read_bytes())
    bad = str(tmp_path / "bad.vcf.gz")
    got = read_tbi_region(gz, tbi, {"chr17"}, [(1, 3_000_000)])
    assert got.records
    data[len(data) // 2: len(data) // 2 + 64] = b"\0" * 64  # smash the middle of the file
    with open(bad, "wb") as fh:
        fh.write(data)
    with pytest.raises(MalformedInputError):
        for chrom, _ in CONTIGS:
            read_tbi_region(bad, tbi, {chrom}, [(1, 10_000_000)])
    short = str(tmp_path / "short.tbi")
    with open(short, "wb") as fh:
        fh.write(Path(tbi).read_bytes()[:200])
    with pytest.raises(MalformedInputError) as err:
        read_tbi_region(gz, short, {"chrX"}, [(1, 1_000)])
    assert err.value.path == short


def test_last_offset_from_the_pseudo_bins_agrees_with_every_chunk(vcf, monkeypatch):
    # htslib writes a metadata pseudo-bin (37450) per reference whose first pair is the reference's first and
    # last record offsets; an index without them (old tabix) has its chunks unpacked: the same end either way,
    # and it is the data's end-of-file marker (the last record ends the last data block).
    from her2cli.io import tabix

    plain, gz, tbi = vcf
    with_meta = tabix.tbi_last_offset(tbi)
    monkeypatch.setattr(tabix, "_META_BIN", 1)  # no reference has a pseudo-bin 1 of two chunks
    assert tabix.tbi_last_offset(tbi) == with_meta
    assert with_meta >> 16 == Path(gz).stat().st_size - len(EOF_MARKER) and with_meta & 0xFFFF == 0
