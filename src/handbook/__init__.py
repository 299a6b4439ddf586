"""Tools behind the handbook site: plain functions that MkDocs hooks, tests and the CLI share."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Tests point these elsewhere so fixture builds never touch the real cache or reports.
CACHE_DIR = Path(os.environ.get("HANDBOOK_CACHE_DIR", ROOT / ".cache"))
REPORTS_DIR = Path(os.environ.get("HANDBOOK_REPORTS_DIR", CACHE_DIR / "reports"))


def display_path(path: Path) -> str:
    """A path as an author recognises it: relative to the working directory or the repository."""
    real = Path(path).resolve()
    for base in (Path.cwd(), ROOT):
        try:
            return real.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(real)
