"""Library Markdown as its authors see it on GitHub and GitLab, rewritten for Python-Markdown.

Library authors write CommonMark (GitHub's dialect): a list may follow a paragraph without a
blank line, `#Heading` without a space is text, a nested list is indented by two spaces, `1)`
starts an ordered list, files have CRLF line ends. Python-Markdown, which renders our own pages,
reads all of that differently. Instead of a second Markdown renderer (which would lose MkDocs'
link validation, table of contents and search sections), `to_python_markdown` parses the text
with markdown-it-py's CommonMark parser and writes the same document back in the form
Python-Markdown reads as intended: blank lines between blocks, four-space list indentation,
headings and lists only where CommonMark has them, fences for every code block. Inline text is
kept as written. Syntax that only our extensions know (admonitions, tabs, abbreviations,
definition lists, `[TOC]`, snippets) is escaped, so it shows as GitHub shows it.

Code blocks follow a `CodePolicy`: a library that is not executed gets fences whose info string
is only a cleaned language name plus our `skip=` option, so the sample runner never runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
LANG_RE = re.compile(r"^[A-Za-z0-9_+#.-]{1,40}$")
EXECUTABLE = {"python", "py", "python3", "bash", "sh", "shell", "r"}  # as handbook.markdown.fences
NOT_RUN = 'skip="knowledge library: shown, not run"'
# line starts that only our Python-Markdown extensions give a meaning to
_ESCAPES = [
    (re.compile(r"^(#)"), "&#35;"),                 # `#Heading` is text in CommonMark
    (re.compile(r"^(!!!|\?\?\?)"), r"\\\1"),        # admonition, details
    (re.compile(r"^(===)"), "&#61;=="),             # tabbed
    (re.compile(r"^(:)(?=[ \t])"), "&#58;"),        # definition list
    (re.compile(r"^(\*\[)"), r"\\*["),              # abbreviation
    (re.compile(r"^(\[TOC\])", re.I), r"\\\1"),     # table of contents marker
]
_SNIPPET_RE = re.compile(r"^([ \t]*)(-+8<-+)", re.M)


@dataclass(frozen=True)
class CodePolicy:
    run: bool = False  # True: keep fence info strings (our options included) as written


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


def parse(text: str) -> tuple[list[Token], dict]:
    env: dict = {}
    tokens = _PARSER.parse(text.replace("\r\n", "\n").replace("\r", "\n"), env)
    return tokens, env


def headings(text: str) -> list[Heading]:
    """The headings CommonMark finds, in order (text as written, without markup)."""
    tokens, _ = parse(text)
    found = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            found.append(Heading(int(tok.tag[1]), plain(tokens[i + 1].content)))
    return found


def first_h1_inline(text: str) -> str | None:
    """The Markdown inside the first first-level heading, as written."""
    tokens, _ = parse(text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1":
            return " ".join(tokens[i + 1].content.split())
    return None


def plain(inline: str) -> str:
    """Heading or title text without Markdown markup, attr_list braces or HTML tags."""
    text = re.sub(r"\s*\{[^{}]*\}\s*$", "", inline)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"[*_`~]", "", text)
    return " ".join(text.split())


def to_python_markdown(text: str, *, shift: int = 0, drop_first_h1: bool = False,
                       code: CodePolicy = CodePolicy()) -> str:
    """The CommonMark `text` rewritten so that Python-Markdown renders the same document.

    `shift` moves every heading down that many levels (at most to level 6); with
    `drop_first_h1` the first first-level heading is left out (the page shows its own).
    Empty headings are left out: they show nothing and confuse screen readers.
    """
    tokens, env = parse(text)
    writer = _Writer(shift, drop_first_h1, code)
    lines = writer.blocks(tokens)
    refs = env.get("references") or {}
    if refs:
        lines += [""] + [_reference(label, ref) for label, ref in refs.items()]
    out = "\n".join(lines).strip("\n") + "\n"
    return _SNIPPET_RE.sub(r"\1;\2", out)  # pymdownx.snippets: `;--8<--` shows `--8<--`


def _reference(label: str, ref: dict) -> str:
    title = ref.get("title") or ""
    line = f"[{label}]: <{ref['href']}>"
    if title:
        line += ' "' + title.replace('"', "&quot;") + '"'
    return line


class _Writer:
    def __init__(self, shift: int, drop_first_h1: bool, code: CodePolicy):
        self.shift = shift
        self.drop_h1 = drop_first_h1
        self.code = code

    # ---- containers ---------------------------------------------------------------------

    def blocks(self, tokens: list[Token], tight: bool = False) -> list[str]:
        """Lines for a run of sibling blocks, separated the way Python-Markdown needs."""
        out: list[str] = []
        previous = None
        for block in _siblings(tokens):
            lines = self.block(block)
            if not lines:
                continue
            kind = block[0].type
            if out:
                if kind.endswith("_list_open") and previous and previous.endswith("_list_open"):
                    out += ["", "<!-- -->", ""]  # two CommonMark lists, not one
                elif not tight:
                    out.append("")  # a tight list item's blocks stay together
            out += lines
            previous = kind
        return out

    def block(self, block: list[Token]) -> list[str]:
        tok = block[0]
        kind = tok.type
        if kind == "paragraph_open":
            return self.paragraph(block[1].content)
        if kind == "heading_open":
            return self.heading(int(tok.tag[1]), block[1].content)
        if kind in ("fence", "code_block"):
            return self.fence(tok)
        if kind == "html_block":
            return _open_html(tok.content.rstrip("\n")).split("\n")
        if kind == "hr":
            return ["***"]
        if kind == "blockquote_open":
            inner = self.blocks(block[1:-1])
            return [f"> {line}" if line else ">" for line in inner]
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list(block)
        if kind == "table_open":
            return self.table(block)
        return []

    def list(self, block: list[Token]) -> list[str]:
        ordered = block[0].type == "ordered_list_open"
        items = _siblings(block[1:-1])
        tight = all(t.hidden for item in items for t in item if t.type == "paragraph_open")
        out: list[str] = []
        number = int(items[0][0].info or 1) if ordered and items else 1
        for index, item in enumerate(items):
            marker = f"{number + index}." if ordered else "-"
            inner = self.blocks(item[1:-1], tight=tight) or [""]
            if index and not tight:
                out.append("")
            out.append(f"{marker:<4}{inner[0]}".rstrip())
            out += [f"    {line}" if line else "" for line in inner[1:]]
        return out

    # ---- leaves ---------------------------------------------------------------------------

    def paragraph(self, content: str) -> list[str]:
        lines = []
        for line in content.split("\n"):
            line = autolink(line.lstrip())
            for pattern, replacement in _ESCAPES:
                if pattern.match(line):
                    line = pattern.sub(replacement, line, count=1)
                    break
            lines.append(line)
        return lines

    def heading(self, level: int, content: str) -> list[str]:
        if self.drop_h1 and level == 1:
            self.drop_h1 = False
            return []
        text = " ".join(content.split())
        if not plain(text):
            return []
        text = re.sub(r"(#+)$", lambda m: "\\#" * len(m.group(1)), text)  # `C#` stays `C#`
        return ["#" * min(6, level + self.shift) + " " + text]

    def fence(self, tok: Token) -> list[str]:
        return fence(tok.content, tok.info if tok.type == "fence" else "", self.code)

    def table(self, block: list[Token]) -> list[str]:
        rows: list[list[str]] = []
        aligns: list[str] = []
        row: list[str] | None = None
        for i, tok in enumerate(block):
            if tok.type == "tr_open":
                row = []
            elif tok.type in ("th_open", "td_open") and row is not None:
                cell = block[i + 1].content if block[i + 1].type == "inline" else ""
                row.append(cell.replace("|", "\\|").replace("\n", " "))
                if tok.type == "th_open":
                    style = str(tok.attrs.get("style", ""))
                    aligns.append({"text-align:left": ":---", "text-align:right": "---:",
                                   "text-align:center": ":---:"}.get(style, "---"))
            elif tok.type == "tr_close" and row is not None:
                rows.append(row)
                row = None
        if not rows:
            return []
        width = len(aligns) or len(rows[0])
        lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(aligns or ["---"] * width) + " |"]
        for cells in rows[1:]:
            cells = (cells + [""] * width)[:width]
            lines.append("| " + " | ".join(cells) + " |")
        return lines


_HTML_OPEN = re.compile(r"^(\s*<(?P<tag>details|div|section|article|aside|figure|center|blockquote|"
                        r"main|header|footer|nav|dd|li)\b)(?P<attrs>[^>]*)>", re.I)


def _open_html(html: str) -> str:
    """An HTML block that CommonMark ends at a blank line while its element stays open (GitHub's
    `<details>` sections): mark it for md_in_html, so the Markdown inside renders as on GitHub."""
    m = _HTML_OPEN.match(html)
    if not m or "markdown" in m["attrs"].lower():
        return html
    if re.search(rf"</{m['tag']}\s*>", html, re.I):
        return html
    return f'{m.group(1)}{m["attrs"]} markdown="1">' + html[m.end():]


_BARE_URL = re.compile(r"(?<![<\[\"'=/\w])(?:https?://|www\.)[^\s<>()\[\]`]*[^\s<>()\[\]`.,;:!?'\"*_~]")
# code spans, links and images, HTML tags and autolinks: never touched
_KEEP = re.compile(r"(`+).*?(?<!`)\1(?!`)|!?\[[^\]]*\]\([^)]*\)|<[^<>]*>")


def autolink(line: str) -> str:
    """GitHub links a bare `https://...` or `www....` address; Python-Markdown needs `<...>`."""
    if "http" not in line and "www." not in line:
        return line
    parts, last = [], 0
    for span in _KEEP.finditer(line):
        parts.append(_BARE_URL.sub(_angle, line[last:span.start()]))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_BARE_URL.sub(_angle, line[last:]))
    return "".join(parts)


def _angle(m: re.Match) -> str:
    url = m.group(0)
    return f"[{url}](<{'http://' + url if url.startswith('www.') else url}>)"


def heading_plan(found: list[Heading]) -> tuple[bool, int]:
    """(add our own H1, shift every heading by) so that a page has exactly one H1: a page whose
    first heading is its only H1 keeps it; otherwise the page gets its name as H1 and any H1s
    of its own move one level down, with everything under them."""
    h1 = sum(1 for h in found if h.level == 1)
    if h1 == 1 and found[0].level == 1:
        return False, 0
    return True, (1 if h1 else 0)


def fence(body: str, info: str, code: CodePolicy) -> list[str]:
    """A fenced code block that no content can close early, its info string cleaned unless the
    library is executed (then our fence options in it are kept)."""
    if body and not body.endswith("\n"):
        body += "\n"
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    marks = "`" * max(3, longest + 1)
    info = info.strip()
    if code.run:
        shown = info.replace("`", "")
    else:
        lang = info.split()[0].strip("{}").lstrip(".") if info else ""
        shown = lang if LANG_RE.match(lang) else ""
        if shown.lower() in EXECUTABLE:
            shown = f"{shown} {NOT_RUN}"
    inner = body.rstrip("\n").split("\n") if body else []
    return [marks + shown, *inner, marks]


def without_not_run(markdown: str) -> str:
    """Our `skip=` option taken off the fences again, for Markdown to see a plain fence."""
    return markdown.replace(f" {NOT_RUN}", "")


def _siblings(tokens: list[Token]) -> list[list[Token]]:
    """Split a flat token run into its top-level blocks (each an open..close run or one token)."""
    blocks: list[list[Token]] = []
    depth = 0
    current: list[Token] = []
    for tok in tokens:
        current.append(tok)
        depth += tok.nesting
        if depth == 0:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks
