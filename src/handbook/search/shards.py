"""A language's search index as small files that the search worker fetches only when needed.

Material for MkDocs fetches `search/search_index.json` on every page load and builds a lunr index
from all of it in the browser, so the first search downloads the whole site's text (2 MB per
language at 270 pages). Here the index is split (handbook/search/worker.js reads it):

- `search/search_index.json`: the manifest Material's page script fetches and hands to the
  worker: the lunr configuration, the page list (URL, title, first document), the stop words
  and the shard keys. A few KB per hundred pages.
- `search/shards/<hex of a prefix>.json`: term -> postings (document delta, field, term
  frequency), grouped by the terms' first two letters; a group over SHARD_BYTES is split by the
  next letter. A query fetches the shards of the prefixes typed.
- `search/docs/<page>.json`: the documents of one page (location, title, text) to show a result;
  the worker fetches them only for the first pages of a result list.

The worker weighs a posting as lunr does (`weight`): BM25 with k1 = 1.2 and b = 0 (Material's
setting), the idf counting every document-field pair that has the term (the number of postings),
times the field's boost and the document's boost, so results rank as they did with lunr. Term
frequencies rather than weights keep a page's postings independent of the other pages, so they
are computed per page and cached (handbook.search.site).

Tokens are split like Material's tokenizer does (tags dropped, `config.separator`), lowercased,
trimmed of non-letters and non-digits at both ends (lunr-languages' trimmer, with digits kept,
so `s3` and `3.12` stay searchable), and stop words (lunr-languages' list of the language) are
left out.
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
EXPAND_KB = 32              # a prefix query fetches at most this much to find longer words
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
    for part in separator.split(_TAG.sub(" ", text).lower()):
        term = part if part.isalnum() else _TRIM.sub("", part)
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


def weight(documents: int, postings: int, tf: int, boost: float = 1.0) -> float:
    """lunr's score of a term in one document field (before the field's boost), as the worker
    computes it: idf over the `postings` (document-field pairs) that have the term."""
    idf = log(1 + abs((documents - postings + 0.5) / (postings + 0.5)))
    return round(idf * (K1 + 1) * tf / (K1 + tf) * boost, 3)


def doc_terms(doc: dict, fields: list[str], separator: re.Pattern,
              stop: frozenset[str]) -> list[list]:
    """[[field number, {term: frequency}], ...] for the fields of one document that have terms."""
    out = []
    for f, name in enumerate(fields):
        value = doc.get(name)
        if not value:
            continue
        text = " ".join(value) if isinstance(value, list) else str(value)
        tf = Counter(tokens(text, separator, stop))
        if tf:
            out.append([f, dict(tf)])
    return out


def shard(index: dict, worker_to_search: str, library_pages: frozenset[str] = frozenset(),
          terms: list[list] | None = None) -> Sharded:
    """Split an index ({config, docs}, handbook.search.index.build_index) into files.

    `worker_to_search` is this language's search folder relative to the worker script
    (`../../../sv/search/`); `library_pages` are page URLs whose share the stats report;
    `terms` are the documents' doc_terms if known (cached) already.
    """
    config, docs = index["config"], index["docs"]
    fields = list(config["fields"])
    boosts = [float(config["fields"][f].get("boost", 1.0)) for f in fields]
    separator = re.compile(config["separator"])
    stop = stop_words(config["lang"][0])
    if terms is None:
        terms = [doc_terms(doc, fields, separator, stop) for doc in docs]

    pages: list[list] = []          # [url, title, first document]
    for number, doc in enumerate(docs):
        url = doc["location"].split("#", 1)[0]
        if not pages or pages[-1][0] != url:
            pages.append([url, doc.get("title", ""), number])
    n = len(docs)
    library_docs: set[int] = set()
    for number, (url, _title, first) in enumerate(pages):
        if url in library_pages:
            library_docs.update(range(first, pages[number + 1][2] if number + 1 < len(pages) else n))

    postings: dict[str, list[int]] = defaultdict(list)   # flat, in document order
    previous: dict[str, int] = {}
    library_postings = 0
    for number, doc_fields in enumerate(terms):
        for f, tf in doc_fields:
            for term, freq in tf.items():
                postings[term] += (number - previous.get(term, 0), f, freq)
                previous[term] = number
                library_postings += number in library_docs

    files: dict[str, str] = {}
    keys = _shard_keys(postings)
    shard_kb = {}   # key -> size in KB, rounded up: the worker's budget for prefix queries
    for key in sorted(keys):
        text = _dump({t: postings[t] for t in sorted(keys[key])})
        files[f"shards/{key.encode().hex()}.json"] = text
        shard_kb[key] = -(-len(text.encode()) // 1024)

    page_sizes = []
    for number, (url, _title, first) in enumerate(pages):
        end = pages[number + 1][2] if number + 1 < len(pages) else n
        text = _dump(_page_docs(docs[first:end]))
        files[f"docs/{number}.json"] = text
        page_sizes.append((url, len(text.encode())))

    version = hashlib.sha256("".join(files[k] for k in sorted(files)).encode()).hexdigest()[:12]
    doc_boosts = {str(i): float(d["boost"]) for i, d in enumerate(docs)
                  if d.get("boost") not in (None, 1, 1.0)}
    manifest = {"config": {**config, "handbook": {
        "v": version, "index": worker_to_search, "fields": fields, "boosts": boosts,
        "documents": n, "doc_boosts": doc_boosts, "pages": pages, "shards": shard_kb,
        "expand_kb": EXPAND_KB, "stopwords": sorted(stop), "full_pages": FULL_PAGES,
    }}, "docs": []}
    files["search_index.json"] = _dump(manifest)

    shard_sizes = sorted(len(v.encode()) for k, v in files.items() if k.startswith("shards/"))
    sizes = sorted(size for _url, size in page_sizes)
    stats = {
        "docs": n, "pages": len(pages), "terms": len(postings),
        "postings": sum(len(p) for p in postings.values()) // 3,
        "manifest_bytes": len(files["search_index.json"].encode()),
        "shards": len(shard_sizes), "shard_bytes": sum(shard_sizes),
        "largest_shard_bytes": shard_sizes[-1] if shard_sizes else 0,
        "page_files": len(sizes), "page_bytes": sum(sizes),
        "largest_page_bytes": sizes[-1] if sizes else 0,
        "library": {
            "pages": sum(1 for url, _size in page_sizes if url in library_pages),
            "page_bytes": sum(size for url, size in page_sizes if url in library_pages),
            "postings": library_postings,
        },
    }
    return Sharded(files, stats)


def _shard_keys(postings: dict[str, list[int]]) -> dict[str, list[str]]:
    """Prefix -> terms: two letters, split by one more letter while a group is too big."""
    groups: dict[str, list[str]] = defaultdict(list)
    for term in postings:
        groups[term[:2]].append(term)
    final: dict[str, list[str]] = {}
    while groups:
        key, terms = groups.popitem()
        size = sum(len(t) + 6 + 3 * len(postings[t]) for t in terms)   # ~2 bytes a number
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
