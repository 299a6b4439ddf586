"""Translation banners, page dates and the translation status page.

MkDocs events: on_config, on_page_markdown, on_page_content, on_page_context.

- on_config: reads git history once per build run (one `git log` for all files).
- on_page_markdown: fills the status page (a page containing `<!-- translation-status -->`).
- on_page_content: a fallback page (i18n serves the original under another language) gets a
  banner in the reader's language with a link that starts the translation; a translation whose
  original changed since its stamp gets a notice; a page with `checked:` in its front matter
  says when its content was last checked against the platform.
- on_page_context: page.meta.revision_date (shown under the page) from git; notebook edit links
  through the docs/<lang>/notebooks symlink.
The logic lives in handbook.i18n.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.plugins import get_plugin_logger

from handbook.adapters import context
from handbook.i18n import status as st
from handbook.i18n.pages import PageIndex, repo_path
from handbook.i18n.strings import Strings

log = get_plugin_logger("handbook.translations")
MARKER = "<!-- translation-status -->"
TZ = ZoneInfo("Europe/Oslo")


def on_config(config):
    _state(config)  # git once per build run, before the pages
    return config


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    state, key = _state(config), _key(page)
    if key is None:
        return markdown
    project = context.project(config)
    table = st.status_markdown(st.statuses(state.index, state.dates), context.current_language(config),
                               key, state.index, state.strings, project.repo_url,
                               st.branch_from_edit_uri(project.edit_uri))
    return markdown.replace(MARKER, table)


def on_page_content(output, page, config, files):
    key, locale = _key(page), getattr(page.file, "locale", None)
    if key is None or locale is None or _generated(page, config):
        return output
    state, lang = _state(config), context.current_language(config)
    output = _with_banner(output, page, key, locale, lang, state, config)
    checked = page.meta.get("checked")
    if isinstance(checked, dt.date):
        text = state.strings.get(lang, "checked", date=state.strings.format_date(checked, lang))
        output += f'\n<p class="handbook-checked"><small>{html.escape(text)}</small></p>'
    return output


def on_page_context(context_, page, config, nav):
    state, lang = _state(config), context.current_language(config)
    source = Path(getattr(page.file, "handbook_notebook_source", None) or page.file.abs_src_path)
    resolved = source.resolve()
    if resolved in state.index.ignored():
        when = None  # generated at build time: its own mtime says nothing
    elif resolved in state.dates:
        when = state.dates[resolved]  # None: a shallow clone does not know; show nothing
    else:
        # not committed yet (local preview): the file's own time is the best guess
        when = int(source.stat().st_mtime) if source.exists() else None
    if when is not None:
        moment = dt.datetime.fromtimestamp(when, dt.UTC).astimezone(TZ)
        page.meta["revision_date"] = state.strings.format_date(moment, lang)
        page.meta["last_updated_iso"] = moment.date().isoformat()
    key = _key(page)
    project = context.project(config)
    if key and key.endswith(".ipynb") and project.repo_url and page.edit_url:
        # docs/<lang>/notebooks is a symlink GitHub cannot edit through
        page.edit_url = st.edit_link(project.repo_url, st.branch_from_edit_uri(project.edit_uri),
                                     repo_path(project, page.file.locale, key))
    return context_


class _BuildState:
    def __init__(self, config) -> None:
        project = context.project(config)
        self.index = PageIndex(project)
        self.dates = st.git_dates(project)
        self.strings = Strings.load(project)


def _state(config) -> _BuildState:
    return context.state(config, "translations", lambda: _BuildState(config))


def _key(page) -> str | None:
    """"nb/dapla/x.md" -> "dapla/x.md" (src_uri of an i18n folder-structure file)."""
    locale, uri = getattr(page.file, "locale", None), page.file.src_uri
    return uri[len(locale) + 1:] if locale and uri.startswith(f"{locale}/") else None


def _generated(page, config) -> bool:
    """Pages another hook writes at build time (git ignores them) have their own notes."""
    return Path(page.file.abs_src_path).resolve() in _state(config).index.ignored()


def _with_banner(output: str, page, key: str, locale: str, lang: str, state: _BuildState, config) -> str:
    project, strings = context.project(config), state.strings
    repo, branch = project.repo_url, st.branch_from_edit_uri(project.edit_uri)
    pair = state.index.pair(key)
    if locale != lang:
        # A fallback page: the reader sees the original in another language.
        url = None
        if repo:
            skeleton = (st.translation_skeleton(pair, state.index) if key.endswith(".md")
                        and pair.source == locale and pair.source_file.exists() else None)
            url = st.new_file_link(repo, branch, repo_path(project, lang, key), skeleton)
        text = strings.get(lang, "banner_text", other=strings.language_name(lang, locale))
        return _insert_after_h1(output, _admonition("info", strings.get(lang, "banner_title"), text,
                                                    strings.get(lang, "banner_link"), url))
    if lang == pair.source or not pair.source_file.exists():
        return output
    status = st.classify(pair, lang, state.index, state.dates)
    url = st.edit_link(repo, branch, repo_path(project, lang, key)) if repo else None
    other = strings.language_name(lang, pair.source)
    if status.state == "missing":
        # a translation with only its title (e.g. fresh from `make new-page`)
        return _insert_after_h1(output, _admonition(
            "info", strings.get(lang, "banner_title"), strings.get(lang, "stub_text", other=other),
            strings.get(lang, "banner_link"), url))
    if status.state != "outdated" or not status.stamped:
        return output  # only a stamp says for sure that the original changed
    return _insert_after_h1(output, _admonition(
        "warning", strings.get(lang, "outdated_title"), strings.get(lang, "outdated_text", other=other),
        strings.get(lang, "outdated_link"), url))


def _admonition(kind: str, title: str, text: str, link_text: str, url: str | None) -> str:
    link = f' <a href="{html.escape(url)}">{html.escape(link_text)}</a>.' if url else ""
    return (f'<div class="admonition {kind} handbook-translation">'
            f'<p class="admonition-title">{html.escape(title)}</p>'
            f"<p>{html.escape(text)}{link}</p></div>")


def _insert_after_h1(output: str, banner: str) -> str:
    end = output.find("</h1>")
    if end == -1:
        return banner + output
    end += len("</h1>")
    return output[:end] + banner + output[end:]
