"""`make new-page` on a temporary copy of the repository's mkdocs.yml and data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import REPO

from handbook.content import scaffold
from handbook.i18n import stamps, status
from handbook.i18n.pages import PageIndex
from handbook.project import Project


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "data" / "translation-sources.yml", root / "data")
    for lang in ("nb", "sv"):
        (root / "docs" / lang / "dapla").mkdir(parents=True)
    (root / "docs/nb/dapla/botter.md").write_text("---\ntitle: Bøtter\n---\n\n# Bøtter\n")
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "handbook", "new-page", *args,
                           "--config-file", str(root / "mkdocs.yml")],
                          capture_output=True, text=True, check=False)


def nav_paths(nav) -> list[str]:
    """Page paths of a nav, depth first, in order."""
    found = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += nav_paths(value) if isinstance(value, list) else [value]
    return found


def section_of(nav, path: str) -> str | None:
    for item in nav:
        if isinstance(item, dict):
            title, value = next(iter(item.items()))
            if isinstance(value, list) and path in nav_paths(value):
                return title
    return None


def test_new_page_in_a_section(repo: Path):
    before = (repo / "mkdocs.yml").read_text()
    proc = run(repo, "dapla/tilganger", "--title-nb", "Tilganger", "--title-sv", "Behörigheter",
               "--description-nb", "Hvem får se hva.", "--description-sv", "Vem får se vad.")
    assert proc.returncode == 0, proc.stderr
    nb = (repo / "docs/nb/dapla/tilganger.md").read_text()
    sv = (repo / "docs/sv/dapla/tilganger.md").read_text()
    assert nb == "---\ntitle: Tilganger\ndescription: Hvem får se hva.\n---\n\n# Tilganger\n"
    digest = stamps.source_hash(repo / "docs/nb/dapla/tilganger.md",
                                PageIndex(Project.load(repo / "mkdocs.yml")))
    assert sv == ("---\ntitle: Behörigheter\ndescription: Vem får se vad.\n"
                  f"translation_of: {{source: nb, hash: {digest}}}\n---\n\n# Behörigheter\n")

    after = (repo / "mkdocs.yml").read_text()
    # textual edit: tags survive and only two lines were added
    assert "!ENV [SITE_URL" in after and "!!python/object/apply:pymdownx.slugs.slugify" in after
    added = [line for line in after.split("\n") if line not in before.split("\n")]
    assert added == ["            Tilganger: Behörigheter", "      - Tilganger: dapla/tilganger.md"]
    config = scaffold.load_config(after)
    paths = nav_paths(config["nav"])
    assert section_of(config["nav"], "dapla/tilganger.md") == "Dapla"
    # last of its section, right after the section's previous last page
    dapla = [p for p in paths if p.startswith("dapla/")]
    assert dapla[-1] == "dapla/tilganger.md"
    assert paths.index("dapla/tilganger.md") == paths.index(dapla[-2]) + 1
    sv_lang = next(lang for lang in next(p["i18n"] for p in config["plugins"]
                                         if isinstance(p, dict) and "i18n" in p)["languages"]
                   if lang["locale"] == "sv")
    assert sv_lang["nav_translations"]["Tilganger"] == "Behörigheter"
    # the scaffolded pair is in step: the translation is stamped
    index = PageIndex(Project.load(repo / "mkdocs.yml"))
    found = status.classify(index.pair("dapla/tilganger.md"), "sv", index, {})
    assert found.state == "translated" and found.stamped


def test_balsam_page_has_a_swedish_original(repo: Path):
    proc = run(repo, "balsam/ny-sida", "--title-nb", "Ny side: oversikt",
               "--title-sv", "Ny sida: översikt")
    assert proc.returncode == 0, proc.stderr
    assert "translation_of: {source: sv," in (repo / "docs/nb/balsam/ny-sida.md").read_text()
    assert "translation_of" not in (repo / "docs/sv/balsam/ny-sida.md").read_text()
    config = scaffold.load_config((repo / "mkdocs.yml").read_text())
    assert section_of(config["nav"], "balsam/ny-sida.md") == "BALSAM"
    # a title with ': ' is quoted so YAML reads it back unchanged
    assert '"Ny side: oversikt": "Ny sida: översikt"' in (repo / "mkdocs.yml").read_text()


def test_page_without_a_section_goes_before_the_glossary(repo: Path):
    assert run(repo, "sporsmal", "--title-nb", "Spørsmål og svar",
               "--title-sv", "Frågor och svar").returncode == 0
    assert run(repo, "nytt-omrade/start", "--title-nb", "Nytt område",
               "--title-sv", "Nytt område").returncode == 0
    nav = scaffold.load_config((repo / "mkdocs.yml").read_text())["nav"]
    titles = [next(iter(item)) if isinstance(item, dict) else item for item in nav]
    glossary = titles.index("Ordliste")
    assert titles[glossary - 2:glossary] == ["Spørsmål og svar", "Nytt område"]
    assert nav[glossary - 1] == {"Nytt område": "nytt-omrade/start.md"}


@pytest.mark.parametrize("slug", ["Dapla/ny", "dapla/bøtter-2", "dapla/ny side", "dapla/ny.md",
                                  "dapla/", "/dapla/ny", "dapla//ny", "dapla/-ny", "../ny", ""])
def test_refuses_slugs_that_are_not_url_safe(repo: Path, slug: str):
    before = (repo / "mkdocs.yml").read_text()
    proc = run(repo, slug, "--title-nb", "Ny", "--title-sv", "Ny")
    assert proc.returncode == 1
    assert "is not URL-safe" in proc.stderr
    assert (repo / "mkdocs.yml").read_text() == before


def test_refuses_an_existing_page(repo: Path):
    before = (repo / "mkdocs.yml").read_text()
    proc = run(repo, "dapla/botter", "--title-nb", "Bøtter", "--title-sv", "Buckets")
    assert proc.returncode == 1
    assert "new-page: docs/nb/dapla/botter.md already exists" in proc.stderr
    assert not (repo / "docs/sv/dapla/botter.md").exists()
    assert (repo / "mkdocs.yml").read_text() == before
    # listed in nav but with no file yet: refused as well
    proc = run(repo, "dapla/data", "--title-nb", "Data", "--title-sv", "Data")
    assert proc.returncode == 1 and "nav already lists dapla/data.md" in proc.stderr


def test_a_slug_that_is_a_suffix_of_a_nav_path_is_fine(repo: Path):
    # "data.md" is not "dapla/data.md"
    proc = run(repo, "data", "--title-nb", "Data og lagring", "--title-sv", "Data och lagring")
    assert proc.returncode == 0, proc.stderr
    assert "data.md" in nav_paths(scaffold.load_config((repo / "mkdocs.yml").read_text())["nav"])


def test_refuses_a_conflicting_nav_translation(repo: Path):
    proc = run(repo, "dapla/andre-botter", "--title-nb", "Bøtter", "--title-sv", "Hinkar")
    assert proc.returncode == 1
    assert "nav_translations already translates 'Bøtter' as 'Bucketar'" in proc.stderr
    assert not (repo / "docs/nb/dapla/andre-botter.md").exists()
