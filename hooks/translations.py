"""Translation banners, page dates and the status page: MkDocs events on_config,
on_page_markdown, on_page_content, on_page_context (handbook.adapters.translations)."""

from handbook.adapters.translations import (  # noqa: F401
    on_config,
    on_page_content,
    on_page_context,
    on_page_markdown,
)
