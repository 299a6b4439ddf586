"""A hostile knowledge library: every attack is refused with a clear message or neutralised.

The committed fixture (tests/fixtures/library-hostile) holds only regular files: script,
event handlers, javascript: and data: links, attr_list handlers, front matter and notebook JSON
injection, a snippet include of /etc/passwd, links out of the library. The symlinks (to
/proc/self/environ, /etc/passwd, the repository's .git/config, ~/.ssh), symlink loops and a
file named like HTML are added by `hostile_library` in a temporary copy, so that no tool that
walks this repository ever follows them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
from test_library_site import article, html, make_project

from handbook.build import mkdocs_env
from handbook.content import library
from handbook.content.library import cli

FIXTURE = Path(__file__).parent / "fixtures" / "library-hostile"
SECRET = "s3cr3t-handbook-test-value"
HOSTILE_NAME = '"><img src=x onerror=alert(\'name\')>.md'
SYMLINKS = {  # path in the library -> link target
    "Resources/miljö.txt": "/proc/self/environ",
    "Articles/lösenord.md": "/etc/passwd",
    "Resources/Fientlig resurs/config": "../../../../.git/config",
    "Resources/Fientlig resurs/ssh": "~/.ssh",
    "Resources/Länkad resurs": "../Articles",
    "Articles/Fientligt/loop": ".",
    "Resources/a": "b",
    "Resources/b": "a",
}
ATTACKS = ["fm-title", "fm-description", "h1", "raw-script", "a-href", "md-link", "mixed-case", "data",
           "img-onerror", "attr-list-paragraph", "attr-list-heading", "svg-onload", "p-onmouseover",
           "svg-file", "svg-script", "cell-script", "cell-img", "attachment", "output-script",
           "output-img", "output-js", "output-svg", "output-href", "kernel", "lang", "nb-title",
           "card-name", "card-git", "card-html", "card-description", "card-tag", "name"]


def hostile_library(folder: Path) -> Path:
    shutil.copytree(FIXTURE, folder)
    for rel, target in SYMLINKS.items():
        os.symlink(target, folder / rel)
    (folder / "Articles" / "Fientligt" / HOSTILE_NAME).write_text("# Namn\n\nEtt elakt namn.\n")
    return folder


def test_reading_refuses_every_symlink_and_names_it(tmp_path):
    lib = library.read_library(hostile_library(tmp_path / "bib"))
    refused = {str(p.path): p.message for p in lib.problems if "symbolic link" in p.message}
    assert set(refused) == set(SYMLINKS)
    assert "-> /proc/self/environ" in refused["Resources/miljö.txt"]
    assert all(p.level == "warning" for p in lib.problems if "symbolic link" in p.message)
    assert not any(r.name == "Länkad resurs" for r in lib.resources)
    assert PurePosixPath("Articles/lösenord.md") not in lib.files


def test_loops_do_not_hang(tmp_path):
    folder = hostile_library(tmp_path / "bib")
    (folder / "Articles" / "djup").mkdir()
    os.symlink("../../Articles", folder / "Articles" / "djup" / "upp")
    started = time.monotonic()
    library.read_library(folder)
    assert time.monotonic() - started < 5


def test_reading_a_file_never_follows_a_link(tmp_path):
    folder = hostile_library(tmp_path / "bib")
    with pytest.raises(library.LibraryError, match=r"refused|cannot be read"):
        library.tree.read_bytes(folder, PurePosixPath("Articles/lösenord.md"))
    with pytest.raises(library.LibraryError, match="outside the library"):
        library.tree.read_bytes(folder, PurePosixPath("Resources/Fientlig resurs/config"))


def test_copy_refuses_symlinks_and_copies_only_regular_files(tmp_path, capsys):
    folder = hostile_library(tmp_path / "bib")
    project = tmp_path / "projekt"
    project.mkdir()
    assert cli.main(["copy", str(folder), "Fientlig resurs", str(project)]) == 1
    err = capsys.readouterr().err
    assert "is not copied" in err and "Resources/Fientlig resurs/config: refused: a symbolic link" in err
    assert not (project / "Resources").exists()
    assert cli.main(["copy", str(folder), "miljö.txt", str(project)]) == 1
    assert "refused: a symbolic link (-> /proc/self/environ)" in capsys.readouterr().err
    assert cli.main(["copy", str(folder), "Länkad resurs", str(project)]) == 1
    assert cli.main(["copy", str(folder), "../Articles", str(project)]) == 1
    assert not (project / "Resources").exists()


@pytest.fixture(scope="module")
def hostile_builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    results = {}
    for strict in (True, False):
        where = tmp / ("strict" if strict else "loose")
        where.mkdir()
        project = make_project(where, FIXTURE, strict=strict)
        shutil.rmtree(project / "bibliotek")
        hostile_library(project / "bibliotek")
        site = where / "site"
        cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
        env = mkdocs_env({"HANDBOOK_CACHE_DIR": str(where / "cache"), "HANDBOOK_TEST_SECRET": SECRET})
        started = time.monotonic()
        proc = subprocess.run(cmd + (["--strict"] if strict else []), cwd=project, env=env, timeout=600,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        results[strict] = (proc, site, time.monotonic() - started)
    return results


@pytest.mark.slow
def test_strict_build_fails_naming_each_symlink(hostile_builds):
    proc, _, seconds = hostile_builds[True]
    assert proc.returncode != 0
    for rel in SYMLINKS:
        assert re.search(rf"WARNING .*bibliotek/{re.escape(rel)}: refused: a symbolic link", proc.stdout), rel
    assert seconds < 300  # the loops did not hang the build
    assert "Traceback" not in proc.stdout


@pytest.mark.slow
def test_nothing_behind_a_link_is_published(hostile_builds):
    _, site, _ = hostile_builds[False]
    assert (site / "kb" / "index.html").is_file()
    published = b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())
    assert SECRET.encode() not in published  # /proc/self/environ of the build
    assert b"root:x:0:0" not in published      # /etc/passwd
    assert b"[core]" not in published and b"repositoryformatversion" not in published  # .git/config
    assert not list(site.rglob("*miljö*")) and not list(site.rglob("*lösenord*"))


@pytest.mark.slow
def test_no_script_survives_in_any_library_page(hostile_builds):
    proc, site, _ = hostile_builds[False]
    assert proc.returncode == 0, proc.stdout[-5000:]
    pages = [p for p in site.rglob("index.html") if "kb" in p.relative_to(site).parts]
    assert len(pages) >= 2 * 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        runs = _what_runs(text)  # the theme's own scripts hold no alert(
        assert not [r for r in runs if "alert(" in r or "<" in r[:1]], (page, runs)
        content = _content(text)
        assert not re.search(r"<(script|iframe|style|form|svg|object|input)\b", content), page
        assert not _what_runs(content), page  # not one handler or script URL in the content
        assert 'id="__search"' not in content
    published = [p for p in site.rglob("*") if p.is_file() and "kb" in p.relative_to(site).parts]
    assert not [p for p in published if p.suffix in (".html", ".svg") and p.name != "index.html"]


class _Runs(HTMLParser):
    """Everything in a page that a browser would run: script text, on* handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or value.strip().lower().startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.found.append(data)


def _content(text: str) -> str:
    """The page's own content: the article without the theme's buttons and icons."""
    content = article(text)
    content = re.sub(r'<a [^>]*class="md-content__button[^"]*"[^>]*>.*?</a>', "", content, flags=re.S)
    return re.sub(r'<aside class="md-source-file">.*?</aside>', "", content, flags=re.S)


def _what_runs(text: str) -> list[str]:
    parser = _Runs()
    parser.feed(text)
    return parser.found


def test_attacks_are_all_in_the_fixture():
    committed = "".join(p.read_text(encoding="utf-8") for p in FIXTURE.rglob("*") if p.is_file())
    for attack in ATTACKS[:-1]:
        assert attack in committed, attack


@pytest.mark.slow
def test_front_matter_and_json_fields_are_escaped(hostile_builds):
    _, site, _ = hostile_builds[False]
    for prefix in ("", "sv/"):
        head = html(site, f"{prefix}kb").split("<body")[0]
        # the page is named as BALSAM names it, not by a `title:` from the library
        assert re.search(r"<title>Fientligt bibliotek - Testh.ndbok</title>", head)
        description = re.search(r'<meta name="description" content="([^"<>]*)">', head)
        assert description, head
    sv_head = html(site, "sv/kb").split("<body")[0]
    assert '<meta name="description" content="&quot;&gt;">' in sv_head  # front matter, made text
    cards = article(html(site, "kb/Templates"))
    assert "&lt;script&gt;alert('card-name')&lt;/script&gt;" in cards  # shown, not run
    assert "<code>javascript:alert('card-git')</code>" in cards and "ok.example" not in cards
    mall = html(site, "kb/Articles/Fientligt/Mall")
    assert "etc/passwd" not in mall  # `template:` from a library page is ignored
    assert '<meta name="description" content="En &quot;beskrivning&quot; med taggar &amp; tecken">' in mall
    assert "<title>Injektion - " in html(site, "kb/Articles/Fientligt/Injektion")
    assert not Path("/tmp/handbook-yaml-pwned").exists()  # the YAML tag was never constructed


@pytest.mark.slow
def test_hostile_names_and_outside_links_are_neutralised(hostile_builds):
    proc, site, _ = hostile_builds[False]
    named = [p for p in (site / "kb" / "Articles" / "Fientligt").iterdir() if "img" in p.name]
    assert named and all(p.is_dir() for p in named)
    listing = article(html(site, "kb/Articles/Fientligt"))
    assert "&lt;img src=x onerror=alert('name')&gt;</span></a>" in listing
    for prefix in ("", "sv/"):
        front = article(html(site, f"{prefix}kb"))
        assert not re.search(r'(href|src)="[^"]*(\.git/config|etc/passwd)', front)
        assert "Hemligheter och lösenord och absolut." in front  # the links' text stays
        assert '--8&lt;-- "/etc/passwd"' in front  # a snippet include shows as text, as on GitHub
    assert "points outside the library" in proc.stdout
