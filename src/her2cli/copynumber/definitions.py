"""The six named amplification definitions in words: a reader's name, the rule with its thresholds, and
the assay or tool each one mirrors (docs/copy-number.md, "Definitions and thresholds", gives the
sources). The machine names (``cn_ge_6`` ...) stay the column values of the TSV (``calls``,
``amplification_definitions_met``); pages and summaries show these labels and keep the name as a tooltip.
"""

from __future__ import annotations

from her2cli.copynumber.calls import DEFINITIONS, Thresholds
from her2cli.values import valueclass


@valueclass(frozen=True)
class DefinitionText:
    name: str  # the machine name, e.g. cn_ge_6
    label: str  # what a reader calls it, e.g. "HER2 copy number >= 6"
    rule: str  # the rule with the thresholds in force
    group: str  # the assay or tool it mirrors, with its source


def definition_texts(thresholds: Thresholds | None = None) -> list[DefinitionText]:
    """One text per definition, in ``DEFINITIONS`` order, with the thresholds in force."""
    t = thresholds or Thresholds()
    texts = {
        "cn_ge_6": DefinitionText(
            "cn_ge_6", f"HER2 copy number >= {t.amp_copies:g}",
            f"at least {t.amp_copies:g} ERBB2 copies per tumour cell",
            "FISH-like, ASCO/CAP 2018 ISH groups (>= 6.0 HER2 signals per cell; Press et al., J Clin Oncol 2016)"),
        "ratio_ge_2": DefinitionText(
            "ratio_ge_2", f"ERBB2/chr17 ratio >= {t.ratio:g}",
            f"ERBB2 copies at least {t.ratio:g} times the chr17 baseline",
            "FISH HER2/CEP17 ratio, ASCO/CAP 2018 ISH group 1; the usual trial criterion"),
        "purple_amp": DefinitionText(
            "purple_amp", "PURPLE amplification",
            f"lowest ERBB2 copy number above {t.purple_ploidy_factor:g} x the tumour ploidy",
            "Hartwig PURPLE driver catalogue (whole-genome sequencing)"),
        "pcgr_amp": DefinitionText(
            "pcgr_amp", "PCGR amplification",
            f"at least {t.pcgr_copies:g} copies, or at least {t.pcgr_ploidy_factor:g} x the tumour ploidy",
            "Personal Cancer Genome Reporter (PCGR) default"),
        "cnvkit_amp": DefinitionText(
            "cnvkit_amp", "CNVkit amplification",
            f"log2 copy ratio at least {t.cnvkit_amp_log2:g}",
            "CNVkit 'call -m threshold' default (targeted panels)"),
        "ngs_cn_gt_7": DefinitionText(
            "ngs_cn_gt_7", f"NGS copy number > {t.ngs_copies:g}",
            f"more than {t.ngs_copies:g} ERBB2 copies",
            "NCI-MATCH arm Q (T-DM1) eligibility"),
    }
    return [texts[name] for name in DEFINITIONS]


def definition_label(name: str, thresholds: Thresholds | None = None) -> str:
    """The reader's name of one definition (the machine name itself when it is not one of the six)."""
    return next((d.label for d in definition_texts(thresholds) if d.name == name), name)
