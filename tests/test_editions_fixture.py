"""A small project with three languages builds its editions: a third language gets English strings,
a post in one language only is marked on the other sides, and each language gets its feed, its
llms.txt and an offline copy (tests/fixtures/editions-three-languages)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import feedparser
import pytest

from handbook.build import run_mkdocs
from handbook.editions.build import build_editions, file_names
from handbook.project import Project

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "editions-three-languages"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Project, Path]:
    root = tmp_path_factory.mktemp("three") / "project"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(REPO / "overrides", root / "overrides")
    (root / "data").mkdir()            # nb and sv text from the project's strings; da falls back to English
    shutil.copy(REPO / "data" / "strings.yml", root / "data" / "strings.yml")
    (root / "hooks").mkdir()
    shutil.copy(REPO / "hooks" / "editions.py", root / "hooks" / "editions.py")
    site = root / "site"
    cache = root.parent / "cache"
    proc = run_mkdocs(root / "mkdocs.yml", site, env={"HANDBOOK_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stdout[-4000:]
    monkey = pytest.MonkeyPatch()
    monkey.setenv("HANDBOOK_CACHE_DIR", str(cache))
    try:
        project = Project.load(root / "mkdocs.yml")
        assert build_editions(project, site, pdf=False) == []
    finally:
        monkey.undo()
    return project, site


@pytest.mark.slow
def test_third_language_gets_english_strings(built):
    _, site = built
    page = (site / "da" / "kode" / "index.html").read_text("utf-8")
    assert 'aria-label="Download as notebook"' in page and 'href="kode.ipynb"' in page
    assert (site / "da" / "kode" / "kode.ipynb").is_file()
    assert 'aria-label="News and downloads"' in page
    assert (site / "da" / "llms.txt").read_text("utf-8").startswith("# Prøvehåndbok")


@pytest.mark.slow
def test_posts_in_one_language_are_marked_on_the_other_sides(built):
    _, site = built
    nb = (site / "nytt" / "index.html").read_text("utf-8")
    assert re.search(r'<a href="\.\./sv/nytt/bara-sv/" hreflang="sv" lang="sv">Bara på svenska</a>'
                     r"</strong> \(på svensk\)", nb)
    sv = (site / "sv" / "nytt" / "index.html").read_text("utf-8")
    assert re.search(r'<a href="bare-nb/" hreflang="nb">Bare på bokmål</a></strong> \(på norska \(bokmål\)\)',
                     sv)
    assert (site / "sv" / "nytt" / "bare-nb" / "index.html").is_file()       # i18n's fallback page
    home = (site / "index.html").read_text("utf-8")
    assert "<!-- news -->" not in home and 'href="nytt/bare-nb/"' in home
    assert home.index("Bare på bokmål") < home.index('<h2 id="mer"')           # where the marker was
    sv_home = (site / "sv" / "index.html").read_text("utf-8")
    assert sv_home.index('<h2 id="news"') > sv_home.index('<h2 id="mer"')     # after the first section


@pytest.mark.slow
@pytest.mark.parametrize(("language", "root", "count"), [("nb", "", 2), ("sv", "sv/", 2), ("da", "da/", 2)])
def test_feed_and_offline_copy_per_language(built, language, root, count):
    project, site = built
    feed = feedparser.parse((site / root / "feed.xml").read_bytes())
    assert not feed.bozo and feed.feed.language == language and len(feed.entries) == count
    for entry in feed.entries:
        path = entry.link.removeprefix("https://example.org/handbok/")
        assert (site / path / "index.html").is_file(), entry.link
    with zipfile.ZipFile(site / file_names(project, language)[1]) as archive:
        names = archive.namelist()
    top = names[0].split("/")[0]
    assert f"{top}/{root}index.html" in names and f"{top}/search/search_index.js" in names   # plain i18n
    assert f"{top}/assets/javascripts/iframe-worker-shim.js" in names
    others = {code for code in ("sv", "da") if code != language}
    assert not [n for n in names if n.split("/")[1] in others]
