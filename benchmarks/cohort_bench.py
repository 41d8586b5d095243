#!/usr/bin/env python3
"""Cohort throughput (issue 24): `her2 cohort --jobs 1` vs `--jobs 2` vs a shell loop of
`bcftools view -H -t chr17:39687914-39730426` over the same files, and the per-sample pages' cost
(issue 23: pages rendered from each sample's results, so a run is linear in the samples).

Generates (once; --regenerate to redo) N panel-sized VCFs (a few hundred records each, GRCh38 header with
##contig lengths, bgzip + tabix index, some planted ERBB2 variants) and a sample sheet in
benchmarks/data/cohort/panel-N/ (git-ignored). The three commands run **interleaved** (j1, j2, loop, j1, j2,
loop, ...: the machine may be shared, so a load change hits all three alike); the median and the best of
each are printed, with each her2 run's peak RSS: of the largest process (wait4) and of the parent alone
(its own getrusage; compare 1,000 with 10,000 samples for flat memory).

--study runs the page-linearity check: a published study (a MAF and one shared multi-sample .seg) of
120/250/500 samples through `her2 cohort --maf ... -o DIR --pages`, timed.

Usage:
  python benchmarks/cohort_bench.py                          # 1,000 samples, 3 rounds
  python benchmarks/cohort_bench.py --samples 10000 --repeat 2
  python benchmarks/cohort_bench.py --study 120,250,500
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DIR = HERE / "data" / "cohort"
ERBB2 = "chr17:39687914-39730426"
PLANTED = [
    ("chr17", 39711955, "C", "T"),               # S310F
    ("chr17", 39723967, "T", "C"),               # L755S
    ("chr17", 39724730, "C", "CATACGTGATGGC"),   # Y772_A775dup (YVMA)
]
# The CLI entry point; at exit it writes its own CPU seconds and its reaped children's (the workers') to the
# file named by HER2_BENCH_RUSAGE, to show how much of the work is left in the parent, and its own peak RSS
# (the parent's alone: compare 1,000 with 10,000 samples for flat memory).
CLI = """import atexit, json, os, resource, sys
def _cpu():
    if os.environ.get("HER2_BENCH_RUSAGE"):
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(os.environ["HER2_BENCH_RUSAGE"], "w") as out:
            json.dump([own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime, own.ru_maxrss / 1024], out)
atexit.register(_cpu)
from her2cli import cli
sys.argv[0] = 'her2'
cli.main()
"""
# A control: the same CPU-bound Python work in 1 and 2 processes shows what the machine gives a second
# process at the moment (on a shared machine, often much less than a core). Its size follows the run's
# (one task of ~40 ms per 50 samples, at least 16): a short control understates what two cores give, its
# pool start-up being a larger share of it.
CONTROL = """import sys
from concurrent.futures import ProcessPoolExecutor
def burn(n):
    x = 0
    for i in range(n):
        x += i * i
    return x
if __name__ == "__main__":
    with ProcessPoolExecutor(int(sys.argv[1])) as pool:
        list(pool.map(burn, [1_000_000] * int(sys.argv[2])))
"""


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


def timed(cmd: list[str] | str, shell: bool = False, env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB of the largest process of the command, CPU seconds of the command and
    every process it waited for), as wait4 reports them."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read()
    proc.stderr.close()
    if code != 0:
        sys.exit(f"failed ({code}): {cmd}\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def throughput(args) -> None:
    import json

    directory = args.dir / f"panel-{args.samples}"
    sheet = directory / "sheet.tsv"
    if not sheet.exists() or args.regenerate:
        if directory.exists():
            shutil.rmtree(directory)
        t = time.perf_counter()
        generate(directory, args.samples, args.records)
        print(f"generated {args.samples} VCFs x {args.records} records in {time.perf_counter() - t:.1f} s -> {directory}")
    n = args.samples
    # As an installed her2cli runs: with its modules' bytecode cached (pip compiles them at install; with
    # PYTHONDONTWRITEBYTECODE set and no cache, every run would compile ~55 modules again, ~0.08 s).
    import compileall

    import her2cli

    compileall.compile_dir(os.path.dirname(her2cli.__file__), quiet=1)
    vcfs = sorted(str(p) for p in directory.glob("*.vcf.gz"))
    times: dict[str, list[float]] = {}
    rss: dict[str, float] = {}
    parent_rss: dict[str, float] = {}
    cpu: dict[str, list[tuple[float, float]]] = {}
    total_cpu: dict[str, list[float]] = {}
    loads = []
    with tempfile.TemporaryDirectory(prefix="her2-bench-") as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("\n".join(vcfs) + "\n")
        commands: dict[str, list[str] | str] = {
            f"her2 cohort --jobs {j}": [sys.executable, "-c", CLI, "cohort", str(sheet), "-q", "--jobs", str(j)]
            for j in (1, 2)}
        if shutil.which("bcftools"):
            commands["bcftools view -H -t loop"] = f'while read f; do bcftools view -H -t {ERBB2} "$f"; done < {listing}'
        tasks = str(max(16, n // 50))
        commands.update({f"control, {j} process(es)": [sys.executable, "-c", CONTROL, str(j), tasks] for j in (1, 2)})
        usage = Path(tmp) / "cpu.json"
        for k in range(args.repeat):  # interleaved rounds
            loads.append(os.getloadavg()[0])
            for name, cmd in commands.items():
                her2 = name.startswith("her2")
                full = cmd + ["-o", str(Path(tmp) / f"{name.split()[-1]}-{k}")] if her2 else cmd
                seconds, peak, used = timed(full, shell=isinstance(cmd, str),
                                            env={"HER2_BENCH_RUSAGE": str(usage)} if her2 else None)
                times.setdefault(name, []).append(seconds)
                total_cpu.setdefault(name, []).append(used)
                if her2:
                    rss[name] = max(rss.get(name, 0.0), peak)
                    own, kids, own_rss = json.loads(usage.read_text())
                    cpu.setdefault(name, []).append((own, kids))
                    parent_rss[name] = max(parent_rss.get(name, 0.0), own_rss)
                print(f"  round {k + 1}: {name:<26} {seconds:8.2f} s", flush=True)
        identical = (Path(tmp) / "1-0" / "alterations.tsv").read_bytes() == (Path(tmp) / "2-0" / "alterations.tsv").read_bytes()

    print(f"\n{n} samples, {args.records} records each, {os.cpu_count()} CPUs, load average at each round's start "
          f"{', '.join(f'{x:.1f}' for x in loads)}; {args.repeat} interleaved rounds")
    print(f"{'method':<28}{'median s':>10}{'best s':>10}{'samples/s':>12}{'peak MB':>10}{'parent MB':>10}{'CPU s':>8}"
          f"{'her2: parent+workers':>22}")
    for name, values in times.items():
        median = statistics.median(values)
        peak = f"{rss[name]:.0f}" if name in rss else ""
        parent = f"{parent_rss[name]:.0f}" if name in parent_rss else ""
        use = ""
        if name in cpu:
            own, kids = (statistics.median(c[i] for c in cpu[name]) for i in (0, 1))
            use = f"{own:.2f} + {kids:.2f}"
        print(f"{name:<28}{median:>10.2f}{min(values):>10.2f}{n / median:>12.1f}{peak:>10}{parent:>10}"
              f"{statistics.median(total_cpu[name]):>8.2f}{use:>22}")

    def ratio(a: str, b: str) -> str:
        per = [x / y for x, y in zip(times[a], times[b])]
        return (f"{statistics.median(times[a]) / statistics.median(times[b]):.2f}x of the medians "
                f"(per round {', '.join(f'{p:.2f}' for p in per)})")

    print(f"\nspeed-up --jobs 2 over --jobs 1: {ratio('her2 cohort --jobs 1', 'her2 cohort --jobs 2')}; "
          f"tables byte-identical: {identical}")
    print(f"the machine's control, 2 processes over 1: {ratio('control, 1 process(es)', 'control, 2 process(es)')}")
    if "bcftools view -H -t loop" in times:
        for j in (1, 2):
            print(f"bcftools loop / her2 --jobs {j}: {ratio('bcftools view -H -t loop', f'her2 cohort --jobs {j}')}")


def make_study(directory: Path, n: int, seed: int = 7) -> tuple[Path, Path]:
    """A study of ``n`` samples: one multi-sample .seg (~200 segments each, GRCh38) and a MAF with an ERBB2
    variant in every third sample."""
    sys.path.insert(0, str(HERE))
    from seg_scale import generate as generate_seg

    directory.mkdir(parents=True, exist_ok=True)
    seg = directory / "study.seg"
    generate_seg(seg, n, seed)
    maf = directory / "study.maf"
    lines = ["Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele1\t"
             "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tNCBI_Build\tVariant_Type"]
    for s in range(0, n, 3):
        chrom, pos, ref, alt = PLANTED[1]
        lines.append(f"ERBB2\t{chrom}\t{pos}\t{pos}\t{ref}\t{ref}\t{alt}\tS{s:05d}\tGRCh38\tSNP")
    maf.write_text("\n".join(lines) + "\n")
    return maf, seg


def study(args) -> None:
    sizes = [int(x) for x in args.study.split(",")]
    print(f"{'samples':>8}{'-o --pages s':>14}{'s/sample (ms)':>15}{'-o only s':>11}{'no -o s':>10}")
    with tempfile.TemporaryDirectory(prefix="her2-study-") as tmp:
        for n in sizes:
            maf, seg = make_study(Path(tmp) / f"s{n}", n)
            base = [sys.executable, "-c", CLI, "cohort", "--maf", str(maf), "--segments", str(seg), "-q"]
            pages = timed(base + ["-o", str(Path(tmp) / f"o{n}p"), "--pages"])[0]
            only = timed(base + ["-o", str(Path(tmp) / f"o{n}")])[0]
            plain = timed(base)[0]
            print(f"{n:>8}{pages:>14.2f}{1000 * pages / n:>15.1f}{only:>11.2f}{plain:>10.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--records", type=int, default=300, help="records per VCF (panel-sized)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--study", metavar="N,N,...", help="time -o --pages on studies of these sizes instead")
    args = parser.parse_args()
    if args.study:
        study(args)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
