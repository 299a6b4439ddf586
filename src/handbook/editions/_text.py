"""Small helpers the editions share: picking a string for a language, dates in words, slugs.

Each module keeps its own strings in ONE dict keyed by language with an "en" fallback (a
project data file replaces them later); `pick` looks a key up for a language.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata

MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
DATE_FORMATS = {"nb": "{day}. {month} {year}", "sv": "{day} {month} {year}", "en": "{day} {month} {year}"}


def pick(strings: dict, lang: str, key: str, **values) -> str:
    """strings[lang][key], else the English text; formatted with `values` if given."""
    text = strings.get(lang, {}).get(key)
    if text is None:
        text = strings["en"][key]
    return text.format(**values) if values else text


def long_date(day: dt.date, language: str) -> str:
    """15. februar 2025 (nb), 15 februari 2025 (sv), 15 February 2025 (other languages)."""
    months = MONTHS.get(language, MONTHS["en"])
    form = DATE_FORMATS.get(language, DATE_FORMATS["en"])
    return form.format(day=day.day, month=months[day.month - 1], year=day.year)


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
