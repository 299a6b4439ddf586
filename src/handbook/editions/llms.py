"""llms.txt per language (https://llmstxt.org): the pages with one-line descriptions, for readers
who ask an assistant about the handbook. Written at /llms.txt and /<lang>/llms.txt."""

from __future__ import annotations

from handbook.editions.manifest import Manifest
from handbook.i18n.strings import Strings


def render(manifest: Manifest, news: list[tuple[str, str, str]], other_languages: dict[str, str],
           strings: Strings) -> str:
    """manifest: the language's pages in nav order; news: (title, absolute URL, description);
    other_languages: language name -> absolute URL of its llms.txt."""
    lang = manifest.language
    base = manifest.site_url.rstrip("/") + "/"
    out = [f"# {manifest.site_name}", ""]
    if manifest.site_description:
        out += [f"> {manifest.site_description}", ""]
    out += [strings.get(lang, "editions_llms_about"), ""]
    for name, url in other_languages.items():
        out.append(strings.get(lang, "editions_llms_other", name=name, url=url))
    if other_languages:
        out.append("")
    section = None
    for entry in manifest.entries:
        if entry.kind == "section" and entry.depth == 0:
            section = entry.title
            out += ["", f"## {section}", ""]
        elif entry.kind == "page":
            if entry.depth == 0 and section is not None:
                section = None
                out += ["", f"## {strings.get(lang, 'editions_llms_more')}", ""]
            line = f"- [{_clean(entry.title)}]({base}{entry.url})"
            out.append(f"{line}: {_clean(entry.description)}" if entry.description else line)
    if news:
        out += ["", f"## {strings.get(lang, 'editions_news')}", ""]
        out += [f"- [{_clean(t)}]({u}): {_clean(d)}" for t, u, d in news]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _clean(text: str) -> str:
    return " ".join(str(text).split()).replace("[", "(").replace("]", ")")

