"""The repository under test, and small throwaway MkDocs projects for tests that build their own."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

# The checkout these tests belong to (tests/ sits at its top): its hooks, data and mkdocs.yml.
REPO = Path(__file__).resolve().parents[1]

# What every test project shares: Material without web fonts, both languages, strict warnings.
LANGUAGES = [
    {"locale": "nb", "name": "Norsk", "default": True, "build": True},
    {"locale": "sv", "name": "Svenska", "build": True, "theme": {"language": "sv"}},
]
JUPYTER = {"include": ["*.ipynb"], "ignore": ["*.md"], "execute": False, "allow_errors": False,
           "markdown_cell_processor": "mkdocs", "mathjax_version": 2, "cache": False}
VALIDATION = {"links": {"not_found": "warn", "anchors": "warn", "absolute_links": "warn",
                        "unrecognized_links": "warn"},
              "nav": {"omitted_files": "warn", "not_found": "warn"}}
# toc's slugify must be a Python object; yaml.safe_dump cannot write one, so a marker stands in.
SLUGIFY = "toc-with-pymdownx-slugify"
_SLUGIFY_YAML = ("- toc:\n    permalink: true\n    slugify: !!python/object/apply:pymdownx.slugs.slugify\n"
                 "      kwds: {case: lower}")


def mkdocs_yml(hooks: list[str | Path], *, name: str = "Testprosjekt", languages: list[dict] | None = None,
               extensions: list | None = None, notebooks: bool | dict = True, **settings) -> str:
    """The text of a test project's mkdocs.yml: our `hooks` (paths as given), the search plugin,
    mkdocs-jupyter (True, or a dict of options over JUPYTER; False leaves it out), i18n with
    `languages`, `extensions` (SLUGIFY for toc with pymdownx's slugify), and any top-level `settings`
    (strict, nav, extra, repo_url, ...) over the shared ones."""
    plugins: list = ["search"]
    if notebooks:
        plugins.append({"mkdocs-jupyter": JUPYTER | (notebooks if isinstance(notebooks, dict) else {})})
    plugins.append({"i18n": {"docs_structure": "folder", "fallback_to_default": True,
                             "reconfigure_material": True, "languages": languages or LANGUAGES}})
    config = {"site_name": name, "site_url": "http://127.0.0.1:8000/", "docs_dir": "docs", "strict": True,
              "theme": {"name": "material", "font": False, "language": "nb"}, "validation": VALIDATION,
              "hooks": [str(h) for h in hooks], "plugins": plugins,
              "markdown_extensions": extensions or ["attr_list", "pymdownx.superfences"]}
    config.update(settings)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=200)
    return text.replace(f"- {SLUGIFY}", _SLUGIFY_YAML.replace("\n", "\n  "))


def repo_hooks(*names: str) -> list[Path]:
    """This checkout's hook files, by concern: repo_hooks("notebooks", "samples")."""
    return [REPO / "hooks" / f"{name}.py" for name in names]


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
    config.write_text(mkdocs_yml(repo_hooks("notebooks", "samples")) + extra_config, encoding="utf-8")
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
