"""The library API (docs/api.md): the page's example runs as written, and the API answers as the
command does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import her2cli
from her2cli.errors import InputMissingError, UsageError

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "api.md"


def test_the_example_of_docs_api_runs(monkeypatch, capsys):
    blocks = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(), flags=re.S | re.M)
    assert blocks
    monkeypatch.chdir(ROOT)
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), {})
    out = capsys.readouterr().out
    assert "c.2313_2324dup exon20_insertion" in out  # the published c. name (tests/data/published_variants.tsv)


def test_the_api_gives_what_the_command_writes(tmp_path):
    """Same rows as `her2 annotate -f json`: the API returns what the writers are given."""
    import json

    vcf, cns = ROOT / "sample_data" / "tumour.vcf", ROOT / "sample_data" / "tumour.cns"
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, "-m", "her2cli", "annotate", str(vcf), "-s", str(cns), "-o", str(out), "-q"],
                   check=True)
    (written,) = json.loads(out.read_text())["samples"]
    (result,) = her2cli.annotate(str(vcf), segments=[str(cns)])
    from her2cli.report.columns import alteration_row

    assert (written["sample"], written["genome"]) == (result.sample, result.genome)
    # every scalar column (lists are written as JSON arrays there, joined in the row)
    assert [{k: v for k, v in row.items() if not isinstance(v, (list, dict))} for row in written["alterations"]] == [
        {k: v for k, v in alteration_row(call).items() if not isinstance(row.get(k), (list, dict))}
        for call, row in zip(result.calls, written["alterations"])]
    assert len(written["alterations"]) == len(result.calls) == 3
    assert written["notices"] == result.notices


def test_the_api_refuses_as_the_command_does(tmp_path):
    with pytest.raises(InputMissingError):
        her2cli.annotate(str(tmp_path / "absent.vcf"))
    with pytest.raises(UsageError):
        her2cli.annotate()
    with pytest.raises(UsageError):
        her2cli.annotate(str(ROOT / "sample_data" / "tumour.vcf"), purity=1.5)
    with pytest.raises(UsageError):
        her2cli.annotate(segments=[str(ROOT / "sample_data" / "tumour.cns")], thresholds={"nonsense": 1})


def test_import_her2cli_stays_light():
    """`annotate` is imported on first use: a bare `import her2cli` loads no pipeline."""
    code = "import sys, her2cli; print(sorted(m for m in sys.modules if m.startswith('her2cli')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout
    assert eval(loaded) == ["her2cli", "her2cli.version"]
