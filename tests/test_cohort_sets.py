"""A cohort's outputs as one set (issue 23 items 2, 6, 7; issue 24 items 3, 7): page names safe for any sample
name, publication that a SIGKILL cannot leave half old and half new, no file the run did not create touched,
sheets that fit the data (a shared multi-sample .seg, segments_sample, normal_sample, metadata columns),
pages rendered from each sample's results, and the library entry point of docs/api.md."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import factories
import pytest

from her2cli import errors
from her2cli.cli import run
from her2cli.cohort import publisher
from her2cli.cohort.publisher import MANIFEST, STAGING_DIR, page_names

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
SHARED_SEG = FIXTURES / "dnacopy_cbs_log2.cnvkit_test_cw-tr.seg"  # two samples: TR_01_T, TR_16_T (hg19)
GRCH38 = {"chr1": 248956422, "chr17": 83257441}
L755S = ("chr17", 39723967, "T", "C")  # c.2264T>C p.Leu755Ser (NM_004448.4), GRCh38
S310F = ("chr17", 39711955, "C", "T")  # c.929C>T p.Ser310Phe, GRCh38


def vcf_text(records, samples=("TUMOR",), genotypes=None) -> str:
    return factories.vcf_text(records, samples, genotypes, contigs=GRCH38)


def cohort(folder: Path, names: list[str], extra_header: str = "", extra: list[str] = ()) -> Path:
    """A sheet of samples sharing one VCF with L755S (one file per sheet: the run reads it per row)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.vcf").write_text(vcf_text([L755S]))
    rows = [f"{name}\tt.vcf{extra[i] if extra else ''}" for i, name in enumerate(names)]
    sheet = folder / "sheet.tsv"
    sheet.write_text(f"sample\tvcf{extra_header}\n" + "\n".join(rows) + "\n")
    return sheet


def tsv(path: Path) -> list[dict]:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def consistent(out: Path) -> dict:
    """The folder's manifest, after checking that it lists every published file with its sha256."""
    manifest = json.loads((out / MANIFEST).read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    published = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and not
                 any(part.startswith(".her2-") for part in p.relative_to(out).parts)}
    assert published == set(manifest["files"]) | {MANIFEST}
    return manifest


# ----------------------------------------------------------------------------------------------- page names


def test_page_names_are_safe_short_and_unique():
    long_name = "S" * 300
    hostile = ["../etc/passwd", "a/b", "CON", "con.txt", ".hidden", "", "Ünïcode", "x" * 255, long_name]
    names = page_names(["A", "a", "a b", "a_b", *hostile])
    files = list(names.values())
    assert names["A"] == "A.html"  # a plain name is kept as it is
    assert len({f.lower() for f in files}) == len(files)  # unique even on case-insensitive file systems
    for sample, name in names.items():
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*\.html", name), name
        assert len(name.encode()) <= 255, sample  # NAME_MAX of Linux, macOS and Windows file systems
        assert name.split(".")[0].lower() not in ("con", "nul", "prn", "aux")
    assert page_names([long_name]) == {long_name: names[long_name]}  # depends only on the name


def test_a_300_character_sample_name_does_not_stop_the_cohort(tmp_path):
    long_name = "P" * 300
    sheet = cohort(tmp_path / "in", ["A", long_name, "a"])
    out = tmp_path / "out"
    assert run(["cohort", str(sheet), "-o", str(out), "-q", "--pages"]) == 0
    assert [row["sample"] for row in tsv(out / "samples.tsv")] == ["A", long_name, "a"]
    manifest = consistent(out)
    pages = sorted(name for name in manifest["files"] if name.startswith("samples/"))
    assert len(pages) == 3
    report = (out / "report.html").read_text()
    for page in pages:
        assert f'href="{page}"' in report


# ----------------------------------------------------------------------------------------- publication set


def test_manifest_lists_report_and_pages_and_a_new_set_replaces_the_old(tmp_path):
    out = tmp_path / "out"
    assert run(["cohort", str(cohort(tmp_path / "one", ["A", "B", "C"])), "-o", str(out), "-q", "--pages"]) == 0
    first = consistent(out)
    assert {"report.html", "samples/A.html", "samples/B.html", "samples/C.html"} <= set(first["files"])
    assert run(["cohort", str(cohort(tmp_path / "two", ["A", "D"])), "-o", str(out), "-q", "--pages"]) == 0
    second = consistent(out)
    assert sorted(os.listdir(out / "samples")) == ["A.html", "D.html"]  # B and C were the old set's
    assert second["run_id"] != first["run_id"]
    assert run(["cohort", str(cohort(tmp_path / "three", ["E"])), "-o", str(out), "-q"]) == 0
    consistent(out)
    assert not (out / "samples").exists()  # no pages asked for: the old pages went with the old set


KILL_SCRIPT = r"""
import os, signal, sys
from her2cli.cohort import publisher
out, k = sys.argv[1], int(sys.argv[2])
calls = {"n": 0}
for name in ("replace", "unlink", "rmdir"):
    real = getattr(os, name)
    def wrapped(*args, _real=real, **kwargs):
        calls["n"] += 1
        if calls["n"] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return _real(*args, **kwargs)
    setattr(os, name, wrapped)
publisher.commit(out)
print(calls["n"])
"""


def _stage_new(tmp_path: Path, out: Path) -> dict:
    """Publish an old set (samples A-C) into ``out``, then stage (not commit) a new one (A, D)."""
    assert run(["cohort", str(cohort(tmp_path / "old", ["A", "B", "C"])), "-o", str(out), "-q", "--pages"]) == 0
    old = {name: (out / name).read_bytes() for name in consistent(out)["files"]}
    new_dir = tmp_path / "new_out"
    assert run(["cohort", str(cohort(tmp_path / "new", ["A", "D"])), "-o", str(new_dir), "-q", "--pages"]) == 0
    new = {name: (new_dir / name).read_bytes() for name in consistent(new_dir)["files"]}
    staged_pages = {name.split("/", 1)[1]: (str(new_dir / name), hashlib.sha256(data).hexdigest())
                    for name, data in new.items() if name.startswith("samples/")}
    publisher.stage(str(out), {n: d.decode() for n, d in new.items() if not n.startswith("samples/")}, staged_pages)
    return {"old": old, "new": new}


def test_sigkill_at_every_step_of_publication_never_mixes_old_and_new(tmp_path):
    """Kill the publishing process at each rename/unlink in turn: the folder then holds part of the old set
    or part of the new one, never both, and a manifest only beside the complete set it names; the next
    run's recovery completes the new set."""
    k = 1
    while True:
        case = tmp_path / f"k{k}"
        out = case / "out"
        sets = _stage_new(case, out)
        proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(out), str(k)], capture_output=True, text=True)
        finished = proc.returncode == 0
        assert finished or proc.returncode == -signal.SIGKILL, proc.stderr
        present = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
                   if p.is_file() and not str(p.relative_to(out)).startswith(".her2-")}
        manifest = present.pop(MANIFEST, None)
        old_names = {n for n, data in present.items() if sets["old"].get(n) == data and sets["new"].get(n) != data}
        new_names = {n for n, data in present.items() if sets["new"].get(n) == data and sets["old"].get(n) != data}
        assert set(present) == {n for n in present if sets["old"].get(n) == present[n] or
                                sets["new"].get(n) == present[n]}, "a file from neither set"
        assert not (old_names and new_names), f"kill at step {k}: old {sorted(old_names)} beside new {sorted(new_names)}"
        if manifest is not None:
            consistent(out)
        publisher.recover(str(out))  # what the next run into the folder does under its lock
        assert consistent(out)["files"].keys() == sets["new"].keys()
        assert not (out / STAGING_DIR).exists()
        if finished:
            assert k > 5  # the kill did land on each step before the publication could finish
            break
        k += 1


# ------------------------------------------------------------------------------------ never touch an input


def test_cohort_into_the_sheets_own_folder_touches_nothing(tmp_path, capsys):
    """`her2 cohort sheet.tsv -o .` beside samples/A.vcf and an unrelated samples.tsv (issue 23)."""
    (tmp_path / "samples").mkdir()
    vcf = tmp_path / "samples" / "A.vcf"
    vcf.write_text(vcf_text([L755S]))
    unrelated = tmp_path / "samples.tsv"
    unrelated.write_text("my own notes\n")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\tvcf\nA\tsamples/A.vcf\n")
    before = {p: p.read_bytes() for p in (vcf, unrelated, sheet)}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert run(["cohort", "sheet.tsv", "-o", ".", "-q", "--pages"]) == errors.EXIT_USAGE
        assert "not empty" in capsys.readouterr().err
        assert run(["cohort", "sheet.tsv", "-o", ".", "-q", "--pages", "--force"]) == errors.EXIT_USAGE
        assert "samples.tsv was not written by her2" in capsys.readouterr().err
        unrelated.rename(tmp_path / "notes.tsv")
        assert run(["cohort", "sheet.tsv", "-o", ".", "-q", "--pages", "--force"]) == errors.EXIT_USAGE
        assert "samples/A.vcf was not written by her2" in capsys.readouterr().err  # the pages folder is theirs
        assert run(["cohort", "sheet.tsv", "-o", ".", "-q", "--force"]) == 0  # no pages: samples/ is not touched
    finally:
        os.chdir(cwd)
    assert vcf.read_bytes() == before[vcf] and sheet.read_bytes() == before[sheet]
    assert (tmp_path / "notes.tsv").read_bytes() == before[unrelated]
    assert sorted(os.listdir(tmp_path / "samples")) == ["A.vcf"]
    assert tsv(tmp_path / "samples.tsv")[0]["mutation_status"] == "activating"  # L755S
    manifest = consistent_subset(tmp_path)
    assert "sheet.tsv" not in manifest["files"]


def consistent_subset(out: Path) -> dict:
    manifest = json.loads((out / MANIFEST).read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    return manifest


@pytest.mark.parametrize("which", ["sheet", "vcf", "purity table"])
def test_an_output_linked_to_an_input_is_refused(tmp_path, capsys, which):
    sheet = cohort(tmp_path / "in", ["A"])
    purity = tmp_path / "in" / "purity.tsv"
    purity.write_text("sample\tpurity\tploidy\nA\t0.5\t2\n")
    target = {"sheet": sheet, "vcf": tmp_path / "in" / "t.vcf", "purity table": purity}[which]
    before = target.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    (out / "cohort.tsv").symlink_to(target)
    args = ["cohort", str(sheet), "-o", str(out), "-q", "--force", "--purity-table", str(purity)]
    assert run(args) == errors.EXIT_USAGE
    assert f"is the input {target}" in capsys.readouterr().err
    assert target.read_bytes() == before and not (out / "alterations.tsv").exists()


# ------------------------------------------------------------------------------------------------- sheets


@pytest.mark.skipif(not SHARED_SEG.exists(), reason="../shared/fixtures not present")
def test_a_shared_multi_sample_seg_gives_each_sample_once(tmp_path):
    """Two rows pick their sample of one DNAcopy file (hand-read: TR_01_T's chr17 segment 75000-81075000 has
    seg.mean -0.0179, TR_16_T's 27675000-39825000, over hg19 ERBB2, 0.4032; 2 x 2^0.4032 = 2.64 copies)."""
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\tsegments\tsegments_sample\tsite\tarm\n"
                     f"A\t{SHARED_SEG}\tTR_01_T\tLyon\t1\nB\t{SHARED_SEG}\tTR_16_T\tOslo\t2\n")
    out = tmp_path / "out"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == 0
    samples = tsv(out / "samples.tsv")
    assert [(s["sample"], s["site"], s["arm"]) for s in samples] == [("A", "Lyon", "1"), ("B", "Oslo", "2")]
    assert (out / "samples.tsv").read_text().split("\n", 1)[0].split("\t")[-2:] == ["site", "arm"]
    rows = tsv(out / "alterations.tsv")
    assert [(r["sample"], r["log2"], r["copy_number"], r["genome"]) for r in rows] == [
        ("A", "-0.018", "1.98", "GRCh37"), ("B", "0.403", "2.64", "GRCh37")]
    assert (out / "data_CNA.txt").read_text().split("\n", 1)[0].split("\t") == ["Hugo_Symbol", "Entrez_Gene_Id", "A", "B"]
    counts = {(c["category"], c["value"]): c for c in tsv(out / "cohort.tsv")}
    assert counts[("amplification_status", "gain")]["denominator"] == "2"


@pytest.mark.skipif(not SHARED_SEG.exists(), reason="../shared/fixtures not present")
def test_a_shared_seg_without_segments_sample_is_refused_per_sample(tmp_path, capsys):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(f"sample\tsegments\nA\t{SHARED_SEG}\nTR_16_T\t{SHARED_SEG}\n")
    out = tmp_path / "out"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == errors.EXIT_PARTIAL
    assert "sample 'A' is not in this segment file (it holds TR_01_T, TR_16_T)" in capsys.readouterr().err
    assert [s["sample"] for s in tsv(out / "samples.tsv")] == ["TR_16_T"]  # found by its own name
    assert [e["sample"] for e in tsv(out / "errors.tsv")] == ["A"]


def test_normal_sample_column_names_the_matched_normal(tmp_path):
    """One VCF, a tumour and two normal columns: each row's normal_sample decides which column the origin
    rests on (N1: 0 of 40 reads alternate; N2: 18 of 40, as written below)."""
    (tmp_path / "tn.vcf").write_text(vcf_text([S310F], samples=("T1", "N1", "N2"),
                                              genotypes=["0/1:30,20:50", "0/0:40,0:40", "0/1:22,18:40"]))
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\tvcf\ttumor_sample\tnormal_sample\nP1\ttn.vcf\tT1\tN1\nP2\ttn.vcf\tT1\tN2\n")
    out = tmp_path / "out"
    assert run(["cohort", str(sheet), "-o", str(out), "-q"]) == 0
    rows = {row["sample"]: row for row in tsv(out / "alterations.tsv")}
    assert rows["P1"]["hgvs_p_short"] == rows["P2"]["hgvs_p_short"] == "p.S310F"
    assert rows["P1"]["origin_basis"].startswith("normal 0/40 alt reads")
    assert rows["P2"]["origin_basis"].startswith("normal 18/40 alt reads")


# ------------------------------------------------------------------------------------------- linear pages


def test_study_pages_read_each_segment_file_once(tmp_path, monkeypatch):
    """Pages are rendered from each sample's results: the study's segment file is parsed once for all the
    pages' chr17 pictures, not once per page (issue 23: the cohort HTML was quadratic)."""
    from her2cli.copynumber import readers

    samples = [f"S{i}" for i in range(12)]
    seg = tmp_path / "study.seg"
    seg.write_text("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n" + "".join(
        f"{s}\t17\t100000\t83000000\t100\t{0.1 * i:.1f}\n" for i, s in enumerate(samples)))
    maf = tmp_path / "study.maf"
    maf.write_text("Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele1\t"
                   "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tNCBI_Build\tVariant_Type\n"
                   "ERBB2\tchr17\t39723967\t39723967\tT\tT\tC\tS0\tGRCh38\tSNP\n")
    reads = []
    real = readers.iter_segment_tables

    def counting(path, *args, **kwargs):
        reads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readers, "iter_segment_tables", counting)
    out = tmp_path / "out"
    assert run(["cohort", "--maf", str(maf), "--segments", str(seg), "-o", str(out), "-q", "--pages"]) == 0
    assert len(os.listdir(out / "samples")) == len(samples)
    pictures = sum((out / "samples" / f"{s}.html").read_text().count('class="cn-profile"') for s in samples)
    assert pictures == len(samples)
    assert len(reads) <= 2  # the run's read, and one for all the pictures


# --------------------------------------------------------------------------------------------- library API


def _api_blocks() -> list[str]:
    text = (ROOT / "docs" / "api.md").read_text()
    section = text[text.index("## `her2cli.run_cohort"):]
    section = section[:section.find("\n## ", 3)] if "\n## " in section[3:] else section
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_docs_api_run_cohort_example_runs(tmp_path):
    """The example runs as written, as a script, in a folder where sample_data/ is the repository's."""
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    blocks = _api_blocks()
    assert blocks
    for block in blocks:
        proc = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        expected = re.findall(r"^# (.+)$", block.split("# prints:", 1)[1], re.M) if "# prints:" in block else []
        assert proc.stdout.splitlines() == expected
    consistent(tmp_path / "results")


# ---------------------------------------------------------------------------------------- bounded inputs


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("args", [["cohort", "/dev/zero"], ["cohort", "--maf", "MAF", "--samples", "/dev/zero"]])
def test_endless_sheet_or_sample_list_is_refused_not_read_into_memory(tmp_path, args):
    """`her2 cohort /dev/zero` and `--samples /dev/zero` read until out of memory (issue 23): now the first
    line over the 16 MiB limit stops them, with one line naming the file (exit 4)."""
    maf = tmp_path / "m.maf"
    maf.write_text("Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\t"
                   "Tumor_Sample_Barcode\nERBB2\tchr17\t39723967\t39723967\tT\tC\tS0\n")
    args = [str(maf) if a == "MAF" else a for a in args]
    proc = subprocess.run([sys.executable, "-m", "her2cli", *args, "-q"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == errors.EXIT_MALFORMED
    assert proc.stderr.startswith("her2: error: /dev/zero") and ("longer than 16 MiB" in proc.stderr or "NUL" in proc.stderr)
    assert proc.stderr.count("\n") == 1


# ------------------------------------------------------------------------------------------------ runners


def test_make_runner_is_the_one_choice_of_runner():
    from her2cli.cohort.runners import CohortSetupError, DaskRunner, PoolRunner, SerialRunner, make_runner

    assert isinstance(make_runner(1, None, 100), SerialRunner)
    assert isinstance(make_runner(4, None, 1), SerialRunner)  # one sample: no pool to start
    assert isinstance(make_runner(4, None, 100), PoolRunner) and make_runner(4, None, 100).jobs == 4
    assert isinstance(make_runner(4, "tcp://host:8786", 100), DaskRunner)
    with pytest.raises(CohortSetupError):
        make_runner(0, None, 10)


def test_pages_come_from_the_workers_and_match_serial(tmp_path):
    """With --jobs 2 each worker writes its sample's page; the published pages are those files (the manifest's
    checksums) and name the same variant as a serial run's."""
    sheet = cohort(tmp_path / "in", [f"S{i}" for i in range(6)])
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        assert run(["cohort", str(sheet), "-o", str(out), "-q", "--pages", "--jobs", jobs]) == 0
        manifest = consistent(out)
        assert sorted(n for n in manifest["files"] if n.startswith("samples/")) == [f"samples/S{i}.html" for i in range(6)]
        assert all("p.L755S" in (out / "samples" / f"S{i}.html").read_text() for i in range(6))
        assert not (out / ".her2-parts").exists()  # the workers' pages were published, their folder removed
