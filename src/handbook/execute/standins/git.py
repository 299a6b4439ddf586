"""`git`: git remotes on github.com and gitlab.example.org, and a little of their REST APIs.

The repositories in `data/standins/git-repositories.yml` are built once per process into a
template and copied back before every session (`reset`), so pushes from one session never
reach the next. They are served over git's smart HTTP protocol by `git http-backend`, so clone,
fetch, pull, push, new branches and everything else git does over https work as against the real
hosts. Pushing needs no credentials; credentials a client sends are accepted as they are.
A repository with a `renv:` commit (an R project whose renv files real renv makes against the
cran stand-in, renvseed.py) is built when it is first asked for, so builds that never clone it
need neither R nor the CRAN repository.

Where a page calls an API, the minimal part of it:

- api.github.com: `GET /user` (the token check), `POST /user/repos`, `POST /orgs/<org>/repos`,
  `GET /repos/<owner>/<name>`;
- gitlab.example.org/api/v4: `GET /user`, `POST /projects`, `GET /projects/<id or path>`.

Tokens are not checked: any token is a valid login for the example user. On the host, the
direct URL takes the host name as its first path segment:
`https://127.0.0.1:<port>/github.com/statisticsnorway/stat-testprod.git`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
import zlib
from pathlib import Path

import yaml

from handbook.execute.standins import renvseed
from handbook.execute.standins.base import HttpStandIn, StandInError
from handbook.execute.standins.web import Request, Response

SEEDS = "standins/git-repositories.yml"   # under the project's data dir
GITHUB, GITHUB_API, GITLAB = "github.com", "api.github.com", "gitlab.example.org"
USERS = {  # who a token belongs to, per host
    GITHUB: {"login": "kari-nordmann", "name": "Kari Nordmann", "email": "kno@ssb.no"},
    GITLAB: {"username": "anna.exempel", "name": "Anna Exempel", "email": "anna.exempel@example.org"},
}


class Git(HttpStandIn):
    name = "git"
    hosts = (GITHUB, GITHUB_API, GITLAB)
    data_files = (SEEDS,)
    exclusive = True    # pushes change the repositories: one session at a time

    def prepare(self) -> None:
        seeds = Path(self.data_dir) / SEEDS
        if not seeds.is_file():
            raise StandInError(f"{seeds}: the repository list is missing")
        if not shutil.which("git"):
            raise StandInError("the git stand-in needs git, which is not installed here")
        self.workdir = Path(tempfile.mkdtemp(prefix="handbook-git-"))
        self.template, self.live = self.workdir / "template", self.workdir / "live"
        self._lock = threading.Lock()
        self._dirty = True
        self._deferred: dict[tuple[str, str], dict] = {}
        for repo in yaml.safe_load(seeds.read_text(encoding="utf-8"))["repositories"]:
            if any(commit.get("renv") for commit in repo.get("commits") or []):
                # renv's files need R and the cran stand-in's repository: made when first cloned
                self._deferred[_address(repo["url"])] = repo
                continue
            build_repository(self.template, repo["url"], repo.get("commits") or [], self.workdir)
        self.reset()

    def reset(self) -> None:
        """Copy the template back, if anything was pushed or created since the last reset."""
        with self._lock:
            if self.live.exists() and not self._dirty:
                return
            shutil.rmtree(self.live, ignore_errors=True)
            shutil.copytree(self.template, self.live, symlinks=True)
            self._dirty = False

    def _build_deferred(self, address: tuple[str, str]) -> str:
        """Build a repository with renv files into the template and the live copy; "" when done,
        else why it cannot be built here (R or the cran stand-in's repository missing)."""
        with self._lock:
            repo = self._deferred.get(address)
            if repo is None:
                return ""
            try:
                commits = with_renv_files(repo.get("commits") or [], self.cache_dir, self.data_dir)
            except StandInError as exc:
                return str(exc)
            for root in (self.template, self.live):
                build_repository(root, repo["url"], commits, self.workdir)
            del self._deferred[address]
            return ""

    def stop(self) -> None:
        super().stop()
        if getattr(self, "workdir", None):
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def handle(self, request: Request) -> Response | None:
        host, path = request.host, request.path
        if host not in self.hosts:  # the direct URL on the host: /<host>/<path>
            first, _, rest = path.lstrip("/").partition("/")
            if first not in self.hosts:
                return None
            host, path = first, "/" + rest
        if host == GITHUB_API:
            return self._github_api(request, path)
        if host == GITLAB and path.startswith("/api/v4/"):
            return self._gitlab_api(request, path[len("/api/v4"):])
        return self._smart_http(request, host, path)

    # ---- git over http -----------------------------------------------------------------------

    def _smart_http(self, request: Request, host: str, path: str) -> Response | None:
        root = self.live / host
        parts = [p for p in path.split("/") if p]
        for i in range(len(parts), 0, -1):
            repo = "/".join(parts[:i])
            name = repo if repo.endswith(".git") else repo + ".git"
            if (host, name) in self._deferred and (problem := self._build_deferred((host, name))):
                return Response.text(503, f"{host}/{name}: {problem}")
            if (root / name / "HEAD").is_file() and ".." not in parts:
                rest = "/".join(parts[i:])
                if not rest:  # the web page of the repository
                    return Response.text(200, f"{host}/{name.removesuffix('.git')}")
                return self._backend(request, root, f"/{name}/{rest}")
        return Response.text(404, "Repository not found.")

    def _backend(self, request: Request, root: Path, path_info: str) -> Response:
        if path_info.endswith("/git-receive-pack"):
            self._dirty = True  # a push changes the repositories: the next reset copies them back
        user = _basic_user(request)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_PROJECT_ROOT": str(root), "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": request.method, "PATH_INFO": path_info, "QUERY_STRING": request.query,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(request.body)),
            "REMOTE_ADDR": request.client, "REMOTE_USER": user or "anonymous",
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
        }
        for header, var in (("Content-Encoding", "HTTP_CONTENT_ENCODING"), ("Git-Protocol", "GIT_PROTOCOL")):
            if request.headers.get(header):
                env[var] = request.headers[header]
        done = subprocess.run(["git", "http-backend"], input=request.body, env=env, capture_output=True,
                              check=False, timeout=300)
        head, separator, body = done.stdout.partition(b"\r\n\r\n")
        if not separator:
            head, _, body = done.stdout.partition(b"\n\n")
        status, headers, kind = 200, {}, "application/octet-stream"
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name.lower() == "content-type":
                kind = value.strip()
            elif name and value:
                headers[name.strip()] = value.strip()
        if done.returncode != 0 and status == 200 and not body:
            return Response.text(500, done.stderr.decode(errors="replace"))
        return Response(status, body, kind, headers)

    # ---- GitHub's REST API ---------------------------------------------------------------------

    def _github_api(self, request: Request, path: str) -> Response:
        if not _token(request):
            return Response.json({"message": "Requires authentication",
                                  "documentation_url": "https://docs.github.com/rest"}, 401)
        user = USERS[GITHUB]
        parts = [p for p in path.split("/") if p]
        if request.method == "GET" and parts == ["user"]:
            return Response.json({"login": user["login"], "id": 1, "type": "User", "name": user["name"],
                                  "email": user["email"], "html_url": f"https://{GITHUB}/{user['login']}"})
        if request.method == "POST" and (parts == ["user", "repos"] or
                                         (len(parts) == 3 and parts[0] == "orgs" and parts[2] == "repos")):
            owner = user["login"] if parts[0] == "user" else parts[1]
            name = str(_json(request).get("name") or "")
            if not name:
                return Response.json({"message": "Validation Failed"}, 422)
            if (self.live / GITHUB / owner / f"{name}.git").exists():
                return Response.json({"message": "Repository creation failed.", "errors": [
                    {"resource": "Repository", "code": "custom", "field": "name",
                     "message": "name already exists on this account"}]}, 422)
            self._dirty = True
            build_repository(self.live, f"https://{GITHUB}/{owner}/{name}.git", [], self.workdir)
            return Response.json(_github_repo(owner, name, _json(request)), 201)
        if (request.method == "GET" and len(parts) == 3 and parts[0] == "repos"
                and (self.live / GITHUB / parts[1] / f"{parts[2].removesuffix('.git')}.git").exists()):
            return Response.json(_github_repo(parts[1], parts[2].removesuffix(".git"), {}))
        return Response.json({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"},
                             404)

    # ---- GitLab's REST API ---------------------------------------------------------------------

    def _gitlab_api(self, request: Request, path: str) -> Response:
        if not _token(request):
            return Response.json({"message": "401 Unauthorized"}, 401)
        user = USERS[GITLAB]
        parts = [p for p in path.split("/") if p]
        if request.method == "GET" and parts == ["user"]:
            return Response.json({"id": 1, "username": user["username"], "name": user["name"],
                                  "email": user["email"], "state": "active",
                                  "web_url": f"https://{GITLAB}/{user['username']}"})
        if request.method == "POST" and parts == ["projects"]:
            data = {**request.params(), **dict(urllib.parse.parse_qsl(request.body.decode(errors="replace"))),
                    **_json(request)}
            name = str(data.get("path") or data.get("name") or "").strip().replace(" ", "-").lower()
            namespace = str(data.get("namespace_path") or user["username"])
            if not name:
                return Response.json({"message": {"name": ["can't be blank"]}}, 400)
            if (self.live / GITLAB / namespace / f"{name}.git").exists():
                return Response.json({"message": {"path": ["has already been taken"]}}, 400)
            self._dirty = True
            build_repository(self.live, f"https://{GITLAB}/{namespace}/{name}.git", [], self.workdir)
            return Response.json(_gitlab_project(namespace, name), 201)
        if request.method == "GET" and len(parts) == 2 and parts[0] == "projects":
            full = urllib.parse.unquote(parts[1])
            if "/" in full and (self.live / GITLAB / f"{full}.git").exists():
                namespace, _, name = full.rpartition("/")
                return Response.json(_gitlab_project(namespace, name))
        return Response.json({"message": "404 Project Not Found"}, 404)


def _address(url: str) -> tuple[str, str]:
    """(host, path ending in .git) of a clone address, as the repository lies under its root."""
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path.strip("/")
    return parsed.hostname, path if path.endswith(".git") else path + ".git"


def with_renv_files(commits: list[dict], cache_dir: Path, data_dir: Path) -> list[dict]:
    """`commits` where one with `renv: [packages]` also writes the files renv::init() and
    renv::snapshot() make for the code so far (handbook.execute.standins.renvseed)."""
    out, tree = [], {}
    for commit in commits:
        files = dict(commit.get("files") or {})
        tree.update(files)
        if packages := commit.get("renv"):
            code = {rel: text for rel, text in tree.items() if text is not None}
            files.update(renvseed.renv_files(cache_dir, data_dir, list(packages), code))
            tree.update(files)
        out.append({**commit, "files": files})
    return out


def build_repository(root: Path, url: str, commits: list[dict], scratch: Path) -> Path:
    """A bare repository for `url` under root/<host>/<path>.git with `commits`, made the same
    way every time (fixed authors and dates give fixed hashes)."""
    host, path = _address(url)
    bare = root / host / path
    bare.parent.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch), "GIT_CONFIG_NOSYSTEM": "1",
           "LC_ALL": "C"}
    _git(["init", "--quiet", "--bare", "--initial-branch=main", str(bare)], env)
    _git(["--git-dir", str(bare), "config", "http.receivepack", "true"], env)
    if commits:
        tree, branches = Path(tempfile.mkdtemp(dir=scratch, prefix="seed-")), set()
        try:
            for commit in commits:
                name, _, email = commit["author"].rpartition(" <")
                stamp = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">"),
                         "GIT_AUTHOR_DATE": commit["date"], "GIT_COMMITTER_NAME": name,
                         "GIT_COMMITTER_EMAIL": email.rstrip(">"), "GIT_COMMITTER_DATE": commit["date"]}
                for rel, content in (commit.get("files") or {}).items():
                    target = tree / rel
                    if content is None:
                        target.unlink(missing_ok=True)
                    else:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_text(file_content(content), encoding="utf-8")
                base = ["--git-dir", str(bare), "--work-tree", str(tree)]
                if branch := commit.get("branch"):   # on a branch from main (branches come last)
                    if branch not in branches:
                        _git(["--git-dir", str(bare), "branch", branch, "main"], env)
                        branches.add(branch)
                    _git(["--git-dir", str(bare), "symbolic-ref", "HEAD", f"refs/heads/{branch}"], env)
                _git([*base, "add", "--all"], env)
                _git([*base, "commit", "--quiet", "--allow-empty", "-m", commit["message"]], {**env, **stamp})
                if tag := commit.get("tag"):   # a release, as `git checkout <tag>` expects
                    _git(["--git-dir", str(bare), "tag", str(tag)], {**env, **stamp})
        finally:
            shutil.rmtree(tree, ignore_errors=True)
        _git(["--git-dir", str(bare), "symbolic-ref", "HEAD", "refs/heads/main"], env)
    return bare


def file_content(content) -> str:
    """A seeded file's text: given as is, or `{package: <module>, resource: <path>}`, a file
    installed with that Python package (SSB's recommended .gitignore from kvakk-git-tools), so
    the seed always matches what the installed tools check against."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict) and set(content) == {"package", "resource"}:
        from importlib.resources import files

        try:
            return files(content["package"]).joinpath(content["resource"]).read_text(encoding="utf-8")
        except (ModuleNotFoundError, OSError) as exc:
            raise StandInError(f"{SEEDS}: {content['package']}/{content['resource']}: {exc}") from exc
    raise StandInError(f"{SEEDS}: a file is text or {{package: ..., resource: ...}}, not {content!r}")


def _git(args: list[str], env: dict) -> None:
    done = subprocess.run(["git", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StandInError(f"git {' '.join(args[:3])} failed: {done.stderr.strip()}")


def _token(request: Request) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("token", "bearer"):
        return value.strip()
    if scheme.lower() == "basic":
        return _basic_password(value)
    return request.headers.get("PRIVATE-TOKEN", "").strip()


def _basic_user(request: Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return _basic(value)[0] if scheme.lower() == "basic" else ""


def _basic_password(value: str) -> str:
    return _basic(value)[1]


def _basic(value: str) -> tuple[str, str]:
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return user, password


def _id(*names: str) -> int:
    return zlib.crc32("/".join(names).encode()) % 10**8


def _json(request: Request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _github_repo(owner: str, name: str, data: dict) -> dict:
    return {"id": _id(owner, name), "name": name, "full_name": f"{owner}/{name}",
            "owner": {"login": owner}, "private": bool(data.get("private", False)),
            "description": data.get("description"), "default_branch": "main",
            "html_url": f"https://{GITHUB}/{owner}/{name}", "clone_url": f"https://{GITHUB}/{owner}/{name}.git"}


def _gitlab_project(namespace: str, name: str) -> dict:
    return {"id": _id(namespace, name), "name": name, "path": name,
            "path_with_namespace": f"{namespace}/{name}", "default_branch": "main",
            "web_url": f"https://{GITLAB}/{namespace}/{name}",
            "http_url_to_repo": f"https://{GITLAB}/{namespace}/{name}.git"}
