"""`ssb-project create` and `build` (the real ssb-project-cli) work against the stand-ins.

ssb-project clones its cookiecutter template from github.com (the git stand-in serves a minimal
template of ours there), locks and installs with Poetry from pypi.org (the pypi stand-in) and
installs a Jupyter kernel in the home folder; it first checks that git is set up as SSB
recommends for the platform, which the `dapla-lab` stand-in provides. The clients run on the
host with a from-scratch environment and reach the stand-ins by name through `EndpointProxy`,
as in tests/test_standins.py; one test runs the sandbox to prove the ~/.gitconfig it gets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from test_standins import shared_cache  # noqa: F401

from handbook.execute import registry, standins
from handbook.execute.limits import Limits
from handbook.execute.sandbox import Isolation, Job, run
from handbook.execute.standins import daplalab, git, pypi, wheels
from handbook.execute.standins.base import StandInError
from handbook.execute.standins.proxy import EndpointProxy
from handbook.project import Project

ROOT = Path(__file__).resolve().parents[1]
DATA = Project.load(ROOT / "mkdocs.yml").data_dir
VENV_BIN = Path(sys.executable).parent
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
TEMPLATE = "https://github.com/statisticsnorway/ssb-project-template-stat.git"
TIMEOUT = 900


@pytest.fixture(scope="module")
def build(shared_cache):  # noqa: F811
    """The stand-ins of one build, with the wheels kept where tests/test_standins.py keeps them."""
    running = standins.StandIns(shared_cache, DATA)
    try:
        for name in ("pypi", "git"):
            running.get(name)
    except StandInError as exc:
        running.stop()
        pytest.skip(f"stand-in not available here: {exc}")
    yield running
    running.stop()


def needs(*tools: str) -> None:
    search = f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    missing = [t for t in tools if not shutil.which(t, path=search)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed here")


def dapla_lab_env(exposure, proxy: EndpointProxy, home: Path) -> dict[str, str]:
    """A from-scratch environment as a sandboxed session with services="pypi git dapla-lab" gets."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(daplalab.gitconfig(), encoding="utf-8")
    env = {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
        "TMPDIR": str(home), "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "JUPYTER_PLATFORM_DIRS": "1",
        **daplalab.ENV,
    }
    env.update(exposure.host_env())
    env.update(proxy.env())
    return env


def sh(script: str, env: dict, cwd: Path) -> str:
    cwd.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (f"{script}\n--- stdout\n{done.stdout[-3000:]}\n"
                                  f"--- stderr\n{done.stderr[-3000:]}")
    return done.stdout + done.stderr


def kernel(home: Path, name: str) -> dict:
    return json.loads((home / ".local/share/jupyter/kernels" / name / "kernel.json").read_text())


# ---- the Dapla Lab setup ---------------------------------------------------------------------

def test_the_gitconfig_is_what_kvakk_git_tools_accepts_in_dapla_lab(tmp_path, monkeypatch):
    kvakk = pytest.importorskip("kvakk_git_tools")
    (tmp_path / ".gitconfig").write_text(daplalab.gitconfig(), encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DAPLA_REGION", "DAPLA_LAB")
    assert kvakk.validate_git_config()
    monkeypatch.delenv("DAPLA_REGION")   # elsewhere kvakk pings SSB's hosts; none answer here
    monkeypatch.setattr("kvakk_git_tools.ssb_gitconfig.ping", lambda host: False)
    assert not kvakk.validate_git_config()


def test_dapla_lab_is_asked_for_by_name_only():
    known = registry.registrations()
    assert "dapla-lab" in known
    assert registry.used("ssb-project create x", None, known) == ()
    assert registry.used("ssb-project create x", "pypi git dapla-lab", known) == ("dapla-lab", "git", "pypi")


ISOLATION = Isolation.detect()


@pytest.mark.skipif(not ISOLATION.available, reason=f"no sandbox here: {ISOLATION.problem}")
def test_a_sandboxed_session_gets_a_writable_gitconfig(tmp_path):
    standin = daplalab.DaplaLab(None, tmp_path)
    standin.start()
    code = ('echo "$DAPLA_REGION"\ngit config --global --get user.name\n'
            'git config --global core.editor vim\ngit config --global --get core.editor\n')
    result = run(ISOLATION, Limits(), Job(driver="bash", inputs={"000.sh": code.encode()}, timeouts=[60],
                                          exposures=[standin.exposure()]))
    assert result.ok, result.error
    assert result.outputs[0]["stdout"].split("\n")[:3] == ["DAPLA_LAB", daplalab.USER[0], "vim"]
    assert "nbstripout" in (tmp_path / "dapla-lab" / "gitconfig").read_text()   # the original is untouched
    assert "vim" not in (tmp_path / "dapla-lab" / "gitconfig").read_text()


# ---- the seeded repositories -----------------------------------------------------------------

def test_seeds_take_files_from_installed_packages_and_tag_releases(tmp_path):
    pytest.importorskip("kvakk_git_tools")
    commits = [{"message": "Mal", "author": "Håndboka <handbook@example.org>",
                "date": "2024-01-08T09:00:00+01:00", "tag": "1.8.0", "files": {
                    ".gitignore": {"package": "kvakk_git_tools", "resource": "recommended/gitignore"}}}]
    bare = git.build_repository(tmp_path / "repos", TEMPLATE, commits, tmp_path)
    shown = subprocess.run(["git", "--git-dir", str(bare), "show", "1.8.0:.gitignore"], capture_output=True,
                           text=True, check=True).stdout
    from importlib.resources import files
    assert shown == files("kvakk_git_tools").joinpath("recommended/gitignore").read_text(encoding="utf-8")
    with pytest.raises(StandInError, match="package"):
        git.file_content({"package": "kvakk_git_tools"})


# ---- ssb-project against the stand-ins ---------------------------------------------------------

@pytest.mark.slow
def test_ssb_project_create_and_build(build, tmp_path):
    needs("ssb-project", "poetry", "git")
    home = tmp_path / "home"
    with build.session(["pypi", "git"]) as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = dapla_lab_env(exposure, proxy, home)
        out = sh("ssb-project create stat-testprod", env, home / "work")
        project = home / "work" / "stat-testprod"
        # ssb-project removes the folder and still exits 0 when something fails: check what it made
        assert "Created project (stat-testprod)" in out, out
        assert {".git", ".gitignore", ".gitattributes", "LICENSE", "README.md", "poetry.lock",
                "pyproject.toml", "src", "tests", ".cruft.json"} <= {p.name for p in project.iterdir()}
        cruft = json.loads((project / ".cruft.json").read_text())
        assert cruft["checkout"] == "1.8.0"
        assert cruft["context"]["cookiecutter"]["full_name"] == daplalab.USER[0]
        assert 'name = "ipykernel"' in (project / "poetry.lock").read_text()
        log = sh("git log --format='%an <%ae> %s'", env, project)
        assert log.strip() == f"{daplalab.USER[0]} <{daplalab.USER[1]}> Initial commit"
        assert kernel(home, "stat-testprod")["argv"][0].endswith("/python.sh")   # the kernel, with ~/.bashrc

        # a colleague's project from GitHub, built as the page shows
        out = sh("git clone https://github.com/statisticsnorway/stat-testprod.git\ncd stat-testprod\n"
                 "ssb-project build", env, tmp_path / "colleague")
        assert "Installed Jupyter Kernel (stat-testprod)" in out, out
        assert "does not follow SSB recommendations" not in out
        launcher = kernel(home, "stat-testprod")["argv"][0]
        assert launcher.endswith("/python.sh") and Path(launcher).is_file()
    hosts = {entry[0] for entry in build.front.log}
    assert {"github.com", "pypi.org"} <= hosts


@pytest.mark.slow
def test_the_index_offers_a_newer_pytest_than_the_seeded_lock(build):
    index = build.get("pypi").index
    versions = {d.version for d in index.find("pytest")}
    older = {name: version for name, version, _, _ in wheels.read_requirements(DATA / pypi.OLDER)}
    assert older["pytest"] in versions and len(versions) >= 2
    with urllib.request.urlopen(urllib.request.Request(
            f"{build.get('pypi').url}/pypi/pytest/json"), context=_context(build), timeout=30) as r:
        latest = json.load(r)["info"]["version"]
    assert latest != older["pytest"]


@pytest.mark.slow
def test_poetry_update_updates_the_locked_pytest(build, tmp_path):
    needs("poetry", "git")
    with build.session(["pypi", "git"]) as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = dapla_lab_env(exposure, proxy, tmp_path / "home")
        sh("git clone -q -b med-poetry-lock https://github.com/statisticsnorway/stat-testprod.git p", env,
           tmp_path)
        before = (tmp_path / "p" / "poetry.lock").read_text()
        sh("git switch -c oppdater-pakker\npoetry update\npoetry run pytest\n"
           "git commit -am 'Oppdater pakkene'\ngit push -u origin oppdater-pakker", env, tmp_path / "p")
        diff = sh("git diff HEAD~1 -- poetry.lock", env, tmp_path / "p")
    assert 'name = "pytest"\nversion = "8.4.2"' in before
    assert '-version = "8.4.2"' in diff and '+version = "' in diff


def _context(build):
    import ssl

    return ssl.create_default_context(cafile=str(build.front.authority.ca_file))
