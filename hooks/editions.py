"""Reader editions: MkDocs events on_files, on_nav, on_page_markdown, on_page_context, on_post_build.

A notebook for every page with executable blocks, the news index, posts and home-page list, an
RSS feed and llms.txt per language, and the navigation manifest the PDF reads. The PDF and the
offline copy are made after the build (handbook.editions.build_editions). Logic:
handbook.adapters.editions and handbook.editions.
"""

from handbook.adapters.editions import on_files, on_nav, on_page_context, on_page_markdown, on_post_build

__all__ = ["on_files", "on_nav", "on_page_context", "on_page_markdown", "on_post_build"]
