"""One HTML page with a whole language's handbook, for Chromium to print (handbook.editions.pdf).

Built from the finished site: each page's article in navigation order, headings shifted under
their section, every id prefixed with the page's so ids stay unique, links between pages turned
into links inside the document, links to anything else made absolute (site_url), tabs and
collapsed blocks opened, and a cover and a table of contents with page numbers in front. The page
numbers start as placeholders; pdf.py fills them in from a first print.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from handbook.editions._text import long_date, slug
from handbook.editions.manifest import Entry, Manifest
from handbook.i18n.strings import Strings

PLACEHOLDER = "000"
TOC_NUMBER = re.compile(r'(<span class="print-toc__page" data-target="([^"]+)">)[^<]*<')
REMOVED = ("a.headerlink", "a.md-content__button", ".md-source-file", "script", "button",
           ".md-clipboard", "nav.md-tags", "form")
HERE = Path(__file__).parent


@dataclass
class Part:
    """One page or section heading of the printed book."""
    id: str
    title: str
    level: int                       # heading level its title gets (1-6)
    entry: Entry | None = None       # the page, or None for a section without an index page
    toc: bool = True


@dataclass
class PrintBook:
    html: str
    parts: list[Part]
    external: list[str] = field(default_factory=list)    # pages skipped, with the reason


def page_id(url: str) -> str:
    return f"p-{slug(url) if url.strip('/') else 'home'}"


def plan(manifest: Manifest, skip_prefixes: tuple[str, ...]) -> list[Part]:
    """Sections and pages in nav order with their heading levels; a section whose first child
    is its index page becomes that page (navigation.indexes)."""
    parts: list[Part] = []
    entries = [e for e in manifest.entries
               if not (e.kind == "page" and skip_prefixes and e.url.startswith(skip_prefixes))]
    i = 0
    while i < len(entries):
        entry = entries[i]
        level = min(entry.depth + 1, 6)
        if entry.kind == "section":
            nxt = entries[i + 1] if i + 1 < len(entries) else None
            if nxt is not None and nxt.kind == "page" and nxt.is_index and nxt.depth == entry.depth + 1:
                parts.append(Part(page_id(nxt.url), entry.title or nxt.title, level, nxt))
                i += 2
                continue
            parts.append(Part(f"s-{slug(entry.title)}-{i}", entry.title, level))
        else:
            parts.append(Part(page_id(entry.url), entry.title, level, entry))
        i += 1
    return parts


def assemble(site_dir: Path, manifest: Manifest, built: dt.datetime, language_name: str,
             strings: Strings, skip_prefixes: tuple[str, ...] = ()) -> PrintBook:
    """The print page's HTML, written to live at the root of site_dir."""
    lang = manifest.language
    parts = plan(manifest, skip_prefixes)
    pages = {p.entry.url: p.id for p in parts if p.entry is not None}
    styles: list[str] = []
    body: list[str] = []
    for part in parts:
        if part.entry is None:
            body.append(f'<section class="print-section" id="{part.id}">'
                        f'<h{part.level}>{html.escape(part.title)}</h{part.level}></section>')
            continue
        source = site_dir / part.entry.dest
        article, page_styles = _article(source, part, pages, manifest.site_url)
        for style in page_styles:
            if style not in styles:
                styles.append(style)
        written_in = part.entry.language or lang
        lang_attr = f' lang="{written_in}"' if written_in != lang else ""
        body.append(f'<section class="print-page" id="{part.id}"{lang_attr}>{article}</section>')
    toc = _toc(parts, lang, strings)
    date = long_date(built.date(), lang, strings)
    cover = ('<section class="print-cover">'
             f'<p class="print-cover__title">{html.escape(manifest.site_name)}</p>'
             f'<p class="print-cover__subtitle">{html.escape(manifest.site_description)}</p>'
             f'<p class="print-cover__meta">{html.escape(language_name)}<br>'
             f'{html.escape(strings.get(lang, "editions_print_built", date=date))}</p>'
             f'<p class="print-cover__meta">{html.escape(manifest.site_url)}</p></section>')
    footer = f"{manifest.site_name} · {date}"
    css = (HERE / "assets" / "print.css").read_text(encoding="utf-8")
    css += "\n@page { @bottom-left { content: " + _css_string(footer) + "; } }\n"
    links = "".join(f'<link rel="stylesheet" href="{html.escape(href)}">'
                    for href in stylesheets(site_dir, manifest))
    head = (f'<meta charset="utf-8"><title>{html.escape(manifest.site_name)}</title>{links}'
            f'<style>{css}</style>' + "".join(styles))
    page = (f'<!doctype html><html lang="{lang}"><head>{head}</head>'
            f'<body class="print-book" data-md-color-scheme="default">'
            f'<div class="md-typeset">{cover}{toc}{"".join(body)}</div></body></html>')
    return PrintBook(page, parts)


def stylesheets(site_dir: Path, manifest: Manifest) -> list[str]:
    """The site's own stylesheets (Material's, ours), as the first page links them, site-relative."""
    first = next((e for e in manifest.pages() if (site_dir / e.dest).is_file()), None)
    if first is None:
        return []
    soup = BeautifulSoup((site_dir / first.dest).read_text(encoding="utf-8"), "html.parser")
    found = []
    for link in soup.select('link[rel~="stylesheet"][href]'):
        href = link["href"]
        if not urlsplit(href).scheme and not href.startswith("//"):
            found.append(_resolve(urlsplit(href).path, first.url))
    return found


def _article(source: Path, part: Part, pages: dict[str, str], site_url: str) -> tuple[str, list[str]]:
    soup = BeautifulSoup(source.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.md-content__inner") or soup.body or soup
    styles = [str(s) for s in article.find_all("style")]
    for style in article.find_all("style"):
        style.decompose()
    for selector in REMOVED:
        for node in article.select(selector):
            node.decompose()
    ids = {tag["id"] for tag in article.find_all(id=True)}
    shift = part.level - 1
    for tag in article.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        tag.name = f"h{min(int(tag.name[1]) + shift, 6)}"
    for tag in article.find_all(id=True):
        tag["id"] = f"{part.id}--{tag['id']}"
    for tag in article.find_all(["label"], attrs={"for": True}):
        tag["for"] = f"{part.id}--{tag['for']}"
    _open_tabs(article)
    for details in article.find_all("details"):
        details["open"] = ""
    base = part.entry.url
    for tag in article.find_all(href=True):
        tag["href"] = _link(tag["href"], base, part.id, ids, pages, site_url)
    for tag in article.find_all(src=True):
        tag["src"] = _resource(tag["src"], base, site_url)
    return "".join(str(c) for c in article.children), styles


def _open_tabs(article) -> None:
    """Every tab of a tabbed set printed one after the other, each under its label."""
    for tabbed in article.select(".tabbed-set"):
        labels = [label.get_text(" ", strip=True) for label in tabbed.select(".tabbed-labels > label")]
        blocks = tabbed.select(".tabbed-content > .tabbed-block")
        wrapper = BeautifulSoup("", "html.parser").new_tag("div", attrs={"class": "print-tabs"})
        for label, block in zip(labels, blocks, strict=False):
            title = BeautifulSoup("", "html.parser").new_tag("p", attrs={"class": "print-tab-label"})
            strong = BeautifulSoup("", "html.parser").new_tag("strong")
            strong.string = label
            title.append(strong)
            wrapper.append(title)
            block.name = "div"
            block["class"] = ["print-tab"]
            wrapper.append(block.extract())
        tabbed.replace_with(wrapper)


def _link(href: str, base: str, pid: str, ids: set[str], pages: dict[str, str], site_url: str) -> str:
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return href
    fragment = unquote(parts.fragment)
    if not parts.path:
        return f"#{pid}--{fragment}" if fragment in ids else f"#{pid}"
    path = _resolve(parts.path, base)
    target = path
    if target.endswith("index.html"):
        target = target[: -len("index.html")]
    if target in pages:
        return f"#{pages[target]}--{fragment}" if fragment else f"#{pages[target]}"
    return _absolute(path, site_url) + (f"#{parts.fragment}" if parts.fragment else "")


def _resource(src: str, base: str, site_url: str) -> str:
    parts = urlsplit(src)
    if parts.scheme or src.startswith("//"):
        return src
    return _resolve(parts.path, base)


def _resolve(path: str, base: str) -> str:
    """A link's path relative to the page at `base` as a site-relative path."""
    joined = posixpath.normpath(posixpath.join(base or ".", unquote(path)))
    joined = "" if joined == "." else joined
    return joined + "/" if path.endswith("/") and joined and not joined.endswith("/") else joined


def _absolute(path: str, site_url: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def with_numbers(page: str, numbers: dict[str, int]) -> str:
    """The print page with the table of contents' page numbers filled in."""
    return TOC_NUMBER.sub(lambda m: f"{m[1]}{numbers.get(m[2], PLACEHOLDER)}<", page)


def _toc(parts: list[Part], lang: str, strings: Strings) -> str:
    items = []
    for part in parts:
        items.append(f'<li class="print-toc__item print-toc__item--{part.level}">'
                     f'<a href="#{part.id}"><span class="print-toc__title">{html.escape(part.title)}</span>'
                     '<span class="print-toc__leader"></span>'
                     f'<span class="print-toc__page" data-target="{part.id}">{PLACEHOLDER}</span></a></li>')
    title = strings.get(lang, "editions_print_contents")
    return (f'<nav class="print-toc" id="print-toc" aria-label="{html.escape(title)}">'
            f'<h1>{html.escape(title)}</h1><ol>{"".join(items)}</ol></nav>')


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

