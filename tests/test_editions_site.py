"""Reader editions in the built site: notebook buttons, news, feeds and llms.txt (both languages);
the PDF of each language (pages, outline, fonts, text, page numbers, links); the offline ZIP opened
from file:// in Chromium, searched and navigated; and no request to any other host."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import nbformat
import pytest

from handbook.editions import links, manifest, notebook, pdf, printpage
from handbook.editions._text import build_time, language_root, page_url
from handbook.editions.build import build_editions, file_names
from handbook.i18n.strings import Strings
from handbook.project import Project

REPO = Path(__file__).resolve().parents[1]
PROJECT = Project.load(REPO / "mkdocs.yml")
LANGUAGES = [lang.code for lang in PROJECT.languages if lang.build]
LOCAL = ("file:", "data:", "about:", "blob:")
QUERIES = {"nb": "bøtter", "sv": "bucket"}
PLACEHOLDER = {"nb": "Skriv søkeord", "sv": "Skriv sökord"}


def site_path(site: Path, url: str) -> Path:
    """The file a site-relative URL (directory style) is served from."""
    path = site / unquote(urlsplit(url).path).lstrip("/")
    return path / "index.html" if url.endswith("/") or url == "" else path


def _pages_with_blocks():
    for path in sorted(PROJECT.docs_dir.glob("*/**/*.md")):
        parts = path.relative_to(PROJECT.docs_dir).parts
        if parts[0] in LANGUAGES and notebook.has_executable_blocks(path.read_text("utf-8")):
            yield pytest.param(parts[0], "/".join(parts[1:]), id="/".join(parts))


@pytest.mark.site
@pytest.mark.parametrize(("language", "doc_uri"), list(_pages_with_blocks()))
def test_notebook_button_and_file(built_site, language, doc_uri):
    url = language_root(language, PROJECT.default_language) + page_url(doc_uri)
    page = site_path(built_site, url).read_text("utf-8")
    m = re.search(r'<a href="([^"]+)" download class="md-content__button md-icon handbook-notebook" '
                  r'title="([^"]+)" aria-label="\2">', page)
    assert m, f"{url}: no notebook button"
    assert m[2] == {"nb": "Last ned som notatbok", "sv": "Ladda ned som notebook"}[language]
    nb = nbformat.read(site_path(built_site, url).parent / m[1], as_version=4)
    assert nb.metadata.handbook.page.endswith("/" + url)


@pytest.mark.site
@pytest.mark.parametrize("language", LANGUAGES)
def test_feed_parses_and_links_to_existing_pages(built_site, language):
    root = language_root(language, PROJECT.default_language)
    feed = feedparser.parse((built_site / root / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.language == language and feed.entries
    posts = sorted((PROJECT.docs_dir / language / "nytt").glob("*.md"))
    assert len(feed.entries) >= len([p for p in posts if p.name != "index.md"])
    for entry in feed.entries:
        assert site_path(built_site, urlsplit(entry.link).path).is_file(), entry.link
        assert entry.published and entry.description
    home = site_path(built_site, root).read_text("utf-8")
    assert 'rel="alternate" type="application/rss+xml"' in home
    for entry in feed.entries[:3]:
        assert urlsplit(entry.link).path.removeprefix("/" + root).rstrip("/") in home


@pytest.mark.site
@pytest.mark.parametrize("language", LANGUAGES)
def test_llms_txt_lists_existing_pages_with_descriptions(built_site, language):
    text = (built_site / language_root(language, PROJECT.default_language) / "llms.txt").read_text("utf-8")
    links = re.findall(r"^- \[[^\]]+\]\(([^)]+)\)(: .+)?$", text, re.M)
    assert len(links) >= 20
    for url, _description in links:
        assert site_path(built_site, urlsplit(url).path).is_file(), url
    assert sum(1 for _, d in links if d) >= len(links) * 0.9


# ---- PDF and offline copy ----------------------------------------------------------------

@pytest.fixture(scope="module")
def editions_site(built_site, browser, tmp_path_factory) -> Path:
    """The built site with its editions: as `handbook build` made it, or made here on a copy."""
    if all((built_site / file_names(PROJECT, lang)[0]).is_file() for lang in LANGUAGES):
        return built_site
    site = tmp_path_factory.mktemp("editions") / "site"
    shutil.copytree(built_site, site)
    problems = build_editions(PROJECT, site, browser=browser)   # one Playwright per process
    assert problems == [], "\n".join(problems)
    return site


@pytest.mark.site
@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf(editions_site, site_cache, language):
    from pypdf import PdfReader

    data = manifest.read(site_cache, language)
    skip = (f"{language_root(language, PROJECT.default_language)}nytt/",)
    parts = printpage.plan(data, skip)
    reader = PdfReader(editions_site / file_names(PROJECT, language)[0])
    assert len(reader.pages) >= len(parts) + 2                     # cover, contents, a page each
    # Outline (bookmarks): every part's title, nested under its section.
    titles = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)
    walk(reader.outline)
    assert len(titles) > len(parts)
    assert any(isinstance(item, list) for item in reader.outline)
    # Fonts embedded, text extractable.
    for number, page in enumerate(reader.pages[:40], start=1):
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            assert descriptor is not None and any(k in descriptor.get_object() for k in
                                                  ("/FontFile", "/FontFile2", "/FontFile3")), \
                f"page {number}: font {font.get('/BaseFont')} is not embedded"
    # Table of contents: each part's title is text, with the page its part starts on. (Only the
    # contents pages are extracted: pypdf reads about ten pages a second, and every title is there.)
    starts = pdf.part_pages(
        editions_site / file_names(PROJECT, language)[0], [p.id for p in parts])
    assert set(starts) == {part.id for part in parts}
    assert reader.pages[starts[parts[-1].id] - 1].extract_text().strip()      # text to the end
    contents = "\n".join(reader.pages[i].extract_text() for i in range(1, 4))
    for part in parts:
        assert re.search(rf"{re.escape(part.title)}\s*\.*\s*{starts[part.id]}\b", contents), part.title
    # Internal links land on a destination that exists; the date of the build is on the cover.
    names = {unquote(str(n).lstrip("/")) for n in reader.named_destinations}
    dests = [unquote(str(a.get_object()["/Dest"]).lstrip("/")) for page in reader.pages
             for a in page.get("/Annots") or [] if "/Dest" in a.get_object()]
    assert len(dests) >= len(parts) and set(dests) <= names
    assert str(build_time().year) in reader.pages[0].extract_text()
    # Page numbers in the margin, from the second page on ("2 / 116").
    total = len(reader.pages)
    assert f"/ {total}" not in reader.pages[0].extract_text()
    for number in (2, total // 2, total):
        assert f"{number} / {total}" in reader.pages[number - 1].extract_text()


@pytest.mark.site
@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_print_page_requests_nothing_from_other_hosts(built_site, site_cache, browser, tmp_path, language):
    data = manifest.read(site_cache, language)
    book = printpage.assemble(built_site, data, build_time(), language, Strings.load(PROJECT))
    page_file = tmp_path / "print.html"          # not in the shared site: its URLs resolve through <base>
    base = f'<head><base href="{built_site.as_uri()}/">'
    page_file.write_text(book.html.replace("<head>", base, 1), "utf-8")
    requests: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri(), wait_until="load")
    finally:
        context.close()
    assert any(r.startswith(built_site.as_uri()) for r in requests)
    assert requests and [r for r in requests if not r.startswith(LOCAL)] == []


@pytest.mark.site
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_links_to_its_pdf_and_zip(editions_site, language):
    pdf_file, zip_file = file_names(PROJECT, language)
    for path in links.pages_of(editions_site, PROJECT, language):
        text = path.read_text("utf-8")
        if links.MARKER not in text:
            continue
        found = re.search(re.escape(links.MARKER) + r"(.*?)" + re.escape(links.END), text, re.S)
        assert found, path
        hrefs = re.findall(r'href="([^"]+)"', found[1])
        targets = {(path.parent / h).resolve() for h in hrefs}
        assert targets == {(editions_site / pdf_file).resolve(), (editions_site / zip_file).resolve()}, path


@pytest.mark.site
@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_offline_copy_works_from_disk(editions_site, browser, tmp_path, language):
    archive = editions_site / file_names(PROJECT, language)[1]
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
        top = tmp_path / z.namelist()[0].split("/")[0]
    root = top / language_root(language, PROJECT.default_language)
    assert (root / "search" / "search_index.js").is_file()
    assert (root / file_names(PROJECT, language)[0].removeprefix(
        language_root(language, PROJECT.default_language))).is_file()      # the PDF travels along
    notebooks = [p for p in root.rglob("*.ipynb")]
    assert notebooks
    requests: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((top / "index.html").as_uri())
        page.wait_for_url(re.compile(r".*/index\.html$"))
        page.click("input.md-search__input")
        meta = ".md-search-result__meta"
        page.wait_for_function("([s, t]) => document.querySelector(s).textContent.includes(t)",
                               arg=[meta, PLACEHOLDER[language]])
        page.keyboard.type(QUERIES[language], delay=10)
        page.wait_for_function("([s, t]) => !document.querySelector(s).textContent.includes(t)",
                               arg=[meta, PLACEHOLDER[language]])
        hrefs = page.eval_on_selector_all("li.md-search-result__item > a.md-search-result__link",
                                          "els => els.map(e => e.href)")
        assert hrefs, "no search results in the offline copy"
        # Until the result's page has replaced this one, the results (each an article with an h1)
        # are still what `article h1` finds: wait for its URL, not only for a load state.
        page.click("li.md-search-result__item > a.md-search-result__link")
        page.wait_for_url(re.compile(re.escape(hrefs[0].split("#")[0]) + r"(#.*)?$"))
        page.wait_for_load_state()
        assert urlsplit(page.url).path.endswith("/index.html") and page.locator("article h1").count() == 1
        page.goto((root / "index.html").as_uri())
        with page.expect_navigation():
            page.click("a.md-footer__link--next")
        page.wait_for_load_state()
        assert urlsplit(page.url).path.endswith("/index.html") and page.locator("article h1").count() == 1
        button = page.locator("a.handbook-notebook")
        for link in page.eval_on_selector_all("a[download]", "els => els.map(e => e.href)") + \
                ([button.get_attribute("href")] if button.count() else []):
            if link.startswith("file:"):
                assert Path(unquote(urlsplit(link).path)).is_file(), link
    finally:
        context.close()
    assert [r for r in requests if not r.startswith(LOCAL)] == []
    assert errors == []
