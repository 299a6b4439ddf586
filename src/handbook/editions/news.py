"""News: posts under docs/<lang>/<folder>/ (default `nytt`), a list on the news index and the home
page, and an RSS 2.0 feed per language.

A post is a page with front matter `date`, `description` and `tags` (a list). It may exist in one
language only. On the default language's site a post written only in another language is listed
with a link to that language's page, marked with its language; on another language's site a post
written only in the default language is served by mkdocs-static-i18n's fallback (with its banner)
and listed marked with its language. Material's blog plugin does not work with mkdocs-static-i18n,
so this is a small mechanism of our own: plain functions the MkDocs adapter and tests call.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from handbook.editions._text import language_name, language_root, long_date, slug
from handbook.i18n.strings import Strings
from handbook.markdown import frontmatter, headings

FOLDER = "nytt"
FEED = "feed.xml"                       # at the language root: Material fetches sitemap.xml next
                                        # to every <link rel="alternate">, and one exists there
LIST_MARKER = "<!-- news-list -->"      # on the news index page
HOME_MARKER = "<!-- news -->"           # on the home page (else after its first section)
HOME_COUNT = 3


class PostError(ValueError):
    """A post whose front matter an author got wrong; the message names file and line."""


@dataclass(frozen=True)
class Post:
    language: str        # the language it is written in
    name: str            # file stem: dapla-lab
    title: str
    date: dt.date
    description: str
    tags: tuple[str, ...] = field(default_factory=tuple)

    def url(self, default_language: str, folder: str = FOLDER) -> str:
        """Site-relative URL of the post in the language it is written in."""
        return f"{language_root(self.language, default_language)}{folder}/{self.name}/"


@dataclass(frozen=True)
class Listed:
    """A post as one language's site shows it."""
    post: Post
    url: str             # site-relative URL a reader of this language follows
    foreign: bool        # written in another language than the site's
    local: bool          # a page of this language's build (own or fallback); False: link across


def folder_of(settings: dict) -> str:
    return str((settings.get("news") or {}).get("folder") or FOLDER)


def read_post(path: Path, language: str, display: str) -> Post:
    """One post from its file; PostError names `display:line` for what an author must fix."""
    text = path.read_text(encoding="utf-8")
    try:
        meta, body, _taken = frontmatter.parse(text)
    except frontmatter.FrontMatterError as exc:
        raise PostError(f"{display}:{exc.line}: {exc}") from exc
    title = meta.get("title") or next((h.text for h in headings.headings(body) if h.level == 1), None)
    date = meta.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise PostError(f"{display}:1: news post needs `date: YYYY-MM-DD` in its front matter")
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        raise PostError(f"{display}:1: news post needs a one-line `description:` in its front matter")
    tags = meta.get("tags") or []
    if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
        raise PostError(f"{display}:1: `tags:` must be a list, e.g. tags: [Dapla Lab, Dapla]")
    if not title:
        raise PostError(f"{display}:1: news post needs a title (front matter `title:` or a `# heading`)")
    return Post(language, path.stem, str(title).strip(), date, description.strip(), tuple(tags))


def discover(docs_dir: Path, languages: tuple[str, ...], folder: str = FOLDER,
             display=str) -> tuple[dict[str, list[Post]], list[str]]:
    """Posts per language they are written in (newest first), and problems to report."""
    found: dict[str, list[Post]] = {lang: [] for lang in languages}
    problems = []
    for lang in languages:
        for path in sorted((docs_dir / lang / folder).glob("*.md")):
            if path.name == "index.md":
                continue
            try:
                found[lang].append(read_post(path, lang, display(path)))
            except PostError as exc:
                problems.append(str(exc))
        found[lang].sort(key=lambda p: (p.date, p.name), reverse=True)
    return found, problems


def listed(posts: dict[str, list[Post]], language: str, default_language: str,
           folder: str = FOLDER) -> list[Listed]:
    """What the site of `language` lists: its own posts, the default language's untranslated ones
    (i18n's fallback pages), and posts that exist in another language only (linked across)."""
    own = {p.name for p in posts.get(language, [])}
    root = language_root(language, default_language)
    shown: dict[str, Listed] = {p.name: Listed(p, f"{root}{folder}/{p.name}/", False, True)
                                for p in posts.get(language, [])}
    for lang, items in posts.items():
        for post in items:
            if post.name in own or post.name in shown:
                continue
            if lang == default_language:        # served by the fallback under this language's root
                shown[post.name] = Listed(post, f"{root}{folder}/{post.name}/", True, True)
            else:
                shown[post.name] = Listed(post, post.url(default_language, folder), True, False)
    return sorted(shown.values(), key=lambda item: (item.post.date, item.post.name), reverse=True)


def relative(target: str, page: str) -> str:
    """A site-relative URL as seen from a page's URL (both directory style)."""
    base = posixpath.dirname(page.rstrip("/") + "/x") if page else "."
    rel = posixpath.relpath(target or ".", base or ".")
    return rel + "/" if target.endswith("/") and not rel.endswith("/") else rel


def item_markdown(item: Listed, language: str, page_url_: str, page_uri: str, folder: str,
                  default_language: str, strings: Strings) -> str:
    """One list entry: linked title, date, tags, description."""
    post = item.post
    title = _escape_md(post.title)
    if item.local:
        target = posixpath.relpath(f"{folder}/{post.name}.md", posixpath.dirname(page_uri) or ".")
        link = f"[{title}]({target})"
        if item.foreign:
            link += f"{{ hreflang={post.language} }}"
    else:
        href = relative(item.url, page_url_)
        link = (f'<a href="{escape(href)}" hreflang="{post.language}" lang="{post.language}">'
                f"{escape(post.title)}</a>")
    marker = f" ({_in_language(post, language, strings)})" if item.foreign else ""
    date = f'<time datetime="{post.date.isoformat()}">{long_date(post.date, language, strings)}</time>'
    lines = [f"- **{link}**{marker}  ", f"  {date}  ", f"  {_escape_md(post.description)}"]
    return "\n".join(lines)


def index_markdown(items: list[Listed], language: str, page_url_: str, page_uri: str, folder: str,
                   default_language: str, strings: Strings) -> str:
    """The news index: every post, newest first, then the posts by tag."""
    if not items:
        return strings.get(language, "editions_no_posts")
    feed = relative(f"{language_root(language, default_language)}{FEED}", page_url_)
    label = strings.get(language, "editions_feed")
    parts = [f'<a href="{escape(feed)}" type="application/rss+xml">{label}</a>',
             "", '<div class="handbook-news" markdown>', ""]
    parts += [item_markdown(i, language, page_url_, page_uri, folder, default_language, strings)
              for i in items]
    parts += ["", "</div>", "", f"## {strings.get(language, 'editions_by_tag')} {{ #{TAG_HEADING} }}", ""]
    for tag in sorted({t for i in items for t in i.post.tags}, key=str.lower):
        parts += [f"### {_escape_md(tag)} {{ #{tag_id(tag)} }}", ""]
        for item in items:
            if tag in item.post.tags:
                parts.append(item_markdown(item, language, page_url_, page_uri, folder,
                                           default_language, strings).split("\n")[0])
        parts.append("")
    return "\n".join(parts)


def home_markdown(items: list[Listed], language: str, page_url_: str, page_uri: str, folder: str,
                  default_language: str, heading: bool, strings: Strings) -> str:
    """The newest posts for the home page, with links to all news and the feed."""
    index = posixpath.relpath(f"{folder}/index.md", posixpath.dirname(page_uri) or ".")
    feed = relative(f"{language_root(language, default_language)}{FEED}", page_url_)
    parts = [f"## {strings.get(language, 'editions_news')} {{ #{NEWS_HEADING} }}", ""] if heading else []
    parts += ['<div class="handbook-news" markdown>', ""]
    parts += [item_markdown(i, language, page_url_, page_uri, folder, default_language, strings)
              for i in items[:HOME_COUNT]]
    parts += ["", "</div>", "",
              f"[{strings.get(language, 'editions_all_news')}]({index}) · "
              f'<a href="{escape(feed)}" type="application/rss+xml">'
              f'{strings.get(language, "editions_feed")}</a>',
              ""]
    return "\n".join(parts)


def post_header(post: Post, index_uri: str, language: str, strings: Strings) -> str:
    """The line under a post's title: date and tags (linked to the index), in the post's language."""
    tags = ", ".join(f"[{_escape_md(t)}]({index_uri}#{tag_id(t)})" for t in post.tags)
    date = f'<time datetime="{post.date.isoformat()}">{long_date(post.date, language, strings)}</time>'
    line = f"{date} · {strings.get(language, 'editions_tags')}: {tags}" if tags else date
    back = f"[{strings.get(language, 'editions_all_news')}]({index_uri})"
    return f"{line} · {back}\n{{: .handbook-news-meta }}\n"


def insert_after_title(markdown: str, text: str) -> str:
    """Put text right after the page's first `# ` heading (or at the top)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[:i + 1], "", text, *lines[i + 1:]])
    return f"{text}\n{markdown}"


def insert_home(markdown: str, text: str) -> str:
    """At the home marker, or else before the page's second `## ` section."""
    if HOME_MARKER in markdown:
        return markdown.replace(HOME_MARKER, text, 1)
    lines = markdown.split("\n")
    seen = 0
    fence = None
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
        if fence is None and line.startswith("## "):
            seen += 1
            if seen == 2:
                return "\n".join([*lines[:i], text, *lines[i:]])
    return f"{markdown}\n\n{text}"


def feed_xml(items: list[Listed], language: str, site_url: str, site_name: str, folder: str,
             default_language: str, built: dt.datetime, strings: Strings) -> str:
    """RSS 2.0 for one language's site: every listed post, newest first."""
    root = site_url.rstrip("/") + "/" + language_root(language, default_language)
    index = f"{root}{folder}/"
    title = f"{strings.get(language, 'editions_news')} – {site_name}"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">', "<channel>",
           f"<title>{escape(title)}</title>", f"<link>{escape(index)}</link>",
           f"<description>{escape(strings.get(language, 'editions_feed_description'))}</description>",
           f"<language>{escape(language)}</language>",
           f"<lastBuildDate>{format_datetime(built)}</lastBuildDate>",
           f"<atom:link href={quoteattr(root + FEED)} rel=\"self\" type=\"application/rss+xml\"/>"]
    for item in items:
        post = item.post
        link = site_url.rstrip("/") + "/" + item.url
        name = f" ({_in_language(post, language, strings)})" if item.foreign else ""
        published = dt.datetime.combine(post.date, dt.time(12, 0), tzinfo=dt.UTC)
        out += ["<item>", f"<title>{escape(post.title + name)}</title>", f"<link>{escape(link)}</link>",
                f'<guid isPermaLink="true">{escape(link)}</guid>',
                f"<pubDate>{format_datetime(published)}</pubDate>",
                f"<description>{escape(post.description)}</description>",
                *(f"<category>{escape(tag)}</category>" for tag in post.tags), "</item>"]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def tag_id(tag: str) -> str:
    return f"tag-{slug(tag)}"


def _in_language(post: Post, reader: str, strings: Strings) -> str:
    """"på svensk" on the nb site for a post written in Swedish."""
    return strings.get(reader, "editions_in_language", name=language_name(strings, post.language, reader))


def _escape_md(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]").replace("*", r"\*").replace("_", r"\_")


TAG_HEADING = "tags"
NEWS_HEADING = "news"
