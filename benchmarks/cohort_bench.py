#!/usr/bin/env python3
"""Cohort throughput (issue #5): `her2 cohort --jobs 1` vs `--jobs 2` vs a shell loop of
`bcftools view -H -t chr17:39687914-39730426` over the same files.

Generates (once; --regenerate to redo) N panel-sized VCFs (a few hundred records each, GRCh38 header with
##contig lengths, bgzip + tabix index, some planted ERBB2 variants) and a sample sheet in
benchmarks/data/cohort/panel/ (git-ignored), then prints samples/s and speed-ups.

Usage:
  python benchmarks/cohort_bench.py                 # 1,000 samples
  python benchmarks/cohort_bench.py --samples 200 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DIR = HERE / "data" / "cohort" / "panel"
ERBB2 = "chr17:39687914-39730426"
PLANTED = [
    ("chr17", 39711955, "C", "T"),               # S310F
    ("chr17", 39723967, "T", "C"),               # L755S
    ("chr17", 39724730, "C", "CATACGTGATGGC"),   # Y772_A775dup (YVMA)
]
# The CLI entry point.
CLI = "import sys\nfrom her2cli import cli\nsys.argv[0] = 'her2'\ncli.main()\n"


def contig_lengths() -> dict[str, int]:
    """GRCh38 lengths of the UCSC-named contigs, from the bundled resources/contig_lengths.tsv."""
    from her2cli.reference.datafiles import read_tsv

    return {row["ucsc_name"]: int(row["GRCh38_length"]) for row in read_tsv("contig_lengths.tsv")}


def generate(directory: Path, n: int, records: int, seed: int = 1) -> Path:
    import pysam

    directory.mkdir(parents=True, exist_ok=True)
    lengths = contig_lengths()
    contigs = [c for c in lengths if c in {f"chr{i}" for i in range(1, 23)} | {"chrX"}]
    rng = random.Random(seed)
    header = ["##fileformat=VCFv4.2", "##source=her2cli-cohort-bench", '##FILTER=<ID=PASS,Description="All filters passed">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">']
    header += [f"##contig=<ID={c},length={lengths[c]},assembly=GRCh38>" for c in contigs]
    sheet = ["sample\tvcf"]
    for i in range(1, n + 1):
        sample = f"B{i:04d}"
        rows = []
        for _ in range(records):
            chrom = rng.choice(contigs)
            pos = rng.randint(1_000_000, min(lengths[chrom] - 1000, 40_000_000))
            if chrom == "chr17" and 39_600_000 < pos < 39_800_000:
                continue
            ref, alt = rng.sample("ACGT", 2)
            rows.append((chrom, pos, ref, alt))
        if i % 3:
            rows.append(PLANTED[i % len(PLANTED)])
        rows.sort(key=lambda r: (contigs.index(r[0]), r[1]))
        text = "\n".join(header + ["#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + sample]) + "\n"
        text += "".join(f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\tGT:AD:DP\t0/1:{rng.randint(50, 300)},"
                        f"{rng.randint(5, 80)}:400\n" for c, p, r, a in rows)
        plain = directory / f"{sample}.vcf"
        plain.write_text(text)
        pysam.tabix_compress(str(plain), str(plain) + ".gz", force=True)
        pysam.tabix_index(str(plain) + ".gz", preset="vcf", force=True)
        plain.unlink()
        sheet.append(f"{sample}\t{sample}.vcf.gz")
    (directory / "sheet.tsv").write_text("\n".join(sheet) + "\n")
    return directory / "sheet.tsv"


def timed(cmd: list[str] | str, shell: bool = False) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {cmd}\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--records", type=int, default=300, help="records per VCF (panel-sized)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=2, help="runs per configuration (best is reported)")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    sheet = args.dir / "sheet.tsv"
    fresh = not sheet.exists() or args.regenerate or \
        sum(1 for _ in open(sheet, encoding="utf-8")) - 1 != args.samples
    if fresh:
        if args.dir.exists():
            shutil.rmtree(args.dir)
        t = time.perf_counter()
        generate(args.dir, args.samples, args.records)
        print(f"generated {args.samples} VCFs x {args.records} records in {time.perf_counter() - t:.1f} s -> {args.dir}")
    n = args.samples
    vcfs = sorted(str(p) for p in args.dir.glob("*.vcf.gz"))

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="her2-bench-") as tmp:
        for jobs in (1, 2):
            best = float("inf")
            for k in range(args.repeat):
                out = Path(tmp) / f"j{jobs}-{k}"
                best = min(best, timed([sys.executable, "-c", CLI, "cohort", str(sheet), "-o", str(out), "-q",
                                        "--jobs", str(jobs)]))
            results[f"her2 cohort --jobs {jobs}"] = best
        a = (Path(tmp) / "j1-0" / "alterations.tsv").read_bytes()
        b = (Path(tmp) / "j2-0" / "alterations.tsv").read_bytes()
        identical = a == b
        if shutil.which("bcftools"):
            listing = Path(tmp) / "files.txt"
            listing.write_text("\n".join(vcfs) + "\n")
            loop = f'while read f; do bcftools view -H -t {ERBB2} "$f"; done < {listing}'
            results["bcftools view -H -t loop"] = min(timed(loop, shell=True) for _ in range(args.repeat))

    print(f"\n{n} samples, {args.records} records each, {os.cpu_count()} CPUs; best of {args.repeat}")
    print(f"{'method':<28}{'seconds':>10}{'samples/s':>12}")
    for name, seconds in results.items():
        print(f"{name:<28}{seconds:>10.2f}{n / seconds:>12.1f}")
    j1, j2 = results["her2 cohort --jobs 1"], results["her2 cohort --jobs 2"]
    print(f"\nspeed-up --jobs 2 over --jobs 1: {j1 / j2:.2f}x (tables byte-identical: {identical})")
    if "bcftools view -H -t loop" in results:
        bc = results["bcftools view -H -t loop"]
        print(f"her2 --jobs 1 vs bcftools loop: {bc / j1:.2f}x; her2 --jobs 2 vs bcftools loop: {bc / j2:.2f}x")


if __name__ == "__main__":
    main()
