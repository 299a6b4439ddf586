"""The PDF of one language: the print page (printpage.py) printed by Chromium through Playwright.

Chromium has no `target-counter()`, so the table of contents gets its page numbers in a second
print: the first one is read with pypdf to find the page each part starts on, the numbers are put
in, and the page is printed again (the numbers take the placeholders' width, so nothing moves;
if the pages shift anyway, we print once more). Nothing is requested from the network: every
request that is not a file of the site is refused and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from handbook.editions import printpage
from handbook.editions.manifest import Manifest
from handbook.i18n.strings import Strings

ALLOWED_SCHEMES = ("file:", "data:", "about:", "blob:")
PRINT_NAME = ".handbook-print-{lang}.html"     # written at the site root while printing, then removed


@dataclass
class PdfResult:
    path: Path
    pages: int = 0
    passes: int = 0
    refused: list[str] = field(default_factory=list)     # requests that would have left the machine
    problems: list[str] = field(default_factory=list)


def build_pdf(browser, site_dir: Path, manifest: Manifest, target: Path, built: dt.datetime,
              language_name: str, strings: Strings, skip_prefixes: tuple[str, ...] = ()) -> PdfResult:
    """Print `manifest`'s pages from `site_dir` into `target` with a Playwright Browser."""
    result = PdfResult(target)
    source = site_dir / PRINT_NAME.format(lang=manifest.language)
    numbers: dict[str, int] = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    book = printpage.assemble(site_dir, manifest, built, language_name, strings, skip_prefixes)
    try:
        for _ in range(3):
            source.write_text(printpage.with_numbers(book.html, numbers), encoding="utf-8")
            result.refused += _print(browser, source, target)
            result.passes += 1
            found = part_pages(target, [p.id for p in book.parts])
            missing = [p.id for p in book.parts if p.id not in found]
            if missing:
                result.problems.append(f"{target.name}: no page found for {', '.join(missing[:5])}")
                break
            if found == numbers:
                break
            numbers = found
        else:
            result.problems.append(f"{target.name}: table of contents page numbers did not settle")
    finally:
        source.unlink(missing_ok=True)
    from pypdf import PdfReader

    result.pages = len(PdfReader(target).pages)
    return result


def _print(browser, source: Path, target: Path) -> list[str]:
    """Print one HTML file to PDF; the URLs of refused requests."""
    refused: list[str] = []
    context = browser.new_context()
    try:
        def route(r):
            if r.request.url.startswith(ALLOWED_SCHEMES):
                r.continue_()
            else:
                refused.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda req: None if req.url.startswith(ALLOWED_SCHEMES) or req.url in refused
                else refused.append(req.url))
        page.goto(source.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        page.pdf(path=str(target), prefer_css_page_size=True, print_background=True, outline=True,
                 tagged=True)
    finally:
        context.close()
    return refused


def part_pages(pdf: Path, ids: list[str]) -> dict[str, int]:
    """1-based page on which each element id starts, from the PDF's named destinations."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}
    found = {}
    wanted = set(ids)
    for raw, destination in reader.named_destinations.items():
        name = unquote(str(raw).lstrip("/"))     # Chromium names them /<percent-encoded id>
        if name in wanted and destination.page is not None:
            ref = destination.page
            idnum = getattr(ref, "idnum", None)
            if idnum in pages:
                found[name] = pages[idnum]
    return found
