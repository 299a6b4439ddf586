"""llms.txt per language (https://llmstxt.org): the pages with one-line descriptions, for readers
who ask an assistant about the handbook. Written at /llms.txt and /<lang>/llms.txt."""

from __future__ import annotations

from handbook.editions._text import pick
from handbook.editions.manifest import Manifest


def render(manifest: Manifest, news: list[tuple[str, str, str]], other_languages: dict[str, str]) -> str:
    """manifest: the language's pages in nav order; news: (title, absolute URL, description);
    other_languages: language name -> absolute URL of its llms.txt."""
    lang = manifest.language
    base = manifest.site_url.rstrip("/") + "/"
    out = [f"# {manifest.site_name}", ""]
    if manifest.site_description:
        out += [f"> {manifest.site_description}", ""]
    out += [pick(STRINGS, lang, "about"), ""]
    for name, url in other_languages.items():
        out.append(pick(STRINGS, lang, "other", name=name, url=url))
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
                out += ["", f"## {pick(STRINGS, lang, 'more')}", ""]
            line = f"- [{_clean(entry.title)}]({base}{entry.url})"
            out.append(f"{line}: {_clean(entry.description)}" if entry.description else line)
    if news:
        out += ["", f"## {pick(STRINGS, lang, 'news')}", ""]
        out += [f"- [{_clean(t)}]({u}): {_clean(d)}" for t, u, d in news]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _clean(text: str) -> str:
    return " ".join(str(text).split()).replace("[", "(").replace("]", ")")


STRINGS = {
    "nb": {"about": "Sidene under er på norsk (bokmål). Hver lenke går til en side i håndboka, med en "
                    "kort beskrivelse av hva siden handler om.",
           "other": "- {name}: {url}", "more": "Annet", "news": "Nytt"},
    "sv": {"about": "Sidorna nedan är på svenska. Varje länk går till en sida i handboken, med en kort "
                    "beskrivning av vad sidan handlar om.",
           "other": "- {name}: {url}", "more": "Övrigt", "news": "Nyheter"},
    "en": {"about": "Each link below goes to a page of the handbook, with a short description of what "
                    "the page is about.",
           "other": "- {name}: {url}", "more": "More", "news": "News"},
}
