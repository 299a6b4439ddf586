"""Check every internal link of a built site, in all languages at once.

Reads the HTML that MkDocs wrote (so it also sees what MkDocs' own validation cannot:
links in raw HTML, notebook pages and their outputs, the language switcher, hreflang
alternates, images, downloads, scripts and styles, redirect pages) and reports:

- a link to a file or page that does not exist,
- an anchor (`#id`, with or without percent-encoding, æøåäö included) the target lacks,
- a link that leaves the site's folder,
- a link from one language's pages into another language's pages (except the
  language switcher and hreflang alternates, which exist to do exactly that).

External http(s) links, mailto: and the like are left to `handbook.checks.external_links`.

We use our own parser instead of lychee: lychee 0.24 does not follow `<script src>` and
cannot name the Markdown source of a page. `python -m handbook.checks.links site/` prints
the problems grouped by page and writes .cache/reports/links.json.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from handbook.project import Project

# Attributes that hold a URL, per tag. srcset is handled apart (a list of URLs).
URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "source": ("src",),
    "track": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# Link relations that are not navigation: the canonical address is the public URL
# (site_url), and a preconnect/dns-prefetch names a host, not a document.
SKIPPED_RELS = {"canonical", "preconnect", "dns-prefetch"}
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
REFRESH_RE = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)
# Fragments that are not element ids: the empty one, text fragments, Material's own.
IGNORED_FRAGMENTS = re.compile(r"^(|top|:~:.*)$")


@dataclass(frozen=True)
class Problem:
    """One broken link. `page` is the built file as the caller named it."""

    page: str
    link: str
    reason: str
    source: str | None = None  # docs/sv/dapla/botter.md, when the page says where it came from
    line: int | None = None  # line of the link in `source`, when it can be found

    def location(self) -> str:
        if self.source:
            return f"{self.source}:{self.line}" if self.line else self.source
        return self.page

    def __str__(self) -> str:
        where = self.location()
        built = f" (in {self.page})" if self.source else ""
        return f"{where}: broken link {unquote(self.link)}: {self.reason}{built}"


@dataclass
class LinkCheckConfig:
    """What the checker needs to know about the site; the defaults fit mkdocs.yml."""

    languages: tuple[str, ...] = ("nb", "sv")
    default_language: str = "nb"  # published at the site root; the others under /<locale>/
    docs_dir: str = "docs"  # to turn an edit link into a source path
    ignore: tuple[str, ...] = ()  # regexes: links matching any of them are not checked
    base_path: str | None = None  # path of site_url ("/" or "/manual/"); found from index.html
    shared_dirs: tuple[str, ...] = ("assets", "search")  # one copy serves every language
    project_root: Path = field(default_factory=Path.cwd)  # where docs_dir lives
    site_label: str | None = None  # how messages name the site folder; default: its name

    @classmethod
    def for_project(cls, project: Project, **overrides) -> LinkCheckConfig:
        settings = project.settings.get("linkcheck") or {}
        return cls(languages=project.language_codes, default_language=project.default_language,
                   docs_dir=project.display(project.docs_dir), project_root=project.root,
                   ignore=tuple(settings.get("ignore") or ()), **overrides)


@dataclass
class Link:
    url: str
    tag: str
    attr: str
    rel: str = ""
    hreflang: bool = False


@dataclass
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    edit_url: str | None = None
    canonical: str | None = None


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.result.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.result.ids.add(a["name"])
        rel = a.get("rel", "").lower()
        rels = set(rel.split())
        if tag == "a" and "edit" in rels and a.get("href"):
            self.result.edit_url = a["href"]
        if tag == "link" and "canonical" in rels:
            self.result.canonical = a.get("href")
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            m = REFRESH_RE.search(a.get("content", ""))
            if m:
                self.result.links.append(Link(m.group(1).strip(), tag, "content"))
            return
        if rels & SKIPPED_RELS or "edit" in rels:
            return
        for attr in URL_ATTRS.get(tag, ()):
            value = a.get(attr, "").strip()
            if value:
                self.result.links.append(Link(value, tag, attr, rel, "hreflang" in a))
        if "srcset" in a and tag in ("img", "source"):
            for candidate in a["srcset"].split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    self.result.links.append(Link(url, tag, "srcset"))

    handle_startendtag = handle_starttag


def parse_html(text: str) -> ParsedPage:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.result


def is_external(url: str) -> bool:
    """True for anything with a scheme (http:, mailto:, data: ...) or a protocol-relative URL."""
    return bool(SCHEME_RE.match(url)) or url.startswith("//")


def language_of(rel_path: str, config: LinkCheckConfig) -> str | None:
    """Language of a site-relative path; None for files every language shares."""
    first = rel_path.split("/", 1)[0]
    if first in config.languages and first != config.default_language:
        return first
    if first in config.shared_dirs or rel_path in ("sitemap.xml", "sitemap.xml.gz", "404.html"):
        return None
    return config.default_language


def _detect_base_path(site_dir: Path) -> str:
    index = site_dir / "index.html"
    if index.exists():
        canonical = parse_html(index.read_text(encoding="utf-8", errors="replace")).canonical
        if canonical:
            path = urlsplit(canonical).path or "/"
            return path if path.endswith("/") else path + "/"
    return "/"


class SiteIndex:
    """Parsed pages of one site, parsed once each and looked up by site-relative path."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._pages: dict[str, ParsedPage] = {}

    def page(self, rel_path: str) -> ParsedPage:
        if rel_path not in self._pages:
            text = (self.site_dir / rel_path).read_text(encoding="utf-8", errors="replace")
            self._pages[rel_path] = parse_html(text)
        return self._pages[rel_path]

    def resolve(self, rel_path: str) -> str | None:
        """Site-relative file a URL path stands for (directory -> index.html), or None."""
        path = self.site_dir / rel_path if rel_path else self.site_dir
        if path.is_dir():
            index = path / "index.html"
            return posixpath.join(rel_path, "index.html").lstrip("/") if index.is_file() else None
        if path.is_file() and not rel_path.endswith("/"):
            return rel_path
        return None


def check_link(page_rel: str, link: Link, index: SiteIndex, config: LinkCheckConfig,
               base_path: str) -> str | None:
    """Why `link` on `page_rel` is broken, or None if it is fine (or not ours to check)."""
    url = link.url
    if is_external(url) or any(re.search(p, url) for p in config.ignore):
        return None
    parts = urlsplit(url)
    path = unquote(parts.path)
    fragment = unquote(parts.fragment)
    if path.startswith("/"):
        if not path.startswith(base_path) and path + "/" != base_path:
            return f"absolute path outside the site's base path {base_path}"
        target = posixpath.normpath(path[len(base_path):] or ".")
    elif path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path))
    else:
        target = page_rel
    if target == ".":
        target = ""
    if target == ".." or target.startswith("../"):
        return "points outside the site"
    if path.endswith("/") and target:
        target += "/"
    resolved = index.resolve(target)
    if resolved is None:
        if path.endswith((".md", ".ipynb")) and not path.endswith("/"):
            hint = " (a link to a source file: in raw HTML write the page's URL, e.g. ../page/)"
            return "file not found" + (hint if path.endswith(".md") else "")
        return "page or file not found"
    page_lang = language_of(page_rel, config)
    target_lang = language_of(resolved, config)
    switcher = link.hreflang or "alternate" in link.rel.split()
    if (page_lang and target_lang and page_lang != target_lang and not switcher
            and resolved.endswith((".html", ".ipynb"))):
        return f"a {page_lang} page links into the {target_lang} pages"
    if (fragment and not IGNORED_FRAGMENTS.match(fragment) and resolved.endswith(".html")
            and fragment not in index.page(resolved).ids):
        return f"anchor #{fragment} not found in {resolved}"
    return None


def source_of(parsed: ParsedPage, config: LinkCheckConfig) -> str | None:
    """docs/... path of the page's source, read from its edit link."""
    if not parsed.edit_url:
        return None
    path = unquote(urlsplit(parsed.edit_url).path)
    marker = f"/{config.docs_dir}/"
    pos = path.find(marker)
    return path[pos + 1:] if pos >= 0 else None


def _candidates(url: str) -> list[str]:
    """Strings that a Markdown or notebook source likely contains for a built link."""
    parts = urlsplit(url)
    out = [url, unquote(url)]
    segments = [s for s in parts.path.split("/") if s and s not in (".", "..")]
    stem = segments[-1] if segments else ""
    frag = unquote(parts.fragment)
    if stem and "." not in stem:
        out += [f"{stem}.md#{frag}" if frag else f"{stem}.md", f"{stem}.ipynb", f"{stem}/index.md"]
    elif stem:
        out.append(stem)
    if frag:
        out.append(f"#{frag}")
    return [c for c in out if c]


def find_line(source_file: Path, url: str) -> int | None:
    try:
        lines = source_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for candidate in _candidates(url):
        for number, line in enumerate(lines, start=1):
            if candidate in line:
                return number
    return None


def check_site(site_dir: Path, config: LinkCheckConfig | None = None) -> list[Problem]:
    """Every broken internal link in the built site, in page order."""
    config = config or LinkCheckConfig()
    site_dir = Path(site_dir)
    base_path = config.base_path or _detect_base_path(site_dir)
    if not base_path.endswith("/"):
        base_path += "/"
    index = SiteIndex(site_dir)
    label = config.site_label or site_dir.name
    if label.startswith(".site-new-"):  # handbook.build's staging folder becomes site/
        label = "site"
    problems: list[Problem] = []
    for html in sorted(site_dir.rglob("*.html")):
        page_rel = html.relative_to(site_dir).as_posix()
        parsed = index.page(page_rel)
        source = source_of(parsed, config)
        seen: set[str] = set()
        for link in parsed.links:
            if link.url in seen:
                continue
            seen.add(link.url)
            reason = check_link(page_rel, link, index, config, base_path)
            if reason is None:
                continue
            line = find_line(config.project_root / source, link.url) if source else None
            problems.append(Problem(f"{label}/{page_rel}", link.url, reason,
                                    source, line))
    return problems


def format_report(problems: list[Problem]) -> str:
    by_page: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_page[problem.page].append(problem)
    out = []
    for page, items in by_page.items():
        source = items[0].source
        out.append(f"{page}" + (f" (from {source})" if source else ""))
        for p in items:
            at = f"line {p.line}: " if p.line else ""
            out.append(f"  {at}{p.link}: {p.reason}")
    return "\n".join(out)


def write_report(problems: list[Problem], path: Path, **extra) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**extra, "problems": [asdict(p) | {"message": str(p)} for p in problems]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook check links", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site_dir", type=Path, nargs="?", default=None,
                        help="the built site (default: site_dir of mkdocs.yml)")
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--ignore", action="append", default=[], metavar="REGEX",
                        help="do not check links matching REGEX (repeatable)")
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    args.site_dir = args.site_dir or project.site_dir
    args.report = args.report or project.reports_dir / "links.json"
    if not (args.site_dir / "index.html").is_file():
        print(f"{args.site_dir}: no built site here (no index.html)", file=sys.stderr)
        return 2
    started = time.monotonic()
    config = LinkCheckConfig.for_project(project)
    config.ignore += tuple(args.ignore)
    problems = check_site(args.site_dir, config)
    seconds = round(time.monotonic() - started, 3)
    pages = sum(1 for _ in args.site_dir.rglob("*.html"))
    write_report(problems, args.report, site_dir=str(args.site_dir), pages=pages, seconds=seconds)
    if problems:
        print(format_report(problems), file=sys.stderr)
    print(f"{len(problems)} broken internal link(s) in {pages} pages ({seconds} s); "
          f"report: {args.report}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
