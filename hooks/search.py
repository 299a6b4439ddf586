"""Search per language with a worker that fetches only the index shards a query needs: MkDocs
events on_config, on_pre_build, on_page_context, on_post_page and on_post_build
(handbook.adapters.search)."""

from handbook.adapters.search import (  # noqa: F401
    on_config,
    on_page_context,
    on_post_build,
    on_post_page,
    on_pre_build,
)
