"""The text the library pages add themselves, in the page's language.

The text lives in the project's data/strings.yml under `library_*` keys (English fallback in
handbook/i18n/strings.en.yml), so a language added in mkdocs.yml gets the English text until
someone translates it there.
"""

from __future__ import annotations

from handbook.i18n.strings import Strings

# Heading ids the generated parts use, the same in every language.
IDS = {
    "contents": "kb-innehall",
    "articles": "kb-artiklar",
    "resources": "kb-resurser",
    "library_files": "kb-biblioteksresurser",
    "templates": "kb-mallar",
    "files": "kb-filer",
    "copy": "kb-kopiera",
}


PREFIX = "library_"


def strings(lang: str, texts: Strings | None = None) -> dict[str, str]:
    """The library's strings for `lang` from the project's data/strings.yml (keys `library_*`),
    each missing one taken from English."""
    texts = texts or Strings({}, Strings.load_defaults())
    return {key[len(PREFIX):]: str(texts.raw(lang, key)) for key in texts.defaults
            if key.startswith(PREFIX)}


def language_name(page_lang: str, content_lang: str, texts: Strings | None = None) -> str:
    return strings(page_lang, texts).get(f"lang_{content_lang}", content_lang)
