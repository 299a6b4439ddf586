"""Markdown style (markdownlint with .markdownlint.yaml) and translation status, as in pre-commit."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from projects import REPO


@pytest.mark.skipif(not (REPO / "node_modules" / "markdownlint-cli2").exists() or not shutil.which("node"),
                    reason="run `npm ci` first")
def test_markdownlint():
    proc = subprocess.run(
        ["node", "node_modules/markdownlint-cli2/markdownlint-cli2-bin.mjs", "docs/**/*.md", "*.md",
         ".github/**/*.md", "#node_modules", "#docs/*/kunskapsbibliotek"],
        cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_translations_are_complete_and_current():
    proc = subprocess.run([sys.executable, "-m", "handbook", "translations", "--check"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
