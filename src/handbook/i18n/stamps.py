"""Translation stamps: which version of the original a translation follows.

A translation records the original's version in its front matter (notebooks: in
`metadata.handbook.translation_of`):

    translation_of: {source: nb, hash: 3f2a9c1b0d4e}

The hash is a sha256 prefix of the original's normalised text (title, description and body).
When the original changes, the translation is outdated until someone updates and stamps it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from handbook.i18n.pages import PageIndex
from handbook.markdown import frontmatter

HASH_LENGTH = 12
HASH_RE = re.compile(
    r"^translation_of:(?:.*\n(?:[ \t].*\n)*?[ \t]+|.*?)\bhash:[ \t]*[\"']?([0-9a-fA-F]+)", re.M)
STAMP_LINE_RE = re.compile(r"^translation_of:.*$")


class StampError(ValueError):
    pass


def normalised_text(path: Path, index: PageIndex) -> str:
    """What a translation follows: title, description and body, whitespace-normalised."""
    text = path.read_text(encoding="utf-8", errors="replace")  # the validate hook names bad bytes
    if path.suffix == ".ipynb":
        parts = []
        for cell in json.loads(text).get("cells", []):
            source = cell.get("source", "")
            parts.append(f"[{cell.get('cell_type')}]\n"
                         + ("".join(source) if isinstance(source, list) else source))
        body, head = "\n\n".join(parts), ""
    else:
        _, body, _ = frontmatter.split(text)
        meta = index.front_matter(path)
        head = f"{meta.get('title', '')}\n{meta.get('description', '')}\n\n"
    collapsed: list[str] = []
    for line in (line.rstrip() for line in body.replace("\r\n", "\n").split("\n")):
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    return head + "\n".join(collapsed).strip() + "\n"


def source_hash(path: Path, index: PageIndex) -> str:
    return hashlib.sha256(normalised_text(path, index).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def recorded_stamp(path: Path, index: PageIndex) -> dict | None:
    """The translation_of stamp of a translation, or None."""
    if path.suffix == ".ipynb":
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (ValueError, OSError):
            return None
        stamp = (meta.get("handbook") or {}).get("translation_of")
    else:
        stamp = index.front_matter(path).get("translation_of")
        if isinstance(stamp, dict):
            # YAML reads an all-digit hash as a number: take the hash as written
            raw, _, _ = frontmatter.split(path.read_text(encoding="utf-8"))
            m = HASH_RE.search(raw)
            stamp = {**stamp, "hash": m.group(1) if m else stamp.get("hash")}
    if isinstance(stamp, dict) and stamp.get("hash") not in (None, ""):
        return {"source": stamp.get("source"), "hash": str(stamp["hash"])}
    return None


def stamp_text(text: str, source: str, digest: str) -> str:
    """Set translation_of in Markdown front matter; nothing else in the file changes."""
    if yaml.safe_load(f"h: {digest}")["h"] != digest:
        digest = f'"{digest}"'  # e.g. all digits, which YAML would read as a number
    line = f"translation_of: {{source: {source}, hash: {digest}}}"
    newline = "\r\n" if "\r\n" in text else "\n"
    if not text.startswith("---"):
        return f"---{newline}{line}{newline}---{newline}{newline}{text}"
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise StampError("front matter is not closed with ---")
    out, i, replaced = lines[:1], 1, False
    while i < end:
        if STAMP_LINE_RE.match(lines[i]):
            # drop the old value, including an indented block form
            i += 1
            while i < end and lines[i][:1] in (" ", "\t"):
                i += 1
            out.append(line + newline)
            replaced = True
            continue
        out.append(lines[i])
        i += 1
    if not replaced:
        out.append(line + newline)
    out.extend(lines[end:])
    return "".join(out)


def stamp(path: Path, index: PageIndex) -> str:
    """Record the current hash of the original in the translation at `path`."""
    key = index.key_of(path)
    lang = index.language_of_file(path) if key else None
    if key is None or lang is None:
        raise StampError(f"{path}: not a page under {index.project.display(index.project.docs_dir)}"
                         f"/<language>/")
    pair = index.pair(key)
    if lang == pair.source:
        others = ", ".join(pair.rel(other) for other in pair.translations)
        raise StampError(f"{pair.rel(lang)} is the original ({lang}); stamp its translation: {others}")
    if not pair.source_file.exists():
        raise StampError(f"{pair.rel(pair.source)} does not exist")
    digest = source_hash(pair.source_file, index)
    target = pair.file(lang)
    if target.suffix == ".ipynb":
        nb = json.loads(target.read_text(encoding="utf-8"))
        nb.setdefault("metadata", {}).setdefault("handbook", {})["translation_of"] = {
            "source": pair.source, "hash": digest}
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        text = target.read_text(encoding="utf-8")
        target.write_text(stamp_text(text, pair.source, digest), encoding="utf-8")
    return digest
