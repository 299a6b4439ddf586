"""Notebook helpers: executed copies and clean downloads."""

from __future__ import annotations

import json
from pathlib import Path


def executed_copy(source: Path, docs_dir: str) -> Path | None:
    return None


def write_clean_copy(source: Path, target: Path) -> None:
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
