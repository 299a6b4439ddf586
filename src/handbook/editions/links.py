"""Footer links to a language's PDF and offline copy, put into every page of that language once the
files exist (the template leaves a comment where they go: overrides/partials/copyright.html).

Pages built without the editions (`mkdocs serve`, a plain `mkdocs build`) keep only the comment,
so they never link to a file that is not there. Running this again replaces the earlier links.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from handbook.i18n.strings import Strings
from handbook.project import Project

MARKER = "<!-- handbook:editions -->"
END = "<!-- /handbook:editions -->"
PLACED = re.compile(re.escape(MARKER) + r".*?" + re.escape(END), re.S)


def pages_of(site_dir: Path, project: Project, language: str) -> list[Path]:
    """The HTML files of one language's pages (the default language: all not in another's folder)."""
    if language == project.default_language:
        others = {code for code in project.language_codes if code != language}
        files = [p for p in site_dir.rglob("*.html") if p.relative_to(site_dir).parts[0] not in others]
    else:
        files = list((site_dir / language).rglob("*.html"))
    return sorted(p for p in files if not p.name.startswith("."))


def snippet(page_rel: str, language: str, pdf: str | None, zip_: str | None, site_dir: Path,
            strings: Strings) -> str:
    """The links as one page sees them (page_rel: the page's file, site-relative)."""
    here = posixpath.dirname(page_rel) or "."
    links = []
    for key, target in (("editions_pdf_link", pdf), ("editions_zip_link", zip_)):
        if target is None or not (site_dir / target).is_file():
            continue
        size = _size((site_dir / target).stat().st_size, language)
        label = strings.get(language, key, size=size)
        href = posixpath.relpath(target, here)
        links.append(f'<a href="{html.escape(href)}" download>{html.escape(label)}</a>')
    return MARKER + "".join(links) + END


def add_links(site_dir: Path, project: Project, language: str, pdf: str | None, zip_: str | None) -> int:
    """Put the links into every page of the language; the number of pages changed."""
    changed = 0
    strings = Strings.load(project)
    for path in pages_of(site_dir, project, language):
        text = path.read_text(encoding="utf-8")
        if MARKER not in text:
            continue
        links = snippet(path.relative_to(site_dir).as_posix(), language, pdf, zip_, site_dir, strings)
        new = PLACED.sub(lambda _m, found=links: found, text) if END in text else text.replace(MARKER, links)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _size(size: int, language: str) -> str:
    megabytes = f"{size / 1_000_000:.1f}"
    if language != "en":
        megabytes = megabytes.replace(".", ",")
    return f"{megabytes} MB"

