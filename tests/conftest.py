"""Shared fixtures: the site is built once per test run and every check reads that build."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from handbook import ROOT
from handbook.build import run_mkdocs
from handbook.checks.browser import CHROMIUM_ARGS, HELP, find_chromium


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site. `make test` builds it first and passes HANDBOOK_SITE_DIR."""
    given = os.environ.get("HANDBOOK_SITE_DIR")
    if given:
        site = Path(given)
        assert (site / "index.html").exists(), f"HANDBOOK_SITE_DIR={given} holds no built site"
        return site
    site = tmp_path_factory.mktemp("site")
    proc = run_mkdocs(ROOT / "mkdocs.yml", site)
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
