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

from handbook.i18n.pages import PageIndex
from handbook.i18n.stamps import source_hash, stamp_text
from handbook.project import Project

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


def add_nav_translation(text: str, title: str, translated: str, lang: str = "sv") -> str:
    """Add `title: translated` to the nav_translations of language `lang` in the i18n plugin."""
    lines = text.split("\n")
    locale = next((i for i, line in enumerate(lines)
                   if re.match(rf"^\s*-?\s*locale:\s*['\"]?{re.escape(lang)}['\"]?\s*$", line)), None)
    if locale is None:
        raise ScaffoldError(f"mkdocs.yml: the i18n plugin has no language {lang}")
    block_end = _block_end(lines, locale)
    starts = [i for i in range(locale, block_end) if re.match(r"^\s+nav_translations:\s*$", lines[i])]
    if not starts:
        raise ScaffoldError(f"mkdocs.yml: the i18n plugin's {lang} language has no nav_translations:")
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
        if isinstance(existing, dict) and title in existing:
            if existing[title] == translated:
                return text
            raise ScaffoldError(f"mkdocs.yml:{i + 1}: nav_translations already translates "
                                f"{title!r} as {existing[title]!r}; pick another title")
    lines.insert(end, f"{indent}{yaml_scalar(title)}: {yaml_scalar(translated)}")
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


def scaffold(slug: str, titles: dict[str, str], descriptions: dict[str, str] | None,
             project: Project) -> list[Path]:
    """Create the page in every language and edit mkdocs.yml; nothing is written if a check fails."""
    languages, default = project.language_codes, project.default_language
    descriptions = descriptions or {}
    if not SLUG_RE.fullmatch(slug or ""):
        raise ScaffoldError(f"slug {slug!r} is not URL-safe: use lowercase a-z, 0-9 and '-' in "
                            "'/'-separated parts, e.g. dapla/nye-tilganger (no æøå, spaces, .md)")
    for lang in languages:
        title = titles.get(lang, "")
        if not title.strip() or "\n" in title:
            raise ScaffoldError(f"a one-line title in {lang} is required")
    files = {lang: project.docs_dir / lang / f"{slug}.md" for lang in languages}
    for lang in languages:
        for suffix in (".md", ".ipynb"):
            existing = project.docs_dir / lang / f"{slug}{suffix}"
            if existing.exists():
                raise ScaffoldError(f"{project.display(existing)} already exists")
    config_path = project.config_file
    text = config_path.read_text(encoding="utf-8")
    config = load_config(text)
    if f"{slug}.md" in nav_paths(config.get("nav") or []):
        raise ScaffoldError(f"mkdocs.yml: nav already lists {slug}.md")

    new_text = add_to_nav(text, slug, titles[default])
    for lang in languages[1:]:
        new_text = add_nav_translation(new_text, titles[default], titles[lang], lang)
    check = load_config(new_text)
    if f"{slug}.md" not in nav_paths(check.get("nav") or []):
        raise ScaffoldError("internal error: the nav entry did not land in nav")

    index = PageIndex(project)
    source = index.source_language(f"{slug}.md")
    for lang in languages:
        files[lang].parent.mkdir(parents=True, exist_ok=True)
    files[source].write_text(page_text(titles[source], descriptions.get(source, "")),
                             encoding="utf-8")
    digest = source_hash(files[source], PageIndex(project))  # a fresh index sees the new file
    for lang in languages:
        if lang != source:
            files[lang].write_text(stamp_text(page_text(titles[lang], descriptions.get(lang, "")),
                                              source, digest), encoding="utf-8")
    config_path.write_text(new_text, encoding="utf-8")
    return [*files.values(), config_path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook new-page", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slug", help="section/name, e.g. dapla/tilganger")
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--title", action="append", default=[], metavar="LANG=TITLE",
                        help="the page title in one language (repeat for every language)")
    parser.add_argument("--description", action="append", default=[], metavar="LANG=TEXT")
    args, rest = parser.parse_known_args(argv)
    project = Project.load(args.config_file)
    titles, descriptions = _per_language(args.title), _per_language(args.description)
    # --title-nb "..." / --description-sv "..." spell the same thing
    extra = argparse.ArgumentParser(add_help=False)
    for lang in project.language_codes:
        extra.add_argument(f"--title-{lang}", dest=f"title_{lang}")
        extra.add_argument(f"--description-{lang}", dest=f"description_{lang}")
    named, unknown = extra.parse_known_args(rest)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    for lang in project.language_codes:
        titles.setdefault(lang, getattr(named, f"title_{lang}") or "")
        descriptions.setdefault(lang, getattr(named, f"description_{lang}") or "")
    try:
        written = scaffold(args.slug, titles, descriptions, project)
    except ScaffoldError as err:
        print(f"new-page: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {project.display(path)}")
    source = PageIndex(project).source_language(f"{args.slug}.md")
    print(f"The original is {project.display(project.docs_dir / source / args.slug)}.md. Write it, fill "
          "in `description:` in every file, translate, then: handbook translations --stamp <translation>")
    return 0


def _per_language(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        lang, sep, text = pair.partition("=")
        if not sep:
            raise SystemExit(f"new-page: expected LANG=TEXT, got {pair!r}")
        found[lang.strip()] = text
    return found


if __name__ == "__main__":
    raise SystemExit(main())
