"""Type into the real search box of the built site in Chromium and check the top results.

The queries live in data/search-queries.yml: inflections, compounds, the other language's and the
English glossary terms, and words with æ/ø/å/ä/ö, at least 20 per language. One page is loaded
per language and every query goes into its search box in turn, the way a reader searches again:
the query is put into the box and a key pressed (Material searches on key-up);
the results are read once the search worker has answered that query (the page notes the query
of each answer, see WATCH_WORKER). test_search_fetches_only_what_a_query_needs types a whole
query letter by letter.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml
from projects import REPO

from handbook.project import Project

QUERIES_FILE = Project.load(REPO / "mkdocs.yml").data_dir / "search-queries.yml"
QUERIES = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
ROOTS = {"nb": "", "sv": "sv/"}
PLACEHOLDER = {"nb": "Skriv søkeord", "sv": "Skriv sökord"}
META = ".md-search-result__meta"
INPUT = "input.md-search__input"

# Notes the query of every RESULT message (3) the search worker sends Material's search box
# (the worker names it in `data.query`); a result counts once every listener (Material's
# rendering) has run.
WATCH_WORKER = """
(() => {
  const Native = window.Worker;
  window.__search = {answered: null, results: 0};
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", ev => {
        if (ev.data && ev.data.type === 3) setTimeout(() => {
          window.__search.answered = ev.data.data.query;
          window.__search.results++;
        }, 0);
      });
    }
  };
})();
"""


def _cases():
    for language, queries in QUERIES.items():
        for item in queries:
            yield pytest.param(language, item, id=f"{language}-{item['query']}")


def test_enough_queries_per_language():
    for language in ROOTS:
        queries = QUERIES[language]
        assert len(queries) >= 20, language
        assert any(set(q["query"]) & set("æøåäö") for q in queries), language
        assert {"inflection", "compound", "synonym"} <= {q["kind"] for q in queries}, language


@pytest.fixture(scope="module")
def search_pages(browser, site_url):
    """One loaded page per language, its search box open and its worker ready. Requests are
    watched, not intercepted (an interception costs a round trip to Python per request):
    every test checks that none went to another host."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    elsewhere: list[str] = []
    context.on("request", lambda request: None if request.url.startswith((site_url, "data:"))
               else elsewhere.append(request.url))
    context.add_init_script(WATCH_WORKER)
    pages = {"elsewhere": elsewhere}
    for language, root in ROOTS.items():
        page = context.new_page()
        page.goto(site_url + root)
        page.click(INPUT)
        page.wait_for_function(
            "([sel, text]) => document.querySelector(sel).textContent.includes(text)",
            arg=[META, PLACEHOLDER[language]])
        pages[language] = page
    yield pages
    context.close()


def _search(page, query: str, *, letter_by_letter: bool = False) -> list[str]:
    """Put the query into the box; result page URLs (site-relative, in order, each once)."""
    if letter_by_letter:
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.type(query, delay=10)
    else:
        page.fill(INPUT, query)
        page.keyboard.press("End")   # a key-up, whatever the query's last letter is
    page.wait_for_function(
        "([sel, query]) => document.querySelector(sel).value === query"
        " && window.__search.answered === query",
        arg=[INPUT, query])
    hrefs = page.eval_on_selector_all(
        "li.md-search-result__item > a.md-search-result__link", "els => els.map(e => e.href)")
    pages: list[str] = []
    for href in hrefs:
        url = urlsplit(href).path.lstrip("/")
        if url not in pages:
            pages.append(url)
    return pages


@pytest.mark.browser
@pytest.mark.parametrize(("language", "item"), list(_cases()))
def test_search_finds_the_page(search_pages, language, item):
    results = _search(search_pages[language], item["query"])
    assert not search_pages["elsewhere"], "requests to another host"
    root = ROOTS[language]
    # Never a page of the other language's site.
    for url in results:
        if language == "sv":
            assert url.startswith("sv/"), f"{item['query']!r} on sv returned {url}"
        else:
            assert not url.startswith("sv/"), f"{item['query']!r} on nb returned {url}"
    top = item.get("top", 1)
    assert root + item["expect"] in results[:top], (
        f"{item['query']!r} ({item['kind']}): expected {root + item['expect']} in the first "
        f"{top}, got {results[:5]}")


@pytest.mark.browser
def test_search_fetches_only_what_a_query_needs(browser, site_url):
    """The first query downloads the manifest, the worker and a few shards and page files,
    never another language's index and never Material's whole-index worker."""
    context = browser.new_context()
    fetched: list[str] = []
    context.on("request", lambda request: fetched.append(request.url))
    context.add_init_script(WATCH_WORKER)
    try:
        page = context.new_page()
        page.goto(site_url + "sv/dapla/botter/")
        page.click(INPUT)
        results = _search(page, "bøttene", letter_by_letter=True)
    finally:
        context.close()
    assert "sv/dapla/botter/" in results
    assert all(url.startswith((site_url, "data:")) for url in fetched)
    paths = [urlsplit(url).path for url in fetched]
    search = [p for p in paths if "/search/" in p or "/workers/" in p]
    assert "/sv/search/search_index.json" in search
    assert any(p.startswith("/sv/search/shards/") for p in search)
    assert any(p.startswith("/sv/search/docs/") for p in search)
    assert not [p for p in search if p.startswith("/search/")], search   # no nb file
    assert not [p for p in search if "search." in p.rsplit("/", 1)[-1] and p.endswith(".min.js")]
    shards = [p for p in search if "/shards/" in p]
    assert len(shards) < 10, shards
