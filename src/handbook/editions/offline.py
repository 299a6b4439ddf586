"""The offline copy of one language: a ZIP of its part of the built site that works from file://.

We follow Material's `offline` plugin (material/plugins/offline), applied to the finished site
instead of in a second MkDocs build:
- links to folders get an explicit `index.html` (what `use_directory_urls: false` gives), in the
  pages and in the search index's locations, since a browser shows a folder listing for file://;
- the search index is also written as `search/search_index.js` (`var __index = ...`), which
  Material's bundle loads with a script tag when the page comes from file://, because fetch fails
  there;
- the iframe-worker shim (the plugin loads it from a CDN; we ship a copy) runs the search worker in
  an iframe, because browsers refuse `new Worker(...)` from file://.
Links to anything not in the copy (the other languages, the ZIP itself) point to the published
site (site_url). The copy of a non-default language also holds the shared assets and an
index.html at its top that opens the language's home page.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from handbook.editions._text import build_time, language_root
from handbook.editions.manifest import Manifest
from handbook.project import Project

SHIM = Path(__file__).parent / "assets" / "iframe-worker-shim.js"
SHIM_PATH = "assets/javascripts/iframe-worker-shim.js"
SHARED = ("assets/",)                      # one copy at the site root serves every language
URL_ATTR = re.compile(r"""(?P<pre>\b(?:href|src|data)=)(?P<q>["'])(?P<url>[^"']*)(?P=q)""")
REFRESH = re.compile(r"""(<meta[^>]+http-equiv=["']refresh["'][^>]+content=["'][^"']*url=)([^"']+)""", re.I)
# Material fetches sitemap.xml next to every <link rel="alternate"> (language alternates, feeds);
# in the copy they would point to the published site, so they go.
ALTERNATE = re.compile(r"""<link\b[^>]*\brel=["']alternate["'][^>]*>\s*""", re.I)


def members(site_dir: Path, project: Project, language: str) -> list[str]:
    """Site-relative files that go into the language's copy."""
    root = language_root(language, project.default_language)
    others = {f"{code}/" for code in project.language_codes if code != project.default_language}
    shared = SHARED
    if root and not (site_dir / root / "search" / "search_index.json").is_file():
        shared += ("search/",)             # plain i18n: one index for all languages, at the root
    found = []
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site_dir).as_posix()
        if path.name.startswith(".") or rel.endswith(".zip"):
            continue
        if root:
            if rel.startswith(root) or rel.startswith(shared):
                found.append(rel)
        elif not rel.startswith(tuple(others)):
            found.append(rel)
    return found


def build_zip(site_dir: Path, project: Project, language: str, target: Path,
              manifest: Manifest) -> list[str]:
    """Write the language's offline copy to `target`; problems to report."""
    files = members(site_dir, project, language)
    present = set(files) | {SHIM_PATH}
    # The sharded search files go inside the index (search_index.js), as fetch fails from file://.
    search_folders = [rel.removesuffix("search_index.json") for rel in files
                      if rel.endswith("search/search_index.json")]
    inlined = {rel for rel in files for folder in search_folders
               if rel.startswith((f"{folder}shards/", f"{folder}docs/")) and rel.endswith(".json")}
    site_url = manifest.site_url or "/"
    root = language_root(language, project.default_language)
    top = target.stem                      # the folder the ZIP unpacks into
    stamp = _zip_time(build_time())
    problems = []
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)

        for rel in files:
            if rel in inlined:
                continue
            data = (site_dir / rel).read_bytes()
            if rel.endswith(".html"):
                data = offline_page(data.decode("utf-8"), rel, present, site_url).encode("utf-8")
            elif rel.endswith("search/search_index.json"):
                folder = rel.removesuffix("search_index.json")
                index = offline_index(json.loads(data), {
                    name.removeprefix(folder): (site_dir / name).read_bytes()
                    for name in sorted(inlined) if name.startswith(folder)})
                data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                add(rel[: -len(".json")] + ".js", b"var __index = " + data)
            add(rel, data)
        add(SHIM_PATH, SHIM.read_bytes())
        if root:
            add("index.html", _opener(root, manifest.site_name, language).encode("utf-8"))
        if not any(f.endswith("search/search_index.json") for f in files):
            problems.append(f"{target.name}: no search index for '{language}' in the site, so search "
                            "will not work in the offline copy")
    tmp.replace(target)
    return problems


def offline_page(text: str, rel: str, present: set[str], site_url: str) -> str:
    """One page made to work from file://."""
    here = posixpath.dirname(rel)

    def fix(url: str) -> str:
        return offline_url(url, here, present, site_url)

    text = ALTERNATE.sub("", text)
    text = URL_ATTR.sub(lambda m: f"{m['pre']}{m['q']}{fix(m['url'])}{m['q']}", text)
    text = REFRESH.sub(lambda m: m[1] + fix(m[2]), text)
    shim = posixpath.relpath(SHIM_PATH, here or ".")
    return text.replace("</head>", f'<script src="{shim}"></script></head>', 1)


def offline_url(url: str, here: str, present: set[str], site_url: str) -> str:
    """A link as it must read in the copy: explicit index.html, or the published site if absent."""
    parts = urlsplit(url)
    if parts.scheme or url.startswith(("//", "#")) or not url:
        return url
    path = posixpath.normpath(posixpath.join(here or ".", unquote(parts.path))) if parts.path else \
        (here or ".")
    path = "" if path == "." else path
    tail = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    if path.startswith(".."):
        return url
    if path in present:
        return url
    index = f"{path}/index.html" if path else "index.html"
    if index in present:
        written = parts.path
        if not written:
            return "index.html" + tail
        return (written if written.endswith("/") else written + "/") + "index.html" + tail
    return site_url.rstrip("/") + "/" + (path + ("/" if parts.path.endswith("/") else "")).lstrip("/") + tail


def offline_index(index: dict, files: dict[str, bytes] | None = None) -> dict:
    """Search locations with an explicit index.html: `dapla/botter/#x` -> `dapla/botter/index.html#x`.

    A sharded index (`config.handbook`) also gets its shard and page files (`files`, by their path
    in the search folder) inside, as `inline`, with the same locations."""
    for doc in index.get("docs", []):
        doc["location"] = explicit_index(doc.get("location", ""))
    meta = index.get("config", {}).get("handbook")
    if meta is not None:
        for page in meta.get("pages", []):
            page[0] = explicit_index(page[0])
        if files:
            meta["inline"] = {name: _inline_file(name, data) for name, data in files.items()}
    return index


def _inline_file(name: str, data: bytes):
    value = json.loads(data)
    if name.startswith("docs/"):   # a page's entries: [location, title, text, tags?]
        value = [[explicit_index(entry[0]), *entry[1:]] for entry in value]
    return value


def explicit_index(location: str) -> str:
    path, hash_, fragment = location.partition("#")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path + hash_ + fragment


def _opener(root: str, site_name: str, language: str) -> str:
    home = f"{root}index.html"
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={home}"><title>{site_name}</title></head>'
            f'<body><p><a href="{home}">{site_name}</a></p></body></html>\n')


def _zip_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    when = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)
