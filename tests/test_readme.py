"""Every her2 command the README shows runs as shown on the bundled sample data (issue #16)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def readme_commands() -> list[str]:
    """The her2 commands of the README's fenced sh (or bash) blocks that use sample_data/; a set-up line such as
    `python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/her2 annotate ...` gives its her2 part."""
    blocks = re.findall(r"^```(?:sh|bash)\n(.*?)^```", README.read_text(), flags=re.S | re.M)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            for part in line.split("&&"):
                part = part.strip().removeprefix(".venv/bin/")
                if part.startswith("her2 ") and "sample_data/" in part:
                    commands.append(part)
    return commands


COMMANDS = readme_commands()


def test_readme_shows_the_set_up_run_and_five_examples():
    assert len(COMMANDS) >= 6, COMMANDS


@pytest.fixture(scope="module")
def her2_on_path(tmp_path_factory) -> Path:
    """A bin directory whose `her2` is the her2cli of the interpreter running the tests."""
    bin_dir = tmp_path_factory.mktemp("bin")
    shim = bin_dir / "her2"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m her2cli \"$@\"\n")
    shim.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command, her2_on_path, tmp_path):
    # Run where the README says (the repository root, seen through a link) so that -o files land in tmp_path.
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    env = {**os.environ, "PATH": f"{her2_on_path}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 0, f"{command}\n{err}"
    assert "Traceback" not in err and "her2: error" not in err, err
    for written in re.findall(r"-o (\S+)", command):
        stem, ext = os.path.splitext(written)
        assert any(tmp_path.glob(f"{stem}*{ext}")), f"{command} wrote no {written}"
