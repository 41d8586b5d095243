"""``--format cna``: ERBB2's discrete copy-number call per sample, as the OncoKB annotator's
copy-number input (``CnaAnnotator.py``, individual format) and cBioPortal's discrete CNA data read it.

Long table (``-f cna``, and ``cna.tsv`` of a cohort)::

    Tumor_Sample_Barcode  Hugo_Symbol  Copy_Number_Alteration

Wide table (``data_CNA.txt`` of a cohort, cBioPortal's GISTIC-style discrete matrix)::

    Hugo_Symbol  Entrez_Gene_Id  SAMPLE1  SAMPLE2 ...

Values (GISTIC's -2..2, the meaning cBioPortal gives them) from her2cli's ``cn_status``:
``amplification`` 2, ``gain`` 1, ``neutral`` 0, ``loss`` -1 (one copy lost), or -2 (deep/homozygous
deletion) when the tumour copy number (purity-adjusted where known) is below ``DEEP_DELETION_COPIES``,
i.e. rounds to no copy at all. Only samples with a copy-number call appear; a sample with mutations only
gets a notice instead of a silent 0.
"""

from __future__ import annotations

from typing import Optional

from her2cli.report.tsv import render_tsv

ENTREZ_ERBB2 = 2064
DEEP_DELETION_COPIES = 0.5
LONG_COLUMNS = ["Tumor_Sample_Barcode", "Hugo_Symbol", "Copy_Number_Alteration"]
_VALUES = {"amplification": 2, "gain": 1, "neutral": 0}


def cna_value(cn_status: str, tumour_copies: Optional[float]) -> int:
    """The -2..2 value of one cn_status (rule in the module docstring)."""
    if cn_status in _VALUES:
        return _VALUES[cn_status]
    if cn_status == "loss":
        return -2 if tumour_copies is not None and tumour_copies < DEEP_DELETION_COPIES else -1
    raise ValueError(f"no discrete copy-number value for cn_status {cn_status!r}")


def _tumour_copies(assessment) -> Optional[float]:
    if assessment.tumour_copy_number is not None:
        return assessment.tumour_copy_number
    return assessment.copy_number


def render_long(calls: list[tuple[str, int]]) -> str:
    """(sample, value) pairs as the long table."""
    return render_tsv([{"Tumor_Sample_Barcode": sample, "Hugo_Symbol": "ERBB2", "Copy_Number_Alteration": value}
                       for sample, value in calls], LONG_COLUMNS)


def render_wide(calls: list[tuple[str, int]]) -> str:
    """(sample, value) pairs as cBioPortal's wide discrete matrix (one ERBB2 row)."""
    header = ["Hugo_Symbol", "Entrez_Gene_Id", *(sample for sample, _ in calls)]
    row = ["ERBB2", str(ENTREZ_ERBB2), *(str(value) for _, value in calls)]
    return "\t".join(header) + "\n" + "\t".join(row) + "\n"


def cohort_cna_tables(summaries: list[dict]) -> dict[str, str]:
    """The cohort's two CNA tables from its per-sample verdicts (one value per sample: the verdict's
    amplification status and the tumour copy number it rests on): ``{"cna": long table, "data_cna": wide}``.
    Samples without copy-number data are left out."""
    calls = [call for call in map(summary_cna, summaries) if call is not None]
    return {"cna": render_long(calls), "data_cna": render_wide(calls)}


def summary_cna(summary: dict) -> Optional[tuple[str, int]]:
    """(sample, discrete CNA value) of one per-sample verdict row; None without copy-number data."""
    status = summary.get("amplification_status")
    if status in (None, "", "not assessed", "not_assessed"):
        return None
    copies = summary.get("copy_number")
    return str(summary["sample"]), cna_value(str(status), float(copies) if copies not in (None, "") else None)


def render_cna(results, notices: Optional[list[str]] = None) -> str:
    calls = []
    for result in results:
        for call in result.copy_numbers:
            if call.cn_status == "not assessed":  # the segments do not cover ERBB2: no value, never 0
                if notices is not None:
                    notices.append(f"{call.sample}: not written to the CNA table: ERBB2 copy number not assessed")
                continue
            calls.append((call.sample, cna_value(call.cn_status, _tumour_copies(call.assessment))))
        if result.mutations and notices is not None:
            notices.append(f"{result.sample}: {len(result.mutations)} mutation(s) not written: the CNA table holds "
                           "copy number only (use -f maf, tsv or json)")
    return render_long(calls)


def render_format(results, context) -> str:
    return render_cna(results, context.notices)
