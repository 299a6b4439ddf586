"""Per-language search indexes: the language tools and the shards on their own, then the built
site's files as the search worker reads them."""

from __future__ import annotations

import json
import marshal
import re
from math import log
from urllib.parse import unquote

import pytest

from handbook.search import compounds, shards
from handbook.search import index as S
from handbook.search import site as search_site
from handbook.search.compounds import lexicon

LANGUAGES = {"nb": "", "sv": "sv/"}

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


def test_parsed_dictionary_is_cached_as_plain_data(tmp_path):
    """The cache holds marshal data (strings, lists, dicts), never pickles, and reads back."""
    lex = lexicon("sv", cache_dir=tmp_path)
    cached = list((tmp_path / "search").glob("lexicon-sv_SE-*.marshal"))
    assert len(cached) == 1 and not list(tmp_path.rglob("*.pickle"))
    data = marshal.loads(cached[0].read_bytes())
    assert isinstance(data["words"], dict) and isinstance(data["rules"], list)
    again = compounds.Lexicon.from_data(data)
    assert again.words == lex.words and again.end_flag == lex.end_flag == "Y"
    assert again.forms("projekt") == lex.forms("projekt")
    with pytest.raises(ValueError):
        compounds.Lexicon.from_data({"version": -1})


def test_compact_drops_what_a_prefix_query_already_finds():
    kept = S.compact({"bøtte", "bøtter", "bøttene", "bucket", "by"}, {"bøtter"})
    assert kept == ["bucket", "bøttene"]   # bøtte* finds bøttene; bøtter is already indexed


def test_rewrite_config_points_at_the_worker_and_the_language_root():
    html = ('<script id="__config" type="application/json">{"base": "../..", "search": '
            '"../../assets/javascripts/workers/search.a7633da7.min.js", "x": 1}</script>')
    sv = search_site.rewrite_config(html, "sv", "handbook-search.1234.js")
    assert '"base": "../../sv/"' in sv
    assert '"search": "../../assets/javascripts/workers/handbook-search.1234.js"' in sv
    nb = search_site.rewrite_config(html, None, "handbook-search.1234.js")
    assert '"base": "../.."' in nb and "handbook-search.1234.js" in nb
    home = '<script id="__config" type="application/json">{"base": "."}</script>'
    assert '"base": "./sv/"' in search_site.rewrite_config(home, "sv", "w.js")


def test_build_index_splits_languages_marks_fallbacks_and_adds_synonyms():
    glossary = [S.GlossaryEntry("botte", {"nb": "bøtte", "sv": "bucket", "en": "bucket"})]
    entries = [
        {"location": "sv/dapla/botter/", "title": "Buckets", "text": "<p>En bucket.</p>"},
        {"location": "sv/dapla/botter/#n", "title": "Namn", "text": "Befolkningsstatistik"},
        {"location": "sv/om/", "title": "Om håndboka", "text": "<p>Skrevet på norsk.</p>"},
    ]
    index = S.build_index(entries, "sv", "nb", {"sv/dapla/botter/": "sv", "sv/om/": "nb"}, glossary,
                          {"nb": "(på norska)"})
    assert index["config"]["lang"] == ["sv"]
    assert "stemmer" not in index["config"]["pipeline"]
    docs = {d["location"]: d for d in index["docs"]}
    assert set(docs) == {"dapla/botter/", "dapla/botter/#n", "om/"}
    page = docs["dapla/botter/"]
    page_terms = (page["terms"] + " " + page.get("title_terms", "")).split()
    assert any(t.startswith("bøttene") for t in page_terms)      # Norwegian term on a Swedish page
    assert "statistik" in page["terms"].split()   # compound part
    assert docs["om/"]["title"] == "Om håndboka (på norska)"


# --- the shards ---------------------------------------------------------------------------------

def _toy_index(docs):
    return {"config": {"lang": ["sv"], "separator": r"[\s\-]+", "pipeline": S.PIPELINE,
                       "fields": {"title": {"boost": 10.0}, "text": {"boost": 1.0}}},
            "docs": docs}


def _postings(sharded, term):
    for rel, text in sharded.files.items():
        if rel.startswith("shards/"):
            data = json.loads(text)
            if term in data:
                flat, out, doc = data[term], [], 0
                for i in range(0, len(flat), 3):
                    doc += flat[i]
                    out.append((doc, flat[i + 1], flat[i + 2]))
                return out
    return None


def test_tokens_follow_materials_tokenizer_and_keep_digits():
    stop = shards.stop_words("sv")
    assert "och" in stop and "att" in stop
    text = '<p>Läs <code>s3</code>-filen och (Python 3.12) från "bucketen".</p>'
    assert shards.tokens(text, re.compile(r"[\s\-]+"), stop) == [
        "läs", "s3", "filen", "python", "3.12", "bucketen"]


def test_postings_hold_term_frequencies_and_weights_are_lunrs_bm25():
    docs = [{"location": "a/", "title": "Bucket", "text": "bucket bucket data"},
            {"location": "a/#x", "title": "Data", "text": "data"},
            {"location": "b/", "title": "Annat", "text": "bucket", "boost": 2}]
    sharded = shards.shard(_toy_index(docs), "../../../search/")
    postings = _postings(sharded, "bucket")
    assert postings == [(0, 0, 1), (0, 1, 2), (2, 1, 1)]   # (document, field, frequency)
    # lunr's Builder with b = 0: idf over the 3 document-field pairs, k1 = 1.2
    n, df = 3, len(postings)
    idf = log(1 + abs((n - df + 0.5) / (df + 0.5)))
    assert shards.weight(n, df, 2) == pytest.approx(idf * 2.2 * 2 / 3.2, abs=0.001)
    assert shards.weight(n, df, 1, boost=2) == pytest.approx(idf * 2, abs=0.001)
    manifest = json.loads(sharded.files["search_index.json"])["config"]["handbook"]
    assert manifest["pages"] == [["a/", "Bucket", 0], ["b/", "Annat", 2]]
    assert manifest["boosts"] == [10.0, 1.0] and manifest["documents"] == 3
    assert manifest["doc_boosts"] == {"2": 2.0}
    assert json.loads(sharded.files["docs/0.json"]) == [["a/", "Bucket", "bucket bucket data"],
                                                        ["a/#x", "Data", "data"]]


def test_only_changed_pages_are_expanded_again(tmp_path):
    entries = [{"location": "a/", "title": "Bøtter", "text": "<p>Bøttene i teamet.</p>"},
               {"location": "b/", "title": "Prosjekter", "text": "<p>Prosjektet.</p>"}]
    args = ("nb", "nb", {}, [], {}, frozenset())
    first = search_site.language_index(entries, *args, tmp_path)
    again = search_site.language_index(entries, *args, tmp_path)
    assert first.stats["pages_expanded"] == 2 and again.files == first.files
    entries[1] = {**entries[1], "text": "<p>Prosjektene.</p>"}
    edited = search_site.language_index(entries, *args, tmp_path)
    assert edited.stats["pages_expanded"] == 1
    assert edited.files != first.files
    assert edited.files == search_site.language_index(entries, *args, None).files   # no cache


def test_big_prefix_groups_split_by_the_next_letter(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_BYTES", 300)
    docs = [{"location": f"p{i}/", "title": f"data{i:03d} dag{i}", "text": "da"}
            for i in range(40)]
    sharded = shards.shard(_toy_index(docs), "../../../search/")
    keys = json.loads(sharded.files["search_index.json"])["config"]["handbook"]["shards"]
    assert "da" in keys and len(keys) > 3
    assert any(k.startswith("dat") for k in keys) and any(k.startswith("dag") for k in keys)
    assert _postings(sharded, "da") is not None and _postings(sharded, "data007") is not None
    for key in keys:   # every term sits in the shard of its longest key
        data = json.loads(sharded.files[f"shards/{key.encode().hex()}.json"])
        for term in data:
            assert term.startswith(key)
            assert not any(len(k) > len(key) and term.startswith(k) for k in keys), (key, term)


def test_an_entrys_displayed_text_is_capped():
    block = "<p>" + "ord " * 100 + "</p>"
    capped = shards.cap_text(block * 10, 1000)
    assert len(capped) <= 1000 and capped.endswith("</p>") and capped.count("<p>") == 2
    long = shards.cap_text("<p>" + "ord " * 1000 + "</p>", 50)
    assert len(long) <= 52 and "<" not in long


# --- the built site ----------------------------------------------------------------------------

def _manifest(site, language):
    path = site / LANGUAGES[language] / "search" / "search_index.json"
    assert path.exists(), f"{path} missing: is hooks/search.py registered in mkdocs.yml?"
    return json.loads(path.read_text(encoding="utf-8"))


def _page_terms(site, language, url) -> set[str]:
    """Every term the index holds for the page at `url` (site-relative to its language)."""
    folder = site / LANGUAGES[language] / "search"
    meta = _manifest(site, language)["config"]["handbook"]
    pages = meta["pages"]
    number = next(i for i, p in enumerate(pages) if p[0] == url)
    first = pages[number][2]
    end = pages[number + 1][2] if number + 1 < len(pages) else 10**9
    found = set()
    for key in meta["shards"]:
        data = json.loads((folder / "shards" / f"{key.encode().hex()}.json").read_text("utf-8"))
        for term, flat in data.items():
            doc = 0
            for i in range(0, len(flat), 3):
                doc += flat[i]
                if first <= doc < end:
                    found.add(term)
                    break
    return found


@pytest.mark.site
@pytest.mark.parametrize(("language", "lunr"), [("nb", "no"), ("sv", "sv")])
def test_each_language_has_its_own_index(built_site, language, lunr):
    config = _manifest(built_site, language)["config"]
    assert config["lang"] == [lunr]
    assert {"stopWordFilter", "trimmer"} <= set(config["pipeline"])
    meta = config["handbook"]
    assert meta["index"] == f"../../../{LANGUAGES[language]}search/"
    root = built_site / LANGUAGES[language]
    assert len(meta["pages"]) > 20
    for number, (url, _title, _first) in enumerate(meta["pages"]):
        assert not url.startswith(("sv/", "/")), url
        page = root / unquote(url) / "index.html"
        assert page.exists(), f"{language} index links to a missing page: {url}"
        docs = json.loads((root / "search" / "docs" / f"{number}.json").read_text("utf-8"))
        assert docs[0][0] == url and all(d[0].startswith(url) for d in docs)


@pytest.mark.site
def test_pages_use_the_worker_and_their_languages_index(built_site):
    pattern = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.DOTALL)
    sv = json.loads(pattern.search((built_site / "sv/dapla/botter/index.html").read_text()).group(1))
    nb = json.loads(pattern.search((built_site / "dapla/botter/index.html").read_text()).group(1))
    assert sv["base"] == "../../../sv/" and nb["base"] == "../.."
    worker = search_site.worker_name()
    assert sv["search"] == f"../../../assets/javascripts/workers/{worker}"
    assert nb["search"] == f"../../assets/javascripts/workers/{worker}"
    assert (built_site / "assets/javascripts/workers" / worker).read_bytes() == \
        search_site.WORKER.read_bytes()


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
    terms = _page_terms(built_site, language, url)
    assert any(t.startswith(prefix) for t in terms), f"no term starting with {prefix!r} on {url}"


@pytest.mark.site
def test_sizes_are_reported_and_the_first_load_is_small(built_site, site_reports):
    report = json.loads((site_reports / "search.json").read_text(encoding="utf-8"))
    sizes = report["languages"]
    assert set(sizes) == set(LANGUAGES)
    for language, record in sizes.items():
        manifest = built_site / record["path"]
        assert manifest.exists()
        assert record["manifest_bytes"] == manifest.stat().st_size
        # What a page load fetches is a fraction of the index that used to be fetched whole.
        assert record["manifest_bytes"] * 10 < report["combined_bytes"], language
        assert record["largest_shard_bytes"] <= 2 * shards.SHARD_BYTES, language
        assert record["largest_page_bytes"] <= shards.MAX_PAGE_BYTES + shards.MAX_ENTRY_TEXT * 4
        assert record["library"]["pages"] > 0, language
