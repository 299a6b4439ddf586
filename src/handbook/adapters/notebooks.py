"""Notebook pages in every language: MkDocs events on_config, on_files, on_post_page.

mkdocs-static-i18n re-creates every File in its own on_files and only keeps Markdown files as
pages, so notebooks would be published as raw JSON. We make `.ipynb` a page extension for MkDocs
itself, so i18n handles notebooks like any page (fallback included). Execution happens in the
samples adapter's pre-build pass (same Runner); here each notebook page is pointed at its
executed copy and the clean source is published next to the page for download.
"""

from __future__ import annotations

from pathlib import Path

import mkdocs.utils
from mkdocs.plugins import event_priority

from handbook.adapters import context
from handbook.adapters.samples import runner
from handbook.execute import notebooks


def on_config(config):
    if ".ipynb" not in mkdocs.utils.markdown_extensions:
        mkdocs.utils.markdown_extensions = (*mkdocs.utils.markdown_extensions, ".ipynb")
    return config


@event_priority(-110)  # after i18n (-100), which builds the Files we change
def on_files(files, config):
    cache_dir = context.project(config).cache_dir
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".ipynb") or getattr(file, "handbook_invalid", False):
            continue
        source = Path(file.abs_src_path)
        executed = notebooks.executed_copy(cache_dir, source, runner(config).notebook_outputs(source))
        file.handbook_notebook_source = source
        if executed is not None:
            file.abs_src_path = str(executed)
    return files


def on_post_page(output, page, config):
    source = getattr(page.file, "handbook_notebook_source", None)
    if source is None:
        return output
    target = Path(page.file.abs_dest_path).parent / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    notebooks.write_clean_copy(source, target)
    return notebooks.without_cdn_mathjax(output)
