"""The answer first, in words: a sample's verdict as plain sentences, and the labels a reader sees in place
of machine codes.

``summary_sentences(verdict, mutations)`` -> sentences (``Sentence(topic, text)``) built only from the
typed results: what was found (each counted variant by its common name, origin and class), the copy
number in words, what could not be assessed and why, and the matched therapy options grouped as
approved in NSCLC / guideline or off-label / investigational / tested and negative, each with its
level and date. The HTML page, the top of the terminal report and the ``summary_text`` field of the
``--summary`` JSON all show these same sentences (``summary_text``).

``therapy_groups(lines)`` -> the matched evidence lines in those four groups, by therapy.
``cohort_sentences(summaries, n_failed)`` -> the first paragraph of a cohort report.

New fields of other layers are read with ``getattr(x, name, None)`` (``amp_tier``,
``assessment_basis``), so the sentences work before and after they exist.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from her2cli.values import valueclass

SUBGROUP_LABELS = {
    "exon20_insertion": "exon 20 insertion",
    "kinase_domain_missense": "kinase-domain missense mutation",
    "extracellular": "extracellular-domain mutation",
    "transmembrane_juxtamembrane": "transmembrane/juxtamembrane mutation",
    "other": "other variant",
}
ONCOGENICITY_LABELS = {
    "oncogenic": "oncogenic", "likely_oncogenic": "likely oncogenic", "vus": "of uncertain significance (VUS)",
    "likely_benign": "likely benign", "benign": "benign",
}
ORIGIN_LABELS = {"somatic": "somatic", "germline": "germline", "likely_germline": "likely germline",
                 "unknown": "origin unknown"}  # also with a shallow normal or a conflict (docs/origin.md)
MUTATION_STATUS_LABELS = {
    "activating": "activating mutation",
    "vus_only": "variant(s) of uncertain significance only",
    "germline_only": "germline variant(s) only",
    "benign_only": "benign variant(s) only",
    "not_detected": "no ERBB2 mutation detected",
    "not_assessed": "not assessed",
}
AMPLIFICATION_STATUS_LABELS = {
    "amplification": "amplification", "gain": "gain (below amplification)", "neutral": "no copy-number change",
    "loss": "copy loss", "not assessed": "not assessed",
}
PURITY_SOURCE_LABELS = {
    "assumed_1": "not given: log ratios read as if the sample were 100% tumour cells",
    "--purity": "given with --purity",
}
COPY_NUMBER_BASIS_LABELS = {
    "raw": "as measured, no purity correction",
    "purity-adjusted": "rescaled to tumour cells with the purity",
    "tool-absolute": "absolute copies from the copy-number tool",
}
UNCOUNTED_NAMED = 5  # rows shown but not counted that a negative sentence names (an Oncomine file has 26)
FORMAT_LABELS = {"AD+AF": "allele depths and allele fraction (FORMAT AD, AF)"}

# Evidence-table status -> the group a reader sees, in page order.
THERAPY_GROUP_LABELS = {
    "approved": "Approved in NSCLC",
    "guideline": "Guideline / off-label",
    "investigational": "Investigational",
    "negative": "Tested and negative",
}
_STATUS_GROUP = {"approved": "approved", "off-label": "guideline", "investigational": "investigational",
                 "negative": "negative", "not standard": "negative"}


def status_group(status: str) -> str:
    """The reader's group of an evidence-table status (unknown statuses count as investigational)."""
    return _STATUS_GROUP.get(status, "investigational")


# Sequence Ontology consequence terms as a reader says them (others: underscores become spaces).
CONSEQUENCE_LABELS = {
    "missense_variant": "missense", "inframe_insertion": "in-frame insertion", "inframe_deletion": "in-frame deletion",
    "protein_altering_variant": "in-frame change", "frameshift_variant": "frameshift", "stop_gained": "nonsense",
    "stop_lost": "stop lost", "start_lost": "start lost", "splice_acceptor_variant": "splice acceptor",
    "splice_donor_variant": "splice donor", "splice_region_variant": "splice region", "intron_variant": "intronic",
    "synonymous_variant": "synonymous", "5_prime_UTR_variant": "5' UTR", "3_prime_UTR_variant": "3' UTR",
}


def words(code: object) -> str:
    """A code in words: SO terms as ``CONSEQUENCE_LABELS`` say them (``inframe_insertion`` -> ``in-frame
    insertion``), any other snake_case code with spaces (``_variant`` dropped); ``&``-joined terms listed."""
    text = str(code or "")
    parts = [CONSEQUENCE_LABELS.get(p, p.replace("_variant", "").replace("_", " ")) for p in text.split("&")]
    return ", ".join(p for p in parts if p)


def label(table: dict, code: object) -> str:
    return table.get(str(code), words(code)) if code not in (None, "") else ""


@valueclass(frozen=True)
class Sentence:
    topic: str  # mutation, copy_number, protein, options, limits
    text: str


def _float(value: object) -> Optional[float]:
    try:
        return None if value is None or value == "" else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _num(value: object) -> str:
    number = _float(value)
    if number is None:
        return ""
    return f"{number:.1f}".rstrip("0").rstrip(".") if abs(number) < 100 else f"{number:.0f}"


def common_name(call) -> str:
    """``ERBB2 exon 20 insertion p.Y772_A775dup (YVMA)``: the subgroup in words, the short protein change,
    and the inserted residues of the legacy name (or the legacy name) in brackets."""
    sub = str(getattr(call, "subgroup", None) or "other")
    kind = SUBGROUP_LABELS.get(sub, words(sub))
    name = getattr(call, "name", None) or getattr(call, "hgvs_p_short", None) or getattr(call, "hgvs_c", None) or "?"
    text = f"ERBB2 {name}" if sub == "other" else f"ERBB2 {kind} {name}"
    legacy = getattr(call, "legacy_name", None)
    if legacy:
        inserted = re.search(r"ins([A-Z]{2,})$", str(legacy))
        text += f" ({inserted.group(1) if inserted else legacy})"
    return text


def _mutation_sentences(verdict, mutations: list) -> list[Sentence]:
    from her2cli.interpret.evidence import is_reportable_mutation
    from her2cli.interpret.oncogenicity import therapy_eligible

    status = str(getattr(verdict, "mutation_status", "") or "")
    if status == "not_assessed":
        why = mutation_basis(verdict) or "no variant file was given"
        return [Sentence("mutation", f"Mutations were not assessed: {why}.")]
    counted = [c for c in mutations if is_reportable_mutation(c)]
    if not counted:
        basis = getattr(verdict, "assessment_basis", None)
        tail = (f" ({basis})" if basis else
                "; a variant absent from the file reads as not detected, whatever the sequencing covered")
        # Rows shown but not counted (--all-records: FILTER-failed or no alt reads): the negative rests on the
        # counted calls only, and must not read as if the file held no such variant (the table lists them).
        uncounted = [text for text in map(_uncounted, mutations) if text]
        if uncounted:
            named = ", ".join(uncounted[:UNCOUNTED_NAMED])
            if len(uncounted) > UNCOUNTED_NAMED:
                named += f" and {len(uncounted) - UNCOUNTED_NAMED} more (see the variant table)"
            return [Sentence("mutation", f"No counted protein-changing ERBB2 mutation{tail}; shown but not counted "
                                         f"(FILTER-failed, not called or without alt reads): {named}.")]
        return [Sentence("mutation", f"No protein-changing ERBB2 mutation was found in the variant file{tail}.")]
    out = []
    for call in counted:
        klass = label(ONCOGENICITY_LABELS, getattr(call, "oncogenicity", None) or "vus")
        origin = label(ORIGIN_LABELS, getattr(call, "origin", None) or "unknown")
        parts = [origin, klass]
        vaf = _float(getattr(call, "vaf", None))
        if vaf is not None:
            parts.append(f"variant allele fraction {vaf * 100:.0f}%")
        tier = getattr(call, "amp_tier", None)
        if tier:
            parts.append(f"AMP/ASCO/CAP {tier}" if str(tier).lower().startswith("tier") else f"AMP/ASCO/CAP tier {tier}")
        text = f"{common_name(call)}: {', '.join(parts)}"
        if therapy_eligible(getattr(call, "oncogenicity", None), getattr(call, "origin", None)):
            # A driver of unknown origin (tumour-only) is matched to therapy as on a tumour-only panel, but it is
            # not shown to be somatic: the sentence must not say so (docs/oncogenicity.md, therapy lines).
            text += ("; a somatic driver." if str(getattr(call, "origin", "")) == "somatic" else
                     "; a driver, not shown to be somatic (therapy matched as on a tumour-only test).")
        elif str(getattr(call, "origin", "")) in ("germline", "likely_germline"):
            text += _germline_clause(call)
        else:
            text += "; not shown to be a driver: no therapy is matched to it."
        out.append(Sentence("mutation", text + _decided_clause(call) + _publisher_clause(call)))
    return out


def _decided_clause(call) -> str:
    """' The class comes from ...' when a --knowledge file or the regulatory list decided it, not the SOP's points
    (docs/oncogenicity.md): the sentence would otherwise show e.g. a 10-point variant as a VUS without saying why."""
    from her2cli.interpret.oncogenicity import class_decision

    said = class_decision(getattr(call, "oncogenicity_source", None), getattr(call, "oncogenicity_basis", None))
    return f" The class comes from {said}." if said else ""


def _publisher_clause(call) -> str:
    """' The file's own annotation differs: ...' when an OncoKB-annotated MAF's class differs from ours: both are
    shown (docs/oncogenicity.md, MAF publishers' annotations), in the summary too, not only in a TSV column."""
    from her2cli.interpret.user_knowledge import publisher_view

    view = publisher_view(call, getattr(call, "oncogenicity", None) or "vus")
    if not view or not view[1].startswith("differs from ours"):
        return ""
    stated = view[0]
    return (f" The file's own annotation differs ({stated}): shown beside our class, not used for it "
            "(a curated file given with --knowledge would decide the class).")


def _germline_clause(call) -> str:
    """Why a (likely) germline variant gets no therapy line, without claiming more than the origin rests on: a
    germline call from the normal or the file is inherited; a likely_germline call is the tumour-only rule's
    inference (docs/origin.md), not a finding. Neither makes an activating variant harmless: a germline
    activating ERBB2 variant can drive a tumour (Pahuja 2018, germline G660D; docs/oncogenicity.md, Limits),
    so a driver class is not called 'not a driver'; the lines are withheld because the labels are for somatic
    drivers."""
    from her2cli.interpret.oncogenicity import DRIVER_CLASSES

    if str(getattr(call, "origin", "")) == "germline":
        text = "; inherited (germline): no therapy is matched to it"
    else:
        # tumour-only rules T1 (population AF) or T2 (VAF at purity and copy number): an inference, not a finding
        text = ("; the germline call is an inference, not confirmed by a normal sample's reads: no therapy is "
                "matched to it")
    if getattr(call, "oncogenicity", None) in DRIVER_CLASSES:
        text += (", as the therapy labels are for somatic drivers; an inherited activating variant can still "
                 "drive the tumour")
        if str(getattr(call, "origin", "")) == "likely_germline":
            text += ", and a matched normal would show whether this one is somatic"
    return text + "."


def _uncounted(call) -> str:
    """'p.Y772_A775dup (FILTER weak_evidence)' for a protein-changing row the verdict does not count, else ''."""
    from her2cli.interpret.evidence import NOT_CALLED, PASSING_FILTERS, is_protein_altering

    if getattr(call, "kind", None) != "mutation" or not is_protein_altering(getattr(call, "consequence", None)):
        return ""
    name = getattr(call, "name", None) or getattr(call, "hgvs_p_short", None) or "?"
    filt = getattr(call, "filter", None)
    if filt not in (None, "") and filt not in PASSING_FILTERS:
        return f"{name} (FILTER {filt})"
    if NOT_CALLED in (getattr(call, "flags", None) or ()):
        return f"{name} (not called by the caller)"
    vaf = _float(getattr(call, "vaf", None))
    return f"{name} (no alt reads)" if vaf is not None and vaf <= 0 else ""


def cn_not_assessed_reason(verdict) -> str:
    """Why amplification was not assessed: the segment file's own reason (it does not cover ERBB2), carried in
    the verdict's assessment_basis as "copy number: ...", else no segment file."""
    raw = verdict.get("assessment_basis") if isinstance(verdict, dict) else getattr(verdict, "assessment_basis", None)
    basis = str(raw or "")
    parts = [p.strip()[len("copy number: "):] for p in basis.split(";") if p.strip().startswith("copy number: ")]
    return parts[0] if parts else "no segment file was given"


def mutation_basis(verdict) -> str | None:
    """The mutation part of the verdict's (or a summary row's) assessment_basis, without the copy-number reason."""
    raw = verdict.get("assessment_basis") if isinstance(verdict, dict) else getattr(verdict, "assessment_basis", None)
    basis = str(raw or "")
    parts = [p.strip() for p in basis.split(";") if p.strip() and not p.strip().startswith("copy number: ")]
    return "; ".join(parts) or None


def _copy_number_sentences(verdict) -> list[Sentence]:
    from her2cli.copynumber.definitions import definition_label

    status = str(getattr(verdict, "amplification_status", "") or "not assessed")
    if status == "not assessed":
        return [Sentence("copy_number", f"Copy number was not assessed: {cn_not_assessed_reason(verdict)}.")]
    copies, ratio = _num(getattr(verdict, "copy_number", None)), _num(getattr(verdict, "ratio_chr17", None))
    focality = str(getattr(verdict, "focality", None) or "")
    where = "per tumour cell"
    what = {"amplification": "ERBB2 amplification", "gain": "ERBB2 copy gain below amplification",
            "neutral": "No ERBB2 copy-number change", "loss": "ERBB2 copy loss"}.get(status, f"ERBB2 {status}")
    if focality in ("focal", "arm", "chromosome") and status in ("amplification", "gain"):
        what = f"{'Focal' if focality == 'focal' else focality.capitalize() + '-level'} {what}"
    text = what
    if copies:
        text += f", about {copies} copies {where}"
    if ratio:
        text += f"; ERBB2/chr17 ratio {ratio}"
    met = [d for d in getattr(verdict, "amplification_definitions_met", None) or [] if d and d != "none"]
    from her2cli.copynumber.calls import DEFINITIONS

    if met and len(met) == len(DEFINITIONS):
        text += f"; meets all {len(DEFINITIONS)} amplification definitions."
    elif met:
        names = ", ".join(definition_label(d) for d in met)
        text += f"; meets {len(met)} of {len(DEFINITIONS)} amplification definitions ({names})."
    else:
        text += f"; meets none of the {len(DEFINITIONS)} amplification definitions."
    out = [Sentence("copy_number", text)]
    if getattr(verdict, "purity_source", None) == "assumed_1":
        note = "Tumour purity was not given: the copy number assumes 100% tumour cells, so it underestimates a less pure sample"
        floor = _float(getattr(verdict, "min_purity_for_amplification", None))
        if floor is not None and status != "amplification":
            note += f" (ERBB2 would be amplified if purity were below {floor * 100:.0f}%)"
        out.append(Sentence("copy_number", note + "."))
    return out


def _protein_sentence(verdict) -> Sentence:
    value = str(getattr(verdict, "overexpression", "") or "")
    if value.startswith("IHC"):
        return Sentence("protein", f"HER2 protein: {value}, as given with the request.")
    return Sentence("protein", "HER2 protein expression (IHC) was not given; it cannot be read from DNA.")


def _scope(line) -> str:
    from her2cli.interpret.evidence import AMPLIFICATION, IHC_3PLUS

    return ("amplification" if AMPLIFICATION in line.eligibility else
            "IHC 3+" if IHC_3PLUS in line.eligibility else "mutation")


def line_texts(lines: list) -> list[str]:
    """Level, setting and date of each evidence line of one therapy; what a line was matched on is said when
    it is not a mutation, or when the therapy's lines mix mutation and amplification (the same drug may be
    approved for the mutation and investigational for the amplification)."""
    mixed = len({_scope(line) for line in lines}) > 1
    out = []
    for line in lines:
        level = f" level {line.level}" if line.level and line.evidence == "OncoKB" else \
            (f", OncoKB level {line.level}" if line.level else "")
        scope = _scope(line)
        tail = f", for the {scope}" if scope != "mutation" or mixed else ""
        status = f", {line.status}" if line.status == "not standard" else ""  # grouped with the negatives
        out.append(f"{line.evidence}{level}{status}, {line.setting}, {line.date}{tail}")
    return out


def therapy_groups(lines: Iterable) -> list[tuple[str, str, list[tuple[str, list]]]]:
    """[(group, group label, [(therapy, [evidence lines])])] for the groups that have lines, in page order;
    therapies in first-seen order."""
    grouped: dict[str, dict[str, list]] = {key: {} for key in THERAPY_GROUP_LABELS}
    for line in lines:
        grouped[status_group(line.status)].setdefault(line.therapy, []).append(line)
    return [(key, THERAPY_GROUP_LABELS[key], list(therapies.items()))
            for key, therapies in grouped.items() if therapies]


def _options_sentences(verdict) -> list[Sentence]:
    lines = list(getattr(verdict, "evidence", None) or [])
    date = getattr(verdict, "evidence_table_date", None)
    if not lines:
        reason = getattr(verdict, "no_therapy_reason", None)
        mutation = ("mutations were not assessed" if getattr(verdict, "mutation_status", None) == "not_assessed"
                    else "no somatic driver was found")
        amplification = ("copy number was not assessed"
                          if (getattr(verdict, "amplification_status", None) or "not assessed") == "not assessed"
                          else "ERBB2 is not amplified")
        ihc = "IHC is not 3+" if str(getattr(verdict, "overexpression", "")).startswith("IHC") else "IHC was not given"
        text = (f"No therapy option matched ({reason})." if reason else
                f"No therapy option matched: {mutation}; {amplification}; {ihc}.")
        return [Sentence("options", text + (f" Evidence table dated {date}." if date else ""))]
    out = []
    for _, heading, therapies in therapy_groups(lines):
        items = "; ".join(f"{therapy} ({' / '.join(line_texts(group))})" for therapy, group in therapies)
        out.append(Sentence("options", f"{heading}: {items}."))
    if date:
        out.append(Sentence("options", f"Evidence table dated {date}; a matched line is published evidence, "
                                       "not a recommendation."))
    return out


def summary_sentences(verdict, mutations: Iterable = ()) -> list[Sentence]:
    """The sample's answer in sentences (topics: mutation, copy_number, protein, options)."""
    if verdict is None:
        return [Sentence("limits", "No verdict: the sample had nothing to assess.")]
    return [*_mutation_sentences(verdict, list(mutations)), *_copy_number_sentences(verdict),
            _protein_sentence(verdict), *_options_sentences(verdict)]


def summary_text(verdict, mutations: Iterable = ()) -> str:
    """The sentences as one paragraph (the ``summary_text`` of the JSON summary, the terminal's top)."""
    return " ".join(s.text for s in summary_sentences(verdict, mutations))


def headline(verdict) -> str:
    """One line for a title: e.g. ``activating mutation + amplification``."""
    if verdict is None:
        return "no verdict"
    parts = []
    status = str(getattr(verdict, "mutation_status", ""))
    parts.append(label(MUTATION_STATUS_LABELS, status))
    amp = str(getattr(verdict, "amplification_status", "") or "not assessed")
    parts.append("amplification" if amp == "amplification" else f"copy number: {label(AMPLIFICATION_STATUS_LABELS, amp)}")
    return "; ".join(parts)


class CohortCounts:
    """What the first paragraph of a cohort report and its mutation x copy-number table count, one summary
    row (summary table keys) at a time: a cohort of any size costs the same memory."""

    def __init__(self) -> None:
        self.n = 0  # samples reported
        self.read = 0  # samples whose variants were read (mutation_status other than not_assessed)
        self.read_status: dict[str, int] = {}  # among those: mutation_status -> samples
        self.subgroups: dict[str, int] = {}  # activating subgroup -> samples, in order of first appearance
        self.cn = 0  # samples with copy-number data
        self.amplified = 0
        self.both = 0  # samples whose co_occurring says mutation+amplification
        self.pairs: dict[tuple, int] = {}  # (mutation_status, amplification_status) as given -> samples

    def add(self, s: dict) -> None:
        self.n += 1
        status = s.get("mutation_status")
        if status != "not_assessed":
            self.read += 1
            self.read_status[str(status)] = self.read_status.get(str(status), 0) + 1
            if status == "activating":
                for sub in str(s.get("mutation_subgroups") or "").split(";"):
                    if sub:
                        self.subgroups[sub] = self.subgroups.get(sub, 0) + 1
        amp = s.get("amplification_status")
        if amp not in (None, "", "not assessed"):
            self.cn += 1
            self.amplified += str(amp) == "amplification"
        if "mutation+amplification" in str(s.get("co_occurring") or ""):
            self.both += 1
        key = (status, amp)
        self.pairs[key] = self.pairs.get(key, 0) + 1

    def sentences(self, n_failed: int = 0) -> list[str]:
        """The first paragraph of a cohort report."""
        n = self.n
        if not n:
            return [f"No sample was reported ({n_failed} failed)."]

        def share(k: int, d: int) -> str:
            return f"{k} of {d} ({k / d * 100:.0f}%)" if d else "0"

        out = [f"{n} sample{'s' if n != 1 else ''} reported" + (f", {n_failed} failed (listed under Errors)."
                                                                if n_failed else ", none failed.")]
        detail = ", ".join(f"{k} {SUBGROUP_LABELS.get(sub, words(sub))}" for sub, k in
                           sorted(self.subgroups.items(), key=lambda kv: -kv[1]))
        if self.read:
            out.append(f"An activating ERBB2 mutation was found in {share(self.read_status.get('activating', 0), self.read)} "
                       f"samples whose variants were read" + (f" ({detail})." if detail else "."))
            others = [(self.read_status.get(key, 0), text) for key, text in
                      (("vus_only", "variants of uncertain significance only"), ("germline_only", "germline variants only"))]
            extra = "; ".join(f"{k} sample{'s' if k != 1 else ''} had {text}" for k, text in others if k)
            if extra:
                out.append(extra[0].upper() + extra[1:] + ".")
        if self.cn:
            out.append(f"ERBB2 was amplified in {share(self.amplified, self.cn)} samples with copy-number data.")
        if self.both:
            out.append(f"{self.both} sample{'s' if self.both != 1 else ''} had both an activating mutation and an "
                       "amplification.")
        missing = n - self.read
        if missing:
            out.append(f"Mutations were not assessed in {missing} sample{'s' if missing != 1 else ''} (no variant file, "
                       "or what the sequencing covered did not reach the driver exons: each sample's assessment basis "
                       "says which).")
        return out


def count_cohort(summaries) -> CohortCounts:
    counts = CohortCounts()
    for s in summaries:
        counts.add(s)
    return counts


def cohort_sentences(summaries: list[dict], n_failed: int = 0) -> list[str]:
    """The first paragraph of a cohort report, from the per-sample verdict rows (summary table keys)."""
    return count_cohort(summaries).sentences(n_failed)
