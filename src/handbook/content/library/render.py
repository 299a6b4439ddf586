"""A library rendered for one site language: the files of its generated docs folder.

`plan` decides once where every library file is published (the same for every language):

    README.md                        front page: name, repository, overview, the README
    Articles/index.md, <cat>/index.md  the category tree; a category's own README is its page
    Articles/**/<name>.md            articles
    Resources/index.md               all resources (with Resources/README.md, if any)
    Resources/<Name>/README.md       a resource: README, files, copy command, zip
    Resources/<Name>/**/<x>.md       Markdown and notebooks of a resource as pages
    Templates/index.md               template and example cards
    anything else                    the file itself, byte for byte (a file a browser would
                                     run, such as a saved web page, as `<name>.txt`)

Pages are written for every language; files, zips and notebook output images only into the
default language's folder (mkdocs-static-i18n's fallback serves them to the other languages,
so the site holds one copy). Notebooks are rendered from their stored outputs; the committed
`.ipynb` is copied once into the default language's folder of the built site as a download
(`Rendering.downloads`), and every language links it. A library that
is executed keeps its notebooks as `.ipynb` pages, which the notebook runner executes; they
are rendered the same way at build time (`Rendering.deferred`).

`render_library` makes every page in two passes: first the Markdown with the library's links
as written (to learn each page's heading ids), then with every link resolved (links.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from handbook.content.library import links, pages, sanitize
from handbook.content.library.files import zip_resource
from handbook.content.library.model import INFO, WARNING, Library, LibraryError, Problem, is_translation
from handbook.content.library.settings import LibrarySettings
from handbook.content.library.tree import read_bytes

MKDOCS_PAGES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".ipynb")


@dataclass
class Plan:
    pages: dict[PurePosixPath, PurePosixPath] = field(default_factory=dict)  # source -> page
    files: dict[PurePosixPath, PurePosixPath] = field(default_factory=dict)  # source -> file
    notebooks: set[PurePosixPath] = field(default_factory=set)      # sources shown as notebooks
    executed: set[PurePosixPath] = field(default_factory=set)       # ... kept as .ipynb and run
    zips: dict[str, PurePosixPath] = field(default_factory=dict)    # resource name -> zip
    problems: list[Problem] = field(default_factory=list)
    _taken: dict[str, PurePosixPath] = field(default_factory=dict)

    def claim(self, source: PurePosixPath, out: PurePosixPath, page: bool) -> PurePosixPath:
        """`out`, or a free variant of it when another output already has that path or URL."""
        table = self.pages if page else self.files
        if source in table:
            return table[source]  # claimed already (another language's rendering)
        wanted, n = out, 1
        while self._key(out, page) in self._taken:
            n += 1
            out = wanted.with_name(f"{wanted.stem} ({n}){wanted.suffix}")
        if out != wanted:
            self.problems.append(Problem(source, f"published as {out.name}: {wanted} is taken by "
                                         f"{self._taken[self._key(wanted, page)]}", level=INFO))
        self._taken[self._key(out, page)] = source
        table[source] = out
        return out

    @staticmethod
    def _key(out: PurePosixPath, page: bool) -> str:
        if not page:
            return str(out).casefold()
        stem = out.stem if out.suffix in MKDOCS_PAGES else out.name
        folder = str(out.parent).casefold()
        return folder if stem in ("README", "index") else f"{folder}/{stem.casefold()}"


@dataclass
class Rendering:
    outputs: dict[PurePosixPath, bytes]                  # the generated docs folder
    downloads: dict[PurePosixPath, PurePosixPath]        # site path -> library file (after build)
    deferred: dict[PurePosixPath, pages.Draft]           # executed notebooks, rendered at build
    sitemap: links.SiteMap
    problems: list[Problem]


def plan(lib: Library, settings: LibrarySettings) -> Plan:
    p = Plan()
    root = PurePosixPath(".")
    p.claim(root, PurePosixPath("README.md"), True)
    for category in lib.articles.walk():
        out = p.claim(category.rel, category.rel / "index.md", True)
        if category.index:
            p.pages[category.index] = out
        for article in category.articles:
            p.claim(article.rel, article.rel.with_suffix(".md"), True)
    p.claim(PurePosixPath("Resources"), PurePosixPath("Resources/index.md"), True)
    resources_readme = _resources_readme(lib)
    if resources_readme:
        p.pages[resources_readme.rel] = p.pages[PurePosixPath("Resources")]
    p.claim(PurePosixPath("Templates"), PurePosixPath("Templates/index.md"), True)
    for res in lib.resources:
        page = p.claim(res.rel, res.rel / "README.md", True)
        if res.readme:
            p.pages[res.readme] = page
    for res in lib.resources:
        for rel in res.files:
            _plan_file(p, lib, settings, rel, skip=res.readme)
        p.zips[res.name] = p.claim(res.rel / f"{res.name}.zip", res.rel / f"{res.name}.zip", False)
    for f in lib.library_files:
        if f.kind == "page" and f is not resources_readme:
            p.claim(f.rel, f.rel, True)
        elif f.kind != "page":
            _plan_static(p, lib, f.rel)
    for category in lib.articles.walk():
        for rel in category.files:
            _plan_static(p, lib, rel)
    for rel in lib.template_files:
        _plan_static(p, lib, rel)
    if lib.readme is not None:
        p.pages[lib.readme] = p.pages[root]
    return p


def _resources_readme(lib: Library):
    return next((f for f in lib.library_files if f.kind == "page"
                 and f.rel.name.lower() in ("readme.md", "index.md")), None)


def _plan_file(p: Plan, lib: Library, settings: LibrarySettings, rel: PurePosixPath, skip) -> None:
    if rel == skip:
        return
    suffix = rel.suffix.lower()
    if suffix == ".md":
        if not is_translation(rel, lib.translations):
            p.claim(rel, rel.with_suffix(".md"), True)
    elif suffix == ".ipynb":
        p.notebooks.add(rel)
        if settings.executes(rel):
            p.executed.add(rel)
            p.claim(rel, rel, True)
        else:
            p.claim(rel, rel.with_suffix(".md"), True)
    else:
        _plan_static(p, lib, rel)


def _plan_static(p: Plan, lib: Library, rel: PurePosixPath) -> None:
    data = None
    if rel.suffix.lower() == ".svg":
        try:
            data = read_bytes(lib.root, rel)
        except LibraryError:
            return
    active = sanitize.is_active(rel.name, data) or rel.suffix.lower() in MKDOCS_PAGES
    p.claim(rel, rel.with_name(sanitize.inert_name(rel.name)) if active else rel, False)


def render_library(lib: Library, settings: LibrarySettings, lang: str, *, default_language: str,
                   directory_urls: bool = True, the_plan: Plan | None = None) -> Rendering:
    """Every file of the generated docs folder for `lang`, keyed by path relative to it."""
    the_plan = the_plan or plan(lib, settings)
    default = lang == default_language
    sitemap = links.SiteMap(dict(the_plan.pages), dict(the_plan.files),
                            frozenset(lib.files | lib.folders),
                            lang_prefix="" if default else f"{lang}/", url_prefix=settings.url_prefix,
                            directory_urls=directory_urls, source_url=settings.web_url)
    ctx = pages.Context(lib, settings, lang, the_plan, sitemap, list(the_plan.problems),
                        WARNING if settings.strict else INFO)
    drafts = pages.all_drafts(ctx)
    for out, draft in drafts.items():
        sitemap.set_headings(out, links.heading_ids(draft.markdown_for_ids()))
    outputs: dict[PurePosixPath, bytes] = {}
    deferred: dict[PurePosixPath, pages.Draft] = {}
    for out, draft in drafts.items():
        draft.resolve(ctx, out)
        if draft.notebook is not None:
            deferred[out] = draft
            outputs[out] = draft.notebook_json(ctx)
        else:
            outputs[out] = draft.page(ctx).encode("utf-8")
    if default:
        outputs.update(_static(ctx, drafts))
    downloads = {the_plan.pages[rel].with_name(rel.name): rel for rel in the_plan.notebooks} \
        if default else {}
    return Rendering(outputs, downloads, deferred, sitemap, ctx.problems)


def _static(ctx: pages.Context, drafts: dict) -> dict[PurePosixPath, bytes]:
    out: dict[PurePosixPath, bytes] = {}
    for rel, target in ctx.plan.files.items():
        if rel in ctx.lib.files:
            try:
                out[target] = read_bytes(ctx.lib.root, rel)
            except LibraryError as exc:
                ctx.problems.append(Problem(rel, str(exc).split(": ", 1)[-1]))
    for res in ctx.lib.resources:
        try:
            out[ctx.plan.zips[res.name]] = zip_resource(ctx.lib.root, res)
        except LibraryError as exc:
            ctx.problems.append(Problem(res.rel, f"no zip: {exc}"))
    for draft in drafts.values():
        for rel, data in draft.images.items():
            out[ctx.plan.files[rel]] = data
    return out
