"""Spelling gate: hunspell (nb_NO, sv_SE) over the article text of every built page.

`python -m handbook.checks.spelling [--site-dir site]` reads each page's article from the built HTML
(code, pre, kbd, URLs, file paths and identifiers left out), checks every word with the language's
hunspell dictionary plus the reviewed word list data/wordlist-<lang>.txt, and prints
`docs/nb/dapla/botter.md:12: spelling (nb): 'bøtene' (page dapla/botter/)`.
Compounds the dictionary lacks are accepted when they split into known words (with the linking
-s- or -e- of both languages), as Norwegian and Swedish form them freely.
Swedish pages that fall back to the Norwegian original are not checked as Swedish. Bold and
italic text without æ, ø, å, ä or ö is taken as an interface label or a quoted foreign term
(often English: "**Allow**", "*pull request*") and skipped;
text inside an element with another `lang` is checked in that language (nb, sv) or skipped
(e.g. lang="en").
Exit 1 on any unknown word; report in .cache/reports/spelling.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from handbook.checks.sitefiles import page_url, site_pages
from handbook.project import Project

# hunspell dictionary per language code; mkdocs.yml can add or change them under
# extra.handbook.spelling.dictionaries. A language without a dictionary is not checked.
DICTIONARIES = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "da": "da_DK", "en": "en_US"}
# Elements whose text is not prose: code, keys, the theme's own buttons, notebook in/outputs.
SKIP_TAGS = {"code", "pre", "kbd", "samp", "var", "script", "style", "svg", "math", "button",
             "textarea", "select"}
SKIP_CLASSES = {"headerlink", "highlight", "jp-InputArea", "jp-OutputArea", "md-source-file",
                "md-clipboard", "md-annotation", "arithmatex", "mermaid", "md-tags"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}
URL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
TOKEN_RE = re.compile(r"[^\s]+")
WORD_RE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’-][A-Za-zÀ-ÖØ-öø-ÿ]+)*$")
STRIP = "\"'“”‘’«»()[]{}<>.,;:!?…–—*"
LINKING = ("", "s", "e")  # Norwegian and Swedish join compounds with nothing, -s- or -e-
MIN_PART = 3


# Short words that tell the two languages apart (the shared ones, like "det" and "som", left out).
MARKERS = {
    "nb": {"og", "er", "ikke", "å", "fra", "også", "når", "her", "hvordan", "vil", "må", "hvilken",
           "seg", "jeg", "dette", "hvis", "bare", "mye", "nå", "etter", "eller", "kjøre"},
    "sv": {"och", "är", "inte", "att", "från", "också", "när", "här", "hur", "vill", "måste",
           "vilken", "sig", "jag", "detta", "om", "bara", "mycket", "nu", "efter", "eller", "köra"},
}


@dataclass(frozen=True)
class SpellingSetup:
    """What the check needs from the project: languages, dictionaries, word lists, docs."""

    docs_dir: Path
    default_language: str
    dictionaries: dict[str, str]       # language -> hunspell dictionary (checked languages)
    wordlists: dict[str, Path]         # language -> data/wordlist-<lang>.txt

    @classmethod
    def for_project(cls, project: Project) -> SpellingSetup:
        configured = (project.settings.get("spelling") or {}).get("dictionaries") or {}
        names = {**DICTIONARIES, **configured}
        dictionaries = {code: names[code] for code in project.language_codes if code in names}
        return cls(project.docs_dir, project.default_language, dictionaries,
                   {code: project.data_dir / f"wordlist-{code}.txt" for code in dictionaries})


def guess_language(words: list[str], candidates: tuple[str, ...] = tuple(MARKERS)) -> str | None:
    """A language among `candidates` when the text clearly is written in it, else None."""
    lowered = [w.lower() for w in words]
    score = {lang: sum(w in MARKERS[lang] for w in lowered) for lang in candidates if lang in MARKERS}
    for lang, own in score.items():
        others = max((v for k, v in score.items() if k != lang), default=0)
        if own >= 3 and own > 2 * others:
            return lang
    return None


class _ArticleText(HTMLParser):
    """Text of <article> without code and other non-prose elements, by language (`lang`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.chunks: list[str] = []
        self.by_lang: dict[str, list[str]] = {}
        self._stack: list[tuple[str, bool, bool, str]] = []  # (tag, is article, skips, lang)

    @property
    def _in_article(self) -> bool:
        return any(entry[1] for entry in self._stack)

    @property
    def _skipping(self) -> bool:
        return any(entry[2] for entry in self._stack)

    def _ui_label(self, data: str) -> bool:
        """Bold or italic text without Nordic letters: an interface label or a quoted foreign
        term, often English ("**Allow**", "*pull request*")."""
        return any(entry[0] in {"strong", "b", "em", "i"} for entry in self._stack) and \
            not re.search(r"[æøåäöÆØÅÄÖ]", data)

    @property
    def _lang(self) -> str:
        return self._stack[-1][3] if self._stack else self.lang

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = (attributes.get("lang") or "").split("-")[0]
        if tag in VOID_TAGS:
            return
        classes = set((attributes.get("class") or "").split())
        skips = (tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
                 or attributes.get("translate") == "no")
        lang = (attributes.get("lang") or "").split("-")[0] or self._lang
        self._stack.append((tag, tag == "article", skips, lang))
        if tag in {"p", "li", "td", "th", "div", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
                   "summary", "label"}:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break
        self.chunks.append(" ")

    def handle_data(self, data):
        if self._in_article and not self._skipping and self._ui_label(data):
            self.chunks.append(" ")
        elif self._in_article and not self._skipping:
            self.chunks.append(data)
            self.by_lang.setdefault(self._lang, []).append(data)
        elif self._in_article:
            self.chunks.append(" ")


def article_text(html: str) -> tuple[str, str]:
    """(language, prose text) of a built page."""
    parser = _ArticleText()
    parser.feed(html)
    return parser.lang, "".join(parser.chunks)


def article_text_by_language(html: str) -> tuple[str, dict[str, str]]:
    """(page language, {language: prose text}) honouring `lang` attributes inside the page."""
    parser = _ArticleText()
    parser.feed(html)
    return parser.lang, {lang: " ".join(parts) for lang, parts in parser.by_lang.items()}


def words_of(text: str, names: set[str] = frozenset()) -> list[str]:
    """Words worth checking: URLs, paths, identifiers, numbers and acronyms left out.

    A hyphenated token listed whole in `names` (a tool like ssb-project) is left out too.
    """
    text = URL_RE.sub(" ", text)
    words = []
    for token in TOKEN_RE.findall(text):
        if token.startswith(":"):
            continue  # the ending of a genitive or inflected abbreviation: SSB:s, IDE:ns
        token = token.strip(STRIP)
        if (not token or any(c in token for c in "/\\_.=@#$%&+~^|`<>:")
                or any(c.isdigit() for c in token)):
            continue
        if "-" in token and token.lower() in names:
            continue
        for part in token.split("-"):
            part = part.strip(STRIP)
            if len(part) < 2 or not WORD_RE.match(part):
                continue
            if part.isupper():  # acronyms: SSB, SCB, PAT
                continue
            if re.search(r"[a-zà-ÿ][A-ZÀ-Þ]", part):  # camelCase / product names like GitHub
                continue
            words.append(part.replace("’", "'"))
    return words


def load_wordlist(path: Path) -> set[str]:
    if not path.exists():
        return set()
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return words


def in_wordlist(word: str, wordlist: set[str]) -> bool:
    """A lowercase entry accepts any capitalisation at the start; others must match exactly."""
    return word in wordlist or word.lower() in wordlist or \
        (word[:1].isupper() and word[:1].lower() + word[1:] in wordlist)


def hunspell_unknown(words: set[str], lang: str, dictionary: str | None = None) -> set[str]:
    """The words hunspell's dictionary for `lang` does not know."""
    if not words:
        return set()
    proc = subprocess.run(["hunspell", "-d", dictionary or DICTIONARIES[lang], "-i", "utf-8", "-l"],
                          input="\n".join(sorted(words)) + "\n", capture_output=True, text=True,
                          check=True)
    return set(proc.stdout.split())


def accept_compounds(unknown: set[str], lang: str, wordlist: set[str]) -> set[str]:
    """The unknown words that do not split into known words either."""
    parts: set[str] = set()
    for word in unknown:
        lower = word.lower()
        if len(lower) > 40:
            continue
        for i in range(len(lower)):
            for j in range(i + MIN_PART, len(lower) + 1):
                parts.add(lower[i:j])
    bad_parts = hunspell_unknown(parts, lang)

    def known(part: str) -> bool:
        return part not in bad_parts or in_wordlist(part, wordlist)

    @functools.cache
    def splits(rest: str, depth: int) -> bool:
        if known(rest) and depth > 0:
            return True
        if depth >= 3:
            return False
        for i in range(MIN_PART, len(rest) - MIN_PART + 1):
            head, tail = rest[:i], rest[i:]
            for link in LINKING:
                stem = head[: len(head) - len(link)] if link and head.endswith(link) else head
                if link and not head.endswith(link):
                    continue
                if len(stem) >= MIN_PART and known(stem) and splits(tail, depth + 1):
                    return True
        return False

    return {word for word in unknown if not splits(word.lower(), 0)}


# --- pages and their sources ------------------------------------------------------------------

def source_for(rel: str, setup: SpellingSetup) -> tuple[str, Path | None]:
    """(language folder, source file) of a built page, e.g. sv/dapla/botter/index.html."""
    docs_dir = setup.docs_dir
    lang, path = setup.default_language, rel
    head = rel.split("/", 1)[0]
    if head != setup.default_language and (docs_dir / head).is_dir() and "/" in rel:
        lang, path = head, rel[len(head) + 1:]
    stem = path[: -len("index.html")].rstrip("/") if path.endswith("index.html") else path[:-5]
    candidates = [f"{stem}.md", f"{stem}/index.md", f"{stem}.ipynb"] if stem else ["index.md"]
    for candidate in candidates:
        source = docs_dir / lang / candidate
        if source.exists():
            return lang, source
    return lang, None


def line_of_word(source: Path | None, word: str) -> int:
    if source is None:
        return 0
    pattern = re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w])")
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    body_start = 0
    if lines and lines[0].strip() == "---":  # prefer the text to the front matter
        ends = [i + 1 for i, line in enumerate(lines[1:], 1) if line.strip() == "---"]
        body_start = ends[0] if ends else 0
    for number in [*range(body_start, len(lines)), *range(body_start)]:
        if pattern.search(lines[number]):
            return number + 1
    return 0


def check_site(site_dir: Path, setup: SpellingSetup) -> tuple[list[dict], dict]:
    """Unknown words of every page: [{page, source, line, lang, word}], plus statistics."""
    docs_dir, default = setup.docs_dir, setup.default_language
    lists = {lang: load_wordlist(path) for lang, path in setup.wordlists.items()}
    page_words: dict[str, dict[str, list[str]]] = {lang: {} for lang in setup.dictionaries}
    sources: dict[str, Path | None] = {}
    skipped = []
    mislabelled: list[dict] = []
    mixed: dict[str, list[str]] = {}
    for rel in site_pages(site_dir):
        if rel.endswith("404.html"):
            continue
        html = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        _, texts = article_text_by_language(html)
        folder, source = source_for(rel, setup)
        if folder != default and source is None and \
                source_for(rel[len(folder) + 1:], setup)[1] is not None:
            skipped.append(rel)  # a fallback page: its original is checked in its own language
            continue
        sources[rel] = source
        for lang, text in texts.items():
            lang = lang or folder
            if lang not in setup.dictionaries:
                continue  # a language without a dictionary here (e.g. lang="en")
            words = words_of(text, lists.get(lang, set()) | lists.get(folder, set()))
            guessed = guess_language(words, tuple(setup.dictionaries))
            if guessed and guessed != lang:
                mislabelled.append({
                    "page": page_url(rel), "lang": lang, "word": f"(text looks {guessed})",
                    "source": None, "line": 0,
                    "message": f"{page_url(rel) or '/'}: text in {guessed} is marked "
                               f'lang="{lang}": wrap it in an element with lang="{guessed}"'})
                # mixed text: a word passes when either language knows it
                mixed.setdefault(rel, []).extend(words)
                continue
            page_words[lang].setdefault(rel, []).extend(words)
    problems: list[dict] = list(mislabelled)
    checked = {rel for pages in page_words.values() for rel in pages} | set(mixed)
    stats = {"pages": len(checked), "skipped_fallback": skipped}
    unknown_in: dict[str, set[str]] = {}
    mixed_vocabulary = {w for words in mixed.values() for w in words}
    for lang, pages in page_words.items():
        vocabulary = {w for words in pages.values() for w in words
                      if not in_wordlist(w, lists[lang])}
        stats[f"words_{lang}"] = len(vocabulary)
        everything = vocabulary | {w for w in mixed_vocabulary if not in_wordlist(w, lists[lang])}
        unknown_in[lang] = accept_compounds(
            hunspell_unknown(everything, lang, setup.dictionaries[lang]), lang, lists[lang])
    every = set.intersection(*unknown_in.values()) if unknown_in else set()
    mixed_label = "+".join(setup.dictionaries)
    for lang, pages in [*page_words.items(), (mixed_label, mixed)]:
        unknown = every if lang == mixed_label else unknown_in[lang]
        for rel, words in pages.items():
            seen = set()
            for word in words:
                if word in unknown and word not in seen:
                    seen.add(word)
                    source = sources.get(rel)
                    problems.append({
                        "page": page_url(rel), "lang": lang, "word": word,
                        "source": source.relative_to(docs_dir.parent).as_posix()
                        if source and docs_dir.parent in source.parents else
                        (str(source) if source else None),
                        "line": line_of_word(source, word),
                    })
    return problems, stats


def format_problem(p: dict) -> str:
    if "message" in p:
        return p["message"]
    where = f"{p['source']}:{p['line']}" if p["source"] else p["page"]
    return f"{where}: spelling ({p['lang']}): {p['word']!r} (page {p['page'] or '/'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook check spelling", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="built site (default: site_dir of mkdocs.yml)")
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--words", action="store_true",
                        help="print only the unknown words per language with counts (to review)")
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    args.site_dir = args.site_dir or project.site_dir
    args.report = args.report or project.reports_dir / "spelling.json"
    if not (args.site_dir / "index.html").exists():
        print(f"{args.site_dir}: no built site (run `make build` first)", file=sys.stderr)
        return 2
    problems, stats = check_site(args.site_dir, SpellingSetup.for_project(project))
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps({"stats": stats, "problems": problems, "ok": not problems},
                                      indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.words:
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for p in problems:
            counts[(p["lang"], p["word"])] += 1
        for (lang, word), n in sorted(counts.items()):
            print(f"{lang}\t{n}\t{word}")
    else:
        for p in problems:
            print(format_problem(p))
    print(f"spelling: {len(problems)} unknown word(s) in {stats['pages']} page(s); "
          f"report {args.report}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
