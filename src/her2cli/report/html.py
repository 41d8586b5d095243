"""A self-contained HTML report a tumour board reads: one page per sample, one per cohort (issue #15).

``render_html(results, provenance)`` -> one HTML document for one or more samples (inline CSS and SVG,
no network, no script). ``render_cohort_html(cohort, provenance, sample_pages)`` -> the cohort page (``cohort_html_chunks``: the same
in pieces, its Samples table one ``cohort_sample_row`` at a time)
(prevalence with 95% Wilson intervals, co-occurrence, a sortable verdict table linking to each
sample's page, the error table). Where they are written and published: ``cohort/`` (the workers render
the sample pages, ``cohort.publisher`` publishes them with the tables).

Every string from the data (sample names, file names, notices, variant names) goes through ``_e``
(HTML escaping, quotes included). The library never prints; errors are Her2Error subclasses.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import field
from datetime import datetime, timezone
from functools import lru_cache
from html import escape
from typing import Iterable, Optional

from her2cli.errors import InputMissingError
from her2cli.values import valueclass


# ------------------------------------------------------------------------------------------- adapter
# The only place that knows the shape of a result: results.SampleResult (typed calls, seen here as rows of
# report/columns.ALL_COLUMNS and the verdict as a row of interpret/verdict.SUMMARY_COLUMNS) and
# cohort.run.CohortResult.


def result_sample(result) -> str:
    return str(result.sample)


def result_rows(result) -> list[dict]:
    """The calls as rows of ALL_COLUMNS, each carrying its typed call under ``_call``."""
    from her2cli.report.columns import alteration_row

    return [{**alteration_row(call), "_call": call} for call in result.calls]


def result_summary(result) -> dict:
    from her2cli.report.columns import verdict_row

    return verdict_row(result.verdict) if result.verdict is not None else {}


def result_notices(result) -> list[str]:
    return list(result.notices or [])


def result_genome(result) -> Optional[str]:
    return result.genome or next((str(r["genome"]) for r in result_rows(result) if r.get("genome")), None)


def result_build_basis(result) -> Optional[str]:
    """How the build was decided (the VCF header line, --genome, the REF bases, the segment coordinates)."""
    return getattr(result, "build_basis", None)


def cohort_summaries(cohort) -> list[dict]:
    return list(cohort.summaries)


def cohort_counts(cohort) -> list[dict]:
    return list(cohort.cohort)


def cohort_errors(cohort) -> list[dict]:
    return list(cohort.errors)


def cohort_genomes(cohort) -> list[str]:
    """The genome builds of a cohort's samples (CohortResult.genomes; else from its rows)."""
    genomes = getattr(cohort, "genomes", None)
    if genomes:
        return sorted(genomes)
    return sorted({str(r["genome"]) for r in cohort_rows(cohort) if r.get("genome")})


def cohort_rows(cohort) -> list[dict]:
    return list(cohort.alterations)


def cohort_notices(cohort) -> list[tuple[str, str]]:
    return list(cohort.notices)


# ----------------------------------------------------------------------------------------- provenance


@valueclass
class InputFile:
    role: str  # "VCF", "segments", "sample sheet"
    path: str
    sha256: str


@valueclass
class Provenance:
    tool_version: str
    inputs: list[InputFile] = field(default_factory=list)
    build_basis: Optional[str] = None  # how the genome build was decided, when the caller knows it
    settings: dict[str, str] = field(default_factory=dict)  # options as the user gave them
    generated: str = ""
    options: object = None  # pipeline.Options: how to re-read the segment files for the chr17 picture
    segments_sample: Optional[str] = None  # the sample's name in a shared segment file (sheet segments_sample)


def sha256_of(path: str) -> str:
    """The file's SHA-256, computed once per process for an unchanged file (a segment file shared by a
    cohort's pages is read once, not once per page)."""
    from her2cli.io.lines import digest_of_read, is_stream

    if is_stream(path):  # a FIFO or <(...) cannot be read again: the checksum of what the run read
        return digest_of_read(path) or "(a stream: not read to its end)"

    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputMissingError(f"cannot read input for its checksum: {exc.strerror}", path=path) from None
    return _sha256_cached(path, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=64)
def _sha256_cached(path: str, *_stat) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputMissingError(f"cannot read input for its checksum: {exc.strerror}", path=path) from None
    return digest.hexdigest()


def _option_settings(options, request=None) -> dict[str, str]:
    """The options that differ from the defaults, as text (thresholds one by one)."""
    out: dict[str, str] = {}
    if options is not None:
        from her2cli.copynumber.calls import Thresholds

        for name in ("genome", "reference_fasta", "segment_format", "log_base"):
            value = getattr(options, name, None)
            if value is not None:
                out[name] = str(value)
        if getattr(options, "all_records", False):
            out["all_records"] = "yes"
        if getattr(options, "evidence", True) is False:
            out["evidence"] = "off"
        thresholds = getattr(options, "thresholds", None)
        if thresholds is not None:
            default = Thresholds()
            for name, value in vars(thresholds).items():
                if getattr(default, name, None) != value:
                    out[f"threshold {name}"] = f"{value:g}"
    if request is not None:
        for name in ("tumor_sample", "purity", "ploidy", "ihc"):
            value = getattr(request, name, None)
            if value is not None:
                out[name] = str(value)
    return out


def make_provenance(vcf: Optional[str] | list[str] = None, segments: Iterable[str] = (), options=None,
                    request=None, build_basis: Optional[str] = None, sample_sheet: Optional[str] = None) -> Provenance:
    """Provenance for a report: checksums of the inputs, the options that differ from the defaults.
    Standard input has no checksum (it cannot be read twice): it is listed as read from a pipe."""
    from her2cli.version import __version__

    inputs = []
    if sample_sheet:
        inputs.append(InputFile("sample sheet", sample_sheet, sha256_of(sample_sheet)))
    for path in ([vcf] if isinstance(vcf, str) else list(vcf or [])):
        inputs.append(InputFile("VCF", path, "(standard input: not re-read)" if path == "-" else sha256_of(path)))
    for path in segments:
        inputs.append(InputFile("segments", path, sha256_of(path)))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return Provenance(__version__, inputs, build_basis, _option_settings(options, request), generated, options,
                      getattr(request, "segments_sample", None))


# -------------------------------------------------------------------------------------------- helpers


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _ew(value: object) -> str:
    """Escaped, with a line-break opportunity after each underscore (HGVS names and snake_case codes are
    long single words: they may wrap there and nowhere else)."""
    return _e(value).replace("_", "_<wbr>")


def _float(value: object) -> Optional[float]:
    try:
        return None if value is None or value == "" else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _num(value: object, digits: int = 3) -> str:
    number = _float(value)
    if number is None:
        return "" if value in (None, "") else str(value)
    return f"{number:.{digits}g}"


def _split(value: object, sep: str = ";") -> list[str]:
    return [v for v in str(value or "").split(sep) if v and v != "none"]


def _mutation_name(row: dict) -> str:
    for key in ("hgvs_p_short", "hgvs_p", "hgvs_c", "hgvs_g"):
        if row.get(key):
            return str(row[key])
    return f"{row.get('chrom')}:{row.get('pos')}{row.get('ref')}>{row.get('alt')}"



def _hgvs(value: object) -> str:
    """A variant name: kept on one line when short (p.Y772_A775dup), else wrapped only at its underscores."""
    text = "" if value is None else str(value)
    return _nw(text) if len(text) <= 18 else _ew(text)


def _lw(value: object) -> str:
    """A label in words, with a line-break opportunity after each slash (transmembrane/juxtamembrane)."""
    return _e(value).replace("/", "/<wbr>")


def _nw(value: object) -> str:
    """Escaped and never broken across lines (dates, numbers, levels, short codes)."""
    return f'<span class="nw">{_e(value)}</span>'


def _coded(text: str, code: object, cls: str = "") -> str:
    """A human label (already escaped HTML) with its machine code kept as tooltip and data attribute."""
    klass = f' class="{cls}"' if cls else ""
    if code in (None, ""):
        return f"<span{klass}>{text}</span>" if cls else text
    return f'<span{klass} title="{_e(code)}" data-code="{_e(code)}">{text}</span>'


def _table(headers: list, rows: list[list[str]], cls: str = "", caption: str = "", row_attrs=None) -> str:
    """rows hold HTML already escaped by the caller; a header is a text or (text, tooltip). Wrapped in a
    block that scrolls sideways on a narrow screen rather than squeezing words."""
    attrs = row_attrs or [""] * len(rows)
    body = "".join(_tr(row, attr) for row, attr in zip(rows, attrs))
    return _table_head(headers, len(rows), cls, caption) + body + _TABLE_END


def _tr(row: list[str], attr: str = "") -> str:
    return f"<tr{attr}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"


def _table_head(headers: list, n_rows: int, cls: str = "", caption: str = "") -> str:
    """A table up to its first row (``_table``; a long table's rows may follow one by one)."""
    klass = f' class="{cls}"' if cls else ""
    head = "".join(f'<th scope="col" title="{_e(h[1])}">{_e(h[0])}</th>' if isinstance(h, tuple)
                   else f'<th scope="col">{_e(h)}</th>' for h in headers)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    keep = " keep" if n_rows <= KEEP_ROWS else ""  # a short table is printed whole on one page
    return f'<div class="scroll{keep}"><table{klass}>{cap}<thead><tr>{head}</tr></thead><tbody>'


_TABLE_END = "</tbody></table></div>"


KEEP_ROWS = 12


CSS = """
:root { --ink:#1a1a1a; --muted:#555; --rule:#c8c8c8; --pos:#8b0000; --neg:#1b5e20; --na:#555; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       max-width: 1150px; margin: 1.2em auto; padding: 0 1em; }
h1 { font-size: 1.55em; margin: .2em 0 .1em; } h2 { font-size: 1.2em; border-bottom: 1px solid var(--rule);
     margin: 1.5em 0 .5em; } h3 { font-size: 1.03em; margin: .8em 0 .3em; }
.subtitle, .muted, caption, figcaption { color: var(--muted); }
.notice-medical { font-size: .85em; color: var(--muted); border-left: 3px solid #999; padding: .2em .6em; margin: 0; }
.summary { border: 2px solid var(--ink); padding: .5em 1em .7em; margin: .8em 0; }
.summary h2 { border: 0; margin: .2em 0 .3em; }
.summary .answer { margin: .2em 0 .6em; padding-left: 1.2em; } .summary .answer li { margin: .15em 0; }
.options { display: grid; grid-template-columns: repeat(4, 1fr); gap: .6em; }
.options section { border: 1px solid var(--rule); padding: .3em .6em .4em; }
.options h3 { margin: .1em 0 .3em; font-size: .95em; } .options ul { margin: 0; padding-left: 1em; font-size: .9em; }
.options .approved { border: 2px solid var(--pos); } .options .approved h3 { color: var(--pos); }
.options .negative { background: #f6f6f6; }
.verdict { display: grid; grid-template-columns: repeat(3, 1fr); gap: .8em; margin: .6em 0; }
.verdict section { border: 1px solid var(--rule); padding: .3em .7em .5em; }
.verdict h3 { margin: .2em 0; } .verdict ul { margin: .2em 0; padding-left: 1.1em; }
.status { font-weight: 700; }
.status.positive { color: var(--pos); } .status.negative { color: var(--neg); } .status.unknown { color: var(--na); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 .9em; font-size: .9em; }
th, td { border: 1px solid var(--rule); padding: .25em .45em; text-align: left; vertical-align: top;
         overflow-wrap: normal; word-break: normal; hyphens: manual; }
th { background: #eee; font-weight: 600; } caption { text-align: left; font-size: .9em; padding: .2em 0; }
table.kv th { width: 14em; background: #f4f4f4; }
.nw, td.num { white-space: nowrap; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.not-counted td { color: var(--muted); }
details { margin: .3em 0 1em; } details > summary { cursor: pointer; color: #1a4f8b; }
figure { margin: .5em 0 1em; }
svg { max-width: 100%; height: auto; display: block; }
code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: .9em; }
abbr[title] { text-decoration: underline dotted; }
th[aria-sort] { cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .3em 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
@media (max-width: 1000px) { .options { grid-template-columns: repeat(2, 1fr); } }
@media (max-width: 820px) { body { font-size: 14px; } }
@media (max-width: 640px) { .verdict, .options { grid-template-columns: 1fr; } }
@page { margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9pt; }
  .notice-medical { font-size: 7.5pt; }
  table { font-size: 7.5pt; } h2, h3 { break-after: avoid; } h2 { margin-top: 1em; }
  .keep, caption { break-inside: avoid; } caption { break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure, svg, .summary, .verdict section, .options section, dl.facts { break-inside: avoid; }
  .scroll { overflow: visible; }
  .options { grid-template-columns: repeat(4, 1fr); } .verdict { grid-template-columns: repeat(3, 1fr); }
  details:not([open]) { display: none; }
  a { color: inherit; text-decoration: none; }
  .sample + .sample { break-before: page; }
}
"""

# Optional sorting for the cohort table: the table is complete and readable without it.
SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.setAttribute('aria-sort', 'none'); th.title = 'sort';
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var up = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return up ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

MEDICAL_NOTICE = ("Not medical advice. This report lists what the input files show about ERBB2 and the published "
                  "evidence that matches it; treatment decisions belong to the treating physician and the tumour board.")

NOT_ASSESSED = [
    "ERBB2 protein expression: IHC is a protein test, never inferred from DNA; it appears here only when it was given.",
    "ERBB2 fusions and rearrangements, and structural variants other than copy-number segments.",
    "Alterations in any other gene (for example co-occurring EGFR, KRAS or TP53 changes, or resistance mechanisms).",
    "Whether the sequencing covered ERBB2 well enough, unless a coverage section above says so: otherwise a "
    "variant absent from the VCF is reported as not detected.",
    "Tumour purity and ploidy: they are taken from the inputs or the options, never estimated.",
    "RNA expression and splicing effects beyond naming the variant.",
]

RECALLED_MARK = "[R]"
RECALLED_TEXT = "recalled during curation, not yet verified in the cited source"


def _document(title: str, body: str, script: str = "") -> str:
    return _document_head(title) + body + _document_end(script)


def _document_head(title: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>")


def _document_end(script: str = "") -> str:
    js = f"<script>{script}</script>" if script else ""
    return f"{js}</body></html>\n"


def _marked(text: object) -> str:
    """Prose for a table cell: escaped; each token with a hyphen, slash or digit kept on one line (drug names
    such as T-DXd, dates, page ranges, "unresectable/metastatic": a line may wrap only between words); each
    [R] mark explained in a tooltip."""
    tokens = re.split(r"(\s+)", "" if text is None else str(text))
    html = "".join(_nw(tok) if re.search(r"[-/\d]", tok) and not tok.isspace() else _e(tok) for tok in tokens)
    return html.replace(RECALLED_MARK, f'<abbr title="{RECALLED_TEXT}">{RECALLED_MARK}</abbr>')


# ------------------------------------------------------------------------------------------ one sample

_POSITIVE = {"activating", "amplification", "IHC 3+ (positive)"}
_NEGATIVE = {"not_detected", "neutral", "benign_only", "loss", "germline_only"}


def _status(code: object, text: Optional[str] = None) -> str:
    value = str(code or "not assessed")
    kind = "positive" if value in _POSITIVE else "negative" if value in _NEGATIVE else "unknown"
    return _coded(_e(text or value), value, f"status {kind}")


def _ihc_score(summary: dict) -> Optional[str]:
    from her2cli.interpret.verdict import IHC_LABELS

    label = summary.get("overexpression")
    return next((score for score, text in IHC_LABELS.items() if text == label), None)


def _as_call(row: dict):
    """The typed call behind a row: attached by result_rows, rebuilt from the text of a cohort table row."""
    if row.get("_call") is not None:
        return row["_call"]
    from types import SimpleNamespace

    from her2cli.report.columns import ALL_COLUMNS

    fields = {name: row.get(name) for name in ALL_COLUMNS}
    fields.update(vaf=_float(row.get("vaf")), consequence=row.get("consequence") or "",
                  subgroup=row.get("subgroup") or "other", filter=row.get("filter") or None,
                  oncogenicity=row.get("oncogenicity") or None, origin=row.get("origin") or None,
                  name=_mutation_name(row) if row.get("kind") == "mutation" else None)
    return SimpleNamespace(**fields)


def _reportable(rows: list[dict]) -> list[dict]:
    from her2cli.interpret.evidence import is_reportable_mutation

    return [r for r in rows if is_reportable_mutation(_as_call(r))]


@valueclass
class _Page:
    """What every section of one sample's page reads."""

    sample: str
    rows: list[dict]
    summary: dict
    verdict: object  # results.Verdict
    mutations: list  # MutationCall
    genome: Optional[str]
    notices: list[str]
    result: object
    provenance: Provenance
    uid: str


def _page(result, provenance: Provenance, index: int) -> _Page:
    rows, summary = result_rows(result), result_summary(result)
    verdict, mutations = result.verdict, list(result.mutations)
    return _Page(result_sample(result), rows, summary, verdict, mutations, result_genome(result),
                 result_notices(result), result, provenance, f"s{index}")


def _line_details(lines: list) -> str:
    """Level, setting and date of one therapy's evidence lines, as HTML."""
    from her2cli.interpret.summary import line_texts

    return "; ".join(_marked(text) for text in line_texts(lines))


def _summary_section(page: _Page) -> str:
    from her2cli.interpret.summary import THERAPY_GROUP_LABELS, summary_sentences, therapy_groups

    sentences = summary_sentences(page.verdict, page.mutations)
    answer = "".join(f"<li>{_e(s.text)}</li>" for s in sentences if s.topic != "options")
    groups = {key: therapies for key, _, therapies in therapy_groups(getattr(page.verdict, "evidence", None) or [])}
    boxes = []
    for key, heading in THERAPY_GROUP_LABELS.items():
        items = "".join(f"<li><b>{_nw(therapy)}</b>: {_line_details(lines)}</li>"
                        for therapy, lines in groups.get(key, []))
        boxes.append(f'<section class="{key}" data-group="{key}"><h3>{_e(heading)}</h3>'
                     + (f"<ul>{items}</ul>" if items else '<p class="muted">none matched</p>') + "</section>")
    tail = next((s.text for s in sentences if s.topic == "options" and "Evidence table dated" in s.text), "")
    if not groups:
        tail = next((s.text for s in sentences if s.topic == "options"), "")
    return (f'<section class="summary" aria-labelledby="{page.uid}-sum"><h2 id="{page.uid}-sum">Summary</h2>'
            f'<ul class="answer">{answer}</ul><div class="options">{"".join(boxes)}</div>'
            f'<p class="muted">{_e(tail)} Level: the approving agency, guideline or OncoKB level; setting: line of '
            "therapy (1L first line, 2L+ after prior therapy).</p></section>")


def _verdict_section(page: _Page) -> str:
    from her2cli.copynumber.calls import DEFINITIONS
    from her2cli.interpret.summary import (
        AMPLIFICATION_STATUS_LABELS, MUTATION_STATUS_LABELS, ONCOGENICITY_LABELS, ORIGIN_LABELS, PURITY_SOURCE_LABELS,
        cn_not_assessed_reason, common_name, label, mutation_basis)

    summary, v = page.summary, page.verdict
    items = []
    for call in _reportable_calls(page):
        items.append(f"<li><b>{_lw(common_name(call))}</b>: "
                     f"{_coded(_e(label(ORIGIN_LABELS, call.origin or 'unknown')), call.origin)}, "
                     f"{_coded(_e(label(ONCOGENICITY_LABELS, call.oncogenicity or 'vus')), call.oncogenicity)}</li>")
    status = str(summary.get("mutation_status") or "not_assessed")
    why = mutation_basis(v) or ("no variant file" if status == "not_assessed" and not page.mutations else "")
    mutation_html = (f"<p>{_status(status, label(MUTATION_STATUS_LABELS, status))}</p>"
                     + (f'<p class="muted">{_e(why)}</p>' if status in ("not_assessed", "not_detected") and why else "")
                     + (f"<ul>{''.join(items)}</ul>" if items else ""))
    amp = str(summary.get("amplification_status") or "not assessed")
    amp_html = f"<p>{_status(amp, label(AMPLIFICATION_STATUS_LABELS, amp))}</p>"
    if amp == "not assessed":
        amp_html += f'<p class="muted">{_e(cn_not_assessed_reason(v))}</p>'
    if amp != "not assessed":
        met = _split(summary.get("amplification_definitions_met"))
        purity = str(getattr(v, "purity_source", None) or "")
        facts = [f"about {_nw(_num(summary.get('copy_number')))} copies per tumour cell",
                 f"ERBB2/chr17 ratio {_nw(_num(summary.get('ratio_chr17')) or 'not known')}",
                 f"focality: {_e(summary.get('focality') or 'not known')}",
                 _coded(f"{len(met)} of {len(DEFINITIONS)} amplification definitions met", ";".join(met) or "none")]
        if purity:
            facts.append(f"purity: {_coded(_e(PURITY_SOURCE_LABELS.get(purity, purity)), purity)}")
        amp_html += "<ul>" + "".join(f"<li>{f}</li>" for f in facts) + "</ul>"
    ihc = str(summary.get("overexpression") or "not assessable from DNA")
    ihc_html = f"<p>{_status(ihc)}</p>"
    if not ihc.startswith("IHC"):
        ihc_html += '<p class="muted">IHC was not given; protein expression is never read from DNA.</p>'
    co = str(summary.get("co_occurring") or "none")
    return (f'<h2 id="{page.uid}-verdict">Verdict: the three HER2 mechanisms</h2><div class="verdict">'
            f"<section><h3>Mutation</h3>{mutation_html}</section>"
            f"<section><h3>Amplification</h3>{amp_html}</section>"
            f"<section><h3>Protein overexpression (IHC)</h3>{ihc_html}</section></div>"
            f"<p>Present together: {_coded('<b>' + _e(co.replace('+', ' and ')) + '</b>', co)}.</p>")


def _reportable_calls(page: _Page) -> list:
    from her2cli.interpret.evidence import is_reportable_mutation

    return [c for c in page.mutations if is_reportable_mutation(c)]


def _percent(value: object) -> str:
    number = _float(value)
    return "" if number is None else f"{number * 100:.0f}%" if number >= 0.01 else f"{number * 100:.1f}%"


def _variants_section(page: _Page) -> str:
    from her2cli.interpret.summary import ONCOGENICITY_LABELS, ORIGIN_LABELS, SUBGROUP_LABELS, label, words

    calls = list(page.mutations)
    if not calls:
        status = str(page.summary.get("mutation_status") or "")
        from her2cli.interpret.summary import mutation_basis

        basis = mutation_basis(page.verdict)
        text = ((f"Mutations were not assessed: {basis}." if basis else
                 "No variant file was given: mutations were not assessed.") if status == "not_assessed" else
                "No ERBB2 variant was reported from the variant file.")
        return f"<h2>Variants</h2><p>{_e(text)}</p>"
    counted = {id(c) for c in _reportable_calls(page)}
    headers = ["Variant", "cDNA (NM_004448.4)", "Exon", "Type", "Class", "Origin",
               "VAF (reads)", "Counted"]
    body, attrs = [], []
    for c in calls:
        exon = f"exon {c.exon}" if getattr(c, "exon", None) else (f"intron {c.intron}" if getattr(c, "intron", None) else "")
        sub = str(c.subgroup or "other")
        name = c.name or ""
        reads = f" ({c.alt_depth}/{c.depth})" if getattr(c, "depth", None) not in (None, "") else ""
        criteria = getattr(c, "oncogenicity_criteria", None)
        basis = "; ".join(str(x) for x in (getattr(c, "oncogenicity_basis", None), criteria) if x)
        row = [
            f"<b>{_hgvs(name)}</b>" + (f"<br><span class=\"muted\">{_lw(SUBGROUP_LABELS.get(sub, words(sub)))}"
                                     + (f", {_ew(c.legacy_name)}" if getattr(c, 'legacy_name', None) else "")
                                     + "</span>"),
            f'<span class="mono">{_ew(getattr(c, "hgvs_c", None) or "")}</span>',
            _nw(exon), _coded(_e(words(c.consequence)), c.consequence),
            _coded(_e(label(ONCOGENICITY_LABELS, c.oncogenicity or "vus")), basis or c.oncogenicity)
            + _points_line(getattr(c, "oncogenicity_points", None), getattr(c, "amp_tier", None),
                           getattr(c, "oncogenicity_source", None)),
            _coded(_e(label(ORIGIN_LABELS, c.origin or "unknown")), getattr(c, "origin_basis", None) or c.origin),
            _nw(_percent(c.vaf)) + _nw(reads),
            "yes" if id(c) in counted else _coded("no", _not_counted_reason(c)),
        ]
        body.append(row)
        attrs.append(f' data-subgroup="{_e(sub)}" data-oncogenicity="{_e(c.oncogenicity or "")}"'
                     + ("" if id(c) in counted else ' class="not-counted"'))
    table = _table(headers, body, caption="One row per ERBB2 allele; names on the MANE Select transcript "
                   "NM_004448.4 / NP_004439.2. Counted: the variant counts towards the mutation verdict "
                   "(protein-changing, passing the caller's filter, called in the tumour, alternate reads present). "
                   "Hover a class or origin for its basis.", row_attrs=attrs)
    return f"<h2>Variants</h2>{table}{_all_fields(page)}"


def _points_line(points, tier, source=None) -> str:
    """The SOP's points and the AMP tier under the class (columns of their own make the table too wide at
    800 px); when the points did not decide the class, what did."""
    from her2cli.interpret.oncogenicity import class_decided_by

    decided = class_decided_by(source)
    parts = ([f"{points} points" + (f"; class decided by {decided}" if decided else "")]
             if points is not None else []) + ([f"AMP tier {tier}"] if tier else [])
    return f'<br><span class="muted">{_e(", ".join(parts))}</span>' if parts else ""


def _not_counted_reason(call) -> str:
    from her2cli.interpret.evidence import PASSING_FILTERS, is_protein_altering

    if call.filter not in (None, "") and call.filter not in PASSING_FILTERS:
        return f"failed the caller's filter ({call.filter})"
    if call.vaf is not None and call.vaf <= 0:
        return "no alternate reads"
    if not is_protein_altering(call.consequence):
        return "does not change the protein"
    return "not counted"


def _dates_whole(html: str) -> str:
    """Dates in a free-text cell (amp_tier_basis: 'FDA 2025-08-08, approved') never split at their hyphens."""
    import re

    return re.sub(r"\b\d{4}-\d{2}(?:-\d{2})?\b,?", lambda m: f'<span class="nw">{m.group(0)}</span>', html)


def _all_fields(page: _Page) -> str:
    """Every column of the TSV for each variant, collapsed: one row per field, one column per variant."""
    from her2cli.report.columns import ALL_COLUMNS

    rows = [r for r in page.rows if r.get("kind") == "mutation"]
    keep = [name for name in ALL_COLUMNS if any(r.get(name) not in (None, "") for r in rows) and name != "evidence"]
    body = [[f'<span class="mono">{_ew(name)}</span>', *[_dates_whole(_ew(r.get(name) if r.get(name) is not None
                                                                      else "")) for r in rows]] for name in keep]
    headers = ["field", *[_mutation_name(r) for r in rows]]
    return (f"<details><summary>All fields of the {len(rows)} variant(s), as in the TSV</summary>"
            f"{_table(headers, body, cls='kv all-fields')}</details>")


def _copy_number_section(page: _Page) -> str:
    from her2cli.copynumber.definitions import definition_texts
    from her2cli.interpret.summary import (
        AMPLIFICATION_STATUS_LABELS, COPY_NUMBER_BASIS_LABELS, PURITY_SOURCE_LABELS, label)

    cn_rows = [r for r in page.rows if r.get("kind") == "copy_number"]
    if not cn_rows:
        return "<h2>Copy number</h2><p>Not assessed: no segment file was given.</p>"
    thresholds = getattr(page.provenance.options, "thresholds", None)
    texts = definition_texts(thresholds)
    out = ["<h2>Copy number</h2>"]
    for r in cn_rows:
        met = set(_split(r.get("calls")))
        purity = _float(r.get("purity"))
        source = str(r.get("purity_source") or "")
        purity_text = (f"{purity * 100:.0f}% ({_e(PURITY_SOURCE_LABELS.get(source, source or 'given'))})"
                       if purity is not None else _e(PURITY_SOURCE_LABELS.get(source, "not given")))
        size = _float(r.get("amplicon_size"))
        focality = _e(r.get("focality") or "not known") + (f", gained region {_nw(f'{size / 1e6:.2f} Mb')}" if size else "")
        facts = [
            ("Status", _status(r.get("cn_status"), label(AMPLIFICATION_STATUS_LABELS, r.get("cn_status")))),
            ("ERBB2 copies per tumour cell", _nw(_num(r.get("tumour_copy_number")))
             + f' <span class="muted">({_e(COPY_NUMBER_BASIS_LABELS.get(str(r.get("values_adjusted")), "as measured"))}'
             + (f"; measured {_nw(_num(r.get('copy_number')))}"
                if _num(r.get("copy_number")) != _num(r.get("tumour_copy_number")) else "")
             + (f"; log2 ratio {_nw(_num(r.get('log2')))}" if r.get("log2") not in (None, "") else "") + ")</span>"),
            ("Ratio to chr17", f"{_nw(_num(r.get('ratio_chr17')) or 'not known')} "
                               f"<span class=\"muted\">(chr17 baseline {_nw(_num(r.get('chr17_baseline')) or '?')} copies)</span>"),
            ("Tumour purity, ploidy", f"{purity_text}; ploidy {_nw(_num(r.get('ploidy')))}"),
            ("Focality", focality),
            ("Co-amplified 17q12 genes", _e(", ".join(_split(r.get("co_amplified_genes"), ","))) or "none"),
            ("Segment file format", _e(r.get("segment_format") or "")),
        ]
        out.append('<div class="scroll"><table class="kv">' + "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{v}</td></tr>"
                                                      for k, v in facts) + "</table></div>")
        body, attrs = [], []
        for d in texts:
            yes = d.name in met
            body.append([_coded(f"<b>{_e(d.label)}</b>", d.name), _e(d.rule), _e(d.group),
                         f'<span class="nw status {"positive" if yes else "negative"}">{"met" if yes else "not met"}</span>'])
            attrs.append(f' data-definition="{_e(d.name)}" data-met="{str(yes).lower()}"')
        out.append(_table(["Amplification definition", "Rule", "Mirrors", "Met"], body, cls="definitions",
                          caption="Each published definition of ERBB2 amplification, side by side (the TSV column "
                                  "'calls' lists the machine names, shown here on hover).", row_attrs=attrs))
    return "".join(out)


def _segments_for(sample: str, cn_row: dict, provenance: Provenance) -> Optional[tuple[list, bool]]:
    """(chr17 segments in copies, log2 input?) from the segment inputs (each file parsed once per
    process), or None."""
    from her2cli.copynumber.segments import LOG2
    from her2cli.report.svg import segments_in_copies

    options = provenance.options
    for item in provenance.inputs:
        if item.role != "segments":
            continue
        try:
            st = os.stat(item.path)
        except OSError:
            continue
        tables = _segment_tables(item.path, getattr(options, "segment_format", None),
                                 getattr(options, "log_base", None), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        chosen = tables[0] if len(tables) == 1 else next(
            (t for t in tables if t.sample == (provenance.segments_sample or sample)), None)
        if chosen is not None:
            return segments_in_copies(chosen, cn_row), chosen.unit == LOG2
    return None


@lru_cache(maxsize=2)
def _segment_tables(path: str, fmt, log_base, *_stat) -> list:
    """The chr17 part of each sample's segments in a file (keyed by the file's identity, size and time)."""
    from her2cli import copynumber

    tables = copynumber.read_segment_file(path, fmt, log_base, sample=None)
    for table in tables:
        if hasattr(table, "on"):
            table.segments = list(table.on("17"))
    return tables


def _pictures_section(page: _Page) -> str:
    from her2cli.report.svg import copy_number_svg, lollipop_svg

    out = ["<h2>Pictures</h2>"]
    if page.mutations:
        out.append(f"<figure>{lollipop_svg(page.rows, title=f'{page.sample}: ERBB2 mutations on the protein', uid=page.uid + '-lol')}"
                   "<figcaption>ERBB2 protein (NP_004439.2) with its UniProt P04626 domains. Head shape and colour "
                   "both give the subgroup; labels of the exon 20 cluster are in the zoom panel.</figcaption></figure>")
    cn_rows = [r for r in page.rows if r.get("kind") == "copy_number"]
    if cn_rows and page.genome:
        loaded = _segments_for(page.sample, cn_rows[0], page.provenance)
        if loaded and loaded[0]:
            segments, log2_input = loaded
            svg = copy_number_svg(segments, cn_rows[0], page.genome, getattr(page.provenance.options, "thresholds", None),
                                  log2_input, uid=page.uid + "-cn")
            out.append(f"<figure>{svg}<figcaption>chr17 copy number per tumour cell; each amplification definition's "
                       "threshold is a labelled line (definitions with equal thresholds share a line and a label)."
                       "</figcaption></figure>")
        else:
            out.append('<p class="muted">chr17 profile not drawn: the segment file is not available to this report.</p>')
    return "".join(out) if len(out) > 1 else ""


def _coverage_section(page: _Page) -> str:
    """What the mutation status rests on: coverage per exon and hotspot (report/html_coverage.py)."""
    from her2cli.report.html_coverage import coverage_section

    return coverage_section(getattr(page.result, "coverage", None), page.summary.get("assessment_basis"))


def _evidence_section(page: _Page) -> str:
    from her2cli.interpret.evidence import AMPLIFICATION, IHC_3PLUS, MISSENSE_QUALIFIER, load_evidence, match_call
    from her2cli.interpret.summary import SUBGROUP_LABELS, therapy_groups

    table = load_evidence()
    matched_on: dict[str, list[str]] = {}
    for r in page.rows:
        for line in match_call(_as_call(r), table):
            if r.get("kind") == "mutation":
                sub = str(r.get("subgroup") or "other")
                rule = next((t for t in line.eligibility if t in (sub, sub + MISSENSE_QUALIFIER)), sub)
                what = _hgvs(_mutation_name(r)) + " " + _coded(
                    "(" + _e(SUBGROUP_LABELS.get(sub, sub) + (", missense" if rule.endswith(MISSENSE_QUALIFIER) else ""))
                    + ")", rule)
            else:
                what = _coded("ERBB2 amplification", AMPLIFICATION)
            matched_on.setdefault(line.id, [])
            if what not in matched_on[line.id]:
                matched_on[line.id].append(what)
    lines = list(getattr(page.verdict, "evidence", None) or [])
    for line in lines:
        if line.eligibility == (IHC_3PLUS,) or IHC_3PLUS in line.eligibility and line.id not in matched_on:
            matched_on.setdefault(line.id, [_coded("IHC 3+", IHC_3PLUS)])
    date = f"Evidence table dated {table.date} (version {table.version})."
    if not lines:
        return f"<h2>Therapy evidence matched</h2><p>No therapy evidence line matched. {_e(date)}</p>"
    out = [f"<h2>Therapy evidence matched</h2><p>{_e(date)} Each line names the alterations it applies to; a matched "
           "line is published evidence, not a recommendation.</p>"]
    for key, heading, therapies in therapy_groups(lines):
        body, attrs = [], []
        for therapy, group in therapies:
            for line in group:
                level = (f"OncoKB level {_nw(line.level)}" if line.evidence == "OncoKB" and line.level else
                         _e(line.evidence) + (f", OncoKB level {_nw(line.level)}" if line.level else ""))
                body.append([f"<b>{_nw(therapy)}</b>", level, _nw(line.setting), _nw(line.date),
                             "<br>".join(matched_on.get(line.id, [])), _marked(line.source), _marked(line.notes)])
                attrs.append(f' data-line="{_e(line.id)}" data-status="{_e(line.status)}"')
        out.append(f'<h3 data-group="{key}">{_e(heading)}</h3>'
                   + _table(["Therapy", "Level", "Setting", "Date", "Matched on", "Source", "Notes"], body,
                            cls=f"evidence {key}", row_attrs=attrs))
    return "".join(out)


def _notices_section(page: _Page) -> str:
    if not page.notices:
        return "<h2>Notices of the run</h2><p>None.</p>"
    return "<h2>Notices of the run</h2><ul>" + "".join(f"<li>{_ew(n)}</li>" for n in page.notices) + "</ul>"


# The sample page, top to bottom: the one place where its sections are composed.
SAMPLE_SECTIONS = (_summary_section, _verdict_section, _variants_section, _copy_number_section, _pictures_section,
                   _coverage_section, _evidence_section, _notices_section)


def _sample_section(result, provenance: Provenance, index: int) -> str:
    from her2cli.interpret.summary import headline

    page = _page(result, provenance, index)
    title = (f'<h1 id="{page.uid}-h">ERBB2 (HER2) report: {_e(page.sample)}</h1>'
             f'<p class="subtitle">Non-small-cell lung cancer &middot; {_e(headline(page.verdict))} &middot; genome '
             f'{_e(page.genome or "not determined")} &middot; generated {_nw(provenance.generated)}</p>')
    return (f'<article class="sample" aria-labelledby="{page.uid}-h">{title}'
            + "".join(section(page) for section in SAMPLE_SECTIONS) + "</article>")


def _about_section(pages_text: str) -> str:
    from her2cli.copynumber.definitions import definition_texts
    from her2cli.interpret.summary import THERAPY_GROUP_LABELS

    items = "".join(f"<li>{_e(text)}</li>" for text in NOT_ASSESSED)
    definitions = "".join(f"<li><b>{_e(d.label)}</b> ({_coded(_e(d.name), d.name, 'mono')}): {_e(d.rule)}; "
                          f"{_e(d.group)}.</li>" for d in definition_texts())
    groups = ", ".join(THERAPY_GROUP_LABELS.values())
    recalled = (f"<li>{RECALLED_MARK} after a source or note: {RECALLED_TEXT}; read it as unconfirmed.</li>"
                if RECALLED_MARK in pages_text else "")
    return ("<h2>About this report</h2><ul>"
            "<li>Variants are named on the MANE Select transcript NM_004448.4 (protein NP_004439.2). A variant is a "
            "<i>driver</i> when its class is oncogenic or likely oncogenic and it is somatic; therapy lines are "
            "matched only to somatic drivers, to an amplification, or to a given IHC 3+.</li>"
            f"<li>Therapy options are grouped as {_e(groups)}; each names its agency, guideline or OncoKB level, "
            "the line of therapy and the date of the decision or publication. They are published evidence, not "
            "recommendations.</li>"
            f"{recalled}"
            "<li>Copy number is reported under every published definition of ERBB2 amplification, because "
            f"assays disagree at the margins:<ul>{definitions}</ul></li></ul>"
            f"<h3>What this report does not assess</h3><ul>{items}</ul>")


def _provenance_section(provenance: Provenance, genomes: list[str], basis_hint: Optional[str]) -> str:
    from her2cli.interpret.evidence import load_evidence
    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    evidence = load_evidence()
    basis = provenance.build_basis or ("given with --genome" if "genome" in provenance.settings else
                                       basis_hint or "from the VCF header (##contig lengths, ##reference, "
                                       "##assembly) or the segment coordinates")
    settings = ", ".join(f"{k} = {v}" for k, v in provenance.settings.items()) or "all defaults"
    facts = [
        ("Tool", f"her2cli {_e(provenance.tool_version)}, report generated {_nw(provenance.generated)}"),
        ("Genome build", f"{_e(', '.join(genomes) or 'not determined')} ({_e(basis)})"),
        ("Transcript", f"{_e(tx.accession)} (MANE Select) / {_e(tx.protein_accession)}"),
        ("Evidence table", f"version {_e(evidence.version)}, dated {_nw(evidence.date)}"),
        ("Options", _ew(settings)),
    ]
    inputs = "".join(f"<li>{_e(i.role)}: <b>{_ew(os.path.basename(i.path))}</b><br><span class=\"mono muted\" "
                     f"title=\"SHA-256\">SHA-256 {_e(i.sha256)}</span></li>" for i in provenance.inputs)
    return ("<h2>Provenance</h2><dl class=\"facts\">" + "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in facts)
            + "</dl>" + (f"<h3>Input files</h3><ul>{inputs}</ul>" if inputs else "<p>No input files recorded.</p>"))


def _closing(provenance: Provenance, genomes: list[str], basis_hint: Optional[str] = None, text: str = "") -> str:
    return _about_section(text) + _provenance_section(provenance, genomes, basis_hint)


def render_html(results, provenance: Provenance) -> str:
    """One self-contained HTML document for one or more sample results."""
    results = list(results)
    genomes = sorted({g for g in (result_genome(r) for r in results) if g})
    names = [result_sample(r) for r in results]
    samples = "".join(_sample_section(r, provenance, i) for i, r in enumerate(results))
    body = (f'<p class="notice-medical" role="note">{_e(MEDICAL_NOTICE)}</p>' + samples
            + _closing(provenance, genomes, next((b for b in map(result_build_basis, results) if b), None), samples))
    return _document("ERBB2 report: " + ", ".join(names), f"<main>{body}</main>")


# ---------------------------------------------------------------------------------------------- cohort

_CATEGORY_LABELS = {
    "mutation_status": "Mutation", "activating_subgroup": "Activating mutation, by subgroup",
    "oncogenicity_class": "Variant class", "amplification_status": "Copy number",
    "amplification_definition": "Amplification definition met", "ihc": "IHC", "co_occurrence": "Together",
}


def _value_label(category: str, value: str) -> str:
    from her2cli.copynumber.definitions import definition_label
    from her2cli.interpret.summary import (
        AMPLIFICATION_STATUS_LABELS, MUTATION_STATUS_LABELS, ONCOGENICITY_LABELS, SUBGROUP_LABELS, label, words)

    if category == "mutation_status":
        return label(MUTATION_STATUS_LABELS, value)
    if category == "activating_subgroup":
        return SUBGROUP_LABELS.get(value, words(value))
    if category == "oncogenicity_class":
        return label(ONCOGENICITY_LABELS, value)
    if category == "amplification_status":
        return label(AMPLIFICATION_STATUS_LABELS, "not assessed" if value == "not_assessed" else value)
    if category == "amplification_definition":
        return definition_label(value)
    return words(value).replace("+", " and ")


def _prevalence_table(counts: list[dict]) -> str:
    """The prevalence rows as computed for cohort.tsv (interpret/prevalence.py): counts, percentages and
    95% Wilson intervals, each with the denominator it was taken over."""
    body, attrs = [], []
    for c in counts:
        n, d = int(c["n_samples"]), int(c["denominator"])
        if d and c.get("percent") not in (None, ""):
            pct = f"{float(c['percent']):.1f}%"
            ci = _nw(f"{float(c['ci95_low']):.1f}-{float(c['ci95_high']):.1f}%")
        else:
            pct, ci = "", "no samples assessed"
        category, value = str(c["category"]), str(c["value"])
        body.append([_e(_CATEGORY_LABELS.get(category, category)), _coded(_e(_value_label(category, value)), value),
                     f'<span class="nw">{n} of {d}</span>', _nw(pct), ci, _e(c.get("denominator_basis") or "")])
        attrs.append(f' data-category="{_e(category)}" data-value="{_e(value)}"')
    return _table(["Category", "Value", "Samples", "Percent", "95% CI (Wilson)", "Counted over"], body,
                  caption="Each category counts over its own denominator (last column): samples whose variants "
                          "were read, samples with copy-number data, samples with an IHC score.", row_attrs=attrs)


def _co_occurrence(counts) -> str:
    """Samples per mutation status and copy-number status (``interpret.summary.CohortCounts.pairs``)."""
    from her2cli.interpret.summary import AMPLIFICATION_STATUS_LABELS, MUTATION_STATUS_LABELS, label
    from her2cli.interpret.verdict import NOT_ASSESSED as CN_NOT_ASSESSED

    mutation_values = sorted({str(m) for m, _ in counts.pairs})
    amp_values = [v for v in ("amplification", "gain", "neutral", "loss", CN_NOT_ASSESSED)
                  if any(a == v for _, a in counts.pairs)]
    body = []
    for m in mutation_values:
        cells = [_nw(counts.pairs.get((m, a), 0)) for a in amp_values]
        body.append([_coded(f"<b>{_e(label(MUTATION_STATUS_LABELS, m))}</b>", m), *cells])
    return _table(["Mutation \\ copy number", *[label(AMPLIFICATION_STATUS_LABELS, a) for a in amp_values]], body,
                  caption="Samples per mutation status (rows) and copy-number status (columns).")


_SAMPLE_HEADERS = ["Sample", "Mutation", "Variants", "Copy number", "Copies", "Ratio to chr17", "Definitions met", "IHC"]


def cohort_sample_row(s: dict, link: Optional[str] = None) -> str:
    """One row of the cohort page's Samples table, from a sample's summary row; ``link``: its page."""
    from her2cli.copynumber.calls import DEFINITIONS
    from her2cli.interpret.summary import AMPLIFICATION_STATUS_LABELS, MUTATION_STATUS_LABELS, label, mutation_basis

    name = str(s.get("sample"))
    mutation = str(s.get("mutation_status") or "")
    amp = str(s.get("amplification_status") or "not assessed")
    met = _split(s.get("amplification_definitions_met"))
    copies = _num(s.get("copy_number"))
    basis = mutation_basis(s) if mutation in ("not_assessed", "not_detected") else ""
    return _tr([
        f'<a href="{_e(link)}">{_ew(name)}</a>' if link else _ew(name),
        _status(mutation, label(MUTATION_STATUS_LABELS, mutation))
        + (f'<br><span class="muted">{_e(basis)}</span>' if basis else ""),
        "<br>".join(_hgvs(m) for m in _split(s.get("mutations"))),
        _status(amp, label(AMPLIFICATION_STATUS_LABELS, amp)),
        _nw(copies) if copies else "", _nw(_num(s.get("ratio_chr17"))),
        _coded(_nw(f"{len(met)} of {len(DEFINITIONS)}"), ";".join(met) or "none") if amp != "not assessed" else "",
        _e(s.get("overexpression")) if str(s.get("overexpression") or "").startswith("IHC") else "not given",
    ], f' data-mutation-status="{_e(mutation)}" data-amplification-status="{_e(amp)}"')


def render_cohort_html(cohort, provenance: Provenance, sample_pages: Optional[dict[str, str]] = None) -> str:
    """The cohort page; ``sample_pages`` maps a sample name to its page's relative link."""
    from her2cli.interpret.summary import count_cohort

    summaries, pages = cohort_summaries(cohort), sample_pages or {}
    rows = (cohort_sample_row(s, pages.get(str(s.get("sample")))) for s in summaries)
    return "".join(cohort_html_chunks(count_cohort(summaries), cohort_counts(cohort), rows, cohort_errors(cohort),
                                      provenance, cohort_genomes(cohort)))


def cohort_html_chunks(counts, prevalence: list[dict], rows: Iterable[str], errors: list[dict],
                       provenance: Provenance, genomes: list[str]) -> Iterable[str]:
    """The cohort page in pieces, the Samples table one row at a time: ``counts`` (an
    ``interpret.summary.CohortCounts`` of the reported samples), the prevalence rows, ``rows`` (each a
    ``cohort_sample_row``, ``counts.n`` of them: a run reads them back from a file), the error records."""
    from her2cli.interpret.evidence import load_evidence

    error_rows = [[_e(e.get("sample")), f"<span class=\"mono\">{_ew(os.path.basename(str(e.get('file') or '')))}</span>",
                   _e(e.get("reason")), _nw(e.get("exit_code"))] for e in errors]
    error_html = _table(["Sample", "File", "Reason", "Exit code"], error_rows) if errors else "<p>No sample failed.</p>"
    table = load_evidence()
    findings = "".join(f"<li>{_e(text)}</li>" for text in counts.sentences(len(errors)))
    yield _document_head("ERBB2 cohort report")
    yield (f'<main><p class="notice-medical" role="note">{_e(MEDICAL_NOTICE)}</p>'
           f"<h1>ERBB2 (HER2) cohort report</h1><p class=\"subtitle\">{counts.n} sample(s) reported, "
           f"{len(errors)} failed &middot; evidence table dated {_nw(table.date)} &middot; generated "
           f"{_nw(provenance.generated)}</p>"
           f'<section class="summary"><h2>Findings</h2><ul class="answer">{findings}</ul></section>'
           f"<h2>Prevalence</h2>{_prevalence_table(prevalence)}"
           f"<h2>Mutation and copy number together</h2>{_co_occurrence(counts)}"
           f"<h2>Samples</h2>")
    yield _table_head(_SAMPLE_HEADERS, counts.n, cls="sortable",
                      caption="One row per sample; click a column heading to sort (optional script; the table "
                              "reads the same without it). Hover 'Definitions met' for their machine names.")
    yield from rows
    yield _TABLE_END
    yield f"<h2>Errors</h2>{error_html}" + _closing(provenance, genomes) + "</main>"
    yield _document_end(SORT_JS)
