"""Executable code samples: MkDocs events on_pre_build, on_page_markdown, on_post_build."""

from __future__ import annotations

from handbook import fences


def on_page_markdown(markdown, page, config, files):
    return fences.strip_our_options(markdown)
