"""Privacy gate: no external scripts, styles, fonts, frames or images; no requests elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handbook.checks import privacy
from handbook.checks.accessibility import serve

FIXTURES = Path(__file__).parent / "fixtures" / "quality-privacy"


def test_static_scan_names_each_external_resource():
    problems = privacy.static_problems(FIXTURES / "broken")
    found = {(p["file"], p["url"]) for p in problems}
    assert found == {
        ("index.html", "https://fonts.googleapis.com/css?family=Roboto"),
        ("index.html", "https://cdn.jsdelivr.net/npm/tracker@1/tracker.min.js"),
        ("index.html", "https://images.example.net/logo.png"),
        ("index.html", "https://www.youtube.com/embed/abc"),
        ("assets/site.css", "https://fonts.googleapis.com/css2?family=Inter"),
        ("assets/site.css", "https://images.example.net/bg.jpg"),
        ("assets/app.js", "https://fonts.googleapis.com/css2?family=Lato"),
    }
    script = next(p for p in problems if "tracker" in p["url"])
    assert script["line"] == 9 and script["message"].startswith("external resource in <script src>")


def test_links_canonical_and_alternate_are_fine():
    assert privacy.static_problems(FIXTURES / "ok") == []


def test_cli_fails_on_the_broken_fixture(tmp_path, capsys):
    report = tmp_path / "privacy.json"
    code = privacy.main(["--site-dir", str(FIXTURES / "broken"), "--no-browser",
                         "--report", str(report)])
    assert code == 1
    assert "index.html:9: external resource in <script src>" in capsys.readouterr().out
    assert json.loads(report.read_text(encoding="utf-8"))["ok"] is False


@pytest.mark.browser
def test_browser_records_requests_to_other_hosts(browser):
    with serve(FIXTURES / "broken") as url:
        problems = privacy.browser_problems(browser, url, {"home (nb)": ""})
    hosts = {p["url"].split("/")[2] for p in problems}
    assert {"fonts.googleapis.com", "cdn.jsdelivr.net", "images.example.net"} <= hosts
    assert all(p["message"].startswith("home (nb) /: request to another host: ") for p in problems)


@pytest.mark.browser
def test_browser_ok_fixture_stays_home(browser):
    with serve(FIXTURES / "ok") as url:
        assert privacy.browser_problems(browser, url, {"home (nb)": ""}) == []


@pytest.mark.site
@pytest.mark.browser
def test_real_site_leaks_nothing(built_site, site_url, browser, project):
    pages = privacy.representative_pages(built_site, project.language_codes)
    assert {"home (nb)", "chapter (nb)", "notebook (nb)", "home (sv)", "chapter (sv)",
            "notebook (sv)"} <= set(pages)
    problems = privacy.check(built_site, browser=browser, base_url=site_url,
                             report=project.reports_dir / "privacy.json",
                             languages=project.language_codes)
    assert not problems, "\n".join(problems)
