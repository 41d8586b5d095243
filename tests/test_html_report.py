"""The HTML report and its SVG pictures (issue #15).

Expected values come from outside the code:
- ERBB2 domains: UniProt P04626 (FT DOMAIN 720..987 Protein kinase; FT TRANSMEM 653..675).
- Variant positions: the published driver and polymorphism names listed in issue #9 (YVMA = c.2313_2324dup =
  p.Y772_A775dup, legacy A775_G776insYVMA; G776delinsVC; G778_P780dup; S310F; R678Q; G660D; L755S; D769Y;
  V777L; V842I; I655V; P1170A), residue numbers read from the names themselves.
- Amplification thresholds: the published rule of each definition (copynumber/calls.py docstring table):
  ISH >= 6 copies, FISH ratio >= 2.0, PURPLE > 3 x ploidy, PCGR >= 5 copies, CNVkit log2 >= 0.7,
  NCI-MATCH arm Q > 7 copies. With ploidy 2 and a chr17 baseline of 3 copies, cn_ge_6, ratio_ge_2 and
  purple_amp all sit at 6 copies (6, 2 x 3, 3 x 2).
- sample_data/tumour.cns: ERBB2 segment log2 2.0 in a diploid sample = 2 x 2^2 = 8 copies (hand computed).
- Wilson intervals: Newcombe, Stat Med 1998;17:857-872, Table I, method 3 (81/263: 0.2553-0.3662;
  15/148: 0.0624-0.1605; 0/20: 0-0.1611).
- Label extents: monospace glyph advance 0.6 em (DejaVu Sans Mono / Liberation Mono metrics).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from her2cli.copynumber.calls import DEFINITIONS
from her2cli.pipeline import Options, SampleRequest, run_sample
from her2cli.report.html import make_provenance, render_html
from her2cli.report.svg import copy_number_svg, lollipop_svg

REPO = Path(__file__).resolve().parents[1]
SAMPLE_VCF = REPO / "sample_data" / "tumour.vcf"
SAMPLE_CNS = REPO / "sample_data" / "tumour.cns"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
EVIL = "<img src=x onerror=alert(1)>"
SVG_NS = "{http://www.w3.org/2000/svg}"
EM = 0.6  # monospace advance

DRIVERS = [  # (residue, name without "p.", subgroup) from issue #9's list of published variants
    (772, "Y772_A775dup", "exon20_insertion"), (776, "G776delinsVC", "exon20_insertion"),
    (778, "G778_P780dup", "exon20_insertion"), (310, "S310F", "extracellular"),
    (678, "R678Q", "transmembrane_juxtamembrane"), (660, "G660D", "transmembrane_juxtamembrane"),
    (755, "L755S", "kinase_domain_missense"), (769, "D769Y", "kinase_domain_missense"),
    (777, "V777L", "kinase_domain_missense"), (842, "V842I", "kinase_domain_missense"),
    (655, "I655V", "transmembrane_juxtamembrane"), (1170, "P1170A", "other"),
    (776, "G776V", "kinase_domain_missense"), (780, "P780_Y781insGSP", "exon20_insertion"),
]


def _rows(items=DRIVERS):
    return [{"kind": "mutation", "sample": "S1", "protein_position": str(res), "hgvs_p_short": f"p.{name}",
             "subgroup": sub} for res, name, sub in items]


def _label_boxes(svg: str, cls: str = "label"):
    """(x0, y0, x1, y1, text) of every <text> with the class, in SVG user units, group translations applied."""
    root = ET.fromstring(svg)
    boxes = []

    def walk(node, dy):
        transform = node.get("transform", "")
        match = re.match(r"translate\(0 ([-\d.]+)\)", transform)
        if match:
            dy += float(match.group(1))
        if node.tag == SVG_NS + "text" and cls in (node.get("class") or "").split():
            size = float(node.get("font-size"))
            x, y, text = float(node.get("x")), float(node.get("y")) + dy, node.text or ""
            width = len(text) * EM * size
            x0 = {"start": x, "middle": x - width / 2, "end": x - width}[node.get("text-anchor", "start")]
            boxes.append((x0, y - 0.8 * size, x0 + width, y + 0.2 * size, text))
        for child in node:
            walk(child, dy)

    walk(root, 0.0)
    return boxes


def _leaders(svg: str):
    """(x, y_low, y_high) of the vertical leader lines, group translations applied."""
    root = ET.fromstring(svg)
    out = []

    def walk(node, dy):
        match = re.match(r"translate\(0 ([-\d.]+)\)", node.get("transform", ""))
        if match:
            dy += float(match.group(1))
        if node.tag == SVG_NS + "line" and "leader" in (node.get("class") or "") and node.get("x1") == node.get("x2"):
            y1, y2 = float(node.get("y1")) + dy, float(node.get("y2")) + dy
            out.append((float(node.get("x1")), min(y1, y2), max(y1, y2)))
        for child in node:
            walk(child, dy)

    walk(root, 0.0)
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _assert_no_overlap(boxes):
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), f"labels overlap: {a[4]!r} and {b[4]!r}"


# ------------------------------------------------------------------------------------------------ SVG


def test_lollipop_has_domains_and_every_label_without_overlap():
    svg = lollipop_svg(_rows())
    assert "kinase domain 720-987" in svg  # UniProt P04626 FT DOMAIN 720..987
    assert "transmembrane domain 653-675" in svg  # UniProt P04626 FT TRANSMEM 653..675
    boxes = _label_boxes(svg)
    texts = [b[4] for b in boxes]
    for _, name, _ in DRIVERS:
        assert sum(t.startswith(name) for t in texts) == 1, name
    _assert_no_overlap(boxes)
    # No leader line runs through another label's box.
    for x, y_low, y_high in _leaders(svg):
        for box in boxes:
            inside_x = box[0] + 1 < x < box[2] - 1
            assert not (inside_x and y_low < box[3] - 1 and box[1] + 1 < y_high), (x, box[4])


def test_exon20_cluster_is_labelled_in_the_zoom_panel():
    cluster = [d for d in DRIVERS if 770 <= d[0] <= 831]
    rows = _rows(cluster)
    svg = lollipop_svg(rows + [dict(r, sample="S2") for r in rows])
    assert "zoom: residues" in svg
    boxes = _label_boxes(svg)
    _assert_no_overlap(boxes)
    # Two samples each carry every change: labels say so.
    assert any(b[4] == "Y772_A775dup (n=2)" for b in boxes)


def test_lollipop_escapes_names():
    svg = lollipop_svg(_rows([(772, "Y772<script>", "exon20_insertion")]), title=EVIL)
    assert "<script>" not in svg and "<img" not in svg
    ET.fromstring(svg)  # still well-formed


def _cn_svg(baseline=3.0):
    segments = [(1, 25_100_000, 2.0), (25_100_001, 39_500_000, 3.0), (39_500_001, 40_000_000, 9.0),
                (40_000_001, 83_257_441, 3.0)]
    row = {"sample": EVIL, "ploidy": 2.0, "chr17_baseline": baseline, "tumour_copy_number": 9.0}
    return copy_number_svg(segments, row, "GRCh38")


def test_copy_number_profile_labels_every_definition_without_overlap():
    svg = _cn_svg()
    boxes = _label_boxes(svg, "threshold-label")
    texts = [b[4] for b in boxes]
    codes = re.findall(r'data-definition="([^"]+)"', svg)
    assert sorted(codes) == sorted(DEFINITIONS)  # each definition labelled once, its machine name kept
    _assert_no_overlap(boxes)
    # The three definitions at 6 copies share one block, headed "6 copies:", by their readers' names.
    block = texts[texts.index("6 copies:") + 1: texts.index("6 copies:") + 4]
    assert [t.split(" (")[0] for t in block] == ["HER2 copy number >= 6", "ERBB2/chr17 ratio >= 2",
                                                 "PURPLE amplification"]
    assert "7 copies:" in texts and "5 copies:" in texts  # NCI-MATCH > 7, PCGR >= 5
    assert EVIL not in svg and "&lt;img" in svg


def test_distinct_thresholds_have_distinct_dash_patterns():
    svg = _cn_svg(baseline=2.0)
    dashes = set(re.findall(r'class="threshold"[^>]*stroke-dasharray="([^"]+)"', svg))
    # Without a 3-copy baseline only cn_ge_6 and purple_amp coincide: 6, 4, 5, 3.25, 7 -> five lines.
    assert len(dashes) == 5


# ----------------------------------------------------------------------------------------------- HTML


def _sample_report(tmp_path, label=EVIL):
    options = Options()
    request = SampleRequest(vcf=str(SAMPLE_VCF), segments=[str(SAMPLE_CNS)], label=label)
    results = run_sample(request, options)
    return render_html(results, make_provenance(request.vcf, request.segments, options, request))


def _plain(html: str) -> str:
    """The markup without <wbr> (line-break hints the report puts after underscores and slashes)."""
    return html.replace("<wbr>", "")


def test_sample_report_content_and_escaping(tmp_path):
    html = _plain(_sample_report(tmp_path))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html  # the sample page needs no script
    for text in ("p.Y772_A775dup", "c.2313_2324dup", "A775_G776insYVMA", "exon 20 insertion",
                 'data-subgroup="exon20_insertion"', "amplification", "mutation and amplification", "T-DXd",
                 "Not medical advice"):
        assert text in html, text
    assert html.count("Not medical advice") == 1
    for name in DEFINITIONS:  # each definition by its name and rule, the machine name kept as an attribute
        assert f'data-definition="{name}" data-met="true"' in html
    assert "HER2 copy number &gt;= 6" in html and "FISH HER2/CEP17 ratio" in html
    assert "copynumber/calls.py" not in html  # definitions explained on the page, not by a file path
    assert re.search(r"about <span class=\"nw\">8</span> copies per tumour cell", html)  # log2 2.0, diploid
    digest = __import__("hashlib").sha256(SAMPLE_VCF.read_bytes()).hexdigest()
    assert digest in html and "NM_004448.4" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_file_names_are_escaped(tmp_path):
    odd = tmp_path / "a<script>b.vcf"
    odd.write_bytes(SAMPLE_VCF.read_bytes())
    options = Options()
    request = SampleRequest(vcf=str(odd))
    html = _plain(render_html(run_sample(request, options), make_provenance(str(odd), (), options, request)))
    assert "a<script>b" not in html and "a&lt;script&gt;b.vcf" in html


def test_provenance_says_how_the_build_was_decided(tmp_path):
    html = _plain(_sample_report(tmp_path))  # tumour.vcf declares its contigs
    assert "GRCh38 (from the VCF header" in html
    bare = tmp_path / "bare.vcf"
    bare.write_text("".join(line for line in SAMPLE_VCF.read_text().splitlines(True)
                            if not line.startswith(("##contig", "##reference", "##assembly"))))
    options, request = Options(), SampleRequest(vcf=str(bare))
    html = _plain(render_html(run_sample(request, options), make_provenance(str(bare), (), options, request)))
    assert "GRCh38 (not stated in the VCF header; the REF bases match it)" in html
    options = Options(genome="GRCh38")
    html = _plain(render_html(run_sample(request, options), make_provenance(str(bare), (), options, request)))
    assert "GRCh38 (given with --genome)" in html


def test_issue9_fields_are_shown_when_present():
    from her2cli.interpret.verdict import summarize_sample
    from her2cli.results import MutationCall, SampleResult

    call = MutationCall(sample="T", source="t.vcf", chrom="chr17", pos=39723335, ref="A", alt="G", genome="GRCh38",
                        transcript="NM_004448.4", hgvs_p_short="p.I655V", protein_position="655",
                        subgroup="transmembrane_juxtamembrane", consequence="missense_variant", filter="PASS",
                        vaf=0.5, oncogenicity="benign", origin="likely_germline", population_af=0.22,
                        population_af_source="gnomAD")
    verdict = summarize_sample("T", [call], [])
    html = _plain(render_html([SampleResult("T", "t.vcf", "GRCh38", [call], [], verdict)], make_provenance()))
    for text in ("benign variant(s) only", 'data-code="benign_only"', "likely germline", "0.22",
                 'data-code="likely_germline"'):
        assert text in html, text


def test_segments_only_samples_get_their_chr17_profile():
    seg = REPO / "sample_data" / "cohort.seg"
    options, request = Options(), SampleRequest(segments=[str(seg)])
    html = render_html(run_sample(request, options), make_provenance(None, [str(seg)], options, request))
    assert html.count('class="cn-profile"') == 2  # samples S1_17q_gain and S2_neutral
    # S1: 17q at log2 0.585 in a diploid sample = 2 x 2^0.585 = 3.0 copies (hand computed).
    assert "<title>25100001-83257441: 3.00 copies</title>" in html


def _cohort(tmp_path):
    import her2cli
    from her2cli.cohort.sheet import SheetEntry

    entries = [SheetEntry(sample="P1", vcf=str(SAMPLE_VCF), segments=[str(SAMPLE_CNS)]),
               SheetEntry(sample=EVIL, vcf=str(SAMPLE_VCF)),
               SheetEntry(sample="missing", vcf=str(tmp_path / "nope.vcf"))]
    out = tmp_path / "cohort"
    result = her2cli.run_cohort(entries, Options(), output_dir=str(out), pages=True)
    written = [out / "report.html", *sorted((out / "samples").iterdir())]
    return result, out, written


def test_cohort_report_pages_links_and_errors(tmp_path):
    result, out, written = _cohort(tmp_path)
    report = _plain((out / "report.html").read_text())
    assert len(written) == 3 and (out / "samples" / "P1.html").exists()
    assert 'href="samples/P1.html"' in report
    assert EVIL not in report and "&lt;img" in report
    assert "nope.vcf" in report and "Errors" in report
    # 2 of 2 reported samples mutated: Wilson 95% CI 34.2-100% (z = 1.96).
    assert "100.0%" in report and "34.2-100.0%" in report
    assert 'class="sortable"' in report
    page = _plain((out / "samples" / "P1.html").read_text())
    assert "p.Y772_A775dup" in page and "cn_ge_6" in page


def test_unwritable_report_directory_is_an_output_error(tmp_path):
    from her2cli.cohort.run import CohortResult, write_cohort_outputs
    from her2cli.errors import OutputError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    empty = CohortResult(alterations_tsv="", alterations=[], summaries=[], cohort=[], errors=[], notices=[])
    with pytest.raises(OutputError) as info:
        write_cohort_outputs(empty, str(blocker / "out"), make_provenance())
    assert info.value.exit_code == 7


# -------------------------------------------------------------------------------------------- browser


def _png_distinct_pixels(data: bytes) -> int:
    """Distinct pixel values of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    previous, seen = bytearray(stride), set()
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        if row % 4 == 0:  # every 4th row is plenty to tell a page from a blank
            seen.update(bytes(line[i:i + channels]) for i in range(0, stride, channels * 2))
        previous = line
    return len(seen)


def _chromium(tmp_path, page: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)


def _fits_a4_width(tmp_path, page: Path) -> bool:
    """True when nothing overflows sideways in a window as wide as an A4 page's printable area
    (210 mm - 2 x 12 mm margins = 186 mm = 703 CSS px at 96 px/in). Measured by a probe script added
    to a copy of the page."""
    probe = page.with_name(page.stem + "-probe.html")
    script = ("<script>document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth"
              " > document.documentElement.clientWidth));</script></body>")
    probe.write_text(page.read_text().replace("</body>", script))
    dom = _chromium(tmp_path, probe, "--window-size=703,1000", "--dump-dom").stdout
    assert 'data-overflow=' in dom, "probe did not run"
    return 'data-overflow="false"' in dom


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium')")
def test_reports_render_in_headless_chromium(tmp_path):
    page = tmp_path / "sample.html"
    page.write_text(_sample_report(tmp_path))
    shot = tmp_path / "sample.png"
    _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1000,1400")
    assert shot.exists(), "chromium wrote no screenshot"
    assert _png_distinct_pixels(shot.read_bytes()) > 20  # a blank page has one or two
    dom = _plain(_chromium(tmp_path, page, "--dump-dom").stdout)
    assert "Verdict" in dom and "mutation+amplification" in dom
    assert "p.Y772_A775dup" in dom and "T-DXd" in dom and "zongertinib" in dom
    assert "<img src=" not in dom  # the evil sample name stayed text

    assert _fits_a4_width(tmp_path, page)
    wide = tmp_path / "wide.html"  # the probe does see an overflow
    wide.write_text("<html><body><div style='width:2000px'>x</div></body></html>")
    assert not _fits_a4_width(tmp_path, wide)

    _, out, _ = _cohort(tmp_path)
    assert _fits_a4_width(tmp_path, out / "samples" / "P1.html")
    assert _fits_a4_width(tmp_path, out / "report.html")
    dom = _plain(_chromium(tmp_path, out / "report.html", "--dump-dom").stdout)
    assert "ERBB2 (HER2) cohort report" in dom and 'href="samples/P1.html"' in dom and "nope.vcf" in dom
    assert "<img src=" not in dom
