"""The Markdown that library pages generate themselves: trees, file lists, cards, commands.

Every name and field from the library goes through `md_text` (HTML-escaped, Markdown syntax
neutralised) and every link target through `link` (relative, percent-encoded), so a file named
`"><img onerror=...>.md` or a card with a hostile `description` stays text.
"""

from __future__ import annotations

import html
import posixpath
import re
import shlex
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from handbook.content.library import commonmark
from handbook.content.library.commonmark import CodePolicy
from handbook.content.library.model import Category, display_name
from handbook.content.library.strings import IDS

if TYPE_CHECKING:
    from handbook.content.library.pages import Context

_SPECIAL = re.compile(r"[\\`*_\[\]#|{}!()~<>]")


def md_text(value: str) -> str:
    """Plain text (a name, a card field) as inline Markdown that shows exactly that text."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text)


def link(page: PurePosixPath, target: PurePosixPath) -> str:
    """A Markdown link target from one generated page to another generated path."""
    return quote(posixpath.relpath(str(target), str(page.parent)), safe="/")


def web(url: str | None) -> str | None:
    """An http(s) address usable as a link target, or None."""
    if not url or not re.match(r"^https?://[^\s<>\"'`]+$", url.strip()):
        return None
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~")


def article_tree(ctx: Context, category: Category, page: PurePosixPath, depth: int = 0) -> list[str]:
    lines = []
    pad = "    " * depth
    for article in sorted(category.articles, key=lambda a: a.name.casefold()):
        target = ctx.plan.pages[article.rel]
        lines.append(f"{pad}- [{ctx.named(article.name)}]({link(page, target)})")
    for child in category.children:
        lines.append(f"{pad}- [{ctx.named(child.name)}]({link(page, ctx.plan.pages[child.rel])})")
        lines += article_tree(ctx, child, page, depth + 1)
    return lines


def resource_list(ctx: Context, page: PurePosixPath, level: str) -> list[str]:
    s = ctx.s
    lines = [f"- [{ctx.named(r.name)}]({link(page, ctx.plan.pages[r.rel])})" for r in ctx.lib.resources]
    shown = []
    overview = ctx.plan.pages[PurePosixPath("Resources")]
    for f in ctx.lib.library_files:
        target = ctx.plan.pages.get(f.rel) if f.kind == "page" else ctx.plan.files.get(f.rel)
        if target == overview:
            continue  # Resources/README.md is the overview page itself
        if f.kind == "url":
            url = web(f.url)
            shown.append(f"- [{ctx.named(f.name)}]({url})" if url
                         else f"- {ctx.named(f.name)}: `{md_code(f.url or '')}`")
        elif target is not None:
            shown.append(f"- [{ctx.named(f.name)}]({link(page, target)})")
    if shown:
        lines += ["", f"{level} {s['library_files']} {{#{IDS['library_files']}}}", "", *shown]
    return lines


def md_code(value: str) -> str:
    return value.replace("`", "'").replace("\n", " ")


def file_list(ctx: Context, res, page: PurePosixPath) -> list[str]:
    s = ctx.s
    lines = [f"## {s['files']} {{#{IDS['files']}}}", ""]
    for rel in res.files:
        shown = ctx.named(str(rel.relative_to(res.rel)))
        if rel == res.readme:
            lines.append(f"- {shown} ({s['this_page']})")
        elif rel in ctx.plan.pages:
            entry = f"- [{shown}]({link(page, ctx.plan.pages[rel])})"
            if rel in ctx.plan.notebooks:
                entry += " · " + download_link(ctx, rel, page, s["download"], named=False)
            lines.append(entry)
        elif rel in ctx.plan.files:
            target = ctx.plan.files[rel]
            if target.name != rel.name:  # published inert: saved as its own name, shown as text
                lines.append(f'- [{shown}]({link(page, target)}){{ download="{html.escape(rel.name)}" }}'
                             f" ({s['active_file']})")
            else:
                lines.append(f"- [{shown}]({link(page, target)})")
        else:
            lines.append(f"- {shown}")
    return lines


def download_link(ctx: Context, rel: PurePosixPath, page: PurePosixPath, label: str,
                  named: bool = True) -> str:
    """Raw HTML link to a notebook's committed bytes. There is one copy, in the default
    language's folder, for every language: its `hreflang` says the file is in the library's
    language (and tells the link check that the language change is meant)."""
    target = ctx.plan.pages[rel].with_name(rel.name)
    href = ctx.sitemap.href(page, ctx.sitemap.site_url(target, page=False))
    lang = html.escape(ctx.settings.language)
    text = html.escape(label)
    if named:
        name = html.escape(rel.name)
        text += f': <span lang="{lang}">{name}</span>' if ctx.foreign else f": {name}"
    return f'<a href="{href}" download="{html.escape(rel.name)}" hreflang="{lang}">{text}</a>'



def copy_section(ctx: Context, res, page: PurePosixPath) -> list[str]:
    s, settings = ctx.s, ctx.settings
    command = []
    if settings.repository:
        command.append(f"git clone {shlex.quote(settings.repository)}")
    command.append(f"handbook library copy {shlex.quote(settings.checkout)} {shlex.quote(res.name)} "
                   "~/projekt")
    zip_target = link(page, ctx.plan.zips[res.name])
    return [f"## {s['copy_title']} {{#{IDS['copy']}}}", "", s["copy_text"], "",
            *commonmark.fence("\n".join(command), "text", CodePolicy(run=True)), "",
            s["copy_after"], "", f"[{s['download_zip']}: {ctx.named(res.name + '.zip')}]({zip_target})"]


def template_summary(ctx: Context) -> list[str]:
    lines = []
    for t in ctx.lib.templates:
        line = f"- {ctx.named(t.name)}: {ctx.named(t.description)}"
        if web(t.git):
            line += f" ([git]({web(t.git)}))"
        lines.append(line)
    return lines


def template_cards(ctx: Context) -> list[str]:
    s = ctx.s
    if not ctx.lib.templates:
        return [s["empty"]]
    lines = ['<div class="grid cards" markdown>', ""]
    for t in ctx.lib.templates:
        lines += [f"-   **{ctx.named(t.name)}**", "", "    ---", "", f"    {ctx.named(t.description)}", ""]
        if t.tags:
            lines += [f"    {s['tags']}: " + ", ".join(ctx.named(tag) for tag in t.tags), ""]
        found = [f"[{s['git']}]({web(t.git)})" if web(t.git) else f"{s['git']}: `{md_code(t.git)}`"]
        if web(t.html):
            found.append(f"[{s['html']}]({web(t.html)})")
        lines += ["    " + " · ".join(found), ""]
    lines.append("</div>")
    return lines


def repository_line(ctx: Context) -> str:
    s, settings = ctx.s, ctx.settings
    url = web(settings.web) or web(settings.repository)
    if url:
        return f"{s['repository']}: [{md_text(settings.web or settings.repository)}]({url})"
    return ""


def library_file_name(rel: PurePosixPath) -> str:
    return display_name(rel.name)
