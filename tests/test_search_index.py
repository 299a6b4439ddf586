"""Per-language search indexes: the language tools on their own, then the built site."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest

from handbook import REPORTS_DIR
from handbook.search import index as S
from handbook.search.compounds import lexicon

# --- the language tools, no site needed -------------------------------------------------------

@pytest.mark.parametrize(("language", "word", "parts"), [
    ("nb", "befolkningsstatistikk", ("befolkning", "statistikk")),
    ("nb", "kunnskapsbiblioteket", ("kunnskap", "biblioteket")),
    ("nb", "versjonskontroll", ("versjon", "kontroll")),
    ("sv", "kunskapsbiblioteket", ("kunskap", "biblioteket")),
    ("sv", "versionshantering", ("version", "hantering")),
    ("nb", "kontroll", ()),          # not "kont" + "roll"
    ("sv", "installation", ()),
])
def test_compound_split(language, word, parts):
    assert lexicon(language).split(word) == parts


@pytest.mark.parametrize(("language", "word", "lemma", "form"), [
    ("nb", "bøttene", "bøtte", "bøtter"),
    ("nb", "miljøer", "miljø", "miljøene"),
    ("sv", "projekten", "projekt", "projektet"),
    ("sv", "miljöer", "miljö", "miljöerna"),
])
def test_lemma_and_paradigm(language, word, lemma, form):
    lex = lexicon(language)
    assert lemma in lex.lemmas(word)
    assert form in lex.forms(lemma)


def test_compact_drops_what_a_prefix_query_already_finds():
    kept = S.compact({"bøtte", "bøtter", "bøttene", "bucket", "by"}, {"bøtter"})
    assert kept == ["bucket", "bøttene"]   # bøtte* finds bøttene; bøtter is already indexed


def test_rewrite_base_points_at_the_language_root():
    html = '<script id="__config" type="application/json">{"base": "../..", "x": 1}'
    assert '"base": "../../sv/"' in S.rewrite_base(html, "sv")
    home = '<script id="__config" type="application/json">{"base": ".."}</script>'
    assert '"base": "../sv/"' in S.rewrite_base(home, "sv")


def test_build_index_splits_languages_marks_fallbacks_and_adds_synonyms():
    glossary = [S.GlossaryEntry("botte", {"nb": "bøtte", "sv": "bucket", "en": "bucket"})]
    entries = [
        {"location": "sv/dapla/botter/", "title": "Buckets", "text": "<p>En bucket.</p>"},
        {"location": "sv/dapla/botter/#n", "title": "Namn", "text": "Befolkningsstatistik"},
        {"location": "sv/om/", "title": "Om håndboka", "text": "<p>Skrevet på norsk.</p>"},
    ]
    index = S.build_index(entries, "sv", "nb", {"sv/dapla/botter/": "sv", "sv/om/": "nb"}, glossary)
    assert index["config"]["lang"] == ["sv"]
    assert "stemmer" not in index["config"]["pipeline"]
    docs = {d["location"]: d for d in index["docs"]}
    assert set(docs) == {"dapla/botter/", "dapla/botter/#n", "om/"}
    page = docs["dapla/botter/"]
    page_terms = (page["terms"] + " " + page.get("title_terms", "")).split()
    assert any(t.startswith("bøttene") for t in page_terms)      # Norwegian term on a Swedish page
    assert "statistik" in page["terms"].split()   # compound part
    assert docs["om/"]["title"] == "Om håndboka (på norska)"


# --- the built site ----------------------------------------------------------------------------

def _index(site, language):
    path = site / ("search" if language == "nb" else "sv/search") / "search_index.json"
    assert path.exists(), f"{path} missing: is hooks/search.py registered in mkdocs.yml?"
    return json.loads(path.read_text(encoding="utf-8"))


def _tokens(doc):
    text = " ".join(str(doc.get(k, "")) for k in ("title", "text", "title_terms", "terms"))
    return set(S.words(text))


def _page_tokens(index, url):
    return set().union(*[_tokens(d) for d in index["docs"] if S.page_of(d["location"]) == url])


@pytest.mark.site
@pytest.mark.parametrize(("language", "lunr"), [("nb", "no"), ("sv", "sv")])
def test_each_language_has_its_own_index(built_site, language, lunr):
    index = _index(built_site, language)
    assert index["config"]["lang"] == [lunr]
    assert {"stopWordFilter", "trimmer"} <= set(index["config"]["pipeline"])
    root = built_site if language == "nb" else built_site / "sv"
    assert len(index["docs"]) > 20
    for doc in index["docs"]:
        assert not doc["location"].startswith(("sv/", "/")), doc["location"]
        page = root / unquote(S.page_of(doc["location"])) / "index.html"
        assert page.exists(), f"{language} index links to a missing page: {doc['location']}"


@pytest.mark.site
def test_swedish_pages_load_the_swedish_index(built_site):
    pattern = re.compile(r'<script id="__config" type="application/json">.*?"base":\s*"([^"]*)"')
    sv_base = pattern.search((built_site / "sv/dapla/botter/index.html").read_text()).group(1)
    nb_base = pattern.search((built_site / "dapla/botter/index.html").read_text()).group(1)
    assert sv_base == "../../../sv/"
    assert nb_base == "../.."


@pytest.mark.site
@pytest.mark.parametrize(("language", "url", "prefix"), [
    ("nb", "dapla/botter/", "bøttene"),                    # inflection
    ("nb", "dapla/botter/", "bucket"),                     # Swedish/English term
    ("nb", "balsam/kunnskapsbibliotek/", "bibliotek"),     # compound part
    ("sv", "balsam/deler/", "projekten"),                  # inflection
    ("sv", "dapla/botter/", "bøtte"),                      # Norwegian term
    ("sv", "balsam/kunnskapsbibliotek/", "bibliotek"),     # compound part
    ("sv", "balsam/versjonskontroll/", "versionshanteringen"),   # compound inflected
])
def test_index_holds_what_readers_type(built_site, language, url, prefix):
    tokens = _page_tokens(_index(built_site, language), url)
    assert any(t.startswith(prefix) for t in tokens), f"no token starting with {prefix!r} on {url}"


@pytest.mark.site
def test_sizes_are_reported_and_smaller_than_the_combined_index(built_site):
    report = json.loads((REPORTS_DIR / "search.json").read_text(encoding="utf-8"))
    sizes = report["languages"]
    assert set(sizes) == {"nb", "sv"}
    for language, record in sizes.items():
        built = built_site / record["path"]
        assert built.exists()
        assert record["bytes"] < report["combined_bytes"], language
