"""Small helpers the editions share: dates and language names in words, slugs, URLs.

The editions' text lives in the project's data/strings.yml under `editions_*` keys (English
fallback in handbook/i18n/strings.en.yml), read through handbook.i18n.strings.Strings.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata

from handbook.i18n.strings import Strings


def long_date(day: dt.date, language: str, strings: Strings) -> str:
    """15. februar 2025 (nb), 15 februari 2025 (sv): data/strings.yml's `editions_month_names`
    and `editions_date_format` for the language, else the English ones."""
    months = strings.raw(language, "editions_month_names")
    return strings.get(language, "editions_date_format", day=day.day, month=months[day.month - 1],
                       year=day.year)


def language_name(strings: Strings, code: str, reader: str) -> str:
    """What a reader of `reader` calls language `code` (`editions_language_names`), else the code."""
    names = strings.raw(reader, "editions_language_names") or {}
    return str(names.get(code) or strings.defaults["editions_language_names"].get(code) or code)


def slug(text: str) -> str:
    """A readable ASCII id: "Dapla Lab" -> "dapla-lab", "Överföring" -> "overforing"."""
    text = text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def language_root(language: str, default_language: str) -> str:
    """Where a language's pages live in the site: "" for the default, "sv/" for the others."""
    return "" if language == default_language else f"{language}/"


def page_url(src_uri: str) -> str:
    """Site URL (directory style) of a docs-relative Markdown path: dapla/botter.md -> dapla/botter/."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri.rsplit(".", 1)[0]
    name = stem.rsplit("/", 1)[-1]
    if name == "index" or name.lower() == "readme":
        stem = stem.rsplit("/", 1)[0] if "/" in stem else ""
    return f"{stem}/" if stem else ""


def build_time() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)
