"""Reader editions in the MkDocs build: notebooks per page, news, feeds, llms.txt, the nav manifest.

The PDF and the offline copy need the finished site of every language, so `handbook build` makes
them afterwards (handbook.editions.build_editions); `mkdocs serve` never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import InclusionLevel

from handbook.adapters.context import current_language, project, state
from handbook.editions import llms, manifest, news, notebook
from handbook.editions._text import build_time, language_root
from handbook.i18n.strings import Strings, StringsError

log = get_plugin_logger("handbook.editions")


@event_priority(-110)  # after i18n (-100), which re-creates the Files
def on_files(files, config):
    build = _build(config)
    for file in files.documentation_pages():
        if _post_name(file.src_uri, build.folder) and file.inclusion.is_in_nav():
            file.inclusion = InclusionLevel.NOT_IN_NAV   # posts are listed on the news index
    return files


def on_nav(nav, config, files):
    _build(config).entries = manifest.from_nav(nav)
    return nav


def on_page_markdown(markdown, page, config, files):
    build = _build(config)
    uri = _uri(page)
    if uri == f"{build.folder}/index.md" and news.LIST_MARKER in markdown:
        return markdown.replace(news.LIST_MARKER, news.index_markdown(
            build.listed, build.language, page.url, uri, build.folder, build.default, build.strings))
    if uri == "index.md" and build.listed:
        text = news.home_markdown(build.listed, build.language, page.url, uri, build.folder,
                                  build.default, news.HOME_MARKER not in markdown, build.strings)
        return news.insert_home(markdown, text)
    name = _post_name(page.file.src_uri, build.folder)
    post = build.posts.get((_locale(page, build), name)) if name else None
    if post is not None:
        # Material's search gives page tags a boost of a million: a post tagged BALSAM would top
        # every search for "balsam". The tags stay on the page and in the feed, not in search.
        page.meta.pop("tags", None)
        return news.insert_after_title(markdown, news.post_header(post, "index.md", post.language,
                                                                         build.strings))
    return markdown


def on_page_context(context, page, config, nav):
    build = _build(config)
    build.titles[page.url] = (str(page.title or ""), str(page.meta.get("description") or ""),
                              _locale(page, build))
    words = build.strings
    context["handbook_editions"] = {"label": words.get(build.language, "editions_footer")}
    if build.listed:
        context["handbook_feed"] = {
            "href": news.relative(f"{build.root}{news.FEED}", page.url),
            "title": f"{words.get(build.language, 'editions_news')} – {config.site_name}",
            "label": words.get(build.language, "editions_feed")}
    source = Path(page.file.abs_src_path)
    if source.suffix == ".md" and source.is_file():
        text = source.read_text(encoding="utf-8")
        if notebook.has_executable_blocks(text):
            _notebook(context, page, config, build, source, text)
    return context


def on_post_build(config):
    build = _build(config)
    proj = project(config)
    for entry in build.entries:
        if entry.kind == "page" and entry.url in build.titles:
            entry.title, entry.description, entry.language = build.titles[entry.url]
    data = manifest.Manifest(build.language, config.site_name, config.site_description or "",
                             config.site_url or "", build.entries)
    manifest.write(proj.cache_dir, data)
    site = Path(config.site_dir)
    base = (config.site_url or "").rstrip("/") + "/"
    if build.listed:
        feed = site / build.root / news.FEED
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_text(news.feed_xml(build.listed, build.language, config.site_url or "/", config.site_name,
                                      build.folder, build.default, build_time(), build.strings),
                        encoding="utf-8")
    others = {lang.name: f"{base}{language_root(lang.code, build.default)}llms.txt"
              for lang in proj.languages if lang.code != build.language and lang.build}
    posts = [(i.post.title, base + i.url, i.post.description) for i in build.listed]
    (site / build.root).mkdir(parents=True, exist_ok=True)
    (site / build.root / "llms.txt").write_text(llms.render(data, posts, others, build.strings),
                                                encoding="utf-8")


# ---- helpers --------------------------------------------------------------------------------

@dataclass
class _Build:
    language: str
    default: str
    folder: str
    strings: Strings
    posts: dict = field(default_factory=dict)       # (language, name) -> Post
    listed: list = field(default_factory=list)      # news.Listed for this language's site
    entries: list = field(default_factory=list)     # manifest.Entry in nav order
    titles: dict = field(default_factory=dict)      # page url -> (title, description, language)

    @property
    def root(self) -> str:
        return language_root(self.language, self.default)


def _build(config) -> _Build:
    language = current_language(config)
    builds = state(config, "editions", dict)
    if language not in builds:
        proj = project(config)
        build = _Build(language, proj.default_language, news.folder_of(proj.settings), _strings(config))
        found, problems = news.discover(proj.docs_dir, proj.language_codes, build.folder, proj.display)
        if language == proj.default_language:
            for problem in problems:
                log.warning(problem)
        build.posts = {(p.language, p.name): p for items in found.values() for p in items}
        build.listed = news.listed(found, language, proj.default_language, build.folder)
        builds[language] = build
    return builds[language]


def _strings(config) -> Strings:
    """data/strings.yml with its English fallback, loaded once a build (shared with the samples)."""
    def load() -> Strings:
        try:
            return Strings.load(project(config))
        except StringsError as exc:
            raise PluginError(str(exc)) from exc
    return state(config, "strings", load)


def _notebook(context, page, config, build: _Build, source: Path, text: str) -> None:
    proj = project(config)
    locale = _locale(page, build)
    uri = _uri(page)
    name = notebook.notebook_name(uri)
    base = (config.site_url or "").rstrip("/") + "/" + language_root(locale, build.default)
    outputs = notebook.shown_outputs(source)
    if outputs is None:
        log.info(f"{proj.display(source)}: notebook made without outputs (the sample runner has none)")
    nb = notebook.build_notebook(notebook.PageSource(
        proj.display(source), text, locale, uri, base, config.site_name), outputs, build_time().date(),
        build.strings)
    if nb is None:
        return
    notebook.write_notebook(nb, Path(page.file.abs_dest_path).parent / name)
    context["handbook_notebook"] = {"href": name,
                                    "label": build.strings.get(build.language, "editions_notebook_button")}


def _locale(page, build: _Build) -> str:
    return getattr(page.file, "locale", None) or build.language


def _uri(page) -> str:
    """The page's path inside its language folder: nb/dapla/x.md -> dapla/x.md."""
    uri = page.file.src_uri
    locale = getattr(page.file, "locale", None)
    return uri[len(locale) + 1:] if locale and uri.startswith(f"{locale}/") else uri


def _post_name(src_uri: str, folder: str) -> str | None:
    parts = src_uri.split("/")
    if len(parts) >= 2 and parts[-2] == folder and parts[-1].endswith(".md") and parts[-1] != "index.md" \
            and len(parts) <= 3:
        return parts[-1][:-3]
    return None

