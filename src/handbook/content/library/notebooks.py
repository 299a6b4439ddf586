"""A library notebook as a Markdown page: its cells as written and its stored outputs, never run.

Markdown cells go through the same CommonMark rewriting as articles (one cell at a time, as
Jupyter renders them); code cells become fenced code in the kernel's language; outputs follow
their cell inside `<div class="kb-output jp-OutputArea" data-search-exclude>`, so search
indexes the notebook's text and code but not what it printed (and the spelling check, like for
our own notebooks, skips it). Output HTML (data frames) is sanitised;
images become files beside the page (`images="files"`, shared by every language) or, for a
notebook rendered at build time from a fresh execution, `data:` images (`images="inline"`).
SVG output is only ever an `<img>`, where it cannot run script. Widgets and JavaScript outputs
are dropped in favour of the output's plain text. Nothing from the notebook's JSON reaches the
page unescaped.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote

from handbook.content.library import commonmark, sanitize
from handbook.content.library.commonmark import CodePolicy, Heading

MAX_OUTPUT_LINES = 200        # of one text output shown on a page
MAX_OUTPUT_CHARS = 20_000
SHORTENED = "… {lines} more lines are left out here. The whole output is in the notebook."
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
FRONT_MATTER = re.compile(r"^---[ \t]*\n.*?\n---[ \t]*(\n|$)", re.S)
ATTACHMENT = re.compile(r"\(attachment:([^)\s]+)\)")


class NotebookError(ValueError):
    """The file is not a notebook we can show; the message says why."""


@dataclass
class Notebook:
    cells: list[dict]
    language: str
    headings: list[Heading]
    description: str = ""


@dataclass
class RenderedNotebook:
    markdown: str
    images: dict[PurePosixPath, bytes] = field(default_factory=dict)  # relative to the library


def load(data: bytes) -> Notebook:
    """A notebook's cells and kernel language; NotebookError for anything that is not one."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotebookError(f"not valid notebook JSON ({exc.__class__.__name__})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError("not a notebook: no list of cells")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    kernel = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    language = str(kernel.get("language") or info.get("name") or "")
    cells = [c for c in nb["cells"] if isinstance(c, dict)]
    found: list[Heading] = []
    description = ""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            text = _markdown_source(cell)
            found += commonmark.headings(text)
            if not description:
                description = first_paragraph(text)
    return Notebook(cells, language.lower() if language.lower() in ("r", "python") else language,
                    found, description)


def render(nb: Notebook, *, rel: PurePosixPath, code: CodePolicy, shift: int, drop_first_h1: bool,
           alt: str, images: str = "files", shortened: str = SHORTENED) -> RenderedNotebook:
    """The notebook as Markdown (without its page H1, which the caller writes)."""
    out = RenderedNotebook("")
    parts: list[str] = []
    drop = drop_first_h1
    folder = rel.parent / f"{rel.name}.outputs"
    previous = None
    for number, cell in enumerate(nb.cells, start=1):
        kind = cell.get("cell_type")
        if kind == "markdown":
            text = _markdown_source(cell)
            if drop and any(h.level == 1 for h in commonmark.headings(text)):
                md = commonmark.to_python_markdown(text, shift=shift, drop_first_h1=True, code=code)
                drop = False
            else:
                md = commonmark.to_python_markdown(text, shift=shift, code=code)
            if md.strip():
                if previous == "markdown":
                    parts.append("<!-- -->")  # cells are separate documents: no list spans two
                parts.append(md.rstrip("\n"))
                previous = "markdown"
        elif kind == "code":
            source = _text(cell.get("source"))
            if source.strip():
                parts.append("\n".join(commonmark.fence(source, _lang(nb.language), code)))
            for index, output in enumerate(cell.get("outputs") or [], start=1):
                if isinstance(output, dict):
                    shown = _output(output, folder / f"{number}-{index}", alt, images, out, shortened)
                    if shown:
                        parts.append(shown)
            previous = "code"
        elif kind == "raw":
            source = _text(cell.get("source"))
            if source.strip():
                parts.append("\n".join(commonmark.fence(source, "", code)))
                previous = "raw"
    out.markdown = "\n\n".join(parts) + "\n"
    return out


def _markdown_source(cell: dict) -> str:
    text = _text(cell.get("source")).replace("\r\n", "\n")
    text = FRONT_MATTER.sub("", text, count=1)
    attachments = cell.get("attachments") if isinstance(cell.get("attachments"), dict) else {}

    def inline(m: re.Match) -> str:
        data = attachments.get(m.group(1))
        if isinstance(data, dict):
            for mime in ("image/png", "image/jpeg", "image/gif", "image/webp"):
                payload = _base64(data.get(mime))
                if payload:
                    return f"(data:{mime};base64,{payload})"
        return "()"
    return ATTACHMENT.sub(inline, text)


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _lang(language: str) -> str:
    return language if commonmark.LANG_RE.match(language or "") else ""


def _base64(value) -> str | None:
    text = _text(value).replace("\n", "")
    if not text:
        return None
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return text


def _output(output: dict, stem: PurePosixPath, alt: str, images: str, out: RenderedNotebook,
            shortened: str = "") -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _pre(_text(output.get("text")), "kb-stream", shortened)
    if kind == "error":
        lines = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
        lines += [_text(line) for line in (output.get("traceback") or [])[-3:]]
        return _pre("\n".join(lines), "kb-error")
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    text_alt = _text(data.get("text/plain")).strip()
    label = text_alt if 0 < len(text_alt) < 120 and "\n" not in text_alt \
        and not text_alt.startswith("<") else alt
    for mime, ext in IMAGE_TYPES.items():
        payload = _base64(data.get(mime))
        if payload:
            if images == "inline":
                return _wrap(f'<img src="data:{mime};base64,{payload}" alt="{html.escape(label)}">')
            path = stem.with_name(f"{stem.name}.{ext}")
            out.images[path] = base64.b64decode(payload)
            target = quote(f"{path.parent.name}/{path.name}")  # relative to the notebook
            return f"![{_alt(label)}]({target}){{ .kb-output-image }}"
    svg = _text(data.get("image/svg+xml"))
    if svg.strip():
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return _wrap(f'<img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(label)}">')
    markup = _text(data.get("text/html"))
    if markup.strip():
        cleaned = sanitize.clean_fragment(markup)
        if re.sub(r"<[^>]*>", "", cleaned).strip() or "<img" in cleaned:
            return _wrap(cleaned)
    for mime in ("text/latex", "text/plain", "application/json"):
        value = data.get(mime)
        if mime == "application/json" and value is not None and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, indent=1)
        if _text(value).strip():
            return _pre(_text(value), "kb-text", shortened)
    return ""


def _alt(label: str) -> str:
    return re.sub(r"([\\\[\]`*_<>])", r"\\\1", label)


def _pre(text: str, kind: str, shortened: str = "") -> str:
    text = ANSI.sub("", text).rstrip("\n")
    if not text.strip():
        return ""
    lines = text.split("\n")
    if shortened and (len(lines) > MAX_OUTPUT_LINES or len(text) > MAX_OUTPUT_CHARS):
        # A long log (a conda install, say) would make the page megabytes; the notebook has it all.
        kept = []
        for line in lines[:MAX_OUTPUT_LINES]:
            if sum(map(len, kept)) + len(line) > MAX_OUTPUT_CHARS:
                break
            kept.append(line)
        text = "\n".join(kept) + "\n" + shortened.format(lines=len(lines) - len(kept))
    return _wrap(f'<pre class="{kind}">{html.escape(text, quote=False)}</pre>')


def _wrap(inner: str) -> str:
    return f'<div class="kb-output jp-OutputArea" data-search-exclude markdown="0">{inner}</div>'


def first_paragraph(markdown: str, limit: int = 200) -> str:
    """The first paragraph's text (no markup), cut at a sentence end near `limit` characters."""
    tokens, _ = commonmark.parse(markdown)
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and tok.level == 0:
            text = commonmark.plain(tokens[i + 1].content.replace("\n", " "))
            if len(text) > limit:
                cut = text[:limit]
                end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
                text = cut[: end + 1] if end > 40 else cut.rsplit(" ", 1)[0] + " …"
            return text
    return ""
