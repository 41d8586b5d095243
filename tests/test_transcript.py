"""The bundled transcript model: the CDS translates to HER2 (UniProt P04626), and the coordinate mapper
agrees with the independent verification points of shared/reference (GENCODE start/stop codons,
transvar's L755 codon, VEP's c.2324, the hgvs cache's GRCh37 fragments)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from her2cli.variants.protein import translate
from her2cli.reference.transcript import load_transcript

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_cds_translates_to_her2():
    tx = load_transcript()
    cds = tx.sequence[tx.utr5_length : tx.utr5_length + tx.cds_length]
    protein = translate(cds)
    assert len(cds) == 3768 and protein.endswith("*") and "*" not in protein[:-1]
    protein = protein[:-1]
    assert len(protein) == 1255
    assert protein == tx.protein
    # Residues named in the HER2-in-NSCLC literature (1-based).
    assert protein[0] == "M"
    assert protein[309] == "S"  # S310F/Y
    assert protein[658] == "V"  # V659E
    assert protein[659] == "G"  # G660D
    assert protein[754] == "L"  # L755S
    assert protein[775] == "G"  # G776delinsVC
    assert protein[776] == "V"  # V777L
    assert protein[771:775] == "YVMA"  # the YVMA duplication


def test_domains_cover_the_protein_in_order():
    tx = load_transcript()
    names = [d.name for d in tx.domains]
    assert names == ["signal peptide", "extracellular domain", "transmembrane domain", "juxtamembrane domain",
                     "kinase domain", "C-terminal tail"]
    assert tx.domains[0].start == 1 and tx.domains[-1].end == 1255
    for before, after in zip(tx.domains, tx.domains[1:]):
        assert after.start == before.end + 1


def test_exon_20_is_codons_770_to_831_in_both_builds():
    tx = load_transcript()
    for genome, start in (("GRCh37", 37880979), ("GRCh38", 39724726)):
        exon20 = tx.builds[genome].exons[19]
        assert (exon20.number, exon20.start) == (20, start)
        assert str(tx.genomic_to_c(genome, exon20.start)) == "2308"  # codon 770, first base
        assert str(tx.genomic_to_c(genome, exon20.end)) == "2493"  # codon 831, last base


@pytest.mark.skipif(not (SHARED / "verification_points.tsv").exists(), reason="../shared/reference not present")
def test_verification_points():
    tx = load_transcript()
    with open(SHARED / "verification_points.tsv") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) >= 10
    for row in rows:
        genome = row["build"]
        first = int(row["expected_start"] or row["computed_start"])
        c_range = row["hgvs_c"][2:]
        c_first = int(c_range.split("_")[0])
        assert str(tx.genomic_to_c(genome, first)) == str(c_first), row["check"]
        expected = row["expected_ref"] or row["computed_ref"]
        if expected:
            got = "".join(tx.exonic_base(genome, first + i) or "?" for i in range(len(expected)))
            assert got == expected, row["check"]
