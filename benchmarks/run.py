#!/usr/bin/env python3
"""Time her2cli against bcftools on the data made by benchmarks/generate.py (issue #6).

Each case runs its commands side by side, --repeat times each (interleaved), and
reports the median wall time, the peak RSS, the ratio and the target.

  python benchmarks/run.py                    # all cases, 5 repeats
  python benchmarks/run.py --repeat 3 --only scanner,bgzip
  python benchmarks/run.py --her2 "/path/to/her2"

Cases whose tool is missing (her2, bcftools, the data) are skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGION = "chr17:39687914-39730426"
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
RSS_LIMIT_MB = 200.0


@dataclass
class Timing:
    label: str
    cmd: str
    times: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb) if self.rss_mb else float("nan")


def run_once(t: Timing) -> None:
    """Run a shell command once; record wall time and peak RSS (GNU time -v, else rusage)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        cmd = ["bash", "-c", t.cmd]
        if GNU_TIME:
            cmd = [GNU_TIME, "-v", "-o", tf.name] + cmd
        before = _children_maxrss()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            t.error = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]
            return
        t.times.append(wall)
        rss = None
        if GNU_TIME:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read())
            rss = int(m.group(1)) / 1024 if m else None
        if rss is None:
            after = _children_maxrss()  # only grows: meaningful for the largest run
            rss = after / 1024 if after > before else float("nan")
        t.rss_mb.append(rss)


def _children_maxrss() -> float:
    import resource
    return float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def measure(timings: list[Timing], repeat: int) -> None:
    for t in timings:  # warm-up: page cache, imports compiled
        run_once(t)
        t.times.clear()
        t.rss_mb.clear()
    for _ in range(repeat):
        for t in timings:
            if t.error is None:
                run_once(t)


def fmt(t: Timing) -> str:
    if t.error:
        return f"{t.label}: FAILED ({t.error})"
    return f"{t.label} {t.median:7.3f}s {t.peak_mb:6.0f}MB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.data: Path = args.data
        self.her2 = args.her2
        self.py = shlex.quote(sys.executable)
        self.bcftools = shutil.which("bcftools")
        self.results: list[dict] = []
        self.her2_ok, self.her2_why = self._check_her2()

    def _check_her2(self) -> tuple[bool, str]:
        exe = shlex.split(self.her2)[0]
        if not (Path(exe).exists() or shutil.which(exe)):
            return False, f"{exe} not found (pass --her2)"
        p = subprocess.run(f"{self.her2} --version", shell=True, capture_output=True, text=True)
        if p.returncode != 0:
            return False, f"'{self.her2} --version' failed: {(p.stderr.strip().splitlines() or ['?'])[-1]}"
        return True, ""

    def file(self, name: str) -> Path | None:
        p = self.data / name
        return p if p.exists() else None

    def report(self, case: str, a: Timing, b: Timing | None, target: str, ok_ratio, note: str = "",
               floor: bool = False) -> None:
        """One line: a vs b. The ratio is b/a ("a is N x faster"), or a/b against a floor."""
        line = f"{case:<34} {fmt(a)}"
        row = {"case": case, "a": vars(a) | {"median": a.median, "peak_mb": a.peak_mb}}
        if b is not None:
            line += f" | {fmt(b)}"
            row["b"] = vars(b) | {"median": b.median, "peak_mb": b.peak_mb}
        if a.error is None and (b is None or b.error is None):
            ratio = (b.median / a.median) if b is not None else None
            checks = []
            if ok_ratio is not None and ratio is not None:
                checks.append(f"{target}: {verdict(ok_ratio(ratio, a, b))}")
            checks.append(f"RSS<{RSS_LIMIT_MB:.0f}MB: {verdict(a.peak_mb < RSS_LIMIT_MB)}")
            if ratio is not None and floor:
                line += f" | {a.label}/{b.label} = {1 / ratio:.2f}x"
            elif ratio is not None:
                line += f" | {b.label}/{a.label} = {ratio:.2f}x"
                row["ratio"] = ratio
            line += " | " + ", ".join(checks)
        if note:
            line += f" ({note})"
        row["line"] = line
        self.results.append(row)
        print(line, flush=True)

    def skip(self, case: str, why: str) -> None:
        print(f"{case:<34} SKIPPED: {why}", flush=True)

    # ------------------------------------------------------------------ cases
    def case_version(self) -> None:
        if not self.her2_ok:
            return self.skip("her2 --version", self.her2_why)
        a = Timing("her2", f"{self.her2} --version")
        floor = Timing("python", f"{self.py} -c pass")
        measure([a, floor], self.args.repeat)
        self.report("start-up: her2 --version", a, floor, "", None, note="vs bare python start-up",
                    floor=True)

    def case_indexed(self) -> None:
        f = self.file("wgs.tbi.vcf.gz")
        if f is None or not Path(str(f) + ".tbi").exists():
            return self.skip("indexed bgzip", "benchmarks/data/wgs.tbi.vcf.gz(.tbi) missing: run generate.py")
        floor = Timing("import-cyvcf2", f"{self.py} -c 'import cyvcf2'")
        timings = [floor]
        bcf = Timing("bcftools-r", f"bcftools view -H -r {REGION} {f}") if self.bcftools else None
        if bcf:
            timings.append(bcf)
        if not self.her2_ok:
            self.skip("indexed bgzip: her2 annotate", self.her2_why)
            measure(timings, self.args.repeat)
            if bcf:
                self.report("indexed bgzip: bcftools -r", bcf, floor, "", None, note="floor = import cyvcf2",
                            floor=True)
            return
        a = Timing("her2", f"{self.her2} annotate {f}")
        measure([a] + timings, self.args.repeat)
        self.report("indexed bgzip vs import cyvcf2", a, floor, "her2 <= 1.5x floor",
                    lambda r, a, b: a.median <= 1.5 * b.median, floor=True)
        if bcf:
            self.report("indexed bgzip vs bcftools -r", a, bcf, "", None)

    def _unindexed(self, kind: str, name: str, tool: str) -> None:
        case = f"{kind}: {tool}"
        f = self.file(name)
        if f is None:
            return self.skip(case, f"benchmarks/data/{name} missing: run generate.py")
        if not self.bcftools:
            return self.skip(case, "bcftools not installed")
        if tool == "her2" and not self.her2_ok:
            return self.skip(case, self.her2_why)
        if tool == "her2":
            a = Timing("her2", f"{self.her2} annotate {f}")
        else:  # the scanner alone: what her2 annotate costs before annotation/output
            code = (f"from her2cli.io.fastscan import scan_region; "
                    f"r = scan_region({str(f)!r}, {{'chr17', '17'}}, 39687914, 39730426); "
                    f"print(r.method, len(r.records), r.notices)")
            a = Timing("scanner", f"{self.py} -c {shlex.quote(code)}")
        b = Timing("bcftools-t", f"bcftools view -H -t {REGION} {f}")
        timings = [a, b]
        sorted_run = None
        if kind == "bgzip (no index)" and tool == "her2":
            # The bisection is only used when the user vouches that the file is sorted (issue #11).
            sorted_run = Timing("her2-sorted", f"{self.her2} annotate --assume-sorted {f}")
            timings.append(sorted_run)
        measure(timings, self.args.repeat)
        self.report(case, a, b, "no slower", lambda r, a, b: r >= 1.0, note="read whole")
        if sorted_run is not None:
            self.report(f"{kind}: her2 --assume-sorted", sorted_run, b, ">=5x faster", lambda r, a, b: r >= 5.0)

    def case_unindexed(self, tool: str) -> None:
        for kind, name in [("bgzip (no index)", "wgs.bgz.vcf.gz"), ("plain gzip", "wgs.vcf.gz"),
                           ("plain text", "wgs.vcf")]:
            self._unindexed(kind, name, tool)

    def scanner_timing(self, f: Path) -> Timing:
        """The region scanner alone on ``f`` (no CLI, no annotation)."""
        code = (f"from her2cli.io.fastscan import scan_region; "
                f"r = scan_region({str(f)!r}, {{'chr17', '17'}}, 39687914, 39730426); print(len(r.records))")
        return Timing("scanner", f"{self.py} -c {shlex.quote(code)}")

    def case_scanner_indexed(self) -> None:
        f = self.file("wgs.tbi.vcf.gz")
        if f is None:
            return self.skip("scanner on indexed file", "data missing")
        a = self.scanner_timing(f)
        floor = Timing("import-cyvcf2", f"{self.py} -c 'import cyvcf2'")
        measure([a, floor], self.args.repeat)
        self.report("bgzip: scanner vs import cyvcf2", a, floor, "<= 1.5x floor",
                    lambda r, a, b: a.median <= 1.5 * b.median, note="ignores the .tbi", floor=True)

    def case_cohort(self) -> None:
        sheet = self.file("cohort/sheet.tsv")
        if sheet is None:
            return self.skip("cohort", "benchmarks/data/cohort/sheet.tsv missing: run generate.py")
        if not self.bcftools:
            return self.skip("cohort", "bcftools not installed")
        loop = Timing("bcftools-loop",
                      f"tail -n +2 {sheet} | cut -f2 | while read f; do "
                      f"bcftools view -H -t {REGION} \"$f\"; done")
        if not self.her2_ok:
            self.skip("cohort: her2 cohort", self.her2_why)
            measure([loop], self.args.repeat)
            return self.report("cohort: bcftools loop alone", loop, None, "", None)
        out = Path(tempfile.mkdtemp(prefix="her2bench-"))
        try:
            j1 = Timing("her2-j1", f"rm -rf {out}/j1 && {self.her2} cohort {sheet} -o {out}/j1 --jobs 1")
            j2 = Timing("her2-j2", f"rm -rf {out}/j2 && {self.her2} cohort {sheet} -o {out}/j2 --jobs 2")
            measure([j1, j2, loop], self.args.repeat)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        self.report("cohort --jobs 1 vs bcftools loop", j1, loop, "faster", lambda r, a, b: r > 1.0)
        self.report("cohort --jobs 2 vs bcftools loop", j2, loop, ">=2x faster", lambda r, a, b: r >= 2.0)
        self.report("cohort --jobs 2 speed-up", j2, j1, ">=1.8x", lambda r, a, b: r >= 1.8,
                    note=f"{os.cpu_count()} CPUs")

    # ------------------------------------------------------------ issue #11: nothing lost, nothing hung
    def case_bgzf_whole(self) -> None:
        """A BGZF file read whole (blocks inflated in parallel threads) against zcat of the same file."""
        f = self.file("wgs.bgz.vcf.gz")
        if f is None:
            return self.skip("bgzip whole read vs zcat", "benchmarks/data/wgs.bgz.vcf.gz missing: run generate.py")
        scanner = self.scanner_timing(f)
        zcat = Timing("zcat", f"zcat {f}")
        timings = [scanner, zcat]
        her2 = Timing("her2", f"{self.her2} annotate {f}") if self.her2_ok else None
        if her2:
            timings.append(her2)
        measure(timings, self.args.repeat)
        self.report("bgzip whole: scanner vs zcat", scanner, zcat, "<=0.6x zcat",
                    lambda r, a, b: a.median <= 0.6 * b.median, floor=True)
        if her2:
            self.report("bgzip whole: her2 vs zcat", her2, zcat, "<=0.6x zcat",
                        lambda r, a, b: a.median <= 0.6 * b.median, floor=True)

    def report_limit(self, case: str, t: Timing, seconds: float, note: str = "") -> None:
        line = f"{case:<34} {fmt(t)}"
        if t.error is None:
            line += (f" | <{seconds:g}s: {verdict(t.median < seconds)}, "
                     f"RSS<{RSS_LIMIT_MB:.0f}MB: {verdict(t.peak_mb < RSS_LIMIT_MB)}")
        if note:
            line += f" ({note})"
        self.results.append({"case": case, "a": vars(t) | {"median": t.median, "peak_mb": t.peak_mb}, "line": line})
        print(line, flush=True)

    def case_robust(self) -> None:
        if not self.her2_ok:
            return self.skip("robust", self.her2_why)
        d = self.data / "robust"
        if not d.is_dir():
            return self.skip("robust", "benchmarks/data/robust/ missing: run generate.py")
        many = d / "many_alts.vcf"
        if many.exists():
            n = len(many.read_text().rsplit("\n", 2)[-2].split("\t")[4].split(","))
            t = Timing("her2", f"{self.her2} annotate -q {many}")
            measure([t], self.args.repeat)
            self.report_limit(f"{n:,} ALT alleles in one record", t, 10.0, note="was 63 s for 100,000: quadratic")
        unsorted = d / "unsorted.vcf.gz"
        if unsorted.exists():
            # The command fails (and the case shows an error) if L755S, placed after chrY, is missed.
            a = Timing("her2", f"{self.her2} annotate -q -f tsv {unsorted} | grep -q p.Leu755Ser")
            timings = [a]
            b = None
            if self.bcftools:
                b = Timing("bcftools-t", f"bcftools view -H -t {REGION} {unsorted} | grep -q 39723967")
                timings.append(b)
            measure(timings, self.args.repeat)
            self.report("unsorted gzip: L755S after chrY", a, b, "no slower", (lambda r, a, b: r >= 1.0) if b else None)
        # Endless or garbage input must fail fast with bounded memory ("!" turns the expected failure into 0).
        endless = [("/dev/zero as the VCF", f"! {self.her2} annotate /dev/zero"),
                   ("--segments /dev/zero", f"! {self.her2} annotate --segments /dev/zero")]
        for name, label in [("nul_bomb.vcf.gz", "header + 1 GB of NUL (gzip)"),
                            ("line_bomb.vcf.gz", "one 1 GB line (gzip)")]:
            if (d / name).exists():
                endless.append((label, f"! {self.her2} annotate {d / name}"))
        for label, cmd in endless:
            t = Timing("her2", cmd)
            measure([t], self.args.repeat)
            self.report_limit(label, t, 5.0, note="must exit non-zero")


CASES = ["version", "indexed", "scanner", "her2", "cohort", "whole", "robust"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per command (median reported; default 5)")
    ap.add_argument("--her2", default=shlex.quote(str(Path(sys.executable).parent / "her2")),
                    help="her2 command (default: the her2 next to this Python)")
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--only", default=",".join(CASES), help=f"comma-separated subset of {CASES}")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    b = Bench(args)
    only = set(args.only.split(","))
    print(f"# repeat={args.repeat}, medians; peak RSS via {'GNU time -v' if GNU_TIME else 'getrusage'}; "
          f"{os.cpu_count()} CPUs; region {REGION}", flush=True)
    if "version" in only:
        b.case_version()
    if "indexed" in only:
        b.case_indexed()
    if "scanner" in only:
        b.case_scanner_indexed()
        b.case_unindexed("scanner")
    if "her2" in only:
        b.case_unindexed("her2")
    if "cohort" in only:
        b.case_cohort()
    if "whole" in only:
        b.case_bgzf_whole()
    if "robust" in only:
        b.case_robust()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(b.results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
