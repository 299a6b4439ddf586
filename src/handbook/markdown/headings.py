"""ATX headings of a Markdown page with the ids the toc extension gives them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymdownx.slugs import slugify

from handbook.markdown.fences import find_blocks
from handbook.markdown.frontmatter import split

_slug = slugify(case="lower")

HEADING_RE = re.compile(r"^[ \t]*(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$")
ATTR_RE = re.compile(r"[ \t]*\{:?(?P<attrs>[^{}]*)\}[ \t]*$")
MD_LINK_TEXT_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    id: str
    text: str


def code_lines(text: str, path: str = "") -> set[int]:
    """1-based line numbers inside fenced blocks (fences included) and front matter."""
    skip: set[int] = set(range(1, split(text)[2] + 1))
    try:
        blocks = find_blocks(text, path)
    except ValueError:  # a malformed fence option: the sample checks report that
        blocks = []
    for block in blocks:
        skip.update(range(block.start, block.end + 1))
    return skip


def headings(text: str, path: str = "") -> list[Heading]:
    """ATX headings outside code, with the id the toc extension gives them."""
    skip = code_lines(text, path)
    found: list[Heading] = []
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if number in skip:
            continue
        m = HEADING_RE.match(line)
        if not m:
            continue
        title = m["text"]
        explicit = None
        attrs = ATTR_RE.search(title)
        if attrs:
            title = title[:attrs.start()]
            for token in attrs["attrs"].split():
                if token.startswith("#") and len(token) > 1:
                    explicit = token[1:]
        if explicit:
            ident = explicit
        else:
            plain = MD_LINK_TEXT_RE.sub(r"\1", title)
            ident = _slug(plain, "-")
            # toc makes repeated ids unique with _1, _2, ...
            base, n = ident, 0
            while ident in seen:
                n += 1
                ident = f"{base}_{n}"
        seen.add(ident)
        found.append(Heading(number, len(m["hashes"]), ident, title.strip()))
    return found
