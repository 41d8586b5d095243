#!/usr/bin/env python3
"""Generate synthetic benchmark data for her2cli (issue #6).

Outputs (default directory benchmarks/data/, git-ignored):
  wgs.vcf            whole-genome tumour/normal VCF, sorted, ~5 M records (--records)
  wgs.vcf.gz         the same, plain gzip (one gzip member; no random access)
  wgs.bgz.vcf.gz     the same, BGZF (bgzip) without an index
  wgs.tbi.vcf.gz     the same, BGZF + .tbi index (tabix)
  cohort/            1,000 panel-sized VCFs (--cohort N) + sheet.tsv (columns sample, vcf)
  robust/            issue #11 inputs: many_alts.vcf (one ERBB2 record with --alts ALT alleles),
                     unsorted.vcf.gz (wgs.vcf.gz with L755S moved after chrY, as `cat a b` leaves it),
                     nul_bomb.vcf.gz (header + 1 GB of NUL bytes), line_bomb.vcf.gz (one 1 GB line)

Usage:
  python benchmarks/generate.py                       # full size (~1 GB plain text, ~1 min)
  python benchmarks/generate.py --records 200000      # quick
  python benchmarks/generate.py --skip-wgs            # cohort only
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CONTIGS = [f"chr{i}" for i in range(1, 23)] + ["chrX", "chrY"]
ERBB2_REGION = ("chr17", 39687914, 39730426)

# Known ERBB2 variants (GRCh38), planted at fixed positions so the CLI has something to find.
PLANTED = [
    ("chr17", 39711955, "C", "T", "ERBB2 c.929C>T p.Ser310Phe (S310F)"),
    ("chr17", 39723967, "T", "C", "ERBB2 c.2264T>C p.Leu755Ser (L755S)"),
    ("chr17", 39724730, "C", "CATACGTGATGGC", "ERBB2 c.2313_2324dup p.Tyr772_Ala775dup (YVMA)"),
]

BASES = "ACGT"


def contig_lengths() -> dict[str, int]:
    """GRCh38 lengths of the UCSC-named contigs, from the bundled resources/contig_lengths.tsv."""
    from her2cli.reference.datafiles import read_tsv

    return {row["ucsc_name"]: int(row["GRCh38_length"]) for row in read_tsv("contig_lengths.tsv")}


def erbb2_exon_bases() -> dict[int, str]:
    """GRCh38 genomic base of every ERBB2 exonic position (+ strand), so that background
    records inside exons carry the real REF base (the CLI may check REF against its reference)."""
    data = json.loads((REPO / "resources" / "NM_004448.4.json").read_text(encoding="utf-8"))
    seq = data["sequence"]
    bases: dict[int, str] = {}
    for ex in data["builds"]["GRCh38"]["exons"]:
        for p in range(ex["start"], ex["end"] + 1):
            bases[p] = seq[ex["tx_start"] - 1 + p - ex["start"]]
    return bases


def header_lines(lengths: dict[str, int], samples: list[str], tumor_normal: bool) -> list[str]:
    h = [
        "##fileformat=VCFv4.2",
        "##source=her2cli-benchmarks-generate.py",
        "##reference=GRCh38",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">',
        '##FILTER=<ID=germline,Description="Evidence indicates this site is germline, not somatic">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        '##INFO=<ID=ECNT,Number=1,Type=Integer,Description="Number of events in this haplotype">',
        '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS mapping quality">',
        '##INFO=<ID=MBQ,Number=R,Type=Integer,Description="median base quality by allele">',
        '##INFO=<ID=POPAF,Number=A,Type=Float,Description="negative log 10 population allele frequencies">',
        '##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant existing versus not existing">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
    ]
    h += [f"##contig=<ID={c},length={lengths[c]},assembly=GRCh38>" for c in CONTIGS]
    if tumor_normal:
        h += ["##tumor_sample=TUMOR", "##normal_sample=NORMAL"]
    h.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples))
    return h


def make_tails(rng: random.Random, n: int, paired: bool) -> list[str]:
    """A pool of QUAL..sample columns; picking from a pool keeps generation fast."""
    tails = []
    for _ in range(n):
        dp_t = rng.randint(15, 120)
        alt_t = rng.randint(1, max(1, dp_t // 2))
        af_t = alt_t / dp_t
        filt = rng.choices(["PASS", "weak_evidence", "germline"], weights=[80, 15, 5])[0]
        mq = rng.choice(["60.00", "59.87", "58.12", "60.00", "55.40"])
        tlod = f"{rng.uniform(3, 250):.2f}"
        if paired:
            dp_n = rng.randint(15, 90)
            alt_n = 0 if rng.random() < 0.9 else rng.randint(1, 3)
            dp = dp_t + dp_n
            info = (f"DP={dp};ECNT={rng.randint(1, 3)};MBQ=20,{rng.randint(20, 40)};MQ={mq};"
                    f"POPAF={rng.uniform(1, 7.3):.2f};TLOD={tlod}")
            samples = (f"0/1:{dp_t - alt_t},{alt_t}:{af_t:.3f}:{dp_t}\t"
                       f"0/0:{dp_n - alt_n},{alt_n}:{alt_n / dp_n:.3f}:{dp_n}")
        else:
            info = f"DP={dp_t};ECNT=1;MQ={mq};TLOD={tlod}"
            samples = f"0/1:{dp_t - alt_t},{alt_t}:{af_t:.3f}:{dp_t}"
        tails.append(f".\t{filt}\t{info}\tGT:AD:AF:DP\t{samples}")
    return tails


def make_alleles(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """~85% SNVs, ~8% deletions (REF 2-25 bp), ~7% insertions."""
    out = []
    for _ in range(n):
        r = rng.random()
        first = rng.choice(BASES)
        if r < 0.85:
            out.append((first, rng.choice([b for b in BASES if b != first])))
        elif r < 0.93:
            k = rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 10, 24])
            out.append((first + "".join(rng.choice(BASES) for _ in range(k)), first))
        else:
            k = rng.choice([1, 1, 2, 3, 5, 12])
            out.append((first, first + "".join(rng.choice(BASES) for _ in range(k))))
    return out


def write_wgs(path: Path, n_records: int, seed: int) -> int:
    rng = random.Random(seed)
    lengths = contig_lengths()
    exon = erbb2_exon_bases()
    tails = make_tails(rng, 8192, paired=True)
    alleles = make_alleles(rng, 8192)
    planted = {(c, p): f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\tDP=180;ECNT=1;MBQ=20,36;MQ=60.00;POPAF=7.30;TLOD=98.31"
                        f"\tGT:AD:AF:DP\t0/1:70,42:0.375:112\t0/0:68,0:0.000:68"
               for c, p, r, a, _ in PLANTED}
    planted_pos = {k[1] for k in planted}
    total = sum(lengths[c] for c in CONTIGS)
    written = 0
    with open(path, "w", encoding="ascii", buffering=1 << 22) as out:
        out.write("\n".join(header_lines(lengths, ["TUMOR", "NORMAL"], True)) + "\n")
        for contig in CONTIGS:
            length = lengths[contig]
            n_c = max(1, round(n_records * length / total))
            mean_gap = length / n_c
            lim = int(2 * mean_gap)
            todo = sorted(p for (c, p) in planted if c == contig)
            buf: list[str] = []
            pos = 0
            rint = rng.randrange
            for _ in range(n_c):
                pos += 1 + rint(lim)
                if pos >= length - 30:
                    break
                while todo and todo[0] <= pos:
                    buf.append(planted[(contig, todo.pop(0))])
                    written += 1
                if pos in planted_pos and contig == "chr17":
                    continue
                ref, alt = alleles[rint(8192)]
                if contig == "chr17" and 39700000 <= pos <= 39730000 and pos in exon:
                    # inside ERBB2 exons: real REF base, SNV only
                    ref = exon[pos]
                    alt = "A" if ref != "A" else "G"
                buf.append(f"{contig}\t{pos}\t.\t{ref}\t{alt}\t{tails[rint(8192)]}")
                written += 1
                if len(buf) >= 50000:
                    out.write("\n".join(buf) + "\n")
                    buf.clear()
            for p in todo:
                buf.append(planted[(contig, p)])
                written += 1
            if buf:
                out.write("\n".join(buf) + "\n")
    return written


class BgzfWriter:
    """Minimal BGZF writer (for the small cohort files; bgzip is used for the big one)."""

    EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")

    def __init__(self, path: Path):
        self.fh = open(path, "wb")

    def write(self, data: bytes) -> None:
        for i in range(0, len(data), 65280):
            chunk = data[i:i + 65280]
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            comp = co.compress(chunk) + co.flush()
            bsize = len(comp) + 25
            self.fh.write(b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00"
                          + struct.pack("<H", bsize) + comp
                          + struct.pack("<II", zlib.crc32(chunk) & 0xFFFFFFFF, len(chunk)))

    def close(self) -> None:
        self.fh.write(self.EOF)
        self.fh.close()


PANEL_GENES = [  # (contig, start, end) of a few panel targets, GRCh38
    ("chr1", 114704469, 114716894), ("chr2", 29192774, 29921586), ("chr3", 179148114, 179240093),
    ("chr4", 54657918, 54740715), ("chr7", 55019017, 55211628), ("chr7", 116672196, 116798386),
    ("chr7", 140719327, 140924929), ("chr12", 25205246, 25250936), ("chr13", 32315508, 32400268),
    ("chr17", 7661779, 7687538), ("chr17", 39687914, 39730426), ("chr19", 1205778, 1228430),
]


def write_cohort(outdir: Path, n_samples: int, seed: int) -> Path:
    rng = random.Random(seed + 1)
    lengths = contig_lengths()
    exon = erbb2_exon_bases()
    alleles = make_alleles(rng, 2048)
    outdir.mkdir(parents=True, exist_ok=True)
    sheet = outdir / "sheet.tsv"
    rows = ["sample\tvcf"]
    for i in range(n_samples):
        name = f"S{i + 1:04d}"
        tails = make_tails(rng, 64, paired=False)
        recs: list[tuple[int, int, str]] = []
        for _ in range(rng.randint(200, 400)):
            gi = rng.randrange(len(PANEL_GENES))
            c, s, e = PANEL_GENES[gi]
            p = rng.randint(s, e)
            ref, alt = alleles[rng.randrange(2048)]
            if c == "chr17" and p in exon:
                ref = exon[p]
                alt = "A" if ref != "A" else "G"
            recs.append((CONTIGS.index(c), p, f"{c}\t{p}\t.\t{ref}\t{alt}\t{tails[rng.randrange(64)]}"))
        if rng.random() < 0.2:  # ~20% carry a known ERBB2 mutation
            c, p, r, a, _ = rng.choice(PLANTED)
            recs.append((CONTIGS.index(c), p, f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\tDP=400;ECNT=1;MQ=60.00;TLOD=120.5"
                                              f"\tGT:AD:AF:DP\t0/1:300,100:0.250:400"))
        recs.sort(key=lambda t: (t[0], t[1]))
        seen = set()
        lines = []
        for ci, p, text in recs:
            if (ci, p) in seen:
                continue
            seen.add((ci, p))
            lines.append(text)
        text = "\n".join(header_lines(lengths, [name], False) + lines) + "\n"
        path = outdir / f"{name}.vcf.gz"
        w = BgzfWriter(path)
        w.write(text.encode("ascii"))
        w.close()
        rows.append(f"{name}\t{path}")
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return sheet


def run(cmd: str) -> None:
    subprocess.run(cmd, shell=True, check=True)


def write_many_alts(path: Path, n_alts: int, seed: int) -> None:
    """One ERBB2 record (L755S position) with n_alts distinct insertion ALTs, AD for each (Number=R)."""
    rng = random.Random(seed)
    alts: set[str] = set()
    while len(alts) < n_alts:
        alts.add("T" + "".join(rng.choice(BASES) for _ in range(12)))
    ordered = sorted(alts)
    ad = ",".join(["10"] + ["1"] * n_alts)
    head = [l for l in header_lines(contig_lengths(), ["TUMOR"], False) if not l.startswith("#CHROM")]
    with open(path, "w") as fh:
        fh.write("\n".join(head) + "\n")
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n")
        fh.write(f"chr17\t39723967\t.\tT\t{','.join(ordered)}\t.\tPASS\t.\tGT:AD:DP\t0/1:{ad}:{10 + n_alts}\n")


def write_unsorted(plain: Path, path: Path) -> None:
    """The WGS file with the planted L755S record moved to the end (after chrY), gzip -1."""
    moved = None
    with open(plain, "rb") as src, gzip.open(path, "wb", 1) as dst:
        for line in src:
            if line.startswith(b"chr17\t39723967\t"):
                moved = line
                continue
            dst.write(line)
        if moved is None:
            raise SystemExit("L755S not found in the WGS file")
        dst.write(moved)


def write_bomb(path: Path, head: bytes, fill: bytes, size: int) -> None:
    """head + `size` bytes of `fill`, gzip -1 (a ~1 MB file that inflates to `size`)."""
    block = fill * (1 << 20)
    with gzip.open(path, "wb", 1) as dst:
        dst.write(head)
        for _ in range(size >> 20):
            dst.write(block)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=5_000_000, help="WGS records (default 5,000,000)")
    ap.add_argument("--cohort", type=int, default=1000, help="cohort size (default 1000; 0 = none)")
    ap.add_argument("--outdir", type=Path, default=HERE / "data")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--skip-wgs", action="store_true")
    ap.add_argument("--keep-plain", action="store_true", default=True,
                    help="keep the plain .vcf (needed for the plain-text case; default on)")
    ap.add_argument("--threads", type=int, default=2, help="bgzip threads")
    ap.add_argument("--alts", type=int, default=100_000, help="ALT alleles of robust/many_alts.vcf")
    ap.add_argument("--skip-robust", action="store_true", help="do not write robust/")
    args = ap.parse_args(argv)
    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)

    if not args.skip_wgs:
        t0 = time.time()
        plain = out / "wgs.vcf"
        n = write_wgs(plain, args.records, args.seed)
        print(f"wrote {plain} ({n:,} records, {plain.stat().st_size / 1e6:.0f} MB) in {time.time() - t0:.0f}s")
        t0 = time.time()
        bgz = out / "wgs.bgz.vcf.gz"
        tbi_vcf = out / "wgs.tbi.vcf.gz"
        if shutil.which("bgzip"):
            run(f"bgzip -@{args.threads} -c {plain} > {bgz}")
        else:
            import pysam
            pysam.tabix_compress(str(plain), str(bgz), force=True)
        shutil.copyfile(bgz, tbi_vcf)
        if shutil.which("tabix"):
            run(f"tabix -f -p vcf {tbi_vcf}")
        else:
            import pysam
            pysam.tabix_index(str(tbi_vcf), preset="vcf", force=True)
        print(f"wrote {bgz}, {tbi_vcf} + .tbi in {time.time() - t0:.0f}s")
        t0 = time.time()
        gz = out / "wgs.vcf.gz"
        if shutil.which("gzip"):
            run(f"gzip -6 -c {plain} > {gz}")
        else:
            with open(plain, "rb") as src, gzip.open(gz, "wb", 6) as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
        print(f"wrote {gz} in {time.time() - t0:.0f}s")

    if not args.skip_robust:
        t0 = time.time()
        robust = out / "robust"
        robust.mkdir(exist_ok=True)
        write_many_alts(robust / "many_alts.vcf", args.alts, args.seed)
        if (out / "wgs.vcf").exists():
            write_unsorted(out / "wgs.vcf", robust / "unsorted.vcf.gz")
        head = ("\n".join(header_lines(contig_lengths(), ["TUMOR", "NORMAL"], True)) + "\n").encode()
        write_bomb(robust / "nul_bomb.vcf.gz", head, b"\0", 1 << 30)
        write_bomb(robust / "line_bomb.vcf.gz", head + b"chr17\t39723967\t.\t", b"A", 1 << 30)
        print(f"wrote {robust}/ in {time.time() - t0:.0f}s")

    if args.cohort:
        t0 = time.time()
        sheet = write_cohort(out / "cohort", args.cohort, args.seed)
        print(f"wrote {args.cohort} cohort VCFs + {sheet} in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
