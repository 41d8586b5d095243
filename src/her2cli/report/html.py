"""A self-contained HTML report a tumour board reads: one page per sample, one per cohort (issue #15).

``render_html(results, provenance)`` -> one HTML document for one or more samples (inline CSS and SVG,
no network, no script). ``render_cohort_html(cohort, provenance, sample_pages)`` -> the cohort page
(prevalence with 95% Wilson intervals, co-occurrence, a sortable verdict table linking to each
sample's page, the error table). ``write_cohort_report(cohort, directory, provenance, entries, options)``
writes DIR/report.html and DIR/samples/<safe-name>.html, each atomically.

Every string from the data (sample names, file names, notices, variant names) goes through ``_e``
(HTML escaping, quotes included). The library never prints; errors are Her2Error subclasses.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import field
from datetime import datetime, timezone
from html import escape
from typing import Iterable, Optional

from her2cli.errors import InputMissingError, OutputError
from her2cli.values import valueclass


@valueclass
class _RowsResult:
    """A sample rebuilt from the cohort tables, for its own page."""

    sample: str
    rows: list[dict]
    notices: list[str]
    genome: Optional[str]
    summary: dict


# ------------------------------------------------------------------------------------------- adapter
# The only place that knows the shape of a result: results.SampleResult (typed calls, seen here as rows of
# report/columns.ALL_COLUMNS and the verdict as a row of interpret/verdict.SUMMARY_COLUMNS) and
# cohort.runner.CohortResult.


def result_sample(result) -> str:
    return str(result.sample)


def result_rows(result) -> list[dict]:
    """The calls as rows of ALL_COLUMNS, each carrying its typed call under ``_call`` (a sample rebuilt from
    the cohort tables has rows only)."""
    from her2cli.report.columns import alteration_row

    if isinstance(result, _RowsResult):
        return list(result.rows)
    return [{**alteration_row(call), "_call": call} for call in result.calls]


def result_summary(result) -> dict:
    from her2cli.report.columns import verdict_row

    if isinstance(result, _RowsResult):
        return dict(result.summary)
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


def sha256_of(path: str) -> str:
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
    return Provenance(__version__, inputs, build_basis, _option_settings(options, request), generated, options)


# -------------------------------------------------------------------------------------------- helpers


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _ew(value: object) -> str:
    """Escaped, with a line-break opportunity after each underscore and slash (snake_case names and
    HGVS strings are long single words that would otherwise widen table columns past the page)."""
    return _e(value).replace("_", "_<wbr>").replace("/", "/<wbr>")


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


def _table(headers: list[str], rows: list[list[str]], cls: str = "", caption: str = "") -> str:
    """rows hold HTML already escaped by the caller."""
    klass = f' class="{cls}"' if cls else ""
    head = "".join(f'<th scope="col">{_ew(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table{klass}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def safe_name(sample: str, taken: set[str]) -> str:
    """A file-name-safe, unique stem for a sample's page."""
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in sample).strip(".") or "sample"
    name, i = stem, 2
    while name.lower() in taken:
        name, i = f"{stem}_{i}", i + 1
    taken.add(name.lower())
    return name


CSS = """
:root { --ink:#1a1a1a; --muted:#555; --rule:#bbb; --pos:#8b0000; --neg:#1b5e20; --na:#555; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       max-width: 1100px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.2em; border-bottom: 1px solid var(--rule);
     margin-top: 1.6em; } h3 { font-size: 1.05em; margin: .6em 0 .3em; }
.subtitle, .muted, caption { color: var(--muted); }
.notice-medical { border-left: 4px solid #555; padding: .4em .8em; background: #f4f4f4; }
.verdict { border: 2px solid var(--ink); padding: .6em 1em; margin: 1em 0; }
.verdict .mechanisms { display: grid; grid-template-columns: repeat(3, 1fr); gap: .8em; }
.verdict section { border: 1px solid var(--rule); padding: .5em .7em; }
.status { font-weight: 700; overflow-wrap: normal; }
.status.positive { color: var(--pos); } .status.negative { color: var(--neg); } .status.unknown { color: var(--na); }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; font-size: .9em; }
th, td { border: 1px solid var(--rule); padding: .25em .4em; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #eee; } caption { text-align: left; font-size: .9em; padding: .2em 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .5em 0 1em; } figcaption { color: var(--muted); font-size: .9em; }
svg { max-width: 100%; height: auto; display: block; }
code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: .92em; }
th[aria-sort] { cursor: pointer; }
.page-break { break-before: page; }
@media (max-width: 800px) { .verdict .mechanisms { grid-template-columns: 1fr; } }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  table { font-size: 8pt; } h2 { break-after: avoid; }
  tr, .verdict section, figure { break-inside: avoid; }
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
    "Whether the sequencing covered ERBB2 well enough: a variant absent from the VCF is reported as not detected.",
    "Tumour purity and ploidy: they are taken from the inputs or the options, never estimated.",
    "RNA expression and splicing effects beyond naming the variant.",
]


def _document(title: str, body: str, script: str = "") -> str:
    js = f"<script>{script}</script>" if script else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}{js}</body></html>\n")


# ------------------------------------------------------------------------------------------ one sample

_POSITIVE = {"mutated", "activating", "amplification"}
_NEGATIVE = {"not detected", "not_detected", "neutral", "benign_only", "loss"}


def _status(text: object) -> str:
    value = str(text or "not assessed")
    kind = "positive" if value in _POSITIVE else "negative" if value in _NEGATIVE else "unknown"
    return f'<span class="status {kind}">{_e(value)}</span>'


def _ihc_score(summary: dict) -> Optional[str]:
    from her2cli.interpret.verdict import IHC_LABELS

    label = summary.get("overexpression")
    return next((score for score, text in IHC_LABELS.items() if text == label), None)


def _as_call(row: dict):
    """The typed call behind a row: attached by result_rows, rebuilt from the text of a cohort table row."""
    if row.get("_call") is not None:
        return row["_call"]
    from types import SimpleNamespace

    vaf = _float(row.get("vaf"))
    return SimpleNamespace(
        kind=row.get("kind"), filter=row.get("filter") or None, vaf=vaf, consequence=row.get("consequence") or "",
        subgroup=row.get("subgroup") or "other", oncogenicity=row.get("oncogenicity") or None,
        origin=row.get("origin") or None, cn_status=row.get("cn_status"))


def _reportable(rows: list[dict]) -> list[dict]:
    from her2cli.interpret.evidence import is_reportable_mutation

    return [r for r in rows if is_reportable_mutation(_as_call(r))]


def _verdict_box(summary: dict, rows: list[dict]) -> str:
    from her2cli.copynumber.calls import DEFINITIONS

    mutations = _reportable(rows)
    items = []
    for r in mutations:
        extra = [str(r.get("subgroup") or "other")]
        for key in ("oncogenicity", "origin"):
            if r.get(key):
                extra.append(f"{key} {r[key]}")
        if not r.get("oncogenicity"):
            extra.append("oncogenicity not assessed")
        items.append(f"<li><b>{_e(_mutation_name(r))}</b> ({_e(', '.join(extra))})</li>")
    mutation_html = (f"<p>Status: {_status(summary.get('mutation_status'))}</p>"
                     + (f"<ul>{''.join(items)}</ul>" if items else ""))

    cn_rows = [r for r in rows if r.get("kind") == "copy_number"]
    met = _split(summary.get("amplification_definitions_met"))
    if cn_rows:
        cn = next((r for r in cn_rows if r.get("cn_status") == summary.get("amplification_status")), cn_rows[0])
        purity = _float(cn.get("purity"))
        purity_text = f"{purity:g} ({cn.get('purity_source') or 'given'})" if purity is not None else \
            str(cn.get("purity_source") or "none (100% tumour cells assumed)")
        amp_html = (f"<p>Status: {_status(summary.get('amplification_status'))}</p><ul>"
                    f"<li>definitions met: {_e(', '.join(met)) or 'none'} ({len(met)} of {len(DEFINITIONS)})</li>"
                    f"<li>copy number {_e(_num(summary.get('copy_number')))}, ratio to chr17 "
                    f"{_e(_num(summary.get('ratio_chr17')))}, focality {_e(summary.get('focality') or 'n/a')}</li>"
                    f"<li>purity used: {_e(purity_text)}</li></ul>")
    else:
        amp_html = f"<p>Status: {_status('not assessed')}</p><p class=\"muted\">no copy-number input</p>"
    ihc_html = f"<p>{_status(summary.get('overexpression'))}</p>"
    return (f'<section class="verdict" aria-labelledby="verdict-h"><h2 id="verdict-h">Verdict</h2>'
            f'<div class="mechanisms">'
            f"<section><h3>Mutation</h3>{mutation_html}</section>"
            f"<section><h3>Amplification</h3>{amp_html}</section>"
            f"<section><h3>Overexpression (IHC)</h3>{ihc_html}</section></div>"
            f"<p>Co-occurrence: <b>{_e(summary.get('co_occurring') or 'none')}</b></p></section>")


# Issue #9 fields, shown when the rows carry them.
_OPTIONAL_VARIANT_COLUMNS = [("oncogenicity", "oncogenicity"), ("oncogenicity_points", "SOP points"),
                             ("oncogenicity_criteria", "SOP criteria"), ("oncogenicity_basis", "basis"),
                             ("origin", "origin"), ("population_af", "population AF"), ("amp_tier", "AMP tier")]


def _variants_table(rows: list[dict]) -> str:
    mutations = [r for r in rows if r.get("kind") == "mutation"]
    if not mutations:
        return "<p>No ERBB2 variant reported from the VCF (or no VCF given).</p>"
    counted = {id(r) for r in _reportable(mutations)}
    optional = [(key, title) for key, title in _OPTIONAL_VARIANT_COLUMNS if any(r.get(key) not in (None, "") for r in mutations)]
    headers = ["protein", "cDNA / genomic", "legacy alias", "exon", "consequence", "subgroup",
               *[title for _, title in optional], "VAF (alt/depth)", "caller convention", "filter, flags", "counted"]
    body = []
    for r in mutations:
        exon = f"exon {r['exon']}" if r.get("exon") else (f"intron {r['intron']}" if r.get("intron") else "")
        depth = f" ({_e(r.get('alt_depth') or '')}/{_e(r.get('depth'))})" if r.get("depth") not in (None, "") else ""
        body.append([
            f"<b>{_ew(r.get('hgvs_p_short') or '')}</b><br><span class=\"mono\">{_ew(r.get('hgvs_p') or '')}</span>",
            f"<span class=\"mono\">{_ew(r.get('hgvs_c') or '')}<br>{_ew(r.get('hgvs_g') or '')}</span>",
            _ew(r.get("legacy_name") or ""), _ew(exon), _ew(r.get("consequence") or ""), _ew(r.get("subgroup") or ""),
            *[_ew(r.get(key) if r.get(key) is not None else "") for key, _ in optional],
            _e(_num(r.get("vaf"))) + depth, _e(r.get("caller_format") or ""),
            _e(", ".join(v for v in (str(r.get("filter") or ""), str(r.get("flags") or "")) if v)),
            "yes" if id(r) in counted else "no",
        ])
    return _table(headers, body, caption="One row per ERBB2 allele; names on NM_004448.4 / NP_004439.2. "
                                         "'counted': counts towards the mutation verdict (protein-altering, "
                                         "passing FILTER, alt reads present).")


def _cn_table(rows: list[dict]) -> str:
    from her2cli.copynumber.calls import DEFINITIONS

    cn_rows = [r for r in rows if r.get("kind") == "copy_number"]
    if not cn_rows:
        return "<p>No copy-number input.</p>"
    headers = ["status", "copy number", "ratio to chr17 (baseline)", "ploidy, purity", *DEFINITIONS, "focality",
               "co-amplified genes", "input format"]
    body = []
    for r in cn_rows:
        met = set(_split(r.get("calls")))
        purity = _num(r.get("purity"))
        purity_text = f"{purity} ({r.get('purity_source') or 'given'})" if purity else str(r.get("purity_source") or "none")
        size = f" ({_e(r.get('amplicon_size'))} bp)" if r.get("amplicon_size") not in (None, "") else ""
        body.append([
            _status(r.get("cn_status")),
            f"{_e(_num(r.get('copy_number')))}<br><span class=\"muted\">tumour cells {_e(_num(r.get('tumour_copy_number')))}, "
            f"log2 {_e(_num(r.get('log2')))}</span>",
            f"{_e(_num(r.get('ratio_chr17')))} ({_e(_num(r.get('chr17_baseline')))})",
            f"ploidy {_e(_num(r.get('ploidy')))}<br>purity {_e(purity_text)}",
            *["&#10003; met" if name in met else "&#8212; not met" for name in DEFINITIONS],
            _e(r.get("focality") or "") + size,
            _ew(", ".join(_split(r.get("co_amplified_genes"), ","))), _e(r.get("segment_format") or ""),
        ])
    return _table(headers, body, caption="Every named amplification definition side by side "
                                         "(rules and sources: docs/html-report.md and copynumber/calls.py).")


def _evidence_section(summary: dict, rows: list[dict]) -> str:
    from her2cli.interpret.evidence import (
        AMPLIFICATION,
        IHC_3PLUS,
        MISSENSE_QUALIFIER,
        load_evidence,
        match_call,
        match_ihc,
    )

    table = load_evidence()
    matched: dict[str, tuple[object, list[str], list[str]]] = {}
    for r in rows:
        for line in match_call(_as_call(r), table):
            if r.get("kind") == "mutation":
                what = _mutation_name(r)
                sub = str(r.get("subgroup") or "other")
                rule = next((t for t in line.eligibility if t in (sub, sub + MISSENSE_QUALIFIER)), sub)
            else:
                what, rule = "ERBB2 amplification", AMPLIFICATION
            entry = matched.setdefault(line.id, (line, [], []))
            if what not in entry[1]:
                entry[1].append(what)
            if rule not in entry[2]:
                entry[2].append(rule)
    for line in match_ihc(_ihc_score(summary), table):
        entry = matched.setdefault(line.id, (line, [], []))
        entry[1].append("IHC 3+")
        entry[2].append(IHC_3PLUS)
    date = f"Evidence table dated {table.date} (version {table.version})."
    if not matched:
        return f"<p>No therapy evidence line matched. {_e(date)}</p>"
    body = []
    for line_id in [ln.id for ln in table.lines if ln.id in matched]:
        line, what, rules = matched[line_id]
        level = f", OncoKB {line.level}" if line.level else ""
        body.append([f"<b>{_e(line.therapy)}</b>", _ew(", ".join(what)), f"<code>{_ew(', '.join(rules))}</code>",
                     f"<b>{_e(line.status)}</b><br>{_e(line.setting)}", f"{_e(line.evidence)}{_e(level)}<br>{_e(line.date)}",
                     _e(line.source), _e(line.notes)])
    return (f"<p>{_e(date)} Lines are matched by the eligibility rule each line states; a matched line is "
            "published evidence, not a recommendation.</p>"
            + _table(["therapy", "alteration", "eligibility rule met", "status, setting", "evidence, date", "source",
                      "notes"], body, cls="evidence"))


def _segments_for(sample: str, cn_row: dict, provenance: Provenance) -> Optional[tuple[list, bool]]:
    """(chr17 segments in copies, log2 input?) re-read from the segment inputs, or None."""
    from her2cli import copynumber
    from her2cli.copynumber.segments import LOG2
    from her2cli.report.plots import _segments_in_copies as segments_in_copies

    options = provenance.options
    for item in provenance.inputs:
        if item.role != "segments":
            continue
        tables = copynumber.read_segment_file(item.path, getattr(options, "segment_format", None),
                                              getattr(options, "log_base", None), sample=None)
        chosen = tables[0] if len(tables) == 1 else next((t for t in tables if t.sample == sample), None)
        if chosen is not None:
            return segments_in_copies(chosen, cn_row), chosen.unit == LOG2
    return None


def _pictures(sample: str, rows: list[dict], genome: Optional[str], provenance: Provenance, uid: str) -> str:
    from her2cli.report.svg import copy_number_svg, lollipop_svg

    out = [f"<figure>{lollipop_svg(rows, title=f'{sample}: ERBB2 mutations on the protein', uid=uid + '-lol')}"
           "<figcaption>ERBB2 protein (NP_004439.2, UniProt P04626 domains). Head shape and colour both give the "
           "subgroup; labels of the exon 20 cluster are in the zoom panel.</figcaption></figure>"]
    cn_rows = [r for r in rows if r.get("kind") == "copy_number"]
    if cn_rows and genome:
        loaded = _segments_for(sample, cn_rows[0], provenance)
        if loaded and loaded[0]:
            segments, log2_input = loaded
            out.append(f"<figure>{copy_number_svg(segments, cn_rows[0], genome, getattr(provenance.options, 'thresholds', None), log2_input, uid=uid + '-cn')}"
                       "<figcaption>chr17 copy number per tumour cell; each amplification definition's threshold is "
                       "a labelled line (definitions with equal thresholds share a line and a label).</figcaption></figure>")
        else:
            out.append("<p class=\"muted\">chr17 profile not drawn: the segment file is not available to this "
                       "report.</p>")
    return "".join(out)


def _provenance_section(provenance: Provenance, genomes: list[str], basis_hint: Optional[str]) -> str:
    from her2cli.reference.transcript import load_transcript

    tx = load_transcript()
    inputs = [[_e(i.role), f"<span class=\"mono\">{_e(os.path.basename(i.path))}</span>",
               f"<span class=\"mono\">{_e(i.sha256)}</span>"] for i in provenance.inputs]
    basis = provenance.build_basis or ("given with --genome" if "genome" in provenance.settings else
                                       basis_hint or "from the VCF header (##contig lengths, ##reference, "
                                       "##assembly) or the segment coordinates")
    settings = ", ".join(f"{k} = {v}" for k, v in provenance.settings.items()) or "defaults"
    return (f"<dl><dt>Tool</dt><dd>her2cli {_e(provenance.tool_version)}</dd>"
            f"<dt>Generated</dt><dd>{_e(provenance.generated)}</dd>"
            f"<dt>Genome build</dt><dd>{_e(', '.join(genomes) or 'not determined')} ({_e(basis)})</dd>"
            f"<dt>Transcript</dt><dd>{_e(tx.accession)} / {_e(tx.protein_accession)}</dd>"
            f"<dt>Options</dt><dd>{_e(settings)}</dd></dl>"
            + (_table(["input", "file", "SHA-256"], inputs) if inputs else "<p>No input files recorded.</p>"))


def _sample_section(result, provenance: Provenance, index: int) -> str:
    sample, rows, summary = result_sample(result), result_rows(result), result_summary(result)
    notices = result_notices(result)
    uid = f"s{index}"
    notice_html = ("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notices) + "</ul>") if notices else "<p>None.</p>"
    return (f'<article class="sample" aria-labelledby="{uid}-h"><h1 id="{uid}-h">ERBB2 (HER2) report: {_e(sample)}</h1>'
            f'<p class="subtitle">Non-small-cell lung cancer; genome {_e(result_genome(result) or "not determined")}</p>'
            + _verdict_box(summary, rows)
            + f"<h2>Variants</h2>{_variants_table(rows)}"
            + f"<h2>Copy number</h2>{_cn_table(rows)}"
            + f"<h2>Pictures</h2>{_pictures(sample, rows, result_genome(result), provenance, uid)}"
            + f"<h2>Therapy evidence matched</h2>{_evidence_section(summary, rows)}"
            + f"<h2>Notices</h2>{notice_html}</article>")


def _closing(provenance: Provenance, genomes: list[str], basis_hint: Optional[str] = None) -> str:
    items = "".join(f"<li>{_e(text)}</li>" for text in NOT_ASSESSED)
    return (f"<h2>What this report does not assess</h2><ul>{items}</ul>"
            f"<h2>Provenance</h2>{_provenance_section(provenance, genomes, basis_hint)}")


def render_html(results, provenance: Provenance) -> str:
    """One self-contained HTML document for one or more sample results."""
    results = list(results)
    genomes = sorted({g for g in (result_genome(r) for r in results) if g})
    names = [result_sample(r) for r in results]
    body = (f'<p class="notice-medical" role="note">{_e(MEDICAL_NOTICE)}</p>'
            + "".join(_sample_section(r, provenance, i) for i, r in enumerate(results))
            + _closing(provenance, genomes, next((b for b in map(result_build_basis, results) if b), None)))
    return _document("ERBB2 report: " + ", ".join(names), f"<main>{body}</main>")


# ---------------------------------------------------------------------------------------------- cohort


def _prevalence_table(counts: list[dict]) -> str:
    """The prevalence rows as computed for cohort.tsv (interpret/prevalence.py): counts, percentages and
    95% Wilson intervals, each with the denominator it was taken over."""
    body = []
    for c in counts:
        n, d = int(c["n_samples"]), int(c["denominator"])
        if d and c.get("percent") not in (None, ""):
            pct, ci = f"{float(c['percent']):.1f}%", f"{float(c['ci95_low']):.1f}-{float(c['ci95_high']):.1f}%"
        else:
            pct, ci = "", "no samples assessed"
        body.append([_e(c["category"]), _e(c["value"]), f'<span class="num">{n}</span>', str(d), pct, ci,
                     _e(c.get("denominator_basis") or "")])
    return _table(["category", "value", "samples", "of", "percent", "95% CI (Wilson)", "denominator"], body,
                  caption="Each category counts over its own denominator (last column): samples whose variants "
                          "were read, samples with copy-number data, samples with an IHC score.")


def _co_occurrence(summaries: list[dict]) -> str:
    from her2cli.interpret.verdict import NOT_ASSESSED as CN_NOT_ASSESSED

    mutation_values = sorted({str(s.get("mutation_status")) for s in summaries})
    amp_values = [v for v in ("amplification", "gain", "neutral", "loss", CN_NOT_ASSESSED)
                  if any(s.get("amplification_status") == v for s in summaries)]
    body = []
    for m in mutation_values:
        cells = [str(sum(s.get("mutation_status") == m and s.get("amplification_status") == a for s in summaries))
                 for a in amp_values]
        body.append([f"<b>{_e(m)}</b>", *cells])
    return _table(["mutation \\ amplification", *amp_values], body,
                  caption="Samples per mutation status (rows) and amplification status (columns).")


def render_cohort_html(cohort, provenance: Provenance, sample_pages: Optional[dict[str, str]] = None) -> str:
    """The cohort page; ``sample_pages`` maps a sample name to its page's relative link."""
    from her2cli.interpret.evidence import load_evidence

    summaries, errors = cohort_summaries(cohort), cohort_errors(cohort)
    pages = sample_pages or {}
    rows = []
    for s in summaries:
        name = str(s.get("sample"))
        link = f'<a href="{_e(pages[name])}">{_ew(name)}</a>' if name in pages else _ew(name)
        rows.append([link, _status(s.get("mutation_status")), _ew(s.get("mutations") or ""),
                     _ew(s.get("mutation_subgroups") or ""), _status(s.get("amplification_status")),
                     _ew(", ".join(_split(s.get("amplification_definitions_met")))), _e(s.get("copy_number") or ""),
                     _e(s.get("ratio_chr17") or ""), _e(s.get("overexpression") or ""), _e(s.get("co_occurring") or "")])
    verdicts = _table(["sample", "mutation", "mutations", "subgroups", "amplification", "definitions met",
                       "copy number", "ratio to chr17", "IHC", "co-occurring"], rows, cls="sortable",
                      caption="Click a column heading to sort (optional script; the table reads the same without it).")
    error_rows = [[_e(e.get("sample")), f"<span class=\"mono\">{_ew(e.get('file'))}</span>", _e(e.get("reason")),
                   _e(e.get("exit_code"))] for e in errors]
    error_html = _table(["sample", "file", "reason", "exit code"], error_rows) if errors else "<p>No sample failed.</p>"
    n_ok = len(summaries)
    table = load_evidence()
    body = (f'<p class="notice-medical" role="note">{_e(MEDICAL_NOTICE)}</p>'
            f"<h1>ERBB2 (HER2) cohort report</h1><p class=\"subtitle\">{n_ok} sample(s) reported, {len(errors)} failed; "
            f"evidence table dated {_e(table.date)}</p>"
            f"<h2>Prevalence</h2>{_prevalence_table(cohort_counts(cohort))}"
            f"<h2>Co-occurrence</h2>{_co_occurrence(summaries)}"
            f"<h2>Samples</h2>{verdicts}"
            f"<h2>Errors</h2>{error_html}"
            + _closing(provenance, sorted({str(r["genome"]) for r in cohort_rows(cohort) if r.get("genome")})))
    return _document("ERBB2 cohort report", f"<main>{body}</main>", SORT_JS)


def write_cohort_report(cohort, directory: str, provenance: Provenance, entries=None, options=None) -> list[str]:
    """Write DIR/report.html and DIR/samples/<safe-name>.html (one per reported sample), each atomically.
    ``entries`` (cohort.runner.SheetEntry list) give each sample page its input checksums and chr17 picture."""
    from her2cli.io.atomic import write_atomic

    try:
        os.makedirs(os.path.join(directory, "samples"), exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the report directory: {exc.strerror}", path=directory) from None
    by_sample: dict[str, list[dict]] = {}
    for row in cohort_rows(cohort):
        by_sample.setdefault(str(row.get("sample")), []).append(row)
    notices: dict[str, list[str]] = {}
    for sample, notice in cohort_notices(cohort):
        notices.setdefault(sample, []).append(notice)
    entry_of = {e.sample: e for e in (entries or [])}
    taken: set[str] = set()
    pages: dict[str, str] = {}
    written = []
    for summary in cohort_summaries(cohort):
        sample = str(summary.get("sample"))
        rows = by_sample.get(sample, [])
        genome = next((str(r["genome"]) for r in rows if r.get("genome")), None)
        entry = entry_of.get(sample)
        sample_provenance = make_provenance(entry.vcf, entry.segments, options, entry) if entry else provenance
        result = _RowsResult(sample, rows, notices.get(sample, []), genome, summary)
        relative = f"samples/{safe_name(sample, taken)}.html"
        path = os.path.join(directory, relative)
        write_atomic(path, render_html([result], sample_provenance))
        pages[sample] = relative
        written.append(path)
    report = os.path.join(directory, "report.html")
    write_atomic(report, render_cohort_html(cohort, provenance, pages))
    return [report] + written
