"""The per-page render cache (hooks/render.py): the same site with or without it, pages that
log are rendered every time, an edit re-renders what it touches."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from projects import REPO

from handbook.build import run_mkdocs
from handbook.project import CACHE_ENV

CONFIG = """\
site_name: Render
site_url: http://127.0.0.1:8000/
docs_dir: docs
theme: {{name: material, font: false, language: nb}}
validation:
  links: {{not_found: warn, anchors: warn}}
hooks:
  - {repo}/hooks/render.py
markdown_extensions:
  - admonition
  - attr_list
  - toc: {{permalink: true}}
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.snippets: {{base_path: [includes], check_paths: true}}
"""
PAGES = {
    "index.md": "# Hjem\n\nSe [bøtter](botter.md#navn) og [koden](kode.md).\n",
    "botter.md": "# Bøtter\n\n## Navn {#navn}\n\nTekst.\n\n!!! tip \"Tips\"\n    Mer.\n",
    "kode.md": "# Kode\n\n```python\nprint('hei')\n```\n\n--8<-- \"felles.md\"\n",
}
RENDERED = re.compile(r"rendered pages: (\d+) from the cache, (\d+) rendered and stored, "
                      r"(\d+) rendered \(they log")


def _project(base: Path, pages: dict[str, str], render: bool = True) -> Path:
    for rel, text in pages.items():
        (base / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / "docs" / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    (base / "includes").mkdir(exist_ok=True)
    (base / "includes" / "felles.md").write_text("Felles tekst.\n", encoding="utf-8")
    config = CONFIG.format(repo=REPO)
    if not render:
        config = config.replace(f"  - {REPO}/hooks/render.py\n", "  []\n").replace(
            "hooks:\n  []", "hooks: []")
    (base / "mkdocs.yml").write_text(config, encoding="utf-8")
    return base / "mkdocs.yml"


def _build(config: Path, site: Path, cache: Path, strict: bool = True):
    proc = run_mkdocs(config, site, strict=strict, env={CACHE_ENV: str(cache)})
    counts = RENDERED.search(proc.stdout)
    return proc, tuple(int(n) for n in counts.groups()) if counts else None


def _html(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("*.html"))}


@pytest.mark.slow
def test_cached_pages_are_the_pages_mkdocs_renders(tmp_path):
    cache = tmp_path / "cache"
    plain = _project(tmp_path / "plain", PAGES, render=False)
    cached = _project(tmp_path / "cached", PAGES)
    assert run_mkdocs(plain, tmp_path / "site-plain").returncode == 0
    first, counts = _build(cached, tmp_path / "site-1", cache)
    assert first.returncode == 0, first.stdout[-2000:]
    assert counts == (0, 3, 0)
    again, counts = _build(cached, tmp_path / "site-2", cache)
    assert again.returncode == 0 and counts == (3, 0, 0)
    assert _html(tmp_path / "site-plain") == _html(tmp_path / "site-1") == _html(tmp_path / "site-2")
    assert list((cache / "render").rglob("*.json"))

    # an edit re-renders that page; a new snippet text re-renders everything
    (cached.parent / "docs" / "botter.md").write_text("# Bøtter\n\n## Navn {#navn}\n\nNy.\n")
    edited, counts = _build(cached, tmp_path / "site-3", cache)
    assert edited.returncode == 0
    assert counts == (2, 1, 0) and "Ny." in (tmp_path / "site-3/botter/index.html").read_text()
    (cached.parent / "includes" / "felles.md").write_text("Endret felles tekst.\n")
    _, counts = _build(cached, tmp_path / "site-4", cache)
    assert counts == (0, 3, 0)
    assert "Endret felles tekst." in (tmp_path / "site-4/kode/index.html").read_text()

    # a new page changes which links resolve: every page is rendered again
    (cached.parent / "docs" / "ny.md").write_text("# Ny\n")
    _, counts = _build(cached, tmp_path / "site-5", cache)
    assert counts == (0, 4, 0)


@pytest.mark.slow
def test_a_page_that_warns_is_rendered_and_warns_every_time(tmp_path):
    pages = {**PAGES, "index.md": "# Hjem\n\nSe [borte](finnes-ikke.md) og [navn](botter.md#feil).\n"}
    config = _project(tmp_path, pages)
    cache = tmp_path / "cache"
    for number in (1, 2):
        proc, counts = _build(config, tmp_path / f"site-{number}", cache, strict=False)
        assert "finnes-ikke.md" in proc.stdout and "#feil" in proc.stdout, proc.stdout[-2000:]
        assert counts[2] == 1   # index.md: rendered, never stored
        strict, _ = _build(config, tmp_path / f"strict-{number}", cache)
        assert strict.returncode != 0
