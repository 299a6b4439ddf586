"""Pages that cannot be read: MkDocs event on_files (first of all hooks).

Every Markdown page and notebook is checked before anything reads it (handbook.markdown.validate):
undecodable or binary files, NUL bytes, pages and notebooks over their size limit, invalid front
matter. A problem is logged as a warning `file:line: message` (so `--strict` fails the build) and
the page is given a short placeholder, so that neither MkDocs nor another hook stops with a
traceback over it and the build goes on to report every problem at once.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from handbook.adapters import context
from handbook.execute.limits import Limits
from handbook.markdown import validate

log = get_plugin_logger("handbook.validate")


@event_priority(100)  # before i18n and every other hook looks at the files
def on_files(files, config):
    project = context.project(config)
    limits = Limits.from_settings(project.settings)
    for file in files.documentation_pages():
        if file.abs_src_path is None:
            continue
        source = Path(file.abs_src_path)
        problems = validate.check_file(source, limits.page_kb * 1000, limits.notebook_kb * 1000)
        if not problems:
            continue
        for problem in problems:
            log.warning(f"{project.display(source)}:{problem.line}: {problem.message}")
        _replace(file, source, project.cache_dir)
    return files


def _replace(file, source: Path, cache_dir: Path) -> None:
    """Give the page safe content: text for Markdown; for a notebook, a file mkdocs-jupyter can read."""
    if source.suffix != ".ipynb":
        file.content_string = validate.PLACEHOLDER_MARKDOWN
        return
    digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
    target = cache_dir / "validate" / digest / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(validate.PLACEHOLDER_NOTEBOOK), encoding="utf-8")
    file.abs_src_path = str(target)
