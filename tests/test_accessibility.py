"""Accessibility gate: axe-core (WCAG 2.x A/AA) on every page, alt texts, keyboard use."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_search_browser import WATCH_WORKER

from handbook.checks import accessibility
from handbook.checks.accessibility import block_other_hosts, serve

FIXTURE = Path(__file__).parent / "fixtures" / "quality-a11y" / "site"


@pytest.fixture(scope="session")
def axe_js(project) -> Path:
    path = project.root / accessibility.AXE_JS
    if not path.is_file():
        pytest.fail(f"{path} missing: run `npm ci` (make test does)", pytrace=False)
    return path


def test_notebook_alt_text_is_localized():
    html = f'<img src="data:image/png;base64,AA" alt="{accessibility.NOTEBOOK_DEFAULT_ALT}">'
    localized = accessibility.localize_notebook_alt(html, "nb")
    assert 'alt="Figur laget av koden i cellen over"' in localized
    assert 'alt="Figur skapad av koden i cellen ovan"' in accessibility.fix_html(html, "sv")
    assert accessibility.NOTEBOOK_DEFAULT_ALT not in accessibility.fix_html(html, "sv")


def test_fix_html_labels_task_checkboxes_and_focuses_notebook_code():
    html = ('<ul><li class="task-list-item"><label class="task-list-control">'
            '<input type="checkbox" disabled/><span class="task-list-indicator"></span></label>'
            ' Lag et <em>team</em> &amp; en bøtte.</li></ul>'
            '<div class="highlight-ipynb hl-python"><pre>x = 1</pre></div>')
    fixed = accessibility.fix_html(html, "nb")
    assert '<input aria-label="Lag et team &amp; en bøtte." type="checkbox" disabled/>' in fixed
    assert '<div class="highlight-ipynb hl-python" tabindex="0">' in fixed
    assert accessibility.fix_html(fixed, "nb") == fixed  # idempotent


def test_image_problems_name_page_and_line():
    problems = accessibility.image_problems(FIXTURE)
    lines = [f"{p['page']}:{p['line']}: {p['message']}" for p in problems]
    assert lines == [
        "index.html:9: image without alt text (figur.png)",
        "index.html:10: image alt text 'No description has been provided for this image' is an "
        "English default, not in the page's language (nb)",
    ]


@pytest.mark.browser
def test_axe_finds_violations_on_the_broken_fixture(browser, axe_js):
    with serve(FIXTURE) as url:
        violations = accessibility.axe_site(browser, url, accessibility.site_pages(FIXTURE),
                                            axe_js.read_text(encoding="utf-8"))
    rules = {(v.page, v.rule) for v in violations}
    assert {("index.html", "color-contrast"), ("index.html", "image-alt"),
            ("index.html", "label")} <= rules
    assert not [v for v in violations if v.page == "sv/index.html"]
    assert str(violations[0]).startswith("index.html: axe ")


@pytest.mark.browser
def test_check_reports_and_fails_on_the_broken_fixture(browser, axe_js, tmp_path):
    report = tmp_path / "accessibility.json"
    problems = accessibility.check(FIXTURE, axe_js, browser=browser, report=report)
    assert any(line.startswith("index.html:9: image without alt text") for line in problems)
    assert any(line.startswith("index.html: axe color-contrast") for line in problems)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is False and data["pages"] == 2 and data["audited"] == 2


@pytest.mark.browser
def test_unchanged_pages_are_not_audited_again_and_changed_ones_are(browser, axe_js, tmp_path):
    site, cache, report = tmp_path / "site", tmp_path / "cache", tmp_path / "report.json"
    shutil.copytree(FIXTURE, site)

    def run() -> tuple[list[str], int]:
        with serve(site) as url:
            problems = accessibility.check(site, axe_js, browser=browser, base_url=url,
                                           report=report, cache_dir=cache)
        return problems, json.loads(report.read_text(encoding="utf-8"))["audited"]

    first, audited = run()
    assert audited == 2 and any("axe color-contrast" in line for line in first)
    again, audited = run()
    assert (again, audited) == (first, 0)      # the same findings, from the cache
    page = site / "sv" / "index.html"          # a new violation on an unchanged-looking page
    page.write_text(page.read_text(encoding="utf-8").replace(
        "<p>Den här", '<p style="color:#bbb">Den här'), encoding="utf-8")
    edited, audited = run()
    assert audited == 1
    assert any(line.startswith("sv/index.html: axe color-contrast") for line in edited)
    (site / "extra.css").write_text("p { color: #777; }\n", encoding="utf-8")
    _, audited = run()
    assert audited == 2                        # a stylesheet changes how every page looks


@pytest.mark.site
@pytest.mark.browser
@pytest.mark.slow
def test_real_site_has_no_violations(built_site, site_url, browser, axe_js, site_reports):
    """Every page of both languages, light and dark palette. Pages whose HTML, stylesheets and
    scripts did not change since the last run keep their findings from the cache of the build
    that made the site (`make test`: the project's .cache/accessibility/)."""
    pages = accessibility.site_pages(built_site)
    assert any(p.startswith("sv/") for p in pages) and len(pages) > 20
    problems = accessibility.check(built_site, axe_js, browser=browser, base_url=site_url,
                                   report=site_reports / "accessibility.json",
                                   cache_dir=site_reports.parent)
    assert not problems, "\n".join(problems)


def _keyboard_page(page, site_url):
    block_other_hosts(page.context, site_url)
    return page


@pytest.mark.site
@pytest.mark.browser
def test_search_works_with_the_keyboard_only(page, site_url):
    page = _keyboard_page(page, site_url)
    page.add_init_script(WATCH_WORKER)
    page.goto(site_url)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type("data")
    # the results of the whole word, not of a letter typed before (those are replaced)
    page.wait_for_function("() => window.__search.answered === 'data'", timeout=10_000)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('href') || ''")
    assert focused.startswith(site_url), "ArrowDown did not reach a search result"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("?")[0] == focused.split("?")[0] and page.url != site_url


@pytest.mark.site
@pytest.mark.browser
def test_language_switcher_works_with_the_keyboard_only(page, site_url):
    page = _keyboard_page(page, site_url)
    page.goto(site_url + "dapla/botter/")
    for _ in range(15):
        page.keyboard.press("Tab")
        label = page.evaluate("(document.activeElement.textContent || '').trim()")
        if label == "Svenska":
            break
    else:
        pytest.fail("Tab never reached the language switcher's 'Svenska'")
    assert page.locator(".md-select__inner").is_visible(), "the language list is not shown"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/sv/dapla/botter/$", page.url)
    assert page.evaluate("document.documentElement.lang") == "sv"
