"""SCB's real public knowledge library as a second library of the real site (opt-in, slow).

Runs only when HANDBOOK_REAL_LIBRARY points at a checkout of statisticssweden/knowledge-library.
That repository has no licence, so nothing of it is committed here: the test copies it and the
site's sources to a temporary folder and builds there. It checks what issue 15 asks for: a
strict build in both languages, every article, resource, resource file and template card
published, downloads byte-identical to the committed files, lists and images as CommonMark
(GitHub) shows them, no broken link, and a search index that grows by less than 0.5 MB per
language.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import pytest

from handbook.build import run_mkdocs
from handbook.checks import links as linkcheck
from handbook.content.library import commonmark, read_library

REAL = os.environ.get("HANDBOOK_REAL_LIBRARY")
REPO = Path(__file__).resolve().parents[1]  # the handbook checkout these tests belong to
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REAL, reason="set HANDBOOK_REAL_LIBRARY to a checkout of "
                                        "statisticssweden/knowledge-library to run this test"),
]
PREFIX = "scb-kunskapsbibliotek"
ENTRY = f"""\
      - name: SCB:s kunskapsbibliotek
        path: ../knowledge-library
        url_prefix: {PREFIX}
        repository: https://github.com/statisticssweden/knowledge-library.git
        web: https://github.com/statisticssweden/knowledge-library
        source_url: https://github.com/statisticssweden/knowledge-library/blob/main/{{path}}
        nav: BALSAM
"""
SOURCES = ("docs", "notebooks", "includes", "overrides", "data", "hooks", "kunskapsbibliotek")
LANGUAGES = {"nb": "", "sv": "sv/"}


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real-library")
    project = _copy_sources(tmp / "site-src")
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "    knowledge_libraries:\n" in text, "mkdocs.yml no longer lists knowledge_libraries"
    text = text.replace("    knowledge_libraries:\n", "    knowledge_libraries:\n" + ENTRY, 1)
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    library = tmp / "knowledge-library"
    shutil.copytree(REAL, library, ignore=shutil.ignore_patterns(".git"))
    cache = tmp / "cache"
    for kind in ("samples", "notebooks"):  # results of our own samples: warm, read-only source
        if (REPO / ".cache" / kind).is_dir():
            shutil.copytree(REPO / ".cache" / kind, cache / kind)
    site = tmp / "site"
    proc = run_mkdocs(project / "mkdocs.yml", site, env={"HANDBOOK_CACHE_DIR": str(cache)})
    return project, library, site, cache, proc


def _copy_sources(project: Path) -> Path:
    project.mkdir()
    for name in SOURCES:
        shutil.copytree(REPO / name, project / name, symlinks=True,
                        ignore=shutil.ignore_patterns(".gitignore", "__pycache__")
                        if name != "docs" else _ignore_generated)
    return project


def _ignore_generated(folder, names):
    # generated library folders are rebuilt by the test's own build
    return [n for n in names if (Path(folder) / n / ".gitignore").is_file()
            and (Path(folder) / n / ".gitignore").read_text().startswith("# Generated")]


def test_strict_build_passes_in_both_languages(real_site):
    _, _, site, _, proc = real_site
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert "WARNING" not in proc.stdout.replace("WARNING: MkDocs may break", ""), proc.stdout[-6000:]
    for prefix in LANGUAGES.values():
        assert (site / prefix / PREFIX / "index.html").is_file()


def test_no_broken_links(real_site):
    project, _, site, _, _ = real_site
    problems = linkcheck.check_site(site, linkcheck.LinkCheckConfig(project_root=project))
    assert problems == [], "\n".join(str(p) for p in problems[:30])


def test_every_article_resource_file_and_template_is_published(real_site):
    _, library, site, _, _ = real_site
    lib = read_library(library)
    articles = [a for c in lib.articles.walk() for a in c.articles]
    assert (len(articles), len(lib.resources), len(lib.templates)) == (8, 11, 6)
    for prefix in LANGUAGES.values():
        base = site / prefix / PREFIX
        for art in articles:
            assert (base / str(art.rel.with_suffix("")) / "index.html").is_file(), art.rel
        cards = (base / "Templates" / "index.html").read_text(encoding="utf-8")
        for template in lib.templates:
            assert template.name in cards
        for res in lib.resources:
            page = (base / str(res.rel) / "index.html").read_text(encoding="utf-8")
            assert re.search(rf"<h1[^>]*>{re.escape(res.name)}<", page), res.name  # the folder name
            assert len(re.findall(r"<h1[\s>]", page)) == 1, res.name
            for rel in res.files:
                if rel == res.readme:
                    continue
                if rel.suffix in (".md", ".ipynb"):
                    assert (base / str(rel.with_suffix("")) / "index.html").is_file(), rel
                if rel.suffix == ".ipynb" or rel.suffix not in (".md",):
                    published = _published(site, prefix, rel)
                    assert published.read_bytes() == (library / str(rel)).read_bytes(), rel


def _published(site: Path, prefix: str, rel: PurePosixPath) -> Path:
    """Where a library file's committed bytes are: once, in the default language's folder."""
    plain = site / PREFIX / str(rel)
    return plain if plain.exists() else plain.with_name(plain.name + ".txt")


def test_saved_web_page_is_a_download_not_a_page(real_site):
    _, library, site, _, _ = real_site
    saved = [p for p in library.rglob("*.html") if "Resources" in p.parts]
    assert saved, "the library has no saved web page any more"
    for path in saved:
        rel = path.relative_to(library).as_posix()
        assert not (site / PREFIX / rel).exists()
        assert (site / PREFIX / (rel + ".txt")).read_bytes() == path.read_bytes()


def test_lists_and_images_as_github_shows_them(real_site):
    _, library, site, _, _ = real_site
    lib = read_library(library)
    for prefix in LANGUAGES.values():
        for art in (a for c in lib.articles.walk() for a in c.articles):
            source = (library / str(art.rel)).read_text(encoding="utf-8-sig")
            expected = commonmark._PARSER.render(source).count("<li>")
            page = (site / prefix / PREFIX / str(art.rel.with_suffix("")) / "index.html").read_text(
                encoding="utf-8")
            article = page[page.index("<article"):page.index("</article>")]
            assert article.count("<li>") == expected, art.rel
    images = 0
    for nb in library.glob("Resources/**/*.ipynb"):
        data = json.loads(nb.read_text(encoding="utf-8"))
        images += sum(1 for cell in data["cells"] for out in cell.get("outputs", [])
                      if "image/png" in out.get("data", {}))
        rel = nb.relative_to(library).with_suffix("").as_posix()
        page = (site / PREFIX / rel / "index.html").read_text(encoding="utf-8")
        for src in re.findall(r'<img[^>]* src="([^"]+)"', page):
            if not src.startswith("data:"):
                assert (site / PREFIX / rel / unquote(src)).resolve().is_file(), (rel, src)
    shown = sum(len(re.findall(r'<img[^>]*class="kb-output-image"',
                               p.read_text(encoding="utf-8")))
                for p in (site / PREFIX / "Resources").rglob("index.html"))
    assert images and shown == images


@pytest.fixture(scope="module")
def site_without_library(tmp_path_factory):
    """The same sources built without SCB's library, to see what the library adds."""
    tmp = tmp_path_factory.mktemp("without")
    cache = tmp / "cache"   # its own: the reports of the build with the library stay as they are
    for kind in ("samples", "notebooks"):
        if (REPO / ".cache" / kind).is_dir():
            shutil.copytree(REPO / ".cache" / kind, cache / kind)
    project = _copy_sources(tmp / "site-src")
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    site = tmp / "site"
    proc = run_mkdocs(project / "mkdocs.yml", site, env={"HANDBOOK_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stdout[-3000:]
    return site


def test_search_index_grows_by_less_than_half_a_megabyte(real_site, site_without_library):
    _, _, site, _, _ = real_site
    for lang, prefix in LANGUAGES.items():
        with_library, without = (_folder_bytes(s / prefix / "search") for s in (site, site_without_library))
        print(f"search files {lang}: {with_library} bytes with SCB's library, {without} without")
        assert 0 < with_library - without < 500_000, (lang, with_library, without)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_report_states_the_sizes(real_site):
    _, _, site, cache, _ = real_site
    report = json.loads((cache / "reports" / "library.json").read_text(encoding="utf-8"))
    scb = next(lib for lib in report["libraries"] if lib["url_prefix"] == PREFIX)
    assert (scb["articles"], scb["resources"], scb["templates"]) == (8, 11, 6)
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    library = sum(p.stat().st_size for prefix in LANGUAGES.values()
                  for p in (site / prefix / PREFIX).rglob("*") if p.is_file())
    print(f"site: {total / 1e6:.1f} MB, of which SCB's library {library / 1e6:.1f} MB; "
          f"pages per language {scb['pages']}")
