"""The walk of one VCF through the code: which files a reader passes through, following ``annotate_vcf``.

    python benchmarks/walk.py [VCF ...]        (default: sample_data/tumour.vcf, and a bgzipped,
                                                tabix-indexed copy of it written to benchmarks/data/)

A reader follows the code as it runs (``sys.setprofile``): each ``her2cli`` function is read the first
time it is called, in call order, and not again (a function already read is not followed a second
time, nor what it calls). Library code (the standard library, cyvcf2...) is passed over. The walk is
the list of files of those functions; consecutive functions in one file are one **stay**, and a stay in
a file the walk had already left is a **return**. One run on another file comes first, so that what a
process does once (loading the transcript, building the annotator) is not counted; the allele names
are not cached across files, so the annotator is followed.

Two walks are printed: **calls** (the files of the functions entered, in order: how far the reader
is sent) and **calls and returns** (the same, plus the file the reader is back in each time a
function returns: every step of the control flow).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WARM = """##fileformat=VCFv4.2
##contig=<ID=chr17,length=83257441>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS
chr17\t39724810\t.\tG\tA\t.\tPASS\t.\tGT:AD\t0/1:30,10
"""


def walk(vcf: str, with_returns: bool) -> list[str]:
    """The files of the walk (relative to the package), consecutive repeats collapsed."""
    import her2cli
    from her2cli.pipeline import Options, annotate_vcf
    try:
        from her2cli.variants.calls import annotator_for
    except ImportError:  # the layout before issue 24 (to measure it the same way)
        from her2cli.pipeline import _annotator as annotator_for

    for genome in ("GRCh37", "GRCh38"):
        annotator_for(genome, None)._cache.clear()  # names are worked out, not looked up
    options = Options()
    package = os.path.dirname(her2cli.__file__) + os.sep
    read: set = set()
    steps: list[str] = []
    stack: list[str | None] = []  # the her2cli file of each open frame (None: library code)
    skipping = [0]  # depth inside a function already read

    def step(filename: str) -> None:
        name = filename[len(package):]
        if not steps or steps[-1] != name:
            steps.append(name)

    def profile(frame, event, arg):
        if event not in ("call", "return"):
            return
        code = frame.f_code
        ours = code.co_filename.startswith(package)
        if event == "call":
            if skipping[0]:
                skipping[0] += 1
            elif not ours:
                stack.append(None)
            elif (code.co_filename, code.co_firstlineno) in read:
                skipping[0] = 1
            else:
                read.add((code.co_filename, code.co_firstlineno))
                stack.append(code.co_filename)
                step(code.co_filename)
            return
        if skipping[0]:
            skipping[0] -= 1
            return
        if stack:
            stack.pop()
        back = next((f for f in reversed(stack) if f), None)
        if with_returns and ours and back:
            step(back)

    sys.setprofile(profile)
    try:
        annotate_vcf(vcf, options)
    finally:
        sys.setprofile(None)
    return steps


def summary(steps: list[str]) -> str:
    returns = sum(1 for i, name in enumerate(steps) if name in steps[:i])
    entered = {name: steps.count(name) for name in dict.fromkeys(steps)}
    busiest = ", ".join(f"{name} {n}x" for name, n in sorted(entered.items(), key=lambda kv: -kv[1]) if n > 1)
    return (f"{len(steps)} stays in {len(entered)} files, {returns} returns"
            + (f" (entered more than once: {busiest})" if busiest else ""))


def indexed_copy() -> str:
    import pysam

    out = HERE / "data" / "walk" / "tumour.vcf.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    pysam.tabix_compress(str(ROOT / "sample_data" / "tumour.vcf"), str(out), force=True)
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return str(out)


def main(paths: list[str]) -> None:
    from her2cli.pipeline import Options, annotate_vcf

    warm = HERE / "data" / "walk" / "warm.vcf"
    warm.parent.mkdir(parents=True, exist_ok=True)
    warm.write_text(WARM)
    annotate_vcf(str(warm), Options())  # once per process: transcript, annotator, caches
    for vcf in paths or [str(ROOT / "sample_data" / "tumour.vcf"), indexed_copy()]:
        print(vcf)
        for with_returns in (False, True):
            steps = walk(vcf, with_returns)
            print(f"  {'calls and returns' if with_returns else 'calls'}: {summary(steps)}")
            print("    " + " -> ".join(steps))


if __name__ == "__main__":
    main(sys.argv[1:])
