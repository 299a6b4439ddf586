"""One search index per language, with inflections, compound parts and glossary synonyms.

mkdocs-static-i18n merges every language into one `search/search_index.json` that `/sv/` pages
load too, so results mix languages. Here each language gets its own index, built from the entries
Material's search plugin collected for that language's build, with its own lunr language
(`no` for bokmål, `sv` for Swedish: language-aware stop words). handbook.search.shards splits it
into the small files the search worker fetches; handbook.search.site writes them.

Stemming is done at build time, not by lunr. Material appends `*` to every query term, and a
wildcard term bypasses lunr's query pipeline, so with lunr's stemmer in the index pipeline the
index holds stems (`projektgrupp`) that the unstemmed query (`projektgrupper*`) no longer
matches. Instead every section gets a hidden field with what a reader might type for its words
(see handbook.search.compounds): all inflected forms of each word's lemma (`bøtter` -> `bøttene`), the
parts of compounds with their forms (`befolkningsstatistikk` -> `statistikk`), and for glossary
terms the term in the other language and in English (`bucket` on a Swedish page -> `bøtte`,
`bøttene`). Forms that are a prefix of a word already indexed are left out, because the query's
trailing wildcard finds them anyway; that keeps the index small.

A page served in a language it is not written in (mkdocs-static-i18n's fallback to the default
language) is indexed once per site, at that site's address, with its title marked
"(på svensk)" on the bokmål site, so a result never leads into the other language's site.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handbook.content import glossary
from handbook.search.compounds import MAX_LEMMAS, Lexicon, lexicon

# lunr-languages names Norwegian `no`; other codes are lunr's own where Material ships them.
LUNR_ALIASES = {"nb": "no", "nn": "no"}
# lunr's stemmer stays out on purpose (see the module docstring); trimmer and stop words are the
# language's own because the index config names a single lunr language.
PIPELINE = ["stopWordFilter", "trimmer"]
SEPARATOR = r"[\s\-]+"
FIELDS = {
    "title": {"boost": 1000.0},
    "text": {"boost": 1.0},
    "tags": {"boost": 1000000.0},
    "title_terms": {"boost": 400.0},   # forms, parts and synonyms of the title's words
    "terms": {"boost": 1.0},           # the same for the section text
}
MIN_EXPAND = 4
TOPIC_COUNT = 2
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]+")
_CONFIG_BASE = re.compile(
    r'(<script id="__config" type="application/json">.*?"base":\s*")([^"]*)(")', re.DOTALL)


def words(text: str) -> list[str]:
    """Lowercase words of an index entry's HTML text, split like lunr splits them."""
    return _WORD.findall(html.unescape(_TAG.sub(" ", text)).lower())


@dataclass(frozen=True)
class Term:
    language: str
    words: tuple[str, ...]


@dataclass
class GlossaryEntry:
    id: str
    terms: dict[str, str]   # language (nb, sv, en) -> term
    abbr: str | None = None
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)  # house terms, other words

    def names(self, language: str) -> tuple[str, ...]:
        main = self.terms.get(language)
        return tuple(n for n in (main, *self.variants.get(language, ())) if n)


def load_glossary(folder: Path) -> list[GlossaryEntry]:
    """The glossary (handbook.content.glossary, the one reader of data/glossary/) as search entries."""
    terms = glossary.load(folder)
    return [GlossaryEntry(t.id, {**t.names, "en": t.en}, t.abbr or None,
                          {lang: tuple(w for w in (t.house.get(lang), *t.also.get(lang, ())) if w)
                           for lang in t.names})
            for t in terms]


@dataclass
class Expander:
    """Adds what readers type to an entry: forms, compound parts, glossary synonyms."""

    language: str                       # the language the text is written in
    glossary: list[GlossaryEntry] = field(default_factory=list)
    lexicons: dict[str, Lexicon] = field(default_factory=dict)
    cache_dir: Path | None = None       # where parsed dictionaries are kept between builds
    _cache: dict[tuple, object] = field(default_factory=dict)

    def lex(self, language: str) -> Lexicon:
        if language not in self.lexicons:
            self.lexicons[language] = lexicon(language, cache_dir=self.cache_dir)
        return self.lexicons[language]

    def word_info(self, word: str, full: bool = True) -> tuple[frozenset[str], frozenset[str]]:
        """(forms to add, lemmas and parts for glossary matching) for one word, cached.

        `full` adds the whole paradigm of the word and of its compound parts; otherwise only the
        compound parts themselves are added.
        """
        key = (word, full)
        if key in self._cache:
            return self._cache[key]
        lex = self.lex(self.language)
        forms: set[str] = set()
        keys = {word}
        if len(word) >= MIN_EXPAND:
            lemmas = lex.lemmas(word)
            keys |= lemmas
            if full and len(lemmas) <= MAX_LEMMAS:
                for lemma in lemmas:
                    forms |= lex.forms(lemma)
            parts = lex.split(word)
            if full and parts and not lemmas:
                # A compound the dictionary lacks inflects like its last part.
                head = word[: len(word) - len(parts[-1])]
                for lemma in lex.lemmas(parts[-1]):
                    forms |= {head + form for form in lex.forms(lemma)}
            for part in parts:
                part_lemmas = lex.lemmas(part)
                keys |= {part, *part_lemmas}
                forms.add(part)
                if full and len(part_lemmas) <= MAX_LEMMAS:
                    for lemma in part_lemmas:
                        forms |= lex.forms(lemma)
        result = (frozenset(_useful(forms)), frozenset(keys))
        self._cache[key] = result
        return result

    def synonyms(self, keys: set[str]) -> set[str]:
        """Other-language and English terms of glossary entries whose term the keys contain."""
        out: set[str] = set()
        # (length, prefix) of every key, for the lengths of glossary words: one set lookup
        # then answers "does some key inflect this word" (see _inflects).
        prefixes = {(n, k[:n]) for k in keys for n in self._term_lengths()
                    if n <= len(k) <= n + 3}
        for entry in self.glossary:
            owns = entry.names(self.language)
            if not any(self._mentions(own, keys, prefixes) for own in owns):
                continue
            out |= {word for own in owns for word in words(own)}
            for lang in entry.terms:
                if lang == self.language:
                    continue
                for word in (w for name in entry.names(lang) for w in words(name)):
                    out.add(word)
                    if lang == "en":
                        out.add(word + "s")
                    elif len(word) >= MIN_EXPAND:
                        other = self.lex(lang)
                        lemmas = other.lemmas(word)
                        if len(lemmas) <= MAX_LEMMAS:
                            for lemma in lemmas:
                                out |= _useful(other.forms(lemma))
            if entry.abbr:
                out.add(entry.abbr.lower())
        return out

    def _term_words(self, term: str) -> list[tuple[str, frozenset[str]]]:
        """A glossary term's words with their lemmas, computed once per term."""
        key = ("term", term)
        if key not in self._cache:
            lex = self.lex(self.language)
            self._cache[key] = [(w, frozenset(lex.lemmas(w))) for w in words(term)]
        return self._cache[key]

    def _term_lengths(self) -> frozenset[int]:
        key = ("lengths", "")
        if key not in self._cache:
            self._cache[key] = frozenset(
                len(w) for e in self.glossary for t in e.names(self.language)
                for w, _ in self._term_words(t) if len(w) >= 5)
        return self._cache[key]

    def _mentions(self, term: str, keys: set[str], prefixes: set) -> bool:
        term_words = self._term_words(term)
        if not term_words:
            return False
        return all(w in keys or lemmas & keys or _inflects(w, prefixes) for w, lemmas in term_words)

    def expand(self, text: str, full_words: set[str] | None = None) -> set[str]:
        """What to add for `text`: forms of the words in `full_words` (all words if None),
        compound parts of every word, and glossary synonyms."""
        forms: set[str] = set()
        keys: set[str] = set()
        for word in set(words(text)):
            full = full_words is None or word in full_words
            word_forms, word_keys = self.word_info(word, full)
            forms |= word_forms
            keys |= word_keys
        return forms | self.synonyms(keys)


def _inflects(term_word: str, prefixes: set[tuple[int, str]]) -> bool:
    """A word the dictionary lacks (`bucket`) still matches its inflections (`bucketar`):
    some key starts with it and is at most three letters longer."""
    return len(term_word) >= 5 and (len(term_word), term_word) in prefixes


def _useful(forms: set[str]) -> set[str]:
    """Forms worth indexing: no hyphenated stubs, no genitive/passive `-s` beside its base form."""
    return {f for f in forms if f.isalpha() and not (f.endswith("s") and f[:-1] in forms)
            and not f.endswith(_DEGREES)}


# Comparative and superlative endings: nobody searches "fastaste"; dropping them saves a lot.
_DEGREES = ("are", "aste", "ere", "este", "estes")


def compact(candidates: Iterable[str], indexed: Iterable[str]) -> list[str]:
    """Candidates a prefix query could not already reach through another token, sorted."""
    indexed = set(indexed)
    pool = sorted(set(candidates) | indexed)
    keep = []
    for i, token in enumerate(pool):
        if token in indexed or len(token) < 3:
            continue
        if i + 1 < len(pool) and pool[i + 1].startswith(token):
            continue   # `token*` already matches pool[i + 1]
        keep.append(token)
    return keep


def localize_location(location: str, language: str, default_language: str) -> str:
    """Entry location relative to its language's site root (`sv/dapla/` -> `dapla/`)."""
    prefix = f"{language}/"
    if language != default_language and location.startswith(prefix):
        return location[len(prefix):]
    return location


def page_of(location: str) -> str:
    return location.split("#", 1)[0]


def group_pages(entries: list[dict]) -> dict[str, list[dict]]:
    """Material's entries by page URL, in order, each location once."""
    pages: dict[str, list[dict]] = {}
    seen: set[str] = set()
    for entry in entries:
        if entry["location"] not in seen:
            seen.add(entry["location"])
            pages.setdefault(page_of(entry["location"]), []).append(entry)
    return pages


def expand_page(page_entries: list[dict], language: str, default_language: str,
                expander: Expander, marker: str | None = None) -> list[dict]:
    """The index documents of one page (its entries, in the language `expander` reads).

    Each entry gets `title_terms` from its own heading; the words of the whole page are expanded
    once, into `terms` of the page's first entry (Material groups results by page anyway), which
    keeps the index smaller than repeating them in every section. `marker` goes after the
    title of a page shown in a language it is not written in.
    """
    counts: Counter[str] = Counter()
    heading_words: set[str] = set()
    page_text = []
    for entry in page_entries:
        heading_words |= set(words(entry.get("title", "")))
        counts.update(words(entry.get("title", "")) + words(entry.get("text", "")))
        page_text.append(entry.get("title", ""))
        page_text.append(entry.get("text", ""))
    page_words = set(counts)
    # Inflect what the page is about: its headings and the words it repeats.
    topic_words = heading_words | {w for w, n in counts.items() if n >= TOPIC_COUNT}
    docs = []
    for i, entry in enumerate(page_entries):
        doc = dict(entry)
        doc["location"] = localize_location(entry["location"], language, default_language)
        title_words = set(words(doc.get("title", "")))
        title_terms = compact(expander.expand(doc.get("title", "")), title_words)
        if title_terms:
            doc["title_terms"] = " ".join(title_terms)
        if i == 0:
            terms = compact(expander.expand(" ".join(page_text), topic_words), page_words)
            if terms:
                doc["terms"] = " ".join(terms)
            if marker:
                doc["title"] = f"{doc['title']} {marker}"
        docs.append(doc)
    return docs


def index_config(language: str) -> dict:
    """The lunr configuration Material's search box and the worker read."""
    return {"lang": [lunr_language(language)], "separator": SEPARATOR, "pipeline": PIPELINE,
            "fields": FIELDS}


def build_index(entries: list[dict], language: str, default_language: str,
                page_languages: dict[str, str], glossary: list[GlossaryEntry],
                markers: dict[str, str] | None = None, cache_dir: Path | None = None) -> dict:
    """The search index ({config, docs}) for one language's site.

    `entries` are Material's entries of that build (location, title, text, ...);
    `page_languages` maps a page URL to the language its text is written in; `markers` maps
    such a language to what a fallback page's title gets (`"sv": "(på svensk)"`).
    """
    expanders: dict[str, Expander] = {}
    docs = []
    for url, page_entries in group_pages(entries).items():
        written_in = page_languages.get(url, language)
        if written_in not in expanders:
            expanders[written_in] = Expander(written_in, glossary, cache_dir=cache_dir)
        marker = (markers or {}).get(written_in) if written_in != language else None
        docs += expand_page(page_entries, language, default_language, expanders[written_in],
                            marker)
    return {"config": index_config(language), "docs": docs}


def lunr_language(code: str) -> str:
    """lunr's name for a language code (its stop words); `en` where it has none."""
    from handbook.search.shards import stop_words

    name = LUNR_ALIASES.get(code, code)
    return name if stop_words(name) else "en"
