"""Inflections and compound splitting for bokmål and Swedish, from the hunspell dictionaries.

Why hunspell and not the glossary or lunr's stemmers:

- lunr cannot match a word's tail, and Material for MkDocs appends `*` to every query term, which
  switches lunr's query pipeline (and so its stemmer) off. A stemmed index therefore *loses*
  matches: the index holds `projektgrupp` while the query is `projektgrupper*`. What works with a
  prefix query is an index that already holds the inflected forms and the compound parts.
- The Debian dictionaries (`/usr/share/hunspell/nb_NO.*`, `sv_SE.*`) list about 330 000 bokmål and
  150 000 Swedish stems with their suffix classes: enough to find a word's lemma (`bøttene` ->
  `bøtte`), to generate its paradigm (`projekt` -> `projektet`, `projekten`, ...), and to tell
  whether a word may close a compound (bokmål flag `z`, Swedish `Y`). The glossary only knows
  the handbook's own terms, so it supplements the dictionary (its terms are always accepted as
  compound parts) but could not split `befolkningsstatistikk` on its own.

This is a deliberately small reading of the hunspell format: suffix rules (SFX) with their
conditions, no prefixes, no compound rules beyond the end flag. A compound is split at the longest
known tail whose head is a word, a word plus a linking `s`/`e`, or itself a compound.
Loading a dictionary takes well under a second and is done once per process (`lexicon()` caches).
"""

from __future__ import annotations

import functools
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

from handbook import CACHE_DIR

DICT_DIR = Path("/usr/share/hunspell")
DICT_NAMES = {"nb": "nb_NO", "sv": "sv_SE"}
# Flags that let a stem close a compound (nb_NO: COMPOUNDFLAG z; sv_SE: COMPOUNDEND Y).
COMPOUND_END_FLAGS = {"nb": "z", "sv": "Y"}
LINKERS = ("s", "e")
MIN_PART = 4          # like nb_NO's COMPOUNDMIN: shorter parts split too eagerly ("kon"+"troll")
PICKLE_VERSION = 2
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

    def lemmas(self, word: str) -> frozenset[str]:
        return _lemmas(self, word.lower())

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
        end_flag = COMPOUND_END_FLAGS.get(self.language, "")
        return any(end_flag in self.words.get(lemma, "") for lemma in self.lemmas(word))

    def split(self, word: str) -> tuple[str, ...]:
        """Parts of a compound, longest tail first (`befolkningsstatistikk` -> befolkning,
        statistikk).

        Returns () for a word that is not a compound.
        """
        return _split(self, word.lower(), 0)


def _lemmas(lex: Lexicon, word: str) -> frozenset[str]:
    cache = _LEMMA_CACHE.setdefault(lex.language, {})
    if word in cache:
        return cache[word]
    found = set()
    if word in lex.words:
        found.add(word)
    for cut in range(2, len(word) + 1):
        for rule in lex.rules_by_add.get(word[cut:], ()):
            base = word[:cut] + rule.strip
            flags = lex.words.get(base)
            if flags and rule.flag in flags and rule.condition.search(base):
                found.add(base)
    result = frozenset(found)
    cache[word] = result
    return result


_LEMMA_CACHE: dict[str, dict[str, frozenset[str]]] = {}


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
    for line in aff_text.splitlines():
        cols = line.split()
        if len(cols) < 5 or cols[0] != "SFX":
            continue
        flag, strip, add, cond = cols[1], cols[2], cols[3], cols[4]
        add = add.split("/", 1)[0]
        rule = Rule(flag, "" if strip == "0" else strip.lower(), "" if add == "0" else add.lower(),
                    _condition(cond.lower()))
        lex.rules_by_flag.setdefault(flag, []).append(rule)
        lex.rules_by_add.setdefault(rule.add, []).append(rule)
    lines = dic_text.splitlines()
    for line in lines[1:]:
        if not line or line.startswith(("\t", " ", "#")):
            continue
        word, _, flags = line.partition("/")
        word = word.split("\t", 1)[0].strip().lower()
        flags = flags.split(None, 1)[0] if flags.strip() else ""
        if word:
            lex.words[word] = lex.words.get(word, "") + flags
    return lex


def _encoding(aff: Path) -> str:
    head = aff.read_bytes()[:2000].decode("ascii", "replace")
    match = re.search(r"^SET\s+(\S+)", head, re.MULTILINE)
    return match.group(1) if match else "utf-8"


@functools.cache
def lexicon(language: str, dict_dir: Path = DICT_DIR) -> Lexicon:
    """The lexicon for `nb` or `sv`, loaded once per process; empty if the dictionary is missing.

    The parsed form is pickled under .cache/search/ (keyed on the files' size and mtime), which
    turns 1.5 s of parsing into 0.2 s of loading on later builds.
    """
    name = DICT_NAMES[language]
    aff, dic = dict_dir / f"{name}.aff", dict_dir / f"{name}.dic"
    if not (aff.exists() and dic.exists()):
        return Lexicon(language)
    stamp = "-".join(f"{p.stat().st_size}-{p.stat().st_mtime_ns}" for p in (aff, dic))
    cached = CACHE_DIR / "search" / f"lexicon-{name}-{PICKLE_VERSION}-{stamp}.pickle"
    try:
        return pickle.loads(cached.read_bytes())
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        pass
    encoding = _encoding(aff)
    lex = parse(language, aff.read_text(encoding, errors="replace"),
                dic.read_text(encoding, errors="replace"))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(lex, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cached)
    except OSError:
        pass   # a read-only checkout still builds, only slower
    return lex
