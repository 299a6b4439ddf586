"""External link checker against a local HTTP server on 127.0.0.1 (never leaves loopback)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from handbook.checks import external_links as ext

HITS: Counter = Counter()


class Handler(http.server.BaseHTTPRequestHandler):
    """/ok 200, /missing 404, /moved 301 -> /ok, /busy 429, /slow sleeps past the timeout,
    /flaky 503 then 200, /nohead 405 to HEAD and 200 to GET, /broken 500 always."""

    def log_message(self, format, *args):
        pass

    def answer(self, with_body: bool) -> None:
        path = self.path.split("?")[0]
        HITS[(self.command, path)] += 1
        if path == "/slow":
            time.sleep(1.5)
            code = 200
        elif path == "/flaky":
            code = 503 if HITS[("HEAD", path)] + HITS[("GET", path)] == 1 else 200
        elif path == "/nohead":
            code = 405 if self.command == "HEAD" else 200
        else:
            code = {"/ok": 200, "/missing": 404, "/moved": 301, "/busy": 429,
                    "/broken": 500}.get(path, 404)
        try:
            self.send_response(code)
            if code == 301:
                self.send_header("Location", "/ok")
            self.send_header("Content-Length", "2" if with_body else "0")
            self.end_headers()
            if with_body:
                self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout case)

    def do_HEAD(self):
        self.answer(False)

    def do_GET(self):
        self.answer(True)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_hits():
    HITS.clear()


FAST = {"timeout": 0.5, "retries": 2, "backoff": 0.01}


def test_ok(server):
    result = ext.check_url(f"{server}/ok", **FAST)
    assert (result.status, result.code, result.attempts) == ("alive", 200, 1)


def test_404_is_dead(server):
    result = ext.check_url(f"{server}/missing", **FAST)
    assert (result.status, result.code) == ("dead", 404)
    assert result.detail == "HTTP 404"


def test_301_to_200_is_alive_and_says_where(server):
    result = ext.check_url(f"{server}/moved", **FAST)
    assert (result.status, result.code, result.final_url) == ("alive", 200, f"{server}/ok")
    assert result.detail == f"redirected to {server}/ok"


def test_429_counts_as_alive_without_retrying(server):
    result = ext.check_url(f"{server}/busy", **FAST)
    assert (result.status, result.code, result.attempts) == ("alive", 429, 1)
    assert "429" in result.detail


def test_timeout_is_retried_with_backoff_then_reported(server):
    delays = []
    result = ext.check_url(f"{server}/slow", timeout=0.3, retries=2, backoff=0.01,
                           sleep=delays.append)
    assert result.status == "error"
    assert result.detail == "timed out after 0.3 s (3 attempts)"
    assert delays == [0.01, 0.02]


def test_server_error_is_retried_until_it_recovers(server):
    delays = []
    result = ext.check_url(f"{server}/flaky", **FAST, sleep=delays.append)
    assert (result.status, result.code, result.attempts) == ("alive", 200, 2)
    assert delays == [0.01]


def test_persistent_server_error_is_an_error(server):
    result = ext.check_url(f"{server}/broken", **FAST, sleep=lambda s: None)
    assert result.status == "error"
    assert result.detail == "server error 500 (3 attempts)"


def test_head_refused_falls_back_to_get(server):
    result = ext.check_url(f"{server}/nohead", **FAST)
    assert (result.status, result.code) == ("alive", 200)
    assert HITS[("GET", "/nohead")] == 1


def test_connection_refused_is_an_error():
    # A port we just closed: nothing listens there.
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = ext.check_url(f"http://127.0.0.1:{port}/", **FAST, sleep=lambda s: None)
    assert result.status == "error"
    assert result.detail.startswith("unreachable")


def test_cache_fresh_results_are_not_asked_again(server, tmp_path):
    urls = [f"{server}/ok", f"{server}/missing", f"{server}/slow"]
    cache: dict = {}
    first = ext.check_links(urls, cache=cache, timeout=0.3, retries=0, backoff=0.01)
    assert [first[u].status for u in urls] == ["alive", "dead", "error"]
    assert set(cache) == {f"{server}/ok", f"{server}/missing"}  # errors are asked again
    ext.save_cache(cache, tmp_path / "cache.json")
    HITS.clear()
    cache = ext.load_cache(tmp_path / "cache.json")
    second = ext.check_links(urls, cache=cache, timeout=0.3, retries=0, backoff=0.01)
    assert [second[u].status for u in urls] == ["alive", "dead", "error"]
    assert HITS[("HEAD", "/ok")] == 0 and HITS[("HEAD", "/missing")] == 0
    assert HITS[("HEAD", "/slow")] == 1


def test_cache_older_than_a_day_is_asked_again(server):
    url = f"{server}/ok"
    stale = ext.Result(url, "dead", 404, checked_at=time.time() - ext.ONE_DAY - 60)
    cache = {url: stale}
    results = ext.check_links([url], cache=cache, **FAST)
    assert results[url].status == "alive"
    assert cache[url].status == "alive"
    assert HITS[("HEAD", "/ok")] == 1


def test_allowlisted_urls_are_skipped_with_their_reason(server):
    allow = [ext.AllowEntry("internal network", pattern=r"/missing$")]
    results = ext.check_links([f"{server}/missing"], allowlist=allow, **FAST)
    assert results[f"{server}/missing"].status == "skipped"
    assert "internal network" in results[f"{server}/missing"].detail
    assert not HITS


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("- url: https://a.example/\n", "a reason is required"),
        ("- url: https://a.example/\n  reason: '  '\n", "a reason is required"),
        ("- reason: why\n", "exactly one of url and pattern"),
        ("- url: x\n  pattern: y\n  reason: why\n", "exactly one of url and pattern"),
        ("- pattern: '('\n  reason: why\n", "bad pattern"),
        ("- url: x\n  reason: why\n  note: z\n", "unknown keys"),
        ("url: x\n", "expected a list"),
    ],
)
def test_allowlist_entries_are_validated(tmp_path, text, error):
    path = tmp_path / "allow.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match=error):
        ext.load_allowlist(path)


def test_project_allowlist_is_valid_and_covers_the_platforms(project):
    entries = ext.load_allowlist(project.data_dir / ext.ALLOWLIST_NAME)
    assert entries and all(e.reason for e in entries)
    for url in ["https://lab.dapla.ssb.no/", "https://lab.dapla-test.ssb.no/",
                "https://ssb.pureservice.com/", "https://sl-jupyter-p.ssb.no/",
                "https://sl-jupyter-t.ssb.no/"]:
        assert ext.allowed(url, entries), url
    assert not ext.allowed("https://git-scm.com/doc", entries)


def write_site(root: Path, server: str) -> None:
    pages = {
        "index.html": f'<a href="{server}/ok#del">ok</a> <a href="{server}/missing">x</a>'
                      '<a href="../intern/">internal</a> <a href="mailto:a@b.c">m</a>',
        "sv/index.html": f'<a href="https://github.com/example/edit/main/docs/sv/index.md" '
                         f'rel="edit">e</a><a href="{server}/missing">x</a>'
                         f'<img src="{server}/moved"><a href="{server}/busy">b</a>',
    }
    for rel, body in pages.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"<html><head><link rel=\"canonical\" href=\"{server}/site/\">"
                                f"</head><body>{body}</body></html>")


def test_collect_links_groups_pages_by_url(server, tmp_path):
    write_site(tmp_path, server)
    links = ext.collect_links(tmp_path)
    assert links == {
        f"{server}/busy": ["docs/sv/index.md (sv/index.html)"],
        f"{server}/missing": ["docs/sv/index.md (sv/index.html)", "index.html"],
        f"{server}/moved": ["docs/sv/index.md (sv/index.html)"],
        f"{server}/ok": ["index.html"],
    }


def test_cli_report_grouped_by_page(server, tmp_path, capsys):
    site = tmp_path / "site"
    write_site(site, server)
    allow = tmp_path / "allow.yml"
    allow.write_text("- pattern: /busy$\n  reason: rate limits robots\n")
    cache, report = tmp_path / "cache.json", tmp_path / "report.json"
    argv = [str(site), "--allowlist", str(allow), "--cache", str(cache), "--report", str(report),
            "--timeout", "0.5", "--retries", "1", "--backoff", "0.01"]
    assert ext.main(argv) == 1
    out = capsys.readouterr().out
    assert (f"docs/sv/index.md (sv/index.html)\n  DEAD    {server}/missing: HTTP 404\n"
            f"index.html\n  DEAD    {server}/missing: HTTP 404\n") in out
    assert "2 alive, 1 dead, 0 error, 1 skipped of 4 external link(s)" in out
    data = json.loads(report.read_text())
    assert data["summary"] == {"alive": 2, "dead": 1, "error": 0, "skipped": 1}
    assert {r["url"]: r["status"] for r in data["pages"]["index.html"]} == {
        f"{server}/ok": "alive", f"{server}/missing": "dead"}
    assert set(json.loads(cache.read_text())["results"]) == {
        f"{server}/ok", f"{server}/missing", f"{server}/moved"}
    # Second run: everything comes from the cache.
    HITS.clear()
    assert ext.main(argv) == 1
    assert not HITS


def test_cli_rejects_a_bad_allowlist(tmp_path, capsys):
    (tmp_path / "index.html").write_text("<html></html>")
    allow = tmp_path / "allow.yml"
    allow.write_text("- url: https://a.example/\n")
    assert ext.main([str(tmp_path), "--allowlist", str(allow)]) == 2
    assert "a reason is required" in capsys.readouterr().err
