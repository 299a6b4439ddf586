"""Accessibility fixes in the rendered HTML: MkDocs event on_post_page.

Localised alt text for notebook figures, keyboard focus for scrolling notebook code cells,
accessible names for task-list checkboxes (handbook.checks.accessibility.fix_html).
"""

from handbook.checks.accessibility import fix_html


def on_post_page(output, page, config):
    return fix_html(output, config["theme"]["language"])
