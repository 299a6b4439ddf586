"""Internal link check of a built site (handbook.checks.links)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from handbook.build import run_mkdocs
from handbook.checks.links import LinkCheckConfig, Problem, check_site, main

FIXTURES = Path(__file__).parent / "fixtures"


def write(root: Path, rel: str, body: str, head: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html><head>{head}</head><body>{body}</body></html>",
                    encoding="utf-8")


@pytest.fixture
def site(tmp_path) -> Path:
    """A hand-written two-language site: nb at the root, sv under sv/."""
    root = tmp_path / "site"
    write(root, "index.html", '<h1 id="hjem">Hjem</h1>',
          head='<link rel="canonical" href="http://127.0.0.1:8000/">')
    write(root, "dapla/botter/index.html",
          '<h2 id="bøtter-i-prod">B</h2><h2 id="hämta-data">H</h2><a name="gammel"></a>')
    write(root, "sv/index.html", '<h1 id="hem">Hem</h1>')
    write(root, "sv/dapla/botter/index.html", '<h2 id="bøtter-i-prod">B</h2>')
    (root / "assets").mkdir()
    (root / "assets" / "extra.css").write_text("body{}")
    (root / "dapla" / "botter" / "eksempel.ipynb").write_text("{}")
    return root


def problems_for(root: Path, body: str, rel: str = "dapla/data/index.html", head: str = ""):
    write(root, rel, body, head)
    return [p for p in check_site(root) if p.page.endswith(rel)]


def test_good_links_pass(site):
    body = """
      <a href="../botter/#b%C3%B8tter-i-prod">encoded</a>
      <a href="../botter/#bøtter-i-prod">raw</a>
      <a href="../botter/index.html#hämta-data">index.html</a>
      <a href="../botter/#gammel">a name</a>
      <a href="../botter/eksempel.ipynb" download>notebook</a>
      <a href="../../">home</a> <a href="/">absolute home</a> <a href="#">top</a>
      <a href="https://example.org/x">external</a> <a href="mailto:a@b.c">mail</a>
      <a href="../botter/?x=1#hämta-data">query</a>
      <img src="data:image/png;base64,AAAA">
      <link rel="alternate" href="../../sv/dapla/botter/" hreflang="sv">
      <a href="../../sv/" hreflang="sv" class="md-select__link">Svenska</a>
      <link rel="canonical" href="http://127.0.0.1:8000/somewhere/else/">
    """
    head = '<link rel="stylesheet" href="../../assets/extra.css">'
    assert problems_for(site, body, head=head) == []


@pytest.mark.parametrize(
    ("html", "link", "reason"),
    [
        ('<a href="../botter/#finnes-ikke">x</a>', "../botter/#finnes-ikke", "anchor #finnes-ikke"),
        ('<a href="../botter/#h%C3%A4mta-dato">x</a>', "../botter/#h%C3%A4mta-dato",
         "anchor #hämta-dato"),
        ('<a href="../mangler/">x</a>', "../mangler/", "not found"),
        ('<a href="../botter.md">x</a>', "../botter.md", "source file"),
        ('<img src="bilde.png">', "bilde.png", "not found"),
        ('<img srcset="liten.png 1x, ../../assets/extra.css 2x">', "liten.png", "not found"),
        ('<script src="../../assets/mangler.js"></script>', "../../assets/mangler.js", "not found"),
        ('<link rel="stylesheet" href="../../assets/borte.css">', "../../assets/borte.css",
         "not found"),
        ('<a href="../botter/eksempel.zip" download>x</a>', "../botter/eksempel.zip", "not found"),
        ('<a href="../../../utenfor/">x</a>', "../../../utenfor/", "outside the site"),
        ('<a href="../../sv/dapla/botter/">x</a>', "../../sv/dapla/botter/",
         "a nb page links into the sv pages"),
        ('<link rel="alternate" href="../../sv/dapla/data/" hreflang="sv">',
         "../../sv/dapla/data/", "not found"),
        ('<meta http-equiv="refresh" content="0; url=../flyttet/">', "../flyttet/", "not found"),
        ('<a href="/dapla/botter/#borte">x</a>', "/dapla/botter/#borte", "anchor #borte"),
        ('<a href="/dapla/botter/botter.md">x</a>', "/dapla/botter/botter.md", "not found"),
    ],
)
def test_broken_links_are_reported(site, html, link, reason):
    problems = problems_for(site, html)
    assert [p.link for p in problems] == [link]
    assert reason in problems[0].reason
    assert problems[0].page == "site/dapla/data/index.html"


def test_sv_page_linking_into_nb_pages(site):
    problems = problems_for(site, '<a href="../../../dapla/botter/">x</a>',
                            rel="sv/dapla/data/index.html")
    assert [p.reason for p in problems] == ["a sv page links into the nb pages"]


def test_sv_page_may_use_shared_assets_and_nb_files_but_not_nb_notebooks(site):
    (site / "dapla" / "botter" / "ressurser.zip").write_bytes(b"PK")
    body = ('<link rel="stylesheet" href="../../../assets/extra.css">'
            '<a href="../../../dapla/botter/ressurser.zip">x</a>'
            '<a href="../../../dapla/botter/eksempel.ipynb">x</a>')
    problems = problems_for(site, body, rel="sv/dapla/data/index.html")
    assert [(p.link, p.reason) for p in problems] == [
        ("../../../dapla/botter/eksempel.ipynb", "a sv page links into the nb pages")]


def test_absolute_links_respect_the_base_path(site):
    # The site is published under /manual/: an absolute /dapla/ link misses it.
    config = LinkCheckConfig(base_path="/manual/")
    write(site, "dapla/data/index.html", '<a href="/manual/dapla/botter/">ok</a>'
          '<a href="/dapla/botter/">no</a>')
    problems = [p for p in check_site(site, config) if "data" in p.page]
    assert [p.link for p in problems] == ["/dapla/botter/"]
    assert "base path /manual/" in problems[0].reason


def test_site_label_names_the_folder_in_messages(site, tmp_path):
    write(site, "dapla/data/index.html", '<a href="../mangler/">x</a>')
    assert [p.page for p in check_site(site, LinkCheckConfig(site_label="public"))] == [
        "public/dapla/data/index.html"]
    staging = tmp_path / ".site-new-abc123"  # handbook.build checks a staging folder
    site.rename(staging)
    assert [p.page for p in check_site(staging)] == ["site/dapla/data/index.html"]


def test_ignore_patterns(site):
    write(site, "dapla/data/index.html", '<a href="../ignorert/">x</a>')
    assert check_site(site, LinkCheckConfig(ignore=(r"/ignorert/",))) == []


def test_message_names_source_line_and_link(tmp_path):
    project = tmp_path / "project"
    source = project / "docs" / "sv" / "dapla" / "botter.md"
    source.parent.mkdir(parents=True)
    source.write_text("# Buckets\n\nText.\n\nSe [lagre](../data.md#lagre).\n", encoding="utf-8")
    site = tmp_path / "site"
    write(site, "sv/dapla/data/index.html", '<h1 id="data">D</h1>')
    write(site, "sv/dapla/botter/index.html",
          '<a href="https://example.org/edit/main/docs/sv/dapla/botter.md" rel="edit">e</a>'
          '<a href="../data/#lagre">lagre</a>')
    problems = check_site(site, LinkCheckConfig(project_root=project))
    assert problems == [Problem("site/sv/dapla/botter/index.html", "../data/#lagre",
                                "anchor #lagre not found in sv/dapla/data/index.html",
                                "docs/sv/dapla/botter.md", 5)]
    assert str(problems[0]) == (
        "docs/sv/dapla/botter.md:5: broken link ../data/#lagre: anchor #lagre not found in "
        "sv/dapla/data/index.html (in site/sv/dapla/botter/index.html)")


def test_message_without_source_names_the_built_page():
    problem = Problem("site/sv/dapla/botter/index.html", "../data/#lagre", "anchor not found")
    assert str(problem) == (
        "site/sv/dapla/botter/index.html: broken link ../data/#lagre: anchor not found")


def test_cli_reports_grouped_and_writes_json(site, tmp_path, capsys):
    write(site, "dapla/data/index.html", '<a href="../mangler/">x</a><img src="borte.png">')
    report = tmp_path / "links.json"
    assert main([str(site), "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert "site/dapla/data/index.html\n  ../mangler/: page or file not found\n" in err
    data = json.loads(report.read_text())
    assert [p["link"] for p in data["problems"]] == ["../mangler/", "borte.png"]
    write(site, "dapla/data/index.html", "ok")
    assert main([str(site), "--report", str(report)]) == 0
    assert json.loads(report.read_text())["problems"] == []


def test_cli_refuses_a_folder_without_a_site(tmp_path):
    assert main([str(tmp_path), "--report", str(tmp_path / "r.json")]) == 2


# Fixture sites built with MkDocs, i18n and mkdocs-jupyter, like the real one.

def build_fixture(name: str, tmp_path: Path, strict: bool):
    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)
    if name != "links-ok":  # the broken fixture borrows the ok fixture's hook
        shutil.copytree(FIXTURES / "links-ok", tmp_path / "links-ok", dirs_exist_ok=True)
    site = tmp_path / f"{name}-site"
    proc = run_mkdocs(project / "mkdocs.yml", site, strict=strict)
    return project, site, proc


@pytest.mark.slow
def test_fixture_with_good_links_passes(tmp_path):
    project, site, proc = build_fixture("links-ok", tmp_path, strict=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (site / "sv" / "notebooks" / "eksempel" / "index.html").exists()
    assert check_site(site, LinkCheckConfig(project_root=project)) == []


@pytest.fixture(scope="module")
def broken_fixture(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("broken")
    project, site, proc = build_fixture("links-broken", tmp_path, strict=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    messages = [str(p) for p in check_site(site, LinkCheckConfig(project_root=project))]
    return messages


# (the message starts with: source:line, link, reason)
BROKEN = [
    ("docs/nb/lenke.md:3: broken link finnes-ikke.md: file not found", "lenke/index.html"),
    ("docs/nb/anker.md:3: broken link ../mål/#finnes-ikke: anchor #finnes-ikke not found",
     "anker/index.html"),
    ("docs/nb/bilde.md:3: broken link filer/mangler.png: page or file not found",
     "bilde/index.html"),
    ("docs/nb/rahtml.md:4: broken link ../mål/#ikke-her: anchor #ikke-her not found",
     "rahtml/index.html"),
    ("docs/nb/rahtml.md:5: broken link ../filer/borte.png: page or file not found",
     "rahtml/index.html"),
    ("docs/nb/rahtml.md:6: broken link ../filer/borte.zip: page or file not found",
     "rahtml/index.html"),
    ("docs/nb/notebooks/brutt.ipynb:7: broken link ../finnes-ikke.md: file not found",
     "notebooks/brutt/index.html"),
    ("docs/nb/notebooks/brutt.ipynb:20: broken link ../../borte/: page or file not found",
     "notebooks/brutt/index.html"),
    ("docs/sv/ankare.md:3: broken link ../mål/#lagre-data: anchor #lagre-data not found in "
     "sv/mål/index.html", "sv/ankare/index.html"),
    ("docs/sv/kryss.md:3: broken link ../../mål/: a sv page links into the nb pages",
     "sv/kryss/index.html"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("start", "page"), BROKEN)
def test_fixture_with_broken_links_fails(broken_fixture, start, page):
    matches = [m for m in broken_fixture if m.startswith(start)]
    assert matches, f"no problem starting {start!r} among:\n" + "\n".join(broken_fixture)
    assert matches[0].endswith(f"-site/{page})")


@pytest.mark.slow
def test_fixture_with_broken_links_has_nothing_else(broken_fixture):
    # Fallback pages (sv/lenke/ built from docs/nb/lenke.md) repeat the nb problems.
    unexpected = [m for m in broken_fixture
                  if not any(m.startswith(start) for start, _ in BROKEN)
                  and not m.startswith(("docs/nb/lenke.md", "docs/nb/anker.md", "docs/nb/bilde.md",
                                        "docs/nb/rahtml.md", "docs/nb/notebooks/brutt.ipynb"))]
    assert unexpected == []
    assert len(broken_fixture) == 18


@pytest.mark.slow
def test_strict_build_of_broken_fixture_names_page_and_link(tmp_path):
    # MkDocs' own validation catches the Markdown links (not raw HTML or notebook outputs).
    _, _, proc = build_fixture("links-broken", tmp_path, strict=True)
    assert proc.returncode != 0
    assert "Doc file 'nb/lenke.md' contains a link 'finnes-ikke.md'" in proc.stdout
    assert "Doc file 'sv/ankare.md' contains a link 'mål.md#lagre-data'" in proc.stdout


@pytest.mark.site
def test_real_site_has_no_broken_internal_links(built_site):
    problems = check_site(built_site)
    assert problems == [], "\n".join(map(str, problems))
