"""Executable code samples: MkDocs events on_pre_build, on_page_markdown, on_post_build."""

from handbook.adapters.samples import on_page_markdown, on_post_build, on_pre_build

__all__ = ["on_page_markdown", "on_post_build", "on_pre_build"]
