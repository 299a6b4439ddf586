"""Knowledge libraries in real site builds (strict, both languages), built into tmp_path.

`make_project` writes a small MkDocs project with our hooks and one or more libraries; the
hostile-library tests (test_library_hostile.py) use it too.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest
from projects import LANGUAGES, REPO, SLUGIFY, VALIDATION, mkdocs_yml, repo_hooks

from handbook.build import run_mkdocs
from handbook.checks import links as linkcheck

FIXTURES = REPO / "tests" / "fixtures"

SETTINGS = {
    "repo_url": "https://example.org/handbok", "edit_uri": "edit/main/docs/",
    "validation": VALIDATION | {
        "omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn", "anchors": "warn",
        "nav": {"omitted_files": "warn", "not_found": "warn", "absolute_links": "warn"}},
    "theme": {"name": "material", "language": "nb", "font": False,
              "features": ["navigation.indexes", "content.action.edit"]},
    "nav": [{"Hjem": "index.md"}, {"Kunnskapsbiblioteket": "kb/README.md"}],
}
EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "md_in_html", "tables", SLUGIFY,
              "pymdownx.details", "pymdownx.highlight", "pymdownx.superfences",
              {"pymdownx.snippets": {"check_paths": True}}, {"pymdownx.tasklist": {"custom_checkbox": True}}]


def library_entry(path: str, prefix: str, **extra) -> dict:
    return {"path": path, "url_prefix": prefix, **extra}


def make_project(tmp_path: Path, fixture: Path, *, strict: bool = True, entries: list[str] | None = None,
                 **extra) -> Path:
    project = tmp_path / "site-src"
    for lang, title in [("nb", "Hjem"), ("sv", "Hem")]:
        page = project / "docs" / lang / "index.md"
        page.parent.mkdir(parents=True)
        page.write_text(textwrap.dedent(f"""\
            ---
            title: {title}
            description: Test.
            ---

            # {title}

            [Bibliotek](kb/README.md)
            """), encoding="utf-8")
    shutil.copytree(fixture, project / "bibliotek", symlinks=True)
    entries = entries or [library_entry("bibliotek", "kb", **extra)]
    (project / "mkdocs.yml").write_text(mkdocs_yml(
        repo_hooks("library", "notebooks", "samples"), name="Testhåndbok", strict=strict,
        notebooks={"include_source": False, "no_prompt": True},
        languages=[LANGUAGES[0] | {"name": "Norsk (bokmål)"}, LANGUAGES[1]], extensions=EXTENSIONS,
        extra={"handbook": {"knowledge_libraries": entries}}, **SETTINGS), encoding="utf-8")
    return project


def build(tmp_path: Path, project: Path, *, strict: bool = True, timeout: float | None = None):
    return run_mkdocs(project / "mkdocs.yml", tmp_path / "site", strict=strict,
                      env={"HANDBOOK_CACHE_DIR": str(tmp_path / "cache")})


def html(site: Path, url_path: str) -> str:
    page = site / url_path / "index.html"
    assert page.is_file(), f"{page} was not built"
    return page.read_text(encoding="utf-8")


def article(page: str) -> str:
    return page[page.index("<article"):page.index("</article>")]


@pytest.fixture(scope="module")
def traits_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("traits")
    project = make_project(tmp, FIXTURES / "library-traits", execute_resources=["Körbar"],
                           repository="https://git.example.org/bibliotek/kunskap.git",
                           web="https://git.example.org/bibliotek/kunskap",
                           source_url="https://git.example.org/bibliotek/kunskap/-/blob/main/{path}")
    proc = build(tmp, project)
    return project, tmp / "site", proc


@pytest.mark.slow
def test_traits_library_builds_strictly_in_both_languages(traits_site):
    project, site, proc = traits_site
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert "WARNING" not in proc.stdout, proc.stdout[-5000:]
    problems = linkcheck.check_site(site, linkcheck.LinkCheckConfig(project_root=project))
    assert problems == [], "\n".join(map(str, problems))
    for prefix in ("", "sv/"):
        front = html(site, f"{prefix}kb")
        assert "Testbibliotek med verkliga drag" in front
        assert 'href="https://git.example.org/bibliotek/kunskap"' in front
        page = html(site, f"{prefix}kb/Articles/Kom igång/Första stegen")
        assert '<img alt="Skiss över flödet" src="' in page
        assert "https://git.example.org/bibliotek/kunskap/-/blob/main/Articles/Kom%20ig%C3%A5ng/" in page
        lists = article(html(site, f"{prefix}kb/Articles/Översikt och länkar"))
        assert lists.count("<li>") == 6 and "<ol>" in lists  # as GitHub shows them
    generated = project / "docs" / "nb" / "kb"
    assert (generated / ".gitignore").read_text().startswith("# Generated from the knowledge library")


@pytest.mark.slow
def test_downloads_are_the_committed_bytes(traits_site):
    project, site, _ = traits_site
    library = project / "bibliotek"
    for notebook in library.glob("Resources/**/*.ipynb"):
        rel = notebook.relative_to(library).as_posix()
        assert (site / "kb" / rel).read_bytes() == notebook.read_bytes(), rel  # one copy ...
        assert not (site / "sv" / "kb" / rel).exists()  # ... that every language links
    saved = "Resources/Hämta från webben/Sparad sida.html"
    assert not (site / "kb" / saved).exists() and not (site / "sv" / "kb" / saved).exists()
    assert (site / "kb" / (saved + ".txt")).read_bytes() == (library / saved).read_bytes()
    resource = html(site, "sv/kb/Resources/Hämta från webben")
    assert 'download="Sparad sida.html"' in resource
    with zipfile.ZipFile(site / "kb" / "Resources" / "Diagram i R" / "Diagram i R.zip") as zf:
        for name in zf.namelist():
            assert zf.read(name) == (library / "Resources" / name).read_bytes()
    assert not (site / "sv" / "kb" / "Resources" / "Diagram i R" / "Diagram i R.zip").exists()


@pytest.mark.slow
def test_notebooks_show_stored_outputs_and_only_opted_in_ones_run(traits_site):
    _, site, proc = traits_site
    r_page = article(html(site, "kb/Resources/Diagram i R/Stapeldiagram i R"))
    assert "KLART: UTDATA-UNIK-TEXT" in r_page and "<table" in r_page and 'class="kb-output-image"' in r_page
    assert len(re.findall(r"<h1[\s>]", r_page)) == 1
    assert "Stapeldiagram i R.ipynb" not in proc.stdout  # never executed
    ran = article(html(site, "kb/Resources/Körbar/räkna"))
    assert re.search(r"kb-stream\">42\b", ran), ran[-2000:]  # executed: execute_resources
    assert 'href="../r%C3%A4kna.ipynb" download="räkna.ipynb" hreflang="sv"' in ran
    sv_ran = article(html(site, "sv/kb/Resources/Körbar/räkna"))
    assert 'href="../../../../../kb/Resources/K%C3%B6rbar/r%C3%A4kna.ipynb"' in sv_ran


@pytest.mark.slow
def test_search_indexes_text_and_code_not_outputs(traits_site):
    _, site, _ = traits_site
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] for d in index["docs"] if "Stapeldiagram" in d["location"])
    assert "barplot" in text and "Diagrammet ritas med" in text
    assert "UTDATA-UNIK-TEXT" not in text and "Solna" not in text


@pytest.mark.slow
def test_two_libraries_each_get_a_section(tmp_path):
    project = make_project(tmp_path, FIXTURES / "library-ok", entries=[
        library_entry("bibliotek", "kb", name="Testbiblioteket"),
        library_entry("andra", "andra", name="Det andra biblioteket", nav=True)])
    shutil.copytree(FIXTURES / "library-traits", project / "andra")
    proc = build(tmp_path, project)
    assert proc.returncode == 0, proc.stdout[-5000:]
    site = tmp_path / "site"
    for prefix in ("", "sv/"):
        home = html(site, prefix.rstrip("/"))
        assert "Det andra biblioteket" in home  # its own nav section
        assert "Testbiblioteket" in html(site, f"{prefix}kb") and "Det andra biblioteket" in html(
            site, f"{prefix}andra")
    assert linkcheck.check_site(site, linkcheck.LinkCheckConfig(project_root=project)) == []


@pytest.mark.slow
def test_broken_library_fails_strict_build_with_named_warnings(tmp_path):
    project = make_project(tmp_path, FIXTURES / "library-broken")
    proc = build(tmp_path, project)
    assert proc.returncode != 0
    for pattern in [r"WARNING.*bibliotek/Templates/trasig\.json:5: invalid JSON",
                    r"WARNING.*bibliotek/Templates/saknar-git\.json: template field 'git'",
                    r"WARNING.*bibliotek/Resources/UtanReadme: resource has no README\.md",
                    r"WARNING.*bibliotek/Resources/trasig\.url: no URL= line"]:
        assert len(re.findall(pattern, proc.stdout)) == 1, (pattern, proc.stdout[-4000:])
