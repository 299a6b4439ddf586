"""A language's search index as small files that the search worker fetches only when needed.

Material for MkDocs fetches `search/search_index.json` on every page load and builds a lunr index
from all of it in the browser, so the first search downloads the whole site's text (2 MB per
language at 270 pages). Here the index is split (handbook/search/worker.js reads it):

- `search/search_index.json`: the manifest Material's page script fetches and hands to the
  worker: the lunr configuration, the page list (URL, title, first document), the stop words
  and the shard keys. A few KB per hundred pages.
- `search/shards/<hex of a prefix>.json`: term -> postings (document delta, field, weight x 1000),
  grouped by the terms' first two letters; a group over SHARD_BYTES is split by the next letter.
  A query fetches the shards of the prefixes typed.
- `search/docs/<page>.json`: the documents of one page (location, title, text) to show a result;
  the worker fetches them only for the first pages of a result list.

The weights are lunr's: BM25 with k1 = 1.2 and b = 0 (Material's setting), idf over every
document-field pair, times the field's boost and the document's boost, so results rank as they
did with lunr. Tokens are split like Material's tokenizer does (tags dropped, `config.separator`),
lowercased, trimmed of non-letters and non-digits at both ends (lunr-languages' trimmer, with
digits kept, so `s3` and `3.12` stay searchable), and stop words (lunr-languages' list of the
language) are left out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from math import log
from pathlib import Path

K1 = 1.2
SHARD_BYTES = 16_000        # split a prefix group above this (bytes of JSON)
FULL_PAGES = 10             # result pages the worker fetches documents for (Material shows 10)
MAX_ENTRY_TEXT = 1_500      # characters of one document's text kept for display
MAX_PAGE_BYTES = 12_000     # bytes of one page's document file
_TAG = re.compile(r"<[^>]*>")
_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
_TAG_ANY = re.compile(r"<[^>]*>")
_VOID = re.compile(r"<(?:area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b", re.I)


@dataclass
class Sharded:
    """The files of one language's index: path (relative to its search folder) -> JSON text."""

    files: dict[str, str] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(len(text.encode()) for text in self.files.values())


def tokens(text: str, separator: re.Pattern, stop: frozenset[str]) -> list[str]:
    """Index terms of an HTML string, as the worker and Material's tokenizer split it."""
    out = []
    for part in separator.split(_TAG.sub(" ", text)):
        term = _TRIM.sub("", part.lower())
        if term and term not in stop:
            out.append(term)
    return out


@cache
def stop_words(lunr_language: str) -> frozenset[str]:
    """lunr-languages' stop words for a language, read from the copy Material ships."""
    try:
        import material
    except ImportError:
        return frozenset()
    path = (Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "lunr"
            / "min" / f"lunr.{lunr_language}.min.js")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    match = re.search(r'generateStopWordFilter\("([^"]*)"\.split\(" "\)\)', text)
    return frozenset(match.group(1).split()) if match else frozenset()


def shard(index: dict, worker_to_search: str, library_pages: frozenset[str] = frozenset()
          ) -> Sharded:
    """Split an index ({config, docs}, handbook.search.index.build_index) into files.

    `worker_to_search` is this language's search folder relative to the worker script
    (`../../../sv/search/`); `library_pages` are page URLs whose share the stats report.
    """
    config, docs = index["config"], index["docs"]
    fields = list(config["fields"])
    boosts = [float(config["fields"][f].get("boost", 1.0)) for f in fields]
    separator = re.compile(config["separator"])
    stop = stop_words(config["lang"][0])

    pages: list[list] = []          # [url, title, first document]
    counts: list[tuple[int, int, Counter]] = []   # (doc, field, term frequencies)
    df: Counter[str] = Counter()
    for number, doc in enumerate(docs):
        url = doc["location"].split("#", 1)[0]
        if not pages or pages[-1][0] != url:
            pages.append([url, doc.get("title", ""), number])
        for f, name in enumerate(fields):
            value = doc.get(name)
            if not value:
                continue
            text = " ".join(value) if isinstance(value, list) else str(value)
            tf = Counter(tokens(text, separator, stop))
            if tf:
                counts.append((number, f, tf))
                df.update(tf.keys())

    n = len(docs)
    postings: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for number, f, tf in counts:
        boost = float(docs[number].get("boost") or 1.0)
        for term, freq in tf.items():
            idf = log(1 + abs((n - df[term] + 0.5) / (df[term] + 0.5)))
            weight = idf * ((K1 + 1) * freq) / (K1 + freq) * boost
            postings[term].append((number, f, round(weight * 1000)))

    files: dict[str, str] = {}
    keys = _shard_keys(postings)
    for key, terms in keys.items():
        files[f"shards/{key.encode().hex()}.json"] = _dump(
            {t: _encode(postings[t]) for t in sorted(terms)})

    library_docs: set[int] = set()
    page_files = []
    for number, (url, _title, first) in enumerate(pages):
        end = pages[number + 1][2] if number + 1 < len(pages) else n
        text = _dump(_page_docs(docs[first:end]))
        files[f"docs/{number}.json"] = text
        page_files.append((url, len(text.encode())))
        if url in library_pages:
            library_docs.update(range(first, end))

    version = hashlib.sha256("".join(files[k] for k in sorted(files)).encode()).hexdigest()[:12]
    manifest = {"config": {**config, "handbook": {
        "v": version, "index": worker_to_search, "fields": fields, "boosts": boosts,
        "pages": pages, "shards": sorted(keys), "stopwords": sorted(stop),
        "full_pages": FULL_PAGES,
    }}, "docs": []}
    files["search_index.json"] = _dump(manifest)

    shard_sizes = sorted(len(v.encode()) for k, v in files.items() if k.startswith("shards/"))
    page_sizes = sorted(size for _url, size in page_files)
    stats = {
        "docs": n, "pages": len(pages), "terms": len(postings),
        "postings": sum(len(p) for p in postings.values()),
        "manifest_bytes": len(files["search_index.json"].encode()),
        "shards": len(shard_sizes), "shard_bytes": sum(shard_sizes),
        "largest_shard_bytes": shard_sizes[-1] if shard_sizes else 0,
        "page_files": len(page_sizes), "page_bytes": sum(page_sizes),
        "largest_page_bytes": page_sizes[-1] if page_sizes else 0,
        "library": {
            "pages": sum(1 for url, _size in page_files if url in library_pages),
            "page_bytes": sum(size for url, size in page_files if url in library_pages),
            "postings": sum(1 for plist in postings.values() for d, _f, _w in plist
                            if d in library_docs),
        },
    }
    return Sharded(files, stats)


def _shard_keys(postings: dict[str, list]) -> dict[str, list[str]]:
    """Prefix -> terms: two letters, split by one more letter while a group is too big."""
    groups: dict[str, list[str]] = defaultdict(list)
    for term in postings:
        groups[term[:2]].append(term)
    final: dict[str, list[str]] = {}
    while groups:
        key, terms = groups.popitem()
        size = sum(len(t) + 6 + 8 * len(postings[t]) for t in terms)
        longer = [t for t in terms if len(t) > len(key)]
        if size <= SHARD_BYTES or not longer:
            final[key] = terms
            continue
        final[key] = [t for t in terms if len(t) == len(key)]
        for term in longer:
            groups.setdefault(term[: len(key) + 1], []).append(term)
        if not final[key]:
            del final[key]
    return final


def _encode(plist: list[tuple[int, int, int]]) -> list[int]:
    out, previous = [], 0
    for doc, f, weight in sorted(plist):
        out += [doc - previous, f, weight]
        previous = doc
    return out


def _page_docs(docs: list[dict]) -> list[list]:
    """[location, title, text, tags?] per document, each text capped for display."""
    out, budget = [], MAX_PAGE_BYTES
    for doc in docs:
        text = cap_text(doc.get("text", ""), min(MAX_ENTRY_TEXT, max(budget, 0)))
        row = [doc["location"], doc.get("title", ""), text]
        if doc.get("tags"):
            row.append(list(doc["tags"]))
        budget -= len(json.dumps(row, ensure_ascii=False).encode())
        out.append(row)
    return out


def cap_text(text: str, limit: int) -> str:
    """At most `limit` characters of an entry's HTML text: whole top-level blocks, or when the
    first block is already too long, its words without markup."""
    if len(text) <= limit:
        return text
    depth, cut = 0, 0
    for match in _TAG_ANY.finditer(text):
        if match.start() >= limit:
            break
        tag = match.group(0)
        if tag.startswith("</"):
            depth -= 1
        elif not tag.endswith("/>") and not _VOID.match(tag):
            depth += 1
        if depth <= 0 and match.end() <= limit:
            depth, cut = 0, match.end()
    if cut:
        return text[:cut]
    plain = " ".join(_TAG.sub(" ", text).split())
    return plain[:limit].rsplit(" ", 1)[0] + " …" if len(plain) > limit else plain


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write(sharded: Sharded, search_dir: Path) -> None:
    """Write the files under a language's search folder (its old shard files go first)."""
    for folder in ("shards", "docs"):
        old = search_dir / folder
        if old.is_dir():
            for path in old.glob("*.json"):
                path.unlink()
    for rel, text in sharded.files.items():
        path = search_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
