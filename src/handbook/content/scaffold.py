"""Create a new page in both languages and add it to the navigation.

    make new-page SLUG=dapla/tilganger TITLE_NB="Tilganger" TITLE_SV="Behörigheter"
    python -m handbook.content.scaffold dapla/tilganger --title-nb Tilganger --title-sv Behörigheter

Writes docs/nb/<slug>.md and docs/sv/<slug>.md (front matter and a heading; the
translation carries a translation_of stamp), adds the page to `nav` in mkdocs.yml
(in the section whose pages share the slug's first folder, else at the end before
the glossary) and the Swedish title to the i18n plugin's `nav_translations`.
mkdocs.yml is edited as text: it has !ENV and !!python tags a YAML dumper would lose.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

from handbook import ROOT
from handbook.i18n.translations import LANGUAGES, source_hash, source_language, stamp_text

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*")
ITEM_RE = re.compile(r"^(?P<indent>[ ]*)- (?P<rest>.*?)\s*$")
GLOSSARY = "ordliste.md"


class ScaffoldError(ValueError):
    pass


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for checking only: tags become plain values."""


def _ignore_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def load_config(text: str) -> dict:
    return yaml.load(text, Loader=_TolerantLoader)  # a SafeLoader subclass


def yaml_scalar(value: str) -> str:
    """A plain YAML scalar where it reads back unchanged, else a double-quoted one."""
    if value and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _item_path(rest: str) -> str | None:
    """The page path of a nav item line ("Title: path.md" or "path.md"), if any."""
    try:
        value = yaml.safe_load(rest)
    except yaml.YAMLError:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        inner = next(iter(value.values()))
        return inner if isinstance(inner, str) else None
    return None


def _block_end(lines: list[str], start: int) -> int:
    """Index after the block that starts at `start` (a key line at some indent)."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.lstrip().startswith("#"):
            if len(line) - len(line.lstrip()) <= indent:
                break
            last = end + 1
        end += 1
    return last


def add_to_nav(text: str, slug: str, title: str) -> str:
    lines = text.split("\n")
    try:
        nav = next(i for i, line in enumerate(lines) if re.match(r"^nav:\s*$", line))
    except StopIteration:
        raise ScaffoldError("mkdocs.yml has no top-level nav:") from None
    end = _block_end(lines, nav)
    items = [(i, ITEM_RE.match(lines[i])) for i in range(nav + 1, end)]
    items = [(i, m) for i, m in items if m]
    if not items:
        raise ScaffoldError("mkdocs.yml: nav: has no entries")
    top = min(len(m["indent"]) for _, m in items)
    path = f"{slug}.md"
    entry_at, indent = None, " " * top
    if "/" in slug:
        prefix = slug.split("/")[0] + "/"
        for i, m in items:
            if len(m["indent"]) != top or not m["rest"].endswith(":"):
                continue  # only sections (an item whose value is a list) take children
            section_end = _block_end(lines, i)
            children = [(j, c) for j, c in items if i < j < section_end]
            if any((_item_path(c["rest"]) or "").startswith(prefix) for _, c in children):
                entry_at = section_end
                indent = min((c["indent"] for _, c in children), key=len)
                break
    if entry_at is None:
        glossary = [i for i, m in items
                    if len(m["indent"]) == top and _item_path(m["rest"]) == GLOSSARY]
        entry_at = glossary[0] if glossary else end
    lines.insert(entry_at, f"{indent}- {yaml_scalar(title)}: {path}")
    return "\n".join(lines)


def add_nav_translation(text: str, title_nb: str, title_sv: str) -> str:
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s+nav_translations:\s*$", line)]
    if not starts:
        raise ScaffoldError("mkdocs.yml: the i18n plugin's sv language has no nav_translations:")
    start = starts[0]
    end = _block_end(lines, start)
    entries = [i for i in range(start + 1, end)
               if lines[i].strip() and not lines[i].lstrip().startswith("#")]
    base = len(lines[start]) - len(lines[start].lstrip())
    indent = (lines[entries[0]][: len(lines[entries[0]]) - len(lines[entries[0]].lstrip())]
              if entries else " " * (base + 2))
    for i in entries:
        try:
            existing = yaml.safe_load(lines[i].strip())
        except yaml.YAMLError:
            continue
        if isinstance(existing, dict) and title_nb in existing:
            if existing[title_nb] == title_sv:
                return text
            raise ScaffoldError(f"mkdocs.yml:{i + 1}: nav_translations already translates "
                                f"{title_nb!r} as {existing[title_nb]!r}; pick another title")
    lines.insert(end, f"{indent}{yaml_scalar(title_nb)}: {yaml_scalar(title_sv)}")
    return "\n".join(lines)


def nav_paths(nav) -> list[str]:
    """Every page path in a nav, depth first."""
    found: list[str] = []
    for item in nav if isinstance(nav, list) else [nav]:
        value = next(iter(item.values()), None) if isinstance(item, dict) else item
        if isinstance(value, list):
            found += nav_paths(value)
        elif isinstance(value, str):
            found.append(value)
    return found


def page_text(title: str, description: str) -> str:
    return (f"---\ntitle: {yaml_scalar(title)}\ndescription: {yaml_scalar(description)}\n---\n\n"
            f"# {title}\n")


def scaffold(slug: str, titles: dict[str, str], descriptions: dict[str, str] | None = None,
             root: Path = ROOT) -> list[Path]:
    """Create both files and edit mkdocs.yml; nothing is written if a check fails."""
    descriptions = descriptions or {}
    if not SLUG_RE.fullmatch(slug or ""):
        raise ScaffoldError(f"slug {slug!r} is not URL-safe: use lowercase a-z, 0-9 and '-' in "
                            "'/'-separated parts, e.g. dapla/nye-tilganger (no æøå, spaces, .md)")
    for lang in LANGUAGES:
        title = titles.get(lang, "")
        if not title.strip() or "\n" in title:
            raise ScaffoldError(f"a one-line title in {lang} is required")
    files = {lang: root / "docs" / lang / f"{slug}.md" for lang in LANGUAGES}
    for lang in LANGUAGES:
        for suffix in (".md", ".ipynb"):
            existing = root / "docs" / lang / f"{slug}{suffix}"
            if existing.exists():
                raise ScaffoldError(f"docs/{lang}/{slug}{suffix} already exists")
    config_path = root / "mkdocs.yml"
    text = config_path.read_text(encoding="utf-8")
    config = load_config(text)
    if f"{slug}.md" in nav_paths(config.get("nav") or []):
        raise ScaffoldError(f"mkdocs.yml: nav already lists {slug}.md")

    new_text = add_nav_translation(add_to_nav(text, slug, titles["nb"]), titles["nb"], titles["sv"])
    check = load_config(new_text)
    if f"{slug}.md" not in nav_paths(check.get("nav") or []):
        raise ScaffoldError("internal error: the nav entry did not land in nav")

    source = source_language(f"{slug}.md", root)
    for lang in LANGUAGES:
        files[lang].parent.mkdir(parents=True, exist_ok=True)
    files[source].write_text(page_text(titles[source], descriptions.get(source, "")),
                             encoding="utf-8")
    translation = next(lang for lang in LANGUAGES if lang != source)
    files[translation].write_text(
        stamp_text(page_text(titles[translation], descriptions.get(translation, "")),
                   source, source_hash(files[source])), encoding="utf-8")
    config_path.write_text(new_text, encoding="utf-8")
    return [files["nb"], files["sv"], config_path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook.content.scaffold", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slug", help="section/name, e.g. dapla/tilganger")
    parser.add_argument("--title-nb", required=True)
    parser.add_argument("--title-sv", required=True)
    parser.add_argument("--description-nb", default="")
    parser.add_argument("--description-sv", default="")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        written = scaffold(args.slug, {"nb": args.title_nb, "sv": args.title_sv},
                           {"nb": args.description_nb, "sv": args.description_sv}, root)
    except ScaffoldError as err:
        print(f"new-page: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(root).as_posix()}")
    source = source_language(f"{args.slug}.md", root)
    print(f"The original is docs/{source}/{args.slug}.md. Write it, fill in `description:` in both "
          "files, translate, then: python -m handbook.i18n.translations --stamp <translation>")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
