"""A knowledge library as data: what reading finds, and what rendering and copying use.

Paths in the model are `PurePosixPath`s relative to the library root, exactly as the library
names its folders and files (BALSAM shows those names). Nothing here touches the disk.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

SOURCE_LANGUAGE = "sv"  # the language a library is written in unless its settings say otherwise

WARNING = "warning"  # logged as a warning: a strict build fails
INFO = "info"        # logged as information and reported: the content was neutralised or skipped


class LibraryError(Exception):
    """A problem that stops an operation (missing library, missing resource, would overwrite)."""


@dataclass
class Problem:
    path: PurePosixPath  # relative to the library root
    message: str
    line: int | None = None
    level: str = WARNING

    def format(self, root_label: str) -> str:
        where = posixpath.join(root_label, str(self.path)) if root_label else str(self.path)
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


@dataclass
class Article:
    rel: PurePosixPath
    name: str  # the file name without .md: what BALSAM's article tree shows


@dataclass
class Category:
    rel: PurePosixPath  # Articles or Articles/<a>/<b>
    name: str           # the folder name
    articles: list[Article] = field(default_factory=list)
    children: list[Category] = field(default_factory=list)
    index: PurePosixPath | None = None  # the category's own README.md/index.md, if any
    files: list[PurePosixPath] = field(default_factory=list)  # images and other files beside

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Resource:
    name: str                   # the folder name: what BALSAM shows
    rel: PurePosixPath          # Resources/<Name>
    files: list[PurePosixPath]  # every file of the resource, relative to the library root
    readme: PurePosixPath | None


@dataclass
class LibraryFile:
    rel: PurePosixPath  # Resources/<file>
    kind: str           # "url", "page" or "document"
    name: str           # the file name without its extension, as BALSAM shows it
    url: str | None = None


@dataclass
class Template:
    rel: PurePosixPath
    name: str
    git: str
    description: str
    html: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Library:
    root: Path
    readme: PurePosixPath | None
    readme_title: str | None            # the README's first-level heading, if any
    articles: Category
    resources: list[Resource]
    library_files: list[LibraryFile]
    templates: list[Template]
    template_files: list[PurePosixPath]  # every file in Templates/ (cards and anything else)
    problems: list[Problem]
    files: frozenset[PurePosixPath]      # every regular file found (published or not)
    folders: frozenset[PurePosixPath]
    translations: tuple[str, ...] = ()

    def resource(self, rel: PurePosixPath) -> Resource | None:
        """The resource a path belongs to, if any."""
        parts = rel.parts
        if len(parts) >= 2 and parts[0] == "Resources":
            for res in self.resources:
                if res.rel.parts[1] == parts[1]:
                    return res
        return None

    def pages(self) -> list[PurePosixPath]:
        """Every Markdown source page of the library (translations excluded)."""
        found = [self.readme] if self.readme else []
        for category in self.articles.walk():
            found += [a.rel for a in category.articles]
            if category.index:
                found.append(category.index)
        for res in self.resources:
            found += [f for f in res.files if f.suffix.lower() == ".md"
                      and not is_translation(f, self.translations)]
        found += [f.rel for f in self.library_files if f.kind == "page"]
        return found


def is_translation(rel: PurePosixPath, translations: tuple[str, ...]) -> bool:
    """`x.nb.md` is the nb translation of `x.md`."""
    suffixes = rel.suffixes
    return len(suffixes) >= 2 and suffixes[-1] == ".md" and suffixes[-2][1:] in translations


def translation_of(rel: PurePosixPath, lang: str) -> PurePosixPath:
    return rel.with_name(f"{rel.name[:-3]}.{lang}.md")


def display_name(name: str) -> str:
    """A file name without its extension, the way BALSAM labels articles and library files."""
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name
