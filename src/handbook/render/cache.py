"""Per-page render cache: a page whose Markdown and surroundings did not change is not converted
to HTML again.

MkDocs converts every page's Markdown on every build (Python-Markdown, pymdownx, Pygments): about
a third of a warm build of this site. What the conversion produces (`page.content`, `page.toc`,
the title found in the text, the anchors the page has and the anchors it links to) depends only
on:

- the page's final Markdown (after every hook: sample outputs, glossary abbreviations, banners),
- where the page is (its source path and URL), and which files the site has, with their URLs
  (relative links are resolved and checked against them),
- the configuration (mkdocs.yml as written, and the values MkDocs resolved from it), the files
  that snippets can include, and the versions of the Markdown libraries and of this module.

`RenderCache` keys each page on all of that. A render that logged anything (a warning about a
link, even an info) is not stored, so a cached page never hides a message that a strict build
must see: it is rendered, and logs, every time. Entries live in `<cache>/render/<lang>/`, one file
per page, JSON only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from mkdocs.structure.toc import get_toc

VERSION = 1
LIBRARIES = ("mkdocs", "markdown", "pymdown-extensions", "pygments", "mkdocs-material",
             "mkdocs-static-i18n")


@dataclass
class Entry:
    content: str
    toc: list                     # toc tokens: {level, id, name, children}
    title: str | None
    anchors: list[str]
    links: dict[str, dict[str, str]] | None   # linked file's src_uri -> {anchor: original link}

    def to_json(self, key: str) -> str:
        return json.dumps({"key": key, "content": self.content, "toc": self.toc,
                           "title": self.title, "anchors": self.anchors, "links": self.links},
                          ensure_ascii=False, separators=(",", ":"))


@dataclass
class RenderCache:
    """The cache of one build run; `site_key` covers what every page's rendering shares."""

    folder: Path
    site_key: str
    hits: int = 0
    misses: int = 0
    uncacheable: int = 0
    _files_key: tuple = field(default=(None, ""), repr=False)
    _markdown_keys: dict = field(default_factory=dict, repr=False)

    def page_key(self, language: str, page, markdown: str, files, config) -> str:
        h = hashlib.sha256()
        for part in (self.site_key, self.markdown_key(language, config), self.files_key(files),
                     language, page.file.src_uri, page.file.dest_uri, page.file.url, markdown):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        return h.hexdigest()

    def markdown_key(self, language: str, config) -> str:
        """The Markdown extensions and their options as this language's build has them (a
        plugin may change them per language); computed once per language."""
        if language not in self._markdown_keys:
            text = json.dumps([config.get("markdown_extensions"), config.get("mdx_configs")],
                              sort_keys=True, default=_stable)
            self._markdown_keys[language] = hashlib.sha256(text.encode()).hexdigest()
        return self._markdown_keys[language]

    def files_key(self, files) -> str:
        """The site's files, their URLs and inclusion; computed once per language build."""
        if self._files_key[0] is not files:
            rows = sorted(f"{f.src_uri}\t{f.url}\t{f.inclusion.name}" for f in files)
            self._files_key = (files, hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return self._files_key[1]

    def path(self, language: str, src_uri: str) -> Path:
        name = hashlib.sha256(src_uri.encode()).hexdigest()[:24]
        return self.folder / language / f"{name}.json"

    def load(self, language: str, src_uri: str, key: str) -> Entry | None:
        try:
            data = json.loads(self.path(language, src_uri).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        try:
            return Entry(str(data["content"]), list(data["toc"]), data["title"],
                         list(data["anchors"]), data["links"])
        except (KeyError, TypeError):
            return None

    def store(self, language: str, src_uri: str, key: str, entry: Entry) -> None:
        target = self.path(language, src_uri)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(entry.to_json(key), encoding="utf-8")
            tmp.replace(target)
        except OSError:
            pass   # a read-only cache still builds, only slower


def site_key(config, config_text: str, snippet_dirs: list[Path]) -> str:
    """What every page's rendering shares: configuration, includable files, library versions."""
    h = hashlib.sha256()
    parts = [str(VERSION), sys.version, hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
             config_text, str(config.get("use_directory_urls")), str(config.get("site_url")),
             str(config.get("validation")), str(config.get("docs_dir"))]
    for name in LIBRARIES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} missing")
    for folder in snippet_dirs:
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                parts.append(f"{path}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _stable(value) -> str:
    """A JSON stand-in for config values that are objects (slugify functions): their name.
    The configuration file's text is in the key too, so their arguments are covered."""
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{getattr(value, '__module__', type(value).__module__)}.{name}"


def snippet_dirs(config) -> list[Path]:
    """Folders pymdownx.snippets can include from (relative to the config file)."""
    options = (config.get("mdx_configs") or {}).get("pymdownx.snippets") or {}
    base = options.get("base_path", ["."])
    base = [base] if isinstance(base, str) else list(base)
    root = Path(config.config_file_path).parent
    return [(root / b).resolve() for b in base]


def capture(page, entry_from_render) -> tuple[Entry, bool]:
    """Run the page's real render; the result and whether it logged nothing (cacheable)."""
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    # MkDocs' own logger does not propagate to the root logger; listen to both.
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        entry_from_render()
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    return entry_of(page), not records


def entry_of(page) -> Entry:
    links = None
    if page.links_to_anchors is not None:
        links = {f.src_uri: dict(anchors) for f, anchors in page.links_to_anchors.items()}
    return Entry(page.content, [_token(item) for item in page.toc], page._title_from_render,
                 sorted(a for a in page.present_anchor_ids or () if a is not None), links)


def restore(page, entry: Entry, files) -> bool:
    """Set what render() sets; False if a file the page links to is gone (render instead)."""
    links = None
    if entry.links is not None:
        links = {}
        for src_uri, anchors in entry.links.items():
            target = files.get_file_from_path(src_uri)
            if target is None:
                return False
            links[target] = dict(anchors)
    page.content = entry.content
    page.toc = get_toc(entry.toc)
    page._title_from_render = entry.title
    page.present_anchor_ids = set(entry.anchors)
    if links is not None:
        page.links_to_anchors = links
    return True


def _token(item) -> dict:
    return {"level": item.level, "id": item.id, "name": item.title,
            "children": [_token(child) for child in item.children]}


class _Collect(logging.Handler):
    def __init__(self, records: list) -> None:
        super().__init__(logging.INFO)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        if record not in self.records:
            self.records.append(record)
