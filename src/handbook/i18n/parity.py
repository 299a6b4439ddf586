"""Structural parity between a page and its translation.

A page and its translation must have the same heading ids (the translation pins the
original's id with `{#id}` where the wording differs), the same code blocks with the
same code (full-line comments may be translated), and the same link targets and
images. The H1 is the page title and is left out of the id comparison.

    handbook parity                 # every page and its translations
    handbook parity docs/sv/x.md    # the pages of the given files (pre-commit)

Messages name the file to fix first, e.g.
`docs/sv/dapla/botter.md: 5 code blocks, docs/nb/dapla/botter.md has 6`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path

from handbook.i18n.pages import PageIndex
from handbook.markdown.fences import find_blocks, normalised_code
from handbook.markdown.headings import code_lines, headings
from handbook.project import Project

INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](target "title") and ![alt](src); nested brackets one level deep.
INLINE_LINK_RE = re.compile(
    r"(?P<bang>!?)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
REF_DEF_RE = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*<?(?P<target>\S+?)>?(?:[ \t].*)?$")
AUTOLINK_RE = re.compile(r"<(?P<target>(?:https?|mailto):[^>\s]+)>")
HTML_ATTR_RE = re.compile(
    r"<(?P<tag>a|img)\b[^>]*?\b(?:href|src)=[\"'](?P<target>[^\"']+)[\"']", re.I)




def links(text: str, path: str = "") -> tuple[Counter, Counter]:
    """(link targets, image sources) outside code, each counted once per occurrence."""
    skip = code_lines(text, path)
    targets: Counter = Counter()
    images: Counter = Counter()
    for number, line in enumerate(text.split("\n"), start=1):
        if number in skip:
            continue
        line = INLINE_CODE_RE.sub(lambda m: " " * len(m.group(0)), line)
        for m in INLINE_LINK_RE.finditer(line):
            (images if m["bang"] else targets)[m["target"]] += 1
        for m in AUTOLINK_RE.finditer(line):
            targets[m["target"]] += 1
        for m in HTML_ATTR_RE.finditer(line):
            (images if m["tag"].lower() == "img" else targets)[m["target"]] += 1
        m = REF_DEF_RE.match(line)
        if m:
            targets[m["target"]] += 1
    return targets, images


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def compare_markdown(source_path: str, source_text: str,
                     translation_path: str, translation_text: str) -> list[str]:
    """Problems of a translation against its source; each message starts with a path."""
    problems: list[str] = []
    tp, sp = translation_path, source_path

    # Headings: the H1 is the title; every other heading keeps the original's id.
    src_h = [h for h in headings(source_text, sp) if h.level > 1]
    tr_h = [h for h in headings(translation_text, tp) if h.level > 1]
    src_b = find_blocks(source_text, sp)
    tr_b = find_blocks(translation_text, tp)
    if not tr_h and not tr_b and (src_h or src_b):
        # A page with only a title: one message instead of one per missing part.
        return [f"{tp}: not translated yet (no headings or code blocks; {sp} has "
                f"{_plural(len(src_h), 'heading')} and {_plural(len(src_b), 'code block')})"]
    if len(src_h) != len(tr_h):
        problems.append(f"{tp}: {_plural(len(tr_h), 'heading')} (below the title), "
                        f"{sp} has {len(src_h)}")
    matcher = difflib.SequenceMatcher(a=[(h.level, h.id) for h in src_h],
                                      b=[(h.level, h.id) for h in tr_h], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(src_h[a0:a1], tr_h[b0:b1], strict=False))
        for s, t in pairs:
            if s.level != t.level:
                problems.append(f"{tp}:{t.line}: heading '{t.text}' is level {t.level}, "
                                f"{sp}:{s.line} '{s.text}' is level {s.level}")
            if s.id != t.id:
                problems.append(f"{tp}:{t.line}: heading id '{t.id}' differs from '{s.id}' in "
                                f"{sp}:{s.line}; pin it: {'#' * t.level} {t.text} {{#{s.id}}}")
        for s in src_h[a0 + len(pairs):a1]:
            problems.append(f"{tp}: heading '{s.text}' (#{s.id}, {sp}:{s.line}) has no counterpart")
        for t in tr_h[b0 + len(pairs):b1]:
            problems.append(f"{tp}:{t.line}: heading '{t.text}' (#{t.id}) is not in {sp}")

    # Code blocks: same number, same language, same code apart from full-line comments.
    if len(src_b) != len(tr_b):
        problems.append(f"{tp}: {_plural(len(tr_b), 'code block')}, {sp} has {len(src_b)}")
    key = lambda b: (b.lang, normalised_code(b.code))  # noqa: E731
    matcher = difflib.SequenceMatcher(a=[key(b) for b in src_b], b=[key(b) for b in tr_b],
                                      autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(src_b[a0:a1], tr_b[b0:b1], strict=False))
        for s, t in pairs:
            what = "language" if s.lang != t.lang else "code"
            problems.append(f"{tp}:{t.start}: {t.lang} block differs in {what} from {sp}:{s.start} "
                            f"(only full-line comments may differ)")
        for s in src_b[a0 + len(pairs):a1]:
            problems.append(f"{tp}: missing the {s.lang} block of {sp}:{s.start}")
        for t in tr_b[b0 + len(pairs):b1]:
            problems.append(f"{tp}:{t.start}: {t.lang} block is not in {sp}")

    # Links and images: the same targets, as often.
    src_links, src_imgs = links(source_text, sp)
    tr_links, tr_imgs = links(translation_text, tp)
    for kind, s, t in (("link", src_links, tr_links), ("image", src_imgs, tr_imgs)):
        for target in sorted((s - t).keys()):
            problems.append(f"{tp}: missing {kind} to {target} ({s[target]}x in {sp}, "
                            f"{t[target]}x here)")
        for target in sorted((t - s).keys()):
            problems.append(f"{tp}: {kind} to {target} is not in {sp} ({t[target]}x here, "
                            f"{s[target]}x there)")
    return problems


def notebook_code_cells(text: str) -> list[str]:
    cells = json.loads(text).get("cells", [])
    return [normalised_code("".join(c.get("source", [])) if isinstance(c.get("source"), list)
                            else c.get("source", ""))
            for c in cells if c.get("cell_type") == "code"]


def compare_notebooks(source_path: str, source_text: str,
                      translation_path: str, translation_text: str) -> list[str]:
    """Notebooks: the same code cells (markdown cells are the prose that is translated)."""
    tp, sp = translation_path, source_path
    try:
        src, tr = notebook_code_cells(source_text), notebook_code_cells(translation_text)
    except (ValueError, AttributeError) as err:
        return [f"{tp}: cannot read notebook: {err}"]
    problems = []
    if len(src) != len(tr):
        problems.append(f"{tp}: {_plural(len(tr), 'code cell')}, {sp} has {len(src)}")
    for i, (s, t) in enumerate(zip(src, tr, strict=False), start=1):
        if s != t:
            problems.append(f"{tp}: code cell {i} differs from {sp} "
                            f"(only full-line comments may differ)")
    return problems


def compare_files(source: Path, translation: Path, project: Project) -> list[str]:
    sp, tp = project.display(source), project.display(translation)
    s_text = source.read_text(encoding="utf-8")
    t_text = translation.read_text(encoding="utf-8")
    if source.suffix == ".ipynb":
        return compare_notebooks(sp, s_text, tp, t_text)
    return compare_markdown(sp, s_text, tp, t_text)


def check(index: PageIndex, only: list[Path] | None = None) -> list[str]:
    """Parity problems of every translation (or of the pages of the files in `only`)."""
    problems: list[str] = []
    wanted = None
    if only:
        wanted = {index.key_of(Path(p)) for p in only}
        wanted.discard(None)
    for pair in index.pairs():
        if wanted is not None and pair.key not in wanted:
            continue
        if not pair.source_file.exists():
            continue
        for lang in pair.translations:
            if pair.file(lang).exists():
                problems += compare_files(pair.source_file, pair.file(lang), index.project)
    return problems
