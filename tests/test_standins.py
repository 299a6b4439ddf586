"""The stand-ins for PyPI, Nexus, CRAN and git are real servers that real clients work against.

Clients run with an environment built from scratch, as in the sandbox, and reach the stand-ins
by the names the pages show (pypi.org, github.com, ...) through `EndpointProxy`, which maps those
names to the stand-ins' ports on 127.0.0.1; TLS is verified against the local CA only.

The wheels and R packages are fetched once into a folder under pytest's temporary root that
outlives a single run (`handbook-standins-cache`), never into the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from handbook.execute import standins
from handbook.execute.standins import cran, git, nexus, pypi, tls, wheels
from handbook.execute.standins.base import StandInError
from handbook.execute.standins.proxy import EndpointProxy
from handbook.project import Project

ROOT = Path(__file__).resolve().parents[1]
DATA = Project.load(ROOT / "mkdocs.yml").data_dir
VENV_BIN = Path(sys.executable).parent
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
UV = next((p for p in (ROOT / ".cache/tools/bin/uv", shutil.which("uv")) if p and Path(p).exists()), None)
TIMEOUT = 900


# ---- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """Downloads kept between runs, under pytest's temporary root (outside the repository), and
    shared by the workers of one run (builds in it take a lock)."""
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):   # <root>/pytest-N/popen-gw0: a folder per worker
        run = run.parent
    folder = run.parent / "handbook-standins-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def build(shared_cache):
    """The stand-ins of one build; a stand-in that cannot be set up here skips its tests."""
    running = standins.StandIns(shared_cache, DATA)
    yield running
    running.stop()


def session(build, *names):
    """Enter a session with the named stand-ins (skipping if one cannot run here)."""
    try:
        for name in names:
            build.get(name)
    except StandInError as exc:
        pytest.skip(f"stand-in not available here: {exc}")
    return build.session(names)


def client_env(exposure, proxy: EndpointProxy, home: Path, **extra) -> dict[str, str]:
    """A from-scratch environment, as a sandboxed session gets, plus the proxy that plays DNS."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
        "TMPDIR": str(home), "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never", "UV_PYTHON": str(BASE_PYTHON),
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "R_LIBS_USER": str(home / "R"),
    }
    env.update(exposure.host_env())
    env.update(proxy.env())
    env.update(extra)
    return env


def sh(script: str, env: dict, cwd: Path, timeout: float = TIMEOUT) -> str:
    cwd.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, (f"{script}\n--- stdout\n{done.stdout[-3000:]}\n"
                                  f"--- stderr\n{done.stderr[-3000:]}")
    return done.stdout + done.stderr


def needs(*tools: str) -> None:
    search = f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    missing = [t for t in tools if not shutil.which(t, path=search)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed here")


# ---- registry, certificates, endpoints ------------------------------------------------------

def test_registry_names_the_hosts_the_pages_show():
    hosts = {name: standins.standin_class(name).hosts for name in standins.REGISTRY}
    assert set(hosts) == {"pypi", "nexus", "cran", "git"}
    assert {"pypi.org", "files.pythonhosted.org"} <= set(hosts["pypi"])
    assert hosts["nexus"] == ("nexus.ssb.no",)
    assert {"github.com", "api.github.com", "gitlab.example.org"} <= set(hosts["git"])
    owners = {}
    for name, names in hosts.items():
        for host in names:
            assert host not in owners, f"{host} is played by both {owners.get(host)} and {name}"
            owners[host] = name


@pytest.mark.parametrize("name", sorted(standins.REGISTRY))
def test_fingerprint_follows_the_data(name, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA / "standins", data / "standins")
    before = standins.fingerprint([name], data)
    for rel in standins.standin_class(name).data_files:
        with (data / rel).open("a", encoding="utf-8") as f:
            f.write("\n# changed\n")
    assert standins.fingerprint([name], data) != before


def test_certificate_is_trusted_for_every_host_and_nothing_else(tmp_path):
    authority = tls.Authority(tmp_path / "ca")
    hosts = standins.all_hosts()
    server = authority.server_context(hosts)
    client = ssl.create_default_context(cafile=str(authority.ca_file))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def handshake(name: str) -> None:
        with socket.create_connection(("127.0.0.1", port)) as raw:
            accepted, _ = listener.accept()
            import threading

            t = threading.Thread(target=lambda: _server_handshake(server, accepted), daemon=True)
            t.start()
            try:
                with client.wrap_socket(raw, server_hostname=name):
                    pass
            finally:
                t.join(5)

    for host in (*hosts, "localhost"):
        handshake(host)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake("example.com")
    listener.close()
    # the key stays private, and a second Authority on the same folder reuses the CA
    assert oct((tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    assert tls.Authority(tmp_path / "ca").ca_file.read_bytes() == authority.ca_file.read_bytes()


def _server_handshake(context, sock):
    try:
        with context.wrap_socket(sock, server_side=True):
            pass
    except (ssl.SSLError, OSError):
        sock.close()


def test_a_session_shares_one_port_per_scheme_and_trusts_the_ca(build):
    with session(build, "git") as exposure:
        ports = {(e.port, e.target_port) for e in exposure.endpoints}
        assert {e.host for e in exposure.endpoints} == set(git.Git.hosts)
        assert {p for p, _ in ports} == {80, 443}
        assert len(ports) == 2, "every name on one port must reach the same host port"
        ca = exposure.env["SSL_CERT_FILE"]
        assert ca == tls.SANDBOX_CA_PATH and exposure.files[ca].is_file()
        for name in ("REQUESTS_CA_BUNDLE", "PIP_CERT", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO"):
            assert exposure.env[name] == ca


def test_sessions_take_turns_with_a_stand_in_they_can_change(build):
    import threading

    assert git.Git.exclusive and not pypi.PyPI.exclusive and not cran.CRAN.exclusive
    entered = threading.Event()

    def second():
        with build.session(["git"]):
            entered.set()

    with session(build, "git"):
        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        assert not entered.wait(0.5), "a second git session ran while the first held the remote"
    assert entered.wait(30)
    thread.join(30)


def test_proxy_reaches_stand_ins_only(build):
    with session(build, "git") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        opener = _opener(proxy, exposure)
        with pytest.raises(urllib.error.HTTPError, match="401"):  # reached: GitHub wants a token
            opener.open("https://api.github.com/user", timeout=30)
        with pytest.raises(urllib.error.URLError, match=r"403|Tunnel"):
            opener.open("https://example.com/", timeout=30)


def _opener(proxy, exposure, token: str | None = None):
    context = ssl.create_default_context(cafile=exposure.host_env()["SSL_CERT_FILE"])
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": proxy.url, "http": proxy.url}),
        urllib.request.HTTPSHandler(context=context))
    if token:
        opener.addheaders = [("Authorization", f"token {token}")]
    return opener


# ---- the simple index with a wheel made here (no downloads) ---------------------------------

def make_wheel(folder: Path, name: str = "Handbook_Demo", version: str = "1.0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr("handbook_demo/__init__.py", "GREETING = 'hei'\n")
        whl.writestr(f"{dist}.dist-info/METADATA",
                     f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: Demo for Åse\n"
                     "Requires-Python: >=3.8\n")
        whl.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                                "Tag: py3-none-any\n")
        whl.writestr(f"{dist}.dist-info/RECORD", "")
    return path


class TinyPyPI(pypi.PyPI):
    def prepare(self):
        self.index = pypi.PackageIndex(self.wheels)


@pytest.fixture
def tiny_pypi(tmp_path):
    make_wheel(tmp_path / "wheels")
    stand_in = TinyPyPI(tmp_path / "cache", DATA)
    stand_in.wheels = tmp_path / "wheels"
    stand_in.start()
    yield stand_in
    stand_in.stop()


def _get(url: str, ca: Path, accept: str | None = None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    context = ssl.create_default_context(cafile=str(ca))
    return urllib.request.urlopen(request, context=context, timeout=30)


def test_simple_api_speaks_html_and_json(tiny_pypi):
    ca = tiny_pypi.ca_file
    with _get(f"{tiny_pypi.url}/simple/", ca) as r:
        assert r.headers["Content-Type"].startswith("text/html")
        assert 'href="handbook-demo/"' in r.read().decode()
    with _get(f"{tiny_pypi.url}/simple/handbook-demo/", ca, pypi.SIMPLE_JSON) as r:
        assert r.headers["Content-Type"] == pypi.SIMPLE_JSON
        data = json.load(r)
    (entry,) = data["files"]
    assert data["versions"] == ["1.0"] and entry["requires-python"] == ">=3.8"
    with _get(f"{tiny_pypi.url}{entry['url']}.metadata", ca) as r:
        import hashlib

        assert hashlib.sha256(r.read()).hexdigest() == entry["core-metadata"]["sha256"]
    with _get(f"{tiny_pypi.url}/simple/Handbook_Demo/", ca, pypi.SIMPLE_JSON) as r:
        assert r.url.endswith("/simple/handbook-demo/")  # non-normalised names redirect
    with _get(f"{tiny_pypi.url}/pypi/handbook-demo/1.0/json", ca) as r:
        info = json.load(r)
    assert info["info"]["summary"] == "Demo for Åse" and info["vulnerabilities"] == []
    assert info["urls"][0]["url"].startswith(tiny_pypi.url)
    with pytest.raises(urllib.error.HTTPError, match="404"):
        _get(f"{tiny_pypi.url}/simple/finnes-ikke/", ca)


def test_pip_installs_from_the_tiny_index(tiny_pypi, tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull,
           "PIP_CERT": str(tiny_pypi.ca_file), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    sh(f"{sys.executable} -m pip --python {tmp_path}/venv/bin/python install --index-url "
       f"{tiny_pypi.url}/simple handbook-demo", env, tmp_path)
    out = subprocess.run([tmp_path / "venv/bin/python", "-c", "import handbook_demo as h; print(h.GREETING)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "hei"


# ---- PyPI and Nexus with the pinned wheels --------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("service", ["pypi", "nexus"])
def test_pip_install_as_the_pages_show(build, service, tmp_path):
    with session(build, service) as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        if service == "nexus":
            assert env["PIP_INDEX_URL"] == nexus.INDEX_URL
        out = sh("python3 -m venv .venv\nsource .venv/bin/activate\npip install pendulum\n"
                 "pip freeze > requirements.txt\n"
                 "python -c 'import pendulum; print(pendulum.datetime(2024, 1, 1))'", env, tmp_path / "work")
    assert "2024-01-01" in out
    assert "pendulum==" in (tmp_path / "work" / "requirements.txt").read_text()
    hosts = {entry[0] for entry in build.front.log}
    assert (hosts & {"pypi.org", "files.pythonhosted.org"}) if service == "pypi" else "nexus.ssb.no" in hosts


@pytest.mark.slow
def test_poetry_new_add_install_and_remove(build, tmp_path):
    needs("poetry")
    with session(build, "pypi") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        sh("poetry new test\ncd test\npoetry add pendulum\npoetry install\n"
           "poetry run python -c 'import pendulum'\npoetry remove pendulum", env, tmp_path / "work")
    lock = (tmp_path / "work/test/poetry.lock").read_text()
    assert 'name = "pendulum"' not in lock and "[metadata]" in lock


@pytest.mark.slow
def test_poetry_source_add_nexus(build, tmp_path):
    needs("poetry")
    with session(build, "nexus") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        sh('poetry new test\ncd test\npoetry source add --priority=primary nexus "$PIP_INDEX_URL"\n'
           "poetry add pendulum\npoetry source remove nexus", env, tmp_path / "work")
    assert "pendulum" in (tmp_path / "work/test/poetry.lock").read_text()
    assert any(host == "nexus.ssb.no" and "/simple/pendulum" in path for host, _, path, _ in build.front.log)


@pytest.mark.slow
def test_uv_add(build, tmp_path):
    if UV is None:
        pytest.skip("uv not installed here")
    with session(build, "pypi") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        sh(f"{UV} init --bare analyse\ncd analyse\n{UV} add pandas requests\n"
           ".venv/bin/python -c 'import pandas, requests'", env, tmp_path / "work")
    assert 'name = "pandas"' in (tmp_path / "work/analyse/uv.lock").read_text()


@pytest.mark.slow
def test_pip_audit_asks_the_index(build, tmp_path):
    """pip-audit comes from the stand-in (koding/pakker.md adds it to a project) and asks PyPI's
    JSON API for each pinned version; the stand-in knows of no vulnerabilities."""
    with session(build, "pypi") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        (tmp_path / "work").mkdir()
        (tmp_path / "work/requirements.txt").write_text("pendulum==3.3.0\n")
        build.front.log.clear()
        out = sh("python3 -m venv .venv\n.venv/bin/pip install --quiet pip-audit\n"
                 ".venv/bin/pip-audit --no-deps --disable-pip --progress-spinner off -r requirements.txt",
                 env, tmp_path / "work")
    assert "No known vulnerabilities found" in out
    asked = {(host, path) for host, _, path, status in build.front.log if status == 200}
    assert ("pypi.org", "/pypi/pendulum/3.3.0/json") in asked


def test_foreign_platform_lines_are_found(tmp_path):
    req = tmp_path / "req.txt"
    req.write_text("colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:aa \\\n"
                   "    --hash=sha256:bb\n    # via pytest\nidna==3.20 \\\n    --hash=sha256:cc\n")
    assert [(n, v) for n, v, _, _ in wheels.read_requirements(req)] == [("colorama", "0.4.6"),
                                                                         ("idna", "3.20")]
    assert list(wheels.foreign_requirements(req)) == [("colorama", "0.4.6", {"aa", "bb"})]


# ---- CRAN ------------------------------------------------------------------------------------

def test_description_parsing():
    text = ("Package: RSQLite\nVersion: 2.2.20\n"
            "Imports: bit64, blob (>= 1.2.0), DBI (>=\n    1.1.0), methods\n")
    description = cran.read_dcf(text)
    assert description["Version"] == "2.2.20"
    assert cran.dependencies(description) == ["bit64", "blob", "DBI", "methods"]
    assert "renv" in cran.wanted_packages(DATA / cran.PACKAGE_LIST)


def test_cran_keeps_other_repositories_a_week_after_their_last_use(tmp_path, monkeypatch):
    monkeypatch.setattr(cran.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(cran, "build", lambda roots, contrib: {"renv": ("1.0", "source")})
    monkeypatch.setattr(cran, "_run", lambda cmd, cwd=None: "")
    data = tmp_path / "data"
    (data / cran.PACKAGE_LIST).parent.mkdir(parents=True)
    (data / cran.PACKAGE_LIST).write_text("renv\n")
    folder = tmp_path / "cache" / "standins" / "cran"
    stale, recent = folder / "old", folder / "other"
    for old in (stale, recent):
        old.mkdir(parents=True)
        (old / ".complete").write_text("")
    week = 7 * 24 * 3600
    os.utime(stale / ".complete", (time.time() - week - 60,) * 2)
    target = cran.ensure_repository(tmp_path / "cache", data)
    assert (target / ".complete").read_text() == "renv 1.0 source\n"
    assert not stale.exists() and recent.exists()   # another checkout may be serving it right now
    os.utime(target / ".complete", (time.time() - week - 60,) * 2)
    assert cran.ensure_repository(tmp_path / "cache", data) == target
    assert time.time() - (target / ".complete").stat().st_mtime < 60   # a use counts as use


def _r_session(build, *names):
    needs("Rscript")
    return session(build, *names)


R_INSTALL = """
options(repos = c(CRAN = "{repo}"))
install.packages(c("data.table", "jsonlite"))
library(data.table)
cat("data.table", format(packageVersion("data.table")), "\\n")
"""


@pytest.mark.slow
@pytest.mark.parametrize("service, repo", [("cran", "https://cloud.r-project.org"),
                                           ("nexus", "https://nexus.ssb.no/repository/CRAN/")])
def test_install_packages(build, service, repo, tmp_path):
    with _r_session(build, service) as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        (tmp_path / "home/R").mkdir(parents=True)
        (tmp_path / "work").mkdir()
        (tmp_path / "work/install.R").write_text(R_INSTALL.format(repo=repo))
        out = sh("Rscript --vanilla install.R", env, tmp_path / "work")
    assert "installing *binary* package" in out and "data.table 1." in out
    assert (tmp_path / "home/R/data.table/DESCRIPTION").exists()


RENV_INIT = """
options(repos = c(CRAN = "https://cloud.r-project.org"))
install.packages("renv")
writeLines(c("library(jsonlite)", "library(DBI)"), "analyse.R")
renv::init(bare = TRUE)
renv::install(c("jsonlite", "DBI", "IRkernel"))
renv::snapshot(prompt = FALSE)
IRkernel::installspec(name = "prosjekt", displayname = "R (prosjekt)")
"""
RENV_RESTORE = """
source(".Rprofile")  # what R does when it starts in the folder (Rscript --vanilla skips it)
renv::restore(prompt = FALSE)
cat("restored:", sort(basename(list.dirs(renv::paths$library(), recursive = FALSE))), "\\n")
"""


@pytest.mark.slow
def test_renv_snapshot_and_restore(build, tmp_path):
    with _r_session(build, "cran") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        for who in ("kari", "ola"):  # two people: ola has no renv at all and an empty renv cache
            (tmp_path / who / "R").mkdir(parents=True)
        kari = client_env(exposure, proxy, tmp_path / "kari")
        project = tmp_path / "prosjekt"
        project.mkdir()
        (project / "init.R").write_text(RENV_INIT)
        sh("Rscript --vanilla init.R", kari, project)
        kernel = tmp_path / "kari/.local/share/jupyter/kernels/prosjekt/kernel.json"
        assert json.loads(kernel.read_text())["language"] == "R"  # IRkernel from the renv library
        lock = json.loads((project / "renv.lock").read_text())
        assert {"jsonlite", "DBI", "renv"} <= set(lock["Packages"])
        assert lock["R"]["Repositories"] == [{"Name": "CRAN", "URL": "https://cloud.r-project.org"}]
        # what goes into git: the lock file, .Rprofile and renv/activate.R
        clone = tmp_path / "klone"
        for rel in ("renv.lock", ".Rprofile", "renv/activate.R", "renv/settings.json"):
            if (project / rel).exists():
                (clone / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(project / rel, clone / rel)
        (clone / "restore.R").write_text(RENV_RESTORE)
        build.front.log.clear()
        out = sh("Rscript --vanilla restore.R", client_env(exposure, proxy, tmp_path / "ola"), clone)
    restored = out.split("restored:")[-1].split()
    assert {"DBI", "jsonlite", "renv"} <= set(restored), out[-2000:]
    fetched = {path for host, _, path, status in build.front.log
               if host == "cloud.r-project.org" and status == 200}
    assert any(p.startswith("/src/contrib/renv_") for p in fetched), "activate.R got renv from the mirror"
    assert any(p.startswith("/src/contrib/DBI_") for p in fetched)


# ---- git -----------------------------------------------------------------------------------

GIT_SETUP = """
git config --global user.name "Kari Nordmann"
git config --global user.email "kno@ssb.no"
git config --global init.defaultBranch main
git config --global pull.rebase false
"""


def test_git_clone_branch_push_pull(build, tmp_path):
    needs("git")
    with session(build, "git") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        sh(GIT_SETUP, env, tmp_path)
        sh("git clone https://github.com/statisticsnorway/stat-testprod.git\ncd stat-testprod\ngit pull\n"
           "git switch -c fylkesliste\necho '# 2024' >> src/fylker.py\ngit commit -qam 'Fylker 2024'\n"
           "git push -u origin fylkesliste", env, tmp_path / "kari")
        out = sh("git clone https://github.com/statisticsnorway/stat-testprod ola\ncd ola\n"
                 "git switch fylkesliste\ngit log --oneline\ngit switch main\n"
                 "git merge --no-edit fylkesliste\ngit push\ngit fetch --prune", env, tmp_path / "ola")
        assert "Fylker 2024" in out and "Nytt prosjekt fra ssb-project" in out
        out = sh("cd stat-testprod\ngit switch main\ngit pull\ngit log --oneline", env, tmp_path / "kari")
        assert "Fylker 2024" in out
        sh("git clone https://gitlab.example.org/balsam/exempelprojekt.git\ncd exempelprojekt\n"
           "echo x > berakna.py\ngit add berakna.py\ngit commit -qm x\ngit push origin main\ngit pull",
           env, tmp_path / "anna")
        with pytest.raises(AssertionError, match="Repository not found"):
            sh("git clone https://github.com/statisticsnorway/finnes-ikke.git", env, tmp_path / "x")


def test_git_reset_forgets_pushes_and_hashes_are_stable(build, tmp_path):
    needs("git")
    heads = []
    for attempt in range(2):
        with session(build, "git") as exposure, EndpointProxy(exposure.endpoints) as proxy:
            env = client_env(exposure, proxy, tmp_path / f"home{attempt}")
            sh(GIT_SETUP, env, tmp_path)
            out = sh("git clone -q https://github.com/statisticsnorway/stat-testprod.git r\ncd r\n"
                     "git rev-parse HEAD\ngit commit -q --allow-empty -m ekstra\ngit push -q",
                     env, tmp_path / f"w{attempt}")
            heads.append(out.split()[0])
    assert heads[0] == heads[1], "every session starts from the same seeded commit"


def test_github_and_gitlab_api(build, tmp_path):
    needs("git")
    with session(build, "git") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        anonymous = _opener(proxy, exposure)
        with pytest.raises(urllib.error.HTTPError, match="401"):
            anonymous.open("https://api.github.com/user", timeout=30)
        github = _opener(proxy, exposure, token="ghp_eksempel")
        with github.open("https://api.github.com/user", timeout=30) as r:
            assert json.load(r)["login"] == git.USERS["github.com"]["login"]
        request = urllib.request.Request("https://api.github.com/orgs/statisticsnorway/repos",
                                         data=json.dumps({"name": "stat-ny"}).encode(), method="POST")
        with github.open(request, timeout=30) as r:
            assert r.status == 201 and json.load(r)["clone_url"].endswith("/statisticsnorway/stat-ny.git")
        with pytest.raises(urllib.error.HTTPError, match="422"):
            github.open(urllib.request.Request(request.full_url, data=request.data, method="POST"),
                        timeout=30)
        gitlab = _opener(proxy, exposure, token="glpat-eksempel")
        with gitlab.open("https://gitlab.example.org/api/v4/user", timeout=30) as r:
            assert json.load(r)["username"] == git.USERS["gitlab.example.org"]["username"]
        project = urllib.request.Request("https://gitlab.example.org/api/v4/projects",
                                         data=b"name=analys", method="POST")
        with gitlab.open(project, timeout=30) as r:
            url = json.load(r)["http_url_to_repo"]
        env = client_env(exposure, proxy, tmp_path / "home")
        sh(GIT_SETUP, env, tmp_path)
        out = sh("git clone https://github.com/statisticsnorway/stat-ny.git\n"
                 f"git clone {url}\ncd analys\ngit commit -q --allow-empty -m start\n"
                 "git push -q origin main\ngit log --oneline", env, tmp_path / "w")
        assert "empty repository" in out and "start" in out
    with session(build, "git") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        github = _opener(proxy, exposure, token="ghp_eksempel")
        with pytest.raises(urllib.error.HTTPError, match="404"):  # the next session starts afresh
            github.open("https://api.github.com/repos/statisticsnorway/stat-ny", timeout=30)
        with github.open("https://api.github.com/repos/statisticsnorway/stat-testprod", timeout=30) as r:
            assert json.load(r)["default_branch"] == "main"
