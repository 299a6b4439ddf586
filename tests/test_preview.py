"""The preview renders only what an edit touches, and shows what a full build would: after each
kind of edit, every page of the preview equals the same page of a fresh strict build."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from projects import LANGUAGES, REPO, SLUGIFY, mkdocs_yml, repo_hooks

from handbook.build import run_mkdocs
from handbook.preview.server import make_server, serve_in_thread, strip_reload_script
from handbook.preview.session import Preview
from handbook.project import Project

pytestmark = pytest.mark.slow

MKDOCS_YML = mkdocs_yml(
    repo_hooks("library", "notebooks", "samples", "glossary", "translations", "render"),
    name="Forhåndsvisning", notebooks=False,
    languages=[LANGUAGES[0], LANGUAGES[1] | {"nav_translations": {"Hjem": "Hem", "Regning": "Räkning"}}],
    extensions=["abbr", "admonition", "attr_list", "md_in_html", SLUGIFY, "pymdownx.superfences"],
    extra={"handbook": {"knowledge_library": {"path": "bibliotek", "url_prefix": "kunskapsbibliotek"}}},
    nav=[{"Hjem": "index.md"}, {"Regning": "regning.md"}, {"Bibliotek": "kunskapsbibliotek/README.md"}])

PAGES = {
    "docs/nb/index.md": ("---\ntitle: Hjem\n---\n\n# Hjem\n\n"
                         "En bøtte er et lager. Se [regning](regning.md).\n"),
    "docs/sv/index.md": ("---\ntitle: Hem\ntranslation_of: {source: nb, hash: 000000000000}\n---\n\n"
                         "# Hem {#hjem}\n\nSe [räkning](regning.md).\n"),
    "docs/nb/regning.md": ("---\ntitle: Regning\n---\n\n# Regning\n\n## Summer\n\nTekst.\n\n"
                           "```python show-output\nprint(6 * 7)\n```\n"),
    "data/glossary/ord.yml": ("- id: pat\n  en: personal access token\n  nb: personlig tilgangsnøkkel\n"
                              "  sv: personlig åtkomsttoken\n  abbr: PAT\n"
                              "  definition: {nb: En nøkkel., sv: En nyckel.}\n"),
}


def write(project: Path, rel: str, text: str) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def same_cache_for_every_build(shared_cache, monkeypatch) -> None:
    """The preview and the full builds it is compared with share results, as in real use."""
    monkeypatch.setenv("HANDBOOK_CACHE_DIR", str(shared_cache))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("preview") / "prosjekt"
    for rel, text in PAGES.items():
        write(root, rel, text)
    shutil.copy(REPO / "data" / "strings.yml", root / "data" / "strings.yml")
    shutil.copytree(REPO / "tests" / "fixtures" / "library-ok", root / "bibliotek")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def preview(project, shared_cache, tmp_path_factory) -> Preview:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HANDBOOK_CACHE_DIR", str(shared_cache))
        # As in real use: a build came first, so every page's rendering is already cached.
        proc = run_mkdocs(project / "mkdocs.yml", tmp_path_factory.mktemp("first") / "site")
        assert proc.returncode == 0, proc.stdout[-3000:]
        found = Preview(Project.load(project / "mkdocs.yml"), tmp_path_factory.mktemp("out"), log=print)
        assert found.full()
    return found


def pages_of(folder: Path, prefix: str) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("index.html"))
            if p.relative_to(folder).as_posix().startswith(prefix)}


def assert_same_as_full_build(preview: Preview, project: Path, tmp_path: Path) -> None:
    site = tmp_path / "full"
    proc = run_mkdocs(project / "mkdocs.yml", site)
    assert proc.returncode == 0, proc.stdout[-3000:]
    full = {k: v for k, v in pages_of(site, "").items() if not k.startswith("sv/")}
    shown = pages_of(preview.builds["nb"].site_dir, "")
    shown = {k: v for k, v in shown.items() if not k.startswith("sv/")}
    assert shown.keys() == full.keys()
    for rel in full:
        assert shown[rel] == full[rel], f"nb {rel} differs from a full build"
    full_sv = pages_of(site, "sv/")
    shown_sv = pages_of(preview.builds["sv"].site_dir, "sv/")
    assert shown_sv.keys() == full_sv.keys()
    for rel in full_sv:
        assert shown_sv[rel] == full_sv[rel], f"{rel} differs from a full build"


ADD_NAV = ("mkdocs.yml", lambda t: t.replace("\n- Bibliotek:", "\n- Ny: ny.md\n- Bibliotek:"))
DROP_NAV = ("mkdocs.yml", lambda t: t.replace("\n- Ny: ny.md\n", "\n"))
EDITS = {
    # kind of edit: ([(file, change or None to delete)], what the preview should do)
    "prose": ([("docs/nb/regning.md", lambda t: t.replace("Tekst.", "Ny tekst om en bøtte."))], "pages"),
    "heading": ([("docs/nb/regning.md", lambda t: t.replace("## Summer", "## Summer og snitt"))], "pages"),
    "code sample": ([("docs/nb/regning.md", lambda t: t.replace("6 * 7", "6 * 8"))], "pages"),
    "translation": ([("docs/sv/index.md", lambda t: t + "\nMer text.\n")], "pages"),
    "nav title": ([("mkdocs.yml", lambda t: t.replace("- Regning: regning.md", "- Utregning: regning.md")
                    .replace("Regning: Räkning", "Utregning: Uträkning"))], "full"),
    "new page": ([("docs/nb/ny.md", lambda t: "---\ntitle: Ny\n---\n\n# Ny side\n\nTekst.\n"), ADD_NAV],
                 "full"),
    "deleted page": ([("docs/nb/ny.md", None), DROP_NAV], "full"),
    "library file": ([("bibliotek/Articles/R/r-intro.md", lambda t: t + "\nEn rad till.\n")], "full"),
    "glossary entry": ([("data/glossary/ord.yml", lambda t: t.replace("En nøkkel.", "En hemmelig nøkkel."))],
                       "full"),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_the_preview_equals_a_full_build_after_an_edit(kind, preview, project, tmp_path):
    changes, expected = EDITS[kind]
    paths = []
    for rel, change in changes:
        path = project / rel
        if change is None:
            path.unlink()
        else:
            path.write_text(change(path.read_text(encoding="utf-8") if path.exists() else ""),
                            encoding="utf-8")
        paths.append(path)
    done = preview.apply(paths)
    assert done["kind"] == expected, done
    if expected == "pages":
        assert done["seconds"] < 5
    assert_same_as_full_build(preview, project, tmp_path)


def test_a_prose_edit_renders_only_that_page_and_the_code_edit_runs_the_sample(preview, project):
    page = project / "docs/nb/regning.md"
    page.write_text(page.read_text(encoding="utf-8").replace("6 *", "7 *"), encoding="utf-8")
    done = preview.apply([page])
    assert set(done["pages"]) <= {"regning/", "sv/regning/"}   # sv shows it as a fallback
    html = (preview.builds["nb"].site_dir / "regning" / "index.html").read_text(encoding="utf-8")
    assert "56" in html or "49" in html


def test_connections_queue_while_every_handler_is_busy():
    """The listen backlog is the server's (1024), not socketserver's 5: 64 clients complete the
    handshake before the server accepts any of them. With a backlog of 5 the seventh waits for
    SYN retries (1, 3, 7 s, ...), which timed out a burst of requests under a busy test run."""
    server = make_server(None, "127.0.0.1", 0)
    clients = []
    try:
        for _ in range(64):
            client = socket.socket()
            clients.append(client)
            client.settimeout(2)
            client.connect(server.server_address)
    finally:
        for client in clients:
            client.close()
        server.server_close()


def test_the_server_answers_many_requests_at_once_and_signals_reloads(preview):
    server = make_server(preview, "127.0.0.1", 0)
    serve_in_thread(server)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        urls = [f"{base}/", f"{base}/sv/", f"{base}/regning/", f"{base}/search/search_index.json"] * 125

        def fetch(url: str) -> int:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
                return response.status

        def read(url: str) -> str:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read().decode()

        with ThreadPoolExecutor(max_workers=100) as pool:
            assert set(pool.map(fetch, urls)) == {200}   # 500 requests, 100 at a time
        page = read(f"{base}/regning/")
        assert "/__preview/changes" in page and strip_reload_script(page).count("__preview") == 0
        version = preview.version
        answer: list[dict] = []
        waiter = threading.Thread(target=lambda: answer.append(json.loads(read(
            f"{base}/__preview/changes?since={version}"))))
        waiter.start()
        preview._bump({"kind": "test"})
        waiter.join(10)
        assert answer and answer[0]["version"] == version + 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_file_outside_the_pages_is_a_full_rebuild(preview, project):
    assert preview.classify([project / "data" / "strings.yml"]) == "full"
    assert preview.classify([project / "docs" / "nb" / "finnes-ikke.md"]) == "full"
    assert preview.classify([project / "docs" / "nb" / "regning.md"]) == "pages"
