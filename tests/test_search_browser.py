"""Type into the real search box of the built site in Chromium and check the top results.

The queries live in data/search-queries.yml: inflections, compounds, the other language's and the
English glossary terms, and words with æ/ø/å/ä/ö, at least 20 per language.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from handbook import ROOT

QUERIES = yaml.safe_load((ROOT / "data" / "search-queries.yml").read_text(encoding="utf-8"))
ROOTS = {"nb": "", "sv": "sv/"}
PLACEHOLDER = {"nb": "Skriv søkeord", "sv": "Skriv sökord"}
META = ".md-search-result__meta"


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


def _search(page, site_url: str, language: str, query: str) -> list[str]:
    """Result page URLs (relative to the site root, in order, each page once)."""
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(site_url) else route.abort())
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(site_url + ROOTS[language])
    page.click("input.md-search__input")
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).textContent.includes(text)",
        arg=[META, PLACEHOLDER[language]])
    page.keyboard.type(query, delay=10)
    page.wait_for_function(
        "([sel, text]) => !document.querySelector(sel).textContent.includes(text)",
        arg=[META, PLACEHOLDER[language]])
    page.wait_for_timeout(200)   # the list renders just after the count
    hrefs = page.eval_on_selector_all(
        "li.md-search-result__item > a.md-search-result__link", "els => els.map(e => e.href)")
    pages: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        url = parts.path.lstrip("/")
        if url not in pages:
            pages.append(url)
    return pages


@pytest.mark.browser
@pytest.mark.parametrize(("language", "item"), list(_cases()))
def test_search_finds_the_page(page, site_url, language, item):
    results = _search(page, site_url, language, item["query"])
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
