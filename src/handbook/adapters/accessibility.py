"""Accessibility fixes in the rendered HTML: MkDocs event on_post_page.

Localised alt text for notebook figures, keyboard focus for scrolling notebook code cells,
accessible names for task-list checkboxes (handbook.checks.accessibility.fix_html). The figure
text comes from the project's strings (`notebook_figure_alt`) where it has one, else from
handbook.checks.accessibility.NOTEBOOK_ALT.
"""

from __future__ import annotations

from handbook.adapters import context
from handbook.checks.accessibility import NOTEBOOK_ALT, fix_html


def on_post_page(output, page, config):
    language = context.current_language(config)
    return fix_html(output, language, _figure_alt(config, language))


def _figure_alt(config, language: str) -> str:
    def load() -> dict[str, str]:
        from handbook.i18n.strings import Strings, StringsError

        project = context.project(config)
        texts = {}
        try:
            strings = Strings.load(project)
        except StringsError:
            strings = None
        for code in project.language_codes:
            try:
                texts[code] = strings.get(code, "notebook_figure_alt") if strings else None
            except StringsError:
                texts[code] = None
            texts[code] = texts[code] or NOTEBOOK_ALT.get(code, NOTEBOOK_ALT["en"])
        return texts

    return context.state(config, "accessibility", load).get(language, NOTEBOOK_ALT["en"])
