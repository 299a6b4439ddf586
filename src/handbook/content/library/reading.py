"""Reading a library folder in BALSAM's format into a `Library`.

    README.md               the library's README (BALSAM's README tab)
    Articles/**/*.md        a tree of categories (folders) and articles, named by file name
    Resources/<Name>/       one resource per first-level folder, named by the folder, described
                            by its README.md (any case, as BALSAM matches it)
    Resources/<file>        library-wide resources: .url = a link, .md = a page, else a document
    Templates/*.json        template and example cards: name, git, html, description, tags

Problems are collected, not raised: a bad template card, a resource without README.md, a
`.url` without `URL=`, every refused symlink. Folders and files outside the format (SCB's
`ExampleProjects/`) are noted and not published.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from handbook.content.library import commonmark
from handbook.content.library.model import (
    INFO,
    Article,
    Category,
    Library,
    LibraryError,
    LibraryFile,
    Problem,
    Resource,
    Template,
    display_name,
    is_translation,
)
from handbook.content.library.tree import Tree, read_text, scan
from handbook.markdown import frontmatter

REQUIRED_TEMPLATE_FIELDS = ("name", "git", "description")
FORMAT_FOLDERS = ("Articles", "Resources", "Templates")


def read_library(root: Path | str, translations: tuple[str, ...] = ("nb",)) -> Library:
    """Read a library folder into a model; problems are collected, not raised."""
    tree = scan(root)
    problems = list(tree.problems)
    top_folders, top_files = tree.children(PurePosixPath("."))

    readme = next((f for f in top_files if f.name.lower() == "readme.md"), None)
    readme_title = None
    if readme is None:
        problems.append(Problem(PurePosixPath("README.md"),
                                "the library has no README.md (its front page)"))
    else:
        readme_title = first_h1(_text(tree, readme, problems))
    for folder in top_folders:
        if folder.name not in FORMAT_FOLDERS:
            problems.append(Problem(folder, "not part of BALSAM's library format (Articles, "
                                    "Resources, Templates): not published", level=INFO))

    articles_root = PurePosixPath("Articles")
    if articles_root in tree.folders:
        articles = _read_category(tree, articles_root, translations)
    else:
        articles = Category(articles_root, "Articles")

    resources: list[Resource] = []
    library_files: list[LibraryFile] = []
    res_root = PurePosixPath("Resources")
    if res_root in tree.folders:
        folders, files = tree.children(res_root)
        for folder in folders:
            members = tree.files_under(folder)
            readme_file = next((f for f in members if f.parent == folder
                                and f.name.lower() == "readme.md"), None)
            if readme_file is None:
                problems.append(Problem(folder, "resource has no README.md describing it"))
            resources.append(Resource(folder.name, folder, members, readme_file))
        for rel in files:
            suffix = rel.suffix.lower()
            if suffix == ".url":
                url, line = parse_url_file(_text(tree, rel, problems))
                if url is None:
                    problems.append(Problem(rel, "no URL= line: a .url file needs "
                                            "'[InternetShortcut]' and 'URL=<address>'"))
                elif not url:
                    problems.append(Problem(rel, "URL= is empty", line))
                else:
                    library_files.append(LibraryFile(rel, "url", display_name(rel.name), url))
            elif suffix == ".md":
                if not is_translation(rel, translations):
                    library_files.append(LibraryFile(rel, "page", display_name(rel.name)))
            else:
                library_files.append(LibraryFile(rel, "document", display_name(rel.name)))

    templates: list[Template] = []
    template_files: list[PurePosixPath] = []
    tpl_root = PurePosixPath("Templates")
    if tpl_root in tree.folders:
        template_files = tree.files_under(tpl_root)
        for rel in template_files:
            if rel.parent == tpl_root and rel.suffix.lower() == ".json":
                template, found = read_template(_text(tree, rel, problems), rel)
                problems += found
                if template:
                    templates.append(template)

    return Library(tree.root, readme, readme_title, articles, resources, library_files, templates,
                   template_files, problems, frozenset(tree.files), frozenset(tree.folders),
                   tuple(translations))


def validate(root: Path | str, translations: tuple[str, ...] = ("nb",)) -> list[Problem]:
    return read_library(root, translations).problems


def first_h1(markdown: str) -> str | None:
    """The text of the first first-level heading (front matter skipped), if any."""
    for heading in commonmark.headings(frontmatter.split(markdown)[1]):
        if heading.level == 1 and heading.text:
            return heading.text
    return None


def _text(tree: Tree, rel: PurePosixPath, problems: list[Problem]) -> str:
    try:
        return read_text(tree.root, rel, problems)
    except LibraryError as exc:
        problems.append(Problem(rel, str(exc).split(": ", 1)[-1]))
        return ""


def _read_category(tree: Tree, folder: PurePosixPath, translations) -> Category:
    category = Category(rel=folder, name=folder.name)
    subs, files = tree.children(folder)
    for sub in subs:
        child = _read_category(tree, sub, translations)
        if child.articles or child.children or child.index:
            category.children.append(child)
        else:
            category.files += child.files  # a folder of images beside articles
    for rel in files:
        if rel.suffix.lower() != ".md":
            category.files.append(rel)
            continue
        if is_translation(rel, translations):
            continue
        if rel.name.lower() in ("index.md", "readme.md"):
            if category.index is None:
                category.index = rel  # the category's own page
                continue
            if rel.name.lower() == "index.md":  # index.md wins over README.md, as in MkDocs
                category.index, rel = rel, category.index
        category.articles.append(Article(rel, display_name(rel.name)))
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


def read_template(text: str, rel: PurePosixPath) -> tuple[Template | None, list[Problem]]:
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
            problems.append(Problem(rel, f"template field '{key}' is {what}", _line_of_key(text, key)))
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
                    page.strip() if page else None, [t.strip() for t in tags]), problems
