"""Checks that a page can be read at all, before anything renders it.

Each check returns `Problem`s with a 1-based line: bytes that are not UTF-8, NUL bytes (binary
files), a page or notebook over its size limit, front matter that is not valid YAML, a notebook
that is not JSON. The build reports them as `file:line: message` and never shows a traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from handbook.markdown import frontmatter


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
    return problems


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
