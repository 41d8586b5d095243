#!/usr/bin/env python3
"""PNG/PDF pictures from the one SVG drawing (issue 24 item 6): the candidate converters side by side.

The HTML page and `her2 plot` draw the lollipop and the chr17 profile with report/svg.py. For PNG and PDF
files the SVG must be rasterised or printed; candidates:
- cairosvg (PyPI; a Cairo binding): svg2png / svg2pdf in the process;
- headless Chromium (Debian `chromium`): --screenshot / --print-to-pdf, one browser start per file;
- matplotlib cannot read an SVG: it would mean drawing every figure a second time (the removed
  report/plots.py did); its import alone is timed here for comparison.

Each figure of sample_data/ (tumour.vcf + tumour.cns) is converted --repeat times in a fresh process
(import included, as `her2 plot` pays it), median wall time reported; peak RSS from /proc/self/status.

    python benchmarks/picture_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

MAKE_SVGS = """
import sys
from her2cli.pipeline import Options, SampleRequest, run_sample
from her2cli.report.columns import alteration_row
from her2cli import copynumber
from her2cli.report.plots import standalone
from her2cli.report.svg import lollipop_svg, copy_number_svg, segments_in_copies
res = run_sample(SampleRequest(vcf='sample_data/tumour.vcf', segments=['sample_data/tumour.cns']), Options())[0]
rows = [alteration_row(c) for c in res.calls]
table = copynumber.read_segment_file('sample_data/tumour.cns', None, None, sample=None)[0]
cn = [r for r in rows if r['kind'] == 'copy_number'][0]
open(sys.argv[1] + '/lollipop.svg', 'w').write(standalone(lollipop_svg(rows, visible_title=True)))
open(sys.argv[1] + '/cn.svg', 'w').write(standalone(copy_number_svg(segments_in_copies(table, cn), cn, 'GRCh38',
                                                                      visible_title=True)))
"""

CAIRO = """
import sys, time
start = time.perf_counter()
import cairosvg
imported = time.perf_counter()
svg, out, fmt = sys.argv[1:4]
(cairosvg.svg2png if fmt == 'png' else cairosvg.svg2pdf)(url=svg, write_to=out, scale=2.0 if fmt == 'png' else 1.0)
done = time.perf_counter()
rss = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))
print(imported - start, done - imported, rss / 1024)
"""

MPL_IMPORT = """
import time
start = time.perf_counter()
import matplotlib.figure, matplotlib.backends.backend_agg
print(time.perf_counter() - start)
"""


def run_python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                          cwd=REPO).stdout


def chromium(browser: str, svg: Path, out: Path, fmt: str, work: Path) -> float:
    size = svg.read_text().split('viewBox="0 0 ', 1)[1].split('"', 1)[0].split()
    flag = f"--screenshot={out}" if fmt == "png" else f"--print-to-pdf={out}"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={work / 'profile'}", f"--window-size={int(float(size[0]))},{int(float(size[1]))}",
               flag, svg.as_uri()]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=120)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        run_python(MAKE_SVGS, folder)
        for figure in ("lollipop", "cn"):
            svg = work / f"{figure}.svg"
            for fmt in ("png", "pdf"):
                out = work / f"{figure}.{fmt}"
                runs = [run_python(CAIRO, str(svg), str(out), fmt).split() for _ in range(args.repeat)]
                results[f"cairosvg {figure} {fmt}"] = {
                    "import_s": statistics.median(float(r[0]) for r in runs),
                    "convert_s": statistics.median(float(r[1]) for r in runs),
                    "peak_rss_mb": max(float(r[2]) for r in runs), "bytes": out.stat().st_size}
                browser = shutil.which("chromium")
                if browser:
                    times = [chromium(browser, svg, out, fmt, work) for _ in range(args.repeat)]
                    results[f"chromium {figure} {fmt}"] = {"total_s": statistics.median(times),
                                                           "bytes": out.stat().st_size}
        try:
            results["matplotlib import only"] = {
                "import_s": statistics.median(float(run_python(MPL_IMPORT)) for _ in range(args.repeat))}
        except subprocess.CalledProcessError:
            results["matplotlib import only"] = {"note": "matplotlib not installed"}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
