"""The typed results that flow from the pipeline to the writers: plain value objects, no I/O.

``MutationCall`` (one ALT allele on NM_004448.4), ``CopyNumberCall`` (the ERBB2 gene-level copy number of one
sample), ``Verdict`` (one sample's three HER2 mechanisms kept apart) and ``SampleResult`` (all of one sample).
Writers turn them into text at the very edge (``report/columns.py`` for tabular rows); nothing upstream
flattens them.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, ClassVar, Optional

from her2cli.values import valueclass

if TYPE_CHECKING:  # only annotations
    from her2cli.copynumber.gene_level import Erbb2Assessment
    from her2cli.coverage.model import CoverageAssessment

# These classes sit on the floor of variants/ and copynumber/ (which fill them), below interpret/: the
# "EvidenceLine" of the annotations is her2cli.interpret.evidence.EvidenceLine, named only as text here
# so that no import reaches up (tests/test_imports.py).


@valueclass
class MutationCall:
    """One ALT allele of one sample, normalised and named."""

    kind: ClassVar[str] = "mutation"

    sample: str
    source: Optional[str]  # the input file the allele came from ("-" for stdin)
    chrom: str
    pos: int  # normalised (left-aligned, VCF-style) position
    ref: str
    alt: str
    genome: str
    transcript: str
    exon: Optional[str] = None
    intron: Optional[str] = None
    hgvs_g: Optional[str] = None
    hgvs_c: Optional[str] = None
    hgvs_p: Optional[str] = None
    hgvs_p_short: Optional[str] = None
    consequence: str = ""
    domain: Optional[str] = None
    subgroup: str = "other"
    protein_position: Optional[str] = None
    legacy_name: Optional[str] = None
    filter: Optional[str] = None
    depth: Optional[int] = None
    alt_depth: Optional[int] = None
    ref_depth: Optional[int] = None  # reads for REF only (MAF t_ref_count); None when the caller gives none
    vaf: Optional[float] = None
    caller_format: Optional[str] = None
    input_pos: Optional[int] = None
    input_ref: Optional[str] = None
    input_alt: Optional[str] = None
    flags: list[str] = field(default_factory=list)
    # Interpretation (interpret/): driver or not, germline or somatic.
    oncogenicity: Optional[str] = None
    oncogenicity_basis: Optional[str] = None
    oncogenicity_criteria: Optional[str] = None  # SOP criteria that fired, e.g. "OS2 +4 (functional: ...)"
    oncogenicity_points: Optional[int] = None
    oncogenicity_source: Optional[str] = None  # the rule-based SOP, or a --knowledge file (with its SHA-256)
    population_af: Optional[float] = None
    population_af_source: Optional[str] = None
    # The population keys the input declares, when none holds a value for this allele (absent from them).
    population_absent_from: Optional[str] = None
    origin: Optional[str] = None
    origin_basis: Optional[str] = None
    normal_sample: Optional[str] = None  # the matched normal's VCF column (MAF Matched_Norm_Sample_Barcode)
    normal_genotype: Optional[str] = None
    normal_depth: Optional[int] = None
    normal_ref_depth: Optional[int] = None  # the normal's REF-only reads (MAF n_ref_count)
    normal_alt_depth: Optional[int] = None
    normal_vaf: Optional[float] = None
    # Names as the input wrote them (MAF input), and whether ours differ.
    input_hgvsc: Optional[str] = None
    input_hgvsp: Optional[str] = None
    renamed: Optional[bool] = None
    # What the input itself states: its somatic/germline call (MAF Mutation_Status, VCF INFO/SOMATIC) and,
    # on an OncoKB-annotated MAF, the annotator's columns (ONCOGENIC, MUTATION_EFFECT, HIGHEST_LEVEL).
    stated_origin: Optional[str] = None
    stated_origin_source: Optional[str] = None
    publisher_oncogenic: Optional[str] = None
    publisher_mutation_effect: Optional[str] = None
    publisher_highest_level: Optional[str] = None
    evidence: list["EvidenceLine"] = field(default_factory=list)
    amp_tier: Optional[str] = None  # AMP/ASCO/CAP 2017 tier (interpret/tier.py)
    amp_tier_basis: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    # Input fields kept as written (--retain-info / --retain-fmt, vcf2maf's options): INFO key -> value
    # ("1" for a flag, "" when absent); FORMAT key -> (tumour value, normal value), "" when absent.
    retained_info: dict[str, str] = field(default_factory=dict)
    retained_format: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The one display name: the short protein change, or the c. name where the protein change is
        unknown (``p.?``, splice sites) or absent, so that two splice variants never share a name."""
        if self.hgvs_p_short and self.hgvs_p_short != "p.?":
            return self.hgvs_p_short
        for candidate in (self.hgvs_c, self.hgvs_g, self.hgvs_p_short):
            if candidate:
                return candidate
        return f"{self.chrom}:{self.pos}{self.ref}>{self.alt}"


@valueclass
class CopyNumberCall:
    """The ERBB2 gene-level copy number of one sample, from one segment file."""

    kind: ClassVar[str] = "copy_number"

    sample: str
    source: Optional[str]
    assessment: "Erbb2Assessment"
    evidence: list["EvidenceLine"] = field(default_factory=list)
    amp_tier: Optional[str] = None  # AMP/ASCO/CAP 2017 tier of an amplification, from its evidence lines
    amp_tier_basis: Optional[str] = None

    @property
    def cn_status(self) -> str:
        return self.assessment.cn_status

    @property
    def genome(self) -> str:
        return self.assessment.genome


@valueclass
class Verdict:
    """One sample's verdict: mutation, amplification and overexpression kept apart."""

    sample: str
    mutation_status: str
    mutation_subgroups: list[str]
    mutations: list[str]
    amplification_status: str
    amplification_definitions_met: list[str]
    focality: Optional[str]
    copy_number: Optional[float]
    ratio_chr17: Optional[float]
    copy_number_basis: Optional[str]  # "raw"/"purity-adjusted"/"tool-absolute": the copy number and ratio share it
    overexpression: str
    co_occurring: str
    evidence: list["EvidenceLine"]
    evidence_table_date: str
    source: Optional[str] = None
    oncogenicity_classes: list[str] = field(default_factory=list)
    oncogenicity_points: list[Optional[int]] = field(default_factory=list)  # the SOP's points, as the classes
    no_therapy_reason: Optional[str] = None
    purity_source: Optional[str] = None  # of the copy-number call: "assumed_1" when a log ratio was read as pure
    min_purity_for_amplification: Optional[float] = None
    # What the mutation status rests on (coverage, assay scope; docs/coverage.md), and the copy-number reason
    # when amplification could not be assessed.
    assessment_basis: Optional[str] = None


@valueclass
class SampleResult:
    """Everything about one sample."""

    sample: str
    source: Optional[str]
    genome: Optional[str]
    mutations: list[MutationCall]
    copy_numbers: list[CopyNumberCall]
    verdict: Optional[Verdict]
    notices: list[str] = field(default_factory=list)
    build_basis: Optional[str] = None  # how the genome build was decided (header line, --genome, REF bases)
    coverage: Optional["CoverageAssessment"] = None  # coverage of the ERBB2 exons (None: coverage not given)

    @property
    def calls(self) -> list:
        """Mutation calls first, then copy-number calls (the order of every table)."""
        return [*self.mutations, *self.copy_numbers]
