"""The pages of a built site, as the checks that read it (links, spelling, privacy, a11y) see them."""

from __future__ import annotations

import re
from pathlib import Path

_REFRESH = re.compile(r'http-equiv=["\']?refresh', re.IGNORECASE)


def site_pages(site_dir: Path) -> list[str]:
    """Site-relative paths of every HTML page, redirect stubs left out (they show nothing)."""
    pages = []
    for path in sorted(Path(site_dir).rglob("*.html")):
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.read(2000)
        if not _REFRESH.search(head):
            pages.append(path.relative_to(site_dir).as_posix())
    return pages


def page_url(rel: str) -> str:
    """Site-relative URL of a page file: dapla/botter/index.html -> dapla/botter/."""
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel
