"""One build for any project folder: the package, installed from a wheel into a fresh virtual
environment, builds a tiny three-language project elsewhere. Its caches and reports land in that
project's own .cache/, and nothing in this repository changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import LANGUAGES, REPO, mkdocs_yml, notebook

pytestmark = pytest.mark.slow

# Hooks by relative path: the project carries its own shims over the installed package.
MKDOCS_YML = mkdocs_yml(
    [f"hooks/{name}.py" for name in ("notebooks", "samples", "translations", "glossary")],
    name="Lite prosjekt",
    languages=[*LANGUAGES, {"locale": "en", "name": "English", "build": True, "theme": {"language": "en"}}],
    extensions=["admonition", "attr_list", "toc", "pymdownx.superfences"])

PAGES = {
    "docs/nb/index.md": "---\ntitle: Hjem\n---\n\n# Hjem\n\nSe [regning](regning.md).\n",
    "docs/sv/index.md": "---\ntitle: Hem\n---\n\n# Hem\n\nSe [räkning](regning.md).\n",
    "docs/nb/regning.md": ("---\ntitle: Regning\n---\n\n# Regning\n\n"
                           "```python show-output\nprint(6 * 7)\n```\n"),
    "data/glossary/ord.yml": ("- id: botte\n  en: bucket\n  nb: bøtte\n  sv: bucket\n  abbr: null\n"
                              "  definition: {nb: Et lager., sv: Ett lager.}\n"),
}
HOOKS = ("notebooks.py", "samples.py", "translations.py", "glossary.py")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and time of each file, leaving out what the axe sweep of this repository's own site
    keeps there (test_accessibility.py, on another worker while this test runs)."""
    return {rel: (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()
            if not (rel := p.relative_to(folder).as_posix()).startswith(AXE_FILES)} if folder.is_dir() else {}


AXE_FILES = ("accessibility/", "reports/accessibility.json")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the docs and samples groups and our wheel."""
    uv = shutil.which("uv") or str(REPO / ".cache" / "tools" / "bin" / "uv")
    base = tmp_path_factory.mktemp("wheel")
    run([uv, "build", "--wheel", "--out-dir", str(base / "dist"), str(REPO)])
    wheel = next((base / "dist").glob("*.whl"))
    requirements = base / "requirements.txt"
    run([uv, "export", "--frozen", "--no-hashes", "--no-emit-project", "--only-group", "docs",
         "--only-group", "samples", "-o", str(requirements)], cwd=REPO)
    venv = base / "venv"
    run([uv, "venv", "--python", sys.executable, str(venv)])
    install = [uv, "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(requirements),
               str(wheel)]
    # `make test` has just synced .venv from the same lock, so uv's cache holds every wheel: offline
    # takes seconds, where asking the index about every pin again took about 40 s.
    offline = subprocess.run([*install, "--offline"], capture_output=True, text=True, check=False)
    if offline.returncode != 0:
        run(install)
    return venv


def test_a_wheel_builds_another_project_in_its_own_folder(installed, tmp_path, monkeypatch):
    monkeypatch.delenv("HANDBOOK_CACHE_DIR")   # the project's own default: <project>/.cache
    repo_cache_before = listing(REPO / ".cache")
    project = tmp_path / "lite"
    for rel, text in PAGES.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    (project / "docs/nb/bok.ipynb").write_text(json.dumps(notebook(
        ("md", "# Notatbok"), ("code", "print(sum(range(5)))"))), encoding="utf-8")
    (project / "hooks").mkdir()
    for name in HOOKS:   # the hooks a project carries are shims over the installed package
        shutil.copy(REPO / "hooks" / name, project / "hooks" / name)
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    proc = subprocess.run([str(installed / "bin" / "handbook"), "build"], cwd=project, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]

    # the installed package, not this checkout, did the work
    where = run([str(installed / "bin" / "python"), "-c",
                 "import handbook; print(handbook.__file__)"]).stdout
    assert str(installed) in where and str(REPO) not in where

    site = project / "site"
    assert "42" in (site / "regning" / "index.html").read_text(encoding="utf-8")
    assert "10" in (site / "bok" / "index.html").read_text(encoding="utf-8")
    for lang, title in (("sv", "Hem"), ("en", "Hjem")):   # en falls back to the nb page
        html = (site / lang / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html and title in html
    fallback = (site / "en" / "regning" / "index.html").read_text(encoding="utf-8")
    assert "Not translated yet" in fallback   # strings for a language the project did not translate

    reports = project / ".cache" / "reports"
    execution = json.loads((reports / "execution.json").read_text(encoding="utf-8"))
    assert "docs/nb/regning.md" in execution["pages"]
    assert (reports / "build.json").is_file()
    assert listing(REPO / ".cache") == repo_cache_before
