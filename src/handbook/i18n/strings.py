"""Per-language text that the build writes into pages.

The project's data/strings.yml maps each language code of mkdocs.yml to its strings; a
language or key it lacks falls back to the English defaults shipped with the package
(strings.en.yml), so a language added in mkdocs.yml builds without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from handbook.project import Project

STRINGS_FILE = "strings.yml"
DEFAULTS = Path(__file__).with_name("strings.en.yml")


class StringsError(ValueError):
    pass


@dataclass(frozen=True)
class Strings:
    table: dict            # language -> key -> value
    defaults: dict         # key -> English value

    @staticmethod
    def load_defaults() -> dict:
        return yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))

    @classmethod
    def load(cls, project: Project) -> Strings:
        defaults = cls.load_defaults()
        path = project.data_dir / STRINGS_FILE
        table = {}
        if path.is_file():
            try:
                table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise StringsError(f"{project.display(path)}: not valid YAML: {exc}") from exc
            if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
                raise StringsError(f"{project.display(path)}: expected `<language>: {{key: text}}`")
        return cls(table, defaults)

    def get(self, lang: str, key: str, **values) -> str:
        text = self.raw(lang, key)
        return str(text).format(**values) if values else str(text)

    def raw(self, lang: str, key: str):
        own = self.table.get(lang) or {}
        if key in own:
            return own[key]
        if key in self.defaults:
            return self.defaults[key]
        raise StringsError(f"no string {key!r} for language {lang!r}")

    def language_name(self, reader: str, language: str) -> str:
        """What a reader of `reader` calls `language` ("norska (bokmål)" for sv readers)."""
        names = self.raw(reader, "language_names") or {}
        return str(names.get(language) or self.defaults["language_names"].get(language) or language)

    def format_date(self, when: date | datetime, lang: str) -> str:
        """nb: "22. november 2026", sv: "22 november 2026", en: "November 22, 2026"."""
        month = self.raw(lang, "months")[when.month - 1]
        return self.get(lang, "date", day=when.day, month=month, year=when.year)
