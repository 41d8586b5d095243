"""--reference genome.fa: intronic indels are 3'-shifted with the genome's intron sequence; a FASTA of
the wrong build is refused. The FASTA is synthetic: exons are the bundled NM_004448.4 sequence at their
GRCh38 positions (MANE Select = GRCh38 there), introns a made-up sequence with a known homopolymer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pysam

from her2cli.reference.transcript import load_transcript

# Exon 19 ends at GRCh38 39724010 (c.2307); we write an A-run at c.2307+101..+105.
RUN_START = 39724010 + 101
RUN = "AAAAA"


def _fasta(tmp_path: Path, genome: str = "GRCh38") -> Path:
    tx = load_transcript()
    model = tx.builds[genome]
    end = model.gene_end + 25_000
    seq = bytearray(b"C" * end)  # introns: C, except the A-run below
    for exon in model.exons:
        seq[exon.start - 1 : exon.end] = tx.sequence[exon.tx_start - 1 : exon.tx_end].encode()
    if genome == "GRCh38":
        seq[RUN_START - 1 : RUN_START - 1 + len(RUN)] = RUN.encode()
    path = tmp_path / f"{genome}.fa"
    with open(path, "wb") as handle:
        handle.write(b">chr17\n")
        for i in range(0, len(seq), 60):
            handle.write(seq[i : i + 60] + b"\n")
    pysam.faidx(str(path))
    return path


def _vcf(tmp_path: Path) -> Path:
    # Deleting one A of the run, written left-aligned at its anchor base (C at +100).
    text = "\n".join([
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr17,length=83257441>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        f"chr17\t{RUN_START - 1}\t.\tCA\tC\t.\tPASS\t.",
    ]) + "\n"
    path = tmp_path / "intronic.vcf"
    path.write_text(text)
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2cli", *args], capture_output=True, timeout=120)


def test_intronic_deletion_is_3prime_shifted_with_reference(tmp_path):
    vcf = _vcf(tmp_path)
    without = _run("annotate", str(vcf), "-f", "tsv")
    assert without.returncode == 0, without.stderr
    row = without.stdout.decode().splitlines()[1].split("\t")
    header = without.stdout.decode().splitlines()[0].split("\t")
    named = dict(zip(header, row))
    # Without intron sequence: named where the caller put it (+101), flagged, with a notice.
    assert named["hgvs_c"] == "c.2307+101del"
    assert "unshifted_intronic_indel" in named["flags"]
    assert b"named unshifted" in without.stderr

    fasta = _fasta(tmp_path)
    withref = _run("annotate", str(vcf), "-f", "tsv", "--reference", str(fasta))
    assert withref.returncode == 0, withref.stderr
    named = dict(zip(header, withref.stdout.decode().splitlines()[1].split("\t")))
    # HGVS 3' rule: the deleted A is the last of the run c.2307+101..+105.
    assert named["hgvs_c"] == "c.2307+105del"
    assert named["flags"] == ""
    assert named["hgvs_g"] == f"NC_000017.11:g.{RUN_START + 4}del"


def test_reference_of_the_wrong_build_is_refused(tmp_path):
    wrong = _fasta(tmp_path, genome="GRCh37")
    proc = _run("annotate", str(_vcf(tmp_path)), "--reference", str(wrong))
    assert proc.returncode == 6, proc.stderr
    assert b"GRCh38" in proc.stderr and b"wrong build" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_missing_reference_file(tmp_path):
    proc = _run("annotate", str(_vcf(tmp_path)), "--reference", str(tmp_path / "none.fa"))
    assert proc.returncode == 3
    assert proc.stderr.decode().count("her2: error:") == 1
