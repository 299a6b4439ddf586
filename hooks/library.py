"""Knowledge library pages: MkDocs events on_config, on_files, on_page_context, on_serve.

Configured in mkdocs.yml as
`extra: {handbook: {knowledge_library: {path: kunskapsbibliotek, url_prefix: kunskapsbibliotek}}}`
(`path` relative to mkdocs.yml); without it this hook does nothing.

Why the pages are generated as real files into `docs/<lang>/<url_prefix>/` in on_config (before
MkDocs collects the files), instead of being added as virtual Files after i18n: mkdocs-static-i18n
re-creates every File in its own on_files (priority -100) and derives locale, alternates (the
language switcher, sitemap), fallback and the per-language search index from the docs folders.
Pages that exist in `docs/nb/` and `docs/sv/` get all of that for free, the notebook hook and the
sample runner see library notebooks and code like any other page, and MkDocs validates links
between them as usual. Each language folder gets its own rendering (the nb one with the
"Denne siden er på svensk." note unless `x.nb.md` exists). The folders hold a `.gitignore` that
ignores everything else in them, files are written only when their content changes (so
`mkdocs serve` settles after one rebuild), and stale files are removed. The nested per-language
builds that i18n runs reuse the first rendering, so warnings are logged once.

Generated pages are marked NOT_IN_NAV in on_files (the front page is linked from nav and lists
everything), so the explicit nav does not need an entry per article.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import InclusionLevel

from handbook.adapters import context
from handbook.content import library

log = get_plugin_logger("handbook.content.library")


def _settings(config) -> dict | None:
    handbook = (config.get("extra") or {}).get("handbook") or {}
    settings = handbook.get("knowledge_library")
    return settings if isinstance(settings, dict) and settings.get("path") else None


def _languages(config) -> list[str] | None:
    """Locales of the i18n folder structure, or None for a one-language site."""
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.config.docs_structure != "folder":
        return None
    return [lang.locale for lang in i18n.config.languages if lang.locale != "null"]


def _targets(config) -> list[tuple[str, Path]]:
    settings = _settings(config)
    prefix = str(settings.get("url_prefix") or Path(settings["path"]).name).strip("/")
    docs = Path(config["docs_dir"])
    langs = _languages(config)
    if langs is None:
        return [(library.SOURCE_LANGUAGE, docs / prefix)]
    return [(lang, docs / lang / prefix) for lang in langs]


@event_priority(100)  # before every other on_config, so later hooks see the generated files
def on_config(config):
    settings = _settings(config)
    if settings is None:
        return config
    done = context.state(config, "library", dict)
    if done:
        return config  # i18n's build of another language in this run: already generated
    done["generated"] = True
    root = Path(config.config_file_path).parent / settings["path"]
    targets = _targets(config)
    translations = tuple(lang for lang, _ in targets if lang != library.SOURCE_LANGUAGE)
    try:
        lib = library.read_library(root, translations or ("nb",))
    except library.LibraryError as exc:
        log.warning(str(exc))
        return config
    for problem in lib.problems:
        log.warning(problem.format(settings["path"]))
    for lang, target in targets:
        written = library.write_tree(library.render_library(lib, lang), target)
        log.debug(f"{target}: {written} file(s) updated")
    return config


def _prefixes(config) -> tuple[str, ...]:
    docs = Path(config["docs_dir"])
    return tuple(target.relative_to(docs).as_posix() + "/" for _, target in _targets(config))


def on_files(files, config):
    if _settings(config) is None:
        return files
    prefixes = _prefixes(config)
    for file in files:
        if file.src_uri.startswith(prefixes) and file.inclusion.is_in_nav():
            file.inclusion = InclusionLevel.NOT_IN_NAV
    return files


def on_page_context(context, page, config, nav):
    if _settings(config) is None or not page.file.src_uri.startswith(_prefixes(config)):
        return context
    page.edit_url = None  # generated: the edit button would point at a file that is not in git
    return context


def on_serve(server, config, builder):
    settings = _settings(config)
    if settings is not None:
        server.watch(str(Path(config.config_file_path).parent / settings["path"]))
    return server
