"""Translation banners, "last updated" dates and the translation status page.

MkDocs events: on_config, on_page_markdown, on_page_content, on_page_context.

- on_config: reads git history once per build (one `git log` for all files).
- on_page_markdown: fills the status page (a page containing `<!-- translation-status -->`)
  with every page's status in the reader's language.
- on_page_content: on a fallback page (i18n serves the nb file under /sv/) puts a banner
  in the reader's language with a link that starts the translation on GitHub; on a
  translation whose original changed since its stamp, a notice that it may be outdated.
- on_page_context: sets page.meta.revision_date (Material shows it under the page) and
  page.meta.last_updated_iso from git; points notebook edit links at notebooks/<lang>/.
The logic lives in handbook.i18n.translations.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.plugins import get_plugin_logger

from handbook.i18n import translations as tr

log = get_plugin_logger("handbook.i18n.translations")

MARKER = "<!-- translation-status -->"
TZ = ZoneInfo("Europe/Oslo")

BANNER = {
    "sv": {
        "title": "Inte översatt än",
        "text": "Den här sidan finns inte på svenska ännu, så du läser originalet på {other}.",
        "link": "Översätt sidan på GitHub",
        "stub_text": "Den här sidan är inte översatt från {other} ännu.",
        "outdated_title": "Översättningen kan vara inaktuell",
        "outdated_text": "Originalet på {other} har ändrats sedan sidan översattes.",
        "outdated_link": "Uppdatera översättningen på GitHub",
        "other": {"nb": "norska (bokmål)"},
    },
    "nb": {
        "title": "Ikke oversatt ennå",
        "text": "Denne siden finnes ikke på bokmål ennå, så du leser originalen på {other}.",
        "link": "Oversett siden på GitHub",
        "stub_text": "Denne siden er ikke oversatt fra {other} ennå.",
        "outdated_title": "Oversettelsen kan være utdatert",
        "outdated_text": "Originalen på {other} er endret siden siden ble oversatt.",
        "outdated_link": "Oppdater oversettelsen på GitHub",
        "other": {"sv": "svensk"},
    },
}

_state: dict = {"dates": {}, "ignored": set(), "root": None}


def _language(config) -> str | None:
    i18n = config.plugins.get("i18n")
    return getattr(i18n, "current_language", None) if i18n else None


def _root(config) -> Path:
    # the repository: docs_dir is <root>/docs
    return Path(config.docs_dir).resolve().parent


def _key(page) -> str | None:
    """"nb/dapla/x.md" -> "dapla/x.md" (src_uri of an i18n folder-structure file)."""
    locale = getattr(page.file, "locale", None)
    uri = page.file.src_uri
    if locale and uri.startswith(f"{locale}/"):
        return uri[len(locale) + 1:]
    return None


def on_config(config):
    root = _root(config)
    i18n = config.plugins.get("i18n")
    # i18n runs on_config once per language; read git once per build (the default language's)
    if _state["root"] != root or i18n is None or i18n.is_default_language_build:
        _state["dates"] = tr.git_dates(root)
        _state["ignored"] = tr.git_ignored(root)
        _state["root"] = root
    return config


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    lang, key = _language(config), _key(page)
    if lang not in tr.LANGUAGES or key is None:
        return markdown
    root = _root(config)
    table = tr.status_markdown(tr.statuses(root, _state["dates"]), lang, key, config.repo_url,
                               tr.branch_from_edit_uri(config.edit_uri))
    return markdown.replace(MARKER, table)


def _admonition(kind: str, title: str, text: str, link_text: str, url: str | None) -> str:
    link = (f' <a href="{html.escape(url)}">{html.escape(link_text)}</a>.' if url else "")
    return (f'<div class="admonition {kind} handbook-translation">'
            f'<p class="admonition-title">{html.escape(title)}</p>'
            f"<p>{html.escape(text)}{link}</p></div>")


def _insert_after_h1(output: str, banner: str) -> str:
    end = output.find("</h1>")
    if end == -1:
        return banner + output
    end += len("</h1>")
    return output[:end] + banner + output[end:]


def _generated(page) -> bool:
    """Pages another hook writes at build time (git ignores them) have their own notes."""
    return Path(page.file.abs_src_path).resolve() in _state["ignored"]


def on_page_content(output, page, config, files):
    lang, key = _language(config), _key(page)
    locale = getattr(page.file, "locale", None)
    if lang not in BANNER or key is None or locale not in tr.LANGUAGES or _generated(page):
        return output
    root = _root(config)
    repo, branch = config.repo_url, tr.branch_from_edit_uri(config.edit_uri)
    words = BANNER[lang]
    if locale != lang:
        # A fallback page: the reader sees the original in another language.
        pair = tr.PagePair(key, tr.source_language(key, root), root)
        url = None
        if repo:
            skeleton = (tr.translation_skeleton(pair) if key.endswith(".md")
                        and pair.source == locale and pair.source_file.exists() else None)
            url = tr.new_file_link(repo, branch, tr.repo_path(root, lang, key), skeleton)
        text = words["text"].format(other=words["other"].get(locale, locale))
        return _insert_after_h1(output, _admonition("info", words["title"], text, words["link"],
                                                    url))
    pair = tr.PagePair(key, tr.source_language(key, root), root)
    if pair.translation != lang or not pair.source_file.exists():
        return output
    status = tr.classify(pair, _state["dates"])
    url = tr.edit_link(repo, branch, tr.repo_path(root, lang, key)) if repo else None
    other = words["other"].get(pair.source, pair.source)
    if status.state == "missing":
        # a translation with only its title (e.g. fresh from `make new-page`)
        return _insert_after_h1(output, _admonition("info", words["title"],
                                                    words["stub_text"].format(other=other),
                                                    words["link"], url))
    if status.state != "outdated" or not status.stamped:
        return output  # only a stamp says for sure that the original changed
    return _insert_after_h1(output, _admonition("warning", words["outdated_title"],
                                                words["outdated_text"].format(other=other),
                                                words["outdated_link"], url))


def on_page_context(context, page, config, nav):
    lang = _language(config) or config.theme.get("language") or "nb"
    if lang not in tr.MONTHS:
        return context
    source = Path(getattr(page.file, "handbook_notebook_source", None) or page.file.abs_src_path)
    resolved = source.resolve()
    dates = _state["dates"]
    if resolved in _state["ignored"]:
        when = None  # generated at build time: its own mtime says nothing
    elif resolved in dates:
        when = dates[resolved]  # None: a shallow clone does not know; show nothing
    else:
        # not committed yet (local preview): the file's own time is the best guess
        when = int(source.stat().st_mtime) if source.exists() else None
    if when is not None:
        moment = datetime.fromtimestamp(when, UTC).astimezone(TZ)
        page.meta["revision_date"] = tr.format_date(moment, lang)
        page.meta["last_updated_iso"] = moment.date().isoformat()
    key = _key(page)
    if key and key.endswith(".ipynb") and config.repo_url and page.edit_url:
        # docs/<lang>/notebooks is a symlink GitHub cannot edit through
        root = _root(config)
        page.edit_url = tr.edit_link(config.repo_url, tr.branch_from_edit_uri(config.edit_uri),
                                     tr.repo_path(root, page.file.locale, key))
    return context
