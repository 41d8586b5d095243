"""The page a tumour board reads (issue 25): the answer first in sentences, human labels, readable tables,
print, provenance; the same for the cohort page.

Expected values come from outside the code:
- sample_data/tumour.vcf + tumour.cns: the YVMA insertion (c.2313_2324dup, p.Y772_A775dup, legacy
  A775_G776insYVMA; ClinVar/VEP), somatic (0/120 reads in the normal); ERBB2 log2 2.0 in a diploid sample =
  2 x 2^2 = 8 copies, ratio 8 / 2 = 4 (hand computed); the issue's own reading of this sample: "somatic YVMA
  exon 20 insertion, oncogenic; focal amplification, 8 copies; approved options: T-DXd, zongertinib,
  sevabertinib", with poziotinib's refusal (FDA CRL 2022-11-25) and afatinib "not standard" apart.
- G660D: GRCh38 chr17:39723351 G>A (tests/data/published_variants.tsv, Genome Nexus/VEP), given here as
  heterozygous in both tumour and normal: germline.
- Therapy groups: the evidence table's `status` column (approved / off-label / investigational / negative,
  not standard) as the table's own header defines it.
- Word breaks: measured in Chromium's layout (each word's boxes of a table cell on one line).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from her2cli.cli import run
from her2cli.interpret.summary import summary_sentences, summary_text, therapy_groups
from her2cli.pipeline import Options, SampleRequest, run_sample
from her2cli.report.html import make_provenance, render_html

REPO = Path(__file__).resolve().parents[1]
SAMPLE_VCF, SAMPLE_CNS = REPO / "sample_data" / "tumour.vcf", REPO / "sample_data" / "tumour.cns"
COHORT_SEG = REPO / "sample_data" / "cohort.seg"
CHROMIUM = shutil.which("chromium")
PDFTOTEXT = shutil.which("pdftotext")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium')")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (Debian 'poppler-utils')")

HEADER = [line for line in SAMPLE_VCF.read_text().splitlines() if line.startswith("#")]


def _vcf(tmp_path: Path, name: str, records: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(HEADER + records) + "\n")
    return path


def germline_only(tmp_path) -> Path:
    # G660D heterozygous in tumour and normal (columns PATIENT1_TUMOUR, PATIENT1_NORMAL).
    return _vcf(tmp_path, "germline.vcf", [
        "chr17\t39723351\t.\tG\tA\t.\tPASS\tDP=200\tGT:AD:AF:DP\t0/1:50,50:0.5:100\t0/1:48,52:0.52:100"])


def no_erbb2_variant(tmp_path) -> Path:
    return _vcf(tmp_path, "noerbb2.vcf", [line for line in SAMPLE_VCF.read_text().splitlines()
                                          if line.startswith(("chr1\t", "chr22\t"))])


def _sample(vcf=None, segments=()):
    request, options = SampleRequest(vcf=str(vcf) if vcf else None, segments=[str(s) for s in segments]), Options()
    results = run_sample(request, options)
    return results, render_html(results, make_provenance(request.vcf, request.segments, options, request))


# ------------------------------------------------------------------------------------------- sentences


def test_summary_sentences_of_the_sample_data():
    results, _ = _sample(SAMPLE_VCF, [SAMPLE_CNS])
    result = results[0]
    text = summary_text(result.verdict, result.mutations)
    # likely oncogenic by the SOP: OS2 + OM1 + OM2 = 8 points (no seen hotspot count for the duplication)
    assert "ERBB2 exon 20 insertion p.Y772_A775dup (YVMA): somatic, likely oncogenic" in text
    assert "Focal ERBB2 amplification, about 8 copies per tumour cell; ERBB2/chr17 ratio 4" in text
    assert "Tumour purity was not given" in text  # a log ratio read as pure: said, not hidden
    assert "IHC) was not given" in text
    approved = next(s.text for s in summary_sentences(result.verdict, result.mutations)
                    if s.text.startswith("Approved in NSCLC:"))
    for therapy in ("T-DXd", "zongertinib", "sevabertinib"):
        assert therapy in approved
    for outsider in ("poziotinib", "afatinib", "pyrotinib", "T-DM1"):
        assert outsider not in approved
    negative = next(s.text for s in summary_sentences(result.verdict, result.mutations)
                    if s.text.startswith("Tested and negative:"))
    assert "poziotinib (FDA ODAC, 2L+, 2022-09-22 / FDA CRL, 2L+, 2022-11-25)" in negative
    assert "afatinib" in negative
    # Each option carries its level and date: T-DXd's FDA approval for HER2-mutant NSCLC, OncoKB level 1.
    assert "T-DXd (FDA, OncoKB level 1, 2L+, 2022-08-11" in approved


def test_groups_follow_the_evidence_table_status():
    from her2cli.interpret.evidence import load_evidence

    groups = {key: [line.status for _, lines in therapies for line in lines]
              for key, _, therapies in therapy_groups(load_evidence().lines)}
    assert set(groups["approved"]) == {"approved"} and set(groups["guideline"]) == {"off-label"}
    assert set(groups["investigational"]) == {"investigational"}
    assert set(groups["negative"]) == {"negative", "not standard"}


def test_germline_only_sample_gets_no_therapy(tmp_path):
    results, html = _sample(germline_only(tmp_path))
    verdict = results[0].verdict
    assert verdict.mutation_status == "germline_only"
    text = summary_text(verdict, results[0].mutations)
    assert "ERBB2 transmembrane/juxtamembrane mutation p.G660D: germline" in text
    # germline from the matched normal: inherited, no line; never "not a tumour driver" (a germline G660D can
    # drive a lung cancer: Pahuja 2018, docs/oncogenicity.md Limits)
    assert "inherited (germline): no therapy is matched to it" in text and "not a tumour driver" not in text
    assert "Approved in NSCLC:" not in text and "Copy number was not assessed: no segment file was given." in text
    assert 'data-group="approved"><h3>Approved in NSCLC</h3><p class="muted">none matched</p>' in html


def test_amplification_only_sample(tmp_path):
    results, html = _sample(no_erbb2_variant(tmp_path), [SAMPLE_CNS])
    text = summary_text(results[0].verdict, results[0].mutations)
    assert text.startswith("No protein-changing ERBB2 mutation was found in the variant file")
    assert "Focal ERBB2 amplification, about 8 copies per tumour cell" in text
    # Amplification in NSCLC: T-DXd is OncoKB 3A (investigational), T-DM1 failed in NCI-MATCH arm Q.
    assert "Approved in NSCLC" not in text
    assert "Investigational: T-DXd (OncoKB level 3A, 2L+, 2024-05, for the amplification)" in text
    assert "Tested and negative: T-DM1 (phase 2, 2L+, 2019-11-01, for the amplification)" in text


def test_not_assessed_sample_says_what_and_why():
    results, html = _sample(None, [COHORT_SEG])
    neutral = next(r for r in results if r.sample == "S2_neutral")
    text = summary_text(neutral.verdict, neutral.mutations)
    assert text.startswith("Mutations were not assessed: no variant file was given.")
    assert "No ERBB2 copy-number change, about 2 copies per tumour cell" in text
    assert "meets none of the 6 amplification definitions" in text
    # Nothing is said to be absent that was not looked for.
    assert "No therapy option matched: mutations were not assessed; ERBB2 is not amplified; IHC was not given." in text
    assert "No variant file was given: mutations were not assessed." in html


def test_json_summary_text_and_terminal_top_say_the_same(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert run(["annotate", str(SAMPLE_VCF), "--segments", str(SAMPLE_CNS), "--summary", "-q", "-o", str(out)]) == 0
    document = json.loads(out.read_text())
    summary = document["samples"][0]["summary"]
    assert summary["summary_text"].startswith("ERBB2 exon 20 insertion p.Y772_A775dup (YVMA)")
    from jsonschema import validate

    from her2cli.report.json_report import json_schema

    validate(document, json_schema())
    assert run(["annotate", str(SAMPLE_VCF), "--segments", str(SAMPLE_CNS), "-f", "table", "-q"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("Summary: PATIENT1_TUMOUR")
    flat = " ".join(table[:table.index("╭")].split())
    for sentence in re.split(r"(?<=\.) (?=[A-Z])", summary["summary_text"]):
        assert sentence.split(";")[0] in flat, sentence


def test_page_labels_keep_codes_as_attributes():
    _, html = _sample(SAMPLE_VCF, [SAMPLE_CNS])
    # Outside the collapsed "all fields" block (the TSV's values, verbatim) no machine code shows.
    page = re.sub(r"<details>.*?</details>", "", html.split("</style>")[1], flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", page)
    for code in ("cn_ge_6;ratio_ge_2", "purity assumed_1", "AD+AF", "exon20_insertion", "copynumber/calls.py"):
        assert code not in visible, code
    assert 'title="exon20_insertion"' in html or 'data-subgroup="exon20_insertion"' in html
    assert 'data-definition="ratio_ge_2"' in html and "ERBB2/chr17 ratio &gt;= 2" in html
    # The approved options come first, in their own box, before any table.
    assert html.index("Approved in NSCLC") < html.index("<table")
    # Provenance in words: checksum of each input, tool version, evidence table date, genome, transcript.
    import hashlib

    for path in (SAMPLE_VCF, SAMPLE_CNS):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in html
    for text in ("Evidence table</dt><dd>version", "NM_004448.4 (MANE Select) / NP_004439.2", "her2cli 0.1.0",
                 "About this report", "What this report does not assess"):
        assert text in html, text
    # [R] marks are explained where they appear, and only there (the evidence table has none left since its
    # rows were checked against their sources).
    explained = "[R] after a source or note: recalled during curation" in html
    assert explained == ("[R]" in html.replace("[R] after a source or note", ""))


def _cohort(tmp_path) -> Path:
    """20 samples: sample_data, germline-only, amplification-only, and VCF-only copies."""
    germ, noerbb2 = germline_only(tmp_path), no_erbb2_variant(tmp_path)
    lines = ["sample\tvcf\tsegments"]
    for i in range(20):
        kind = i % 4
        vcf, seg = [(SAMPLE_VCF, SAMPLE_CNS), (germ, ""), (noerbb2, SAMPLE_CNS), (SAMPLE_VCF, "")][kind]
        lines.append(f"P{i + 1:02d}\t{vcf}\t{seg}")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("\n".join(lines) + "\n")
    out = tmp_path / "cohort"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == 0
    return out / "report.html"


def test_cohort_report_opens_with_its_findings(tmp_path):
    html = _cohort(tmp_path).read_text()
    findings = html[html.index("<h2>Findings</h2>"):html.index("<h2>Prevalence</h2>")]
    # By construction: 10 of 20 samples carry YVMA (kinds 0 and 3); 10 have segments (kinds 0 and 2), all
    # amplified; 5 (kind 1) carry only a germline variant; kind 0 has both.
    assert "20 samples reported, none failed." in findings
    assert "An activating ERBB2 mutation was found in 10 of 20 (50%) samples whose variants were read " \
           "(10 exon 20 insertion)." in findings
    assert "5 samples had germline variants only" in findings
    assert "ERBB2 was amplified in 10 of 10 (100%) samples with copy-number data." in findings
    assert "5 samples had both an activating mutation and an amplification." in findings
    assert 'data-category="amplification_definition" data-value="cn_ge_6"' in html
    # The mutation statuses of samples whose variants were read add up to all of them (germline-only too).
    rows = [line.split("\t") for line in (tmp_path / "cohort" / "cohort.tsv").read_text().splitlines()[1:]]
    read = {r[1]: int(r[2]) for r in rows if r[0] == "mutation_status" and r[1] != "not_assessed"}
    assert read["germline_only"] == 5 and sum(read.values()) == 20


# --------------------------------------------------------------------------------------------- browser

# Marks every table cell word (text between spaces, within one text node: a <wbr> starts a new node) that
# wraps anywhere but after the hyphen of a compound word ("non-squamous", "HER2-positive" may wrap as prose
# does; "2022-08-11", "T-DXd", a name or a number never); <details> blocks are opened first so
# that they are measured too.
MEASURE = """<script>
document.querySelectorAll('details').forEach(function (d) { d.open = true; });
var broken = [];
function bottom(node, i) {
  var r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
  var rects = r.getClientRects(); return rects.length ? Math.round(rects[0].bottom) : null;
}
document.querySelectorAll('td, th').forEach(function (cell) {
  var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), node;
  while ((node = walker.nextNode())) {
    var re = /\\S+/g, m;
    while ((m = re.exec(node.data))) {
      var word = m[0], last = bottom(node, m.index);
      for (var i = 1; i < word.length; i++) {
        var here = bottom(node, m.index + i);
        if (here !== null && last !== null && here !== last) {
          var ok = word[i - 1] === '-' && /[A-Za-z0-9]{2}$/.test(word.slice(0, i - 1))
                   && /^[A-Za-z]{3}/.test(word.slice(i));
          if (!ok) { broken.push(word); break; }
        }
        if (here !== null) last = here;
      }
    }
  }
});
document.body.setAttribute('data-measured', String(document.querySelectorAll('td, th').length));
document.body.setAttribute('data-broken', JSON.stringify(broken));
var wide = [];
document.querySelectorAll('.scroll').forEach(function (box) {
  if (box.scrollWidth > box.clientWidth + 1) wide.push(box.querySelector('th').textContent);
});
document.body.setAttribute('data-wide', JSON.stringify(wide));
</script></body>"""

SQUEEZE = ("<style>td, th { width: 2em; max-width: 2em; overflow-wrap: anywhere; word-break: break-all; }"
           " .nw { white-space: normal !important; }</style>")


def _chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path)


def measure(tmp_path: Path, page: Path, width: int, squeeze: str = "") -> tuple[list[str], list[str]]:
    """(words broken inside, first header of each table wider than its box) in a window ``width`` px wide."""
    probe = page.with_name(page.stem + f"-probe{width}.html")
    probe.write_text(page.read_text().replace("</head>", squeeze + "</head>").replace("</body>", MEASURE))
    dom = _chromium(tmp_path, probe, f"--window-size={width},2000", "--dump-dom").stdout
    measured = re.search(r'data-measured="(\d+)"', dom)
    assert measured and int(measured.group(1)) > 0, "the probe did not run"
    found = [json.loads(re.search(f'data-{key}="([^"]*)"', dom).group(1).replace("&quot;", '"'))
             for key in ("broken", "wide")]
    return found[0], found[1]


def broken_words(tmp_path: Path, page: Path, width: int, squeeze: str = "") -> list[str]:
    return measure(tmp_path, page, width, squeeze)[0]


def _pages(tmp_path) -> dict[str, Path]:
    pages = {}
    for name, vcf, segments in (("sample_data", SAMPLE_VCF, [SAMPLE_CNS]),
                                ("germline_only", germline_only(tmp_path), []),
                                ("amplification_only", no_erbb2_variant(tmp_path), [SAMPLE_CNS]),
                                ("not_assessed", None, [COHORT_SEG])):
        page = tmp_path / f"{name}.html"
        page.write_text(_sample(vcf, segments)[1])
        pages[name] = page
    pages["cohort"] = _cohort(tmp_path)
    return pages


@needs_chromium
def test_no_table_cell_breaks_inside_a_word_and_no_table_overflows_at_1300_and_800_px(tmp_path):
    pages = _pages(tmp_path)
    # The measure sees a break: columns squeezed to 2 em split words, names and numbers.
    squeezed = broken_words(tmp_path, pages["sample_data"], 1300, SQUEEZE)
    assert len(squeezed) > 20 and "2018" in squeezed and "G776insYVMA" in squeezed
    for name, page in pages.items():
        for width in (1300, 800):
            broken, wide = measure(tmp_path, page, width)
            assert broken == [], (name, width)
            # Every table fits the window: the "all fields" block may scroll, nothing a reader needs does.
            assert [header for header in wide if header != "field"] == [], (name, width)


@needs_chromium
@needs_pdftotext
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_first_page_holds_the_summary_and_verdict(tmp_path, paper):
    out = tmp_path / "report.pdf"
    code = run(["annotate", str(SAMPLE_VCF), "--segments", str(SAMPLE_CNS), "-q", "--paper", paper, "-o", str(out)])
    assert code == 0 and out.read_bytes()[:5] == b"%PDF-"
    first = subprocess.run([PDFTOTEXT, "-layout", "-f", "1", "-l", "1", str(out), "-"], capture_output=True,
                           text=True, check=True).stdout
    flat = " ".join(first.split())
    for text in ("ERBB2 (HER2) report: PATIENT1_TUMOUR", "Summary", "p.Y772_A775dup (YVMA)",
                 "Focal ERBB2 amplification", "Approved in NSCLC", "T-DXd", "zongertinib", "sevabertinib",
                 "Tested and negative", "Verdict: the three HER2 mechanisms", "Protein overexpression (IHC)"):
        assert text in flat, (paper, text)
    info = subprocess.run([shutil.which("pdfinfo") or "pdfinfo", str(out)], capture_output=True, text=True).stdout
    size = "A4" if paper == "A4" else "letter"
    assert f"({size})" in info, info


@needs_chromium
@needs_pdftotext
def test_cohort_page_prints_with_its_findings_first(tmp_path):
    from her2cli.report.pdf import print_to_pdf, with_paper

    report = _cohort(tmp_path)
    out = tmp_path / "cohort.pdf"
    print_to_pdf(with_paper(report.read_text(), "A4"), str(out))
    first = " ".join(subprocess.run([PDFTOTEXT, "-f", "1", "-l", "1", str(out), "-"], capture_output=True,
                                    text=True, check=True).stdout.split())
    assert "ERBB2 (HER2) cohort report" in first and "Findings" in first and "20 samples reported" in first


def test_pdf_without_chromium_is_a_clear_output_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "report.pdf"
    assert run(["annotate", str(SAMPLE_VCF), "-q", "-o", str(out)]) == 7
    err = capsys.readouterr().err
    assert "headless Chromium is not installed" in err and "report.pdf" in err
    assert not out.exists()
    assert run(["annotate", str(SAMPLE_VCF), "-q", "--paper", "A5", "-o", str(out)]) == 2


def test_fields_of_other_helpers_show_when_present():
    """amp_tier / oncogenicity_points (the SOP engine) and assessment_basis (coverage) are read when a result
    carries them, and the page works without them (every test above)."""
    results, _ = _sample(SAMPLE_VCF, [SAMPLE_CNS])
    result = results[0]
    yvma = result.mutations[0]
    object.__setattr__(yvma, "amp_tier", "I")
    object.__setattr__(yvma, "oncogenicity_points", 12)
    assert "somatic, likely oncogenic, variant allele fraction 26%, AMP/ASCO/CAP tier I" in summary_text(result.verdict,
                                                                                                  result.mutations)
    html = render_html([result], make_provenance())
    assert "12 points, AMP tier I</span>" in html  # under the class: more columns overflow at 800 px


# ----------------------------------------------------- what a negative rests on, where the verdict is read


def _mutation_card(html: str) -> str:
    return html.split("<h3>Mutation</h3>", 1)[1].split("</section>", 1)[0]


def test_verdict_card_of_an_unqualified_negative_says_coverage_not_given(tmp_path):
    # Issue 22: without coverage input, not_detected stays "with `coverage not given` in the basis and in every
    # report, so the reader knows the negative is unqualified": the verdict card is where the board reads it.
    _, html = _sample(no_erbb2_variant(tmp_path))
    card = _mutation_card(html)
    assert 'data-code="not_detected"' in card and "coverage not given" in card


def test_cohort_samples_table_says_why_each_negative_is_what_it_is(tmp_path):
    # Issue 22's bases: "ERBB2 not in the panel's targets" (a panel BED of TP53 chr17:7,668,402-7,687,550 and
    # EGFR on chr7, GRCh38: no base of ERBB2 at chr17:39.7 Mb) and "coverage not given" (no coverage input).
    noerbb2 = no_erbb2_variant(tmp_path)
    panel = tmp_path / "panel.bed"
    panel.write_text("chr17\t7668401\t7687550\tTP53\nchr7\t55019016\t55211628\tEGFR\n")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(f"sample\tvcf\ttargets\nPANEL\t{noerbb2}\t{panel}\nPLAIN\t{noerbb2}\t\n")
    out = tmp_path / "cohort"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == 0
    rows = {m.group(1): m.group(0) for m in re.finditer(
        r'<tr data-mutation-status="[^"]*"[^>]*><td>([A-Z]+)</td>.*?</tr>', (out / "report.html").read_text())}
    assert 'data-code="not_assessed"' in rows["PANEL"] and "ERBB2 not in the panel&#x27;s targets" in rows["PANEL"]
    assert 'data-code="not_detected"' in rows["PLAIN"] and "coverage not given" in rows["PLAIN"]
