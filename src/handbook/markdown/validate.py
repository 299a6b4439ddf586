"""Checks that a page can be read at all, before anything renders it.

Each check returns `Problem`s with a 1-based line: bytes that are not UTF-8, NUL bytes (binary
files), a page or notebook over its size limit, front matter that is not valid YAML, a notebook
that is not JSON, a `placeholders=` fence option that does not fit its block. The build reports
them as `file:line: message` and never shows a traceback.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from handbook.markdown import fences, frontmatter

PLACEHOLDER_RE = re.compile(r"<[^<>=\s]+>")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def check_file(path: Path, max_page_bytes: int, max_notebook_bytes: int) -> list[Problem]:
    """Problems of a Markdown page or notebook on disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Problem(1, f"cannot read the file: {exc.strerror}")]
    if path.suffix == ".ipynb":
        return check_notebook(data, max_notebook_bytes)
    return check_markdown(data, max_page_bytes)


def check_markdown(data: bytes, max_bytes: int) -> list[Problem]:
    if len(data) > max_bytes:
        return [Problem(1, f"the page is {size_text(len(data))}; the limit is {size_text(max_bytes)} "
                           "(split it into several pages)")]
    problems = _text_problems(data)
    if problems:
        return problems
    text = data.decode("utf-8-sig")
    try:
        frontmatter.parse(text)
    except frontmatter.FrontMatterError as exc:
        problems.append(Problem(exc.line, str(exc)))
    if "placeholders=" not in text:   # scanning every page's fences again costs every build
        return problems
    for block in fences.find_blocks(text, "", errors=[]):
        if block.executable and "placeholders" in block.options:
            try:
                placeholders(block)
            except ValueError as exc:
                problems.append(Problem(block.start, str(exc)))
    return problems


def placeholders(block: fences.Block) -> dict[str, str]:
    """The `placeholders=` of a block that runs: {placeholder: what the build puts there}.

    `placeholders="<cran-spegel>=https://cloud.r-project.org"` (several: separated by spaces)
    means that the build runs the block with the address in place of `<cran-spegel>`, while the
    reader still sees and copies the placeholder. ValueError, for the author, when an entry is not
    `<name>=value`, a placeholder is named twice or is not in the code, or the block is skipped.
    """
    value = str(block.options.get("placeholders", ""))
    if not value:
        return {}
    if block.skip_reason:
        raise ValueError("placeholders= is for blocks that run; this one has skip=")
    found: dict[str, str] = {}
    for entry in value.split():
        name, eq, replacement = entry.partition("=")
        if not eq or not PLACEHOLDER_RE.fullmatch(name) or not replacement:
            raise ValueError(f"placeholders=: {entry!r} is not <placeholder>=value, "
                             "e.g. placeholders=\"<cran-spegel>=https://cloud.r-project.org\"")
        if name in found:
            raise ValueError(f"placeholders=: {name} is named twice")
        if name not in block.code:
            raise ValueError(f"placeholders=: {name} does not occur in the block's code")
        found[name] = replacement
    return found


def with_placeholders(block: fences.Block) -> str:
    """The code the build runs: the block's code with its placeholders replaced."""
    code = block.code
    for name, replacement in placeholders(block).items():
        code = code.replace(name, replacement)
    return code


def check_notebook(data: bytes, max_bytes: int) -> list[Problem]:
    if len(data) > max_bytes:
        return [Problem(1, f"the notebook is {size_text(len(data))}; the limit is {size_text(max_bytes)} "
                           "(save it without outputs, keep data files out of it)")]
    problems = _text_problems(data)
    if problems:
        return problems
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        return [Problem(exc.lineno, f"not a valid notebook: {exc.msg}")]
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return [Problem(1, "not a valid notebook: no list of cells")]
    return []


def _text_problems(data: bytes) -> list[Problem]:
    if (nul := data.find(b"\0")) >= 0:
        return [Problem(_line(data, nul), "contains a NUL byte: a binary file, not text")]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(_line(data, exc.start), f"not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                                "save the file as UTF-8")]
    return []


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def size_text(n: int) -> str:
    """Bytes as whole kB, rounded up: 1 000 001 bytes is "1 001 kB"."""
    return f"{math.ceil(n / 1000):,} kB".replace(",", " ")


PLACEHOLDER_MARKDOWN = "# ?\n\nThis page could not be built; the build log says why.\n"
PLACEHOLDER_NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                        "cells": [{"id": "x", "cell_type": "markdown", "metadata": {},
                                   "source": "This notebook could not be built; the build log says why."}]}
