"""Front matter of Markdown pages: one splitter and one parser for every tool.

    ---
    title: Bøtter
    checked: 2026-12-01
    ---
"""

from __future__ import annotations

import yaml


class FrontMatterError(ValueError):
    """Front matter that is not a YAML mapping; `line` is 1-based in the page."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def split(text: str) -> tuple[str, str, int]:
    """(front matter text, body, number of lines the front matter block takes)."""
    if not text.startswith("---\n") and not text.startswith("---\r\n"):
        return "", text, 0
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1:]), i + 1
    return "", text, 0


def parse(text: str) -> tuple[dict, str, int]:
    """(meta, body, lines taken); FrontMatterError with the page line on invalid YAML."""
    raw, body, taken = split(text)
    if not raw.strip():
        return {}, body, taken
    try:
        meta = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1   # +1 for 1-based, +1 for the `---`
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"invalid front matter: {problem}", line) from exc
    if meta is None:
        return {}, body, taken
    if not isinstance(meta, dict):
        raise FrontMatterError("invalid front matter: expected `key: value` lines", 2)
    return meta, body, taken
