"""Tools behind the handbook site: plain functions that MkDocs hooks, tests and the CLI share."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".cache"
REPORTS_DIR = CACHE_DIR / "reports"
