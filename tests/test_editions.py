"""Reader editions, without a site: notebooks made from pages, news, feeds, llms.txt, the offline
rewriting, the footer links and the print page's links (handbook.editions)."""

from __future__ import annotations

import datetime as dt
import json
import string
import textwrap
from pathlib import Path

import feedparser
import nbformat
import pytest

from handbook.editions import links, llms, manifest, news, notebook, offline, printpage
from handbook.editions._text import language_name, long_date
from handbook.i18n.strings import Strings
from handbook.markdown import fences
from handbook.project import Project

REPO = Path(__file__).resolve().parents[1]
PROJECT = Project.load(REPO / "mkdocs.yml")
STRINGS = Strings.load(PROJECT)
BUILT = dt.date(2026, 12, 1)
BASE = "https://example.org/"


def _page(text: str, language: str = "nb", doc_uri: str = "dapla/side.md") -> notebook.PageSource:
    return notebook.PageSource(f"docs/{language}/{doc_uri}", textwrap.dedent(text).lstrip("\n"), language,
                               doc_uri, BASE, "Håndbok")


MIXED = """
---
title: Prøveside
description: En side med alt.
---

# Prøveside { #prove }

Les [Bøtter](botter.md#fellesbøtter) og [forsiden](../index.md). Trykk ++ctrl+c++.

*[GCS]: Google Cloud Storage

```bash show-output
cd /tmp && mkdir -p x
```

!!! note "Husk"

    Teksten i boksen.

    ```python show-output timeout=30
    print("hei")
    ```

=== "Python"

    ```python
    x = 1
    ```

=== "R"

    ```r
    x <- 1
    ```

```bash skip="needs a real login"
gcloud auth login
```

```yaml
nøkkel: verdi
```
"""


def _lines(text: str) -> dict[str, int]:
    """Fence start line of each executable block, by its first line of code."""
    return {b.code.splitlines()[0]: b.start for b in fences.find_blocks(text, "") if b.executable}


def test_notebook_from_a_mixed_page():
    page = _page(MIXED)
    starts = _lines(page.text)
    outputs = {starts["cd /tmp && mkdir -p x"]: "", starts['print("hei")']: "hei\n"}
    nb = notebook.build_notebook(page, outputs, BUILT, STRINGS)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    cells = nb.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# Prøveside")
    assert "{ #prove }" not in cells[0].source
    intro = cells[1].source
    assert "https://example.org/dapla/side/" in intro and "2026-12-01" in intro
    assert "én kodeblokk i R" in intro and "`skip-execution`" in intro and "%%bash_session" in intro
    helper = cells[2]
    assert helper.cell_type == "code" and "register_cell_magic" in helper.source
    assert helper.metadata["jupyter"]["source_hidden"] is True
    code = [c for c in cells[3:] if c.cell_type == "code"]
    assert [c.source.splitlines()[0] for c in code] == ["%%bash_session", 'print("hei")', "x = 1",
                                                         "%%bash_session"]
    assert code[1].outputs[0]["text"] == "hei\n" and code[0].outputs == []
    assert "timeout" not in code[1].source and "show-output" not in code[1].source
    assert code[3].metadata["tags"] == ["skip-execution"]
    assert code[3].metadata["handbook"]["skip"] == "needs a real login"
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "[Bøtter](https://example.org/dapla/botter/#fellesbøtter)" in prose
    assert "[forsiden](https://example.org/)" in prose
    assert "<kbd>Ctrl</kbd>+<kbd>C</kbd>" in prose
    assert "**Husk**" in prose and "\nTeksten i boksen." in prose
    assert "**R**" in prose and "```r\nx <- 1\n```" in prose and "bruker Python" in prose
    assert "```yaml\nnøkkel: verdi\n```" in prose
    assert "*[GCS]" not in prose and "title:" not in prose


def test_r_page_gets_the_r_kernel_and_says_what_is_left_out():
    nb = notebook.build_notebook(_page("""
        # R-side

        ```r show-output
        print(1)
        ```

        ```r
        y <- 2
        ```

        ```python
        print(2)
        ```
        """, language="sv"), None, BUILT, STRINGS)
    assert nb.metadata.kernelspec.name == "ir"
    assert [c.source for c in nb.cells if c.cell_type == "code"] == ["print(1)", "y <- 2"]
    assert "utan resultat" not in nb.cells[1].source.lower()
    assert "Resultaten finns inte med" in nb.cells[1].source      # no runner outputs given
    assert "ett kodblock i Python" in nb.cells[1].source
    assert not any("%%bash_session" in c.source for c in nb.cells)


def test_a_third_language_gets_english_strings():
    nb = notebook.build_notebook(_page("# Side\n\n```python\nprint(1)\n```\n", language="da"), {}, BUILT,
                                 STRINGS)
    assert nb.cells[1].source.startswith("*This notebook was made from the page")


EDITION_KEYS = sorted(k for k in STRINGS.defaults if k.startswith("editions_"))


def _shape(value) -> object:
    """What a translation must keep: the type, a mapping's keys, a list's length, the {fields}."""
    if isinstance(value, dict):
        return sorted(value)
    if isinstance(value, list):
        return len(value)
    return sorted(name for _, name, _, _ in string.Formatter().parse(str(value)) if name)


@pytest.mark.parametrize("language", PROJECT.language_codes)
def test_every_edition_string_is_translated_with_the_same_fields(language):
    own = STRINGS.table.get(language) or {}
    missing = [key for key in EDITION_KEYS if key not in own]
    assert not missing, f"data/strings.yml: {language} lacks {', '.join(missing)}"
    differ = [key for key in EDITION_KEYS if _shape(own[key]) != _shape(STRINGS.defaults[key])]
    assert not differ, f"data/strings.yml: {language}'s {', '.join(differ)} differ from strings.en.yml"


def test_dates_and_language_names_come_from_the_strings():
    day = dt.date(2026, 5, 1)
    assert [long_date(day, lang, STRINGS) for lang in ("nb", "sv", "da")] == \
        [f"1. {STRINGS.raw('nb', 'editions_month_names')[4]} 2026", "1 maj 2026", "1 May 2026"]
    assert language_name(STRINGS, "sv", "nb") == STRINGS.raw("nb", "editions_language_names")["sv"]
    assert language_name(STRINGS, "sv", "da") == "Swedish" and language_name(STRINGS, "fi", "nb") == "fi"


def test_page_without_executable_blocks_has_no_notebook():
    assert notebook.build_notebook(_page("# Side\n\n```yaml\na: 1\n```\n"), {}, BUILT, STRINGS) is None
    assert not notebook.has_executable_blocks("# Side\n\n```text\nx\n```\n")


@pytest.mark.parametrize(("doc_uri", "name"), [("dapla/data.md", "dapla-data.ipynb"),
                                               ("dapla/index.md", "dapla.ipynb"),
                                               ("kunskapsbibliotek/Articles/Läsa från S3.md",
                                                "kunskapsbibliotek-articles-lasa-fran-s3.ipynb")])
def test_notebook_names(doc_uri, name):
    assert notebook.notebook_name(doc_uri) == name


def _docs_pages():
    for path in sorted(PROJECT.docs_dir.glob("*/**/*.md")):
        language = path.relative_to(PROJECT.docs_dir).parts[0]
        if language in PROJECT.language_codes and notebook.has_executable_blocks(path.read_text("utf-8")):
            yield pytest.param(path, id=path.relative_to(PROJECT.docs_dir).as_posix())


@pytest.mark.parametrize("path", list(_docs_pages()))
def test_every_page_with_executable_blocks_makes_a_valid_notebook(path):
    """Every block the kernel can run is a code cell, in page order; every other one is text."""
    language = path.relative_to(PROJECT.docs_dir).parts[0]
    doc_uri = path.relative_to(PROJECT.docs_dir / language).as_posix()
    text = path.read_text(encoding="utf-8")
    source = notebook.PageSource(str(path), text, language, doc_uri, BASE, "H")
    nb = notebook.build_notebook(source, {}, BUILT, STRINGS)
    nbformat.validate(nb)
    runs = notebook.RUNS_IN["r" if nb.metadata.kernelspec.name == "ir" else "python"]
    blocks = [b for b in fences.find_blocks(text, "") if b.executable]
    code = [c for c in nb.cells if c.cell_type == "code" and "handbook" in c.metadata]
    assert [c.source.removeprefix("%%bash_session\n") for c in code] == \
        [b.code.rstrip("\n") for b in blocks if b.lang in runs]
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for block in blocks:
        if block.lang not in runs:
            assert block.code.rstrip("\n") in prose
    assert [c.metadata["handbook"].get("skip") for c in code] == \
        [b.skip_reason for b in blocks if b.lang in runs]


# ---- news -------------------------------------------------------------------------------

def _post(folder: Path, name: str, front: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(f"---\n{textwrap.dedent(front).strip()}\n---\n\n# {name}\n", "utf-8")


@pytest.fixture
def posts(tmp_path) -> Path:
    _post(tmp_path / "nb" / "nytt", "felles", "date: 2026-01-02\ndescription: Begge.\ntags: [A, B]")
    _post(tmp_path / "sv" / "nytt", "felles", "date: 2026-01-02\ndescription: Båda.\ntags: [A]")
    _post(tmp_path / "nb" / "nytt", "bare-nb", "date: 2026-02-03\ndescription: Bare bokmål.\ntags: [A]")
    _post(tmp_path / "sv" / "nytt", "bara-sv", "date: 2026-03-04\ndescription: Bara svenska.")
    return tmp_path


def test_posts_in_one_language_are_marked_on_the_other_side(posts):
    found, problems = news.discover(posts, ("nb", "sv"))
    assert problems == []
    nb = {i.post.name: i for i in news.listed(found, "nb", "nb")}
    sv = {i.post.name: i for i in news.listed(found, "sv", "nb")}
    assert list(nb) == ["bara-sv", "bare-nb", "felles"]          # newest first
    assert (nb["bara-sv"].url, nb["bara-sv"].foreign, nb["bara-sv"].local) == \
        ("sv/nytt/bara-sv/", True, False)
    assert (sv["bare-nb"].url, sv["bare-nb"].foreign, sv["bare-nb"].local) == ("sv/nytt/bare-nb/", True, True)
    assert not nb["felles"].foreign and not sv["felles"].foreign
    entry = news.item_markdown(nb["bara-sv"], "nb", "nytt/", "nytt/index.md", "nytt", "nb", STRINGS)
    assert 'href="../sv/nytt/bara-sv/" hreflang="sv" lang="sv"' in entry and "(på svensk)" in entry
    entry = news.item_markdown(sv["bare-nb"], "sv", "sv/nytt/", "nytt/index.md", "nytt", "nb", STRINGS)
    assert "](bare-nb.md){ hreflang=nb }" in entry and "(på norska (bokmål))" in entry
    assert '<time datetime="2026-02-03">3 februari 2026</time>' in entry


@pytest.mark.parametrize(("front", "message"), [
    ("description: x", "needs `date: YYYY-MM-DD`"),
    ("date: 2026-01-01", "needs a one-line `description:`"),
    ("date: 2026-01-01\ndescription: x\ntags: A", "`tags:` must be a list"),
    ("date: [", "invalid front matter"),
])
def test_broken_posts_name_file_and_line(tmp_path, front, message):
    _post(tmp_path / "nb" / "nytt", "feil", front)
    found, problems = news.discover(tmp_path, ("nb",), display=lambda p: f"docs/nb/nytt/{p.name}")
    assert found["nb"] == []
    assert len(problems) == 1 and problems[0].startswith("docs/nb/nytt/feil.md:") and message in problems[0]


def test_feed_parses_and_marks_foreign_posts(posts):
    found, _ = news.discover(posts, ("nb", "sv"))
    items = news.listed(found, "sv", "nb")
    xml = news.feed_xml(items, "sv", BASE, "Handbok", "nytt", "nb", dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
                        STRINGS)
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.language == "sv" and feed.feed.title == "Nyheter – Handbok"
    assert [e.link for e in feed.entries] == [f"{BASE}sv/nytt/{n}/" for n in ("bara-sv", "bare-nb", "felles")]
    assert feed.entries[1].title == "bare-nb (på norska (bokmål))"
    assert [t.term for t in feed.entries[2].tags] == ["A"]


def test_home_list_goes_to_the_marker_or_after_the_first_section():
    assert news.insert_home("# H\n\n<!-- news -->\n\n## A\n", "LIST") == "# H\n\nLIST\n\n## A\n"
    text = "# H\n\n## A\n\n```\n## not a heading\n```\n\n## B\n"
    assert news.insert_home(text, "LIST") == "# H\n\n## A\n\n```\n## not a heading\n```\n\nLIST\n## B\n"


# ---- llms.txt, offline copy, footer links, print page ----------------------------------------

def test_llms_txt_lists_pages_by_section():
    entries = [manifest.Entry("page", "Hjem", 0, "", description="Start."),
               manifest.Entry("section", "Dapla", 0),
               manifest.Entry("page", "Bøtter", 1, "dapla/botter/", description="Om [bøtter]."),
               manifest.Entry("page", "Ordliste", 0, "ordliste/")]
    text = llms.render(manifest.Manifest("nb", "Håndbok", "Kom i gang", BASE, entries),
                       [("Nytt", f"{BASE}nytt/x/", "En sak.")], {"Svenska": f"{BASE}sv/llms.txt"}, STRINGS)
    assert text.startswith("# Håndbok\n\n> Kom i gang\n")
    assert f"- [Hjem]({BASE}): Start." in text
    assert f"## Dapla\n\n- [Bøtter]({BASE}dapla/botter/): Om (bøtter)." in text
    assert f"## Annet\n\n- [Ordliste]({BASE}ordliste/)\n" in text
    assert f"## Nytt\n\n- [Nytt]({BASE}nytt/x/): En sak." in text and f"{BASE}sv/llms.txt" in text


@pytest.mark.parametrize(("url", "expected"), [
    ("../", "../index.html"), ("./", "./index.html"), ("botter/", "botter/index.html"),
    ("botter/#x", "botter/index.html#x"), ("#x", "#x"), ("../assets/a.css", "../assets/a.css"),
    ("../sv/", "https://example.org/sv/"), ("../downloads/h.zip", "https://example.org/downloads/h.zip"),
    ("https://other.example/", "https://other.example/"),
])
def test_offline_links(url, expected):
    present = {"index.html", "dapla/index.html", "dapla/botter/index.html", "assets/a.css"}
    assert offline.offline_url(url, "dapla", present, BASE) == expected


def test_offline_page_and_index():
    page = ('<html><head><link rel="alternate" hreflang="sv" href="../sv/"></head>'
            '<body><a href="botter/">x</a></body></html>')
    out = offline.offline_page(page, "dapla/index.html", {"dapla/botter/index.html"}, BASE)
    assert 'rel="alternate"' not in out and 'href="botter/index.html"' in out
    assert '<script src="../assets/javascripts/iframe-worker-shim.js"></script></head>' in out
    index = offline.offline_index({"docs": [{"location": ""}, {"location": "a/#b"}, {"location": "#c"}]})
    assert [d["location"] for d in index["docs"]] == ["index.html", "a/index.html#b", "index.html#c"]


def test_footer_links_only_to_files_that_exist_and_replace_earlier_ones(tmp_path):
    project = Project.load(REPO / "mkdocs.yml")
    (tmp_path / "dapla").mkdir()
    page = tmp_path / "dapla" / "index.html"
    page.write_text(f"<footer><a>RSS</a>{links.MARKER}</footer>", "utf-8")
    links.add_links(tmp_path, project, "nb", "downloads/h.pdf", "downloads/h.zip")
    assert page.read_text("utf-8") == f"<footer><a>RSS</a>{links.MARKER}{links.END}</footer>"
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "h.pdf").write_bytes(b"x" * 1_500_000)
    for _ in range(2):
        links.add_links(tmp_path, project, "nb", "downloads/h.pdf", "downloads/h.zip")
    text = page.read_text("utf-8")
    assert text.count("<a href=") == 1
    assert '<a href="../downloads/h.pdf" download>Hele håndboka som PDF (1,5 MB)</a>' in text


def test_print_links_stay_inside_the_book():
    pages = {"dapla/": "p-dapla", "dapla/botter/": "p-dapla-botter", "": "p-home"}
    ids = {"x"}
    assert printpage._link("#x", "dapla/botter/", "p-dapla-botter", ids, pages, BASE) == "#p-dapla-botter--x"
    assert printpage._link("../#y", "dapla/botter/", "p-dapla-botter", ids, pages, BASE) == "#p-dapla--y"
    assert printpage._link("../../", "dapla/botter/", "p-dapla-botter", ids, pages, BASE) == "#p-home"
    assert printpage._link("../../nytt/a/", "dapla/botter/", "p", ids, pages, BASE) == f"{BASE}nytt/a/"
    assert printpage._link("data.ipynb", "dapla/botter/", "p", ids, pages, BASE) == \
        f"{BASE}dapla/botter/data.ipynb"


def test_manifest_round_trip(tmp_path):
    entries = [manifest.Entry("page", "Hem", 0, "sv/", "sv/index.html")]
    data = manifest.Manifest("sv", "Handbok", "", BASE, entries)
    manifest.write(tmp_path, data)
    assert manifest.read(tmp_path, "sv") == data
    assert json.loads(manifest.path_for(tmp_path, "sv").read_text("utf-8"))["language"] == "sv"
    assert manifest.read(tmp_path, "nb") is None
