"""Retired names (data/retired-names.yml) do not reach readers, except inside history notes.

A history note is an admonition of type `history` (`!!! history "Før Dapla Lab"`), which
renders as an element with the classes `admonition history` (`??? history` renders as a
`<details class="history">`). Everything else a reader can see on a built page counts: body
text, code, tables, the page title. Scripts, styles and the search index do not.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from projects import REPO as ROOT

ENTRIES = yaml.safe_load((ROOT / "data" / "retired-names.yml").read_text(encoding="utf-8"))
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
HIDDEN = {"script", "style", "template"}


def pattern(entry: dict) -> re.Pattern:
    flags = 0 if entry.get("case") == "sensitive" else re.IGNORECASE
    return re.compile(entry.get("pattern") or re.escape(entry["name"]), flags)


def is_history_note(tag: str, attrs) -> bool:
    classes = (dict(attrs).get("class") or "").split()
    return "history" in classes and ("admonition" in classes or tag == "details")


class ReaderText(HTMLParser):
    """Collect the text of a page that is not in a script, a style or a history note."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []   # (tag, hides its content)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append((tag, tag in HIDDEN or is_history_note(tag, attrs)))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not any(hides for _, hides in self.stack):
            self.parts.append(data)


def reader_text(html: str) -> str:
    parser = ReaderText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def retired_names_in(html: str, entries: list[dict] = ENTRIES) -> dict[str, str]:
    """{name: the text around its first occurrence} for every retired name a reader sees."""
    text = reader_text(html)
    found = {}
    for entry in entries:
        m = pattern(entry).search(text)
        if m:
            found[entry["name"]] = text[max(0, m.start() - 60):m.end() + 60].strip()
    return found


@pytest.fixture(scope="module")
def site_texts(built_site) -> dict[str, str]:
    """Reader text of every built page of both languages, by its path in the site."""
    texts = {}
    for path in sorted(Path(built_site).rglob("*.html")):
        rel = path.relative_to(built_site).as_posix()
        if rel.startswith(("search/", "assets/")):
            continue
        texts[rel] = reader_text(path.read_text(encoding="utf-8"))
    assert any(rel.startswith("sv/") for rel in texts), "the Swedish pages were not built"
    return texts


@pytest.mark.site
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_retired_name_not_shown(site_texts, entry):
    regex = pattern(entry)
    hits = []
    for rel, text in site_texts.items():
        m = regex.search(text)
        if m:
            context = text[max(0, m.start() - 60):m.end() + 60].strip()
            hits.append(f"{rel}: …{context}…")
    assert not hits, (f"retired name {entry['name']!r} ({entry['why'].strip()}) appears outside "
                      f"a history note on {len(hits)} page(s):\n" + "\n".join(hits))


def test_entries_are_complete():
    names = [e["name"] for e in ENTRIES]
    assert len(names) == len(set(names)), "a name is listed twice"
    for entry in ENTRIES:
        assert entry.get("why", "").strip(), f"{entry['name']}: say why it is retired"
        pattern(entry)  # compiles


PAGE = """<html><head><title>Innlogging</title><style>.x{{content:"TMS"}}</style></head>
<body><article>
<p>Logg inn på lab.dapla.ssb.no.</p>
{body}
<script>var old = "jupyter.dapla.ssb.no";</script>
</article></body></html>"""

HISTORY = """<div class="admonition history">
<p class="admonition-title">Før Dapla Lab</p>
<p>Før 2025 logget du inn på <a href="#">jupyter.dapla.ssb.no</a> og stoppet serveren<br>
i <strong>Hub Control Panel</strong>.</p>
</div>"""


def test_checker_fails_outside_a_history_note():
    html = PAGE.format(body="<p>Stopp serveren i <em>Hub Control Panel</em>.</p>")
    found = retired_names_in(html)
    assert set(found) == {"Hub Control Panel"}, found
    assert "Stopp serveren i Hub Control Panel" in found["Hub Control Panel"]


def test_checker_passes_inside_a_history_note():
    assert retired_names_in(PAGE.format(body=HISTORY)) == {}
    collapsed = HISTORY.replace('<div class="admonition history">', '<details class="history">')
    assert retired_names_in(PAGE.format(body=collapsed.replace("</div>", "</details>"))) == {}


def test_checker_reads_text_after_a_history_note():
    html = PAGE.format(body=HISTORY + "<p>Lag en TMS-sak.</p><p>Bruk staging.</p>")
    assert set(retired_names_in(html)) == {"TMS", "staging"}


def test_patterns_match_words_not_parts_of_words():
    words = {"TMS": ("en TMS-sak", "ATMS, tms"), "staging": ("i staging", "git staging area"),
             "kildeboka / kildene": ("Källorna säger", "datakildene, kildebokas")}
    entries = {e["name"]: e for e in ENTRIES}
    for name, (hit, miss) in words.items():
        assert pattern(entries[name]).search(hit), (name, hit)
        assert not pattern(entries[name]).search(miss), (name, miss)
