"""Annotate one genomic ALT against NM_004448.4: normalised position, HGVS g./c./p., SO consequence,
exon/intron, domain and HER2 subgroup.

Pipeline per allele: trim -> left-align in genome space (the row's POS/REF/ALT, as ``bcftools norm``)
-> 3'-shift (HGVS) -> name c./g. -> apply to the mRNA and translate -> name p. and classify.
"""

from __future__ import annotations

from dataclasses import field, replace

from her2cli.reference.sequence import GenomeSequence, OverlaySequence
from her2cli.reference.transcript import Transcript
from her2cli.values import valueclass
from her2cli.variants.normalize import (
    Edit,
    duplicated_span,
    left_align,
    right_shift,
    to_vcf,
    trim,
)
from her2cli.variants.protein import ProteinChange, coding_change

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def reverse_complement(bases: str) -> str:
    return bases.translate(_COMPLEMENT)[::-1]

# VEP's consequence order (most severe first), restricted to the terms this tool emits.
SEVERITY = [
    "splice_acceptor_variant", "splice_donor_variant", "stop_gained", "frameshift_variant", "stop_lost",
    "start_lost", "inframe_insertion", "inframe_deletion", "missense_variant", "protein_altering_variant",
    "splice_donor_5th_base_variant", "splice_region_variant", "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant", "stop_retained_variant", "synonymous_variant", "coding_sequence_variant",
    "5_prime_UTR_variant", "3_prime_UTR_variant", "intron_variant", "upstream_gene_variant",
    "downstream_gene_variant",
]

EXON20_INSERTION_CODONS = (770, 831)  # OncoKB "770_831ins" = exon 20 (c.2308-c.2493)
KINASE_MISSENSE_CODONS = (721, 975)  # OncoKB TKD definition (Mar 2026)
EXTRACELLULAR_CODONS = (23, 652)  # UniProt P04626 extracellular topological domain
TM_JM_CODONS = (653, 720)  # UniProt transmembrane 653-675 + juxtamembrane up to the OncoKB TKD start

# The HER2 mutation subgroups ``Annotator._subgroup`` decides, in report order (a domain word: the
# evidence table, the verdict and the writers all take it from here).
SUBGROUPS = [
    "exon20_insertion",            # in-frame insertion/dup/net-inserting delins in codons 770-831
    "kinase_domain_missense",      # missense in codons 721-975 (OncoKB TKD definition)
    "extracellular",               # protein-altering, non-truncating, codons 23-652 (e.g. S310F/Y)
    "transmembrane_juxtamembrane", # protein-altering, non-truncating, codons 653-720 (e.g. V659E, G660D)
    "other",                       # everything else (truncating, synonymous, non-coding, signal peptide, tail)
]

_MISSING = object()


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

PROTEIN_ALTERING_NONTRUNCATING = {"missense_variant", "inframe_insertion", "inframe_deletion", "protein_altering_variant"}


@valueclass
class AlleleAnnotation:
    pos: int  # left-aligned, trimmed, VCF-style (anchor base for indels)
    ref: str
    alt: str
    hgvs_g: str
    hgvs_c: str
    hgvs_p: str | None
    hgvs_p_short: str | None
    consequence: str
    exon: str | None
    intron: str | None
    domain: str | None
    subgroup: str
    protein_position: str | None
    legacy_name: str | None
    flags: list[str] = field(default_factory=list)


class Annotator:
    def __init__(self, transcript: Transcript, genome: str, sequence: GenomeSequence, have_genome_fasta: bool):
        self.tx = transcript
        self.genome = genome
        self.model = transcript.builds[genome]
        self.sequence = sequence
        self.have_genome_fasta = have_genome_fasta
        self._boundaries = self._internal_boundary_ns()
        self._cache: dict = {}

    # ------------------------------------------------------------------------------------------
    def annotate(self, pos: int, ref: str, alt: str) -> AlleleAnnotation | None:
        """Annotate one ALT; None when REF and ALT describe no change. Results are remembered: in a
        cohort the same hotspot recurs in many samples."""
        key = (pos, ref, alt)
        cached = self._cache.get(key, _MISSING)
        if cached is _MISSING:
            cached = self._annotate(pos, ref, alt)
            if len(self._cache) < 100_000:
                self._cache[key] = cached
        return None if cached is None else replace(cached, flags=list(cached.flags))

    def _annotate(self, pos: int, ref: str, alt: str) -> AlleleAnnotation | None:
        ref, alt = ref.upper(), alt.upper()
        if ref == alt:
            return None
        flags: list[str] = []
        for i, base in enumerate(ref):
            known = self.sequence.base(pos + i)
            if known is not None and known != base:
                flags.append("ref_mismatch")
                break
        seq = OverlaySequence(self.sequence, pos, ref)
        edit = trim(pos, ref, alt)
        left = left_align(edit, seq)
        vcf_pos, vcf_ref, vcf_alt = to_vcf(left.edit, seq)
        right = right_shift(left.edit, seq)
        named = right.edit
        if edit.is_indel and (left.limited or right.limited):
            if self._is_intronic_edit(named) and not self.have_genome_fasta:
                flags.append("unshifted_intronic_indel")
            elif not self.have_genome_fasta:
                flags.append("shift_limited_at_exon_boundary")

        dup = duplicated_span(named, seq) if named.is_insertion else None
        hgvs_c = "c." + self._describe(named, dup, self._cpos)
        hgvs_g = f"{self.model.refseq_chrom}:g." + self._describe(named, dup, str)
        protein, location_terms, exons, introns = self._effect(named)
        terms = set(location_terms) | set(protein.consequences if protein else ())
        consequence = "&".join(t for t in SEVERITY if t in terms)

        hgvs_p = protein.hgvs_p if protein else None
        hgvs_p_short = protein.hgvs_p_short if protein else None
        if protein is None and ({"splice_donor_variant", "splice_acceptor_variant"} & terms):
            hgvs_p = hgvs_p_short = "p.?"
        domain = None
        position = None
        if protein and protein.start:
            found = self.tx.domain_at(protein.start)
            domain = found.name if found else None
            position = str(protein.start) if protein.end in (None, protein.start) else f"{protein.start}-{protein.end}"
        return AlleleAnnotation(
            pos=vcf_pos, ref=vcf_ref, alt=vcf_alt, hgvs_g=hgvs_g, hgvs_c=hgvs_c, hgvs_p=hgvs_p,
            hgvs_p_short=hgvs_p_short, consequence=consequence, exon=exons, intron=introns, domain=domain,
            subgroup=self._subgroup(protein, terms), protein_position=position,
            legacy_name=protein.legacy_name if protein else None, flags=flags,
        )

    # --- naming -----------------------------------------------------------------------------------
    def _cpos(self, pos: int) -> str:
        return str(self.tx.genomic_to_c(self.genome, pos))

    @staticmethod
    def _describe(edit: Edit, dup: tuple[int, int] | None, fmt) -> str:
        if edit.is_substitution:
            return f"{fmt(edit.start)}{edit.ref}>{edit.alt}"
        if dup is not None:
            first, last = dup
            return f"{fmt(first)}dup" if first == last else f"{fmt(first)}_{fmt(last)}dup"
        if edit.is_insertion:
            return f"{fmt(edit.start - 1)}_{fmt(edit.start)}ins{edit.alt}"
        span = fmt(edit.start) if edit.start == edit.end else f"{fmt(edit.start)}_{fmt(edit.end)}"
        if edit.is_deletion:
            return f"{span}del"
        if len(edit.ref) > 1 and edit.alt == reverse_complement(edit.ref):
            # HGVS ranks an inversion before a deletion-insertion (VEP names it so too): TT>AA is c.1976_1977inv
            return f"{span}inv"
        return f"{span}delins{edit.alt}"

    # --- location and effect ------------------------------------------------------------------------
    def _is_intronic_edit(self, edit: Edit) -> bool:
        positions = range(edit.start, edit.end + 1) if edit.ref else (edit.start - 1, edit.start)
        return any(self.tx.exonic_base(self.genome, p) is None and self.model.tx_start <= p <= self.model.tx_end
                   for p in positions)

    def _effect(self, edit: Edit) -> tuple[ProteinChange | None, set[str], str | None, str | None]:
        tx, genome, model = self.tx, self.genome, self.model
        if edit.ref:
            touched = list(range(edit.start, edit.end + 1))
        else:
            touched = [edit.start - 1, edit.start]
        placed = [(p, *tx.genomic_to_n(genome, p)) for p in touched]
        terms: set[str] = set()
        exon_numbers: list[int] = []
        intron_numbers: list[int] = []
        exonic_n: list[int] = []
        internal_boundaries = self._boundaries
        flank_terms: list[set[str]] = []  # splice/intron terms each touched base would have on its own
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
                number = tx.intron_number(genome, pos)
                if number is not None and number not in intron_numbers:
                    intron_numbers.append(number)
                own.update(_intronic_terms(offset))
                continue
            index = tx.exon_index_at(genome, pos)
            number = model.exons[index].number
            if number not in exon_numbers:
                exon_numbers.append(number)
            exonic_n.append(n)
            if any(abs(n - b) < 3 for b in internal_boundaries[index]):
                own.add("splice_region_variant")
        if edit.ref:
            splice = set().union(*flank_terms)
            # A change that reaches a donor/acceptor site is reported as that site, as VEP does.
            if splice & {"splice_donor_variant", "splice_acceptor_variant"}:
                splice.discard("splice_region_variant")
        else:
            # VEP: an insertion has a splice-site or splice-region effect only when both flanking bases
            # do (one between the 3rd and 4th exonic base, or right after the AG, has none).
            splice = flank_terms[0] & flank_terms[1]
            if splice & {"splice_donor_variant", "splice_acceptor_variant"}:
                splice.discard("splice_region_variant")
        terms |= splice

        # An insertion is exonic only between two neighbouring mRNA bases; one with an intronic flank, or
        # between the last base of one exon and the first of the next, sits at an exon edge.
        insertion_at_edge = not edit.ref and bool(exonic_n) and not (
            len(exonic_n) == 2 and exonic_n[1] == exonic_n[0] + 1
        )
        all_exonic = len(exonic_n) == len(placed) and not insertion_at_edge
        protein: ProteinChange | None = None
        if exonic_n:
            first_n, last_n = min(exonic_n), max(exonic_n)
            cds_first, cds_last = tx.cds_first_n, tx.cds_last_n
            in_cds = not (last_n < cds_first or first_n > cds_last)
            if not edit.ref and len(exonic_n) == 2:
                # between the last UTR base and the first CDS base (or the stop and the 3' UTR) is UTR
                in_cds = exonic_n[1] > cds_first and exonic_n[0] < cds_last
            if all_exonic and in_cds:
                n_start = exonic_n[0] if edit.ref else exonic_n[1]
                n_end = exonic_n[-1] if edit.ref else exonic_n[0]
                protein = coding_change(tx.sequence, tx.protein, tx.utr5_length, n_start, n_end, edit.alt)
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
        return (
            protein,
            terms,
            f"{exons}/{total_exons}" if exons else None,
            f"{introns}/{total_exons - 1}" if introns else None,
        )

    def _internal_boundary_ns(self) -> list[list[int]]:
        """Per exon, the n. positions of its edges that face an intron (splice-region anchors)."""
        exons = self.model.exons
        result = []
        for i, exon in enumerate(exons):
            edges = []
            if i > 0:
                edges.append(exon.tx_start)
            if i < len(exons) - 1:
                edges.append(exon.tx_end)
            result.append(edges)
        return result

    @staticmethod
    def _subgroup(protein: ProteinChange | None, terms: set[str]) -> str:
        if protein is None or protein.start is None:
            return "other"
        start, end = protein.start, protein.end or protein.start
        truncating = {"stop_gained", "frameshift_variant", "start_lost", "stop_lost"} & terms
        if truncating or not (PROTEIN_ALTERING_NONTRUNCATING & set(protein.consequences)):
            return "other"
        # Exon 20 insertions are net in-frame insertions, including delins such as G776delinsVC.
        if protein.length_change > 0 and EXON20_INSERTION_CODONS[0] <= start and end <= EXON20_INSERTION_CODONS[1]:
            return "exon20_insertion"
        if protein.kind == "missense" and KINASE_MISSENSE_CODONS[0] <= start <= KINASE_MISSENSE_CODONS[1]:
            return "kinase_domain_missense"
        if EXTRACELLULAR_CODONS[0] <= start and end <= EXTRACELLULAR_CODONS[1]:
            return "extracellular"
        if TM_JM_CODONS[0] <= start and end <= TM_JM_CODONS[1]:
            return "transmembrane_juxtamembrane"
        return "other"
