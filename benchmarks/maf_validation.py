"""Naming agreement with third-party MAFs: our hgvs_p_short (or its legacy alias) against the
publisher's HGVSp_Short, for every ERBB2 row of every file in ../shared/validation/maf.

    python benchmarks/maf_validation.py [folder]

Prints per file and overall the agreement on rows that carry an HGVSp_Short, and lists every
disagreement. Files that must be refused (NCBI36, malformed) print the message they get.
Rows are counted by the publisher's Hugo_Symbol == ERBB2: a neighbouring gene's row inside the
ERBB2 gene span is read (it is in the region) but its published name is for the other gene.
"""

from __future__ import annotations

import sys
from pathlib import Path

from her2cli.errors import Her2Error
from her2cli.io.maf import read_maf
from her2cli.pipeline import _annotator

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "validation" / "maf"
_THREE_LETTER = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
}


def published_short(value: str | None) -> str | None:
    """The publisher's HGVSp_Short in one spelling: with 'p.', and the splice label kept as written."""
    if value is None:
        return None
    return value if value.startswith("p.") else "p." + value


def ours(annotation) -> set[str]:
    names = set()
    if annotation is None:
        return names
    for name in (annotation.hgvs_p_short, annotation.legacy_name):
        if name:
            names.add(name if name.startswith("p.") else "p." + name)
    return names


def main(folder: Path) -> int:
    if not folder.is_dir():
        print(f"no validation folder at {folder}")
        return 1
    total_rows = total_compared = total_agree = 0
    disagreements: list[str] = []
    for path in sorted(folder.glob("*.maf")):
        try:
            read = read_maf(str(path))
        except Her2Error as exc:
            print(f"{path.name}: refused (exit {exc.exit_code}): {exc}")
            continue
        annotator = _annotator(read.genome, None) if read.genome else None
        rows = compared = agree = 0
        for record in read.records:
            if (record.hugo_symbol or "").upper() != "ERBB2":
                continue
            rows += 1
            expected = published_short(record.input_hgvsp_short)
            if expected is None:
                continue
            compared += 1
            annotation = annotator.annotate(record.pos, record.ref, record.alt)
            names = ours(annotation)
            if expected in names:
                agree += 1
                continue
            got = annotation.hgvs_p_short if annotation else None
            disagreements.append(
                f"  {path.name}:{record.line} {record.sample} 17:{record.pos} {record.ref or '-'}>{record.alt or '-'}"
                f"  published {record.input_hgvsp_short} ({record.input_hgvsc})  ours {got}"
                f" ({annotation.hgvs_c if annotation else None}; legacy {annotation.legacy_name if annotation else None})"
            )
        share = f"{100 * agree / compared:.1f}%" if compared else "n/a"
        print(f"{path.name}: {rows} ERBB2 rows read, {compared} with HGVSp_Short, {agree} agree ({share}); "
              f"{len(read.notices)} notices")
        for notice in read.notices:
            print(f"  notice: {notice}")
        total_rows += rows
        total_compared += compared
        total_agree += agree
    share = f"{100 * total_agree / total_compared:.2f}%" if total_compared else "n/a"
    print(f"overall: {total_rows} ERBB2 rows read, {total_compared} with HGVSp_Short, {total_agree} agree ({share})")
    print(f"disagreements ({len(disagreements)}):")
    for line in disagreements:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
