"""A published study as one input: a MAF (+ multi-sample segment files + the list of sequenced samples).

cBioPortal, GENIE, TCGA and MSK-IMPACT ship a study as ``data_mutations.txt`` (a MAF), ``*.seg`` and
``case_lists/cases_sequenced.txt``. A MAF names only samples with at least one mutation, so the denominator of a
prevalence needs the sample list; without one, the tables say that the denominator is the samples seen.
"""

from __future__ import annotations

import os
from typing import Optional

from her2cli.errors import MalformedInputError


def read_sample_list(path: str) -> list[str]:
    """Sample IDs from a cBioPortal case list (``case_list_ids: S1<TAB>S2...``) or a plain file with one ID
    per line (blank lines and '#' comments skipped; a header ``sample`` line is ignored)."""
    from her2cli.cohort.sheet import read_text_lines

    lines = read_text_lines(path, "sample list")  # bounded lines: /dev/zero is refused, not read into memory
    samples: list[str] = []
    case_list = [line for line in lines if line.lower().startswith("case_list_ids:")]
    if case_list:
        for line in case_list:
            samples.extend(s for s in line.split(":", 1)[1].replace(",", "\t").split() if s)
    else:
        for line in lines:
            text = line.strip()
            if not text or text.startswith("#") or text.lower() in ("sample", "sample_id", "tumor_sample_barcode"):
                continue
            samples.append(text.split("\t")[0].strip())
    if not samples:
        raise MalformedInputError("the sample list names no sample", path=path)
    seen: set[str] = set()
    unique = [s for s in samples if not (s in seen or seen.add(s))]
    return unique


def run_study(maf: str, segments: list[str], sample_list: Optional[str], options,
              pages_dir: Optional[str] = None):
    """Annotate a whole study; a CohortResult whose tables (alterations, samples, prevalence) cover every
    sample of the MAF, the segment files and the sample list. With ``pages_dir``, each sample's page is
    rendered there from its own typed result (the segment files are read once, not once per page)."""
    from her2cli.cohort.run import CohortResult
    from her2cli.interpret.prevalence import prevalence_table
    from her2cli.pipeline import SampleRequest, run_sample
    from her2cli.report.columns import ALL_COLUMNS, alteration_rows, verdict_row
    from her2cli.report.tsv import render_lines

    sequenced = read_sample_list(sample_list) if sample_list else None
    results = run_sample(SampleRequest(vcf=maf, segments=list(segments), sequenced=sequenced), options)
    summaries = [verdict_row(result.verdict) for result in results]
    notices = [(os.path.basename(maf), notice) for notice in dict.fromkeys(n for r in results for n in r.notices)]
    if sequenced is None:
        notices.append((os.path.basename(maf), "no --samples list: the denominators are the samples present in the "
                        "inputs (a MAF names only samples with a mutation)"))
    rows = alteration_rows(results)
    pages = _write_pages(results, pages_dir, maf, segments, options) if pages_dir else {}
    return CohortResult(
        alterations_tsv=render_lines(rows, ALL_COLUMNS), alterations=rows, summaries=summaries,
        cohort=prevalence_table(summaries, samples_known=sequenced is not None),
        errors=[], notices=notices, n_samples=len(results), pages=pages,
    )


def _write_pages(results, pages_dir: str, maf: str, segments: list[str], options) -> dict[str, tuple[str, str, str]]:
    import hashlib

    from her2cli.cohort.publisher import page_names
    from her2cli.io.atomic import output_error, write_atomic
    from her2cli.report.html import make_provenance, render_html

    try:
        os.makedirs(pages_dir, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, pages_dir) from None
    names = page_names(result.sample for result in results)
    provenance = make_provenance(maf, segments, options)  # the checksums once for the study, not per page
    pages = {}
    for result in results:
        html = render_html([result], provenance)
        path = os.path.join(pages_dir, names[result.sample])
        write_atomic(path, html)
        pages[result.sample] = (names[result.sample], path, hashlib.sha256(html.encode("utf-8")).hexdigest())
    return pages
