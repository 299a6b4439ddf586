"""A manual-sized copy of the project for `make bench`: the real site plus generated chapters.

`make_manual(project, target, pages)` copies the project (docs, library, notebooks, hooks, data,
mkdocs.yml without its `nav:`, so the navigation follows the folders) and writes generated pages
into `docs/<lang>/handbok/` until every language has `pages` pages. The generated pages have the
shape of a real manual: long and short pages (about 430 words on average, as a 116,000-word
manual of 270 pages), nested sections (H2, H3), lists, tables, admonitions, a `python
show-output` sample per page (the same code in every language, so the twins share the sample
cache) and a few blocks that are only shown (yaml, text). Their prose is made of the project's
own sentences and headings in that language, so the vocabulary, the compounds and the word
frequencies the search index sees are a real manual's, and the glossary terms occur in them.
Everything is seeded: the same project gives the same site.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from handbook.bench.site import copy_project, drop_sections

FOLDER = "handbok"
CHAPTER_PAGES = (8, 14)          # pages per chapter folder (min, max)
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ATTR = re.compile(r"\{[#.:][^}]*\}")
_HTML = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅÄÖ])")


@dataclass
class Corpus:
    """What a language's pages say: sentences, headings, shown code blocks."""

    sentences: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    code: list[tuple[str, str]] = field(default_factory=list)   # (language, code) only shown


def corpus(docs: Path) -> Corpus:
    """Prose sentences, headings and non-executed code blocks of every Markdown page."""
    found = Corpus()
    for path in sorted(docs.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0].strip() == "---":   # front matter
            end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
            lines = lines[end + 1:]
        fence, block, lang = None, [], ""
        for line in lines:
            match = _FENCE.match(line)
            if fence:
                if match and match.group(1) == fence:
                    if lang in ("yaml", "text", "toml", "json", "console", "ini") and block:
                        found.code.append((lang, "\n".join(block[:12])))
                    fence, block = None, []
                else:
                    block.append(line.strip())
                continue
            if match:
                fence, lang = match.group(1), line.strip()[3:].split(" ")[0].strip()
                continue
            text = line.strip()
            if text.startswith("#"):
                heading = _clean(text.lstrip("#"))
                if 2 < len(heading) < 60:
                    found.headings.append(heading)
            elif text and not text.startswith(("|", "!!!", "???", "===", "--8<--", "*[", "<",
                                               "- [", "[")):
                text = re.sub(r"^([-*]|\d+\.)\s+", "", text)
                found.sentences += [s for s in _SENTENCE.split(_clean(text)) if len(s.split()) >= 4]
    return found


def _clean(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _ATTR.sub("", text)
    return " ".join(_HTML.sub("", text).split())


def page_markdown(lang: str, number: int, source: Corpus, rng: random.Random) -> str:
    """One generated page; `rng` is seeded with the page number, so both languages get the
    same structure and the same code."""
    def sentences(low: int, high: int) -> str:
        return " ".join(rng.choice(source.sentences) for _ in range(rng.randint(low, high)))

    def heading() -> str:
        return rng.choice(source.headings)

    title = heading()
    parts = ["---", f"title: {_yaml(f'{title} ({number})')}", f"description: {_yaml(sentences(1, 1))}",
             "---", "", f"# {title} ({number})", "", sentences(2, 5), ""]
    sections = rng.choice((1, 2, 3, 3, 4, 4, 5, 6, 8))      # some long pages, most middling
    for s in range(sections):
        parts += [f"## {heading()}", "", sentences(2, 6), ""]
        if s == 0:
            parts += ["```python show-output", f"n = {number}",
                      'print(f"side {n}: {sum(range(n))}")', "```", ""]
        kind = rng.randrange(5)
        if kind == 0:
            parts += [f"- {sentences(1, 1)}" for _ in range(rng.randint(3, 6))] + [""]
        elif kind == 1:
            words = sentences(3, 3).split()
            parts += ["| " + " | ".join(words[:3]) + " |", "|---|---|---|"]
            parts += [f"| {rng.choice(words)} | {number * r} | {rng.choice(words)} |"
                      for r in range(rng.randint(3, 8))] + [""]
        elif kind == 2:
            admonition = rng.choice(("tip", "note", "warning"))
            parts += [f'!!! {admonition} "{_quote(heading())}"', "", "    " + sentences(1, 3), ""]
        elif kind == 3 and source.code:
            code_lang, code = rng.choice(source.code)
            parts += [f"```{code_lang}", code, "```", ""]
        for _ in range(rng.choice((0, 0, 1, 2))):
            parts += [f"### {heading()}", "", sentences(2, 5), ""]
    return "\n".join(parts)


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote(text: str) -> str:
    return text.replace('"', "'")


def count_pages(docs_lang: Path) -> int:
    return sum(1 for p in docs_lang.rglob("*") if p.suffix in (".md", ".ipynb") and p.is_file())


def make_manual(project: Path, target: Path, pages: int, seed: int = 18) -> dict:
    """Copy `project` to `target` and add generated pages up to `pages` per language."""
    copy_project(project, target)
    config = target / "mkdocs.yml"
    text = drop_sections(config.read_text(encoding="utf-8"), {"nav", "strict"})
    config.write_text(text.rstrip("\n") + "\nstrict: false\n", encoding="utf-8")
    languages = sorted(p.name for p in (target / "docs").iterdir()
                       if p.is_dir() and not p.name.startswith((".", "assets")))
    info = {"pages_per_language": pages, "generated": {}, "words": {}}
    for lang in languages:
        docs = target / "docs" / lang
        source = corpus(docs)
        if not source.sentences or not source.headings:
            continue
        missing = max(0, pages - count_pages(docs))
        rng = random.Random(f"{seed}-chapters")
        chapter, in_chapter, limit, words = 1, 0, rng.randint(*CHAPTER_PAGES), 0
        for number in range(1, missing + 1):
            if in_chapter == limit:
                chapter, in_chapter, limit = chapter + 1, 0, rng.randint(*CHAPTER_PAGES)
            part = 1 + in_chapter * 3 // limit      # three nested parts per chapter
            folder = docs / FOLDER / f"kapittel-{chapter:02d}" / f"del-{part}"
            folder.mkdir(parents=True, exist_ok=True)
            text = page_markdown(lang, number, source, random.Random(f"{seed}-{lang}-{number}"))
            (folder / f"side-{number:03d}.md").write_text(text, encoding="utf-8")
            words += len(text.split())
            in_chapter += 1
        info["generated"][lang] = missing
        info["words"][lang] = words
    return info
