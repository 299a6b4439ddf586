"""Knowledge library pages: MkDocs events on_config, on_files, on_nav, on_page_markdown,
on_page_content, on_page_context, on_post_build, on_serve (handbook.adapters.library)."""

from handbook.adapters.library import (  # noqa: F401
    on_config,
    on_files,
    on_nav,
    on_page_content,
    on_page_context,
    on_page_markdown,
    on_post_build,
    on_serve,
)
