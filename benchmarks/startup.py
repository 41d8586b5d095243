#!/usr/bin/env python3
"""Start-up cost of a plain `her2 annotate` call, side by side with `python -c "import typer"` (issue #14).

Every call goes through Typer now (no hand-written fast path), so the floor is importing Typer itself.
Target: `her2 annotate INDEXED.vcf.gz` (tabix-indexed, the ERBB2 region is all that is read) at most 2.0x the
floor. Uses benchmarks/data/wgs.tbi.vcf.gz when `benchmarks/generate.py` has made it, else an indexed copy of
sample_data/tumour.vcf (made with bgzip + tabix).

    python benchmarks/startup.py [--repeat 11] [--her2 PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 2.0


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def indexed_input(workdir: Path) -> Path:
    wgs = HERE / "data" / "wgs.tbi.vcf.gz"
    if wgs.exists() and Path(str(wgs) + ".tbi").exists():
        return wgs
    if not (shutil.which("bgzip") and shutil.which("tabix")):
        sys.exit("startup: needs benchmarks/data/wgs.tbi.vcf.gz or bgzip and tabix on PATH")
    out = workdir / "tumour.vcf.gz"
    with open(out, "wb") as handle:
        subprocess.run(["bgzip", "-c", str(HERE.parent / "sample_data" / "tumour.vcf")], stdout=handle, check=True)
    subprocess.run(["tabix", "-p", "vcf", str(out)], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--her2", default=str(Path(sys.executable).with_name("her2")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vcf = indexed_input(Path(tmp))
        floor_cmd = [sys.executable, "-c", "import typer"]
        her2_cmd = [args.her2, "annotate", str(vcf), "-f", "tsv", "-q"]
        floor, her2 = [], []
        for cmd in (floor_cmd, her2_cmd):  # warm-up: page cache, .pyc files
            timed(cmd)
        for _ in range(args.repeat):  # interleaved, so that machine noise hits both alike
            floor.append(timed(floor_cmd))
            her2.append(timed(her2_cmd))
    f, h = statistics.median(floor), statistics.median(her2)
    # The fastest run of each is the one least disturbed by the rest of the machine: its ratio is the
    # steadier figure on a shared machine; the medians are printed beside it.
    ratio = min(her2) / min(floor)
    print(f"input: {vcf.name}")
    print(f"python -c 'import typer'   median {f:.3f} s, fastest {min(floor):.3f} s")
    print(f"her2 annotate (indexed)    median {h:.3f} s, fastest {min(her2):.3f} s")
    print(f"ratio of medians {h / f:.2f}x; ratio of fastest runs {ratio:.2f}x "
          f"(target <= {TARGET}x): {'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
