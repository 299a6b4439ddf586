"""A BALSAM knowledge library ("kunskapsbibliotek") read into a model and rendered as site pages.

The library is a folder in BALSAM's format:

    README.md               the library's front page
    Articles/**/*.md        a tree of categories (folders) and articles
    Resources/<Name>/       one resource per first-level folder, described by its README.md
    Resources/<file>        library-wide resources: .url = a link, .md = a page, else a document
    Templates/*.json        template and example cards: name, git, html, description, tags

`read_library` builds the model and collects problems (bad template JSON, a resource without
README.md, a .url without URL=) instead of failing; `render_library` turns the model into a
mapping {relative output path: bytes} for one site language, laid out like the library itself so
that relative links between articles and resources keep working; `write_tree` writes that
mapping to a folder and touches only what changed. `copy_resource` copies a resource into a
project's `Resources/` folder the way BALSAM does. Nothing here knows about MkDocs.

Content is Swedish. A page `x.md` may have a translation next to it (`x.nb.md`); a page rendered
for another language without such a translation carries a short note saying it is in Swedish.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import posixpath
import re
import shutil
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from handbook.markdown import frontmatter

SOURCE_LANGUAGE = "sv"
REQUIRED_TEMPLATE_FIELDS = ("name", "git", "description")
GITIGNORE = "# Generated from the knowledge library by hooks/library.py.\n*\n!.gitignore\n"
SKIP_NAMES = {".git", ".ipynb_checkpoints", "__pycache__", ".DS_Store"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so an unchanged resource gives a byte-identical zip

NOTES = {
    "nb": "Denne siden er på svensk.",
    "nn": "Denne sida er på svensk.",
    "da": "Denne side er på svensk.",
    "en": "This page is in Swedish.",
}
NOTE_TITLES = {"nb": "Merk", "nn": "Merk", "da": "Bemærk", "en": "Note"}

# Text the renderer writes itself. Heading ids are fixed so both languages share them.
STRINGS = {
    "sv": {
        "library": "Kunskapsbibliotek",
        "contents": "Innehåll",
        "articles": "Artiklar",
        "resources": "Resurser",
        "library_files": "Resurser för hela biblioteket",
        "templates": "Mallar och exempel",
        "files": "Filer",
        "download": "Ladda ner hela resursen som zip-fil",
        "this_page": "den här sidan",
        "tags": "Taggar",
        "git": "Git-förråd",
        "html": "Mer information",
        "no_readme": "Resursen har ingen README.md som beskriver den.",
        "empty": "Inget här ännu.",
        "overview": "Översikt",
        "desc_front": "Kunskapsbibliotekets startsida med artiklar, resurser, mallar och exempel.",
        "desc_category": "Artiklar i kategorin {name} i kunskapsbiblioteket.",
        "desc_articles": "Alla kategorier och artiklar i kunskapsbiblioteket.",
        "desc_resources": "Resurser i kunskapsbiblioteket: kod att kopiera in i ett projekt.",
        "desc_resource": "Resursen {name} i kunskapsbiblioteket.",
        "desc_templates": "Mallar och exempel som ett nytt projekt kan skapas från.",
        "desc_page": "{title}: en sida i kunskapsbiblioteket.",
    },
    "nb": {
        "library": "Kunnskapsbibliotek",
        "contents": "Innhold",
        "articles": "Artikler",
        "resources": "Ressurser",
        "library_files": "Ressurser for hele biblioteket",
        "templates": "Maler og eksempler",
        "files": "Filer",
        "download": "Last ned hele ressursen som zip-fil",
        "this_page": "denne siden",
        "tags": "Stikkord",
        "git": "Git-repo",
        "html": "Mer informasjon",
        "no_readme": "Ressursen har ingen README.md som beskriver den.",
        "empty": "Ingenting her ennå.",
        "overview": "Oversikt",
        "desc_front": "Kunnskapsbibliotekets forside med artikler, ressurser, maler og eksempler.",
        "desc_category": "Artikler i kategorien {name} i kunnskapsbiblioteket.",
        "desc_articles": "Alle kategorier og artikler i kunnskapsbiblioteket.",
        "desc_resources": "Ressurser i kunnskapsbiblioteket: kode å kopiere inn i et prosjekt.",
        "desc_resource": "Ressursen {name} i kunnskapsbiblioteket.",
        "desc_templates": "Maler og eksempler som et nytt prosjekt kan lages fra.",
        "desc_page": "{title}: en svensk side i kunnskapsbiblioteket.",
    },
}
IDS = {
    "contents": "kb-innehall",
    "articles": "kb-artiklar",
    "resources": "kb-resurser",
    "library_files": "kb-biblioteksresurser",
    "templates": "kb-mallar",
    "files": "kb-filer",
}


class LibraryError(Exception):
    """A problem that stops an operation (missing library, missing resource, would overwrite)."""


@dataclass
class Problem:
    path: PurePosixPath  # relative to the library root
    message: str
    line: int | None = None

    def format(self, root_label: str) -> str:
        where = posixpath.join(root_label, str(self.path)) if root_label else str(self.path)
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


@dataclass
class Article:
    rel: PurePosixPath
    title: str


@dataclass
class Category:
    rel: PurePosixPath  # Articles or Articles/<a>/<b>
    name: str
    articles: list[Article] = field(default_factory=list)
    children: list[Category] = field(default_factory=list)
    index: PurePosixPath | None = None  # the category's own README.md/index.md, if any

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Resource:
    name: str
    rel: PurePosixPath  # Resources/<Name>
    files: list[PurePosixPath]  # every file of the resource, relative to the library root
    readme: PurePosixPath | None
    title: str


@dataclass
class LibraryFile:
    rel: PurePosixPath  # Resources/<file>
    kind: str  # "url", "page" or "document"
    title: str
    url: str | None = None


@dataclass
class Template:
    rel: PurePosixPath
    name: str
    git: str
    description: str
    html: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Library:
    root: Path
    title: str
    readme: PurePosixPath | None
    articles: Category
    resources: list[Resource]
    library_files: list[LibraryFile]
    templates: list[Template]
    problems: list[Problem]
    translations: tuple[str, ...] = ()

    def pages(self) -> list[PurePosixPath]:
        """Every Markdown source page of the library (translations excluded)."""
        found = [self.readme] if self.readme else []
        for category in self.articles.walk():
            found += [a.rel for a in category.articles]
        for res in self.resources:
            found += [f for f in res.files if f.suffix == ".md" and not self._is_translation(f)]
        found += [f.rel for f in self.library_files if f.kind == "page"]
        return found

    def _is_translation(self, rel: PurePosixPath) -> bool:
        return is_translation(rel, self.translations)


# ---------------------------------------------------------------- reading


def is_translation(rel: PurePosixPath, translations: tuple[str, ...]) -> bool:
    """`x.nb.md` is the nb translation of `x.md`."""
    suffixes = rel.suffixes
    return len(suffixes) >= 2 and suffixes[-1] == ".md" and suffixes[-2][1:] in translations


def translation_of(rel: PurePosixPath, lang: str) -> PurePosixPath:
    return rel.with_name(f"{rel.name[:-3]}.{lang}.md")


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and path.name not in SKIP_NAMES


def _files_under(folder: Path) -> list[Path]:
    out = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name.casefold()):
        if not _visible(path):
            continue
        if path.is_dir():
            out += _files_under(path)
        elif path.is_file():
            out.append(path)
    return out


def split_front_matter(text: str) -> tuple[dict, str]:
    """(meta, body) of a Markdown text; meta is {} without a YAML front matter block."""
    raw, body, lines = frontmatter.split(text)
    if not lines:
        return {}, text
    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), body


def _scan_headings(body: str):
    """(line index, level, text) of ATX headings outside fenced code."""
    fence = None
    for i, line in enumerate(body.splitlines()):
        stripped = line.lstrip()
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if m:
            if fence is None:
                fence = m.group(1)
            elif stripped.startswith(fence):
                fence = None
            continue
        if fence is None:
            h = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if h:
                yield i, len(h.group(1)), h.group(2)


def _clean_title(text: str) -> str:
    text = re.sub(r"\s*\{[^}]*\}\s*$", "", text)  # attr_list {#id}
    return re.sub(r"[*_`]", "", text).strip()


def markdown_title(text: str, fallback: str) -> str:
    meta, body = split_front_matter(text)
    if isinstance(meta.get("title"), str) and meta["title"].strip():
        return meta["title"].strip()
    for _, level, heading in _scan_headings(body):
        if level == 1:
            return _clean_title(heading) or fallback
    return fallback


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _read_category(root: Path, folder: Path, translations) -> Category:
    rel = PurePosixPath(folder.relative_to(root).as_posix())
    category = Category(rel=rel, name=folder.name)
    for path in sorted(folder.iterdir(), key=lambda p: p.name.casefold()):
        if not _visible(path):
            continue
        if path.is_dir():
            child = _read_category(root, path, translations)
            if child.articles or child.children:
                category.children.append(child)
            continue
        prel = rel / path.name
        if path.suffix != ".md" or is_translation(prel, translations):
            continue
        if path.name in ("README.md", "index.md"):
            if category.index is None or path.name == "index.md":
                category.index = prel
            continue
        category.articles.append(Article(prel, markdown_title(_read_text(path), path.stem)))
    category.articles.sort(key=lambda a: a.title.casefold())
    return category


def parse_url_file(text: str) -> tuple[str | None, int | None]:
    """(URL, line) from an Internet shortcut; URL None without a URL= line, "" when empty."""
    for number, line in enumerate(text.splitlines(), start=1):
        key, sep, value = line.partition("=")
        if sep and key.strip().upper() == "URL":
            return value.strip(), number
    return None, None


def _line_of_key(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{key}"' in line:
            return number
    return None


def read_template(path: Path, rel: PurePosixPath) -> tuple[Template | None, list[Problem]]:
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(rel, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)]
    if not isinstance(data, dict):
        return None, [Problem(rel, "a template card must be a JSON object", 1)]
    problems = []
    for key in REQUIRED_TEMPLATE_FIELDS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            what = "missing" if key not in data else "empty or not a string"
            problems.append(Problem(rel, f"template field '{key}' is {what}",
                                    _line_of_key(text, key)))
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(Problem(rel, "template field 'tags' must be a list of strings",
                                _line_of_key(text, "tags")))
        tags = []
    page = data.get("html")
    if page is not None and not isinstance(page, str):
        problems.append(Problem(rel, "template field 'html' must be a string",
                                _line_of_key(text, "html")))
        page = None
    # a card without name, git or description cannot be shown honestly: report and skip it
    required = tuple(f"template field '{key}'" for key in REQUIRED_TEMPLATE_FIELDS)
    if any(p.message.startswith(required) for p in problems):
        return None, problems
    return Template(rel, data["name"].strip(), data["git"].strip(), data["description"].strip(),
                    page.strip() if page else None, tags), problems


def read_library(root: Path | str, translations: tuple[str, ...] = ("nb",)) -> Library:
    """Read a library folder into a model; problems are collected, not raised."""
    root = Path(root)
    if not root.is_dir():
        raise LibraryError(f"{root}: knowledge library folder not found")
    problems: list[Problem] = []

    readme = PurePosixPath("README.md") if (root / "README.md").is_file() else None
    if readme is None:
        problems.append(Problem(PurePosixPath("README.md"),
                                "the library has no README.md (its front page)"))
        title = STRINGS["sv"]["library"]
    else:
        title = markdown_title(_read_text(root / "README.md"), STRINGS["sv"]["library"])

    articles_dir = root / "Articles"
    if articles_dir.is_dir():
        articles = _read_category(root, articles_dir, translations)
    else:
        articles = Category(PurePosixPath("Articles"), "Articles")

    resources: list[Resource] = []
    library_files: list[LibraryFile] = []
    res_dir = root / "Resources"
    if res_dir.is_dir():
        for path in sorted(res_dir.iterdir(), key=lambda p: p.name.casefold()):
            if not _visible(path):
                continue
            rel = PurePosixPath("Resources") / path.name
            if path.is_dir():
                files = [PurePosixPath(f.relative_to(root).as_posix()) for f in _files_under(path)]
                has_readme = (path / "README.md").is_file()
                if not has_readme:
                    problems.append(Problem(rel, "resource has no README.md describing it"))
                res_title = (markdown_title(_read_text(path / "README.md"), path.name)
                             if has_readme else path.name)
                resources.append(Resource(path.name, rel, files,
                                          rel / "README.md" if has_readme else None, res_title))
            elif path.suffix.lower() == ".url":
                url, line = parse_url_file(_read_text(path))
                if url is None:
                    problems.append(Problem(rel, "no URL= line: a .url file needs "
                                            "'[InternetShortcut]' and 'URL=<address>'"))
                elif not url:
                    problems.append(Problem(rel, "URL= is empty", line))
                else:
                    library_files.append(LibraryFile(rel, "url", path.stem, url))
            elif path.suffix == ".md":
                if is_translation(rel, translations):
                    continue
                library_files.append(LibraryFile(rel, "page",
                                                 markdown_title(_read_text(path), path.stem)))
            else:
                library_files.append(LibraryFile(rel, "document", path.name))

    templates: list[Template] = []
    tpl_dir = root / "Templates"
    if tpl_dir.is_dir():
        for path in sorted(tpl_dir.glob("*.json"), key=lambda p: p.name.casefold()):
            template, found = read_template(path, PurePosixPath("Templates") / path.name)
            problems += found
            if template:
                templates.append(template)

    return Library(root, title, readme, articles, resources, library_files, templates, problems,
                   tuple(translations))


def validate(root: Path | str, translations: tuple[str, ...] = ("nb",)) -> list[Problem]:
    return read_library(root, translations).problems


# ---------------------------------------------------------------- rendering


_site_language: ContextVar[str] = ContextVar("site_language", default=SOURCE_LANGUAGE)


def _name(text: str) -> str:
    """A name from the (Swedish) library, marked as such on another language's site."""
    shown = _text(text)
    if _site_language.get() == SOURCE_LANGUAGE:
        return shown
    return f'<span lang="{SOURCE_LANGUAGE}">{shown}</span>'


def _heading_lang() -> str:
    return "" if _site_language.get() == SOURCE_LANGUAGE else f" {{ lang={SOURCE_LANGUAGE} }}"


def _strings(lang: str) -> dict:
    return STRINGS.get(lang, STRINGS[SOURCE_LANGUAGE])


def _link(from_page: PurePosixPath, target: PurePosixPath | str) -> str:
    """A relative link from one library page to another library path."""
    rel = posixpath.relpath(str(target), str(from_page.parent))
    return _url(rel)


def _url(url: str) -> str:
    # angle brackets let Markdown take spaces and parentheses in a link target
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _text(value: str) -> str:
    """Plain text from a JSON card or file name, safe inside Markdown."""
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", html.escape(value, quote=False))


def _is_web(url: str) -> bool:
    return re.match(r"https?://", url or "") is not None


def _front_matter(meta: dict) -> str:
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def _first_paragraph(body: str) -> str:
    fence = False
    para: list[str] = []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        if not s:
            if para:
                break
            continue
        if s.startswith(("#", "!!!", "???", "|", "<", "-", "*", ">", "===")) or re.match(
                r"\d+\.", s):
            if para:
                break
            continue
        para.append(s)
    text = " ".join(para)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", text)
    if len(text) > 200:
        cut = text[:200]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        text = cut[: end + 1] if end > 40 else cut.rsplit(" ", 1)[0] + " …"
    return text


def _note(lang: str) -> str:
    return f'!!! info "{NOTE_TITLES[lang]}"\n\n    {NOTES[lang]}\n'


def _insert_after_h1(body: str, block: str) -> str:
    lines = body.splitlines()
    for index, level, _ in _scan_headings(body):
        if level == 1:
            rest = "\n".join(lines[index + 1:]).lstrip("\n")
            return "\n".join([*lines[: index + 1], "", block, rest]) + "\n"
        break
    return block + "\n" + body


def _mark_h1(body: str) -> str:
    """Give the first-level heading the library's language (attr_list)."""
    lines = body.splitlines()
    for index, level, _ in _scan_headings(body):
        if level == 1 and not lines[index].rstrip().endswith("}"):
            lines[index] = lines[index].rstrip() + f" {{ lang={SOURCE_LANGUAGE} }}"
        break
    return "\n".join(lines) + "\n"


def _h1(body: str) -> bool:
    return any(level == 1 for _, level, _ in list(_scan_headings(body))[:1])


def render_page(lib: Library, rel: PurePosixPath, lang: str, *, fallback_title: str,
                extra: str = "", text: str | None = None) -> str:
    """One library Markdown page for `lang`: its translation if there is one, else the
    Swedish source with a note; front matter completed; `extra` Markdown appended."""
    strings = _strings(lang)
    translated = None
    if text is None and lang != SOURCE_LANGUAGE:
        candidate = lib.root / translation_of(rel, lang)
        if candidate.is_file():
            translated = _read_text(candidate)
    if text is None:
        text = translated if translated is not None else _read_text(lib.root / rel)
    meta, body = split_front_matter(text)
    body = body.lstrip("\n")
    title = markdown_title(text, fallback_title)
    if translated is not None:
        # links to other translations point at the page names the site uses
        body = re.sub(rf"(\]\([^)\s]*?)\.{lang}\.md\b", r"\1.md", body)
    if not _h1(body):
        body = f"# {title}\n\n{body}"
    if lang != SOURCE_LANGUAGE and translated is None and lang in NOTES:
        body = _mark_h1(body)
        body = _insert_after_h1(body, _note(lang) + f'\n<div lang="{SOURCE_LANGUAGE}" markdown>\n')
        body = body.rstrip() + "\n\n</div>\n"
    meta = dict(meta)
    meta.setdefault("title", title)
    if not isinstance(meta.get("description"), str) or not meta["description"].strip():
        first = _first_paragraph(body) if (lang == SOURCE_LANGUAGE or translated) else ""
        meta["description"] = first or strings["desc_page"].format(title=title)
    meta["handbook_library"] = str(rel)
    out = _front_matter(meta) + body.rstrip() + "\n"
    if extra:
        out += "\n" + extra.rstrip() + "\n"
    return out


def _generated_page(title: str, description: str, body: str, rel: PurePosixPath,
                    source_name: bool = False) -> str:
    meta = {"title": title, "description": description, "handbook_library": str(rel)}
    heading = f"# {_text(title)}{_heading_lang() if source_name else ''}"
    return _front_matter(meta) + heading + "\n\n" + body.rstrip() + "\n"


def _category_index_path(category: Category) -> PurePosixPath:
    return category.index or category.rel / "index.md"


def _article_tree(category: Category, page: PurePosixPath, depth: int = 0) -> list[str]:
    lines = []
    pad = "    " * depth
    for article in category.articles:
        lines.append(f"{pad}- [{_name(article.title)}]({_link(page, article.rel)})")
    for child in category.children:
        lines.append(f"{pad}- [{_name(child.name)}]({_link(page, _category_index_path(child))})")
        lines += _article_tree(child, page, depth + 1)
    return lines


def _resource_list(lib: Library, page: PurePosixPath, strings: dict, level: str) -> list[str]:
    lines = [f"- [{_name(r.title)}]({_link(page, r.rel / 'README.md')})" for r in lib.resources]
    if lib.library_files:
        lines += ["", f"{level} {strings['library_files']} {{#{IDS['library_files']}}}", ""]
        for f in lib.library_files:
            if f.kind == "url":
                target = _url(f.url) if _is_web(f.url) else None
                lines.append(f"- [{_name(f.title)}]({target})" if target
                             else f"- {_name(f.title)}: `{f.url}`")
            elif f.rel != page:  # a Resources/README.md is the listing page itself
                lines.append(f"- [{_name(f.title)}]({_link(page, f.rel)})")
    return lines


def _template_cards(lib: Library, strings: dict) -> list[str]:
    if not lib.templates:
        return [strings["empty"]]
    lines = ['<div class="grid cards" markdown>', ""]
    for t in lib.templates:
        lines += [f"-   **{_name(t.name)}**", "", "    ---", "", f"    {_name(t.description)}", ""]
        if t.tags:
            lines += [f"    {strings['tags']}: " + ", ".join(_name(tag) for tag in t.tags), ""]
        links = []
        if _is_web(t.git):
            links.append(f"[{strings['git']}]({_url(t.git)})")
        else:
            links.append(f"{strings['git']}: `{t.git}`")
        if t.html and _is_web(t.html):
            links.append(f"[{strings['html']}]({_url(t.html)})")
        lines += ["    " + " · ".join(links), ""]
    lines.append("</div>")
    return lines


def _template_summary(lib: Library, page: PurePosixPath) -> list[str]:
    lines = []
    for t in lib.templates:
        line = f"- {_name(t.name)}: {_name(t.description)}"
        if _is_web(t.git):
            line += f" ([git]({_url(t.git)}))"
        lines.append(line)
    return lines


def _nb_note_notebook(raw: bytes, lang: str) -> bytes:
    nb = json.loads(raw.decode("utf-8"))
    cells = nb.setdefault("cells", [])
    note = {"cell_type": "markdown", "id": "handbook-language-note", "metadata": {},
            "source": [f"!!! info \"{NOTE_TITLES[lang]}\"\n", "\n", f"    {NOTES[lang]}\n"]}
    at = 0
    if cells and cells[0].get("cell_type") == "markdown":
        source = "".join(cells[0].get("source", []))
        if source.lstrip().startswith("# "):
            at = 1
    cells.insert(at, note)
    return (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def zip_resource(lib: Library, resource: Resource) -> bytes:
    """The resource folder as a zip with entries under `<Name>/`, reproducible byte for byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in resource.files:
            inner = PurePosixPath(resource.name) / PurePosixPath(rel).relative_to(resource.rel)
            info = zipfile.ZipInfo(str(inner), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, (lib.root / rel).read_bytes())
    return buffer.getvalue()


def zip_name(resource: Resource) -> PurePosixPath:
    return resource.rel / f"{resource.name}.zip"


def render_library(lib: Library, lang: str = SOURCE_LANGUAGE) -> dict[PurePosixPath, bytes]:
    """Every file of the rendered library for one language, keyed by path relative to the
    library's folder in the site (same layout as the library)."""
    token = _site_language.set(lang)
    try:
        return _render_library(lib, lang)
    finally:
        _site_language.reset(token)


def _render_library(lib: Library, lang: str) -> dict[PurePosixPath, bytes]:
    s = _strings(lang)
    out: dict[PurePosixPath, str | bytes] = {}
    front = PurePosixPath("README.md")
    articles_index = _category_index_path(lib.articles)
    resources_readme = next((f for f in lib.library_files
                             if f.kind == "page" and f.rel.name in ("README.md", "index.md")), None)
    resources_index = (resources_readme.rel if resources_readme
                       else PurePosixPath("Resources/index.md"))
    templates_index = PurePosixPath("Templates/index.md")

    # front page: the README and a listing of everything
    listing = [
        f"## {s['contents']} {{#{IDS['contents']}}}", "",
        f"### {s['articles']} {{#{IDS['articles']}}}", "",
        f"[{s['overview']}]({_link(front, articles_index)})", "",
        *(_article_tree(lib.articles, front) or [s["empty"]]), "",
        f"### {s['resources']} {{#{IDS['resources']}}}", "",
        f"[{s['overview']}]({_link(front, resources_index)})", "",
        *(_resource_list(lib, front, s, "####") or [s["empty"]]), "",
        f"### {s['templates']} {{#{IDS['templates']}}}", "",
        f"[{s['overview']}]({_link(front, templates_index)})", "",
        *(_template_summary(lib, front) or [s["empty"]]),
    ]
    if lib.readme:
        out[front] = render_page(lib, lib.readme, lang, fallback_title=s["library"],
                                 extra="\n".join(listing))
        if "description" not in split_front_matter(_read_text(lib.root / lib.readme))[0]:
            # the front page has a fixed, meaningful description
            meta, body = split_front_matter(out[front])
            meta["description"] = s["desc_front"]
            out[front] = _front_matter(meta) + body.lstrip("\n")
    else:
        out[front] = _generated_page(s["library"], s["desc_front"], "\n".join(listing), front)

    # articles: the category tree, one index page per category
    for category in lib.articles.walk():
        for article in category.articles:
            out[article.rel] = render_page(lib, article.rel, lang, fallback_title=article.rel.stem)
        page = _category_index_path(category)
        tree = "\n".join(_article_tree(category, page) or [s["empty"]])
        if category.index:
            out[page] = render_page(lib, category.index, lang, fallback_title=category.name,
                                    extra=tree)
        elif category is lib.articles:
            out[page] = _generated_page(s["articles"], s["desc_articles"], tree, page)
        else:
            out[page] = _generated_page(category.name,
                                        s["desc_category"].format(name=category.name), tree, page,
                                        source_name=True)

    # resources
    resource_list = "\n".join(_resource_list(lib, resources_index, s, "##") or [s["empty"]])
    if resources_readme:
        out[resources_index] = render_page(lib, resources_readme.rel, lang,
                                           fallback_title=s["resources"], extra=resource_list)
    else:
        out[resources_index] = _generated_page(s["resources"], s["desc_resources"], resource_list,
                                               resources_index)
    for res in lib.resources:
        page = res.rel / "README.md"
        files = [f"## {s['files']} {{#{IDS['files']}}}", ""]
        for rel in res.files:
            shown = _text(str(PurePosixPath(rel).relative_to(res.rel)))
            if rel == page:
                files.append(f"- {shown} ({s['this_page']})")
            else:
                files.append(f"- [{shown}]({_link(page, rel)})")
        zip_link = _link(page, zip_name(res))
        files += ["", f"[{s['download']}: {_name(res.name + '.zip')}]({zip_link})"]
        if res.readme:
            out[page] = render_page(lib, res.readme, lang, fallback_title=res.name,
                                    extra="\n".join(files))
        else:
            out[page] = _generated_page(res.name, s["desc_resource"].format(name=res.name),
                                        s["no_readme"] + "\n\n" + "\n".join(files), page,
                                        source_name=True)
        out[zip_name(res)] = zip_resource(lib, res)
        for rel in res.files:
            if rel == res.readme or is_translation(rel, lib.translations):
                continue
            if rel.suffix == ".md":
                out[rel] = render_page(lib, rel, lang, fallback_title=rel.stem)
            elif rel.suffix == ".ipynb" and lang != SOURCE_LANGUAGE and lang in NOTES:
                out[rel] = _nb_note_notebook((lib.root / rel).read_bytes(), lang)
            else:
                out[rel] = (lib.root / rel).read_bytes()
    for f in lib.library_files:
        if f is resources_readme:
            continue
        if f.kind == "page":
            out[f.rel] = render_page(lib, f.rel, lang, fallback_title=f.rel.stem)
        elif f.kind == "document":
            out[f.rel] = (lib.root / f.rel).read_bytes()

    # templates and examples
    out[templates_index] = _generated_page(s["templates"], s["desc_templates"],
                                           "\n".join(_template_cards(lib, s)), templates_index)

    return {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in out.items()}


def write_tree(outputs: dict[PurePosixPath, bytes], target: Path) -> int:
    """Make `target` hold exactly `outputs` (plus a .gitignore); write only changed files so that
    `mkdocs serve` does not rebuild forever. Returns the number of files written or removed."""
    target.mkdir(parents=True, exist_ok=True)
    changed = 0
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
    wanted = {target / str(rel) for rel in outputs}
    for path in sorted(target.rglob("*"), reverse=True):
        if path.name.startswith("."):
            continue  # .gitignore, and another build's half-written .x.tmp
        if path.is_file() and path not in wanted:
            path.unlink(missing_ok=True)
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            with contextlib.suppress(OSError):  # another build may be filling it right now
                path.rmdir()
    for rel, data in outputs.items():
        path = target / str(rel)
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic, since other builds may read the tree at the same time
        changed += 1
    return changed


# ---------------------------------------------------------------- copying into a project


def resource_names(root: Path) -> list[str]:
    res = root / "Resources"
    if not res.is_dir():
        return []
    return sorted((p.name + ("/" if p.is_dir() else "") for p in res.iterdir() if _visible(p)),
                  key=str.casefold)


def copy_resource(library_root: Path | str, name: str, project: Path | str, *,
                  force: bool = False) -> list[Path]:
    """Copy `Resources/<name>` (a folder or a single file) into `<project>/Resources/` as BALSAM
    does. Refuses to overwrite existing files unless `force`; nothing is copied when it refuses.
    Returns the paths written."""
    library_root, project = Path(library_root), Path(project)
    if not library_root.is_dir():
        raise LibraryError(f"{library_root}: knowledge library folder not found")
    if not project.is_dir():
        raise LibraryError(f"{project}: project folder not found")
    name = name.strip().rstrip("/")
    if name.startswith("Resources/"):
        name = name[len("Resources/"):]
    if not name or "/" in name or name in (".", ".."):
        raise LibraryError(f"'{name}': give a folder name or a file directly in Resources/")
    source = library_root / "Resources" / name
    if not source.exists() or not _visible(source):
        available = ", ".join(resource_names(library_root)) or "none"
        raise LibraryError(f"no resource '{name}' in {library_root / 'Resources'} "
                           f"(available: {available})")
    files = _files_under(source) if source.is_dir() else [source]
    pairs = [(f, project / "Resources" / f.relative_to(library_root / "Resources")) for f in files]
    existing = [dst for _, dst in pairs if dst.exists()]
    if existing and not force:
        listed = "\n  ".join(str(p) for p in existing)
        raise LibraryError(f"would overwrite {len(existing)} existing file(s) "
                           f"(use --force to replace them):\n  {listed}")
    written = []
    for src, dst in pairs:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        written.append(dst)
    return written

