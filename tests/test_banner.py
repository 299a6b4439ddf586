"""The untranslated banner, "last updated" and edit links, on a small temporary site."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from projects import REPO, mkdocs_yml, repo_hooks

from handbook.build import run_mkdocs

pytestmark = pytest.mark.slow

CONFIG = mkdocs_yml(repo_hooks("translations"), name="Test", notebooks=False,
                    extensions=["admonition", "attr_list", "toc"],
                    repo_url="https://github.com/o/r", edit_uri="edit/main/docs/",
                    theme={"name": "material", "font": False, "language": "nb",
                           "features": ["content.action.edit"]})

PAGES = {
    "docs/nb/index.md": "---\ntitle: Hjem\n---\n\n# Hjem\n\n[Bøtter](botter.md) [Team](team.md)\n",
    "docs/sv/index.md": "---\ntitle: Hem\n---\n\n# Hem\n\n[Bøtter](botter.md) [Team](team.md)\n",
    "docs/nb/botter.md": "---\ntitle: Bøtter\n---\n\n# Bøtter\n\n## Lagre data\n\nTekst.\n",
    "docs/nb/team.md": "---\ntitle: Team\nchecked: 2026-12-01\n---\n\n# Team\n\nTekst.\n",
    "docs/sv/team.md": "---\ntitle: Team\ntranslation_of: {source: nb, hash: 000000000000}\n"
                       "---\n\n# Team\n\nText.\n",
    "docs/nb/ny.md": "---\ntitle: Ny\n---\n\n# Ny\n\nTekst.\n",
    "docs/sv/ny.md": "---\ntitle: Ny\n---\n\n# Ny\n",
    "docs/nb/oversettelser.md": "---\ntitle: Oversettelser\n---\n\n# Oversettelser\n\n"
                                "<!-- translation-status -->\n",
    "docs/sv/oversettelser.md": "---\ntitle: Översättningar\n---\n\n# Översättningar\n\n"
                                "<!-- translation-status -->\n",
}


def git(root: Path, *args: str) -> None:
    when = "2026-11-22T12:00:00+01:00"
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="T",
               GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@example.org")
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("banner")
    (root / "mkdocs.yml").write_text(CONFIG)
    (root / "data").mkdir()
    (root / "data" / "strings.yml").write_bytes((REPO / "data" / "strings.yml").read_bytes())
    for path, text in PAGES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pages")
    out = root / "site"
    proc = run_mkdocs(root / "mkdocs.yml", out)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return out


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def banner(html: str) -> str | None:
    m = re.search(r'<div class="admonition \w+ handbook-translation">.*?</div>', html, re.S)
    return m.group(0) if m else None


def test_fallback_page_shows_a_swedish_banner_with_a_translate_link(site: Path):
    html = read(site, "sv/botter/index.html")
    found = banner(html)
    assert found is not None
    assert "Inte översatt än" in found
    assert "finns inte på svenska ännu, så du läser originalet på norska (bokmål)" in found
    link = re.search(r'href="([^"]+)">Översätt sidan på GitHub', found).group(1)
    assert link.startswith("https://github.com/o/r/new/main/docs/sv?filename=botter.md&amp;value=")
    # the new file starts with the stamp and the original's heading ids pinned
    assert "translation_of%3A+%7Bsource%3A+nb" in link
    assert "%23%23+Lagre+data+%7B%23lagre-data%7D" in link
    # the banner sits under the page title
    assert html.index("</h1>") < html.index(found)


def test_no_banner_on_originals_and_translated_pages(site: Path):
    for path in ("botter/index.html", "index.html", "sv/index.html", "team/index.html"):
        assert banner(read(site, path)) is None, path


def test_outdated_translation_says_so(site: Path):
    found = banner(read(site, "sv/team/index.html"))
    assert found is not None and "Översättningen kan vara inaktuell" in found
    assert 'href="https://github.com/o/r/edit/main/docs/sv/team.md"' in found


def test_title_only_translation_asks_for_a_translation(site: Path):
    found = banner(read(site, "sv/ny/index.html"))
    assert found is not None and "inte översatt från norska (bokmål) ännu" in found
    assert 'href="https://github.com/o/r/edit/main/docs/sv/ny.md"' in found


def test_last_updated_is_localised(site: Path):
    assert "22. november 2026" in read(site, "botter/index.html")
    assert "22 november 2026" in read(site, "sv/botter/index.html")
    assert "22. november 2026" not in read(site, "sv/botter/index.html")


def test_a_page_says_when_it_was_last_checked_against_the_platform(site: Path):
    assert "Sjekket mot plattformen 1. desember 2026" in read(site, "team/index.html")
    assert "Sjekket mot plattformen" not in read(site, "botter/index.html")
    # the translation has no `checked:` of its own
    assert "Kontrollerad mot plattformen" not in read(site, "sv/team/index.html")


def test_edit_link_of_a_fallback_page_opens_the_existing_original(site: Path):
    edit = re.compile(r'href="(https://github.com/o/r/edit/[^"]+)"[^>]*class="md-content__button')
    assert edit.search(read(site, "sv/botter/index.html")).group(1) == \
        "https://github.com/o/r/edit/main/docs/nb/botter.md"
    assert edit.search(read(site, "sv/team/index.html")).group(1) == \
        "https://github.com/o/r/edit/main/docs/sv/team.md"


def test_status_page_in_each_language(site: Path):
    nb = read(site, "oversettelser/index.html")
    sv = read(site, "sv/oversettelser/index.html")
    assert "1 av 4 sider er oversatt, 1 er utdatert og 2 mangler." in nb
    assert "1 av 4 sidor är översatta, 1 är inaktuella och 2 saknas." in sv
    assert re.search(r'<td><a href="../botter/">Bøtter</a></td>\s*<td>svenska \(bokmål\)|'
                     r'<td><a href="../botter/">Bøtter</a></td>\s*<td>norska \(bokmål\)</td>\s*'
                     r"<td>saknas</td>", sv)
