"""Search per language: MkDocs events on_config, on_pre_build, on_page_context, on_post_page and
on_post_build.

mkdocs-static-i18n runs one build per language on the same config and merges every language's
search entries into one index at the end. These events keep each language's entries apart and
write, per language, the sharded index of handbook.search.shards (search/ for the default
language, <lang>/search/ for the others), install the search worker (handbook/search/worker.js)
that Material's search box then talks to, point every page's `__config` at that worker and at
its language's index, and record the sizes in the reports folder (search.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger

from handbook.adapters import context
from handbook.content.glossary import GlossaryError
from handbook.search import index as search_index
from handbook.search import shards as search_shards
from handbook.search import site as search_site

log = get_plugin_logger("handbook.search")


def on_config(config):
    _state(config).pending = context.current_language(config)
    return config


def on_pre_build(config):
    # Each language build makes a new SearchIndex in the search plugin's on_config; keep it,
    # because i18n refills the last one with every language's entries at the end.
    state = _state(config)
    project = context.project(config)
    if state.pending == project.default_language:
        state.builds, state.sizes = [], {}
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    build = _Build(state.pending, getattr(plugin, "search_index", None))
    if build.search_index is not None:   # Material's entries of unchanged pages, from the cache
        build.entries = search_site.EntryCache(
            context.project(config).cache_dir / "search" / f"entries-{build.language}.json")
        build.entries.wrap(build.search_index)
    state.builds.append(build)


def on_page_context(context_, page, config, nav):
    state = _state(config)
    if state.builds:
        build = state.builds[-1]
        build.page_languages[page.url] = getattr(page.file, "locale", None) or build.language
        if (page.meta or {}).get("handbook_library"):   # as the index names it: no sv/
            build.library_pages.add(search_index.localize_location(
                page.url, build.language, context.project(config).default_language))
    return context_


def on_post_page(output, page, config):
    state = _state(config)
    if not state.builds:
        return output
    language = state.builds[-1].language
    other = language if language != context.project(config).default_language else None
    return search_site.rewrite_config(output, other, state.worker)


@event_priority(-200)   # after i18n (-100), which writes the combined index last
def on_post_build(config):
    state = _state(config)
    if not state.builds:
        return
    build = state.builds.pop()
    if build.search_index is None:
        return
    build.entries.save()
    project = context.project(config)
    default = project.default_language
    folder = search_site.search_dir(config.site_dir, build.language, default)
    manifest = folder / "search_index.json"
    combined = manifest.stat().st_size if build.language == default and manifest.exists() else None
    sharded = search_site.language_index(
        list(build.search_index.entries), build.language, default, build.page_languages,
        _glossary(config, state), _markers(config, build.language), frozenset(build.library_pages),
        project.cache_dir)
    search_shards.write(sharded, folder)
    state.sizes[build.language] = {
        "path": manifest.relative_to(config.site_dir).as_posix(), "bytes": sharded.total_bytes,
        "lunr": search_index.lunr_language(build.language),
        **sharded.stats}
    log.info(f"search index '{build.language}': {sharded.stats['pages']} pages, "
             f"{sharded.stats['docs']} entries, manifest {sharded.stats['manifest_bytes']} bytes, "
             f"{sharded.stats['shards']} shards (largest {sharded.stats['largest_shard_bytes']} "
             f"bytes), all files {sharded.total_bytes} bytes")
    if build.language == default:
        # The default language finishes last: every language's size is known now.
        search_site.install_worker(config.site_dir)
        search_site.write_report(project.reports_dir / "search.json", state.sizes, combined)


# ---- helpers ------------------------------------------------------------------------------

def _state(config) -> _State:
    return context.state(config, "search", _State)


def _glossary(config, state: _State) -> list[search_index.GlossaryEntry]:
    if state.glossary is None:
        try:
            state.glossary = search_index.load_glossary(context.project(config).data_dir / "glossary")
        except GlossaryError as exc:
            raise PluginError(str(exc)) from exc
    return state.glossary


def _markers(config, reader: str) -> dict[str, str]:
    """What the title of a page written in another language gets, per that language."""
    from handbook.i18n.strings import Strings, StringsError

    project = context.project(config)
    try:
        strings = Strings.load(project)
    except StringsError as exc:
        raise PluginError(str(exc)) from exc
    markers = {}
    for code in project.language_codes:
        if code == reader:
            continue
        name = strings.language_name(reader, code).split(" (")[0]
        try:
            markers[code] = strings.get(reader, "search_other_language", language=name)
        except StringsError:
            template = MARKERS.get(reader.split("-")[0], MARKERS["en"])
            markers[code] = template.format(language=name)
    return markers


@dataclass
class _Build:
    """One language build; i18n nests the other languages' builds inside the default one's."""

    language: str
    search_index: object                                      # Material's SearchIndex
    page_languages: dict[str, str] = field(default_factory=dict)   # page URL -> its language
    library_pages: set[str] = field(default_factory=set)
    entries: search_site.EntryCache | None = None


@dataclass
class _State:
    pending: str = ""                          # language of the latest on_config
    builds: list[_Build] = field(default_factory=list)   # default below, nested on top
    sizes: dict[str, dict] = field(default_factory=dict)
    glossary: list | None = None
    worker: str = field(default_factory=search_site.worker_name)


# ---- data ---------------------------------------------------------------------------------

# Until data/strings.yml has `search_other_language`: a page's title in the search results of
# another language's site names the language it is written in.
MARKERS = {"nb": "(på {language})", "sv": "(på {language})", "en": "(in {language})"}
