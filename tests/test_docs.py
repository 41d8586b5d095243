"""The reference in docs/ names what the code writes, and the README's test command is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from her2cli.interpret.verdict import SUMMARY_COLUMNS
from her2cli.report.columns import ALL_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def documented_columns() -> set[str]:
    """Column names given in backticks in the first cell of a table row of docs/columns.md."""
    names = set()
    for line in (DOCS / "columns.md").read_text().splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([a-z0-9_]+)`", line.split("|")[1]))
    return names


def test_every_alteration_column_is_documented():
    missing = [name for name in ALL_COLUMNS if name not in documented_columns()]
    assert not missing, f"docs/columns.md lacks {missing}"


def test_every_summary_column_is_documented():
    text = (DOCS / "columns.md").read_text()
    summary_part = text[text.index("## Summary table"):]
    rows = {m for line in summary_part.splitlines() if line.startswith("| `")
            for m in re.findall(r"`([a-z0-9_]+)`", line.split("|")[1])}
    missing = [name for name in SUMMARY_COLUMNS if name not in rows]
    assert not missing, f"docs/columns.md (summary table) lacks {missing}"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    command = next(line for line in readme.splitlines() if "python -m pytest" in line)
    ci = (ROOT / ".ci" / "run").read_text()
    assert command.strip() in ci


def test_local_links_in_docs_point_to_files_or_pages_in_progress():
    # Pages other engineers write (named in docs/README.md) may not be merged yet; every other link must resolve.
    index = (DOCS / "README.md").read_text()
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            path = (page.parent / target).resolve()
            assert path.exists() or f"]({target})" in index, f"{page.name}: broken link {target}"


# --- every sh/python block of docs/ runs (issue 23 item 8) ---------------------------------------------------

import os
import shlex
import shutil
import subprocess
import sys

import pytest

SAMPLE = ROOT / "sample_data"
FENCE = re.compile(r"^```(sh|bash|python)\n(.*?)^```", flags=re.S | re.M)

# Blocks that cannot run in the suite, each with its reason (keyed by page and the block's first line).
CANNOT_RUN = {
    ("cohort.md", "pip install 'her2cli[dask]' dask-jobqueue"):
        "starts a SLURM cluster through dask-jobqueue: needs a site's scheduler and network installs",
}


def doc_blocks() -> list[tuple[str, str, str]]:
    """(page, language, code) of every fenced sh/bash/python block in docs/."""
    blocks = []
    for page in sorted(DOCS.glob("*.md")):
        for language, code in FENCE.findall(page.read_text()):
            blocks.append((page.name, language, code))
    return blocks


BLOCKS = doc_blocks()


def block_id(block) -> str:
    page, language, code = block
    return f"{page}:{language}:{code.splitlines()[0][:40]}"


@pytest.fixture()
def workspace(tmp_path: Path) -> tuple[Path, dict]:
    """A folder holding every file the docs' examples name, made from sample_data (a real VCF, a CNVkit .cns,
    a two-sample .seg) and what her2 itself writes from them (a MAF), plus a `her2` on PATH."""
    import pysam
    import pysam.bcftools

    work = tmp_path / "work"
    work.mkdir()
    for name in ("tumour.vcf", "tumour.cns", "cohort.seg"):
        shutil.copy(SAMPLE / name, work / name)
    (work / "sample_data").symlink_to(SAMPLE)  # examples may name the bundled files by their own path
    pysam.tabix_compress(str(work / "tumour.vcf"), str(work / "tumour.vcf.gz"))
    pysam.bcftools.view("-O", "b", "-o", str(work / "tumour.bcf"), str(work / "tumour.vcf"), catch_stdout=False)
    shutil.copy(work / "tumour.vcf", work / "a.vcf")
    shutil.copy(work / "tumour.vcf.gz", work / "b.vcf.gz")
    shutil.copy(work / "tumour.bcf", work / "c.bcf")
    (work / "p001").mkdir()
    shutil.copy(work / "tumour.vcf.gz", work / "p001" / "tumour.vcf.gz")
    shutil.copy(work / "tumour.cns", work / "p001" / "tumour.cns")
    (work / "samples.tsv").write_text("sample\tvcf\tsegments\ttumor_sample\tpurity\tploidy\tihc\n"
                                      "P001\tp001/tumour.vcf.gz\tp001/tumour.cns\tPATIENT1_TUMOUR\t0.55\t\t2+\n"
                                      "P002\ttumour.vcf\t\t\t\t\t\n")
    (work / "purities.tsv").write_text("sample\tpurity\tploidy\ntumour\t0.6\t2\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "her2"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m her2cli \"$@\"\n")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    made = subprocess.run(["her2", "annotate", "tumour.vcf", "-o", "data_mutations.txt", "-f", "maf", "-q"],
                          cwd=work, env=env, capture_output=True, timeout=120)
    assert made.returncode == 0, made.stderr
    shutil.copy(work / "cohort.seg", work / "data_cna_hg19.seg")
    (work / "case_lists").mkdir()
    (work / "case_lists" / "cases_sequenced.txt").write_text(
        "case_list_ids: PATIENT1_TUMOUR\tS1_17q_gain\tS2_neutral\n")
    return work, env


def test_docs_have_runnable_blocks_and_the_allow_list_is_current():
    assert len(BLOCKS) >= 8
    firsts = {(page, code.splitlines()[0]) for page, _, code in BLOCKS}
    assert set(CANNOT_RUN) <= firsts, "an allow-listed block is gone: drop it from CANNOT_RUN"


@pytest.mark.parametrize("block", BLOCKS, ids=[block_id(b) for b in BLOCKS])
def test_doc_block_runs(block, workspace):
    page, language, code = block
    work, env = workspace
    reason = CANNOT_RUN.get((page, code.splitlines()[0]))
    if reason:
        pytest.skip(f"{page}: {reason}")
    if language == "python":
        command = [sys.executable, "-c", code]
    else:
        for tool in ("bcftools",):
            if re.search(rf"(^|\|\s*){tool}\b", code, flags=re.M) and shutil.which(tool) is None:
                pytest.skip(f"{tool} not installed")
        command = ["bash", "-e", "-o", "pipefail", "-c", code]
    proc = subprocess.run(command, cwd=work, env=env, capture_output=True, timeout=600)
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, f"{page} block failed (exit {proc.returncode}):\n{code}\n{err}"
    assert "Traceback" not in err and "her2: error" not in err, err


# --- the option lists in docs/ are the commands' own (--help) ------------------------------------------------

PAGES = {"annotate": "annotate.md", "cohort": "cohort.md", "plot": "plots.md", "evidence": "evidence.md"}
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_options(command: str) -> list[tuple[str, ...]]:
    """Each option of ``her2 COMMAND --help`` as its names (('-s', '--segments'), ...), --help left out."""
    from typer.testing import CliRunner

    from her2cli import cli

    text = CliRunner().invoke(cli.app, [command, "--help"], terminal_width=200).output
    options = []
    for line in text.split("Options:", 1)[1].splitlines():
        head = line.strip().split("  ")[0]
        if line.startswith("  -"):
            names = tuple(n for n in _OPTION.findall(head) if n not in ("-h", "--help"))
            if names:
                options.append(names)
    return options


def documented_options(page: str) -> set[str]:
    """Every -x / --name written in backticks on the page."""
    text = (DOCS / page).read_text()
    return {name for span in re.findall(r"`([^`]*)`", text) for name in _OPTION.findall(span)}


@pytest.mark.parametrize("command", sorted(PAGES))
def test_every_option_of_a_command_is_documented(command):
    documented = documented_options(PAGES[command])
    missing = [names for names in help_options(command) if not set(names) & documented]
    assert not missing, f"docs/{PAGES[command]} does not mention {missing}"


@pytest.mark.parametrize("command", ["annotate", "cohort"])
def test_documented_options_exist(command):
    """The option table of annotate.md and the Options section of cohort.md name only real options."""
    real = {name for names in help_options(command) for name in names} | {"-h", "--help"}
    text = (DOCS / PAGES[command]).read_text()
    if command == "annotate":
        section = "\n".join(line.split("|")[1] for line in text.splitlines() if line.startswith("| `-"))
    else:
        section = text.split("## Options", 1)[1].split("\n## ", 1)[0]
    named = {name for span in re.findall(r"`([^`]*)`", section) for name in _OPTION.findall(span)}
    assert named - real == set(), f"docs/{PAGES[command]} names options her2 {command} does not have"


# README lines that the suite does not run as written, each with its reason; every other line of a README
# sh block is a her2 command that tests/test_readme.py runs on sample_data.
README_NOT_RUN = {
    "python3 -m venv .venv && .venv/bin/pip install -q '.[test,dask]' && .venv/bin/python -m pytest":
        "is the suite itself (test_readme_test_command_is_what_ci_runs checks that CI runs exactly this)",
}


def test_every_readme_command_is_run_or_allow_listed():
    readme = (ROOT / "README.md").read_text()
    for block in re.findall(r"^```(?:sh|bash)\n(.*?)^```", readme, flags=re.S | re.M):
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#") or line in README_NOT_RUN:
                continue
            parts = [part.strip().removeprefix(".venv/bin/") for part in line.split("&&")]
            her2_parts = [part for part in parts if part.startswith("her2 ")]
            # set-up steps before the her2 command (venv, pip install) are what the CI job does itself
            assert her2_parts and all(p.startswith(("her2 ", "python3 -m venv", "pip install")) for p in parts), line
            assert all("sample_data/" in part for part in her2_parts), f"README: {line} is not run by test_readme"


def test_the_format_table_is_the_format_registry():
    """docs/output-formats.md's `-f` table names every format of report/render.py FORMATS with its extensions."""
    from her2cli.report.render import formats

    text = (DOCS / "output-formats.md").read_text()
    table = {}
    for line in text.split("| `-f` | extensions | what |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]:
        cells = line.split("|")
        table[cells[1].strip().strip("`")] = set(re.findall(r"`(\.[a-z.]+)`", cells[2]))
    assert table == {name: set(f.extensions) for name, f in formats().items()}
