"""Knowledge libraries: reading, CommonMark, links, rendering, notebooks, copying, settings.

Fixtures: library-ok (a small library with a translation), library-broken (format problems),
library-traits (our own text with the traits of SCB's real library: CRLF, spaces and åäö in
names, nested categories and resource folders, an empty README, a saved web page, R notebooks
with stored outputs, lists without blank lines, images beside articles). The hostile library
has its own module, test_library_hostile.py; site builds are in test_library_site.py.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import markdown
import pytest
from projects import REPO

from handbook.content import library
from handbook.content.library import cli, commonmark, links, sanitize, settings
from handbook.content.library.files import GITIGNORE
from handbook.content.library.model import INFO
from handbook.i18n.strings import Strings
from handbook.project import Project

FIXTURES = Path(__file__).parent / "fixtures"
OK = FIXTURES / "library-ok"
BROKEN = FIXTURES / "library-broken"
TRAITS = FIXTURES / "library-traits"
P = PurePosixPath
NAME = "Testbibliotek med verkliga drag"  # the traits library's README heading


TEXTS = Strings.load(Project.load(REPO / "mkdocs.yml"))


def lib_settings(path: Path, **extra) -> library.LibrarySettings:
    return library.LibrarySettings(path=path.resolve(), label=path.name, url_prefix="kb", texts=TEXTS,
                                   **extra)


def render(path: Path, lang: str = "sv", **extra) -> library.Rendering:
    lib = library.read_library(path)
    return library.render_library(lib, lib_settings(path, **extra), lang, default_language="nb")


def text(rendering, rel: str) -> str:
    return rendering.outputs[P(rel)].decode("utf-8")


def meta_and_body(page: str) -> tuple[dict, str]:
    import yaml

    _, head, body = page.split("---\n", 2)
    return yaml.safe_load(head), body


# ------------------------------------------------------------------ reading


def test_read_library_names_things_as_balsam_does():
    lib = library.read_library(OK)
    assert lib.problems == []
    assert lib.readme_title == "Testbiblioteket"
    found = {str(a.rel): a.name for c in lib.articles.walk() for a in c.articles}
    assert found == {"Articles/Python/lasa-data.md": "lasa-data", "Articles/R/r-intro.md": "r-intro",
                     "Articles/R/Avancerat/paket.md": "paket"}
    assert [c.name for c in lib.articles.walk()] == ["Articles", "Python", "R", "Avancerat"]
    assert [r.name for r in lib.resources] == ["Kodsnuttar", "S3-exempel"]
    kinds = {f.rel.name: (f.kind, f.name, f.url) for f in lib.library_files}
    assert kinds == {"SCB-webb.url": ("url", "SCB-webb", "https://www.scb.se/"),
                     "Riktlinjer.md": ("page", "Riktlinjer", None),
                     "dokumentmall.txt": ("document", "dokumentmall", None)}
    assert [(t.name, t.tags) for t in lib.templates] == [("Python-mall", ["python", "mall"]),
                                                         ("R-exempel", ["r", "exempel"])]
    assert "Articles/Python/lasa-data.nb.md" not in {str(p) for p in lib.pages()}


def test_traits_library_model():
    lib = library.read_library(TRAITS)
    assert [p for p in lib.problems if p.level != INFO] == []
    assert [c.name for c in lib.articles.walk()] == ["Articles", "Kom igång", "Fördjupning"]
    assert [a.name for a in lib.articles.articles] == ["Översikt och länkar"]
    assert lib.articles.children[0].files == [P("Articles/Kom igång/bilder/flöde i projektet.png")]
    resources = {r.name: [str(f.relative_to(r.rel)) for f in r.files] for r in lib.resources}
    assert resources["Diagram i R"] == ["Hjälpfunktioner/färger.R", "README.md", "Stapeldiagram i R.ipynb"]
    assert resources["Tom resurs"] == ["kod.py", "README.md"]


def test_broken_library_reports_named_problems():
    lib = library.read_library(BROKEN)
    messages = [p.format("bib") for p in lib.problems]
    expected = [r"^bib/Templates/trasig\.json:5: invalid JSON",
                r"^bib/Templates/saknar-git\.json: template field 'git' is missing",
                r"^bib/Templates/saknar-git\.json:4: template field 'tags' must be a list",
                r"^bib/Resources/UtanReadme: resource has no README\.md",
                r"^bib/Resources/trasig\.url: no URL= line"]
    for pattern in expected:
        assert any(re.search(pattern, m) for m in messages), (pattern, messages)
    assert len(messages) == len(expected)
    assert [t.name for t in lib.templates] == ["Hel mall"]


def test_url_file_parsing():
    assert library.parse_url_file("[InternetShortcut]\r\nURL=https://a.se/x\r\n") == ("https://a.se/x", 2)
    assert library.parse_url_file("[InternetShortcut]\n") == (None, None)
    assert library.parse_url_file("[InternetShortcut]\nURL=\n") == ("", 2)


# ------------------------------------------------------------------ CommonMark as GitHub shows it


KEEP = frozenset({"p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote", "table", "tr", "th", "td",
            "pre", "details", "summary", "a", "em", "strong", "br", "img", "hr"})


class _Structure(HTMLParser):

    def __init__(self):
        super().__init__()
        self.out: list[str] = []
        self.text = ""

    def _flush(self):
        if self.text.strip():
            self.out.append("'" + " ".join(self.text.split()))
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag in KEEP:
            self._flush()
            self.out.append(tag)

    def handle_endtag(self, tag):
        if tag in KEEP:
            self._flush()
            self.out.append("/" + tag)

    def handle_data(self, data):
        self.text += data


def structure(html: str) -> list[str]:
    """Block and inline structure with the text between tags (highlighting spans ignored)."""
    parser = _Structure()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.out


PM_EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
                 "toc", "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed",
                 "pymdownx.tasklist"]
CASES = {
    "list-after-paragraph": "Projektet skapar\n- ett repository\n- en bucket\n\nSlut.",
    "heading-without-space": "#Ingen rubrik\ntext\n\n# Rubrik #",
    "crlf": "Rad ett\r\n\r\n* punkt\r\n* punkt två\r\n",
    "nested-two-spaces": "- a\n  - a1\n  - a2\n- b",
    "ordered-paren-and-restart": "1) ett\n2) två\n\n- annat",
    "one-space-indent": " - ett\n - två\n\n Stycke efter.",
    "fence-in-tight-list": "- a\n  ```python\n  print(1)\n  ```\n- b",
    "loose-list": "- a\n\n- b\n\n  mer om b",
    "details-block": "<details>\n<summary>Visa</summary>\n\n- dold punkt\n</details>",
    "table": "| a | b |\n|:--|--:|\n| 1 \\| x | `c` |",
    "blockquote-lazy": "> citat\nlat rad\n> - punkt",
    "our-syntax-is-text": "!!! note\n    x\n\nTerm\n: inte en definition\n\n*[HTML]: Hyper\n\n[TOC]",
    "reference-link": "[länk][r]\n\n[r]: ./x.md \"Titel\"",
    "bare-url": "Se https://www.scb.se/statistik.",
    "two-lists": "* a\n+ b",
    "code-in-heading-hash": "# C#",
}


@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_python_markdown_renders_what_commonmark_renders(source):
    rewritten = commonmark.without_not_run(commonmark.to_python_markdown(source))
    ours = structure(markdown.markdown(rewritten, extensions=PM_EXTENSIONS))
    github = structure(commonmark._PARSER.render(source.replace("\r\n", "\n")))
    if "bare-url" in source or "scb.se" in source:
        github = structure('<p>Se <a href="https://www.scb.se/statistik">https://www.scb.se/statistik</a>.</p>')
    assert ours == github


def test_snippet_lines_are_shown_not_included():
    out = commonmark.to_python_markdown('--8<-- "/etc/passwd"\n\n```\n--8<-- "x"\n```\n')
    assert re.findall(r"^;--8<--", out, re.M) and not re.search(r"^-+8<", out, re.M)


def test_code_policy_marks_fences_not_run():
    out = commonmark.to_python_markdown("```python title=\"x\"\nprint(1)\n```\n\n    indented\n"
                                        "    ```bash\n    rm -rf /\n    ```\n")
    assert '```python skip="knowledge library: shown, not run"' in out
    assert "title=" not in out
    assert "````\nindented\n```bash" in out  # an indented block cannot open a fence the runner sees
    kept = commonmark.to_python_markdown("```python session=a\nprint(1)\n```",
                                         code=commonmark.CodePolicy(run=True))
    assert "```python session=a" in kept


@pytest.mark.parametrize("headings,plan", [
    ([(1, "A"), (2, "B")], (False, 0)),
    ([(2, "B")], (True, 0)),
    ([(1, "A"), (1, "B")], (True, 1)),
    ([(2, "B"), (1, "A")], (True, 1)),
    ([], (True, 0)),
], ids=["one-h1-first", "no-h1", "two-h1", "h1-not-first", "no-headings"])
def test_heading_plan_gives_one_h1(headings, plan):
    assert commonmark.heading_plan([commonmark.Heading(lvl, t) for lvl, t in headings]) == plan


# ------------------------------------------------------------------ sanitising


HOSTILE_HTML = [
    '<script>alert(1)</script><p onclick="x()">hi</p>',
    '<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:alert(1)">b</a><a href=" javascript:x">c</a>',
    '<a href="data:text/html,<script>alert(1)</script>">d</a><img src="data:text/html;base64,PHNjcmlwdD4=">',
    '<img src="x.png" onerror="alert(1)"><svg onload="alert(1)"><circle/></svg>',
    '<iframe src="https://evil.example"></iframe><style>body{}</style><form action="x"><input name=q></form>',
    '<div id="__search" style="background:url(javascript:alert(1))">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math><object data="x"></object>',
]


@pytest.mark.parametrize("html", HOSTILE_HTML, ids=range(len(HOSTILE_HTML)))
def test_sanitizer_leaves_nothing_that_runs(html):
    clean = sanitize.clean_page(html).lower()
    for bad in ("<script", "onclick", "onerror", "onload", "javascript:", "<iframe", "<style", "<form",
                "<svg", "data:text", "__search", "<object", "url("):
        assert bad not in clean, (bad, clean)


def test_sanitizer_keeps_what_markdown_and_outputs_need():
    html = ('<h2 id="a">A<a class="headerlink" href="#a" title="Lenke">¶</a></h2>'
            '<div class="highlight"><pre><span></span><code><a id="__codelineno-0-1" '
            'href="#__codelineno-0-1"></a><span class="n">x</span></code></pre></div>'
            '<table><tr><th style="text-align: left">a</th></tr></table>'
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="utdata">'
            '<label class="task-list-control"><input type="checkbox" disabled checked></label>'
            '<div class="kb-output" data-search-exclude><pre>1</pre></div>'
            '<a href="../x.ipynb" download="x.ipynb">ladda ner</a>'
            '<details open><summary>s</summary></details>')
    clean = sanitize.clean_page(html)
    for kept in ('id="a"', 'class="headerlink"', 'id="__codelineno-0-1"', 'style="text-align:left"',
                 'src="data:image/png;base64,', 'type="checkbox"', "data-search-exclude",
                 'download="x.ipynb"', "<details open"):
        assert kept in clean, kept


def test_plain_text_cannot_leave_an_attribute_or_title():
    value = sanitize.plain_text('"><script>alert(1)</script></title> & <b>fet</b>')
    assert value == "&quot;&gt; &amp; fet"
    assert "<" not in value and '"' not in value


def test_active_files():
    assert sanitize.is_active("Sparad sida.html") and sanitize.is_active("x.XHTML")
    assert sanitize.is_active("bild.svg", b'<svg onload="x()"/>')
    assert not sanitize.is_active("bild.svg", b"<svg><path d='M0 0'/></svg>")
    assert not sanitize.is_active("data.csv")


# ------------------------------------------------------------------ rendering


def test_every_page_has_one_h1_front_matter_and_no_empty_heading():
    for lang in ("nb", "sv"):
        out = render(TRAITS, lang)
        for rel, data in out.outputs.items():
            if rel.suffix != ".md":
                continue
            meta, body = meta_and_body(data.decode())
            assert meta["title"] and meta["description"], rel
            assert meta["handbook"]["library"] == NAME and meta["handbook"]["execute"] is False, rel
            assert meta["handbook_library"] == NAME
            html = markdown.markdown(commonmark.without_not_run(body), extensions=PM_EXTENSIONS)
            assert len(re.findall(r"<h1[\s>]", html)) == 1, (lang, rel)
            assert not re.search(r"<h(\d)[^>]*>\s*</h\1>", html), (lang, rel)


def test_names_are_folder_and_file_names():
    out = render(TRAITS)
    page = text(out, "Resources/Diagram i R/README.md")
    assert page.split("---\n\n", 1)[1].startswith("# Diagram i R\n")  # the folder, not the README
    assert "&#35;Diagram i R" in page  # `#Diagram` without a space stays text, as on GitHub
    assert meta_and_body(text(out, "Articles/Översikt och länkar.md"))[0]["title"] == "Översikt och länkar"
    second_h1 = text(out, "Articles/Kom igång/Fördjupning/Versioner och grenar.md")
    assert "# Versioner och grenar\n" in second_h1 and "## Versioner och grenar" in second_h1
    assert "## Grenar och mappar" in second_h1
    front = text(out, "README.md")
    assert "[Kom igång](Articles/Kom%20ig%C3%A5ng/index.md)" in front


def test_links_resolve_to_published_pages_and_files():
    out = render(TRAITS)
    overview = text(out, "Articles/Översikt och länkar.md")
    assert "](Kom%20ig%C3%A5ng/F%C3%B6rsta%20stegen.md)" in overview
    assert "](Kom%20ig%C3%A5ng/F%C3%B6rdjupning/Versioner%20och%20grenar.md#grenar-och-mappar)" in overview
    assert "](../Resources/Diagram%20i%20R/README.md)" in overview  # a folder link: its page
    assert "[https://www.statistikdatabasen.scb.se/](https://www.statistikdatabasen.scb.se/)" in overview
    first = text(out, "Articles/Kom igång/Första stegen.md")
    assert "![Skiss över flödet](bilder/fl%C3%B6de%20i%20projektet.png)" in first
    assert "Bilden saknas här och den här länken leder" in first  # missing and outside: text only
    messages = [p.message for p in out.problems if p.path == P("Articles/Kom igång/Första stegen.md")]
    assert any("does not exist in the library" in m for m in messages)
    assert any("points outside the library" in m for m in messages)
    assert all(p.level == INFO for p in out.problems)
    strict = render(TRAITS, strict=True)
    assert {p.level for p in strict.problems if "link" in p.message} == {"warning"}


def test_github_anchor_is_mapped_to_our_heading_id():
    sitemap = links.SiteMap({P("a.md"): P("a.md")}, {}, frozenset({P("a.md")}))
    sitemap.set_headings(P("a.md"), [("c-och-r", "C# och R")])
    problems: list = []
    rewriter = links.Rewriter(sitemap, P("a.md"), P("a.md"), problems)
    assert rewriter.resolve("#c-och-r", markdown=True) == "#c-och-r"
    assert rewriter.resolve("#c-och-r", markdown=True) == "#c-och-r"
    assert rewriter.resolve("a.md#c-och-r", markdown=True) == "a.md#c-och-r"
    assert rewriter.resolve("a.md#saknas", markdown=True) == "a.md" and problems


def test_downloads_files_and_zips():
    lib = library.read_library(TRAITS)
    nb_out = library.render_library(lib, lib_settings(TRAITS), "nb", default_language="nb")
    sv_out = library.render_library(lib, lib_settings(TRAITS), "sv", default_language="nb")
    saved = P("Resources/Hämta från webben/Sparad sida.html")
    assert saved not in nb_out.outputs  # a saved web page is never a page of ours ...
    assert nb_out.outputs[P(str(saved) + ".txt")] == (TRAITS / str(saved)).read_bytes()  # ... but a download
    png = P("Articles/Kom igång/bilder/flöde i projektet.png")
    assert nb_out.outputs[png] == (TRAITS / str(png)).read_bytes()
    assert png not in sv_out.outputs  # files live once, in the default language
    assert all(k.suffix == ".md" for k in sv_out.outputs)
    notebook = P("Resources/Diagram i R/Stapeldiagram i R.ipynb")
    assert nb_out.downloads[notebook] == notebook and sv_out.downloads == {}  # one copy
    with zipfile.ZipFile(io.BytesIO(nb_out.outputs[P("Resources/Diagram i R/Diagram i R.zip")])) as zf:
        assert sorted(zf.namelist()) == ["Diagram i R/Hjälpfunktioner/färger.R", "Diagram i R/README.md",
                                         "Diagram i R/Stapeldiagram i R.ipynb"]
        assert zf.read("Diagram i R/Stapeldiagram i R.ipynb") == (TRAITS / str(notebook)).read_bytes()


def test_notebook_page_shows_stored_outputs_and_excludes_them_from_search():
    out = render(TRAITS, "sv")
    page = text(out, "Resources/Diagram i R/Stapeldiagram i R.md")
    assert '```r skip="knowledge library: shown, not run"\nlibrary(minio.s3)' in page
    assert ('<div class="kb-output jp-OutputArea" data-search-exclude markdown="0">'
            '<table class="dataframe">') in page
    assert "KLART: UTDATA-UNIK-TEXT" in page and page.count("data-search-exclude") == 2  # images hold no text
    assert "![plot without title](Stapeldiagram%20i%20R.ipynb.outputs/2-1.png){ .kb-output-image }" in page
    assert ('<a href="../../../../../kb/Resources/Diagram%20i%20R/Stapeldiagram%20i%20R.ipynb" '
            'download="Stapeldiagram i R.ipynb" hreflang="sv">') in page
    error = text(out, "Resources/Hämta från webben/hämta.md")
    assert "ModuleNotFoundError: No module named" in error and "\x1b" not in error


def test_other_language_gets_a_note_and_lang_markup():
    lib = library.read_library(OK)
    nb_out = library.render_library(lib, lib_settings(OK), "nb", default_language="nb")
    page = text(nb_out, "Articles/R/r-intro.md")
    assert "Denne siden er på svensk." in page and '<div lang="sv" markdown>' in page
    translated = text(nb_out, "Articles/Python/lasa-data.md")
    assert "Lese data i Python" in translated and "Denne siden er på svensk." not in translated
    third = library.render_library(lib, lib_settings(OK), "de", default_language="nb")
    assert "This page is in Swedish." in text(third, "Articles/R/r-intro.md")  # English fallback


def test_executed_library_keeps_notebooks_as_notebooks():
    out = render(TRAITS, "nb", execute_resources=("Körbar",))
    generated = json.loads(out.outputs[P("Resources/Körbar/räkna.ipynb")])
    assert generated["metadata"]["handbook"] == {"library": NAME, "execute": True}
    assert generated["cells"][0]["source"].startswith("---\ntitle: ")
    assert P("Resources/Körbar/räkna.ipynb") in out.deferred
    assert P("Resources/Diagram i R/Stapeldiagram i R.md") in out.outputs  # the rest is not run


def test_write_tree_refuses_a_folder_it_did_not_generate(tmp_path):
    target = tmp_path / "docs" / "nb" / "kb"
    (target / "egen").mkdir(parents=True)
    (target / "egen" / "sida.md").write_text("# Min sida\n")
    with pytest.raises(library.LibraryError, match="was not generated from a library"):
        library.write_tree({P("README.md"): b"x"}, target)
    assert (target / "egen" / "sida.md").exists()


def test_write_tree_writes_only_changes_and_removes_stale(tmp_path):
    out = render(OK).outputs
    target = tmp_path / "kb"
    assert library.write_tree(out, target) == len(out)
    assert (target / ".gitignore").read_text() == GITIGNORE
    assert library.write_tree(out, target) == 0
    (target / "Articles" / "gammal.md").write_text("# Gammal\n")
    assert library.write_tree(out, target) == 1 and not (target / "Articles" / "gammal.md").exists()


# ------------------------------------------------------------------ settings


def test_settings_old_and_new_keys(tmp_path):
    old = settings.read_settings({"knowledge_library": {"path": "kb", "url_prefix": "x"}}, tmp_path)
    assert [(s.url_prefix, s.execute) for s in old] == [("x", False)]
    new = settings.read_settings({"knowledge_libraries": [
        {"path": "a", "name": "A", "execute": True},
        {"path": "/abs/b", "url_prefix": "b", "repository": "https://git.example/b.git",
         "execute_resources": ["R"], "nav": "BALSAM"}]},
        tmp_path, "https://github.com/o/h", "edit/main/docs/")
    assert new[0].executes(P("Articles/x.md")) and not new[1].executes(P("Articles/x.md"))
    assert new[1].executes(P("Resources/R/x.ipynb")) and new[1].checkout == "b"
    assert new[0].web_url(P("Articles/a b.md")) == "https://github.com/o/h/blob/main/a/Articles/a%20b.md"
    assert new[1].web_url(P("x")) is None


@pytest.mark.parametrize("entry,message", [
    ({"path": "a", "colour": "red"}, "unknown setting"),
    ({"path": "a", "url_prefix": "../up"}, "url_prefix"),
    ({"path": "a", "execute": "yes"}, "execute must be true or false"),
    ({"path": "a", "repository": "javascript:alert(1)"}, "repository must be"),
    ({"url_prefix": "a"}, "needs at least `path:`"),
], ids=["unknown", "prefix", "execute", "repository", "path"])
def test_settings_errors_say_what_is_wrong(tmp_path, entry, message):
    with pytest.raises(settings.SettingsError, match=message):
        settings.read_settings({"knowledge_libraries": [entry]}, tmp_path)


def test_two_libraries_cannot_share_a_prefix(tmp_path):
    with pytest.raises(settings.SettingsError, match="same url_prefix"):
        settings.read_settings({"knowledge_libraries": [{"path": "a", "url_prefix": "x"},
                                                        {"path": "b", "url_prefix": "x"}]}, tmp_path)


# ------------------------------------------------------------------ the copy command


def test_copy_resource_folder_and_refuse_overwrite(tmp_path, capsys):
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli.main(["copy", str(OK), "S3-exempel", str(project)]) == 0
    printed = capsys.readouterr().out
    for f in ["README.md", "analys.ipynb", "exempel.py"]:
        copied = project / "Resources" / "S3-exempel" / f
        assert copied.read_bytes() == (OK / "Resources" / "S3-exempel" / f).read_bytes()
        assert f"copied Resources/S3-exempel/{f}" in printed
    mine = project / "Resources" / "S3-exempel" / "exempel.py"
    mine.write_text("# my changes\n")
    assert cli.main(["copy", str(OK), "S3-exempel", str(project)]) == 1
    err = capsys.readouterr().err
    assert "would overwrite 3 existing file(s)" in err and "--force" in err
    assert mine.read_text() == "# my changes\n"
    assert cli.main(["copy", str(OK), "S3-exempel", str(project), "--force"]) == 0
    assert mine.read_bytes() == (OK / "Resources/S3-exempel/exempel.py").read_bytes()


def test_copy_accepts_names_as_typed(tmp_path, capsys):
    for typed in ["Diagram i R", "diagram I r/", "Resources/DIAGRAM I R",
                  unicodedata.normalize("NFD", "hämta från webben"), "  Körbar  "]:
        project = tmp_path / f"p{abs(hash(typed))}"
        project.mkdir()
        assert cli.main(["copy", str(TRAITS), typed, str(project)]) == 0, capsys.readouterr().err
        assert len(list((project / "Resources").iterdir())) == 1


def test_copy_says_when_a_name_is_ambiguous_or_unknown(tmp_path, capsys):
    lib = tmp_path / "bib"
    for name in ("Analys", "ANALYS"):
        (lib / "Resources" / name).mkdir(parents=True)
        (lib / "Resources" / name / "README.md").write_text(f"# {name}\n")
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli.main(["copy", str(lib), "analys", str(project)]) == 1
    assert "matches 2 resources that differ only in case: 'ANALYS', 'Analys'" in capsys.readouterr().err
    assert cli.main(["copy", str(lib), "Analys", str(project)]) == 0  # the exact name is not ambiguous
    assert cli.main(["copy", str(lib), "Analyz", str(project)]) == 1
    assert "did you mean" in capsys.readouterr().err
    for bad in ["../Articles", "Analys/../..", "..", "a\\b"]:
        assert cli.main(["copy", str(lib), bad, str(project)]) == 1
        assert "give a folder name or a file directly in Resources/" in capsys.readouterr().err


def test_copy_single_file_and_missing_resource(tmp_path, capsys):
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli.main(["copy", str(OK), "SCB-webb.url", str(project)]) == 0
    assert (project / "Resources" / "SCB-webb.url").read_text().startswith("[InternetShortcut]")
    assert cli.main(["copy", str(OK), "Finns-inte", str(project)]) == 1
    err = capsys.readouterr().err
    assert "no resource 'Finns-inte'" in err and "S3-exempel/" in err
    assert sorted(p.name for p in (project / "Resources").iterdir()) == ["SCB-webb.url"]


def test_copy_checks_the_branch(tmp_path, capsys):
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli.main(["copy", str(OK), "Kodsnuttar", str(project), "--branch", "main"]) == 1
    assert "not a git repository" in capsys.readouterr().err
    subprocess.run(["git", "init", "-q", "-b", "utveckling", str(project)], check=True)
    assert cli.main(["copy", str(OK), "Kodsnuttar", str(project), "--branch", "main"]) == 1
    assert "on branch 'utveckling', not 'main'" in capsys.readouterr().err
    assert not (project / "Resources").exists()
    assert cli.main(["copy", str(OK), "Kodsnuttar", str(project), "--branch", "utveckling"]) == 0
    assert (project / "Resources" / "Kodsnuttar" / "snutt.R").exists()


def test_resource_page_shows_the_exact_copy_command():
    out = render(TRAITS, repository="https://git.example.org/bibliotek/kunskap.git")
    page = text(out, "Resources/Hämta från webben/README.md")
    assert ("```text\ngit clone https://git.example.org/bibliotek/kunskap.git\n"
            "handbook library copy kunskap 'Hämta från webben' ~/projekt\n```") in page


def test_check_command_exit_codes(capsys):
    assert cli.main(["check", str(OK)]) == 0
    assert cli.main(["check", str(BROKEN)]) == 1
    err = capsys.readouterr().err
    assert "Templates/trasig.json:5: invalid JSON" in err
    assert "Resources/UtanReadme: resource has no README.md" in err
    assert cli.main(["check", str(TRAITS)]) == 0
    assert f"note: {TRAITS}/Articles/Kom igång/Första stegen.md: link" in capsys.readouterr().err


def test_a_long_text_output_is_shortened_on_the_page_and_says_so():
    from handbook.content.library import notebooks

    log = "".join(f"Installing package {i}\n" for i in range(5000))
    nb = notebooks.load(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "source": "!conda install x", "metadata": {}, "execution_count": 1,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": log},
                     {"output_type": "stream", "name": "stdout", "text": "done\n"}]}]}).encode())
    page = notebooks.render(nb, rel=PurePosixPath("R/n.ipynb"), code=commonmark.CodePolicy(run=False),
                            shift=0, drop_first_h1=False, alt="bild", shortened="… {lines} rader till")
    assert "Installing package 0\n" in page.markdown and "Installing package 4999" not in page.markdown
    assert "… 4800 rader till" in page.markdown and "done" in page.markdown
    assert len(page.markdown) < 25_000
