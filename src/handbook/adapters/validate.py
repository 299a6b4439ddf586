"""Pages that cannot be read: MkDocs events on_pre_build (first of all hooks) and on_files.

Every Markdown page and notebook under docs/ is checked before anything reads it
(handbook.markdown.validate): undecodable or binary files, NUL bytes, pages and notebooks over
their size limit, invalid front matter. Each problem is logged once as a warning `file:line:
message` (so `--strict` fails the build); the samples adapter leaves these pages out, and in
on_files (right after i18n has made its Files) each is pointed at a short placeholder, so that
neither MkDocs nor another hook stops with a traceback over it and every problem is reported.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from handbook.adapters import context
from handbook.execute.limits import Limits
from handbook.execute.notebooks import walk
from handbook.markdown import validate

log = get_plugin_logger("handbook.validate")


@event_priority(100)  # before every other hook reads a page
def on_pre_build(config):
    state = _state(config)
    if state["checked"]:
        return
    state["checked"] = True
    project = context.project(config)
    limits = Limits.from_settings(project.settings)
    for source in walk(project.docs_dir, (".md", ".ipynb")):
        problems = validate.check_file(source, limits.page_kb * 1000, limits.notebook_kb * 1000)
        for problem in problems:
            log.warning(f"{project.display(source)}:{problem.line}: {problem.message}")
        if problems:
            state["invalid"].add(source.resolve())


@event_priority(-105)  # after i18n (-100) has made the Files, before the notebooks adapter (-110)
def on_files(files, config):
    invalid = invalid_pages(config)
    if not invalid:
        return files
    cache_dir = context.project(config).cache_dir
    for file in files.documentation_pages():
        if file.abs_src_path and Path(file.abs_src_path).resolve() in invalid:
            file.abs_src_path = str(_placeholder(Path(file.abs_src_path), cache_dir))
            file.handbook_invalid = True
    return files


def invalid_pages(config) -> set[Path]:
    """Resolved paths of the pages found unreadable in this build."""
    return _state(config)["invalid"]


def _state(config) -> dict:
    return context.state(config, "validate", lambda: {"checked": False, "invalid": set()})


def _placeholder(source: Path, cache_dir: Path) -> Path:
    digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
    target = cache_dir / "validate" / digest / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix == ".ipynb":
        target.write_text(json.dumps(validate.PLACEHOLDER_NOTEBOOK), encoding="utf-8")
    else:
        target.write_text(validate.PLACEHOLDER_MARKDOWN, encoding="utf-8")
    return target
