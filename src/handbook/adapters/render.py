"""Per-page render cache: MkDocs events on_config, on_page_markdown and on_post_build.

on_page_markdown runs after every other hook (priority -1000), when the page's Markdown is final,
and replaces this page's `render` for this build: with the stored result when the page's key
(handbook.render.cache) is known, else with the real render, whose result is stored when it
logged nothing. Pages something else renders (notebooks: mkdocs-jupyter replaces their
`render`) and pages that are not Markdown are left alone.
"""

from __future__ import annotations

import types
from dataclasses import dataclass

from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.pages import Page

from handbook.adapters import context
from handbook.render import cache as render_cache

log = get_plugin_logger("handbook.render")
OURS = "handbook_render_cache"


def on_config(config):
    _state(config)   # the site key is read before i18n changes the config per language
    return config


@event_priority(-1000)   # last: the Markdown every other hook produced is what gets rendered
def on_page_markdown(markdown, page, config, files):
    replaced = vars(page).get("render")
    if not page.file.src_uri.endswith(".md") or (replaced is not None and not getattr(replaced, OURS, False)):
        return markdown   # not Markdown, or rendered by something else (notebooks)
    state = _state(config)
    language = context.current_language(config)
    key = state.cache.page_key(language, page, markdown, files, config)
    entry = state.cache.load(language, page.file.src_uri, key)

    def render(self, config, files):
        if entry is not None and render_cache.restore(self, entry, files):
            state.cache.hits += 1
            return
        result, cacheable = render_cache.capture(self, lambda: Page.render(self, config, files))
        if cacheable:
            state.cache.misses += 1
            state.cache.store(language, self.file.src_uri, key, result)
        else:
            state.cache.uncacheable += 1

    setattr(render, OURS, True)   # a page rendered again (the preview) gets a new key, not this one
    page.render = types.MethodType(render, page)
    return markdown


@event_priority(-1000)
def on_post_build(config):
    if not context.is_nested_build(config):   # the default language finishes last
        cache = _state(config).cache
        log.info(f"rendered pages: {cache.hits} from the cache, {cache.misses} rendered and "
                 f"stored, {cache.uncacheable} rendered (they log something, so never stored)")


# ---- helpers ------------------------------------------------------------------------------

def _state(config) -> _State:
    def make() -> _State:
        project = context.project(config)
        text = project.config_file.read_text(encoding="utf-8")
        key = render_cache.site_key(config, text, render_cache.snippet_dirs(config))
        return _State(render_cache.RenderCache(project.cache_dir / "render", key))
    return context.state(config, "render", make)


@dataclass
class _State:
    cache: render_cache.RenderCache
