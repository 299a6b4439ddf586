"""The pages of a rendered library, as drafts that render.py resolves and writes.

Every page has exactly one H1: an article or notebook whose first heading is its only H1 keeps
it; otherwise the page's name (as BALSAM shows it: file or folder name) is the H1 and the
page's own headings move down a level. A resource page's H1 is always the folder name, with
its README below. Titles and descriptions go into front matter as escaped plain text, since
the theme inserts them into `<title>`, `<meta>` and the header unescaped. A page in the
library's language shown on another language's site carries a note and `lang` markup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

from handbook.content.library import commonmark, listings, notebooks
from handbook.content.library.commonmark import CodePolicy
from handbook.content.library.links import Rewriter, SiteMap
from handbook.content.library.model import (
    INFO,
    Library,
    LibraryError,
    Problem,
    display_name,
    translation_of,
)
from handbook.content.library.sanitize import plain_text
from handbook.content.library.settings import LibrarySettings
from handbook.content.library.strings import language_name, strings
from handbook.content.library.tree import read_bytes, read_text
from handbook.markdown import frontmatter


@dataclass
class Context:
    lib: Library
    settings: LibrarySettings
    lang: str
    plan: object                 # render.Plan
    sitemap: SiteMap
    problems: list[Problem]
    level: str                   # how content problems are reported

    @cached_property
    def s(self) -> dict[str, str]:
        return strings(self.lang, self.settings.texts)

    @cached_property
    def name(self) -> str:
        return library_name(self.settings, self.lib)

    @property
    def foreign(self) -> bool:
        return self.lang != self.settings.language

    def named(self, value: str) -> str:
        """A name from the library, as Markdown, marked with the library's language if need be."""
        shown = listings.md_text(value)
        return f'<span lang="{self.settings.language}">{shown}</span>' if self.foreign else shown


def library_name(settings: LibrarySettings, lib: Library) -> str:
    """What the site calls a library: its configured name, else its README's heading."""
    return settings.name or lib.readme_title or settings.path.name


@dataclass
class Draft:
    title: str                           # plain text
    description: str                     # plain text
    h1: str                              # Markdown
    source: PurePosixPath                # links in h1 and content are relative to this
    content: str = ""                    # the library's Markdown
    head: str = ""                       # generated Markdown between the H1 and the content
    tail: str = ""                       # generated Markdown after the content
    foreign: bool = False                # content in the library's language, not the page's
    h1_foreign: bool = False
    execute: bool = False
    images: dict[PurePosixPath, bytes] = field(default_factory=dict)
    notebook: dict | None = None         # an executed library's notebook, kept as .ipynb
    plan: tuple = (0, False)             # (shift, drop first H1) for the notebook's cells

    def markdown_for_ids(self) -> str:
        return f"# {self.h1}\n\n{self.head}\n\n{self.content}\n\n{self.tail}\n"

    def resolve(self, ctx: Context, out: PurePosixPath) -> None:
        rewriter = Rewriter(ctx.sitemap, self.source, out, ctx.problems, ctx.level)
        self.h1 = rewriter.markdown(self.h1)
        self.content = rewriter.markdown(self.content)

    def meta(self, ctx: Context) -> dict:
        return {"title": plain_text(self.title), "description": plain_text(self.description),
                "handbook_library": ctx.name,
                "handbook": {"library": ctx.name, "source": str(self.source),
                             "execute": self.execute, "language": ctx.settings.language}}

    def body(self, ctx: Context) -> str:
        mark = f" {{ lang={ctx.settings.language} }}" if self.h1_foreign and ctx.foreign else ""
        parts = [f"# {self.h1}{mark}"]
        if self.foreign:
            language = language_name(ctx.lang, ctx.settings.language, ctx.settings.texts)
            note = ctx.s["note"].format(language=language)
            parts.append(f'!!! info "{ctx.s["note_title"]}"\n\n    {note}')
        if self.head.strip():
            parts.append(self.head.strip("\n"))
        if self.content.strip():
            content = self.content.strip("\n")
            if self.foreign:
                content = f'<div lang="{ctx.settings.language}" markdown>\n\n{content}\n\n</div>'
            parts.append(content)
        if self.tail.strip():
            parts.append(self.tail.strip("\n"))
        return "\n\n".join(parts) + "\n"

    def page(self, ctx: Context) -> str:
        return front_matter(self.meta(ctx)) + self.body(ctx)

    def notebook_json(self, ctx: Context) -> bytes:
        """The executed library's notebook with our front matter as its first cell."""
        nb = dict(self.notebook or {})
        meta = dict(nb.get("metadata") or {})
        meta["handbook"] = {**(meta.get("handbook") or {}), "library": ctx.name, "execute": True}
        nb["metadata"] = meta
        cell = {"cell_type": "markdown", "id": "handbook-front-matter", "metadata": {},
                "source": front_matter(self.meta(ctx)).rstrip("\n")}
        nb["cells"] = [cell, *nb.get("cells", [])]
        return (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def front_matter(meta: dict) -> str:
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


# ---- reading a page's source ----------------------------------------------------------------


def _source(ctx: Context, rel: PurePosixPath) -> tuple[str, bool]:
    """(text, translated): the page language's translation `x.<lang>.md` if there is one."""
    if ctx.foreign:
        candidate = translation_of(rel, ctx.lang)
        if candidate in ctx.lib.files:
            text = _read(ctx, candidate)
            return re.sub(rf"(\]\([^)\s]*?)\.{ctx.lang}\.md\b", r"\1.md", text), True
    return _read(ctx, rel), False


def _read(ctx: Context, rel: PurePosixPath) -> str:
    try:
        return read_text(ctx.lib.root, rel, ctx.problems)
    except LibraryError as exc:
        ctx.problems.append(Problem(rel, str(exc).split(": ", 1)[-1]))
        return ""


def _split(ctx: Context, rel: PurePosixPath, text: str) -> tuple[dict, str]:
    """Front matter (only `description` is used; the rest is dropped) and body."""
    try:
        meta, body, _ = frontmatter.parse(text)
    except frontmatter.FrontMatterError as exc:
        ctx.problems.append(Problem(rel, f"{exc}; the front matter is ignored", exc.line, ctx.level))
        return {}, frontmatter.split(text)[1] or text
    return meta, body


def _description(meta: dict, body: str, fallback: str, use_body: bool = True) -> str:
    given = meta.get("description")
    if isinstance(given, str) and given.strip():
        return given
    return (notebooks.first_paragraph(body) if use_body else "") or fallback


def embedded(ctx: Context, rel: PurePosixPath | None, name: str, draft: Draft) -> None:
    """Put a README under a page whose H1 is `name`: its own H1 goes if it says the same, else
    its headings move down a level."""
    if rel is None:
        return
    text, translated = _source(ctx, rel)
    meta, body = _split(ctx, rel, text)
    found = commonmark.headings(body)
    h1s = [h for h in found if h.level == 1]
    same = len(h1s) == 1 and found[0].level == 1 and \
        h1s[0].text.casefold() == commonmark.plain(name).casefold()
    code = CodePolicy(run=ctx.settings.executes(rel))
    draft.content = commonmark.to_python_markdown(body, shift=0 if same or not h1s else 1,
                                                  drop_first_h1=same, code=code)
    draft.source = rel
    draft.foreign = ctx.foreign and not translated
    draft.execute = ctx.settings.executes(rel)
    if isinstance(meta.get("description"), str) and meta["description"].strip():
        draft.description = meta["description"]


def article(ctx: Context, rel: PurePosixPath, name: str) -> Draft:
    """An article, or any other Markdown page of the library."""
    text, translated = _source(ctx, rel)
    meta, body = _split(ctx, rel, text)
    add_h1, shift = commonmark.heading_plan(commonmark.headings(body))
    own = None if add_h1 else commonmark.first_h1_inline(body)
    foreign = ctx.foreign and not translated
    draft = Draft(name, _description(meta, body, ctx.s["desc_page"].format(name=name, library=ctx.name),
                                     use_body=not foreign),
                  own or listings.md_text(name), rel, foreign=foreign, h1_foreign=foreign,
                  execute=ctx.settings.executes(rel))
    draft.content = commonmark.to_python_markdown(body, shift=shift, drop_first_h1=own is not None,
                                                  code=CodePolicy(run=draft.execute))
    return draft


def notebook(ctx: Context, rel: PurePosixPath, name: str, out: PurePosixPath) -> Draft:
    executed = rel in ctx.plan.executed
    fallback = ctx.s["desc_page"].format(name=name, library=ctx.name)
    draft = Draft(name, fallback, listings.md_text(name), rel, foreign=ctx.foreign,
                  h1_foreign=ctx.foreign, execute=executed)
    link = listings.download_link(ctx, rel, out, ctx.s["download_notebook"])
    draft.head = f'<p class="kb-download">{link}</p>'
    try:
        data = read_bytes(ctx.lib.root, rel)
        nb = notebooks.load(data)
    except (LibraryError, notebooks.NotebookError) as exc:
        reason = str(exc).split(": ", 1)[-1]
        ctx.problems.append(Problem(rel, f"shown without its cells: {reason}", level=ctx.level))
        draft.tail = listings.md_text(ctx.s["bad_notebook"].format(reason=reason))
        return draft
    add_h1, shift = commonmark.heading_plan(nb.headings)
    if not add_h1:
        for cell in nb.cells:
            if cell.get("cell_type") == "markdown":
                own = commonmark.first_h1_inline(notebooks._markdown_source(cell))
                if own:
                    draft.h1 = own
                    draft.h1_foreign = ctx.foreign
                    break
    draft.plan = (shift, not add_h1)
    if not ctx.foreign:
        draft.description = nb.description or fallback
    rendered = notebooks.render(nb, rel=rel, code=CodePolicy(run=executed), shift=shift,
                                drop_first_h1=not add_h1, alt=ctx.s["output_image"],
                                shortened=ctx.s["output_shortened"], images="inline" if executed else "files")
    draft.content = rendered.markdown
    for path, image in rendered.images.items():
        target = ctx.plan.claim(path, path, False)
        ctx.sitemap.files[path] = target
        draft.images[path] = image
    if executed:
        draft.notebook = json.loads(data.decode("utf-8-sig"))
    return draft


def render_deferred(ctx: Context, draft: Draft, out: PurePosixPath, executed: bytes) -> str:
    """The Markdown of an executed library notebook's page, from its freshly executed copy."""
    try:
        nb = notebooks.load(executed)
    except notebooks.NotebookError:
        return draft.body(ctx)
    nb.cells = [c for c in nb.cells if c.get("id") != "handbook-front-matter"]
    shift, drop = draft.plan
    rendered = notebooks.render(nb, rel=draft.source, code=CodePolicy(run=True), shift=shift,
                                drop_first_h1=drop, alt=ctx.s["output_image"],
                                shortened=ctx.s["output_shortened"], images="inline")
    fresh = Draft(draft.title, draft.description, draft.h1, draft.source, rendered.markdown,
                  draft.head, draft.tail, draft.foreign, draft.h1_foreign, True)
    fresh.content = Rewriter(ctx.sitemap, draft.source, out, [], INFO).markdown(fresh.content)
    return fresh.body(ctx)


def all_drafts(ctx: Context) -> dict[PurePosixPath, Draft]:
    """A draft for every page of the library, keyed by its output path."""
    s, lib, plan = ctx.s, ctx.lib, ctx.plan
    drafts: dict[PurePosixPath, Draft] = {}
    front = plan.pages[PurePosixPath(".")]
    listing = _overview(ctx, front)
    d = Draft(ctx.name, ctx.settings.description or s["desc_front"].format(name=ctx.name),
              listings.md_text(ctx.name), PurePosixPath("."), h1_foreign=True)  # the library's name
    d.head = "\n\n".join(x for x in (listings.md_text(ctx.settings.description or ""),
                                       listings.repository_line(ctx), listing) if x)
    embedded(ctx, lib.readme, ctx.name, d)
    if ctx.foreign or ctx.settings.description:
        d.description = ctx.settings.description or s["desc_front"].format(name=ctx.name)
    drafts[front] = d

    for category in lib.articles.walk():
        out = plan.pages[category.rel]
        root = category is lib.articles
        title = s["articles"] if root else category.name
        desc = (s["desc_articles"] if root else s["desc_category"]).format(name=category.name,
                                                                           library=ctx.name)
        d = Draft(title, desc, listings.md_text(title), category.rel, h1_foreign=not root)
        embedded(ctx, category.index, title, d)
        d.description = desc if ctx.foreign else d.description
        d.tail = "\n".join(listings.article_tree(ctx, category, out) or [s["empty"]])
        drafts[out] = d
        for art in category.articles:
            drafts[plan.pages[art.rel]] = article(ctx, art.rel, art.name)

    out = plan.pages[PurePosixPath("Resources")]
    desc = s["desc_resources"].format(library=ctx.name)
    d = Draft(s["resources"], desc, listings.md_text(s["resources"]), PurePosixPath("Resources"))
    readme = next((f.rel for f in lib.library_files if plan.pages.get(f.rel) == out), None)
    embedded(ctx, readme, s["resources"], d)
    d.description = desc
    d.tail = "\n".join(listings.resource_list(ctx, out, "##") or [s["empty"]])
    drafts[out] = d
    for res in lib.resources:
        drafts.update(_resource(ctx, res))
    for f in lib.library_files:
        target = plan.pages.get(f.rel)
        if f.kind == "page" and target is not None and target != out:
            drafts[target] = article(ctx, f.rel, f.name)

    out = plan.pages[PurePosixPath("Templates")]
    desc = s["desc_templates"].format(library=ctx.name)
    d = Draft(s["templates"], desc, listings.md_text(s["templates"]), PurePosixPath("Templates"))
    d.tail = "\n".join(listings.template_cards(ctx))
    drafts[out] = d
    return drafts


def _overview(ctx: Context, front: PurePosixPath) -> str:
    s, plan = ctx.s, ctx.plan
    from handbook.content.library.strings import IDS

    def overview(source: str) -> str:
        return f"[{s['overview']}]({listings.link(front, plan.pages[PurePosixPath(source)])})"
    lines = [f"## {s['contents']} {{#{IDS['contents']}}}", "",
             f"### {s['articles']} {{#{IDS['articles']}}}", "", overview("Articles"), "",
             *(listings.article_tree(ctx, ctx.lib.articles, front) or [s["empty"]]), "",
             f"### {s['resources']} {{#{IDS['resources']}}}", "", overview("Resources"), "",
             *(listings.resource_list(ctx, front, "####") or [s["empty"]]), "",
             f"### {s['templates']} {{#{IDS['templates']}}}", "", overview("Templates"), "",
             *(listings.template_summary(ctx) or [s["empty"]])]
    return "\n".join(lines)


def _resource(ctx: Context, res) -> dict[PurePosixPath, Draft]:
    s, plan = ctx.s, ctx.plan
    page = plan.pages[res.rel]
    desc = s["desc_resource"].format(name=res.name, library=ctx.name)
    d = Draft(res.name, desc, listings.md_text(res.name), res.rel, h1_foreign=True)
    if res.readme is None:
        d.head = listings.md_text(s["no_readme"])
    embedded(ctx, res.readme, res.name, d)
    d.description = desc if ctx.foreign else d.description
    d.tail = "\n".join([*listings.file_list(ctx, res, page), "", *listings.copy_section(ctx, res, page)])
    found = {page: d}
    for rel in res.files:
        out = plan.pages.get(rel)
        if out is None or rel == res.readme:
            continue
        if rel in plan.notebooks:
            found[out] = notebook(ctx, rel, display_name(rel.name), out)
        else:
            found[out] = article(ctx, rel, display_name(rel.name))
    return found
