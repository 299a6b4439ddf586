"""Knowledge library pages: MkDocs events on_config, on_files, on_nav, on_page_markdown,
on_page_content, on_page_context, on_post_build and on_serve.

Libraries are configured under `extra.handbook.knowledge_libraries` in mkdocs.yml (see
handbook.content.library.settings). on_config renders each one into the git-ignored
`docs/<lang>/<url_prefix>/` before MkDocs collects files (handbook.content.library.site says
why); the page events then treat those pages as untrusted: their HTML is sanitised, their table
of contents made text, their edit link pointed at the library's repository. Executed library
notebooks are rendered here from their executed copy; the committed `.ipynb` of every library
notebook is copied into the built site as its download.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import InclusionLevel
from mkdocs.structure.nav import Section

from handbook.adapters import context
from handbook.content.library import commonmark, site
from handbook.content.library import settings as library_settings
from handbook.content.library.model import WARNING
from handbook.content.library.sanitize import plain_text
from handbook.i18n.strings import Strings

log = get_plugin_logger("handbook.content.library")
STATE = "library"


@event_priority(100)  # before every other on_config, so later hooks see the generated files
def on_config(config):
    holder = context.state(config, STATE, dict)
    if "libraries" in holder:
        return config  # i18n's build of another language in this run: already generated
    holder["libraries"] = None
    project = context.project(config)
    try:
        configured = library_settings.read_settings(_settings(config), project.root, project.repo_url,
                                                    project.edit_uri, Strings.load(project))
    except library_settings.SettingsError as exc:
        log.warning(f"{project.display(project.config_file)}: {exc}")
        return config
    if not configured:
        return config
    libraries = site.generate(project, configured, directory_urls=config.use_directory_urls)
    holder["libraries"] = libraries
    for label, problem in libraries.problems:
        message = problem.format(label)
        (log.warning if problem.level == WARNING else log.info)(message)
    site.report(libraries, project.reports_dir / "library.json")
    return config


def on_files(files, config):
    libraries = _libraries(config)
    if libraries is None:
        return files
    for file in files:
        if libraries.find(file.src_uri) and file.inclusion.is_in_nav():
            file.inclusion = InclusionLevel.NOT_IN_NAV
    return files


def on_nav(nav, config, files):
    libraries = _libraries(config)
    if libraries is None:
        return nav
    linked = {item.file.src_uri for item in nav.pages}
    for pub in libraries.published:
        lang = context.current_language(config)
        folder = pub.folders.get(lang) or next(iter(pub.folders.values()), None)
        if not pub.settings.nav or folder is None or f"{folder}README.md" in linked:
            continue
        children = [f.page for f in (files.get_file_from_path(folder + path)
                                     for path in NAV_PAGES) if f is not None and f.page is not None]
        if children:
            _add_section(nav, Section(plain_text(pub.name), children), pub.settings.nav)
    return nav


@event_priority(50)  # after mkdocs-jupyter (100) has put its HTML in place; before the samples hook
def on_page_markdown(markdown, page, config, files):
    found = _page(config, page)
    if found is None:
        return markdown
    pub, lang, out = found
    if out.suffix == ".ipynb":
        rendered = site.deferred_markdown(pub, lang, out, Path(page.file.abs_src_path))
        if rendered is not None:
            markdown = rendered
    return commonmark.without_not_run(markdown)


def on_page_content(html, page, config, files):
    found = _page(config, page)
    if found is None:
        return html
    pub = found[0]
    page.meta["handbook_library"] = pub.name
    if page.toc:
        site.clean_toc(page.toc.items)
    return site.clean_html(html)


@event_priority(-50)  # after the translations hook, which sets notebook pages' edit links
def on_page_context(context_, page, config, nav):
    found = _page(config, page)
    if found is None:
        return context_
    pub = found[0]
    source = (page.meta.get("handbook") or {}).get("source") if isinstance(page.meta, dict) else None
    page.edit_url = pub.settings.web_url(PurePosixPath(source)) if source else None
    page.nb_url = None  # no theme download button: the page itself links the committed notebook
    return context_


@event_priority(-50)  # after MkDocs has written the pages, before i18n builds the next language
def on_post_build(config):
    libraries = _libraries(config)
    if libraries is not None:
        site.write_downloads_for(libraries, Path(config.site_dir), context.current_language(config))


def on_serve(server, config, builder):
    libraries = _libraries(config)
    for pub in libraries.published if libraries else []:
        server.watch(str(pub.library.root))
    return server


# ---- helpers ------------------------------------------------------------------------------------


def _settings(config) -> dict:
    return context.project(config).settings


def _libraries(config) -> site.Libraries | None:
    return context.state(config, STATE, dict).get("libraries")


def _page(config, page):
    libraries = _libraries(config)
    return libraries.find(page.file.src_uri) if libraries is not None else None


def _add_section(nav, section: Section, where) -> None:
    """Append the library's section at the top level, or under the section titled `where`."""
    if isinstance(where, str):
        for item in nav.items:
            if getattr(item, "is_section", False) and item.title == where:
                section.parent = item
                item.children.append(section)
                break
        else:
            nav.items.append(section)
    else:
        nav.items.append(section)
    for child in section.children:
        child.parent = section


NAV_PAGES = ("README.md", "Articles/index.md", "Resources/index.md", "Templates/index.md")
