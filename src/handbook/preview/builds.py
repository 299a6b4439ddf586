"""One language of the site, built in this process and kept, so that one page can be rendered again.

A `LanguageBuild` loads its own MkDocs config, tells mkdocs-static-i18n to build only its language
(no nested builds of the others), builds into its own folder, and keeps what MkDocs made on the
way: the config, the files, the navigation and the template environment. `render(paths)` then
runs the page events and the template for just those pages, the same code path a full build takes.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority

log = logging.getLogger("mkdocs.plugins.handbook.preview")


class _Capture(BasePlugin):
    """Keeps the navigation, files and environment of the build it is part of."""

    def __init__(self) -> None:
        self.nav = None
        self.files = None
        self.env = None

    @event_priority(-1000)   # after every other plugin has changed them
    def on_nav(self, nav, config, files):
        self.nav, self.files = nav, files
        return nav

    @event_priority(-1000)
    def on_env(self, env, config, files):
        self.env, self.files = env, files
        return env


class LanguageBuild:
    def __init__(self, config_file: Path, language: str, default_language: str, site_dir: Path) -> None:
        self.config_file = config_file
        self.language = language
        self.default_language = default_language
        self.site_dir = site_dir
        self.config = None
        self.capture: _Capture | None = None
        self.seconds = 0.0
        self.problems: list[str] = []

    @property
    def url_prefix(self) -> str:
        return "" if self.language == self.default_language else f"{self.language}/"

    def full(self) -> bool:
        """Build every page of this language from scratch; False (and problems) on failure."""
        started = time.monotonic()
        config = load_config(str(self.config_file), site_dir=str(self.site_dir))
        config["strict"] = False          # a preview shows the page and prints the warning
        i18n = config.plugins.get("i18n")
        if i18n is not None:
            i18n.current_language = self.language
            i18n.building = True          # this process builds each language on its own
        capture = _Capture()
        config.plugins["handbook/preview-capture"] = capture
        watcher = _Warnings()
        logging.getLogger("mkdocs").addHandler(watcher)
        try:
            config.plugins.on_startup(command="serve", dirty=False)
            mkdocs_build.build(config)
        except (Abort, Exception) as exc:  # the preview keeps serving the last good pages
            self.problems = [*watcher.messages, f"{self.language}: build failed: {exc}"]
            return False
        finally:
            logging.getLogger("mkdocs").removeHandler(watcher)
        self.config, self.capture = config, capture
        self.problems = watcher.messages
        self.seconds = time.monotonic() - started
        return True

    def page_for(self, source: Path):
        """The page whose source is `source` (real path), if this language shows it."""
        if self.capture is None or self.capture.files is None:
            return None
        wanted = source.resolve()
        for file in self.capture.files.documentation_pages():
            src = getattr(file, "handbook_notebook_source", None) or file.abs_src_path
            if src and Path(src).resolve() == wanted:
                return file.page
        return None

    def render(self, sources: list[Path]) -> list[str]:
        """Render the pages of `sources` again; the site-relative URLs that changed."""
        if self.config is None:
            return []
        capture, config = self.capture, self.config
        doc_files = capture.files.documentation_pages()
        prepare_pages(config, sources)
        changed = []
        watcher = _Warnings()
        logging.getLogger("mkdocs").addHandler(watcher)
        try:
            for source in sources:
                page = self.page_for(source)
                if page is None:
                    continue
                mkdocs_build._populate_page(page, config, capture.files)
                mkdocs_build._build_page(page, config, doc_files, capture.nav, capture.env)
                page.validate_anchor_links(files=capture.files,
                                           log_level=config.validation.links.anchors)
                changed.append(page.url)
        finally:
            logging.getLogger("mkdocs").removeHandler(watcher)
        self.problems = watcher.messages
        return changed

    def titles(self) -> dict[str, str | None]:
        """Page titles by source path: a change means the navigation changes too."""
        if self.capture is None or self.capture.files is None:
            return {}
        return {f.abs_src_path: getattr(f.page, "title", None)
                for f in self.capture.files.documentation_pages()}


def prepare_pages(config, sources: list[Path]) -> None:
    """Run what the pages need before they render (their code samples), as a build does in
    on_pre_build for every page: each hook module may offer `handbook_prepare_pages`."""
    for plugin in config.plugins.values():
        prepare = getattr(plugin, "handbook_prepare_pages", None)
        if callable(prepare):
            prepare(config, sources)


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
