"""Shared fixtures. The site is built once per test run and every check reads that build; every
test gets its own cache and reports folder, so no test writes into the repository."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from projects import REPO

from handbook.build import run_mkdocs
from handbook.checks.browser import CHROMIUM_ARGS, HELP, find_chromium
from handbook.project import CACHE_ENV, Project

# Where the build that `make test` runs before pytest put its cache and reports.
SITE_CACHE = Path(os.environ.get(CACHE_ENV) or REPO / ".cache")
REUSABLE_CACHES = ("samples", "notebooks", "search", "r-packages.json")
# About 200 s (every generated notebook) and 140 s (axe over every page) on a 2-core machine.
LONGEST_FIRST = ("test_editions_notebooks.py", "test_accessibility.py")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test, and every build or tool it starts, caches and reports into its own folder."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository's own project, as its mkdocs.yml describes it."""
    return Project.load(REPO / "mkdocs.yml")


@pytest.fixture(scope="session")
def site_cache(built_site) -> Path:
    """The cache folder of the build that made `built_site`."""
    own = built_site.parent / ".handbook-test-cache"
    return own if own.is_dir() else SITE_CACHE


@pytest.fixture(scope="session")
def site_reports(site_cache) -> Path:
    """The reports folder of the build that made `built_site`."""
    return site_cache / "reports"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site. `make test` builds it first and passes HANDBOOK_SITE_DIR; otherwise it is
    built here, into a temporary folder, with a copy of the repository's cache."""
    given = os.environ.get("HANDBOOK_SITE_DIR")
    if given:
        site = Path(given)
        assert (site / "index.html").exists(), f"HANDBOOK_SITE_DIR={given} holds no built site"
        return site
    base = tmp_path_factory.mktemp("built")
    cache = base / ".handbook-test-cache"
    cache.mkdir()
    for name in REUSABLE_CACHES:   # read the repository's cache, never write it
        source = SITE_CACHE / name
        if source.is_dir():
            shutil.copytree(source, cache / name)
        elif source.is_file():
            shutil.copy2(source, cache / name)
    site = base / "site"
    proc = run_mkdocs(REPO / "mkdocs.yml", site, env={CACHE_ENV: str(cache)})
    assert proc.returncode == 0, f"strict build failed:\n{proc.stdout[-4000:]}"
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.fail(HELP, pytrace=False)
    return exe


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def pytest_addoption(parser):
    parser.addoption("--refresh-outputs", action="store_true",
                     help="re-execute every sample and notebook, ignoring and refreshing the cache")


@pytest.fixture(scope="session")
def refresh_outputs(request) -> bool:
    return request.config.getoption("--refresh-outputs")


def pytest_collection_modifyitems(config, items):
    # The longest files first: with workers (PYTEST_WORKERS in the Makefile: xdist, one file at a
    # time) each starts one of them and the other files fill in behind; one process does not mind.
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)
    # A test that reads the built site is a `site` test, marked or not: `make test-fast` leaves
    # them out on a fresh clone, where no site has been built.
    for item in items:
        if "built_site" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("site"):
            item.add_marker(pytest.mark.site)
