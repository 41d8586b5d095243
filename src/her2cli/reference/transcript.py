"""The bundled ERBB2 transcript model (MANE Select NM_004448.4) and its coordinate mapper.

Genomic positions are 1-based and closed. ERBB2 is on the + strand, so genomic order is transcript
order; the mapper asserts this rather than carrying strand logic nobody would test.
Transcript positions are ``n.`` (1-based in the mRNA); ``c.`` positions are derived from them.

``Transcript.locate`` places a change on the transcript in one call: the exons and introns it touches,
its location terms (Sequence Ontology, as VEP defines them: splice sites and regions, UTRs, intron,
up/downstream), the mRNA span to translate when it is a coding change, and the ``c.`` positions its
HGVS name needs. The annotator names an allele from that and the protein change alone.
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


def _intronic_terms(offset: int) -> set[str]:
    """SO terms of an intronic base at ``offset`` from the nearest exon (VEP's definitions: donor/acceptor
    = the 2 intronic bases at a splice site; splice region = intronic bases 3-8; donor region = +3..+6,
    5th base = +5; polypyrimidine tract = -3..-17). The splice-region term is kept with donor/acceptor
    here only so that an insertion's two flanks can be compared; the caller drops it."""
    distance = abs(offset)
    if distance <= 2:
        return {"splice_donor_variant" if offset > 0 else "splice_acceptor_variant", "splice_region_variant"}
    terms = {"intron_variant"}
    if distance <= 8:
        terms.add("splice_region_variant")
    if 3 <= offset <= 6:
        terms.add("splice_donor_region_variant")
    if offset == 5:
        terms.add("splice_donor_5th_base_variant")
    if -17 <= offset <= -3:
        terms.add("splice_polypyrimidine_tract_variant")
    return terms


@valueclass(frozen=True)
class Location:
    """Where a change lies on the transcript (``Transcript.locate``)."""

    terms: frozenset  # location SO terms (the protein change adds its own)
    exons: str | None  # "20/27"
    introns: str | None  # "19/26"
    coding_span: tuple[int, int] | None  # (n_start, n_end) to apply to the mRNA and translate; None: not coding
    intronic: bool  # a touched base lies in an intron (its bases are not bundled)
    c: dict  # genomic position -> its c. position as HGVS writes it, for the positions of the change's name


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
        # residue -> the domain holding it (the first listed, should two overlap)
        self.domain_by_residue: dict[int, Domain] = {}
        for domain in self.domains:
            for residue in range(domain.start, domain.end + 1):
                self.domain_by_residue.setdefault(residue, domain)
        # per build and exon, the n. positions of its edges that face an intron (splice-region anchors)
        self._boundaries = {genome: _internal_boundary_ns(model.exons) for genome, model in self.builds.items()}

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
        return self.domain_by_residue.get(residue)

    def exonic_base(self, genome: str, pos: int) -> str | None:
        """The genome base at ``pos`` if it lies in an exon (the transcript equals the genome there)."""
        for exon in self.builds[genome].exons:
            if exon.start <= pos <= exon.end:
                return self.sequence[exon.tx_start - 1 + pos - exon.start]
        return None


    # --- a change on the transcript ----------------------------------------------------------------
    def locate(self, genome: str, start: int, end: int, insertion: bool,
               dup: tuple[int, int] | None = None) -> Location:
        """Where the change of genome bases ``start..end`` lies (an insertion sits between ``start - 1``
        and ``start``, ``end == start - 1``); ``dup`` is the span an insertion duplicates, if any."""
        model = self.builds[genome]
        touched = [start - 1, start] if insertion else list(range(start, end + 1))
        terms: set[str] = set()
        exon_numbers: list[int] = []
        intron_numbers: list[int] = []
        exonic_n: list[int] = []
        boundaries = self._boundaries[genome]
        flank_terms: list[set[str]] = []  # splice/intron terms each touched base would have on its own
        intronic = False
        placed = [(pos, *self.genomic_to_n(genome, pos)) for pos in touched]
        for pos, n, offset in placed:
            own: set[str] = set()
            flank_terms.append(own)
            if pos < model.tx_start:
                terms.add("upstream_gene_variant")
                continue
            if pos > model.tx_end:
                terms.add("downstream_gene_variant")
                continue
            if offset != 0:
                intronic = True
                number = self.intron_number(genome, pos)
                if number is not None and number not in intron_numbers:
                    intron_numbers.append(number)
                own.update(_intronic_terms(offset))
                continue
            index = self.exon_index_at(genome, pos)
            number = model.exons[index].number
            if number not in exon_numbers:
                exon_numbers.append(number)
            exonic_n.append(n)
            for b in boundaries[index]:
                if abs(n - b) < 3:
                    own.add("splice_region_variant")
        if insertion:
            # VEP: an insertion has a splice-site or splice-region effect only when both flanking bases
            # do (one between the 3rd and 4th exonic base, or right after the AG, has none).
            splice = flank_terms[0] & flank_terms[1]
        else:
            splice = set().union(*flank_terms)
        # A change that reaches a donor/acceptor site is reported as that site, as VEP does.
        if splice & {"splice_donor_variant", "splice_acceptor_variant"}:
            splice.discard("splice_region_variant")
        terms |= splice

        # An insertion is exonic only between two neighbouring mRNA bases; one with an intronic flank, or
        # between the last base of one exon and the first of the next, sits at an exon edge.
        insertion_at_edge = insertion and bool(exonic_n) and not (
            len(exonic_n) == 2 and exonic_n[1] == exonic_n[0] + 1
        )
        all_exonic = len(exonic_n) == len(touched) and not insertion_at_edge
        coding_span = None
        if exonic_n:
            first_n, last_n = min(exonic_n), max(exonic_n)
            cds_first, cds_last = self.cds_first_n, self.cds_last_n
            in_cds = not (last_n < cds_first or first_n > cds_last)
            if insertion and len(exonic_n) == 2:
                # between the last UTR base and the first CDS base (or the stop and the 3' UTR) is UTR
                in_cds = exonic_n[1] > cds_first and exonic_n[0] < cds_last
            if all_exonic and in_cds:
                coding_span = (exonic_n[1], exonic_n[0]) if insertion else (exonic_n[0], exonic_n[-1])
                if first_n < cds_first:
                    terms.add("5_prime_UTR_variant")
                if last_n > cds_last:
                    terms.add("3_prime_UTR_variant")
            elif in_cds:
                terms.add("coding_sequence_variant")
            else:
                terms.add("5_prime_UTR_variant" if last_n < cds_first else "3_prime_UTR_variant")
            if insertion_at_edge:
                terms.add("splice_region_variant")
        total_exons = len(model.exons)
        exons = "-".join(str(e) for e in sorted(set(exon_numbers)))
        introns = "-".join(str(i) for i in sorted(set(intron_numbers)))
        # The name writes the first and last touched positions (an insertion's flanks), or the span duplicated.
        c = {pos: str(self.n_to_c(n, offset)) for pos, n, offset in (placed[0], placed[-1])}
        for pos in dup or ():
            c[pos] = str(self.genomic_to_c(genome, pos))
        return Location(
            terms=frozenset(terms),
            exons=f"{exons}/{total_exons}" if exons else None,
            introns=f"{introns}/{total_exons - 1}" if introns else None,
            coding_span=coding_span,
            intronic=intronic,
            c=c,
        )


def _internal_boundary_ns(exons: tuple[Exon, ...]) -> list[list[int]]:
    """Per exon, the n. positions of its edges that face an intron (splice-region anchors)."""
    result = []
    for i, exon in enumerate(exons):
        edges = []
        if i > 0:
            edges.append(exon.tx_start)
        if i < len(exons) - 1:
            edges.append(exon.tx_end)
        result.append(edges)
    return result


@lru_cache(maxsize=1)
def load_transcript() -> Transcript:
    with open(resource_file("NM_004448.4.json"), encoding="utf-8") as handle:
        return Transcript(json.load(handle))
