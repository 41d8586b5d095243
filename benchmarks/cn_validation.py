#!/usr/bin/env python3
"""Agreement of ERBB2 cn_status with independent truth on ../shared/validation/cn (issue #10).

Reads every segment file of the validation folder with the library's own entry point
(copynumber.assess_segment_file, published thresholds unchanged), gives each TCGA sample the ASCAT
purity/ploidy listed in truth.tsv's ``other_evidence`` column where there is one, and prints:

* agreement per truth source, per file and overall (scored rows; a sample her2 does not report
  counts as a disagreement), with and without the ASCAT purity;
* the headline figure over scored rows whose clinical label is not contradicted by the independent
  re-derivation in other_evidence (Thennavan 2021 HER2 status, or the array ERBB2_CN_gt4 call),
  as the folder's README defines it, beside the figure over all scored rows;
* every disagreement with its numbers.

  python benchmarks/cn_validation.py [--validation DIR] [--no-purity]

Agreement: truth ``amplified`` and cn_status ``amplification``, or truth ``not_amplified`` and
cn_status gain/neutral/loss. Exit 0 always (a report, not a test).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

from her2cli.copynumber import Thresholds, assess_segment_file

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = HERE.parent.parent / "shared" / "validation" / "cn"


def evidence(text: str) -> dict[str, str]:
    out = {}
    for part in (text or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def contradicted(truth: str, ev: dict[str, str]) -> bool:
    """The clinical label disagrees with an independent re-derivation (README of the folder)."""
    amplified = truth == "amplified"
    than = ev.get("thennavan_HER2")
    if than in ("Positive", "Negative") and (than == "Positive") != amplified:
        return True
    gt4 = ev.get("ERBB2_CN_gt4")
    return gt4 in ("0", "1") and (gt4 == "1") != amplified


def run(folder: Path, use_purity: bool) -> dict[tuple[str, str], object]:
    truth = list(csv.DictReader(open(folder / "truth.tsv", encoding="utf-8"), delimiter="\t"))
    purity: dict[tuple[str, str], tuple[float, float]] = {}
    for row in truth:
        ev = evidence(row.get("other_evidence", ""))
        if use_purity and "ascat_purity" in ev and "ascat_ploidy" in ev:
            purity[(row["file"], row["sample"])] = (float(ev["ascat_purity"]), float(ev["ascat_ploidy"]))
    results: dict[tuple[str, str], object] = {}
    for name in sorted({row["file"] for row in truth}):
        genome = next(row["genome"] for row in truth if row["file"] == name)

        def purity_for(sample: str, name: str = name):
            found = purity.get((name, sample))
            return None if found is None else (found[0], found[1], "ASCAT (truth.tsv other_evidence)")

        assessments, _ = assess_segment_file(str(folder / name), None, None, genome, purity_for, Thresholds())
        for a in assessments:
            results[(name, a.sample)] = a
    return results


def report(folder: Path, use_purity: bool) -> None:
    truth = list(csv.DictReader(open(folder / "truth.tsv", encoding="utf-8"), delimiter="\t"))
    results = run(folder, use_purity)
    files = sorted({row["file"] for row in truth})
    reported = {f: sum(1 for k in results if k[0] == f) for f in files}
    print(f"== purity: {'ASCAT from truth.tsv where given' if use_purity else 'none (assumed_1)'}")
    for f in files:
        print(f"   {f}: {reported[f]} samples reported")
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_file: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    overall, headline = [0, 0], [0, 0]
    misses = []
    for row in truth:
        if row["scored"] != "1":
            continue
        a = results.get((row["file"], row["sample"]))
        status = getattr(a, "cn_status", "missing")
        want_amp = row["truth_status"] == "amplified"
        agree = a is not None and (status == "amplification") == want_amp
        ev = evidence(row.get("other_evidence", ""))
        noisy = contradicted(row["truth_status"], ev)
        for bucket in (by_source[row["truth_source"]], by_file[row["file"]], overall):
            bucket[0] += agree
            bucket[1] += 1
        if not noisy:
            headline[0] += agree
            headline[1] += 1
        if not agree:
            misses.append((row, a, noisy))
    for title, table in (("per truth source", by_source), ("per file", by_file)):
        print(f"-- {title}")
        for key, (ok, n) in sorted(table.items()):
            print(f"   {ok:3d}/{n:<3d} {100 * ok / n:5.1f}%  {key}")
    print(f"-- all scored rows: {overall[0]}/{overall[1]} ({100 * overall[0] / overall[1]:.1f}%)")
    print(f"-- disagreements ({len(misses)}):")
    for row, a, noisy in misses:
        if a is None:
            print(f"   {row['sample']} ({row['file']}): missing from the output")
            continue
        print(f"   {row['sample']}: truth {row['truth_status']} [{row['truth_value']}] "
              f"{'CONTRADICTED ' if noisy else ''}| her2 {a.cn_status} log2={a.log2:.2f} "
              f"CN={a.copy_number:.2f} ratio={a.ratio_chr17 if a.ratio_chr17 is None else round(a.ratio_chr17, 2)} "
              f"purity={a.purity} ({a.purity_source}) ploidy={a.ploidy:.2f} "
              f"min_purity_for_amp={a.min_purity_for_amplification} | {row.get('other_evidence', '')}")
    print(f"cn validation: {headline[0]}/{headline[1]} agree ({100 * headline[0] / headline[1]:.1f}%) "
          f"on scored rows not contradicted by other_evidence; "
          f"{overall[0]}/{overall[1]} ({100 * overall[0] / overall[1]:.1f}%) on all scored rows")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", default=str(DEFAULT_DIR), help="the validation/cn folder")
    parser.add_argument("--no-purity", action="store_true", help="ignore the ASCAT purity in truth.tsv")
    args = parser.parse_args()
    folder = Path(args.validation)
    if not (folder / "truth.tsv").is_file():
        print(f"no validation data at {folder}", file=sys.stderr)
        return 0
    report(folder, use_purity=not args.no_purity)
    return 0


if __name__ == "__main__":
    sys.exit(main())
