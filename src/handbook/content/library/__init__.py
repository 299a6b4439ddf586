"""Knowledge libraries in BALSAM's format, published as part of the site, safely.

A library is an ordinary git repository (README.md, Articles/, Resources/, Templates/) that
many people across an agency write: its content is untrusted input. The package reads it
without following links (tree.py), rewrites its CommonMark for Python-Markdown (commonmark.py),
resolves its links against what is published (links.py), renders articles, resources,
notebooks with their stored outputs and template cards (pages.py, listings.py, notebooks.py,
render.py), cleans the resulting HTML (sanitize.py), writes the generated docs folder and the
downloads (files.py), and copies a resource into a project (copying.py, cli.py). site.py
connects it to a build; handbook.adapters.library holds the MkDocs events.

Modules: model, tree, reading, settings, commonmark, links, sanitize, strings, notebooks,
listings, pages, render, files, copying, cli, site.
"""

from handbook.content.library.copying import copy_resource, find_resource, resource_names
from handbook.content.library.files import write_tree, zip_resource
from handbook.content.library.model import (
    INFO,
    SOURCE_LANGUAGE,
    WARNING,
    Library,
    LibraryError,
    Problem,
    is_translation,
    translation_of,
)
from handbook.content.library.reading import parse_url_file, read_library, validate
from handbook.content.library.render import Rendering, plan, render_library
from handbook.content.library.settings import LibrarySettings, SettingsError, read_settings

__all__ = [
    "INFO", "SOURCE_LANGUAGE", "WARNING", "Library", "LibraryError", "LibrarySettings", "Problem",
    "Rendering", "SettingsError", "copy_resource", "find_resource", "is_translation",
    "parse_url_file", "plan", "read_library", "read_settings", "render_library", "resource_names",
    "translation_of", "validate", "write_tree", "zip_resource",
]
