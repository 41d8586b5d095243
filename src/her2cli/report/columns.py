"""Column names of the alteration table: one list, shared by every row kind and every writer.

A row is a plain ``dict[str, object]`` keyed by these names; a value that does not apply is ``None``
(written as an empty TSV field / JSON null). Mutation rows have ``kind == "mutation"``, copy-number
rows ``kind == "copy_number"``.
"""

from __future__ import annotations

# Columns every row has, in output order (issue #2 names these exactly).
SHARED_COLUMNS = [
    "sample", "kind", "chrom", "pos", "ref", "alt", "genome", "transcript", "exon",
    "hgvs_g", "hgvs_c", "hgvs_p", "hgvs_p_short", "consequence", "domain", "subgroup",
    "filter", "depth", "alt_depth", "vaf",
]

# Mutation-specific extras.
MUTATION_COLUMNS = [
    "intron", "protein_position", "legacy_name", "caller_format", "input_pos", "input_ref",
    "input_alt", "flags",
]

# Copy-number-specific extras (issue #3 names the first seven).
COPY_NUMBER_COLUMNS = [
    "copy_number", "log2", "ratio_chr17", "focality", "amplicon_size", "calls", "cn_status",
    "tumour_copy_number", "chr17_baseline", "ploidy", "purity", "purity_source",
    "breakpoint_in_gene", "co_amplified_genes", "segment_format", "values_adjusted",
    "min_purity_for_amplification",
]

# Evidence (issue #4), filled by the evidence matcher.
EVIDENCE_COLUMNS = ["evidence"]

ALL_COLUMNS = SHARED_COLUMNS + MUTATION_COLUMNS + COPY_NUMBER_COLUMNS + EVIDENCE_COLUMNS

SUBGROUPS = [
    "exon20_insertion",            # in-frame insertion/dup/net-inserting delins in codons 770-831
    "kinase_domain_missense",      # missense in codons 721-975 (OncoKB TKD definition)
    "extracellular",               # protein-altering, non-truncating, codons 23-652 (e.g. S310F/Y)
    "transmembrane_juxtamembrane", # protein-altering, non-truncating, codons 653-720 (e.g. V659E, G660D)
    "other",                       # everything else (truncating, synonymous, non-coding, signal peptide, tail)
]


def empty_row() -> dict[str, object]:
    return {name: None for name in ALL_COLUMNS}
