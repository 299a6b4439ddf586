"""Notebook pages: MkDocs events on_config, on_files, on_post_page."""

from handbook.adapters.notebooks import on_config, on_files, on_post_page

__all__ = ["on_config", "on_files", "on_post_page"]
