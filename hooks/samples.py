"""Executable code samples: MkDocs events on_pre_build, on_page_markdown, on_post_build
(handbook.adapters.samples), and the preview's handbook_prepare_pages."""

from handbook.adapters.samples import (
    handbook_prepare_pages,
    on_page_markdown,
    on_post_build,
    on_pre_build,
)

__all__ = ["handbook_prepare_pages", "on_page_markdown", "on_post_build", "on_pre_build"]
