#!/usr/bin/env python3
"""Cohort-scale copy number (issue #10): a multi-sample .seg answered in one streamed pass.

Generates ``benchmarks/data/cohort_<N>.seg`` (N samples x ~200 segments over chr1-22, GRCh38,
IGV/DNAcopy columns; every 10th sample carries a focal ERBB2 amplicon) unless it exists, then runs
``copynumber.assess_segment_file`` on it in a child process and prints wall time, peak RSS and
segments per second. Run with two sizes to see that memory does not grow with the number of
samples:

  python benchmarks/seg_scale.py                    # 10,000 samples (~2 M segments, ~100 MB)
  python benchmarks/seg_scale.py --samples 1000     # the same per-sample shape, 10x smaller
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
# GRCh38 lengths (resources/contig_lengths.tsv) of chr1-22.
LENGTHS = [248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636,
           138394717, 133797422, 135086622, 133275309, 114364328, 107043718, 101991189, 90338345,
           83257441, 80373285, 58617616, 64444167, 46709983, 50818468]
ERBB2 = (39_687_914, 39_730_426)
SEGMENTS_PER_CHROM = 9   # 22 x 9 = 198 segments per sample


def generate(path: Path, samples: int, seed: int = 10) -> int:
    rng = random.Random(seed)
    rows = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as out:
        out.write("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n")
        for s in range(samples):
            name = f"S{s:05d}"
            amplified = s % 10 == 0
            for c, length in enumerate(LENGTHS, 1):
                cuts = sorted(rng.sample(range(1_000_000, length - 1_000_000), SEGMENTS_PER_CHROM - 1))
                if c == 17:   # keep ERBB2 inside one segment of its own
                    cuts = sorted({x for x in cuts if not 38_000_000 < x < 41_000_000} | {39_000_000, 40_500_000})
                bounds = [1] + cuts + [length]
                for a, b in zip(bounds, bounds[1:]):
                    value = rng.gauss(0, 0.1)
                    if c == 17 and a == 39_000_000 and amplified:
                        value = 2.0
                    out.write(f"{name}\t{c}\t{a if a == 1 else a + 1}\t{b}\t{(b - a) // 10_000}\t{value:.4f}\n")
                    rows += 1
    return rows


def child(path: str) -> None:
    from her2cli.copynumber import Thresholds, assess_segment_file

    start = time.perf_counter()
    results, notices = assess_segment_file(path, None, None, "GRCh38", None, Thresholds())
    elapsed = time.perf_counter() - start
    amplified = sum(1 for a in results if a.cn_status == "amplification")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"samples": len(results), "amplified": amplified, "seconds": elapsed, "peak_mb": peak_kb / 1024}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    path = DATA / f"cohort_{args.samples}.seg"
    if not path.is_file():
        t0 = time.perf_counter()
        rows = generate(path, args.samples)
        print(f"generated {path} ({rows:,} segments, {path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s")
    segments = sum(1 for _ in open(path)) - 1
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{figures['samples']:,} samples, {segments:,} segments: {figures['seconds']:.1f} s "
          f"({segments / figures['seconds']:,.0f} segments/s), peak RSS {figures['peak_mb']:.0f} MB, "
          f"{figures['amplified']:,} amplified (expected {(args.samples + 9) // 10:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
