"""Which libraries a site publishes: `extra.handbook.knowledge_libraries` in mkdocs.yml.

    extra:
      handbook:
        knowledge_libraries:
          - name: SCB:s kunskapsbibliotek            # shown as the section title and page H1
            path: ../knowledge-library               # relative to mkdocs.yml, or absolute
            url_prefix: scb-kunskapsbibliotek        # folder under docs/<lang>/ and in the URL
            repository: https://github.com/statisticssweden/knowledge-library.git  # git clone URL
            web: https://github.com/statisticssweden/knowledge-library             # its web page
            source_url: https://github.com/statisticssweden/knowledge-library/blob/main/{path}
            execute: false          # default: rendered, not executed; true runs like our pages
            nav: BALSAM             # its nav section goes under this section (true: top level)
            execute_resources: []   # or only these resources (folder names) are executed
            strict: false           # true: a broken link inside the library fails the build
            language: sv            # the language the library is written in
            description: ...        # one sentence for the front page

The older single `knowledge_library: {path, url_prefix}` is read as one library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from handbook.content.library.model import SOURCE_LANGUAGE

KEYS = {"name", "path", "url_prefix", "repository", "web", "source_url", "execute",
        "execute_resources", "strict", "language", "description", "nav"}
PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


@dataclass(frozen=True)
class LibrarySettings:
    path: Path                  # absolute
    label: str                  # the path as mkdocs.yml writes it, for messages and commands
    url_prefix: str
    name: str | None = None     # None: the README's heading, else the folder name
    repository: str | None = None
    web: str | None = None
    source_url: str | None = None
    execute: bool = False
    execute_resources: tuple[str, ...] = ()
    strict: bool = False
    language: str = SOURCE_LANGUAGE
    description: str | None = None
    nav: bool | str = True      # add a nav section (under the section with this title, if a
                                # string) unless the site's nav already links the library
    texts: object = field(default=None, compare=False, repr=False)  # the project's Strings

    def executes(self, rel: PurePosixPath) -> bool:
        """Whether the code of this library file runs at build time."""
        if self.execute:
            return True
        parts = rel.parts
        return len(parts) >= 2 and parts[0] == "Resources" and parts[1] in self.execute_resources

    def web_url(self, rel: PurePosixPath) -> str | None:
        """The file's page in the library's repository, when `source_url` says where that is."""
        if not self.source_url:
            return None
        return self.source_url.replace("{path}", quote(str(rel), safe="/"))

    @property
    def checkout(self) -> str:
        """The folder a reader has the library in: the clone's name, else the path as configured."""
        if self.repository:
            name = self.repository.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            return name[:-4] if name.endswith(".git") else name
        return self.label


class SettingsError(ValueError):
    """A library entry in mkdocs.yml that cannot be used; the message says which and why."""


def read_settings(handbook: dict, root: Path, repo_url: str | None = None,
                  edit_uri: str | None = None, texts=None) -> list[LibrarySettings]:
    """The libraries configured under extra.handbook (old single key included). A library kept
    inside the site's own repository links its files there (`repo_url`, branch from `edit_uri`)
    unless it says otherwise."""
    entries = handbook.get("knowledge_libraries")
    if entries is None and isinstance(handbook.get("knowledge_library"), dict):
        entries = [handbook["knowledge_library"]]
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise SettingsError("extra.handbook.knowledge_libraries must be a list of libraries")
    found: list[LibrarySettings] = []
    for number, entry in enumerate(entries, start=1):
        found.append(replace(_inside(_one(entry, number, root), root, repo_url, edit_uri), texts=texts))
    for key in ("url_prefix", "path"):
        seen: dict = {}
        for lib in found:
            value = getattr(lib, key)
            if value in seen:
                raise SettingsError(f"knowledge_libraries: libraries {seen[value]} and {lib.label} "
                                    f"have the same {key}")
            seen[value] = lib.label
    return found


def _inside(lib: LibrarySettings, root: Path, repo_url: str | None, edit_uri: str | None):
    if lib.source_url or lib.web or not repo_url or not re.match(r"^https?://", repo_url):
        return lib
    try:
        inner = lib.path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return lib
    parts = (edit_uri or "").strip("/").split("/")
    branch = parts[1] if len(parts) >= 2 and parts[0] in ("edit", "blob", "tree") else "main"
    base = repo_url.rstrip("/")
    return replace(lib, web=f"{base}/tree/{branch}/{inner}",
                   source_url=f"{base}/blob/{branch}/{inner}/{{path}}")


def _one(entry, number: int, root: Path) -> LibrarySettings:
    where = f"knowledge_libraries entry {number}"
    if not isinstance(entry, dict) or not entry.get("path"):
        raise SettingsError(f"{where}: needs at least `path:` (the library folder)")
    unknown = sorted(set(entry) - KEYS)
    if unknown:
        raise SettingsError(f"{where}: unknown setting(s) {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(KEYS))})")
    label = str(entry["path"])
    path = (root / label).resolve() if not Path(label).is_absolute() else Path(label).resolve()
    prefix = str(entry.get("url_prefix") or Path(label).name).strip("/")
    if not PREFIX_RE.match(prefix) or ".." in prefix.split("/"):
        raise SettingsError(f"{where}: url_prefix {prefix!r} must be a plain folder name (letters, "
                            "digits, '.', '_', '-')")
    resources = entry.get("execute_resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise SettingsError(f"{where}: execute_resources must be a list of resource folder names")
    if "nav" in entry and not isinstance(entry["nav"], bool | str):
        raise SettingsError(f"{where}: nav must be true, false or the title of a nav section")
    for key in ("execute", "strict"):
        if key in entry and not isinstance(entry[key], bool):
            raise SettingsError(f"{where}: {key} must be true or false")
    for key in ("repository", "web", "source_url"):
        value = entry.get(key)
        if value is not None and not re.match(r"^(https?://|git@|ssh://)\S+$", str(value)):
            raise SettingsError(f"{where}: {key} must be an http(s) or ssh address")
    return LibrarySettings(
        path=path, label=label, url_prefix=prefix,
        name=str(entry["name"]).strip() if entry.get("name") else None,
        repository=entry.get("repository"), web=entry.get("web"),
        source_url=entry.get("source_url"),
        execute=bool(entry.get("execute", False)),
        execute_resources=tuple(resources),
        strict=bool(entry.get("strict", False)),
        language=str(entry.get("language") or SOURCE_LANGUAGE),
        description=str(entry["description"]).strip() if entry.get("description") else None,
        nav=entry.get("nav", True),
    )
