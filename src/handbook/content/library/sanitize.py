"""Library HTML made inert with nh3 (ammonia): what Markdown and notebook outputs need, no script.

A library page's HTML is cleaned after Markdown has rendered it (`clean_page`): raw `<script>`,
`<style>`, `<iframe>` and forms go with their content; `on*=` handlers, `style` (except table
alignment), `javascript:`/`vbscript:` URLs and `data:` URLs other than images are removed, and
so is an `id` that would clash with the theme's own (`__search`, `__drawer` ...). Kept: text
structure, tables, code highlighting spans, images (a `data:` image only as an `<img>`; an SVG
only ever as an `<img>`, where it cannot run script), details, task list checkboxes and the
tab inputs of pymdownx.tabbed, `data-search-exclude` for search. Notebook outputs are cleaned
the same way before they are placed in a page (`clean_fragment`). Titles and other plain text
fields are made text (`plain_text`).

Files a browser would run when opened directly (`.html`, `.svg` with script, `.xml` ...) are
never published under their own name: see `is_active`.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "label", "li",
    "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "tt", "u", "ul", "var", "wbr", "section", "article", "aside", "header", "footer",
    "nav", "main", "address",
}
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript",
                        "svg", "math", "form", "textarea", "select", "button", "title",
                        "frameset", "frame", "applet", "noembed", "noframes", "xmp", "plaintext"}
COMMON = {"class", "id", "title", "lang", "dir", "role", "aria-hidden", "aria-label",
          "aria-describedby", "aria-labelledby", "data-search-exclude"}
ATTRIBUTES = {
    "*": COMMON,
    "a": {"href", "name", "download", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "scope", "style"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "input": {"type", "checked", "disabled", "name"},
    "label": {"for"},
    "details": {"open"},
    "div": {"data-tabs"},
    "time": {"datetime"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "data", "ftp", "tel"}
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$", re.I)
# ids the theme's own markup and scripts use; pymdownx's generated ids are allowed
THEME_ID = re.compile(r"^__(?!codelineno-|span-|tabbed_|details_|code_)")
ACTIVE_SUFFIXES = {".html", ".htm", ".xhtml", ".xht", ".shtml", ".mht", ".mhtml", ".xml", ".xsl",
                   ".xslt", ".svgz", ".hta", ".swf"}
ACTIVE_SVG = re.compile(rb"<\s*script|\bon[a-z]+\s*=|javascript:|<\s*foreignObject|<!ENTITY|"
                        rb"xlink:href\s*=\s*[\"'](?!#|data:image)|\bhref\s*=\s*[\"'](?!#|data:image)",
                        re.I)


def _filter(element: str, attribute: str, value: str) -> str | None:
    try:
        if attribute in ("href", "src"):
            scheme = value.strip().split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
            if scheme == "data" and not (element == "img" and attribute == "src"
                                         and DATA_IMAGE.match(value.strip())):
                return None
            return value
        if attribute == "id" and THEME_ID.match(value):
            return None
        if attribute == "type" and element == "input":
            return value if value.lower() in ("checkbox", "radio") else None
        if attribute in ("name", "download", "for") and value.startswith("__") and \
                not value.startswith("__tabbed_"):
            return None
        return value
    except Exception:  # never raise inside nh3 (it would report through sys.unraisablehook)
        return None


_CLEANER = nh3.Cleaner(
    tags=TAGS, clean_content_tags=REMOVED_WITH_CONTENT, attributes=ATTRIBUTES,
    attribute_filter=_filter, strip_comments=True, link_rel=None, url_schemes=URL_SCHEMES,
    filter_style_properties={"text-align"},
)


def clean_page(markup: str) -> str:
    """A library page's rendered HTML with everything that could run script removed."""
    return _CLEANER.clean(markup)


def clean_fragment(markup: str) -> str:
    """A notebook output's HTML, cleaned the same way (it is placed in a page as raw HTML)."""
    return _CLEANER.clean(markup)


def plain_text(value: str) -> str:
    """Text for a title, description or label that templates insert without escaping: tags
    dropped, then `&`, `<`, `>` and `"` escaped (so it cannot leave `<title>` or an attribute)."""
    text = nh3.clean(value, tags=set(), clean_content_tags={"script", "style"})
    text = html.unescape(text)
    return html.escape(" ".join(text.split()), quote=False).replace('"', "&quot;")


def is_active(name: str, data: bytes | None = None) -> bool:
    """True for a file a browser would render (and run script in) when opened from our site."""
    lower = name.lower()
    suffix = lower[lower.rfind("."):] if "." in lower else ""
    if suffix in ACTIVE_SUFFIXES:
        return True
    if suffix == ".svg":
        return data is None or bool(ACTIVE_SVG.search(data))
    return False


def inert_name(name: str) -> str:
    """The name an active file is published under: served as text, never rendered."""
    return f"{name}.txt"
