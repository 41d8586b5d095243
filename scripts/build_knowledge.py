#!/usr/bin/env python3
"""Build her2cli's oncogenicity knowledge table (resources/oncogenicity.tsv).

Run from the repository root with her2cli installed:
  python scripts/build_knowledge.py [--knowledge ../shared/knowledge]

Inputs
  scripts/oncogenicity_curated.tsv        hand-curated rows, each with source, date and evidence grade
  <knowledge>/cancerhotspots_v2_erbb2.tsv the cancerhotspots v2 ERBB2 rows (Chang et al., Cancer Discov 2018)
  scripts/cancerhotspots_erbb2_counts.tsv the ERBB2 tumour counts per residue and per amino-acid change, transcribed
                                          from the cancerhotspots web application's residue table (its header says where)
  scripts/cancerhotspots_v2_erbb2_counts.tsv the v2 release's ERBB2 rows for the listed alleles that table lacks
                                          (R138, A293, V659, L755P/A, the exon 20 insertion hotspots), transcribed from
                                          Genome Nexus's redistribution of v2 (its header says where)

Each hotspot row is named from its own alleles by her2cli's annotator on GRCh38 and GRCh37 (the two must
agree): the published protein label is kept in a note, never trusted (one row labelled Y772_A775dup is a
3-base insertion). Writes resources/oncogenicity.tsv and appends/replaces its section in
resources/PROVENANCE.md with the SHA-256 of every input.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import re
from pathlib import Path

from her2cli.reference.sequence import exonic_sequence
from her2cli.reference.transcript import load_transcript
from her2cli.variants.annotator import Annotator

REPO = Path(__file__).resolve().parents[1]
CURATED = REPO / "scripts" / "oncogenicity_curated.tsv"
COUNTS = REPO / "scripts" / "cancerhotspots_erbb2_counts.tsv"
COUNTS_SOURCE = (
    "cancerhotspots residue table (Chang MT et al., Cancer Discov 2018;8(2):174-183, cancerhotspots.org): "
    "cBioPortal/cancerhotspots webapp/src/main/resources/data/v2_multi_type_residue.txt @ a05eaf80"
)
V2_COUNTS = REPO / "scripts" / "cancerhotspots_v2_erbb2_counts.tsv"
V2_SOURCE = (
    "cancerhotspots v2 (Chang MT et al., Cancer Discov 2018;8(2):174-183), ERBB2 rows as redistributed by "
    "genome-nexus/genome-nexus-importer data/grch38_ensembl95/export/hotspots_v2_and_3d.txt @ 08060c79"
)
V2_NOTE = ("Genome Nexus's redistribution of the v2 release (rows with version v2); its counts are on the 2018 "
           "paper's scale, lower than those of the webapp residue table for the residues both hold (docs/sources.md)")
# An in-frame indel as cancerhotspots names it (VEP HGVSp on ENST00000269571 = NP_004439.2, 3'-shifted like
# her2cli's names): Y772_A775dup, M774dup, G778_P780dup, L755_T759del, G776delinsVC.
_INDEL_CHANGE = re.compile(r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?(dup|del|delins[A-Z]+|ins[A-Z]+)$")
COLUMNS = [
    "variant", "evidence", "effect", "detail", "residue_tumours", "allele_tumours", "population_af",
    "population_af_source", "source", "pmid", "locator", "checked", "grade", "rsid", "hgvs_c", "note",
]
EVIDENCE_EFFECTS = {
    "functional": {"activating", "neutral", "inconclusive"},
    "class_rule": {"oncogenic"},
    "hotspot": {"hotspot"},
    "population": {"common", "rare"},
    "resistance": {"resistance"},
    "clinical": {"response"},
    "regulatory": {"listed"},
}
GRADES = ("seen", "secondary", "recalled")
HOTSPOT_SOURCE = "Chang MT et al. Cancer Discov 2018;8(2):174-183 (cancerhotspots.org v2)"
HOTSPOT_PMID = "29247016"
HOTSPOT_LOCATOR = (
    "hotspot list, ERBB2 rows, as redistributed by PoisonAlien/maftools "
    "inst/extdata/cancerhotspots_v2_GRCh3[78].tsv @ 0de169b"
)
HOTSPOT_CHECKED = "2026-12-06"
SECTION_TITLE = "## Oncogenicity knowledge table (resources/oncogenicity.tsv)"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def vcf_alleles(pos: int, ref: str, alt: str, sequence) -> tuple[int, str, str]:
    """MAF-style alleles ('-' for the empty side; insertion after pos) as VCF alleles with an anchor base."""
    if ref == "-":
        anchor = sequence.base(pos)
        return pos, anchor, anchor + alt
    if alt == "-":
        anchor = sequence.base(pos - 1)
        return pos - 1, anchor + ref, anchor
    return pos, ref, alt


def hotspot_names(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """(published label, hgvs_p_short, hgvs_c) per GRCh38 row, each named from its alleles; the GRCh37 rows
    must name the same alleles in the same order (a check of both the list and the annotator)."""
    tx = load_transcript()
    by_build: dict[str, list[tuple[str, str, str]]] = {"GRCh37": [], "GRCh38": []}
    for genome in by_build:
        annotator = Annotator(tx, genome, exonic_sequence(tx, genome), have_genome_fasta=False)
        for row in (r for r in rows if r["build"] == genome):
            pos, ref, alt = vcf_alleles(int(row["pos"]), row["ref"], row["alt"], annotator.sequence)
            if annotator.sequence.base(pos) != ref[0]:
                raise SystemExit(f"{genome}:{row['pos']} REF {ref} does not match NM_004448.4")
            allele = annotator.annotate(pos, ref, alt)
            if allele is None or not allele.hgvs_p_short:
                raise SystemExit(f"{genome}:{row['pos']} {row['ref']}>{row['alt']}: no protein change")
            by_build[genome].append((row["protein_change"], allele.hgvs_p_short, allele.hgvs_c))
    if by_build["GRCh37"] != by_build["GRCh38"]:
        raise SystemExit("cancerhotspots GRCh37 and GRCh38 rows name different alleles")
    return by_build["GRCh38"]


def check_row(row: dict[str, str]) -> None:
    """A curated row must name its evidence, effect, source, place in the source, date and grade."""
    what = f"{CURATED.name}: {row.get('variant')!r}"
    if set(row) != set(COLUMNS):
        raise SystemExit(f"{what}: columns {sorted(row)} are not {COLUMNS}")
    if row["effect"] not in EVIDENCE_EFFECTS.get(row["evidence"], ()):
        raise SystemExit(f"{what}: effect {row['effect']!r} does not fit evidence {row['evidence']!r}")
    if row["grade"] not in GRADES:
        raise SystemExit(f"{what}: grade {row['grade']!r} not one of {GRADES}")
    for key in ("source", "pmid", "locator", "checked", "detail"):
        if not row[key]:
            raise SystemExit(f"{what}: {key} is empty")
    _dt.date.fromisoformat(row["checked"])


def count_rows(protein_sequence: str) -> dict[str, dict[str, str]]:
    """Hotspot rows with tumour counts, keyed by variant: one per residue (``p.S310``) and one per amino-acid
    change printed at it (``p.S310F``). The reference residue is checked against NP_004439.2."""
    rows: dict[str, dict[str, str]] = {}
    for entry in read_tsv(COUNTS):
        residue, position, total = entry["residue"], int(entry["amino_acid_position"]), entry["tumor_count"]
        ref = residue[0]
        if protein_sequence[position - 1] != ref or entry["reference_amino_acid"] != f"{ref}:{total}":
            raise SystemExit(f"{COUNTS.name}: {residue} does not match NP_004439.2 or its own count")
        changes = [part.split(":") for part in entry["variant_amino_acid"].split("|")]
        if sum(int(n) for _, n in changes) > int(total):
            raise SystemExit(f"{COUNTS.name}: {residue} changes add up to more than {total} tumours")
        common = {
            "evidence": "hotspot", "effect": "hotspot", "residue_tumours": total, "source": COUNTS_SOURCE,
            "pmid": HOTSPOT_PMID, "checked": HOTSPOT_CHECKED, "grade": "seen",
            "note": "the file's tumour-type totals add up to about 50,000 tumours, more than the 2018 paper's 24,592: "
                    "possibly a later release under the v2 name (docs/sources.md)",
        }
        rows[f"p.{residue}"] = dict(
            common, variant=f"p.{residue}", detail=f"hotspot residue {residue}: {total} tumours",
            locator=f"row ERBB2 {residue}: Tumor_Count {total}, Variant_Amino_Acid {entry['variant_amino_acid']}",
        )
        for alt, n in changes:
            if alt == ref or alt == "*":
                continue
            rows[f"p.{residue}{alt}"] = dict(
                common, variant=f"p.{residue}{alt}", allele_tumours=n,
                detail=f"hotspot residue {residue}: {total} tumours, {n} with {residue}{alt}",
                locator=f"row ERBB2 {residue}: Tumor_Count {total}, Variant_Amino_Acid {entry['variant_amino_acid']}",
            )
    return rows


def v2_count_rows(protein_sequence: str, counted: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Hotspot rows with counts from the v2 release's ERBB2 rows (``V2_COUNTS``) for what ``counted`` lacks: a
    residue row (``p.V659``) and its changes (``p.V659E``); for an in-frame indel hotspot, a region row named by
    its first and last residue (``p.Y772_A775`` for cancerhotspots' 772-775) and one row per protein change
    printed for it (``p.Y772_A775dup``). Every residue named is checked against NP_004439.2."""
    def residue_at(position: int) -> str:
        return protein_sequence[position - 1]

    rows: dict[str, dict[str, str]] = {}
    for entry in read_tsv(V2_COUNTS):
        residue, total, kind = entry["residue"], int(entry["tumor_count"]), entry["type"]
        what = f"{V2_COUNTS.name}: {residue}"
        if entry["version"] != "v2":
            raise SystemExit(f"{what}: not a v2 row")
        changes = [(alt, int(n)) for alt, n in (part.rsplit(":", 1) for part in entry["variant_amino_acid"].split("|"))]
        if sum(n for _, n in changes) != total:
            raise SystemExit(f"{what}: the changes do not add up to {total} tumours")
        locator = (f"row ERBB2 {residue} ({kind}, version v2): tumor_count {total}, variant_amino_acid "
                   f"{entry['variant_amino_acid']}, q_value {entry['q_value']}")
        common = {"evidence": "hotspot", "effect": "hotspot", "residue_tumours": str(total), "source": V2_SOURCE,
                  "pmid": HOTSPOT_PMID, "locator": locator, "checked": HOTSPOT_CHECKED, "grade": "seen",
                  "note": V2_NOTE}
        if kind == "single residue":
            ref, position = residue[0], int(entry["amino_acid_position"])
            printed = entry["reference_amino_acid"]
            if residue != f"{ref}{position}" or residue_at(position) != ref or printed != f"{ref}:{total}":
                raise SystemExit(f"{what} does not match NP_004439.2 or its own count")
            site = (f"p.{residue}", f"hotspot residue {residue}: {total} tumours")
            alleles = [(f"p.{residue}{alt}", n, f"{residue}{alt}") for alt, n in changes if alt not in (ref, "*")]
        elif kind == "in-frame indel":
            start, end = (int(x) for x in residue.split("-"))
            site = (f"p.{residue_at(start)}{start}_{residue_at(end)}{end}",
                    f"in-frame indel hotspot {residue}: {total} tumours")
            alleles = []
            for change, n in changes:
                match = _INDEL_CHANGE.match(change)
                first = int(match.group(2)) if match else 0
                last = int(match.group(4) or first) if match else 0
                ends = [(first, match.group(1)), (last, match.group(3) or match.group(1))] if match else []
                if not match or any(residue_at(at) != aa for at, aa in ends) or not start <= first <= last <= end:
                    raise SystemExit(f"{what}: {change} does not match NP_004439.2 within {residue}")
                alleles.append((f"p.{change}", n, change))
        else:
            raise SystemExit(f"{what}: type {kind!r} not read")
        if site[0] not in counted:
            rows[site[0]] = dict(common, variant=site[0], detail=site[1])
        for variant, n, label in alleles:
            if variant not in counted:  # the residue table's own count stays (docs/sources.md)
                rows[variant] = dict(common, variant=variant, allele_tumours=str(n),
                                     detail=f"{site[1]}, {n} with {label}")
    return rows


def build(knowledge: Path, out: Path) -> None:
    hotspot_file = knowledge / "cancerhotspots_v2_erbb2.tsv"
    curated = read_tsv(CURATED)
    hotspots = read_tsv(hotspot_file)
    rows = [dict(row) for row in curated]
    for row in rows:
        check_row(row)
    sequence = load_transcript().protein
    counted = count_rows(sequence)
    counted.update(v2_count_rows(sequence, counted))
    named = hotspot_names(hotspots)
    seen: set[str] = set()
    for _, protein, _ in named:
        if protein in seen:  # several nucleotide changes can give one protein change
            continue
        seen.add(protein)
        hgvs_c = ",".join(dict.fromkeys(c for _, p, c in named if p == protein))
        labels = sorted({lab for lab, p, _ in named if p == protein})
        note = f"published label {', '.join(labels)}"
        if any(f"p.{lab}" != protein for lab in labels):
            note += f"; named {protein} from the row's own alleles (label not trusted)"
        if protein in counted:
            counted[protein].update(hgvs_c=hgvs_c, note=f"{counted[protein]['note']}; also on the maftools v2 list ({note})")
            continue
        note += "; not among the ERBB2 rows of the counted tables, so no counts"
        rows.append({
            "variant": protein,
            "evidence": "hotspot",
            "effect": "hotspot",
            "detail": "allele in the cancerhotspots v2 hotspot list (tumour counts not held)",
            "source": HOTSPOT_SOURCE,
            "pmid": HOTSPOT_PMID,
            "locator": HOTSPOT_LOCATOR,
            "checked": HOTSPOT_CHECKED,
            "grade": "secondary",
            "hgvs_c": hgvs_c,
            "note": note,
        })
    rows += counted.values()
    built = _dt.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    table = out / "oncogenicity.tsv"
    with table.open("w", newline="") as handle:
        handle.write(f"# built by scripts/build_knowledge.py on {built}; sources and SHA-256 in PROVENANCE.md\n")
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in COLUMNS})
    n_listed = sum(1 for row in rows if row["evidence"] == "hotspot" and not row.get("residue_tumours"))
    write_provenance(out / "PROVENANCE.md", built, [CURATED, COUNTS, V2_COUNTS, hotspot_file], len(rows), len(counted),
                     n_listed)


def write_provenance(path: Path, built: str, inputs: list[Path], n_rows: int, n_hotspots: int,
                     n_listed: int) -> None:
    text = path.read_text() if path.exists() else ""
    text = text.split("\n" + SECTION_TITLE)[0].rstrip("\n") + "\n"
    lines = [
        "",
        SECTION_TITLE,
        "",
        f"Built by `scripts/build_knowledge.py` on {built}: {n_rows} rows in the format of `docs/sources.md`",
        f"('The knowledge table'). {n_hotspots} hotspot rows carry tumour counts per residue (`p.S310`) and per",
        "amino-acid change (`p.S310F`), transcribed from the ERBB2 rows of the cancerhotspots residue table",
        "(`scripts/cancerhotspots_erbb2_counts.tsv`; source and caveat in its header and in `docs/sources.md`), or",
        "for listed alleles that table lacks, from the v2 release's ERBB2 rows as Genome Nexus redistributes them",
        "(`scripts/cancerhotspots_v2_erbb2_counts.tsv`: R138, A293, V659, L755P/A and the in-frame indel hotspots",
        "772-775 and 778-780, each indel region a row `p.Y772_A775` beside its protein changes).",
        "Every allele of the cancerhotspots v2 list (Chang et al., Cancer Discov 2018, PMID 29247016, as",
        "redistributed by maftools) is named from its own alleles on both builds by her2cli's annotator; one the",
        f"counted tables lack would be graded `secondary` without counts ({n_listed} in this build).",
        "The other rows are the hand-curated `scripts/oncogenicity_curated.tsv`: one fact from one source each,",
        "with PMID (or DOI), the quoted sentence it rests on, the date the source was read and its grade",
        "(seen / secondary / recalled; only `seen` can raise a variant). Every `hgvs_c` is re-checked against",
        "`shared/reference/ERBB2_CDS.fa` by `tests/test_knowledge.py`. OncoKB is cited for a published class",
        "boundary only; no curated database table is copied.",
        "",
        "Input files (SHA-256):",
        "",
    ]
    lines += [f"- `{p.name}` {sha256(p)}" for p in inputs]
    path.write_text(text + "\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=REPO.parent / "shared" / "knowledge")
    parser.add_argument("--out", type=Path, default=REPO / "resources")
    args = parser.parse_args()
    build(args.knowledge, args.out)


if __name__ == "__main__":
    main()
