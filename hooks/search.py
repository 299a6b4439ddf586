"""Search per language: MkDocs events on_config, on_pre_build, on_page_context, on_post_page and
on_post_build.

mkdocs-static-i18n runs one build per language on the same config and merges all search entries
into one index at the end. This hook keeps each language's entries apart, writes one index per
language (handbook.search.index.build_index), points the pages of a non-default language at their own
index, and prints and records the sizes in .cache/reports/search.json.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from handbook import REPORTS_DIR
from handbook.search import index as handbook_search

log = get_plugin_logger("handbook.search.index")


class _Build:
    """One language build; i18n nests the other languages' builds inside the default one's."""

    def __init__(self, language: str, default_language: str, search_index) -> None:
        self.language = language
        self.default_language = default_language
        self.search_index = search_index   # Material's SearchIndex of this build
        self.page_languages: dict[str, str] = {}   # page URL -> language its text is written in


class _State:
    def __init__(self) -> None:
        self.pending = ("nb", "nb")          # (language, default) from the latest on_config
        self.builds: list[_Build] = []       # stack: default language below, nested on top
        self.sizes: dict[str, dict] = {}     # language -> size record over one i18n run


state = _State()


def _search_plugin(config):
    return config.plugins.get("material/search") or config.plugins.get("search")


def on_config(config):
    i18n = config.plugins.get("i18n")
    if i18n is not None and getattr(i18n, "current_language", None):
        state.pending = (i18n.current_language, i18n.default_language)
    else:
        language = config.theme.get("language", "nb")
        state.pending = (language, language)


def on_pre_build(config):
    # Each language build creates a new SearchIndex in the search plugin's on_config; keep a
    # reference, because i18n refills the last one with every language's entries at the end.
    language, default = state.pending
    if language == default:
        state.builds, state.sizes = [], {}
    plugin = _search_plugin(config)
    state.builds.append(_Build(language, default, getattr(plugin, "search_index", None)))


def on_page_context(context, page, config, nav):
    if state.builds:
        build = state.builds[-1]
        build.page_languages[page.url] = getattr(page.file, "locale", None) or build.language
    return context


def on_post_page(output, page, config):
    if not state.builds or state.builds[-1].language == state.builds[-1].default_language:
        return output
    return handbook_search.rewrite_base(output, state.builds[-1].language)


@event_priority(-200)   # after i18n (-100), which writes the combined index last
def on_post_build(config):
    if not state.builds:
        return
    build = state.builds.pop()
    if build.search_index is None:
        return
    site_dir = Path(config.site_dir)
    target = handbook_search.index_path(site_dir, build.language, build.default_language)
    combined = None
    if build.language == build.default_language and target.exists():
        combined = target.stat().st_size   # what i18n just wrote: both languages in one file
    glossary = handbook_search.load_glossary(Path(config.config_file_path).parent / "data" / "glossary")
    index = handbook_search.build_index(
        list(build.search_index.entries), build.language, build.default_language,
        build.page_languages, glossary)
    data = handbook_search.dump_index(index).encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    state.sizes[build.language] = {
        "path": target.relative_to(site_dir).as_posix(),
        "bytes": len(data),
        "docs": len(index["docs"]),
        "lunr": index["config"]["lang"][0],
    }
    log.info(f"search index '{build.language}': {len(data)} bytes, {len(index['docs'])} entries "
             f"({state.sizes[build.language]['path']})")
    if build.language == build.default_language:
        # The default language finishes last: every language's size is known now.
        if combined is not None:
            log.info(f"search index: {combined} bytes when both languages shared one index")
        handbook_search.write_report(REPORTS_DIR / "search.json", state.sizes, combined)
