"""Real alignment files over the ERBB2 exons, made at test time (tests/test_coverage.py, benchmarks).

Reads are cut out of the bundled exon sequences (NM_004448.4 is the genome on the + strand inside exons), so every
base is a true match. ``depth_by_exon`` chooses how many times each exon is tiled: a base of an exon tiled d times
is read by d or 2d reads (the last tile is right-aligned and overlaps the one before). A few reads that
``samtools depth`` must skip or count partially are added: a duplicate, a secondary, a QC-failed read, a read with a
deletion and a spliced read across two exons.
"""

from __future__ import annotations

import os
import random

GRCH38_CHR17 = 83257441


def write_bam(path: str, depth_by_exon: dict[int, int], read_length: int = 100, genome: str = "GRCh38",
              chrom: str = "chr17", extra_random: int = 0, seed: int = 7) -> str:
    """A coordinate-sorted, indexed BAM at ``path``; returns the path."""
    import pysam

    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    exons = {e.number: e for e in tx.builds[genome].exons}
    length = GRCH38_CHR17 if genome == "GRCh38" else 81195210
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": chrom, "LN": length}],
              "RG": [{"ID": "sim", "SM": "SIM"}]}
    reads: list[tuple[int, str, list, int]] = []  # (0-based start, bases, cigar, flag)
    rng = random.Random(seed)

    def seq(exon, first: int, last: int) -> str:  # genomic 1-based closed, inside the exon
        return tx.sequence[exon.tx_start - 1 + first - exon.start: exon.tx_start + last - exon.start]

    for number, depth in depth_by_exon.items():
        exon = exons[number]
        size = min(read_length, exon.end - exon.start + 1)
        starts = list(range(exon.start, exon.end - size + 2, size))
        if starts[-1] + size - 1 < exon.end:
            starts.append(exon.end - size + 1)
        for _ in range(depth):
            for start in starts:
                reads.append((start - 1, seq(exon, start, start + size - 1), [(0, size)], 0))
        for _ in range(extra_random):
            start = rng.randint(exon.start, exon.end - size + 1)
            reads.append((start - 1, seq(exon, start, start + size - 1), [(0, size)], 0))
        if depth:
            mid = exon.start + size // 2
            piece = seq(exon, exon.start, exon.start + size - 1)
            reads.append((exon.start - 1, piece, [(0, size)], 0x400))  # duplicate: not counted
            reads.append((exon.start - 1, piece, [(0, size)], 0x100))  # secondary: not counted
            reads.append((exon.start - 1, piece, [(0, size)], 0x200))  # QC fail: not counted
            # 2-base deletion in the middle: the deleted bases are not counted (samtools depth without -J)
            left, right = seq(exon, exon.start, mid - 1), seq(exon, mid + 2, exon.start + size - 1)
            reads.append((exon.start - 1, left + right, [(0, len(left)), (2, 2), (0, len(right))], 0))
    # a spliced read: the end of exon 19 joined to the start of exon 20 (N skips the intron)
    if depth_by_exon.get(19) and depth_by_exon.get(20):
        e19, e20 = exons[19], exons[20]
        left, right = seq(e19, e19.end - 29, e19.end), seq(e20, e20.start, e20.start + 29)
        reads.append((e19.end - 30, left + right, [(0, 30), (3, e20.start - e19.end - 1), (0, 30)], 0))
    reads.sort(key=lambda r: r[0])
    unsorted = path + ".unsorted.bam"
    with pysam.AlignmentFile(unsorted, "wb", header=header) as out:
        for i, (start, bases, cigar, flag) in enumerate(reads):
            read = pysam.AlignedSegment(out.header)
            read.query_name = f"r{i}"
            read.reference_id = 0
            read.reference_start = start
            read.cigartuples = cigar
            read.query_sequence = bases
            read.query_qualities = pysam.qualitystring_to_array("I" * len(bases))
            read.flag = flag
            read.mapping_quality = 60
            read.set_tag("RG", "sim")
            out.write(read)
    pysam.sort("-o", path, unsorted)
    os.remove(unsorted)
    pysam.index(path)
    return path


def exon_bed(path: str, exons: list[int], genome: str = "GRCh38", chrom: str = "chr17", pad: int = 0) -> str:
    """A BED of the given exons (whole exons, 0-based starts), named by exon."""
    from her2cli.reference.transcript import load_transcript

    model = load_transcript().builds[genome]
    with open(path, "w") as handle:
        for exon in model.exons:
            if exon.number in exons:
                handle.write(f"{chrom}\t{exon.start - 1 - pad}\t{exon.end + pad}\tERBB2_exon{exon.number}\n")
    return path


def write_reference(path: str, genome: str = "GRCh38", chrom: str = "chr17") -> str:
    """A bgzipped FASTA of chr17 up to the end of ERBB2: N everywhere but the ERBB2 exons, which hold the
    bundled transcript's bases (the genome there). Compresses to ~150 kB; indexed with samtools faidx."""
    import subprocess

    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    exons = tx.builds[genome].exons
    length = exons[-1].end + 1000
    seq = bytearray(b"N" * length)
    for e in exons:
        seq[e.start - 1:e.end] = tx.sequence[e.tx_start - 1:e.tx_end].encode()
    with open(path, "wb") as out:
        proc = subprocess.Popen(["bgzip", "-c"], stdin=subprocess.PIPE, stdout=out)
        proc.stdin.write(f">{chrom}\n".encode())
        for i in range(0, length, 60):
            proc.stdin.write(bytes(seq[i:i + 60]) + b"\n")
        proc.stdin.close()
        proc.wait()
    subprocess.run(["samtools", "faidx", path], check=True)
    return path
