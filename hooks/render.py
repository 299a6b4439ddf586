"""Per-page render cache, so unchanged pages are not converted to HTML again: MkDocs events
on_config, on_page_markdown and on_post_build (handbook.adapters.render)."""

from handbook.adapters.render import on_config, on_page_markdown, on_post_build  # noqa: F401
