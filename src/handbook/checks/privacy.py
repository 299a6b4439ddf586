"""Privacy gate: the built site makes its readers' browsers talk to no one but the site.

Two checks, `python -m handbook.checks.privacy [--site-dir site] [--no-browser]`:
- static: every HTML, CSS and JS file of the built site is scanned for external script, style,
  font, frame, image or media URLs (links `<a href>` to other sites and `<link rel=alternate|
  canonical|prev|next>` are fine);
- browser: one page of each kind (home, chapter, notebook page, search opened and used) is
  loaded in Chromium in both languages; every request to another host is recorded (and blocked,
  so the check itself never leaves the machine).
Problems name the file or page; the report goes to .cache/reports/privacy.json; exit 1 on any.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import re
import sys
import time
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from handbook.checks.sitefiles import page_url, site_pages
from handbook.project import Project

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
# <link rel=...> values that only name another address and load nothing.
HARMLESS_LINK_RELS = {"alternate", "canonical", "prev", "next", "author", "license", "me", "help",
                      "search", "edit"}
# Attributes that make the browser fetch something, per tag.
FETCHING_ATTRS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "frame": ("src",), "embed": ("src",), "object": ("data",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
    "image": ("href", "xlink:href"), "use": ("href", "xlink:href"), "feimage": ("href",),
}
CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
ASSET_EXT_RE = re.compile(
    r"\.(m?js|css|woff2?|ttf|otf|eot|png|jpe?g|gif|svg|webp|avif|ico)(\?|#|$)", re.IGNORECASE)
ASSET_HOSTS = {"fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net", "unpkg.com",
               "cdnjs.cloudflare.com", "www.googletagmanager.com", "www.google-analytics.com",
               "polyfill.io", "cdn.polyfill.io", "use.fontawesome.com", "kit.fontawesome.com",
               "ajax.googleapis.com", "code.jquery.com", "stackpath.bootstrapcdn.com"}
JS_URL_RE = re.compile(r"""["'`]((?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?/?[^"'`\s]*)""")

# URLs inside the theme's JavaScript that it fetches only in a case this site never has.
# (file pattern, URL prefix, reason, HTML marker that would trigger the fetch or None)
THEME_CONDITIONAL_URLS = [
    ("assets/javascripts/bundle.*.min.js", "https://unpkg.com/mermaid@",
     "Material loads Mermaid from unpkg only on pages with a Mermaid diagram", 'class="mermaid"'),
    ("assets/javascripts/bundle.*.min.js", "https://unpkg.com/resize-observer-polyfill",
     "Material loads this polyfill only in browsers without ResizeObserver (before 2020)", None),
]


def is_external(url: str, allowed_hosts: Iterable[str] = ()) -> bool:
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", "ws", "wss", "ftp"}:
        return False  # relative, data:, blob:, mailto:, javascript:
    host = (parts.hostname or "").lower()
    return host not in LOCAL_HOSTS and host not in {h.lower() for h in allowed_hosts}


class _FetchParser(HTMLParser):
    """Collects (line, what, url) for everything a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self.mermaid = False
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attributes = {k.lower(): v or "" for k, v in attrs}
        if "mermaid" in attributes.get("class", "").split():
            self.mermaid = True
        if tag == "link" and attributes.get("href"):
            rels = set(attributes.get("rel", "").lower().split())
            if not rels or not rels <= HARMLESS_LINK_RELS:
                what = f"<link rel={attributes.get('rel', '')}>"
                self.found.append((line, what, attributes["href"]))
        for attr in FETCHING_ATTRS.get(tag, ()):
            value = attributes.get(attr)
            if not value:
                continue
            urls = [part.strip().split()[0] for part in value.split(",") if part.strip()] \
                if attr == "srcset" else [value]
            for url in urls:
                self.found.append((line, f"<{tag} {attr}>", url))
        if attributes.get("style"):
            for url in css_urls(attributes["style"]):
                self.found.append((line, "style attribute", url))
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            for url in css_urls(data):
                self.found.append((self.getpos()[0], "<style>", url))


def css_urls(css: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in CSS_URL_RE.finditer(css)]


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def static_problems(site_dir: Path, allowed_hosts: Iterable[str] = ()) -> list[dict]:
    """External resources referenced by the built HTML, CSS and JS files."""
    allowed_hosts = list(allowed_hosts)
    problems: list[dict] = []
    mermaid_pages: list[str] = []
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".css", ".js", ".mjs"}:
            continue
        rel = path.relative_to(site_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            parser = _FetchParser()
            parser.feed(text)
            if parser.mermaid:
                mermaid_pages.append(rel)
            for line, what, url in parser.found:
                if is_external(url, allowed_hosts):
                    problems.append({"file": rel, "line": line, "url": url,
                                     "message": f"external resource in {what}: {url}"})
        elif path.suffix == ".css":
            for match in CSS_URL_RE.finditer(text):
                url = match.group(2) or match.group(4)
                if is_external(url, allowed_hosts):
                    problems.append({"file": rel, "line": _line_of(text, match.start()), "url": url,
                                     "message": f"external resource in CSS: {url}"})
        else:
            for match in JS_URL_RE.finditer(text):
                url = match.group(1)
                if not is_external(url, allowed_hosts):
                    continue
                host = (urlsplit(url if not url.startswith("//") else "https:" + url).hostname
                        or "").lower()
                if host not in ASSET_HOSTS and not ASSET_EXT_RE.search(url):
                    continue  # an address the script may link to, not a resource it loads
                rule = _theme_rule(rel, url)
                if rule is not None and (rule[3] is None or not mermaid_pages):
                    continue
                problems.append({"file": rel, "line": _line_of(text, match.start()), "url": url,
                                 "message": f"external resource in JavaScript: {url}"})
    for rule in THEME_CONDITIONAL_URLS:
        if rule[3] and mermaid_pages:
            for page in mermaid_pages:
                problems.append({"file": page, "line": 0, "url": rule[1],
                                 "message": f"page needs {rule[1]}...: {rule[2]}"})
    return problems


def _theme_rule(rel: str, url: str):
    for rule in THEME_CONDITIONAL_URLS:
        if fnmatch.fnmatch(rel, rule[0]) and url.startswith(rule[1]):
            return rule
    return None


# --- in the browser ---------------------------------------------------------------------------

def representative_pages(site_dir: Path, languages: tuple[str, ...] = ("nb", "sv")) -> dict[str, str]:
    """One page of each kind per language (the first one is at the site root):
    {name: site-relative URL}."""
    pages = site_pages(site_dir)
    chosen: dict[str, str] = {}
    others = tuple(f"{code}/" for code in languages[1:])
    for number, lang in enumerate(languages):
        prefix = f"{lang}/" if number else ""
        own = [p for p in pages if (p.startswith(prefix) if number else not p.startswith(others))]
        if f"{prefix}index.html" in own:
            chosen[f"home ({lang})"] = prefix
        in_examples = sorted(own, key=lambda p: not p.startswith(f"{prefix}notebooks/"))
        notebook = next((p for p in in_examples if _is_notebook_page(site_dir / p)), None)
        if notebook:
            chosen[f"notebook ({lang})"] = page_url(notebook)
        chapter = next((p for p in own if p.count("/") >= 2 + bool(number)
                        and p != notebook and not p.endswith("404.html")), None)
        if chapter:
            chosen[f"chapter ({lang})"] = page_url(chapter)
    return chosen


def _is_notebook_page(path: Path) -> bool:
    return "jupyter-wrapper" in path.read_text(encoding="utf-8", errors="replace")


def browser_problems(browser, base_url: str, pages: dict[str, str], *,
                     search_query: str = "data") -> list[dict]:
    """Load each page (and use the search on the home pages); record requests to other hosts."""
    problems: list[dict] = []
    context = browser.new_context()
    current = {"name": ""}

    def on_route(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
            return
        problems.append({"page": current["name"], "url": url,
                         "message": f"request to another host: {url}"})
        route.abort()  # never let the check itself send traffic off this machine

    context.route("**/*", on_route)
    try:
        page = context.new_page()
        for name, rel in pages.items():
            current["name"] = f"{name} {rel or '/'}"
            page.goto(base_url + rel, wait_until="load")
            page.wait_for_load_state("networkidle")
            if name.startswith("home") and page.locator("[data-md-component=search]").count():
                current["name"] = f"search on {name} {rel or '/'}"
                page.keyboard.press("/")
                page.keyboard.type(search_query)
                with contextlib.suppress(Exception):
                    page.wait_for_selector(".md-search-result__item", timeout=5000)
                page.wait_for_load_state("networkidle")
                page.keyboard.press("Escape")
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()
    for item in problems:
        item["message"] = f"{item['page']}: {item['message']}"
    return problems


def write_report(path: Path, *, site_dir: Path, static: list[dict], browser: list[dict] | None,
                 pages: dict[str, str], seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "site_dir": str(site_dir),
        "static": static,
        "browser_pages": pages,
        "browser": browser,
        "seconds": round(seconds, 1),
        "ok": not static and not browser,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(site_dir: Path, *, browser=None, base_url: str | None = None, use_browser: bool = True,
          allowed_hosts: Iterable[str] = (), report: Path | None = None,
          languages: tuple[str, ...] = ("nb", "sv")) -> list[str]:
    """All privacy problems as printable lines (empty when the site passes)."""
    from handbook.checks.accessibility import launch_browser, serve

    started = time.monotonic()
    static = static_problems(site_dir, allowed_hosts)
    found_in_browser: list[dict] | None = None
    pages = representative_pages(site_dir, languages) if use_browser else {}
    if use_browser:
        with contextlib.ExitStack() as stack:
            if base_url is None:
                base_url = stack.enter_context(serve(site_dir))
            if browser is None:
                browser = stack.enter_context(launch_browser())
            found_in_browser = browser_problems(browser, base_url, pages)
    if report is not None:
        write_report(report, site_dir=site_dir, static=static, browser=found_in_browser,
                     pages=pages, seconds=time.monotonic() - started)
    lines = [f"{p['file']}:{p['line']}: {p['message']}" for p in static]
    return lines + [p["message"] for p in found_in_browser or []]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook check privacy", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="built site (default: site_dir of mkdocs.yml)")
    parser.add_argument("--no-browser", action="store_true", help="static scan only")
    parser.add_argument("--allow-host", action="append", default=[],
                        help="a host that counts as the site itself (repeatable)")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    args.site_dir = args.site_dir or project.site_dir
    args.report = args.report or project.reports_dir / "privacy.json"
    if not (args.site_dir / "index.html").exists():
        print(f"{args.site_dir}: no built site (run `make build` first)", file=sys.stderr)
        return 2
    problems = check(args.site_dir, use_browser=not args.no_browser, allowed_hosts=args.allow_host,
                     report=args.report, languages=project.language_codes)
    for line in problems:
        print(line)
    print(f"privacy: {len(problems)} problem(s); report {args.report}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
