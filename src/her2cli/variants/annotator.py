"""Annotate one genomic ALT against NM_004448.4: normalised position, HGVS g./c./p., SO consequence,
exon/intron, domain and HER2 subgroup.

Pipeline per allele, one call into each step: ``normalize.normalise`` (trim -> left-align in genome space,
the row's POS/REF/ALT as ``bcftools norm`` -> 3'-shift, HGVS; it reads the bases it needs from the sequence
provider) -> ``Transcript.locate`` (exons, introns, location terms, the mRNA span, the c. positions) ->
``protein.coding_change`` (apply to the mRNA and translate; the p. name) -> name c./g. and classify here.
"""

from __future__ import annotations

from dataclasses import field, replace

from her2cli.reference.sequence import GenomeSequence
from her2cli.reference.transcript import Transcript
from her2cli.values import valueclass
from her2cli.variants.normalize import Edit, normalise
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


def _describe(kind: str, edit: Edit, dup: tuple[int, int] | None, fmt) -> str:
    """The HGVS description of a normalised edit (``kind`` from ``normalise``), positions written by ``fmt``."""
    if kind == "substitution":
        return f"{fmt(edit.start)}{edit.ref}>{edit.alt}"
    if dup is not None:
        first, last = dup
        return f"{fmt(first)}dup" if first == last else f"{fmt(first)}_{fmt(last)}dup"
    if kind == "insertion":
        return f"{fmt(edit.start - 1)}_{fmt(edit.start)}ins{edit.alt}"
    span = fmt(edit.start) if edit.start == edit.end else f"{fmt(edit.start)}_{fmt(edit.end)}"
    if kind == "deletion":
        return f"{span}del"
    if len(edit.ref) > 1 and edit.alt == reverse_complement(edit.ref):
        # HGVS ranks an inversion before a deletion-insertion (VEP names it so too): TT>AA is c.1976_1977inv
        return f"{span}inv"
    return f"{span}delins{edit.alt}"


class Annotator:
    def __init__(self, transcript: Transcript, genome: str, sequence: GenomeSequence, have_genome_fasta: bool):
        self.tx = transcript
        self.genome = genome
        self.model = transcript.builds[genome]
        self.sequence = sequence
        self.have_genome_fasta = have_genome_fasta
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
        tx = self.tx
        norm = normalise(pos, ref, alt, self.sequence)
        if norm is None:
            return None
        named = norm.named
        where = tx.locate(self.genome, named.start, named.end, norm.kind == "insertion", norm.dup)
        protein = None
        if where.coding_span is not None:
            protein = coding_change(tx.sequence, tx.protein, tx.utr5_length, *where.coding_span, named.alt)

        flags = ["ref_mismatch"] if norm.ref_mismatch else []
        if norm.limited and not self.have_genome_fasta:
            flags.append("unshifted_intronic_indel" if where.intronic else "shift_limited_at_exon_boundary")
        hgvs_c = "c." + _describe(norm.kind, named, norm.dup, where.c.__getitem__)
        hgvs_g = f"{self.model.refseq_chrom}:g." + _describe(norm.kind, named, norm.dup, str)
        terms = set(where.terms) | set(protein.consequences if protein else ())
        consequence = "&".join(t for t in SEVERITY if t in terms)

        hgvs_p = protein.hgvs_p if protein else None
        hgvs_p_short = protein.hgvs_p_short if protein else None
        if protein is None and ({"splice_donor_variant", "splice_acceptor_variant"} & terms):
            hgvs_p = hgvs_p_short = "p.?"
        domain = None
        position = None
        if protein and protein.start:
            found = tx.domain_by_residue.get(protein.start)
            domain = found.name if found else None
            position = str(protein.start) if protein.end in (None, protein.start) else f"{protein.start}-{protein.end}"
        vcf_pos, vcf_ref, vcf_alt = norm.vcf
        return AlleleAnnotation(
            pos=vcf_pos, ref=vcf_ref, alt=vcf_alt, hgvs_g=hgvs_g, hgvs_c=hgvs_c, hgvs_p=hgvs_p,
            hgvs_p_short=hgvs_p_short, consequence=consequence, exon=where.exons, intron=where.introns,
            domain=domain, subgroup=self._subgroup(protein, terms), protein_position=position,
            legacy_name=protein.legacy_name if protein else None, flags=flags,
        )

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
