"""The search files of a built site: one sharded index per language, the worker, the report.

`language_index` turns Material's entries of one language build into the files of
handbook.search.shards (reused from the cache when nothing it reads has changed: the expansion
costs about a second per language); `install_worker` copies the search worker next to
Material's; `rewrite_config` points a page's `__config` at its language's index and at the
worker; `write_report` records the sizes in the project's reports folder.
"""

from __future__ import annotations

import hashlib
import json
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
    """The sharded index of one language, from the cache when its inputs are unchanged."""
    h = hashlib.sha256()
    h.update(json.dumps([entries, language, default_language, page_languages, markers,
                         sorted(library_pages),
                         [[g.id, g.terms, g.abbr, g.variants] for g in glossary]],
                        sort_keys=True, ensure_ascii=False, default=list).encode())
    for source in (Path(index.__file__), Path(compounds.__file__), Path(shards.__file__)):
        h.update(source.read_bytes())
    for code in {language, *page_languages.values(), *(k for g in glossary for k in g.terms)}:
        found = compounds.dictionary(code)
        for path in found or ():
            h.update(f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / "search" / f"shards-{language}-{h.hexdigest()[:24]}.json"
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return shards.Sharded(data["files"], data["stats"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    built = index.build_index(entries, language, default_language, page_languages, glossary,
                              markers, cache_dir)
    result = shards.shard(built, worker_to_search(language, default_language), library_pages)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"shards-{language}-*.json"):
            old.unlink(missing_ok=True)   # one entry per language is enough
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps({"files": result.files, "stats": result.stats},
                                  ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
    return result


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
