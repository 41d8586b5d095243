"""HGVS names, consequences and subgroups against published annotations and hand-checked sequence.

Expected values come from outside the code:
* tests/data/published_variants.tsv (genome-nexus VEP output, vareffect VEP-concordance tests, ...; see
  tests/data/README.md for the source of each row);
* hand checks against the bundled NM_004448.4 sequence, written out in the comments below. GRCh37
  positions of exon-20 bases come from the NC_000017.10 fragment g.37880990-37881010 =
  GATGGCTGGTGTGGGCTCCCC and g.37881010-37881030 = CATATGTCTCCCGCCTTCTGG (shared/reference README,
  verification_points.tsv), with c.2319 = g.37880990 and exon 20 = c.2308-2493 = g.37880979-37881164.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from her2cli.variants.annotator import Annotator
from her2cli.reference.sequence import ExonicSequence
from her2cli.reference.transcript import load_transcript

DATA = Path(__file__).parent / "data"
OFFSET_38 = 1_843_747  # GRCh38 = GRCh37 + 1,843,747 across ERBB2 (shared/reference README)


@pytest.fixture(scope="module")
def annotators():
    tx = load_transcript()
    return {g: Annotator(tx, g, ExonicSequence(tx, g), have_genome_fasta=False) for g in ("GRCh37", "GRCh38")}


def _published_rows():
    with open(DATA / "published_variants.tsv") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if r["pos"] and r["ref"] and r["alt"] and r["build"]]


@pytest.mark.parametrize("row", _published_rows(), ids=lambda r: r["id"])
def test_published_variant(annotators, row):
    result = annotators[row["build"]].annotate(int(row["pos"]), row["ref"], row["alt"])
    assert result.hgvs_c == row["hgvs_c"]
    if row["hgvs_p"]:
        assert result.hgvs_p == row["hgvs_p"]
        assert result.hgvs_p_short == row["hgvs_p_short"]
    # Consequence terms are compared only where the row is real VEP output (Genome Nexus); the vareffect
    # rows disagree with it on the splice-region term of one YVMA form (tests/data/README.md).
    if row["consequence"] and row["source"].startswith("genome-nexus"):
        assert set(result.consequence.split("&")) == set(row["consequence"].split(","))


def g37(c_pos_exon20: int) -> int:
    """GRCh37 position of an exon-20 c. position (exon 20 starts at c.2308 = g.37880979)."""
    return 37880979 + (c_pos_exon20 - 2308)


# The YVMA duplication (NM_004448.4:c.2313_2324dup, p.Tyr772_Ala775dup; vareffect/VEP) written the ways
# callers write it. Bases c.2312-c.2326 = C ATACGTGATGGC T G (from the fragment above and c.2312 = C,
# the VEP anchor base in vareffect's test).
YVMA_FORMS_37 = [
    ("left-aligned (bcftools norm)", g37(2310), "A", "AGCATACGTGATG"),  # Ion Torrent hotspot form
    ("VEP input form, anchored on c.2312", g37(2312), "C", "CATACGTGATGGC"),
    ("right-aligned, anchored on c.2324", g37(2324), "C", "CATACGTGATGGC"),
    ("extra padding on both sides", g37(2312), "CATAC", "CATACGTGATGGCATAC"),
    ("as a complex delins of c.2313-2324", g37(2313), "ATACGTGATGGC", "ATACGTGATGGCATACGTGATGGC"),
    ("insertion written mid-repeat", g37(2318), "T", "TGATGGCATACGT"),
]


@pytest.mark.parametrize("genome", ["GRCh37", "GRCh38"])
@pytest.mark.parametrize("form", YVMA_FORMS_37, ids=lambda f: f[0])
def test_yvma_every_form_same_name(annotators, genome, form):
    _, pos37, ref, alt = form
    pos = pos37 if genome == "GRCh37" else pos37 + OFFSET_38
    result = annotators[genome].annotate(pos, ref, alt)
    assert result.hgvs_c == "c.2313_2324dup"
    assert result.hgvs_p == "p.Tyr772_Ala775dup"
    assert result.hgvs_p_short == "p.Y772_A775dup"
    assert result.legacy_name == "A775_G776insYVMA"
    assert result.subgroup == "exon20_insertion"
    assert result.exon == "20/27"
    # One event, one normalised VCF representation: the bcftools-norm left-aligned one.
    assert (result.pos, result.ref, result.alt) == (pos - pos37 + g37(2310), "A", "AGCATACGTGATG")
    chrom_acc = "NC_000017.10" if genome == "GRCh37" else "NC_000017.11"
    first = g37(2313) + (0 if genome == "GRCh37" else OFFSET_38)
    assert result.hgvs_g == f"{chrom_acc}:g.{first}_{first + 11}dup"


@pytest.mark.parametrize("inserted", ["TGT", "TCT", "TAT", "TTT"])
def test_g776delinsvc(annotators, inserted):
    # Codon 776 = c.2326-2328 = GGT. Inserting T?T after c.2326: G T?T GT -> GT? TGT = Val + Cys.
    # Published: G776delinsVC = c.2326_2327insTGT (knowledge file) = p.Gly776delinsValCys; the Ion Torrent
    # Oncomine hotspot file lists these four insertions at GRCh37 37880997 G>GT?T.
    result = annotators["GRCh37"].annotate(37880997, "G", "G" + inserted)
    assert result.hgvs_c == f"c.2326_2327ins{inserted}"
    assert result.hgvs_p == "p.Gly776delinsValCys"
    assert result.hgvs_p_short == "p.G776delinsVC"
    # VEP (Genome Nexus expected output for c.2326_2327insTGT): GGT -> GTGTGT keeps neither end codon,
    # so it is a protein_altering_variant, not an inframe_insertion.
    assert result.consequence == "protein_altering_variant"
    assert result.subgroup == "exon20_insertion"


def test_g778_p780dup(annotators):
    # c.2332-2340 = GGC TCC CCA (Gly778 Ser779 Pro780); c.2341 = T stops the 3' shift.
    # Published: G778_P780dup = c.2332_2340dup (knowledge file). Left-aligned VCF form (shifting the
    # insertion GGCTCCCCA left through CCCC T C G G): after g.37881002 (G), inserting GGGCTCCCCA... checked
    # by hand: REF G at c.2331 = 37881002, ALT G + GGCTCCCCA.
    for pos, ref, alt in [(37881002, "G", "GGGCTCCCCA"), (37881011, "A", "AGGCTCCCCA")]:
        result = annotators["GRCh37"].annotate(pos, ref, alt)
        assert result.hgvs_c == "c.2332_2340dup"
        assert result.hgvs_p == "p.Gly778_Pro780dup"
        assert result.hgvs_p_short == "p.G778_P780dup"
        assert result.legacy_name == "P780_Y781insGSP"
        assert result.subgroup == "exon20_insertion"


def test_frameshift_c2339dup_both_vcf_forms(annotators):
    # Published (biocommons/hgvs c_to_p test data): c.2339dup -> p.Tyr781IlefsTer93.
    # c.2336-2339 = CCCC (g.37881007-37881010), c.2335 = T: left-aligned VCF is T>TC at 37881006.
    for pos, ref, alt in [(37881006, "T", "TC"), (37881010, "C", "CC")]:
        result = annotators["GRCh37"].annotate(pos, ref, alt)
        assert result.hgvs_c == "c.2339dup"
        assert result.hgvs_p == "p.Tyr781IlefsTer93"
        assert result.hgvs_p_short == "p.Y781Ifs*93"
        assert result.consequence == "frameshift_variant"
        assert result.subgroup == "other"


def test_v659e_transmembrane_mnv(annotators):
    # Codon 659 is GTT in NM_004448.4 (c.1975-1977; hand-read from the bundled sequence), so a single
    # c.1976T>A gives GAT = Asp (V659D) and V659E needs two bases: GTT -> GAA (or GAG). Exon 17 =
    # c.1947-2085 starts at GRCh38 39723319, so c.1976 is 39723319 + 29 = 39723348.
    v659d = annotators["GRCh38"].annotate(39723348, "T", "A")
    assert (v659d.hgvs_c, v659d.hgvs_p) == ("c.1976T>A", "p.Val659Asp")
    v659e = annotators["GRCh38"].annotate(39723348, "TT", "AA")
    # TT>AA: ALT is the reverse complement of REF, which HGVS ranks as an inversion before a delins (VEP too)
    assert v659e.hgvs_c == "c.1976_1977inv"
    assert v659e.hgvs_p == "p.Val659Glu"
    assert v659e.hgvs_p_short == "p.V659E"
    assert v659e.consequence == "missense_variant"
    assert v659e.domain == "transmembrane domain"
    assert v659e.subgroup == "transmembrane_juxtamembrane"


def test_subgroups_of_published_hotspots(annotators):
    expect = {
        (39711955, "C", "T"): ("extracellular", "extracellular domain"),  # S310F
        (39723351, "G", "A"): ("transmembrane_juxtamembrane", "transmembrane domain"),  # G660D
        (39723405, "G", "A"): ("transmembrane_juxtamembrane", "juxtamembrane domain"),  # R678Q
        (39723967, "T", "C"): ("kinase_domain_missense", "kinase domain"),  # L755S
        (39724008, "G", "T"): ("kinase_domain_missense", "kinase domain"),  # D769Y
        (39724747, "G", "T"): ("kinase_domain_missense", "kinase domain"),  # V777L
    }
    for (pos, ref, alt), (subgroup, domain) in expect.items():
        result = annotators["GRCh38"].annotate(pos, ref, alt)
        assert (result.subgroup, result.domain) == (subgroup, domain), result.hgvs_p


def test_synonymous(annotators):
    # L755 codon = TTG at GRCh37 37880219-37880221 (transvar, verification_points.tsv). TTG -> TTA is Leu.
    result = annotators["GRCh37"].annotate(37880221, "G", "A")
    assert result.hgvs_c == "c.2265G>A"
    assert result.hgvs_p == "p.Leu755="
    assert result.hgvs_p_short == "p.L755="
    assert result.consequence == "synonymous_variant"
    assert result.subgroup == "other"


def test_nonsense(annotators):
    # c.2326 = G of codon 776 GGT? No: use codon 778 GGC? A stop needs T first; codon 781 = c.2341-2343 =
    # TAT (Tyr781 in the published fs name; fragment ...CCCCAT ATG: c.2340 = A, c.2341 = T, 2342 = A,
    # 2343 = T). c.2343T>A: TAT -> TAA = stop -> p.Tyr781Ter.
    result = annotators["GRCh37"].annotate(g37(2343), "T", "A")
    assert result.hgvs_c == "c.2343T>A"
    assert result.hgvs_p == "p.Tyr781Ter"
    assert result.hgvs_p_short == "p.Y781*"
    assert result.consequence == "stop_gained"


def test_splice_donor_and_acceptor(annotators):
    # Exon 20 = g.37880979-37881164; intron 19 ends ...CCCCAG and intron 20 starts GTATGC (shared README).
    donor = annotators["GRCh37"].annotate(37881165, "G", "A")
    assert donor.hgvs_c == "c.2493+1G>A"
    assert donor.consequence == "splice_donor_variant"
    assert donor.hgvs_p == "p.?"
    assert donor.intron == "20/26"
    acceptor = annotators["GRCh37"].annotate(37880977, "A", "G")
    assert acceptor.hgvs_c == "c.2308-2A>G"
    assert acceptor.consequence == "splice_acceptor_variant"
    # VEP (>= 105) terms, as its ground-truth output writes them for other genes (vareffect's
    # vep_ground_truth_grch37.tsv, tests/data/README.md): +3..+6 donor region, +5 the 5th base,
    # 3-8 splice region, -3..-17 polypyrimidine tract.
    region = annotators["GRCh37"].annotate(37881169, "T", "C")
    assert region.hgvs_c.startswith("c.2493+5")
    assert region.consequence == ("splice_donor_5th_base_variant&splice_region_variant&"
                                  "splice_donor_region_variant&intron_variant")
    tract = annotators["GRCh37"].annotate(37880978 - 4, "T", "C")
    assert tract.hgvs_c == "c.2308-5T>C"
    assert tract.consequence == "splice_region_variant&splice_polypyrimidine_tract_variant&intron_variant"
    deep = annotators["GRCh37"].annotate(37880978 - 20, "T", "C")
    assert (deep.hgvs_c, deep.consequence) == ("c.2308-21T>C", "intron_variant")


def test_utr_and_intron(annotators):
    tx = load_transcript()
    # c.-1 is n.175 (5' UTR 175 nt) at GRCh38 39700239 - 1.
    base = tx.sequence[174]
    alt = "A" if base != "A" else "G"
    utr5 = annotators["GRCh38"].annotate(39700238, base, alt)
    assert utr5.hgvs_c == f"c.-1{base}>{alt}"
    assert utr5.consequence == "5_prime_UTR_variant"
    assert utr5.hgvs_p is None
    # c.*12 is n.3943 + 12 = n.3955, in exon 27 (n.3588 at g.39727689).
    base = tx.sequence[3954]
    alt = "A" if base != "A" else "G"
    utr3 = annotators["GRCh38"].annotate(39727689 + 3955 - 3588, base, alt)
    assert utr3.hgvs_c == f"c.*12{base}>{alt}"
    assert utr3.consequence == "3_prime_UTR_variant"
    # Middle of intron 19 (exon 19 ends g.37880263, exon 20 starts g.37880979: 715 intronic bases; the
    # 358th is the middle and is numbered from the donor side, HGVS).
    middle = annotators["GRCh37"].annotate(37880263 + 358, "A", "G")
    assert middle.hgvs_c == "c.2307+358A>G"
    after_middle = annotators["GRCh37"].annotate(37880263 + 359, "A", "G")
    assert after_middle.hgvs_c == "c.2308-357A>G"
    assert after_middle.consequence == "intron_variant"


def test_intronic_indel_without_reference_is_flagged(annotators):
    result = annotators["GRCh37"].annotate(37880263 + 100, "AT", "A")
    assert "unshifted_intronic_indel" in result.flags
    assert result.hgvs_c == "c.2307+101del"  # anchor A at +100, the T at +101 deleted


def test_ref_mismatch_flagged(annotators):
    # c.2264 is T (L755 codon TTG); a record claiming G there does not match GRCh37.
    result = annotators["GRCh37"].annotate(37880220, "G", "C")
    assert "ref_mismatch" in result.flags


def test_start_lost_and_stop_lost(annotators):
    start = annotators["GRCh38"].annotate(39700239, "A", "G")  # c.1A>G: ATG -> GTG
    assert (start.hgvs_c, start.hgvs_p, start.consequence) == ("c.1A>G", "p.Met1?", "start_lost")
    # Stop codon TGA at GRCh38 39728042-39728044 (GENCODE stop_codons): c.3766T>C makes CGA (Arg).
    stop = annotators["GRCh38"].annotate(39728042, "T", "C")
    assert stop.hgvs_c == "c.3766T>C"
    assert stop.consequence == "stop_lost"
    assert stop.hgvs_p.startswith("p.Ter1256ArgextTer")
    # c.3767G>C: TGA -> TCA (Ser). The 3' UTR read on from c.3766 is TCA ACC AGA AGG CCA AGT CCG CAG AAG
    # CCC TGA (bundled NM_004448.4) = S T R R P S P Q K P *: the new stop is 10 residues after the old one,
    # counted HGVS-style from the old stop (p.Ter110GlnextTer17 convention).
    ext = annotators["GRCh38"].annotate(39728043, "G", "C")
    assert (ext.hgvs_p, ext.hgvs_p_short) == ("p.Ter1256SerextTer10", "p.*1256Sext*10")


def test_insertion_at_an_exon_edge(annotators):
    # Exon 6 starts at GRCh38 39710086 = c.644 (exon table); 39710085 is c.644-1, the G of the AG.
    # Inserting C between c.644-1 and c.644 leaves the AG intact: HGVS c.644-1_644insC, no protein
    # prediction (the exon boundary itself moves), splice region (both flanks are in it). It must not
    # crash (found by the 1,000-sample benchmark cohort).
    edge = annotators["GRCh38"].annotate(39710085, "G", "GC")
    assert edge.hgvs_c == "c.644-1_644insC"
    assert edge.hgvs_p is None
    assert "splice_acceptor_variant" not in edge.consequence
    assert "splice_region_variant" in edge.consequence
    # Between c.644-2 and c.644-1 it splits the AG: a splice acceptor variant, p.?.
    inside = annotators["GRCh38"].annotate(39710084, "A", "AC")
    assert inside.hgvs_c.startswith("c.644-2_644-1ins")
    assert inside.consequence == "splice_acceptor_variant"
    assert inside.hgvs_p == "p.?"
