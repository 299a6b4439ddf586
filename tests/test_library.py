"""The knowledge library: reading, rendering, validation, the site build and the copy command."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import textwrap
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from handbook import ROOT
from handbook.build import run_mkdocs
from handbook.content import library
from handbook.content import library_cli as cli_library

FIXTURES = Path(__file__).parent / "fixtures"
OK = FIXTURES / "library-ok"
BROKEN = FIXTURES / "library-broken"

ARTICLES = {
    "Articles/Python/lasa-data.md": "Läsa data i Python",
    "Articles/R/r-intro.md": "Introduktion till R",
    "Articles/R/Avancerat/paket.md": "Paket i R",
}
RESOURCES = {"S3-exempel": ["README.md", "analys.ipynb", "exempel.py"],
             "Kodsnuttar": ["README.md", "snutt.R"]}
TEMPLATE_LINKS = ["https://example.org/mallar/python-mall.git",
                  "https://example.org/mallar/python-mall",
                  "https://example.org/exempel/r-exempel.git"]
URL_LINK = "https://www.scb.se/"
NOTE = "Denne siden er på svensk."


def P(s: str) -> PurePosixPath:
    return PurePosixPath(s)


def text(outputs: dict, path: str) -> str:
    return outputs[P(path)].decode("utf-8")


# ------------------------------------------------------------------ model and rendering


def test_read_library_finds_everything():
    lib = library.read_library(OK)
    assert lib.problems == []
    assert lib.title == "Testbiblioteket"
    found = {str(a.rel): a.title for c in lib.articles.walk() for a in c.articles}
    assert found == ARTICLES
    assert [c.name for c in lib.articles.walk()] == ["Articles", "Python", "R", "Avancerat"]
    assert {r.name: sorted(f.name for f in r.files) for r in lib.resources} == RESOURCES
    kinds = {f.rel.name: (f.kind, f.url) for f in lib.library_files}
    assert kinds == {"SCB-webb.url": ("url", URL_LINK), "Riktlinjer.md": ("page", None),
                     "dokumentmall.txt": ("document", None)}
    assert [(t.name, t.tags) for t in lib.templates] == [("Python-mall", ["python", "mall"]),
                                                         ("R-exempel", ["r", "exempel"])]
    # the nb translation is not a page of its own
    assert "Articles/Python/lasa-data.nb.md" not in {str(p) for p in lib.pages()}


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_render_contains_every_page_and_link(lang):
    out = library.render_library(library.read_library(OK), lang)
    for rel in ARTICLES:
        assert P(rel) in out
    for name, files in RESOURCES.items():
        for f in files:
            assert P(f"Resources/{name}/{f}") in out
        assert P(f"Resources/{name}/{name}.zip") in out
    for page in ["README.md", "Articles/index.md", "Articles/Python/index.md",
                 "Articles/R/index.md", "Articles/R/Avancerat/index.md", "Resources/index.md",
                 "Templates/index.md", "Resources/Riktlinjer.md", "Resources/dokumentmall.txt"]:
        assert P(page) in out, page
    assert not any(".nb." in str(k) for k in out)

    front = text(out, "README.md")
    for rel in ARTICLES:
        assert f"]({rel})" in front
    for name in RESOURCES:
        assert f"](Resources/{name}/README.md)" in front
    assert f"]({URL_LINK})" in front
    assert "](Resources/Riktlinjer.md)" in front and "](Resources/dokumentmall.txt)" in front
    cards = text(out, "Templates/index.md")
    for link in TEMPLATE_LINKS:
        assert f"]({link})" in cards
    assert "Python-mall" in cards and "Ett exempelprojekt i R som använder renv." in cards
    # a category page lists its articles and subcategories, relative to itself
    r_index = text(out, "Articles/R/index.md")
    assert "](r-intro.md)" in r_index and "](Avancerat/index.md)" in r_index
    assert "](Avancerat/paket.md)" in r_index
    resource = text(out, "Resources/S3-exempel/README.md")
    assert "](analys.ipynb)" in resource and "](exempel.py)" in resource
    assert "](S3-exempel.zip)" in resource
    # every page starts with front matter carrying title and description
    for rel, data in out.items():
        if rel.suffix == ".md":
            meta, body = library.split_front_matter(data.decode())
            assert meta.get("title") and meta.get("description"), rel
            assert re.search(r"^# ", body, re.M), rel


def test_swedish_note_only_on_nb_pages_without_translation():
    lib = library.read_library(OK)
    sv, nb = library.render_library(lib, "sv"), library.render_library(lib, "nb")
    assert not any(NOTE.encode() in data for data in sv.values())
    for page in ["README.md", "Articles/R/r-intro.md", "Resources/S3-exempel/README.md",
                 "Resources/Riktlinjer.md", "Articles/R/index.md", "Templates/index.md"]:
        if page.endswith("index.md"):
            assert NOTE not in text(nb, page)  # generated pages are written in Norwegian
        else:
            body = text(nb, page)
            assert NOTE in body, page
            # the note comes after the page's heading, so the heading stays the title
            assert body.index("\n# ") < body.index(NOTE)
    translated = text(nb, "Articles/Python/lasa-data.md")
    assert "Lese data i Python" in translated and NOTE not in translated
    assert "Läsa data i Python" in text(sv, "Articles/Python/lasa-data.md")
    notebook = text(nb, "Resources/S3-exempel/analys.ipynb")
    assert NOTE in notebook and NOTE not in text(sv, "Resources/S3-exempel/analys.ipynb")


def test_zip_holds_the_resource_and_is_reproducible():
    lib = library.read_library(OK)
    res = next(r for r in lib.resources if r.name == "S3-exempel")
    data = library.zip_resource(lib, res)
    assert data == library.zip_resource(lib, res)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["S3-exempel/README.md", "S3-exempel/analys.ipynb",
                                         "S3-exempel/exempel.py"]
        source = OK / "Resources/S3-exempel/exempel.py"
        assert zf.read("S3-exempel/exempel.py") == source.read_bytes()


def test_write_tree_writes_only_changes_and_removes_stale(tmp_path):
    out = library.render_library(library.read_library(OK), "sv")
    target = tmp_path / "kb"
    assert library.write_tree(out, target) == len(out)
    assert (target / ".gitignore").read_text().splitlines()[1:] == ["*", "!.gitignore"]
    assert library.write_tree(out, target) == 0
    (target / "Articles" / "gammal.md").write_text("# Gammal\n")
    assert library.write_tree(out, target) == 1
    assert not (target / "Articles" / "gammal.md").exists()


def test_broken_library_reports_named_problems_and_renders_the_rest():
    lib = library.read_library(BROKEN)
    messages = [p.format("bib") for p in lib.problems]
    expected = [
        r"^bib/Templates/trasig\.json:5: invalid JSON",
        r"^bib/Templates/saknar-git\.json: template field 'git' is missing",
        r"^bib/Templates/saknar-git\.json:4: template field 'tags' must be a list",
        r"^bib/Resources/UtanReadme: resource has no README\.md",
        r"^bib/Resources/trasig\.url: no URL= line",
    ]
    for pattern in expected:
        assert any(re.search(pattern, m) for m in messages), (pattern, messages)
    assert len(messages) == len(expected)
    assert [t.name for t in lib.templates] == ["Hel mall"]
    out = library.render_library(lib, "sv")
    assert P("Articles/Allmant/hej.md") in out
    assert "kod.py" in text(out, "Resources/UtanReadme/README.md")
    assert P("Resources/UtanReadme/UtanReadme.zip") in out


def test_url_file_parsing():
    assert library.parse_url_file("[InternetShortcut]\r\nURL=https://a.se/x\r\n") == (
        "https://a.se/x", 2)
    assert library.parse_url_file("[InternetShortcut]\n") == (None, None)
    assert library.parse_url_file("[InternetShortcut]\nURL=\n") == ("", 2)


# ------------------------------------------------------------------ copy command


def test_copy_resource_folder_and_refuse_overwrite(tmp_path, capsys):
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli_library.main(["copy", str(OK), "S3-exempel", str(project)]) == 0
    printed = capsys.readouterr().out
    for f in RESOURCES["S3-exempel"]:
        copied = project / "Resources" / "S3-exempel" / f
        assert copied.read_bytes() == (OK / "Resources" / "S3-exempel" / f).read_bytes()
        assert f"copied Resources/S3-exempel/{f}" in printed

    mine = project / "Resources" / "S3-exempel" / "exempel.py"
    mine.write_text("# my changes\n")
    assert cli_library.main(["copy", str(OK), "S3-exempel", str(project)]) == 1
    err = capsys.readouterr().err
    assert "would overwrite 3 existing file(s)" in err and "--force" in err
    assert mine.read_text() == "# my changes\n"
    assert cli_library.main(["copy", str(OK), "S3-exempel", str(project), "--force"]) == 0
    assert mine.read_bytes() == (OK / "Resources/S3-exempel/exempel.py").read_bytes()


def test_copy_single_file_and_missing_resource(tmp_path, capsys):
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli_library.main(["copy", str(OK), "SCB-webb.url", str(project)]) == 0
    assert (project / "Resources" / "SCB-webb.url").read_text().startswith("[InternetShortcut]")
    assert cli_library.main(["copy", str(OK), "Finns-inte", str(project)]) == 1
    err = capsys.readouterr().err
    assert "no resource 'Finns-inte'" in err and "S3-exempel/" in err
    assert sorted(p.name for p in (project / "Resources").iterdir()) == ["SCB-webb.url"]


def test_copy_checks_the_branch(tmp_path, capsys):
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli_library.main(["copy", str(OK), "Kodsnuttar", str(project), "--branch", "main"]) == 1
    assert "not a git repository" in capsys.readouterr().err
    subprocess.run(["git", "init", "-q", "-b", "utveckling", str(project)], check=True)
    assert cli_library.main(["copy", str(OK), "Kodsnuttar", str(project), "--branch", "main"]) == 1
    assert "on branch 'utveckling', not 'main'" in capsys.readouterr().err
    assert not (project / "Resources").exists()
    assert cli_library.main(["copy", str(OK), "Kodsnuttar", str(project),
                             "--branch", "utveckling"]) == 0
    assert (project / "Resources" / "Kodsnuttar" / "snutt.R").exists()


# ------------------------------------------------------------------ full site builds

MKDOCS_YML = """\
site_name: Testhåndbok
site_url: http://127.0.0.1:8000/
repo_url: https://example.org/handbok
edit_uri: edit/main/docs/
docs_dir: docs
strict: true
validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn
  nav:
    omitted_files: warn
    not_found: warn
    absolute_links: warn
  links:
    not_found: warn
    anchors: warn
    absolute_links: warn
    unrecognized_links: warn
theme:
  name: material
  language: nb
  font: false
  features: [navigation.indexes, content.action.edit]
extra:
  handbook:
    knowledge_library:
      path: bibliotek
      url_prefix: kunskapsbibliotek
hooks:
  - {hooks}/library.py
  - {hooks}/notebooks.py
plugins:
  - search
  - mkdocs-jupyter:
      include: ["*.ipynb"]
      execute: false
      include_source: false
      no_prompt: true
      cache: false
  - i18n:
      docs_structure: folder
      fallback_to_default: true
      languages:
        - locale: nb
          name: Norsk (bokmål)
          default: true
          build: true
        - locale: sv
          name: Svenska
          build: true
          theme:
            language: sv
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.superfences
nav:
  - Hjem: index.md
  - Kunnskapsbiblioteket: kunskapsbibliotek/README.md
"""


def make_project(tmp_path: Path, fixture: Path) -> Path:
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

            [Bibliotek](kunskapsbibliotek/README.md)
            """), encoding="utf-8")
    shutil.copytree(fixture, project / "bibliotek")
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=ROOT / "hooks"), encoding="utf-8")
    return project


def html(site: Path, url_path: str) -> str:
    page = site / url_path / "index.html"
    assert page.is_file(), f"{page} was not built"
    return page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_strict_site_build_publishes_library_in_both_languages(tmp_path):
    project = make_project(tmp_path, OK)
    site = tmp_path / "site"
    proc = run_mkdocs(project / "mkdocs.yml", site)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "WARNING" not in proc.stdout, proc.stdout

    for prefix, lang in [("", "nb"), ("sv/", "sv")]:
        base = f"{prefix}kunskapsbibliotek"
        front = html(site, base)
        assert "Testbiblioteket" in front
        assert (NOTE in front) == (lang == "nb")
        for rel, title in ARTICLES.items():
            url = rel.removesuffix(".md")
            page = html(site, f"{base}/{url}")
            assert f'href="{url}/"' in front, (lang, rel)
            if not (lang == "nb" and rel.endswith("lasa-data.md")):
                assert title in page
        for name, files in RESOURCES.items():
            page = html(site, f"{base}/Resources/{name}")
            assert f'href="{name}.zip"' in page
            with zipfile.ZipFile(site / base / "Resources" / name / f"{name}.zip") as zf:
                assert sorted(Path(n).name for n in zf.namelist()) == sorted(files)
        assert (site / base / "Resources/S3-exempel/exempel.py").is_file()
        assert (site / base / "Resources/dokumentmall.txt").is_file()
        notebook = html(site, f"{base}/Resources/S3-exempel/analys")
        assert "Analys av testdata" in notebook
        assert "Riktlinjer för biblioteket" in html(site, f"{base}/Resources/Riktlinjer")
        assert f'href="{URL_LINK}"' in front
        assert f'href="{URL_LINK}"' in html(site, f"{base}/Resources")
        cards = html(site, f"{base}/Templates")
        for link in TEMPLATE_LINKS:
            assert f'href="{link}"' in cards
        # links between articles resolve to the built pages
        article = html(site, f"{base}/Articles/Python/lasa-data")
        assert re.search(r'href="\.\./\.\./R/r-intro/#kom-ig(å|%C3%A5)ng"', article), lang
        assert 'href="../../../Resources/S3-exempel/"' in article

    nb_article = html(site, "kunskapsbibliotek/Articles/Python/lasa-data")
    assert "Lese data i Python" in nb_article and NOTE not in nb_article
    assert NOTE in html(site, "kunskapsbibliotek/Articles/R/r-intro")
    assert NOTE not in html(site, "sv/kunskapsbibliotek/Articles/R/r-intro")
    # the language switcher links the two versions of a library page
    assert 'href="../../../../sv/kunskapsbibliotek/Articles/R/r-intro/" hreflang="sv"' in html(
        site, "kunskapsbibliotek/Articles/R/r-intro")
    # generated pages have no edit button (their source is not in docs/ in git)
    assert "https://example.org/handbok/edit/main/docs/nb/index.md" in html(site, "")
    library_pages = list(site.glob("**/kunskapsbibliotek/**/index.html"))
    assert len(library_pages) == 2 * 14
    for page in library_pages:
        assert "/edit/main/" not in page.read_text(encoding="utf-8"), page
    # generated sources sit in git-ignored folders
    for lang in ("nb", "sv"):
        assert (project / "docs" / lang / "kunskapsbibliotek" / ".gitignore").is_file()


@pytest.mark.slow
def test_broken_library_fails_strict_build_with_named_warnings(tmp_path):
    project = make_project(tmp_path, BROKEN)
    proc = run_mkdocs(project / "mkdocs.yml", tmp_path / "site")
    assert proc.returncode != 0
    for pattern in [r"WARNING.*bibliotek/Templates/trasig\.json:5: invalid JSON",
                    r"WARNING.*bibliotek/Templates/saknar-git\.json: template field 'git'",
                    r"WARNING.*bibliotek/Resources/UtanReadme: resource has no README\.md",
                    r"WARNING.*bibliotek/Resources/trasig\.url: no URL= line"]:
        assert len(re.findall(pattern, proc.stdout)) == 1, (pattern, proc.stdout[-4000:])
    # the rest still renders: a non-strict build publishes the good parts
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("strict: true", "strict: false"))
    loose = run_mkdocs(config, tmp_path / "loose", strict=False)
    assert loose.returncode == 0, loose.stdout[-4000:]
    assert "En artikel som ska visas trots felen." in html(
        tmp_path / "loose", "sv/kunskapsbibliotek/Articles/Allmant/hej")
    assert "Hel mall" in html(tmp_path / "loose", "kunskapsbibliotek/Templates")


def test_check_command_exit_codes(capsys):
    assert cli_library.main(["check", str(OK)]) == 0
    assert cli_library.main(["check", str(BROKEN)]) == 1
    err = capsys.readouterr().err
    assert "Templates/trasig.json:5: invalid JSON" in err
    assert "Resources/UtanReadme: resource has no README.md" in err



def as_text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def test_swedish_content_is_marked_on_the_nb_site(tmp_path):
    """Language of parts (WCAG 3.1.2): untranslated text and library names carry lang="sv"."""
    from pathlib import PurePosixPath

    lib = library.read_library(FIXTURES / "library-ok")
    nb = {k: v for k, v in library.render_library(lib, "nb").items() if str(k).endswith(".md")}
    sv = {k: v for k, v in library.render_library(lib, "sv").items() if str(k).endswith(".md")}
    front = PurePosixPath("README.md")
    assert '<span lang="sv">' in as_text(nb[front]) and 'lang="sv"' not in as_text(sv[front])
    untranslated = [as_text(v) for v in nb.values() if "Denne siden er på svensk." in as_text(v)]
    assert untranslated and all('<div lang="sv" markdown>' in v for v in untranslated)
