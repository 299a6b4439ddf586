"""Inflections and compound splitting for bokmål and Swedish, from the hunspell dictionaries.

Why hunspell and not the glossary or lunr's stemmers:

- lunr cannot match a word's tail, and Material for MkDocs appends `*` to every query term, which
  switches lunr's query pipeline (and so its stemmer) off. A stemmed index therefore *loses*
  matches: the index holds `projektgrupp` while the query is `projektgrupper*`. What works with a
  prefix query is an index that already holds the inflected forms and the compound parts.
- The Debian dictionaries (`/usr/share/hunspell/nb_NO.*`, `sv_SE.*`; any language with a
  `<code>_*.dic` there works) list about 330 000 bokmål and
  150 000 Swedish stems with their suffix classes: enough to find a word's lemma (`bøttene` ->
  `bøtte`), to generate its paradigm (`projekt` -> `projektet`, `projekten`, ...), and to tell
  whether a word may close a compound (the .aff file's COMPOUNDEND or COMPOUNDFLAG: bokmål `z`,
  Swedish `Y`). The glossary only knows
  the handbook's own terms, so it supplements the dictionary (its terms are always accepted as
  compound parts) but could not split `befolkningsstatistikk` on its own.

This is a deliberately small reading of the hunspell format: suffix rules (SFX) with their
conditions, no prefixes, no compound rules beyond the end flag. A compound is split at the longest
known tail whose head is a word, a word plus a linking `s`/`e`, or itself a compound.
Parsing a dictionary takes about 1.5 s; the parsed form is kept in the project's cache as marshal
data (plain strings, lists and dicts: loading it cannot run code) and, within one process, in
memory keyed on the dictionary files' size and mtime, so a changed dictionary is read again.
"""

from __future__ import annotations

import functools
import marshal
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DICT_DIR = Path("/usr/share/hunspell")
# Where the dictionary's name is not <code>_<CODE>: the country Debian files it under.
DICT_NAMES = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "da": "da_DK", "en": "en_US"}
LINKERS = ("s", "e")
MIN_PART = 4          # like nb_NO's COMPOUNDMIN: shorter parts split too eagerly ("kon"+"troll")
CACHE_VERSION = 3
MAX_LEMMAS = 4        # a word with more readings than this is too ambiguous to expand


@dataclass(frozen=True)
class Rule:
    flag: str
    strip: str
    add: str
    condition: re.Pattern


@dataclass
class Lexicon:
    """Stems with their flags and the suffix rules that inflect them."""

    language: str
    words: dict[str, str] = field(default_factory=dict)        # lowercase stem -> flags
    rules_by_flag: dict[str, list[Rule]] = field(default_factory=dict)
    rules_by_add: dict[str, list[Rule]] = field(default_factory=dict)
    extra_parts: set[str] = field(default_factory=set)          # glossary terms, always parts
    end_flag: str = ""                                          # flag of a compound's last part
    _lemmas: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def lemmas(self, word: str) -> frozenset[str]:
        word = word.lower()
        found = self._lemmas.get(word)
        if found is None:
            found = self._lemmas[word] = _lemmas(self, word)
        return found

    def forms(self, lemma: str) -> set[str]:
        """The lemma and every form its suffix rules generate."""
        lemma = lemma.lower()
        out = {lemma}
        for flag in self.words.get(lemma, ""):
            for rule in self.rules_by_flag.get(flag, ()):
                if lemma.endswith(rule.strip) and rule.condition.search(lemma):
                    stem = lemma[: len(lemma) - len(rule.strip)] if rule.strip else lemma
                    out.add(stem + rule.add)
        return out

    def is_word(self, word: str) -> bool:
        return word in self.extra_parts or bool(self.lemmas(word))

    def can_end_compound(self, word: str) -> bool:
        if word in self.extra_parts:
            return True
        return bool(self.end_flag) and any(self.end_flag in self.words.get(lemma, "")
                                           for lemma in self.lemmas(word))

    def split(self, word: str) -> tuple[str, ...]:
        """Parts of a compound, longest tail first (`befolkningsstatistikk` -> befolkning,
        statistikk).

        Returns () for a word that is not a compound.
        """
        return _split(self, word.lower(), 0)

    # ---- plain data for the cache ------------------------------------------------------------

    def to_data(self) -> dict:
        rules = [[r.flag, r.strip, r.add, r.condition.pattern]
                 for group in self.rules_by_flag.values() for r in group]
        return {"version": CACHE_VERSION, "language": self.language, "words": self.words,
                "rules": rules, "end_flag": self.end_flag}

    @classmethod
    def from_data(cls, data) -> Lexicon:
        """The inverse of to_data; ValueError for anything that is not that shape."""
        if not (isinstance(data, dict) and data.get("version") == CACHE_VERSION
                and isinstance(data.get("words"), dict) and isinstance(data.get("rules"), list)):
            raise ValueError("not a cached lexicon")
        lex = cls(str(data["language"]), data["words"], end_flag=str(data.get("end_flag", "")))
        patterns: dict[str, re.Pattern] = {}
        for flag, strip, add, pattern in data["rules"]:
            if pattern not in patterns:
                patterns[pattern] = re.compile(pattern)
            lex.add_rule(Rule(str(flag), str(strip), str(add), patterns[pattern]))
        return lex

    def add_rule(self, rule: Rule) -> None:
        self.rules_by_flag.setdefault(rule.flag, []).append(rule)
        self.rules_by_add.setdefault(rule.add, []).append(rule)


def _lemmas(lex: Lexicon, word: str) -> frozenset[str]:
    found = set()
    if word in lex.words:
        found.add(word)
    for cut in range(2, len(word) + 1):
        for rule in lex.rules_by_add.get(word[cut:], ()):
            base = word[:cut] + rule.strip
            flags = lex.words.get(base)
            if flags and rule.flag in flags and rule.condition.search(base):
                found.add(base)
    return frozenset(found)


def _split(lex: Lexicon, word: str, depth: int) -> tuple[str, ...]:
    if depth > 2 or len(word) < 2 * MIN_PART:
        return ()
    # A stem the dictionary lists splits only into longer parts: "kontroll" is no "kont"+"roll".
    known = word in lex.words
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):   # longest tail first
        tail = word[cut:]
        if not lex.can_end_compound(tail):
            continue
        head = word[:cut]
        if known and min(len(head), len(tail)) <= MIN_PART:
            continue
        candidates = [head]
        if head[-1] in LINKERS and len(head) > MIN_PART:
            candidates.insert(0, head[:-1])
        for candidate in candidates:
            if lex.is_word(candidate):
                return (candidate, tail)
            inner = _split(lex, candidate, depth + 1)
            if inner:
                return (*inner, tail)
    return ()


def _condition(text: str) -> re.Pattern:
    return re.compile(("" if text == "." else text) + "$")


def parse(language: str, aff_text: str, dic_text: str) -> Lexicon:
    """Read the parts of an .aff/.dic pair that inflection and compounding need."""
    lex = Lexicon(language)
    flags = {}
    for line in aff_text.splitlines():
        cols = line.split()
        if len(cols) == 2 and cols[0] in ("COMPOUNDEND", "COMPOUNDFLAG"):
            flags[cols[0]] = cols[1]
        if len(cols) < 5 or cols[0] != "SFX":
            continue
        flag, strip, add, cond = cols[1], cols[2], cols[3], cols[4]
        add = add.split("/", 1)[0]
        lex.add_rule(Rule(flag, "" if strip == "0" else strip.lower(),
                          "" if add == "0" else add.lower(), _condition(cond.lower())))
    lex.end_flag = flags.get("COMPOUNDEND") or flags.get("COMPOUNDFLAG") or ""
    lines = dic_text.splitlines()
    for line in lines[1:]:
        if not line or line.startswith(("\t", " ", "#")):
            continue
        word, _, word_flags = line.partition("/")
        word = word.split("\t", 1)[0].strip().lower()
        word_flags = word_flags.split(None, 1)[0] if word_flags.strip() else ""
        if word:
            lex.words[word] = lex.words.get(word, "") + word_flags
    return lex


def _encoding(aff: Path) -> str:
    head = aff.read_bytes()[:2000].decode("ascii", "replace")
    match = re.search(r"^SET\s+(\S+)", head, re.MULTILINE)
    return match.group(1) if match else "utf-8"


def dictionary(language: str, dict_dir: Path = DICT_DIR) -> tuple[Path, Path] | None:
    """The hunspell .aff and .dic of a language code, if installed."""
    names = [DICT_NAMES.get(language, ""), f"{language}_{language.upper()}"]
    names += sorted(p.stem for p in Path(dict_dir).glob(f"{language}_*.dic"))
    for name in filter(None, names):
        aff, dic = Path(dict_dir) / f"{name}.aff", Path(dict_dir) / f"{name}.dic"
        if aff.is_file() and dic.is_file():
            return aff, dic
    return None


def lexicon(language: str, dict_dir: Path = DICT_DIR, cache_dir: Path | None = None) -> Lexicon:
    """The lexicon of a language; empty if its dictionary is missing.

    Parsed once per process and dictionary version; with `cache_dir`, the parse is kept in
    `<cache_dir>/search/` for later processes.
    """
    found = dictionary(language, dict_dir)
    if found is None:
        return Lexicon(language)
    stamp = "-".join(f"{p.stat().st_size}-{p.stat().st_mtime_ns}" for p in found)
    return _load(language, found, stamp, cache_dir)


@functools.cache
def _load(language: str, files: tuple[Path, Path], stamp: str, cache_dir: Path | None) -> Lexicon:
    aff, dic = files
    cached = None
    if cache_dir is not None:
        python = "".join(map(str, sys.version_info[:2]))
        cached = (Path(cache_dir) / "search"
                  / f"lexicon-{dic.stem}-{CACHE_VERSION}-py{python}-{stamp}.marshal")
        try:
            return Lexicon.from_data(marshal.loads(cached.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            pass
    encoding = _encoding(aff)
    lex = parse(language, aff.read_text(encoding, errors="replace"),
                dic.read_text(encoding, errors="replace"))
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for old in cached.parent.glob(f"lexicon-{dic.stem}-*"):
                old.unlink(missing_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(marshal.dumps(lex.to_data()))
            tmp.replace(cached)
        except OSError:
            pass   # a read-only cache still builds, only slower
    return lex
