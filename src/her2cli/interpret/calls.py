"""Interpretation of one request's calls: oncogenicity and origin of every mutation, and the therapy
evidence lines each call matches."""

from __future__ import annotations

from typing import Optional

from her2cli.results import CopyNumberCall, MutationCall


def interpret_mutations(mutations_by_sample: dict[str, list[MutationCall]], copy_numbers: list[CopyNumberCall],
                        purity: Optional[float], knowledge: Optional[str] = None) -> None:
    """Oncogenicity and origin of every call. Origin from VAF needs purity and the local copy number: the
    given purity, else the copy-number file's; the ERBB2 tumour copy number of the same sample. ``knowledge``:
    the user's curated knowledge file (``--knowledge``)."""
    from her2cli.interpret.oncogenicity import classify, known_population_af
    from her2cli.interpret.origin import infer_origin
    from her2cli.interpret.user_knowledge import load_user_knowledge, publisher_note

    user = load_user_knowledge(knowledge)

    from her2cli.interpret.verdict import _pick_cn_call

    # Several copy-number rows of one sample (-s given twice): the one the verdict reports (amplification
    # first), not whichever came last, so a VAF is never read against a neutral copy number while the sample is
    # called amplified (docs/origin.md: amplified -> the VAF alone does not call germline).
    cn_by_sample = {sample: _pick_cn_call([c for c in copy_numbers if c.sample == sample]).assessment
                    for sample in dict.fromkeys(c.sample for c in copy_numbers)}
    for sample, calls in mutations_by_sample.items():
        assessment = cn_by_sample.get(sample)
        sample_purity = purity if purity is not None else (assessment.purity if assessment is not None else None)
        local_cn = assessment.tumour_copy_number if assessment is not None else None
        amplified = assessment.cn_status == "amplification" if assessment is not None else None
        for call in calls:
            found = classify(call, call.population_af, call.population_af_source, user=user,
                             absent_from=call.population_absent_from)
            call.oncogenicity, call.oncogenicity_basis = found.label, found.basis
            call.oncogenicity_criteria, call.oncogenicity_points = found.criteria or None, found.points
            publisher = publisher_note(call, found.label)
            call.oncogenicity_source = f"{found.source}; {publisher}" if publisher else found.source
            # A known polymorphism's frequency counts for its origin when the input carries none.
            population, population_source = call.population_af, call.population_af_source
            if population is None:
                known = known_population_af(call)
                population, population_source = known if known else (None, None)
            origin = infer_origin(call.vaf, call.depth, call.normal_genotype, call.normal_vaf, call.normal_depth,
                                  call.normal_alt_depth, population, sample_purity, local_cn, amplified,
                                  call.stated_origin, call.stated_origin_source, population_source)
            call.origin, call.origin_basis = origin.label, origin.basis


def match_evidence(mutations_by_sample: dict[str, list[MutationCall]], copy_numbers: list[CopyNumberCall],
                   table) -> None:
    """The evidence lines of ``table`` (``evidence.load_evidence()``) each call matches, and the AMP/ASCO/CAP
    tier they give it."""
    from her2cli.interpret import evidence
    from her2cli.interpret.tier import tier_for_call

    for call in (*[c for calls in mutations_by_sample.values() for c in calls], *copy_numbers):
        call.evidence = evidence.match_call(call, table)
        found = tier_for_call(call)
        call.amp_tier, call.amp_tier_basis = found.tier, found.basis
