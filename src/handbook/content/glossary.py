"""The glossary: one data file per area in <data dir>/glossary/, read wherever terms are needed.

Each entry: id, en, one name per language (`nb: bøtte`), abbr (or null), definition per
language, and optionally `house` (the SSB/SCB house term per language, where it differs) and
`also` (other words readers type, per language: search synonyms). Used for the glossary page
of each language, abbreviation tooltips, and cross-language search terms.

A language is required in every entry as soon as one entry has it; a language no entry has
(a newly added one) falls back to the default language's names and definitions.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import yaml

RESERVED = {"id", "en", "abbr", "definition", "house", "also"}
ALPHABET = {"nb": "abcdefghijklmnopqrstuvwxyzæøå", "nn": "abcdefghijklmnopqrstuvwxyzæøå",
            "da": "abcdefghijklmnopqrstuvwxyzæøå", "sv": "abcdefghijklmnopqrstuvwxyzåäö"}


class GlossaryError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    id: str
    en: str
    names: dict                 # language -> term
    abbr: str | None
    definition: dict            # language -> text
    house: dict = field(default_factory=dict)   # language -> the SSB/SCB house term
    also: dict = field(default_factory=dict)    # language -> other words readers use

    def name(self, lang: str, fallback: str | None = None) -> str:
        return str(self.names.get(lang) or self.names.get(fallback or "", "") or self.en)

    def define(self, lang: str, fallback: str | None = None) -> str:
        return str(self.definition.get(lang) or self.definition.get(fallback or "", ""))


def load(folder: Path, root: Path | None = None) -> list[Term]:
    """Every term in the folder's *.yml files; GlossaryError names the file and the term."""
    entries: list[tuple[str, dict]] = []
    for path in sorted(Path(folder).glob("*.yml")):
        rel = path.relative_to(root).as_posix() if root and path.is_relative_to(root) else str(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            raise GlossaryError(f"{rel}: not valid YAML: {exc}") from exc
        if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
            raise GlossaryError(f"{rel}: expected a list of terms")
        entries += [(rel, entry) for entry in data]
    languages = sorted({k for _, e in entries for k in e if k not in RESERVED})
    terms, seen = [], {}
    for rel, entry in entries:
        definition = entry.get("definition") if isinstance(entry.get("definition"), dict) else {}
        missing = [k for k in ("id", "en", *languages) if not entry.get(k)]
        missing += [f"definition.{lang}" for lang in languages if not definition.get(lang)]
        if missing:
            raise GlossaryError(f"{rel}: term {entry.get('id', '?')!r} lacks {', '.join(missing)}")
        if entry["id"] in seen:
            raise GlossaryError(f"{rel}: term id {entry['id']!r} is also in {seen[entry['id']]}")
        seen[entry["id"]] = rel
        house, also = entry.get("house") or {}, entry.get("also") or {}
        if not isinstance(house, dict) or not isinstance(also, dict):
            raise GlossaryError(f"{rel}: term {entry['id']!r}: house and also map a language to words")
        terms.append(Term(str(entry["id"]), str(entry["en"]),
                          {lang: str(entry[lang]) for lang in languages}, entry.get("abbr"),
                          {k: str(v) for k, v in definition.items()},
                          {k: str(v) for k, v in house.items()},
                          {k: [str(w) for w in (v if isinstance(v, list) else [v])]
                           for k, v in also.items()}))
    return terms


def sort_key(word: str, lang: str) -> list[int]:
    alphabet = ALPHABET.get(lang, "abcdefghijklmnopqrstuvwxyz")
    return [alphabet.index(c) if c in alphabet else 100 + ord(c) for c in word.lower()]


def abbreviations(terms: list[Term], lang: str, fallback: str | None = None) -> str:
    """Markdown abbreviation definitions (the abbr extension) for one language."""
    return "\n".join(f"*[{t.abbr}]: {t.name(lang, fallback)}" for t in terms
                     if t.abbr and t.abbr != t.name(lang, fallback))


def render(terms: list[Term], lang: str, languages: tuple[str, ...], labels: dict,
           fallback: str | None = None) -> str:
    """The glossary as an HTML definition list in `lang`; ids are the term ids, shared by every
    language. `labels`: {"en", "abbr", "house"} captions and {"names": {lang: name}}."""
    out = ['<dl class="glossary">']
    for t in sorted(terms, key=lambda t: sort_key(t.name(lang, fallback), lang)):
        alt = [f'{html.escape(labels["names"].get(other, other))}: '
               f'<span lang="{other}">{html.escape(t.name(other))}</span>'
               for other in languages if other != lang and t.names.get(other)]
        alt.append(f'{html.escape(labels["en"])}: <span lang="en">{html.escape(t.en)}</span>')
        if t.abbr:
            alt.insert(0, f'{html.escape(labels["abbr"])}: {html.escape(t.abbr)}')
        if t.house.get(lang):
            alt.insert(0, f'{html.escape(labels["house"])}: {html.escape(t.house[lang])}')
        out.append(f'<dt id="{html.escape(t.id)}">{html.escape(t.name(lang, fallback))}</dt>')
        out.append(f'<dd><p>{html.escape(t.define(lang, fallback))}</p>'
                   f'<p class="glossary-alt">{" · ".join(alt)}</p></dd>')
    out.append("</dl>")
    return "\n".join(out)
