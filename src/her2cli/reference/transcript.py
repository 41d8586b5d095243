"""The bundled ERBB2 transcript model (MANE Select NM_004448.4) and its coordinate mapper.

Genomic positions are 1-based and closed. ERBB2 is on the + strand, so genomic order is transcript
order; the mapper asserts this rather than carrying strand logic nobody would test.
Transcript positions are ``n.`` (1-based in the mRNA); ``c.`` positions are derived from them.
"""

from __future__ import annotations

import json
from functools import lru_cache

from her2cli.reference.datafiles import resource_file
from her2cli.values import valueclass

GENOMES = ("GRCh37", "GRCh38")


@valueclass(frozen=True)
class Exon:
    number: int
    start: int  # genomic, 1-based closed
    end: int
    tx_start: int  # n. position of `start`
    tx_end: int


@valueclass(frozen=True)
class Domain:
    name: str
    start: int  # residue, 1-based closed
    end: int
    source: str


@valueclass(frozen=True)
class CPos:
    """A c. position: ``base`` (c.N, negative for 5' UTR, the '*' number for 3' UTR) + intronic offset."""

    base: int
    offset: int = 0
    utr3: bool = False

    def __str__(self) -> str:
        text = f"*{self.base}" if self.utr3 else str(self.base)
        if self.offset > 0:
            text += f"+{self.offset}"
        elif self.offset < 0:
            text += str(self.offset)
        return text


@valueclass(frozen=True)
class BuildModel:
    genome: str
    chrom: str  # "chr17"
    refseq_chrom: str  # "NC_000017.11"
    tx_start: int
    tx_end: int
    cds_start: int  # genomic position of the A of ATG
    cds_end: int  # genomic position of the last base of the stop codon
    gene_start: int  # ERBB2 gene record span (wider than the MANE transcript)
    gene_end: int
    exons: tuple[Exon, ...]


class Transcript:
    """NM_004448.4 with sequence, protein, domains and per-build exon coordinates."""

    def __init__(self, data: dict):
        self.gene: str = data["gene"]
        self.accession: str = data["transcript"]
        self.ensembl: str = data["ensembl_transcript"]
        self.protein_accession: str = data["protein"]
        self.uniprot: str = data["uniprot"]
        self.sequence: str = data["sequence"]
        self.protein: str = data["protein_sequence"]
        self.utr5_length: int = data["utr5_length"]
        self.cds_length: int = data["cds_length"]
        self.domains = tuple(Domain(d["name"], d["start"], d["end"], d["source"]) for d in data["domains"])
        self.builds: dict[str, BuildModel] = {}
        for genome, b in data["builds"].items():
            if b["strand"] != "+":
                raise ValueError("the mapper only supports a + strand transcript")
            exons = tuple(Exon(e["number"], e["start"], e["end"], e["tx_start"], e["tx_end"]) for e in b["exons"])
            self.builds[genome] = BuildModel(
                genome, b["chrom"], b["refseq_chrom"], b["tx_start"], b["tx_end"], b["cds_start"],
                b["cds_end"], b["gene_start"], b["gene_end"], exons,
            )
        self.provenance = data.get("provenance", {})

    # --- n. <-> c. -------------------------------------------------------------------------
    @property
    def cds_first_n(self) -> int:
        return self.utr5_length + 1

    @property
    def cds_last_n(self) -> int:
        return self.utr5_length + self.cds_length

    def n_to_c(self, n: int, offset: int = 0) -> CPos:
        if n < self.cds_first_n:
            return CPos(n - self.cds_first_n, offset)
        if n > self.cds_last_n:
            return CPos(n - self.cds_last_n, offset, utr3=True)
        return CPos(n - self.utr5_length, offset)

    # --- genome -> transcript -----------------------------------------------------------------
    def exon_index_at(self, genome: str, pos: int) -> int | None:
        for i, exon in enumerate(self.builds[genome].exons):
            if exon.start <= pos <= exon.end:
                return i
        return None

    def genomic_to_n(self, genome: str, pos: int) -> tuple[int, int]:
        """(n. anchor, intronic offset) of a genomic position; offset 0 means exonic.

        Positions upstream/downstream of the transcript continue the n. numbering outward
        (n <= 0 upstream, n > length downstream), as HGVS does for c.-N and c.*N.
        """
        model = self.builds[genome]
        exons = model.exons
        if pos < model.tx_start:
            return 1 - (model.tx_start - pos), 0
        if pos > model.tx_end:
            return exons[-1].tx_end + (pos - model.tx_end), 0
        for i, exon in enumerate(exons):
            if exon.start <= pos <= exon.end:
                return exon.tx_start + (pos - exon.start), 0
            nxt = exons[i + 1]
            if exon.end < pos < nxt.start:
                after_donor = pos - exon.end
                before_acceptor = nxt.start - pos
                # HGVS: the middle base of an odd-length intron is the last one numbered with '+'.
                if after_donor <= before_acceptor:
                    return exon.tx_end, after_donor
                return nxt.tx_start, -before_acceptor
        raise AssertionError("unreachable: position inside the transcript span not placed")

    def genomic_to_c(self, genome: str, pos: int) -> CPos:
        n, offset = self.genomic_to_n(genome, pos)
        return self.n_to_c(n, offset)

    def intron_number(self, genome: str, pos: int) -> int | None:
        """Number of the intron containing ``pos`` (intron k lies between exons k and k+1)."""
        exons = self.builds[genome].exons
        for i in range(len(exons) - 1):
            if exons[i].end < pos < exons[i + 1].start:
                return exons[i].number
        return None

    def domain_at(self, residue: int) -> Domain | None:
        for domain in self.domains:
            if domain.start <= residue <= domain.end:
                return domain
        return None

    def exonic_base(self, genome: str, pos: int) -> str | None:
        """The genome base at ``pos`` if it lies in an exon (the transcript equals the genome there)."""
        for exon in self.builds[genome].exons:
            if exon.start <= pos <= exon.end:
                return self.sequence[exon.tx_start - 1 + pos - exon.start]
        return None


@lru_cache(maxsize=1)
def load_transcript() -> Transcript:
    with open(resource_file("NM_004448.4.json"), encoding="utf-8") as handle:
        return Transcript(json.load(handle))
