"""Redirects for moved pages in every language: MkDocs event on_files.

mkdocs-redirects reads the pages in its own on_files, before mkdocs-static-i18n has placed
them, so with the folder structure a language-neutral map (`gammel.md: ny.md`) finds no page,
and `nb/gammel.md: nb/ny.md` writes the default language's redirect to /nb/gammel/ instead of
/gammel/. After i18n (priority -100) we hand the plugin this build's pages, keyed like nav
entries, and the map with this build's language folder, so `gammel.md: ny.md` redirects
/gammel/ to /ny/ and /sv/gammel/ to /sv/ny/ (a fallback page where sv has no translation).
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

from handbook.adapters import context


@event_priority(-110)
def on_files(files, config):
    redirects = config.plugins.get("redirects")
    if redirects is None or config.plugins.get("i18n") is None:
        return files
    language = context.current_language(config)
    folder = "" if context.is_default_build(config) else f"{language}/"
    redirects.redirects = {folder + old: new
                           for old, new in redirects.config["redirect_maps"].items()}
    redirects.doc_pages = {getattr(f, "norm_src_uri", f.src_uri): f
                           for f in files.documentation_pages()}
    return files
