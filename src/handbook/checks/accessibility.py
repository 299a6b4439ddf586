"""Accessibility gate: axe-core (WCAG 2.0/2.1/2.2 A and AA) over every built page, image alt texts.

`handbook check a11y [--config-file mkdocs.yml] [--site-dir DIR]` serves the built site on
127.0.0.1, opens every page of every language in one headless Chromium, runs axe-core in the
light palette and then (on the same loaded page) in the dark one, checks every <img> for alt text
in the page's language, prints one line per problem naming the page, writes the reports folder's
accessibility.json and exits 1 on any problem.

axe's findings are cached per page (`<cache>/accessibility/axe.json`), keyed on the page's HTML,
every stylesheet and script of the site, axe's own source and the rules run: a page none of that
changed for is not audited again (its earlier findings count), any change audits it.

For the page hook (handbook.adapters.accessibility): `fix_html(html, lang)` localises
mkdocs-jupyter's English default alt text and labels what axe would otherwise flag.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html as html_lib
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from handbook.checks.browser import launch_browser, serve
from handbook.project import Project, ProjectError

AXE_JS = Path("node_modules") / "axe-core" / "axe.min.js"   # in the project's folder (npm ci)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ("default", "slate")  # Material's light and dark palettes

# mkdocs-jupyter (nbconvert) writes this English text as alt of every output image.
NOTEBOOK_DEFAULT_ALT = "No description has been provided for this image"
# What replaces it, per language (until data/strings.yml has `notebook_figure_alt`).
NOTEBOOK_ALT = {
    "nb": "Figur laget av koden i cellen over",
    "sv": "Figur skapad av koden i cellen ovan",
    "en": "Figure made by the code in the cell above",
}
# Alt texts that say nothing or are in the wrong language.
ENGLISH_DEFAULT_ALTS = {NOTEBOOK_DEFAULT_ALT.lower(), "image", "figure", "png", "plot", "chart"}
IMAGE_FILE_RE = re.compile(r"\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def localize_notebook_alt(html: str, lang: str, alt: str | None = None) -> str:
    """Replace nbconvert's English default alt text with `alt`, or the one for `lang`."""
    if alt is None:
        alt = NOTEBOOK_ALT.get(lang.split("-")[0].split("_")[0], NOTEBOOK_ALT["en"])
    return re.sub(
        r'alt=(["\'])\s*' + re.escape(NOTEBOOK_DEFAULT_ALT) + r"\s*\1",
        f'alt="{html_lib.escape(alt, quote=True)}"',
        html,
    )


_SCROLLABLE_RE = re.compile(r'<div class="(highlight-ipynb[^"]*)"(?![^>]*tabindex)')
_TASK_RE = re.compile(
    r'(<label class="task-list-control">\s*)<input (?![^>]*aria-label)([^>]*?)(/?)>'
    r'(.*?</label>)(.*?)(?=<ul|<ol|</li>)', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def fix_html(html: str, lang: str, notebook_alt: str | None = None) -> str:
    """Accessibility fixes a page's rendered HTML needs; for an `on_post_page` hook.

    - notebook output images: nbconvert's English default alt text -> one in `lang`;
    - notebook code cells (`div.highlight-ipynb`) scroll sideways: make them keyboard-focusable;
    - task-list checkboxes (pymdownx.tasklist) have no accessible name: label them with the
      item's text.
    """
    html = localize_notebook_alt(html, lang, notebook_alt)
    html = _SCROLLABLE_RE.sub(r'<div class="\1" tabindex="0"', html)

    def label_task(match: re.Match) -> str:
        text = " ".join(html_lib.unescape(_TAG_RE.sub(" ", match.group(5))).split())[:120]
        label = html_lib.escape(text, quote=True)
        return (f'{match.group(1)}<input aria-label="{label}" {match.group(2)}{match.group(3)}>'
                f"{match.group(4)}{match.group(5)}")

    return _TASK_RE.sub(label_task, html)


# --- the pages of a built site ---------------------------------------------------------------

def site_pages(site_dir: Path) -> list[str]:
    """Site-relative paths of every HTML page, redirect stubs left out (they show nothing)."""
    pages = []
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r'http-equiv=["\']?refresh', text[:2000], re.IGNORECASE):
            continue
        pages.append(path.relative_to(site_dir).as_posix())
    return pages


def page_url(rel: str) -> str:
    """Site-relative URL of a page file: dapla/botter/index.html -> dapla/botter/."""
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


class _ImageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.images: list[tuple[int, dict[str, str | None], bool]] = []
        self._article_depth = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        if tag == "img":
            self.images.append((self.getpos()[0], attributes, self._article_depth > 0))
        if tag == "article":
            self._article_depth += 1
        if tag not in VOID_TAGS:
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self._stack:
            top = self._stack.pop()
            if top == "article":
                self._article_depth -= 1
            if top == tag:
                break


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}


def image_problems(site_dir: Path, pages: Iterable[str] | None = None) -> list[dict]:
    """Images without alt text, with an empty alt inside the article, or with an English default."""
    problems = []
    for rel in pages if pages is not None else site_pages(site_dir):
        parser = _ImageParser()
        parser.feed((site_dir / rel).read_text(encoding="utf-8", errors="replace"))
        for line, attrs, in_article in parser.images:
            src = attrs.get("src") or ""
            alt = attrs.get("alt")
            shown_src = src if len(src) < 60 else src[:57] + "..."
            if attrs.get("role") in {"presentation", "none"} or attrs.get("aria-hidden") == "true":
                continue
            if alt is None:
                message = f"image without alt text ({shown_src})"
            elif not alt.strip():
                if not in_article:
                    continue  # decorative images in the theme chrome may have alt=""
                message = f"image in the page text with empty alt text ({shown_src})"
            elif alt.strip().lower() in ENGLISH_DEFAULT_ALTS:
                message = (f"image alt text {alt.strip()!r} is an English default, not in the "
                           f"page's language ({parser.lang or '?'})")
            elif IMAGE_FILE_RE.search(alt.strip()):
                message = f"image alt text {alt.strip()!r} is a file name, not a description"
            else:
                continue
            problems.append({"page": rel, "line": line, "message": message})
    return problems


# --- axe-core in Chromium ---------------------------------------------------------------------

@dataclass
class Violation:
    page: str
    scheme: str
    rule: str
    impact: str
    help: str
    targets: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        where = ", ".join(self.targets[:3]) + (" ..." if len(self.targets) > 3 else "")
        palette = "light" if self.scheme == "default" else "dark"
        return (f"{self.page}: axe {self.rule} ({self.impact}, {palette} palette): {self.help} "
                f"[{len(self.targets)} element(s): {where}]")


_NO_TRANSITIONS = "*,*::before,*::after{transition:none!important;animation:none!important}"

# Switch Material's palette in place to the one whose scheme is given, as its toggle would.
_SET_SCHEME_JS = """(scheme) => {
  const input = [...document.querySelectorAll("input[data-md-color-scheme]")]
    .find(el => el.getAttribute("data-md-color-scheme") === scheme);
  if (!input) return false;
  for (const key of ["scheme", "primary", "accent"]) {
    const value = input.getAttribute("data-md-color-" + key);
    if (value) document.body.setAttribute("data-md-color-" + key, value);
  }
  return true;
}"""

# Rules whose outcome depends on the palette; the others run once, in the light palette.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

_RUN_AXE_JS = """async ([tags, rules]) => {
  const only = rules ? {type: "rule", values: rules} : {type: "tag", values: tags};
  const result = await axe.run(document, {runOnly: only, resultTypes: ["violations"]});
  return result.violations.map(v => ({rule: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.map(n => n.target.join(" "))}));
}"""


def axe_page(page, url: str, rel: str, schemes: Iterable[str], axe_source: str) -> list[Violation]:
    """Load one page in a Playwright page and run axe in each palette; the page is reused."""
    page.goto(url, wait_until="load")
    page.add_style_tag(content=_NO_TRANSITIONS)
    page.add_script_tag(content=axe_source)
    found = []
    for number, scheme in enumerate(schemes):
        if not page.evaluate(_SET_SCHEME_JS, scheme) and scheme != "default":
            continue  # page without Material's palette (e.g. a plain HTML fixture)
        rules = COLOUR_RULES if number > 0 else None
        for item in page.evaluate(_RUN_AXE_JS, [AXE_TAGS, rules]):
            found.append(Violation(page=rel, scheme=scheme, **item))
    return found


def axe_site(browser, base_url: str, pages: Iterable[str], axe_source: str,
             schemes: Iterable[str] = SCHEMES, *, block_external: bool = True) -> list[Violation]:
    """Run axe over `pages` (site-relative) with one browser context and one reused page."""
    schemes = list(schemes)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if block_external:  # never let a check send traffic off this machine
        block_other_hosts(context, base_url)
    try:
        page = context.new_page()
        violations = []
        for rel in pages:
            violations += axe_page(page, base_url + page_url(rel), rel, schemes, axe_source)
        return violations
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def block_other_hosts(context, base_url: str) -> None:
    """Abort every request of a Playwright context that does not go to `base_url`. Only those
    are intercepted (the browser side matches the pattern), so the site's own requests cost no
    round trip to Python."""
    others = re.compile("^(?!" + re.escape(base_url) + "|data:|blob:)")
    context.route(others, lambda route: route.abort())


# --- the cache of axe's findings -------------------------------------------------------------

def page_keys(site_dir: Path, pages: Iterable[str], axe_source: str,
              schemes: Iterable[str]) -> dict[str, str]:
    """Per page: a hash of its HTML, every stylesheet and script of the site (what the page
    looks like), axe's source and the rules and palettes checked."""
    shared = hashlib.sha256()
    for part in (axe_source, json.dumps([AXE_TAGS, list(schemes), COLOUR_RULES]), _RUN_AXE_JS,
                 _SET_SCHEME_JS, _NO_TRANSITIONS):
        shared.update(hashlib.sha256(part.encode()).digest())
    for path in sorted(p for p in site_dir.rglob("*") if p.suffix in (".css", ".js")):
        shared.update(path.relative_to(site_dir).as_posix().encode())
        shared.update(hashlib.sha256(path.read_bytes()).digest())
    keys = {}
    for rel in pages:
        h = shared.copy()
        h.update(rel.encode())
        h.update((site_dir / rel).read_bytes())
        keys[rel] = h.hexdigest()
    return keys


def cached_axe(browser, base_url: str, site_dir: Path, pages: list[str], axe_source: str,
               schemes: Iterable[str], cache_file: Path | None) -> tuple[list[Violation], int]:
    """axe over the pages the cache has no findings for (their key changed); all findings and
    how many pages were audited now."""
    schemes = list(schemes)
    keys = page_keys(site_dir, pages, axe_source, schemes)
    known: dict = {}
    if cache_file is not None:
        with contextlib.suppress(OSError, ValueError):
            known = json.loads(cache_file.read_text(encoding="utf-8"))
    todo = [rel for rel in pages if (known.get(rel) or {}).get("key") != keys[rel]]
    fresh = axe_site(browser, base_url, todo, axe_source, schemes) if todo else []
    found: dict[str, list[dict]] = {rel: [] for rel in todo}
    for v in fresh:
        found[v.page].append(asdict(v))
    entries = {rel: known[rel] for rel in pages if rel not in found}
    entries.update({rel: {"key": keys[rel], "violations": found[rel]} for rel in todo})
    if cache_file is not None:
        with contextlib.suppress(OSError):
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
            tmp.replace(cache_file)
    violations = [Violation(**v) for rel in pages for v in entries[rel]["violations"]]
    return violations, len(todo)


# --- report and CLI ---------------------------------------------------------------------------

def write_report(path: Path, *, site_dir: Path, pages: list[str], schemes: Iterable[str],
                 violations: list[Violation], images: list[dict], seconds: float,
                 audited: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "site_dir": str(site_dir),
        "tags": AXE_TAGS,
        "schemes": list(schemes),
        "pages": len(pages),
        "audited": audited,                  # the others' findings came from the cache
        "seconds": round(seconds, 1),
        "violations": [asdict(v) for v in violations],
        "images": images,
        "ok": not violations and not images,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(site_dir: Path, axe_js: Path, *, browser=None, base_url: str | None = None,
          schemes: Iterable[str] = SCHEMES, report: Path | None = None,
          cache_dir: Path | None = None) -> list[str]:
    """All accessibility problems of a built site as printable lines (empty when it passes).
    With `cache_dir`, pages whose findings are cached for their current key are not audited."""
    started = time.monotonic()
    schemes = list(schemes)
    pages = site_pages(site_dir)
    images = image_problems(site_dir, pages)
    axe_source = axe_js.read_text(encoding="utf-8")
    cache_file = cache_dir / "accessibility" / "axe.json" if cache_dir is not None else None
    with contextlib.ExitStack() as stack:
        if base_url is None:
            base_url = stack.enter_context(serve(site_dir))
        if browser is None:
            browser = stack.enter_context(launch_browser())
        violations, audited = cached_axe(browser, base_url, site_dir, pages, axe_source,
                                         schemes, cache_file)
    if report is not None:
        write_report(report, site_dir=site_dir, pages=pages, schemes=schemes,
                     violations=violations, images=images, seconds=time.monotonic() - started,
                     audited=audited)
    lines = [f"{p['page']}:{p['line']}: {p['message']}" for p in images]
    return lines + [str(v) for v in violations]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook check a11y", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="built site (default: site_dir of mkdocs.yml)")
    parser.add_argument("--light-only", action="store_true", help="skip the dark palette")
    parser.add_argument("--no-cache", action="store_true", help="audit every page again")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        project = Project.load(args.config_file)
    except ProjectError as exc:
        print(f"a11y: {exc}", file=sys.stderr)
        return 2
    site_dir = args.site_dir or project.site_dir
    report = args.report or project.reports_dir / "accessibility.json"
    axe_js = project.root / AXE_JS
    if not (site_dir / "index.html").exists():
        print(f"{project.display(site_dir)}: no built site (run `make build` first)", file=sys.stderr)
        return 2
    if not axe_js.is_file():
        print(f"{project.display(axe_js)} missing: run `npm ci` in {project.display(project.root)}",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    schemes = ("default",) if args.light_only else SCHEMES
    problems = check(site_dir, axe_js, schemes=schemes, report=report,
                     cache_dir=None if args.no_cache else project.cache_dir)
    for line in problems:
        print(line)
    audited = json.loads(report.read_text(encoding="utf-8"))["audited"]
    print(f"accessibility: {len(problems)} problem(s) in {len(site_pages(site_dir))} page(s) "
          f"({audited} audited, the others unchanged), {time.monotonic() - started:.0f} s; "
          f"report {project.display(report)}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
