"""Glossary: MkDocs events on_config, on_page_markdown.

Adds the glossary's abbreviations (tooltips) to every page in the page's language and renders
the glossary where a page says `<!-- glossary -->`. The terms come from the project's data
folder (handbook.content.glossary), read once per build run.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from handbook.adapters import context
from handbook.content import glossary
from handbook.i18n.strings import Strings

MARKER = "<!-- glossary -->"


def on_config(config):
    _state(config)  # a broken glossary stops the build before any page
    return config


def on_page_markdown(markdown, page, config, files):
    terms, strings = _state(config)
    project = context.project(config)
    lang = getattr(page.file, "locale", None) or context.current_language(config)
    default = project.default_language
    if MARKER in markdown:
        labels = {"en": strings.get(lang, "glossary_en"), "abbr": strings.get(lang, "glossary_abbr"),
                  "house": strings.get(lang, "glossary_house"),
                  "names": {code: strings.language_name(lang, code).capitalize()
                            for code in project.language_codes}}
        markdown = markdown.replace(MARKER, glossary.render(terms, lang, project.language_codes,
                                                            labels, default))
    abbreviations = glossary.abbreviations(terms, lang, default)
    return f"{markdown}\n\n{abbreviations}\n" if abbreviations else markdown


def _state(config):
    def load():
        project = context.project(config)
        try:
            return glossary.load(project.data_dir / "glossary", project.root), Strings.load(project)
        except glossary.GlossaryError as exc:
            raise PluginError(str(exc)) from exc
    return context.state(config, "glossary", load)
