"""The text the library pages add themselves, in the page's language ("en" is the fallback).

One dict keyed by language until the project's `data/strings.yml` exists; a language added in
mkdocs.yml without an entry here gets the English text.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "library": "Kunskapsbibliotek",
        "contents": "Innehåll",
        "articles": "Artiklar",
        "resources": "Resurser",
        "library_files": "Resurser för hela biblioteket",
        "templates": "Mallar och exempel",
        "files": "Filer",
        "download_zip": "Ladda ner hela resursen som zip-fil",
        "download": "ladda ner",
        "download_notebook": "Ladda ner notebooken",
        "this_page": "den här sidan",
        "tags": "Taggar",
        "git": "Git-förråd",
        "html": "Mer information",
        "no_readme": "Resursen har ingen README.md som beskriver den.",
        "empty": "Inget här ännu.",
        "overview": "Översikt",
        "repository": "Bibliotekets förråd",
        "source_file": "Källfilen i bibliotekets förråd",
        "copy_title": "Kopiera till ett projekt",
        "copy_text": "I BALSAM kopierar du resursen till ett projekt och väljer gren under "
                     "*Kunskapsbibliotek*. Samma sak gör handbokens kommando med en klon av biblioteket "
                     "och en klon av projektets förråd (här `~/projekt`):",
        "copy_after": "Filerna hamnar i `Resources/` i projektet. Flytta det du vill arbeta vidare "
                      "med ut ur `Resources/`, och committa och pusha sedan.",
        "active_file": "visas som text, öppnas inte som webbsida",
        "output_image": "Bild som notebooken ritade",
        "bad_notebook": "Notebooken kan inte visas: {reason}. Ladda ner den för att öppna den i "
                        "JupyterLab.",
        "note_title": "Obs",
        "note": "Den här sidan är på {language}.",
        "desc_front": "{name}: artiklar, resurser, mallar och exempel.",
        "desc_category": "Artiklar i kategorin {name} i {library}.",
        "desc_articles": "Alla kategorier och artiklar i {library}.",
        "desc_resources": "Resurser i {library}: kod att kopiera in i ett projekt.",
        "desc_resource": "Resursen {name} i {library}.",
        "desc_templates": "Mallar och exempel i {library} som ett nytt projekt kan skapas från.",
        "desc_page": "{name}: en sida i {library}.",
        "lang_sv": "svenska", "lang_nb": "norska", "lang_en": "engelska",
    },
    "nb": {
        "library": "Kunnskapsbibliotek",
        "contents": "Innhold",
        "articles": "Artikler",
        "resources": "Ressurser",
        "library_files": "Ressurser for hele biblioteket",
        "templates": "Maler og eksempler",
        "files": "Filer",
        "download_zip": "Last ned hele ressursen som zip-fil",
        "download": "last ned",
        "download_notebook": "Last ned notatboka",
        "this_page": "denne siden",
        "tags": "Stikkord",
        "git": "Git-repo",
        "html": "Mer informasjon",
        "no_readme": "Ressursen har ingen README.md som beskriver den.",
        "empty": "Ingenting her ennå.",
        "overview": "Oversikt",
        "repository": "Bibliotekets repo",
        "source_file": "Kildefilen i bibliotekets repo",
        "copy_title": "Kopiere til et prosjekt",
        "copy_text": "I BALSAM kopierer du ressursen til et prosjekt og velger gren under "
                     "*Kunskapsbibliotek*. Det samme gjør håndbokas kommando med en klone av "
                     "biblioteket og en klone av prosjektets repo (her `~/projekt`):",
        "copy_after": "Filene havner i `Resources/` i prosjektet. Flytt det du vil arbeide videre "
                      "med ut av `Resources/`, og commit og push deretter.",
        "active_file": "vises som tekst, åpnes ikke som nettside",
        "output_image": "Bilde som notatboka tegnet",
        "bad_notebook": "Notatboka kan ikke vises: {reason}. Last den ned for å åpne den i "
                        "JupyterLab.",
        "note_title": "Merk",
        "note": "Denne siden er på {language}.",
        "desc_front": "{name}: artikler, ressurser, maler og eksempler.",
        "desc_category": "Artikler i kategorien {name} i {library}.",
        "desc_articles": "Alle kategorier og artikler i {library}.",
        "desc_resources": "Ressurser i {library}: kode å kopiere inn i et prosjekt.",
        "desc_resource": "Ressursen {name} i {library}.",
        "desc_templates": "Maler og eksempler i {library} som et nytt prosjekt kan lages fra.",
        "desc_page": "{name}: en side i {library}.",
        "lang_sv": "svensk", "lang_nb": "norsk", "lang_en": "engelsk",
    },
    "en": {
        "library": "Knowledge library",
        "contents": "Contents",
        "articles": "Articles",
        "resources": "Resources",
        "library_files": "Resources for the whole library",
        "templates": "Templates and examples",
        "files": "Files",
        "download_zip": "Download the whole resource as a zip file",
        "download": "download",
        "download_notebook": "Download the notebook",
        "this_page": "this page",
        "tags": "Tags",
        "git": "Git repository",
        "html": "More information",
        "no_readme": "The resource has no README.md describing it.",
        "empty": "Nothing here yet.",
        "overview": "Overview",
        "repository": "The library's repository",
        "source_file": "The source file in the library's repository",
        "copy_title": "Copy into a project",
        "copy_text": "In BALSAM you copy the resource into a project and pick a branch under "
                     "*Kunskapsbibliotek*. The handbook's command does the same with a clone of the "
                     "library and a clone of the project's repository (here `~/projekt`):",
        "copy_after": "The files land in `Resources/` in the project. Move what you keep working on "
                      "out of `Resources/`, then commit and push.",
        "active_file": "shown as text, not opened as a web page",
        "output_image": "Image drawn by the notebook",
        "bad_notebook": "The notebook cannot be shown: {reason}. Download it to open it in "
                        "JupyterLab.",
        "note_title": "Note",
        "note": "This page is in {language}.",
        "desc_front": "{name}: articles, resources, templates and examples.",
        "desc_category": "Articles in the category {name} in {library}.",
        "desc_articles": "All categories and articles in {library}.",
        "desc_resources": "Resources in {library}: code to copy into a project.",
        "desc_resource": "The resource {name} in {library}.",
        "desc_templates": "Templates and examples in {library} that a new project can start from.",
        "desc_page": "{name}: a page in {library}.",
        "lang_sv": "Swedish", "lang_nb": "Norwegian", "lang_en": "English",
    },
}
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


def strings(lang: str) -> dict[str, str]:
    """The strings for `lang`, each missing one taken from English."""
    return {**STRINGS["en"], **STRINGS.get(lang, {})}


def language_name(page_lang: str, content_lang: str) -> str:
    return strings(page_lang).get(f"lang_{content_lang}", content_lang)
