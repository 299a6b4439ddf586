"""The search files of a built site: one sharded index per language, the worker, the report.

`language_index` turns Material's entries of one language build into the files of
handbook.search.shards. Expanding a page's words (handbook.search.index) and counting its terms
is cached per page, keyed on the page's entries and on everything the expansion reads (glossary,
dictionaries, this code), so an edit re-expands only the pages it changed; the files themselves
are cached on all the pages' keys, so a build where nothing changed writes them straight from
the cache. `install_worker` copies the search worker next to
Material's; `rewrite_config` points a page's `__config` at its language's index and at the
worker; `write_report` records the sizes in the project's reports folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from handbook.search import compounds, index, shards

WORKER = Path(__file__).with_name("worker.js")
WORKER_DIR = Path("assets") / "javascripts" / "workers"
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)
_BASE = re.compile(r'("base":\s*")([^"]*)(")')
_SEARCH = re.compile(r'("search":\s*")([^"]*/)?[^"/]*(")')


def search_dir(site_dir: Path, language: str, default_language: str) -> Path:
    """Where a language's index lives: search/ for the default language, <lang>/search/ else."""
    prefix = Path() if language == default_language else Path(language)
    return Path(site_dir) / prefix / "search"


def worker_to_search(language: str, default_language: str) -> str:
    """A language's search folder relative to the worker script (assets/javascripts/workers/)."""
    up = "../" * len(WORKER_DIR.parts)
    return up + ("" if language == default_language else f"{language}/") + "search/"


def language_index(entries: list[dict], language: str, default_language: str,
                   page_languages: dict[str, str], glossary: list[index.GlossaryEntry],
                   markers: dict[str, str], library_pages: frozenset[str],
                   cache_dir: Path | None) -> shards.Sharded:
    """The sharded index of one language, expanding only pages the cache does not know."""
    context = _context_key(language, default_language, page_languages, glossary)
    pages = index.group_pages(entries)
    keys = {}
    for url, page_entries in pages.items():
        written_in = page_languages.get(url, language)
        marker = markers.get(written_in) if written_in != language else None
        keys[url] = _digest([context, page_entries, written_in, marker])
    to_search = worker_to_search(language, default_language)
    whole = _digest([context, list(keys.values()), sorted(library_pages), to_search])
    folder = Path(cache_dir) / "search" if cache_dir is not None else None
    files_cache = folder / f"files-{language}.json" if folder else None
    cached = _read_json(files_cache)
    if cached.get("key") == whole:
        return shards.Sharded(cached["files"], cached["stats"])

    pages_cache = folder / f"pages-{language}.json" if folder else None
    known = _read_json(pages_cache).get("pages", {})
    config = index.index_config(language)
    fields = list(config["fields"])
    separator = re.compile(config["separator"])
    stop = shards.stop_words(config["lang"][0])
    expanders: dict[str, index.Expander] = {}
    used, docs, terms = {}, [], []
    for url, page_entries in pages.items():
        key = keys[url]
        page = known.get(key)
        if page is None:
            written_in = page_languages.get(url, language)
            if written_in not in expanders:
                expanders[written_in] = index.Expander(written_in, glossary, cache_dir=cache_dir)
            marker = markers.get(written_in) if written_in != language else None
            page_docs = index.expand_page(page_entries, language, default_language,
                                          expanders[written_in], marker)
            page = {"docs": page_docs,
                    "terms": [shards.doc_terms(d, fields, separator, stop) for d in page_docs]}
        used[key] = page
        docs += page["docs"]
        terms += page["terms"]
    result = shards.shard({"config": config, "docs": docs}, to_search, library_pages, terms)
    result.stats["pages_expanded"] = sum(1 for key in used if key not in known)
    _write_json(pages_cache, {"pages": used})          # pages of this build only
    _write_json(files_cache, {"key": whole, "files": result.files, "stats": result.stats})
    return result


class EntryCache:
    """Material's search entries per page, reused while the page's HTML, table of contents, URL
    and search settings are unchanged: Material's plugin parses every page's HTML on every build
    otherwise (about a tenth of a warm build). The entries are the ones it made before."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict = _read_json(path).get("pages", {}) if path else {}
        self.used: dict = {}
        self.hits = 0

    def wrap(self, search_index) -> None:
        """Make `search_index.add_entry_from_context` (Material's SearchIndex) use the cache."""
        original = search_index.add_entry_from_context

        def add_entry_from_context(page):
            key = _entry_key(page)
            entries = self.known.get(key)
            if entries is None:
                before = len(search_index.entries)
                original(page)
                entries = [dict(e) for e in search_index.entries[before:]]
            else:
                search_index.entries.extend(dict(e) for e in entries)
                self.hits += 1
            self.used[key] = entries

        search_index.add_entry_from_context = add_entry_from_context

    def save(self) -> None:
        if self.used.keys() != self.known.keys():   # else the file already says this
            _write_json(self.path, {"pages": self.used})


def _entry_key(page) -> str:
    """What Material's SearchIndex.add_entry_from_context reads from a page."""
    def toc(items) -> list:
        return [[i.title, i.id, i.level, toc(i.children)] for i in items]

    meta = page.meta or {}
    return _digest([page.content, toc(page.toc), page.url, str(page.title), str(meta.get("title")),
                    meta.get("tags"), meta.get("search")])


def _context_key(language: str, default_language: str, page_languages: dict[str, str],
                 glossary: list[index.GlossaryEntry]) -> str:
    """What every page's expansion depends on besides the page: glossary, dictionaries, code."""
    parts: list = [language, default_language,
                   [[g.id, g.terms, g.abbr, g.variants] for g in glossary]]
    for source in (Path(index.__file__), Path(compounds.__file__), Path(shards.__file__)):
        parts.append(hashlib.sha256(source.read_bytes()).hexdigest())
    codes = {language, *page_languages.values(), *(k for g in glossary for k in g.terms)}
    for code in sorted(codes):
        for path in compounds.dictionary(code) or ():
            parts.append(f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}")
    return _digest(parts)


def _digest(data) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _read_json(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path | None, data: dict) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass   # a read-only cache still builds, only slower


def worker_name() -> str:
    """The worker's file name, with a hash of its content so browsers never keep an old one."""
    digest = hashlib.sha256(WORKER.read_bytes()).hexdigest()[:8]
    return f"handbook-search.{digest}.js"


def install_worker(site_dir: Path) -> Path:
    target = Path(site_dir) / WORKER_DIR / worker_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(WORKER.read_bytes())
    return target


def rewrite_config(page_html: str, language: str | None, worker: str) -> str:
    """Point a page's `__config` at the worker file `worker` (a name in Material's worker folder)
    and, for a language that is not the default (`language` given), at that language's root
    (`"base": "../.."` -> `"../../sv/"`), where Material's script fetches search/search_index.json
    and resolves result links."""
    def config(match: re.Match) -> str:
        body = _SEARCH.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}{worker}{m.group(3)}",
                           match.group(2), count=1)
        if language:
            body = _BASE.sub(lambda m: f"{m.group(1)}{m.group(2).rstrip('/') or '.'}/{language}/"
                             f"{m.group(3)}", body, count=1)
        return match.group(1) + body + match.group(3)

    return _CONFIG.sub(config, page_html, count=1)


def write_report(path: Path, languages: dict[str, dict], combined_bytes: int | None) -> dict:
    report = {
        "languages": languages,
        "combined_bytes": combined_bytes,
        "pipeline": index.PIPELINE,
        "fields": list(index.FIELDS),
        "limits": {"shard_bytes": shards.SHARD_BYTES, "entry_text_chars": shards.MAX_ENTRY_TEXT,
                   "page_file_bytes": shards.MAX_PAGE_BYTES, "full_pages": shards.FULL_PAGES},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
