"""Pages and their languages: which file is the original and which are its translations.

Each page exists as docs/<lang>/<key> for the project's languages. One language is the original
(the source language, from data/translation-sources.yml or a `source_language:` key in the front
matter of any of the page's files); every other language is a translation of it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handbook.markdown import frontmatter
from handbook.project import Project

SOURCES_FILE = "translation-sources.yml"
PAGE_SUFFIXES = (".md", ".ipynb")


@dataclass(frozen=True)
class PagePair:
    """A page in every language: its original and its translations."""

    key: str            # path under the language folder, e.g. "dapla/botter.md"
    source: str         # language of the original
    project: Project = field(compare=False)

    @property
    def translations(self) -> tuple[str, ...]:
        return tuple(code for code in self.project.language_codes if code != self.source)

    @property
    def translation(self) -> str:
        """The first translation language (the only one in a two-language project)."""
        return self.translations[0] if self.translations else self.source

    def file(self, lang: str) -> Path:
        return self.project.docs_dir / lang / self.key

    @property
    def source_file(self) -> Path:
        return self.file(self.source)

    @property
    def translation_file(self) -> Path:
        return self.file(self.translation)

    def rel(self, lang: str) -> str:
        return self.project.display(self.file(lang))


class PageIndex:
    """Front matter and source languages of a project's pages, read once per build."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._front: dict[Path, dict] = {}
        self._sources: dict | None = None
        self._ignored: set[Path] | None = None

    def front_matter(self, path: Path) -> dict:
        """The page's front matter, {} for notebooks, missing files and invalid YAML (the
        validate hook reports invalid front matter with its line)."""
        path = Path(path)
        if path not in self._front:
            meta: dict = {}
            if path.suffix == ".md" and path.is_file():
                try:
                    meta, _, _ = frontmatter.parse(path.read_text(encoding="utf-8"))
                except (frontmatter.FrontMatterError, UnicodeDecodeError, OSError):
                    meta = {}
            self._front[path] = meta
        return self._front[path]

    def sources(self) -> dict:
        """{"default": "nb", "paths": {"balsam/": "sv"}} from data/translation-sources.yml."""
        if self._sources is None:
            path = self.project.data_dir / SOURCES_FILE
            data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
            data = data if isinstance(data, dict) else {}
            self._sources = {"default": data.get("default", self.project.default_language),
                             "paths": data.get("paths") or {}}
        return self._sources

    def source_language(self, key: str) -> str:
        """The language a page is written in first: front matter, else the longest path rule."""
        codes = self.project.language_codes
        for lang in codes:
            declared = self.front_matter(self.project.docs_dir / lang / key).get("source_language")
            if declared in codes:
                return declared
        sources = self.sources()
        best, best_len = sources["default"], -1
        for prefix, lang in sources["paths"].items():
            if key.startswith(prefix) and len(prefix) > best_len:
                best, best_len = lang, len(prefix)
        return best if best in codes else self.project.default_language

    def pair(self, key: str) -> PagePair:
        return PagePair(key, self.source_language(key), self.project)

    def ignored(self) -> set[Path]:
        """Files git ignores under the docs folder: pages hooks generate at build time."""
        if self._ignored is None:
            docs = self.project.display(self.project.docs_dir)
            out = git(self.project.root, "ls-files", "-z", "--others", "--ignored",
                      "--exclude-standard", "--", docs)
            self._ignored = {(self.project.root / name).resolve()
                             for name in (out or "").split("\0") if name}
        return self._ignored

    def keys(self) -> set[str]:
        keys: set[str] = set()
        ignored = self.ignored()
        for lang in self.project.language_codes:
            base = self.project.docs_dir / lang
            for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    path = Path(dirpath) / name
                    if name.endswith(PAGE_SUFFIXES) and path.resolve() not in ignored:
                        keys.add(path.relative_to(base).as_posix())
        return keys

    def pairs(self) -> list[PagePair]:
        return [self.pair(key) for key in sorted(self.keys())]

    def key_of(self, path: Path) -> str | None:
        """docs/sv/dapla/x.md (or a file a docs/<lang>/ symlink points at) -> "dapla/x.md"."""
        path = Path(path)
        if not path.is_absolute():
            path = (Path.cwd() / path) if (Path.cwd() / path).exists() else self.project.root / path
        if path.suffix not in PAGE_SUFFIXES:
            return None
        for lang in self.project.language_codes:
            base = self.project.docs_dir / lang
            for folder in (base, base.resolve()):
                if path.is_relative_to(folder):
                    return path.relative_to(folder).as_posix()
            for link in _linked_folders(base):
                target = link.resolve()
                if path.resolve().is_relative_to(target):
                    rest = path.resolve().relative_to(target).as_posix()
                    return f"{link.relative_to(base).as_posix()}/{rest}"
        return None

    def language_of_file(self, path: Path) -> str | None:
        key = self.key_of(path)
        if key is None:
            return None
        for lang in self.project.language_codes:
            if self.file_matches(path, lang, key):
                return lang
        return None

    def file_matches(self, path: Path, lang: str, key: str) -> bool:
        return Path(path).resolve() == (self.project.docs_dir / lang / key).resolve()


def _linked_folders(base: Path) -> list[Path]:
    """Symlinked folders directly in docs/<lang>/ (e.g. notebooks -> ../../notebooks/<lang>)."""
    try:
        return [entry for entry in base.iterdir() if entry.is_symlink() and entry.is_dir()]
    except OSError:
        return []


def git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def repo_path(project: Project, lang: str, key: str) -> str:
    """Repository path of a page's file, through a symlinked folder (notebooks/<lang>) if any."""
    target = project.docs_dir / lang / key
    parent = target.parent
    while not parent.exists() and parent != project.root:
        parent = parent.parent
    rest = target.relative_to(parent)
    try:
        return (parent.resolve() / rest).relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return project.display(target)
