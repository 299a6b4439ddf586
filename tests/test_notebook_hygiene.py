"""Notebook hygiene: committed notebooks have no outputs or counts, and have cell ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from projects import REPO

from handbook.checks import notebook_hygiene

FIXTURE = Path(__file__).parent / "fixtures" / "quality-notebooks" / "skitten.ipynb"


def test_dirty_fixture_fails_naming_file_and_cell(capsys):
    assert notebook_hygiene.main(["--only-paths", str(FIXTURE)]) == 1
    out = capsys.readouterr().out
    name = "tests/fixtures/quality-notebooks/skitten.ipynb"
    assert f"{name}: cell 2: has 1 output(s)" in out
    assert f"{name}: cell 2: has execution count 3" in out
    assert f"{name}: cell 1: has no cell id" in out


def test_fix_strips_outputs_and_adds_ids(tmp_path, capsys):
    dirty = tmp_path / "skitten.ipynb"
    shutil.copy(FIXTURE, dirty)
    assert notebook_hygiene.main(["--only-paths", "--fix", str(dirty)]) == 0
    out = capsys.readouterr().out
    assert "cell 2: removed 1 output(s)" in out and "cell 1: added cell id" in out
    nb = json.loads(dirty.read_text(encoding="utf-8"))
    code = nb["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert all(cell["id"] for cell in nb["cells"])
    nbformat.validate(nbformat.reads(dirty.read_text(encoding="utf-8"), as_version=4))
    # a second run changes nothing
    assert notebook_hygiene.main(["--only-paths", "--fix", str(dirty)]) == 0
    assert "fixed" not in capsys.readouterr().out


def test_committed_notebooks_are_clean(capsys):
    assert notebook_hygiene.committed_notebooks(REPO), "git ls-files found no notebooks"
    assert notebook_hygiene.main([]) == 0, capsys.readouterr().out
