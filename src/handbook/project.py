"""The project being built: paths, languages and settings, read from its mkdocs.yml.

Every tool gets a `Project` instead of locating things itself: hooks make one from the config
MkDocs is building (`Project.from_mkdocs(config)`), the command line from `--config-file` or the
mkdocs.yml in the current folder (`Project.load(path)`). Nothing here looks at where the package
is installed, so one installed `handbook` builds any project folder.

Settings live under `extra.handbook` in mkdocs.yml:

    extra:
      handbook:
        cache_dir: .cache          # relative to mkdocs.yml; HANDBOOK_CACHE_DIR overrides it
        data_dir: data             # glossary, word lists, allowlists, strings
        knowledge_libraries: [...] # see handbook.content.library
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

CACHE_ENV = "HANDBOOK_CACHE_DIR"
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


class ProjectError(Exception):
    """The project's configuration cannot be used; the message names the file."""


@dataclass(frozen=True)
class Language:
    code: str                 # "nb"
    name: str                 # "Norsk (bokmål)", as the language switcher shows it
    default: bool = False
    build: bool = True


@dataclass(frozen=True)
class Project:
    config_file: Path
    docs_dir: Path
    site_dir: Path
    languages: tuple[Language, ...]   # the default language first
    settings: dict = field(default_factory=dict, compare=False, hash=False)  # extra.handbook
    repo_url: str | None = None
    edit_uri: str | None = None
    hooks: tuple[str, ...] = ()       # the hook files mkdocs.yml lists, as written there

    # ---- construction ---------------------------------------------------------------------

    @classmethod
    def load(cls, config_file: Path | str | None = None) -> Project:
        """From a mkdocs.yml (default: the one in the current folder)."""
        path = Path(config_file) if config_file else find_config(Path.cwd())
        path = path.resolve()
        raw = read_config(path)
        root = path.parent
        return cls(
            config_file=path,
            docs_dir=(root / str(raw.get("docs_dir") or "docs")).resolve(),
            site_dir=(root / str(raw.get("site_dir") or "site")).resolve(),
            languages=languages_from_plugins(raw.get("plugins"), _theme_language(raw)),
            settings=_handbook_settings(raw.get("extra")),
            repo_url=raw.get("repo_url"),
            edit_uri=raw.get("edit_uri"),
            hooks=tuple(str(hook) for hook in raw.get("hooks") or ()),
        )

    @classmethod
    def from_mkdocs(cls, config) -> Project:
        """From the MkDocsConfig being built (its docs_dir/site_dir win over the file's)."""
        path = Path(config.config_file_path).resolve()
        i18n = config.plugins.get("i18n")
        if i18n is not None:
            languages = tuple(sorted(
                (Language(lang.locale, lang.name or lang.locale, bool(lang.default), bool(lang.build))
                 for lang in i18n.config.languages if lang.locale != "null"),
                key=lambda lang: not lang.default))
        else:
            languages = (Language(_theme_language(config), _theme_language(config), True),)
        return cls(
            config_file=path,
            docs_dir=Path(config.docs_dir).resolve(),
            site_dir=Path(config.site_dir).resolve(),
            languages=languages,
            settings=_handbook_settings(config.get("extra")),
            repo_url=config.get("repo_url"),
            edit_uri=config.get("edit_uri"),
            hooks=tuple(str(hook) for hook in config.get("hooks") or ()),
        )

    # ---- paths ------------------------------------------------------------------------------

    def uses_hook(self, stem: str) -> bool:
        """Whether mkdocs.yml lists a hook file named `stem`.py (hooks/editions.py: "editions")."""
        return any(Path(hook).stem == stem for hook in self.hooks)

    @property
    def root(self) -> Path:
        return self.config_file.parent

    @cached_property
    def cache_dir(self) -> Path:
        given = os.environ.get(CACHE_ENV) or self.settings.get("cache_dir") or ".cache"
        return (self.root / given).resolve()

    @property
    def reports_dir(self) -> Path:
        return self.cache_dir / "reports"

    @property
    def data_dir(self) -> Path:
        return (self.root / str(self.settings.get("data_dir") or "data")).resolve()

    def library_paths(self) -> list[Path]:
        """Folders of the knowledge libraries mkdocs.yml configures."""
        entries = self.settings.get("knowledge_libraries") or []
        single = self.settings.get("knowledge_library")
        if isinstance(single, dict):
            entries = [*entries, single]
        return [(self.root / str(e["path"])).resolve() for e in entries
                if isinstance(e, dict) and e.get("path")]

    def source_folders(self) -> list[Path]:
        """What authors write: the docs folder, folders its language folders link to
        (docs/<lang>/notebooks -> notebooks/<lang>), and the knowledge libraries."""
        found = [self.docs_dir]
        for code in self.language_codes:
            base = self.docs_dir / code
            if base.is_dir():
                found += sorted(e.resolve() for e in base.iterdir() if e.is_symlink() and e.is_dir())
        found += self.library_paths()
        unique: dict[Path, None] = {}
        for folder in found:
            if folder.is_dir():
                unique.setdefault(folder, None)
        return list(unique)

    def display(self, path: Path | str) -> str:
        """A path as an author recognises it: relative to the project root if inside it."""
        real = Path(path).resolve() if Path(path).is_absolute() else (self.root / path).resolve()
        for base in (self.root, Path.cwd()):
            try:
                return real.relative_to(base).as_posix()
            except ValueError:
                continue
        return str(real)

    # ---- languages --------------------------------------------------------------------------

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    @property
    def default_language(self) -> str:
        return self.languages[0].code

    @property
    def folder_languages(self) -> bool:
        """True when pages live in docs/<lang>/ (mkdocs-static-i18n's folder structure)."""
        return len(self.languages) > 1 or (self.docs_dir / self.default_language).is_dir()

    def language_of(self, rel_path: str) -> str | None:
        """The language folder a docs-relative path starts with, if any."""
        head = rel_path.split("/", 1)[0]
        return head if head in self.language_codes else None


def find_config(start: Path) -> Path:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise ProjectError(f"no mkdocs.yml in {start} or above; pass --config-file")


def read_config(path: Path) -> dict:
    """mkdocs.yml as a dict, with MkDocs' own YAML tags (!ENV, !relative, python tags)."""
    try:
        with open(path, "rb") as f:
            data = yaml.load(f, Loader=_ConfigLoader)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read: {exc.strerror}") from exc
    except Exception as exc:  # yaml errors carry their own line numbers
        raise ProjectError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping of settings")
    return data


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML plus MkDocs' tags: `!ENV [NAME, default]` is resolved; `!relative` and Python
    object tags (slugify functions) are read as None, since a Project never needs them."""


def _env_tag(loader: yaml.SafeLoader, node: yaml.Node):
    names = ([loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode)
             else loader.construct_sequence(node))
    *variables, default = names if len(names) > 1 else (*names, None)
    return next((os.environ[name] for name in variables if name in os.environ), default)


_ConfigLoader.add_constructor("!ENV", _env_tag)
_ConfigLoader.add_multi_constructor("!relative", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def languages_from_plugins(plugins, fallback: str) -> tuple[Language, ...]:
    """The i18n plugin's languages in a raw mkdocs.yml `plugins:` list (default first)."""
    for entry in plugins or []:
        if isinstance(entry, dict) and "i18n" in entry:
            found = []
            for lang in (entry["i18n"] or {}).get("languages") or []:
                code = str(lang.get("locale"))
                if code != "null":
                    found.append(Language(code, str(lang.get("name") or code),
                                          bool(lang.get("default")), lang.get("build", True) is not False))
            if found:
                return tuple(sorted(found, key=lambda lang: not lang.default))
    return (Language(fallback, fallback, True),)


def _theme_language(config) -> str:
    theme = config.get("theme") if hasattr(config, "get") else None
    language = None
    if isinstance(theme, dict):
        language = theme.get("language")
    elif theme is not None:
        language = getattr(theme, "get", lambda _k, _d=None: None)("language")
    return str(language or "en")


def _handbook_settings(extra) -> dict:
    """extra.handbook as a plain dict (inside MkDocs, `extra` is a UserDict, not a dict)."""
    settings = extra.get("handbook") if isinstance(extra, Mapping) else None
    return dict(settings) if isinstance(settings, Mapping) else {}
