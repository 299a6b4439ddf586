"""The repository under test, and small throwaway MkDocs projects for tests that build their own."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

# The checkout these tests belong to (tests/ sits at its top): its hooks, data and mkdocs.yml.
REPO = Path(__file__).resolve().parents[1]

CONFIG = """\
site_name: Testprosjekt
site_url: http://127.0.0.1:8000/
docs_dir: docs
strict: true
theme:
  name: material
  font: false
  language: nb
validation:
  links: {{not_found: warn, anchors: warn, absolute_links: warn, unrecognized_links: warn}}
  nav: {{omitted_files: warn, not_found: warn}}
hooks:
  - {root}/hooks/notebooks.py
  - {root}/hooks/samples.py
plugins:
  - search
  - mkdocs-jupyter:
      include: ["*.ipynb"]
      execute: false
      allow_errors: false
      markdown_cell_processor: mkdocs
      mathjax_version: 2
      cache: false
  - i18n:
      docs_structure: folder
      fallback_to_default: true
      reconfigure_material: true
      languages:
        - {{locale: nb, name: Norsk, default: true, build: true}}
        - {{locale: sv, name: Svenska, build: true, theme: {{language: sv}}}}
markdown_extensions:
  - attr_list
  - pymdownx.superfences
"""


def make_project(base: Path, pages: dict[str, str], extra_config: str = "") -> Path:
    """Write docs/<path> for each page and a mkdocs.yml using our hooks; return the config file."""
    for rel, text in pages.items():
        target = base / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".ipynb") and not isinstance(text, str):
            target.write_text(json.dumps(text), encoding="utf-8")
        else:
            target.write_text(textwrap.dedent(text), encoding="utf-8")
    config = base / "mkdocs.yml"
    config.write_text(CONFIG.format(root=REPO) + extra_config, encoding="utf-8")
    return config


def notebook(*cells: tuple[str, str]) -> dict:
    """A minimal nbformat 4 notebook from (kind, source) pairs."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}},
        "cells": [
            {"id": f"c{i}", "cell_type": "markdown", "metadata": {}, "source": src} if kind == "md" else
            {"id": f"c{i}", "cell_type": "code", "metadata": {}, "source": src, "outputs": [],
             "execution_count": None}
            for i, (kind, src) in enumerate(cells)
        ],
    }
