"""The preview: every language built once, then only what an edit touches is rendered again.

- An edit to a page renders that page in its language, and in every language that shows it as a
  fallback. Its translations are rendered again only when their banner or status changes (a
  stamp, an outdated original), and then the translation status pages too. When the page's title
  changes, every page of the language is rendered again (the navigation shows titles).
- Anything else (mkdocs.yml, a new or deleted page, data such as the glossary, a knowledge
  library, the theme, hooks) rebuilds every language, in this process, while the old pages stay
  served until the new ones are ready.
Each change bumps a version number; browsers waiting on it reload.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from handbook.i18n import status as st
from handbook.i18n.pages import PageIndex
from handbook.preview.builds import LanguageBuild
from handbook.project import Project

PAGE_SUFFIXES = (".md", ".ipynb")
STATUS_MARKER = "<!-- translation-status -->"


class Preview:
    def __init__(self, project: Project, folder: Path | None = None, log=print) -> None:
        self.project = project
        self.folder = folder or project.cache_dir / "preview"
        self.log = log
        self.builds = {lang: LanguageBuild(project.config_file, lang, project.default_language,
                                           self.folder / lang)
                       for lang in project.language_codes}
        self.version = 0
        self.changed = threading.Condition()
        self.lock = threading.Lock()          # one rebuild or render at a time
        self.last: dict = {}                  # what the latest change did, for tests and the bench
        self.states: dict[str, dict] = {}     # page key -> translation status per language, as shown

    # ---- building -------------------------------------------------------------------------

    def full(self) -> bool:
        with self.lock:
            started = time.monotonic()
            fresh = {lang: LanguageBuild(self.project.config_file, lang, self.project.default_language,
                                         self.folder / f"{lang}.new")
                     for lang in self.project.language_codes}
            ok = True
            for build in fresh.values():
                if not build.full():
                    ok = False
                for problem in build.problems:
                    self.log(f"preview: {problem}")
            if not ok:
                self.log("preview: build failed; still showing the last good pages")
                for build in fresh.values():
                    shutil.rmtree(build.site_dir, ignore_errors=True)
                return False
            for lang, build in fresh.items():
                target = self.folder / lang
                shutil.rmtree(target, ignore_errors=True)
                build.site_dir.rename(target)
                build.site_dir = target
                if build.config is not None:
                    build.config["site_dir"] = str(target)
                    _move_dest_paths(build, target)
            self.builds = fresh
            index = PageIndex(self.project)
            self.states = {pair.key: self._twin_states(pair.key, index) for pair in index.pairs()}
            self._bump({"kind": "full", "seconds": round(time.monotonic() - started, 3)})
            return True

    def apply(self, paths: list[Path]) -> dict:
        """React to changed files; returns what was done."""
        kind = self.classify(paths)
        if kind == "full":
            self.full()
            return self.last
        with self.lock:
            started = time.monotonic()
            index = PageIndex(self.project)
            rendered: list[str] = []
            for source in {p.resolve() for p in paths if p.suffix in PAGE_SUFFIXES}:
                rendered += self._render_page(source, index)
            self._bump({"kind": "pages", "pages": rendered, "seconds": round(time.monotonic() - started, 3)})
            return self.last

    def classify(self, paths: list[Path]) -> str:
        """"pages" when every path is an existing page every build already knows, else "full"."""
        for path in paths:
            if path.suffix not in PAGE_SUFFIXES or not path.exists():
                return "full"
            if not any(build.page_for(path) is not None for build in self.builds.values()):
                return "full"   # a new page, or one the navigation does not have yet
        return "full" if not paths else "pages"

    # ---- one page -----------------------------------------------------------------------------

    def _render_page(self, source: Path, index: PageIndex) -> list[str]:
        key = index.key_of(source)
        done: list[str] = []
        for build in self.builds.values():
            if build.page_for(source) is None:
                continue
            titles = build.titles()
            done += [build.url_prefix + url if not url.startswith(build.url_prefix) else url
                     for url in build.render([source])]
            if build.titles() != titles:   # the navigation shows the new title on every page
                done += build.render([Path(p) for p in titles])
        if key:
            before, after = self.states.get(key, {}), self._twin_states(key, index)
            self.states[key] = after
            changed = [lang for lang in after if after[lang] != before.get(lang)]
            for lang in changed:
                twin = self.project.docs_dir / lang / key
                build = self.builds.get(lang)
                if build is not None and twin.exists():
                    done += build.render([twin])
            if changed:
                done += self._render_status_pages()
        return done

    def _twin_states(self, key: str, index: PageIndex) -> dict[str, tuple]:
        pair = index.pair(key)
        return {lang: (found.state, found.reason) for lang in pair.translations
                if (found := st.classify(pair, lang, index, {}))}

    def _render_status_pages(self) -> list[str]:
        done = []
        for build in self.builds.values():
            pages = [Path(p) for p in build.titles()
                     if p.endswith(".md") and STATUS_MARKER in Path(p).read_text(encoding="utf-8")]
            done += build.render(pages)
        return done

    def _bump(self, what: dict) -> None:
        with self.changed:
            self.version += 1
            self.last = {**what, "version": self.version}
            self.changed.notify_all()

    def wait(self, since: int, timeout: float = 25.0) -> int:
        """Block until the version passes `since` (or the timeout); the current version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version > since, timeout=timeout)
            return self.version

    def site_for(self, url_path: str) -> tuple[Path, str]:
        """(folder, path inside it) that serves a URL path of the preview."""
        path = url_path.lstrip("/")
        head = path.split("/", 1)[0]
        if head in self.builds and head != self.project.default_language:
            return self.builds[head].site_dir, path
        return self.builds[self.project.default_language].site_dir, path


def _move_dest_paths(build: LanguageBuild, target: Path) -> None:
    """Point the kept files at the folder the build was moved to."""
    files = build.capture.files if build.capture else None
    for file in files or []:
        file.dest_dir = str(target)
        for attr in ("abs_dest_path",):
            file.__dict__.pop(attr, None)
