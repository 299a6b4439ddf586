"""Ruff over the project's Python, as pre-commit runs it."""

from __future__ import annotations

import subprocess
import sys

from projects import REPO


def test_ruff():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "hooks", "tests", "tools"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
