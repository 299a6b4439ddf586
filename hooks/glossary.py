"""Glossary tooltips and the glossary page: MkDocs events on_config, on_page_markdown
(handbook.adapters.glossary)."""

from handbook.adapters.glossary import on_config, on_page_markdown  # noqa: F401
