"""Glossary: MkDocs events on_config, on_page_markdown.

Adds the glossary's abbreviations (tooltips) to every page in the page's language and
renders the glossary where a page says `<!-- glossary -->`.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from handbook.content import glossary

MARKER = "<!-- glossary -->"
_terms: list = []


def on_config(config):
    global _terms
    try:
        _terms = glossary.load()
    except glossary.GlossaryError as exc:
        raise PluginError(str(exc)) from exc
    return config


def on_page_markdown(markdown, page, config, files):
    lang = _language(page, config)
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, glossary.render(_terms, lang))
    abbreviations = glossary.abbreviations(_terms, lang)
    return f"{markdown}\n\n{abbreviations}\n" if abbreviations else markdown


def _language(page, config) -> str:
    locale = getattr(page.file, "locale", None)
    return locale if locale in glossary.LANGUAGES else config["theme"]["language"]
