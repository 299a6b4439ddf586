"""Links in library pages: resolved against the library, pointed at what the site publishes.

Authors link the way GitHub resolves links: relative to the file, `/` meaning the repository
root, spaces written as `%20`, anchors in GitHub's slug form. `rewrite` finds every link and
image in a page's Markdown (inline, reference definitions and raw HTML `href`/`src`, never
inside code) and points it at the published page or file. What cannot be published is
neutralised instead of breaking the build: a link that leaves the library, a target that does
not exist upstream, `javascript:` and the like become their text (an image its alt text, an HTML
attribute is dropped) and are reported. A file that exists but lies outside BALSAM's format
(`ExampleProjects/`, `LICENSE`) is linked in the library's repository when its web address is
known.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from pymdownx.slugs import slugify

from handbook.content.library.model import INFO, Problem
from handbook.content.library.sanitize import DATA_IMAGE

_slug = slugify(case="lower")
SAFE_SCHEMES = {"http", "https", "mailto", "ftp", "ftps", "sftp", "ssh", "git", "tel"}
_INLINE = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\\n]|\\.|\[[^\[\]\n]*\])*)\]"
    r"\((?P<space>[ \t]*)(?P<dest><[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"
    r"(?P<title>[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"
    r"(?P<attrs>\{[^{}\n]*\})?")
# a reference definition, as commonmark.py writes it
_REFERENCE = re.compile(r"^(?P<head>\[[^\]\n^][^\]\n]*\]: )(?P<dest><[^<>\n]*>)(?P<rest>.*)$")
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_ATTR = re.compile(r"""(?P<lead>\s)(?P<name>href|src|srcset|poster|data|action|formaction)\s*=\s*"""
                   r"""(?P<value>"[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.I)
_CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


@dataclass
class SiteMap:
    """Where each library path is published in one language's generated tree."""

    pages: dict[PurePosixPath, PurePosixPath]   # source file or folder -> page output (.md/.ipynb)
    files: dict[PurePosixPath, PurePosixPath]   # source file -> published file (default language)
    known: frozenset[PurePosixPath]              # every file and folder in the library
    lang_prefix: str = ""                        # "" for the default language, else "sv/"
    url_prefix: str = ""                         # the library's folder in the site
    directory_urls: bool = True
    source_url: Callable[[PurePosixPath], str | None] | None = None
    ids: dict[PurePosixPath, set[str]] = field(default_factory=dict)      # page -> heading ids
    github: dict[PurePosixPath, dict[str, str]] = field(default_factory=dict)  # page -> slug map
    _folded: dict | None = None

    def set_headings(self, page: PurePosixPath, headings: list[tuple[str, str]]) -> None:
        """Record a page's heading ids (and GitHub's slugs for the same headings)."""
        self.ids[page] = {ident for ident, _ in headings}
        self.github[page] = {github_slug(text): ident for ident, text in reversed(headings)}

    def page_url(self, out: PurePosixPath) -> str:
        """URL of a generated page relative to the library's folder in this language's site."""
        parent = "" if str(out.parent) == "." else f"{out.parent}/"
        stem = out.stem if out.suffix in (".md", ".ipynb") else out.name
        if stem in ("index", "README"):
            return parent
        return f"{parent}{stem}/" if self.directory_urls else f"{parent}{stem}.html"

    def site_url(self, out: PurePosixPath, page: bool) -> str:
        """Site-root-relative URL: pages live in the language's tree, files in the default one."""
        base = f"{self.url_prefix}/" if self.url_prefix else ""
        return (self.lang_prefix + base + self.page_url(out)) if page else base + str(out)

    def href(self, from_page: PurePosixPath, target: str) -> str:
        """A final relative URL (for raw HTML) from a generated page to a site-relative URL."""
        here = self.site_url(from_page, True)
        folder = here if here.endswith("/") or not here else posixpath.dirname(here)
        rel = posixpath.relpath(target or ".", folder.rstrip("/") or ".")
        if target.endswith("/") and not rel.endswith("/"):
            rel += "/"
        return quote(rel, safe="/#")

    def lookup(self, target: PurePosixPath) -> tuple[str, PurePosixPath] | None:
        """("page"|"file", output path) for a library path, forgiving case and Unicode form."""
        if target in self.pages:
            return "page", self.pages[target]
        if target in self.files:
            return "file", self.files[target]
        if self._folded is None:
            self._folded = {}
            for kind, table in (("page", self.pages), ("file", self.files)):
                for src, out in table.items():
                    self._folded.setdefault(fold(src), []).append((kind, out))
        found = self._folded.get(fold(target), [])
        return found[0] if len(found) == 1 else None


def fold(rel: PurePosixPath) -> str:
    return unicodedata.normalize("NFC", str(rel)).casefold()


def github_slug(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def heading_ids(markdown: str) -> list[tuple[str, str]]:
    """(id, text) of the headings Python-Markdown's toc extension will give the page."""
    from handbook.markdown.headings import headings

    return [(h.id, h.text) for h in headings(markdown)]


class Rewriter:
    """Rewrites the links of one page; problems go to `problems` at `level`."""

    def __init__(self, sitemap: SiteMap, source: PurePosixPath, page: PurePosixPath,
                 problems: list[Problem], level: str = INFO):
        self.map = sitemap
        self.source = source
        self.page = page
        self.problems = problems
        self.level = level

    def markdown(self, text: str) -> str:
        out, fence = [], None
        for line in text.split("\n"):
            m = _FENCE.match(line)
            if fence is None and m:
                fence = m.group(1)
            elif fence is not None:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                        and not line.strip()[len(m.group(1)):].strip():
                    fence = None
            else:
                line = self._line(line)
            out.append(line)
        return "\n".join(out)

    def html(self, text: str) -> str:
        """Only the raw-HTML attributes of a fragment (notebook outputs)."""
        return _TAG.sub(self._tag, text)

    # ---- one line ---------------------------------------------------------------------------

    def _line(self, line: str) -> str:
        m = _REFERENCE.match(line)
        if m:
            new = self.resolve(m["dest"].strip("<>"), markdown=True)
            return f"{m['head']}<{new or '#'}>{m['rest']}"
        parts, last = [], 0
        for span in _CODE_SPAN.finditer(line):
            parts.append(self._text(line[last:span.start()]))
            parts.append(span.group(0))
            last = span.end()
        parts.append(self._text(line[last:]))
        return "".join(parts)

    def _text(self, text: str) -> str:
        return _TAG.sub(self._tag, _INLINE.sub(self._inline, text))

    def _inline(self, m: re.Match) -> str:
        text = _INLINE.sub(self._inline, m["text"])  # an image inside a link
        new = self.resolve(m["dest"].strip("<>"), markdown=True)
        if new is None:
            return text  # a link shows its text, an image its alt text
        return f"{m['bang']}[{text}]({new}{m['title'] or ''}){m['attrs'] or ''}"

    def _tag(self, m: re.Match) -> str:
        def attr(a: re.Match) -> str:
            value = a["value"].strip("\"'")
            if a["name"].lower() == "srcset":
                return ""  # one URL per image is enough; srcset lists cannot be checked here
            new = self.resolve(value, markdown=False)
            return "" if new is None else f'{a["lead"]}{a["name"]}="{new}"'
        return _ATTR.sub(attr, m.group(0))

    # ---- one URL ----------------------------------------------------------------------------

    def resolve(self, dest: str, *, markdown: bool) -> str | None:
        """The URL to write instead of `dest`, or None to drop the link."""
        dest = dest.strip()
        if not dest:
            return None
        parts = urlsplit(dest)
        if parts.scheme or dest.startswith("//"):
            if parts.scheme.lower() in SAFE_SCHEMES or dest.startswith("//"):
                return dest
            if DATA_IMAGE.match(dest):
                return dest  # a notebook cell's attachment
            self._problem(f"link {dest[:60]!r} removed: the {parts.scheme}: scheme is not allowed")
            return None
        path = unquote(parts.path)
        fragment = unquote(parts.fragment)
        if not path:
            return self._fragment_only(fragment, markdown)
        base = "." if path.startswith("/") else str(self.source.parent)
        joined = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        if joined == ".." or joined.startswith("../"):
            self._problem(f"link {dest!r} removed: it points outside the library")
            return None
        target = PurePosixPath(joined)
        found = self.map.lookup(target)
        if found is None:
            if target in self.map.known and self.map.source_url:
                web = self.map.source_url(target)
                if web:
                    return web
            what = "is not published (outside BALSAM's format)" if target in self.map.known \
                else "does not exist in the library"
            self._problem(f"link {dest!r} removed: {target} {what}")
            return None
        kind, out = found
        if kind == "page":
            fragment = self._check_fragment(out, fragment, dest)
            if markdown:
                rel = posixpath.relpath(str(out), str(self.page.parent))
                url = quote(rel, safe="/")
            else:
                url = self.map.href(self.page, self.map.site_url(out, True))
        else:
            fragment = ""
            if markdown:
                url = quote(posixpath.relpath(str(out), str(self.page.parent)), safe="/")
            else:
                url = self.map.href(self.page, self.map.site_url(out, False))
        return url + (f"#{_fragment(fragment)}" if fragment else "")

    def _fragment_only(self, fragment: str, markdown: bool) -> str | None:
        if not fragment:
            return None
        fixed = self._check_fragment(self.page, fragment, f"#{fragment}")
        return f"#{_fragment(fixed)}" if fixed else None

    def _check_fragment(self, out: PurePosixPath, fragment: str, dest: str) -> str:
        if not fragment:
            return ""
        ids = self.map.ids.get(out)
        if ids is None or fragment in ids:
            return fragment
        mapped = self.map.github.get(out, {}).get(github_slug(fragment))
        if mapped:
            return mapped
        self._problem(f"anchor removed from link {dest!r}: no heading #{fragment} on that page")
        return ""

    def _problem(self, message: str) -> None:
        self.problems.append(Problem(self.source, message, level=self.level))


def _fragment(fragment: str) -> str:
    """A heading id as MkDocs compares it: as written (encoded only if it could break a link)."""
    return fragment if re.match(r"^[\w.~-]+$", fragment) else quote(fragment, safe="")


def slug(text: str) -> str:
    return _slug(text, "-")
