"""What a reader's first search downloads, measured in Chromium (for `make bench`).

For each query: a fresh browser context (empty cache) opens the language's home page, the query
is typed letter by letter into Material's search box, and once the network is idle every
request the search made is counted: the index or its manifest, the worker script, lunr's
language scripts (Material's own search) or the shards and page files (ours). Sizes are the
files' bytes as served (`bytes`) and what gzip makes of them (`gzip_bytes`, what a host that
compresses sends). Nothing is requested from another host.
"""

from __future__ import annotations

import gzip
import statistics
from pathlib import Path
from urllib.parse import unquote, urlsplit

SEARCH_PARTS = ("/search/", "/workers/", "/lunr/")
INPUT = "input.md-search__input"


def search_requests(paths: list[str]) -> list[str]:
    return [p for p in paths if any(part in p for part in SEARCH_PARTS)]


def file_sizes(site_dir: Path, paths: list[str]) -> tuple[int, int]:
    """(bytes, gzip bytes) of the site files behind URL paths (each file once)."""
    raw = packed = 0
    for path in dict.fromkeys(paths):
        file = site_dir / unquote(path).lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            data = file.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, 6))
    return raw, packed


def first_query(browser, base_url: str, site_dir: Path, root: str, query: str) -> dict:
    """The search requests of one page load plus one query typed into the box."""
    from handbook.checks.accessibility import block_other_hosts

    context = browser.new_context()
    paths: list[str] = []
    block_other_hosts(context, base_url)
    context.on("request", lambda request: paths.append(urlsplit(request.url).path))
    try:
        page = context.new_page()
        page.goto(base_url + root, wait_until="load")
        page.click(INPUT)
        page.keyboard.type(query, delay=60)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        page.wait_for_load_state("networkidle")
        results = page.locator("li.md-search-result__item").count()
    finally:
        context.close()
    search = search_requests(paths)
    raw, packed = file_sizes(site_dir, search)
    return {"query": query, "bytes": raw, "gzip_bytes": packed, "requests": len(search),
            "results": results}


def measure(site_dir: Path, roots: dict[str, str], queries: dict[str, list[str]]) -> dict:
    """Per language: every query's payload, and the median and largest."""
    from handbook.checks.accessibility import launch_browser, serve

    out = {}
    with serve(site_dir) as base_url, launch_browser() as browser:
        for language, root in roots.items():
            runs = [first_query(browser, base_url, site_dir, root, q) for q in queries[language]]
            sizes = [r["bytes"] for r in runs]
            out[language] = {
                "queries": runs,
                "median_bytes": int(statistics.median(sizes)) if sizes else 0,
                "max_bytes": max(sizes, default=0),
                "max_gzip_bytes": max((r["gzip_bytes"] for r in runs), default=0),
            }
    return out
