"""Where genome bases come from (the data provider), kept apart from the normaliser and the namer.

Without ``--reference`` the only bases we know are exonic ones (the MANE transcript equals the genome
there) plus the bases a VCF record itself states in REF. With ``--reference genome.fa`` every base of
the region is known. A provider answers ``None`` for a base it does not know; callers stop there.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from her2cli.errors import InputMissingError, MalformedInputError, ReferenceMismatchError
from her2cli.reference.transcript import Transcript

# How far either side of the ERBB2 gene span a FASTA window reaches: enough for any indel shift.
_FASTA_FLANK = 20_000


class GenomeSequence(Protocol):
    genome: str

    def base(self, pos: int) -> str | None: ...


class ExonicSequence:
    """Bases of the exons only, from the bundled transcript sequence."""

    def __init__(self, transcript: Transcript, genome: str):
        self.genome = genome
        model = transcript.builds[genome]
        self._bases: dict[int, str] = {}
        for exon in model.exons:
            for pos in range(exon.start, exon.end + 1):
                self._bases[pos] = transcript.sequence[exon.tx_start - 1 + pos - exon.start]

    def base(self, pos: int) -> str | None:
        return self._bases.get(pos)


@lru_cache(maxsize=2)
def exonic_sequence(transcript: Transcript, genome: str) -> ExonicSequence:
    """One ExonicSequence per build and process (a cohort annotates thousands of samples)."""
    return ExonicSequence(transcript, genome)


class FastaSequence:
    """A window of an indexed genome FASTA around ERBB2, read once with pysam."""

    def __init__(self, path: str, transcript: Transcript, genome: str):
        import os

        import pysam

        self.genome = genome
        if not os.path.exists(path):
            raise InputMissingError("reference FASTA not found", path=path)
        try:
            fasta = pysam.FastaFile(path)
        except (OSError, ValueError) as exc:
            raise MalformedInputError(f"cannot open as an indexed FASTA (samtools faidx it first): {exc}", path=path)
        model = transcript.builds[genome]
        names = set(fasta.references)
        contig = next((c for c in ("chr17", "17", "NC_000017.11" if genome == "GRCh38" else "NC_000017.10") if c in names), None)
        if contig is None:
            raise MalformedInputError("reference FASTA has no chr17/17 contig", path=path)
        length = fasta.get_reference_length(contig)
        if length < model.gene_end:
            fasta.close()
            raise ReferenceMismatchError(
                f"reference FASTA {contig} is {length:,} bp long, too short to hold ERBB2 on {genome} "
                f"(wrong build? use --genome)", path=path,
            )
        self.window_start = max(1, model.gene_start - _FASTA_FLANK)
        window_end = min(length, model.gene_end + _FASTA_FLANK)
        try:
            self._seq = fasta.fetch(contig, self.window_start - 1, window_end).upper()
        except (OSError, ValueError) as exc:
            raise MalformedInputError(f"cannot read {contig} from the FASTA: {exc}", path=path) from None
        finally:
            fasta.close()
        # A FASTA of the other build would silently rename everything: check it against the exons.
        mismatches = sum(
            1 for pos, base in _sample_exonic(transcript, genome) if self.base(pos) not in (base, None)
        )
        if mismatches:
            raise ReferenceMismatchError(
                f"reference FASTA does not match {genome} ERBB2 exons at {mismatches} of 200 checked bases "
                f"(wrong build? use --genome)", path=path,
            )

    def base(self, pos: int) -> str | None:
        i = pos - self.window_start
        if 0 <= i < len(self._seq):
            return self._seq[i]
        return None


def _sample_exonic(transcript: Transcript, genome: str):
    model = transcript.builds[genome]
    step = max(1, (model.tx_end - model.tx_start) // 400)
    taken = 0
    for exon in model.exons:
        for pos in range(exon.start, exon.end + 1, step):
            if taken >= 200:
                return
            taken += 1
            yield pos, transcript.sequence[exon.tx_start - 1 + pos - exon.start]
