"""A moved page keeps its old address in both languages (mkdocs-redirects under i18n)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from projects import REPO

from handbook.build import run_mkdocs
from handbook.checks.links import check_site, parse_html

FIXTURE = Path(__file__).parent / "fixtures" / "links-redirects"
# The project's hook, once it is in hooks/, replaces the fixture's copy so the test tests it.
PROJECT_HOOK = REPO / "hooks" / "redirects.py"


def redirect_target(site: Path, old_page: str) -> str | None:
    """Where the redirect page at `old_page` (site-relative .html) sends the reader."""
    path = site / old_page
    if not path.is_file():
        return None
    refresh = [link.url for link in parse_html(path.read_text()).links if link.tag == "meta"]
    return refresh[0] if refresh else None


def heading(page: Path) -> str:
    match = re.search(r"<h1[^>]*>(.*?)(<a |</h1>)", page.read_text(), re.S)
    assert match, page
    return match.group(1).strip()


def build(tmp_path: Path, config_text: str | None = None):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    (project / "hooks").mkdir(exist_ok=True)
    shutil.copy(PROJECT_HOOK, project / "hooks" / "redirects.py")  # the project's own hook
    if config_text is not None:
        (project / "mkdocs.yml").write_text(config_text)
    site = tmp_path / "site"
    return site, run_mkdocs(project / "mkdocs.yml", site)


@pytest.mark.slow
def test_moved_pages_redirect_in_both_languages(tmp_path):
    site, proc = build(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    cases = [
        ("gammel/index.html", "../ny/", "ny/index.html", "Ny side"),
        ("sv/gammel/index.html", "../ny/", "sv/ny/index.html", "Ny sida"),
        ("dapla/gammel-del/index.html", "../../ny/#del", "ny/index.html", "Ny side"),
        ("sv/dapla/gammel-del/index.html", "../../ny/#del", "sv/ny/index.html", "Ny sida"),
        # sv has no translation: the redirect leads to the sv fallback page.
        ("gammel-bare-nb/index.html", "../bare-nb/", "bare-nb/index.html", "Bare på bokmål"),
        ("sv/gammel-bare-nb/index.html", "../bare-nb/", "sv/bare-nb/index.html",
         "Bare på bokmål"),
    ]
    for old, target, new, title in cases:
        assert redirect_target(site, old) == target, old
        assert heading(site / new) == title
    # Every redirect target (and anchor) exists, checked like any other link.
    assert check_site(site) == []


@pytest.mark.slow
def test_without_the_hook_language_neutral_keys_fail(tmp_path):
    config = (FIXTURE / "mkdocs.yml").read_text().replace("hooks:\n  - hooks/redirects.py\n", "")
    _, proc = build(tmp_path, config)
    assert proc.returncode != 0
    assert "Redirect target 'ny.md' does not exist!" in proc.stdout


@pytest.mark.slow
def test_without_the_hook_language_folder_keys_misplace_the_default_language(tmp_path):
    # Why the hook exists: `nb/gammel.md: nb/ny.md` lands at /nb/gammel/, not /gammel/.
    config = (FIXTURE / "mkdocs.yml").read_text().replace("hooks:\n  - hooks/redirects.py\n", "")
    config = re.sub(r"      redirect_maps:\n(        .*\n)+",
                    "      redirect_maps:\n        nb/gammel.md: nb/ny.md\n"
                    "        sv/gammel.md: sv/ny.md\n", config)
    site, proc = build(tmp_path, config)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert redirect_target(site, "gammel/index.html") is None
    assert redirect_target(site, "nb/gammel/index.html") == "../ny/"  # -> /nb/ny/: no such page
    assert not (site / "nb" / "ny" / "index.html").exists()
    assert redirect_target(site, "sv/gammel/index.html") == "../ny/"


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without constructing its !ENV and !!python tags."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def real_redirect_map() -> dict[str, str]:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "redirects" in plugin:
            return (plugin["redirects"] or {}).get("redirect_maps") or {}
    return {}


@pytest.mark.site
@pytest.mark.parametrize("language_folder", ["", "sv/"])
def test_real_site_redirects_every_old_address(built_site, language_folder):
    for old, new in real_redirect_map().items():
        old_page = language_folder + re.sub(r"(index)?\.md$", "", old).rstrip("/") + "/index.html"
        target = redirect_target(built_site, old_page.removeprefix("/"))
        assert target is not None, f"/{language_folder}{old}: no redirect page for {old} -> {new}"


def removed_pages(repo: Path, docs: str = "docs") -> set[str]:
    """Pages (language-neutral, e.g. dapla/gammel.md) that git history once had under
    docs/<language>/ and that no longer exist in any language."""
    out = subprocess.run(["git", "-C", str(repo), "log", "--diff-filter=DR", "--name-status",
                          "--format=", "--", docs], capture_output=True, text=True, check=True).stdout
    gone = set()
    for line in out.splitlines():
        parts = line.split("\t")
        path = Path(parts[1]) if len(parts) > 1 else None
        if path is None or path.suffix not in (".md", ".ipynb") or len(path.parts) < 3:
            continue
        neutral = Path(*path.parts[2:]).as_posix()
        if not any((repo / docs / lang / neutral).exists() for lang in language_folders(repo, docs)):
            gone.add(neutral)
    return gone


def language_folders(repo: Path, docs: str) -> list[str]:
    return [p.name for p in (repo / docs).iterdir() if p.is_dir()]


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the repository's git history")
def test_every_page_removed_from_the_repository_has_a_redirect():
    missing = sorted(removed_pages(REPO) - set(real_redirect_map()))
    assert not missing, ("pages removed from docs/ without a redirect (add them to redirect_maps in "
                         f"mkdocs.yml, old: new): {missing}")


def test_removed_pages_are_found_in_history(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                            "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    git("init", "-q")
    for rel in ("docs/nb/gammel.md", "docs/sv/gammel.md", "docs/nb/flyttes.md", "docs/nb/blir.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("# Side\n")
    git("add", "-A")
    git("commit", "-qm", "pages")
    git("rm", "-q", "docs/nb/gammel.md", "docs/sv/gammel.md")
    git("mv", "docs/nb/flyttes.md", "docs/nb/flyttet.md")
    git("rm", "-q", "docs/nb/blir.md")
    (tmp_path / "docs/sv").mkdir(exist_ok=True)
    (tmp_path / "docs/sv/blir.md").write_text("# Sida\n")   # still there in Swedish: not gone
    git("add", "-A")
    git("commit", "-qm", "move")
    assert removed_pages(tmp_path) == {"gammel.md", "flyttes.md"}
