"""What one language's build published, in navigation order: the PDF and llms.txt read it.

The MkDocs adapter records it per language (`on_nav` + `on_page_context`) and writes it to
`<cache>/editions/<lang>.json` at the end of that language's build; `build_editions` reads it
after the build, when the whole site of every language exists.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Entry:
    kind: str                 # "section" or "page"
    title: str
    depth: int                # 0 at the top of the navigation
    url: str = ""             # site-relative, directory style: dapla/botter/ (pages only)
    dest: str = ""            # file in the site: dapla/botter/index.html (pages only)
    source: str = ""          # docs-relative source: nb/dapla/botter.md (pages only)
    language: str = ""        # language the page is written in (a fallback page: the default's)
    description: str = ""
    is_index: bool = False    # the section's own index page (navigation.indexes)


@dataclass
class Manifest:
    language: str
    site_name: str
    site_description: str
    site_url: str
    entries: list[Entry] = field(default_factory=list)

    def pages(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "page"]


def from_nav(nav) -> list[Entry]:
    """Sections and pages of a MkDocs navigation, depth first (titles filled in later)."""
    entries: list[Entry] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if getattr(item, "is_section", False):
                entries.append(Entry("section", str(item.title or ""), depth))
                walk(item.children, depth + 1)
            elif getattr(item, "is_page", False):
                entries.append(Entry("page", str(item.title or ""), depth, item.url,
                                     item.file.dest_uri, item.file.src_uri,
                                     is_index=item.file.name in ("index", "README")))
    walk(nav.items, 0)
    return entries


def path_for(cache_dir: Path, language: str) -> Path:
    return cache_dir / "editions" / f"{language}.json"


def write(cache_dir: Path, manifest: Manifest) -> Path:
    target = path_for(cache_dir, manifest.language)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(manifest), f, ensure_ascii=False, indent=1)
    os.replace(tmp, target)
    return target


def read(cache_dir: Path, language: str) -> Manifest | None:
    try:
        data = json.loads(path_for(cache_dir, language).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = [Entry(**e) for e in data.pop("entries", [])]
    return Manifest(**data, entries=entries)
