"""The libraries of one site build: generated before MkDocs reads docs/, served to the page events.

`generate` reads each configured library, renders it for every site language into
`docs/<lang>/<url_prefix>/` (git-ignored) and returns the `Published` libraries that the
MkDocs adapter (handbook.adapters.library) consults for each page: which library a page
belongs to, its source file, the executed notebooks to render at build time, the downloads to
copy into the built site. It also writes `.cache/reports/library.json`.

Why pages are real files under docs/<lang>/ instead of virtual Files: mkdocs-static-i18n
re-creates every File in its own on_files and derives locale, alternates (the language
switcher, sitemap), fallback and the per-language search index from the docs folders; pages
that exist in every language folder get all of that, and MkDocs validates their links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from handbook.content.library import pages, sanitize
from handbook.content.library.files import write_downloads, write_tree
from handbook.content.library.model import WARNING, Library, LibraryError, Problem
from handbook.content.library.reading import read_library
from handbook.content.library.render import Rendering, plan, render_library
from handbook.content.library.settings import LibrarySettings


@dataclass
class Published:
    settings: LibrarySettings
    library: Library
    name: str
    renderings: dict[str, Rendering] = field(default_factory=dict)   # language -> rendering
    folders: dict[str, str] = field(default_factory=dict)            # language -> docs-relative
    default_language: str = ""

    def page(self, src_uri: str) -> tuple[str, PurePosixPath] | None:
        """(language, output path) of a page under this library's generated folders."""
        for lang, folder in self.folders.items():
            if src_uri.startswith(folder):
                return lang, PurePosixPath(src_uri[len(folder):])
        return None

    def site_folder(self, site_dir: Path, lang: str) -> Path:
        prefix = "" if lang == self.default_language else f"{lang}/"
        return site_dir / f"{prefix}{self.settings.url_prefix}"


@dataclass
class Libraries:
    published: list[Published] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (label, problem)

    def find(self, src_uri: str) -> tuple[Published, str, PurePosixPath] | None:
        for pub in self.published:
            found = pub.page(src_uri)
            if found:
                return pub, *found
        return None


def generate(project, settings: list[LibrarySettings], *, directory_urls: bool = True) -> Libraries:
    """Render every library into the docs folders of every language."""
    result = Libraries()
    languages = project.language_codes
    default = project.default_language
    folder_languages = project.folder_languages
    for lib_settings in settings:
        label = project.display(lib_settings.path)
        try:
            lib = read_library(lib_settings.path,
                               tuple(lang for lang in languages if lang != lib_settings.language))
        except LibraryError as exc:
            result.problems.append((label, Problem(PurePosixPath("."), str(exc).split(": ", 1)[-1])))
            continue
        seen: set = set()
        for problem in lib.problems:
            seen.add((problem.path, problem.message))
            result.problems.append((label, problem))
        the_plan = plan(lib, lib_settings)
        pub = Published(lib_settings, lib, "", default_language=default)
        for lang in languages if folder_languages else (default,):
            rendering = render_library(lib, lib_settings, lang, default_language=default,
                                       directory_urls=directory_urls, the_plan=the_plan)
            pub.renderings[lang] = rendering
            relative = f"{lang}/{lib_settings.url_prefix}" if folder_languages else lib_settings.url_prefix
            pub.folders[lang] = relative + "/"
            try:
                write_tree(rendering.outputs, project.docs_dir / relative)
            except LibraryError as exc:
                result.problems.append((label, Problem(PurePosixPath("."), str(exc))))
                break
            for problem in rendering.problems:
                if (problem.path, problem.message) not in seen:
                    seen.add((problem.path, problem.message))
                    result.problems.append((label, problem))
        pub.name = pages.library_name(lib_settings, lib)
        result.published.append(pub)
    return result


def deferred_markdown(pub: Published, lang: str, out: PurePosixPath, executed: Path) -> str | None:
    """The Markdown of an executed library notebook's page, from the executed copy."""
    rendering = pub.renderings.get(lang)
    draft = rendering.deferred.get(out) if rendering else None
    if draft is None:
        return None
    ctx = pages.Context(pub.library, pub.settings, lang, None, rendering.sitemap, [], WARNING)
    try:
        data = executed.read_bytes()
    except OSError:
        return None
    return pages.render_deferred(ctx, draft, out, data)


def clean_html(markup: str) -> str:
    return sanitize.clean_page(markup)


def clean_toc(items) -> None:
    """Heading titles of the table of contents as text (the theme inserts them unescaped)."""
    for item in items:
        item.title = sanitize.plain_text(item.title)
        clean_toc(item.children)


def write_downloads_for(libraries: Libraries, site_dir: Path, lang: str) -> int:
    written = 0
    for pub in libraries.published:
        rendering = pub.renderings.get(lang)
        if rendering is not None:
            written += write_downloads(pub.library.root, rendering.downloads, pub.site_folder(site_dir, lang))
    return written


def report(libraries: Libraries, path: Path) -> dict:
    """What each library published, for .cache/reports/library.json."""
    data = {"libraries": []}
    for pub in libraries.published:
        lib = pub.library
        entry = {
            "name": pub.name, "path": str(lib.root), "url_prefix": pub.settings.url_prefix,
            "execute": pub.settings.execute, "execute_resources": list(pub.settings.execute_resources),
            "articles": sum(len(c.articles) for c in lib.articles.walk()),
            "categories": sum(1 for _ in lib.articles.walk()) - 1,
            "resources": len(lib.resources),
            "resource_files": sum(len(r.files) for r in lib.resources),
            "notebooks": sum(1 for r in lib.resources for f in r.files if f.suffix.lower() == ".ipynb"),
            "templates": len(lib.templates),
            "pages": {lang: sum(1 for k in r.outputs if k.suffix in (".md", ".ipynb"))
                      for lang, r in pub.renderings.items()},
            "published_bytes": {lang: sum(len(v) for v in r.outputs.values())
                                for lang, r in pub.renderings.items()},
        }
        data["libraries"].append(entry)
    data["problems"] = [{"library": label, "path": str(p.path), "line": p.line, "level": p.level,
                         "message": p.message} for label, p in libraries.problems]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return data
