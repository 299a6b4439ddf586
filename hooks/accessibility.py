"""Accessibility fixes in the rendered HTML (notebook figure alt text, focusable code cells,
labelled task-list checkboxes): MkDocs event on_post_page (handbook.adapters.accessibility)."""

from handbook.adapters.accessibility import on_post_page  # noqa: F401
