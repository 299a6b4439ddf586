"""The glossary: one data file per area in data/glossary/, read wherever terms are needed.

Each entry: id, en, nb, sv, abbr (or null), definition: {nb, sv}. Used for the
glossary page of each language, abbreviation tooltips, and cross-language search terms.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handbook import ROOT

GLOSSARY_DIR = ROOT / "data" / "glossary"
LANGUAGES = ("nb", "sv")
REQUIRED = ("id", "en", "nb", "sv", "definition")
ALPHABET = {"nb": "abcdefghijklmnopqrstuvwxyzæøå", "sv": "abcdefghijklmnopqrstuvwxyzåäö"}
LABELS = {
    "nb": {"other": "Svensk", "en": "Engelsk", "abbr": "Forkortelse", "house": "Brukes også"},
    "sv": {"other": "Norska", "en": "Engelska", "abbr": "Förkortning", "house": "Används också"},
}


class GlossaryError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    id: str
    en: str
    nb: str
    sv: str
    abbr: str | None
    definition: dict
    house: dict = field(default_factory=dict)   # lang -> the SSB/SCB house term, where it differs
    also: dict = field(default_factory=dict)    # lang -> other words readers use (search synonyms)

    def name(self, lang: str) -> str:
        return getattr(self, lang)


_memo: dict = {}


def load(folder: Path = GLOSSARY_DIR) -> list[Term]:
    """All terms; memoised on the files' mtimes, since every language build asks."""
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yml")))
    if _memo.get(folder, (None,))[0] != stamp:
        _memo[folder] = (stamp, _load(folder))
    return list(_memo[folder][1])


def _load(folder: Path) -> list[Term]:
    terms, seen = [], {}
    for path in sorted(folder.glob("*.yml")):
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise GlossaryError(f"{rel}: expected a list of terms")
        for entry in entries:
            missing = [k for k in REQUIRED if not entry.get(k)]
            missing += [f"definition.{lang}" for lang in LANGUAGES
                        if not (entry.get("definition") or {}).get(lang)]
            if missing:
                raise GlossaryError(f"{rel}: term {entry.get('id', '?')!r} lacks {', '.join(missing)}")
            if entry["id"] in seen:
                raise GlossaryError(f"{rel}: term id {entry['id']!r} is also in {seen[entry['id']]}")
            seen[entry["id"]] = rel
            house, also = entry.get("house") or {}, entry.get("also") or {}
            if not isinstance(house, dict) or not isinstance(also, dict):
                raise GlossaryError(f"{rel}: term {entry['id']!r}: house and also map a language to words")
            terms.append(Term(entry["id"], str(entry["en"]), str(entry["nb"]), str(entry["sv"]),
                              entry.get("abbr"), dict(entry["definition"]),
                              {k: str(v) for k, v in house.items()},
                              {k: [str(w) for w in (v if isinstance(v, list) else [v])]
                               for k, v in also.items()}))
    return terms


def sort_key(word: str, lang: str) -> list[int]:
    alphabet = ALPHABET[lang]
    return [alphabet.index(c) if c in alphabet else 100 + ord(c) for c in word.lower()]


def abbreviations(terms: list[Term], lang: str) -> str:
    """Markdown abbreviation definitions (the abbr extension) for one language."""
    lines = [f"*[{t.abbr}]: {t.name(lang)}" for t in terms if t.abbr and t.abbr != t.name(lang)]
    return "\n".join(lines)


def render(terms: list[Term], lang: str) -> str:
    """The glossary as an HTML definition list; ids are the term ids, shared by both languages."""
    other = "sv" if lang == "nb" else "nb"
    labels = LABELS[lang]
    out = ['<dl class="glossary">']
    for t in sorted(terms, key=lambda t: sort_key(t.name(lang), lang)):
        alt = [f'{labels["other"]}: <span lang="{other}">{html.escape(t.name(other))}</span>',
               f'{labels["en"]}: <span lang="en">{html.escape(t.en)}</span>']
        if t.abbr:
            alt.insert(0, f'{labels["abbr"]}: {html.escape(t.abbr)}')
        if t.house.get(lang):
            alt.insert(0, f'{labels["house"]}: {html.escape(t.house[lang])}')
        out.append(f'<dt id="{html.escape(t.id)}">{html.escape(t.name(lang))}</dt>')
        out.append(f'<dd><p>{html.escape(t.definition[lang])}</p>'
                   f'<p class="glossary-alt">{" · ".join(alt)}</p></dd>')
    out.append("</dl>")
    return "\n".join(out)
