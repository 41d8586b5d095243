"""``--format maf``: a MAF-compatible TSV of the ERBB2 mutation rows (cBioPortal, OncoKB annotator).

As vcf2maf writes it: a ``#version 2.4`` line, then vcf2maf's full column set in its order
(``MAF_COLUMNS``), then her2cli's own (``EXTRA_COLUMNS``); read it with
``pandas.read_csv(path, sep="\\t", comment="#")``. One line per mutation; copy-number calls are not
mutations: each sample that has one gets a notice (use ``-f cna`` for them). Columns her2cli has no data
for (dbSNP, validation, population frequencies, SIFT...) are empty, as vcf2maf leaves them.

The columns her2cli fills

    ======================  ========================================================================
    Hugo_Symbol             ERBB2
    Entrez_Gene_Id          2064
    Center                  ``.`` (vcf2maf's default; no sequencing centre is known)
    NCBI_Build              GRCh37 / GRCh38
    Chromosome              without ``chr`` (``17``)
    Start_Position          MAF positions (below)
    End_Position
    Strand                  ``+`` (the MAF definition allows only +)
    Variant_Classification  vcf2maf mapping (below)
    Variant_Type            SNP, DNP, TNP, ONP (equal lengths: 1, 2, 3, >3 bases), INS, DEL
    Reference_Allele        ``-`` for an insertion
    Tumor_Seq_Allele1       = Reference_Allele (a heterozygous tumour allele is assumed, as vcf2maf
                            does without a genotype)
    Tumor_Seq_Allele2       the variant allele, ``-`` for a deletion
    Tumor_Sample_Barcode    the sample name
    HGVSc, HGVSp,           without a transcript prefix (``c.2313_2324dup``, ``p.Tyr772_Ala775dup``,
    HGVSp_Short             ``p.Y772_A775dup``); splice donor/acceptor changes with no protein name
                            get vcf2maf's ``p.X{codon}_splice`` in HGVSp_Short (OncoKB reads it)
    Transcript_ID           Ensembl ID of the MANE Select transcript (ENST00000269571.10)
    Exon_Number             ``20/27`` (VEP's EXON)
    t_depth, t_alt_count    the tumour depth and alt-allele reads of the row
    t_ref_count             reads for the REF allele only (the caller's REF count: AD[0], RO, RD,
                            Strelka tier-1 REF); empty when the caller gives none
    Matched_Norm_Sample_Barcode, n_depth, n_ref_count, n_alt_count
                            the matched normal, when the VCF has one (empty otherwise)
    Allele, Gene, Feature,  VEP's: the tumour allele, ENSG00000141736, the Ensembl transcript,
    Feature_type, SYMBOL... Transcript, ERBB2 (HGNC, HGNC:3430), protein_coding, CANONICAL=YES
    Consequence             SO terms, most severe first, comma-separated (vcf2maf's form)
    ======================  ========================================================================

    RefSeq, EXON, INTRON,   NM_004448.4, ``20/27``-style exon/intron, the UniProt domain, the input's
    DOMAINS, FILTER         FILTER

    then her2cli's ``vcf_pos`` (the record's POS as written), ``source`` (input file), ``vaf``,
    ``subgroup``, ``domain``, ``legacy_name``, ``oncogenicity``, ``origin``, ``evidence``.

    then, as vcf2maf adds them: one column per ``--retain-info`` key (named as the key, the INFO value as
    written, ``1`` for a flag, empty when absent) and ``t_KEY``, ``n_KEY`` per ``--retain-fmt`` key (the
    tumour's and the normal's FORMAT value); a name that is already a column (any case) is not added
    again. ``--maf-center`` fills ``Center``.

Positions and alleles (vcf2maf)
    From the row's left-aligned VCF-style pos/ref/alt, the shared leading bases are removed and an
    empty allele becomes ``-``. Substitutions: Start = first changed base, End = Start + length - 1.
    Insertions (empty REF): Start/End = the two reference bases flanking the insertion (the anchor
    base and the next one). Deletions: Start = first deleted base, End = last deleted base.
    Complex changes (delins) are INS when ALT is longer, else DEL, spanning the REF bases.

Variant_Classification (vcf2maf ``GetVariantClassification`` on the most severe SO term, ranked
by vcf2maf's ``GetEffectPriority``; "in frame" = length difference divisible by 3)
    splice_acceptor_variant, splice_donor_variant -> Splice_Site;
    stop_gained -> Nonsense_Mutation;
    frameshift_variant (or protein_altering_variant out of frame) -> Frame_Shift_Del / Frame_Shift_Ins
    by Variant_Type; stop_lost -> Nonstop_Mutation; start_lost -> Translation_Start_Site;
    inframe_insertion (or in-frame protein_altering_variant INS) -> In_Frame_Ins;
    inframe_deletion (or in-frame protein_altering_variant DEL) -> In_Frame_Del;
    missense_variant, coding_sequence_variant -> Missense_Mutation; intron_variant -> Intron;
    splice_region_variant -> Splice_Region; synonymous_variant, stop_retained_variant -> Silent;
    5_prime_UTR_variant -> 5'UTR; 3_prime_UTR_variant -> 3'UTR; upstream_gene_variant -> 5'Flank;
    downstream_gene_variant -> 3'Flank; anything else -> Targeted_Region.
"""

from __future__ import annotations

from her2cli.report.columns import alteration_row
from her2cli.report.tsv import format_value

ENTREZ_ERBB2 = 2064
GENE_ID = "ENSG00000141736"
HGNC_ID = "HGNC:3430"

# vcf2maf's column set and order: @maf_header then @ann_cols of vcf2maf.pl (mskcc/vcf2maf, the release with
# the gnomAD columns); columns her2cli cannot fill stay empty, as vcf2maf leaves them without the data.
MAF_COLUMNS = """
Hugo_Symbol Entrez_Gene_Id Center NCBI_Build Chromosome Start_Position End_Position Strand
Variant_Classification Variant_Type Reference_Allele Tumor_Seq_Allele1 Tumor_Seq_Allele2
dbSNP_RS dbSNP_Val_Status Tumor_Sample_Barcode Matched_Norm_Sample_Barcode
Match_Norm_Seq_Allele1 Match_Norm_Seq_Allele2 Tumor_Validation_Allele1 Tumor_Validation_Allele2
Match_Norm_Validation_Allele1 Match_Norm_Validation_Allele2 Verification_Status
Validation_Status Mutation_Status Sequencing_Phase Sequence_Source Validation_Method Score
BAM_File Sequencer Tumor_Sample_UUID Matched_Norm_Sample_UUID HGVSc HGVSp HGVSp_Short Transcript_ID
Exon_Number t_depth t_ref_count t_alt_count n_depth n_ref_count n_alt_count all_effects
Allele Gene Feature Feature_type Consequence cDNA_position CDS_position
Protein_position Amino_acids Codons Existing_variation ALLELE_NUM DISTANCE STRAND_VEP SYMBOL
SYMBOL_SOURCE HGNC_ID BIOTYPE CANONICAL CCDS ENSP SWISSPROT TREMBL UNIPARC RefSeq SIFT PolyPhen
EXON INTRON DOMAINS AF AFR_AF AMR_AF ASN_AF EAS_AF EUR_AF SAS_AF AA_AF EA_AF CLIN_SIG SOMATIC
PUBMED MOTIF_NAME MOTIF_POS HIGH_INF_POS MOTIF_SCORE_CHANGE IMPACT PICK VARIANT_CLASS TSL
HGVS_OFFSET PHENO MINIMISED GENE_PHENO FILTER flanking_bps vcf_id vcf_qual gnomAD_AF gnomAD_AFR_AF
gnomAD_AMR_AF gnomAD_ASJ_AF gnomAD_EAS_AF gnomAD_FIN_AF gnomAD_NFE_AF gnomAD_OTH_AF gnomAD_SAS_AF
""".split()
# her2cli's own columns after vcf2maf's (source = the input file, so samples from two files stay apart).
EXTRA_COLUMNS = ["vcf_pos", "source", "vaf", "subgroup", "domain", "legacy_name", "oncogenicity", "origin",
                 "evidence"]
ALL_MAF_COLUMNS = MAF_COLUMNS + EXTRA_COLUMNS

# vcf2maf GetEffectPriority, restricted to the SO terms her2cli emits (lower = more severe).
EFFECT_PRIORITY = {
    "splice_donor_variant": 2, "splice_acceptor_variant": 2, "stop_gained": 3, "frameshift_variant": 3,
    "stop_lost": 3, "start_lost": 4, "inframe_insertion": 5, "inframe_deletion": 5,
    "protein_altering_variant": 5, "missense_variant": 6, "splice_region_variant": 8,
    "stop_retained_variant": 9, "synonymous_variant": 9, "coding_sequence_variant": 11,
    "5_prime_UTR_variant": 12, "3_prime_UTR_variant": 12, "intron_variant": 14,
    "upstream_gene_variant": 16, "downstream_gene_variant": 16,
}


def maf_alleles(pos: int, ref: str, alt: str) -> tuple[int, int, str, str, str, bool]:
    """(Start_Position, End_Position, Reference_Allele, Tumor_Seq_Allele2, Variant_Type, inframe) from
    a VCF-style allele, with vcf2maf's conventions."""
    ref, alt = ref.upper(), alt.upper()
    ref_len, alt_len = len(ref), len(alt)
    while ref and alt and ref[0] == alt[0] and ref != alt:
        ref, alt = ref[1:], alt[1:]
        ref_len, alt_len = ref_len - 1, alt_len - 1
        pos += 1
    ref, alt = ref or "-", alt or "-"
    if ref_len == alt_len:
        start, end = pos, pos + alt_len - 1
        var_type = {1: "SNP", 2: "DNP", 3: "TNP"}.get(alt_len, "ONP")
        return start, end, ref, alt, var_type, True
    inframe = abs(ref_len - alt_len) % 3 == 0
    if ref_len < alt_len:
        if ref == "-":
            return pos - 1, pos, ref, alt, "INS", inframe
        return pos, pos + ref_len - 1, ref, alt, "INS", inframe
    return pos, pos + ref_len - 1, ref, alt, "DEL", inframe


def most_severe(consequence: str | None) -> str | None:
    terms = [t for t in str(consequence or "").replace(",", "&").split("&") if t]
    if not terms:
        return None
    return sorted(terms, key=lambda t: EFFECT_PRIORITY.get(t, 20))[0]


def variant_classification(effect: str | None, var_type: str, inframe: bool) -> str:
    """vcf2maf's GetVariantClassification."""
    if not effect:
        return "Targeted_Region"
    if effect in ("splice_acceptor_variant", "splice_donor_variant", "transcript_ablation", "exon_loss_variant"):
        return "Splice_Site"
    if effect == "stop_gained":
        return "Nonsense_Mutation"
    out_of_frame = effect == "frameshift_variant" or (effect == "protein_altering_variant" and not inframe)
    if out_of_frame and var_type == "DEL":
        return "Frame_Shift_Del"
    if out_of_frame and var_type == "INS":
        return "Frame_Shift_Ins"
    if effect == "stop_lost":
        return "Nonstop_Mutation"
    if effect in ("initiator_codon_variant", "start_lost"):
        return "Translation_Start_Site"
    if effect.endswith("inframe_insertion") or (effect == "protein_altering_variant" and inframe and var_type == "INS"):
        return "In_Frame_Ins"
    if effect.endswith("inframe_deletion") or (effect == "protein_altering_variant" and inframe and var_type == "DEL"):
        return "In_Frame_Del"
    if effect in ("missense_variant", "coding_sequence_variant", "conservative_missense_variant",
                  "rare_amino_acid_variant"):
        return "Missense_Mutation"
    if effect in ("transcript_amplification", "intron_variant", "INTRAGENIC", "intragenic_variant"):
        return "Intron"
    if effect == "splice_region_variant":
        return "Splice_Region"
    if effect in ("incomplete_terminal_codon_variant", "synonymous_variant", "stop_retained_variant",
                  "NMD_transcript_variant"):
        return "Silent"
    if effect in ("5_prime_UTR_variant", "5_prime_UTR_premature_start_codon_gain_variant"):
        return "5'UTR"
    if effect == "3_prime_UTR_variant":
        return "3'UTR"
    if effect == "upstream_gene_variant":
        return "5'Flank"
    if effect == "downstream_gene_variant":
        return "3'Flank"
    return "Targeted_Region"


def _splice_short(hgvs_c: str | None) -> str | None:
    """vcf2maf's HGVSp_Short for splice donor/acceptor changes: p.X{codon}_splice."""
    import re

    match = re.match(r"^c\.(\d+)", str(hgvs_c or ""))
    if not match:
        return None
    c_pos = max(1, int(match.group(1)))
    return f"p.X{round((c_pos + c_pos % 3) / 3)}_splice"


def _strip_chr(chrom: object) -> str:
    text = str(chrom or "")
    if text.lower().startswith("chr"):
        text = text[3:]
    if text.startswith("NC_000017"):
        text = "17"
    return text


def maf_row(row: dict, ensembl_transcript: str) -> dict:
    start, end, ref, alt, var_type, inframe = maf_alleles(int(row["pos"]), str(row["ref"]), str(row["alt"]))
    effect = most_severe(row.get("consequence"))
    classification = variant_classification(effect, var_type, inframe)
    consequence = ",".join(sorted([t for t in str(row.get("consequence") or "").split("&") if t],
                                  key=lambda t: EFFECT_PRIORITY.get(t, 20)))
    short = row.get("hgvs_p_short")
    if classification == "Splice_Site" and short in (None, "", "p.?"):
        short = _splice_short(row.get("hgvs_c")) or short
    return {
        "Hugo_Symbol": "ERBB2", "Entrez_Gene_Id": ENTREZ_ERBB2, "Center": ".",
        "NCBI_Build": row.get("genome"), "Chromosome": _strip_chr(row.get("chrom")),
        "Start_Position": start, "End_Position": end, "Strand": "+",
        "Variant_Classification": classification, "Variant_Type": var_type,
        "Reference_Allele": ref, "Tumor_Seq_Allele1": ref, "Tumor_Seq_Allele2": alt,
        "Tumor_Sample_Barcode": row.get("sample"),
        "HGVSc": row.get("hgvs_c"), "HGVSp": row.get("hgvs_p"), "HGVSp_Short": short,
        "Transcript_ID": ensembl_transcript, "Exon_Number": row.get("exon"),
        "t_depth": row.get("depth"), "t_ref_count": row.get("ref_depth"), "t_alt_count": row.get("alt_depth"),
        "all_effects": None, "Allele": alt, "Gene": GENE_ID, "Feature": ensembl_transcript,
        "Feature_type": "Transcript", "Consequence": consequence, "Protein_position": row.get("protein_position"),
        "SYMBOL": "ERBB2", "SYMBOL_SOURCE": "HGNC", "HGNC_ID": HGNC_ID, "BIOTYPE": "protein_coding",
        "CANONICAL": "YES", "RefSeq": row.get("transcript"), "EXON": row.get("exon"), "INTRON": row.get("intron"),
        "DOMAINS": row.get("domain"), "FILTER": row.get("filter"), "vcf_pos": row.get("input_pos"),
        "source": row.get("source"), "vaf": row.get("vaf"), "subgroup": row.get("subgroup"),
        "domain": row.get("domain"), "legacy_name": row.get("legacy_name"),
        "oncogenicity": row.get("oncogenicity"), "origin": row.get("origin"), "evidence": row.get("evidence"),
    }


def _normal_columns(call) -> dict:
    """Matched-normal columns, filled when the VCF had a normal sample (MutationCall.normal_* set)."""
    return {"Matched_Norm_Sample_Barcode": call.normal_sample, "n_depth": call.normal_depth,
            "n_ref_count": call.normal_ref_depth, "n_alt_count": call.normal_alt_depth}


def retained_columns(retain_info=(), retain_fmt=()) -> tuple[list[str], list[tuple[str, str, int]]]:
    """vcf2maf's extra columns: (INFO columns, [(column, FORMAT key, 0 tumour / 1 normal)]), skipping a
    name already used by a column (compared in any case)."""
    used = {name.lower() for name in ALL_MAF_COLUMNS}
    info_columns = []
    for key in retain_info:
        if key.lower() not in used:
            used.add(key.lower())
            info_columns.append(key)
    format_columns = []
    for key in retain_fmt:
        for which, prefix in enumerate(("t_", "n_")):
            if (prefix + key).lower() not in used:
                used.add((prefix + key).lower())
                format_columns.append((prefix + key, key, which))
    return info_columns, format_columns


def render_maf(results, notices: list[str] | None = None, center: str = ".", retain_info=(),
               retain_fmt=()) -> str:
    """MAF text (``#version 2.4`` then vcf2maf's columns) of every mutation of ``results``; each
    sample's copy-number calls, which a MAF cannot carry, become a line in ``notices``."""
    from her2cli.reference.transcript import load_transcript

    ensembl = load_transcript().ensembl
    info_columns, format_columns = retained_columns(retain_info, retain_fmt)
    columns = ALL_MAF_COLUMNS + info_columns + [column for column, _, _ in format_columns]
    lines = ["#version 2.4", "\t".join(columns)]
    for result in results:
        for call in result.mutations:
            if call.pos is None:
                continue
            values = maf_row(alteration_row(call), ensembl)
            values.update(_normal_columns(call))
            values["Center"] = center
            values.update({key: call.retained_info.get(key, "") for key in info_columns})
            values.update({column: call.retained_format.get(key, ("", ""))[which]
                           for column, key, which in format_columns})
            lines.append("\t".join(format_value(values.get(c)) for c in columns))
        if result.copy_numbers and notices is not None:
            statuses = ", ".join(call.cn_status for call in result.copy_numbers)
            notices.append(f"{result.sample}: copy-number call ({statuses}) not written: a MAF holds mutations "
                           "only (use -f cna, tsv or json)")
    return "\n".join(lines) + "\n"


def render_format(results, context) -> str:
    return render_maf(results, context.notices, context.maf_center, context.retain_info, context.retain_fmt)
