"""`pypi`: the Python Package Index on pypi.org and files.pythonhosted.org.

What it serves is pinned in `data/standins/pypi-requirements.txt` (every file's sha256; made
from `pypi-requirements.in`). The wheels for the interpreter that runs the samples are fetched
once with `pip download --require-hashes` into `<cache>/standins/wheels/` and served as

- the simple repository API, HTML (PEP 503) and JSON (PEP 691) by the Accept header, with each
  wheel's metadata file (PEP 658/714): `/simple/`, `/simple/<name>/`, `/packages/<file>`;
- PyPI's JSON API, which Poetry and pip-audit read: `/pypi/<name>/json`,
  `/pypi/<name>/<version>/json` (no known vulnerabilities: the list is empty).

`PackageIndex` is shared with the Nexus stand-in, which serves the same files under its paths.
"""

from __future__ import annotations

import contextlib
import email.parser
import hashlib
import html
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from handbook.execute.standins.base import HttpStandIn, StandInError
from handbook.execute.standins.web import Request, Response
from handbook.execute.standins.wheels import SIMPLE_JSON, ensure_wheels, normalize

REQUIREMENTS = "standins/pypi-requirements.txt"   # under the project's data dir
OLDER = "standins/pypi-requirements-older.txt"    # older releases served next to the pinned ones
SIMPLE_HTML = "application/vnd.pypi.simple.v1+html"




# ---- the wheels ---------------------------------------------------------------------------

@dataclass
class Distribution:
    path: Path
    name: str                 # as the project spells it: "Jinja2"
    version: str
    sha256: str
    md5: str
    size: int
    metadata: bytes           # the wheel's METADATA file
    info: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def metadata_sha256(self) -> str:
        return hashlib.sha256(self.metadata).hexdigest()

    @property
    def requires_python(self) -> str | None:
        return self.info.get("requires_python")

    @property
    def python_tag(self) -> str:
        return self.filename[:-4].split("-")[-3]


class PackageIndex:
    """The distributions in a folder, by normalized project name."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.projects: dict[str, list[Distribution]] = {}
        digests = _Digests(self.folder / ".digests.json")
        for path in sorted(self.folder.glob("*.whl")):
            dist = read_wheel(path, digests)
            self.projects.setdefault(normalize(dist.name), []).append(dist)
        digests.save()

    def find(self, name: str) -> list[Distribution] | None:
        return self.projects.get(normalize(name))

    def file(self, filename: str) -> tuple[Distribution, bool] | None:
        """(distribution, wants its .metadata) for a requested file name."""
        wants_metadata = filename.endswith(".metadata")
        filename = filename.removesuffix(".metadata")
        for dists in self.projects.values():
            for dist in dists:
                if dist.filename == filename:
                    return dist, wants_metadata
        return None

    # -- the simple repository API --

    def simple(self, request: Request, root: str, files: str) -> Response:
        """`root` is the path of /simple/ on this host, `files` the URL prefix of the files."""
        rest = request.path[len(root):].strip("/")
        fmt = negotiate(request)
        if not rest:
            names = sorted(self.projects)
            if fmt == SIMPLE_JSON:
                return Response.json({"meta": {"api-version": "1.1", "_last-serial": 1},
                                      "projects": [{"name": n, "_last-serial": 1} for n in names]},
                                     content_type=SIMPLE_JSON, headers={"Vary": "Accept"})
            links = "".join(f'<a href="{n}/">{n}</a>\n' for n in names)
            return _html("Simple index", links, fmt)
        name = rest.split("/")[0]
        if name != normalize(name):
            return Response.redirect(f"{root.rstrip('/')}/{normalize(name)}/")
        if not request.path.endswith("/"):
            return Response.redirect(request.path + "/")
        dists = self.find(name)
        if not dists:
            return Response.text(404, "Not Found")
        if fmt == SIMPLE_JSON:
            return Response.json({
                "meta": {"api-version": "1.1", "_last-serial": 1},
                "name": name,
                "versions": sorted({d.version for d in dists}, key=_version_key),
                "files": [{
                    "filename": d.filename, "url": f"{files}/{d.filename}", "hashes": {"sha256": d.sha256},
                    "requires-python": d.requires_python, "size": d.size, "yanked": False,
                    "core-metadata": {"sha256": d.metadata_sha256},
                    "dist-info-metadata": {"sha256": d.metadata_sha256},
                } for d in dists]}, content_type=SIMPLE_JSON, headers={"Vary": "Accept"})
        links = ""
        for d in dists:
            attrs = f' data-core-metadata="sha256={d.metadata_sha256}"'
            attrs += f' data-dist-info-metadata="sha256={d.metadata_sha256}"'
            if d.requires_python:
                attrs += f' data-requires-python="{html.escape(d.requires_python)}"'
            links += f'<a href="{files}/{d.filename}#sha256={d.sha256}"{attrs}>{d.filename}</a><br/>\n'
        return _html(f"Links for {name}", links, fmt)

    def serve_file(self, filename: str) -> Response:
        found = self.file(filename)
        if found is None:
            return Response.text(404, "Not Found")
        dist, wants_metadata = found
        if wants_metadata:
            return Response(200, dist.metadata, "application/octet-stream")
        return Response.file(dist.path, "application/octet-stream")

    # -- PyPI's JSON API --

    def json_api(self, name: str, version: str | None, files: str) -> Response:
        dists = self.find(name)
        if not dists:
            return Response.json({"message": "Not Found"}, 404)
        versions = sorted({d.version for d in dists}, key=_version_key)
        version = version or versions[-1]
        chosen = [d for d in dists if d.version == version]
        if not chosen:
            return Response.json({"message": "Not Found"}, 404)
        info = {**chosen[0].info, "version": version, "yanked": False, "yanked_reason": None,
                "package_url": f"https://pypi.org/project/{chosen[0].name}/",
                "project_url": f"https://pypi.org/project/{chosen[0].name}/",
                "release_url": f"https://pypi.org/project/{chosen[0].name}/{version}/"}
        return Response.json({"info": info, "last_serial": 1, "urls": [_file_entry(d, files) for d in chosen],
                              "vulnerabilities": []})

    def json_api_project(self, name: str, files: str) -> Response:
        response = self.json_api(name, None, files)
        if response.status != 200:
            return response
        data = json.loads(response.body)
        data["releases"] = {}
        for d in self.find(name):
            data["releases"].setdefault(d.version, []).append(_file_entry(d, files))
        data.pop("vulnerabilities")
        return Response.json(data)


class _Digests:
    """sha256 and md5 of each file, kept next to the wheels: hashing 70 MB on every start is slow."""

    def __init__(self, path: Path):
        self.path, self.changed = path, False
        try:
            self.known = json.loads(path.read_text())
        except (OSError, ValueError):
            self.known = {}

    def of(self, file: Path) -> tuple[str, str, int]:
        st = file.stat()
        entry = self.known.get(file.name)
        if not entry or entry[:2] != [st.st_size, st.st_mtime_ns]:
            data = file.read_bytes()
            entry = [st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest(),
                     hashlib.md5(data, usedforsecurity=False).hexdigest()]
            self.known[file.name], self.changed = entry, True
        return entry[2], entry[3], entry[0]

    def save(self) -> None:
        if not self.changed:
            return
        with contextlib.suppress(OSError):
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w") as f:
                json.dump(self.known, f)
            os.replace(tmp, self.path)


def read_wheel(path: Path, digests: _Digests | None = None) -> Distribution:
    with zipfile.ZipFile(path) as wheel:
        candidates = [n for n in wheel.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        if not candidates:
            raise StandInError(f"{path.name}: no METADATA in the wheel")
        metadata = wheel.read(candidates[0])
    message = email.parser.Parser().parsestr(metadata.decode("utf-8", "replace"), headersonly=True)
    urls = {}
    for entry in message.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip()] = url.strip()
    info = {
        "name": message["Name"], "version": message["Version"], "summary": message["Summary"] or "",
        "requires_dist": message.get_all("Requires-Dist") or None,
        "requires_python": message["Requires-Python"] or None,
        "license": message["License"], "license_expression": message["License-Expression"],
        "author": message["Author"], "author_email": message["Author-email"],
        "home_page": message["Home-page"], "project_urls": urls or None,
        "classifiers": message.get_all("Classifier") or [], "keywords": message["Keywords"],
        "description_content_type": message["Description-Content-Type"], "platform": None,
    }
    sha256, md5, size = (digests or _Digests(path.with_name(".no-digests"))).of(path)
    return Distribution(path, message["Name"], message["Version"], sha256, md5, size, metadata, info)


def _file_entry(d: Distribution, files: str) -> dict:
    return {"filename": d.filename, "url": f"{files}/{d.filename}", "packagetype": "bdist_wheel",
            "python_version": d.python_tag, "requires_python": d.requires_python, "size": d.size,
            "digests": {"sha256": d.sha256, "md5": d.md5}, "md5_digest": d.md5, "yanked": False,
            "yanked_reason": None, "has_sig": False, "comment_text": ""}


def negotiate(request: Request) -> str:
    """The simple API's content type the client prefers (PEP 691); HTML when it does not say."""
    wanted = request.params().get("format") or request.headers.get("Accept") or ""
    best, best_q = "text/html", 0.0
    for i, part in enumerate(wanted.split(",")):
        kind, *params = (p.strip() for p in part.split(";"))
        q = next((float(p[2:]) for p in params if p.startswith("q=") and _is_float(p[2:])), 1.0)
        if kind in (SIMPLE_JSON, SIMPLE_HTML, "text/html") and (q > best_q or (q == best_q and i == 0)):
            best, best_q = kind, q
    return best


def _is_float(text: str) -> bool:
    with contextlib.suppress(ValueError):
        float(text)
        return True
    return False


def _html(title: str, body: str, fmt: str) -> Response:
    page = ("<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.1\">\n"
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            f"{body}</body>\n</html>\n")
    kind = SIMPLE_HTML if fmt == SIMPLE_HTML else "text/html"
    return Response(200, page.encode(), f"{kind}; charset=utf-8", headers={"Vary": "Accept"})


def _version_key(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return (0, Version(version), "")
    except InvalidVersion:
        return (1, None, version)


# ---- the stand-in -------------------------------------------------------------------------

class PyPI(HttpStandIn):
    """pypi.org (simple and JSON APIs) and files.pythonhosted.org (the files)."""

    name = "pypi"
    hosts = ("pypi.org", "files.pythonhosted.org")
    files_host = "files.pythonhosted.org"
    data_files = (REQUIREMENTS, OLDER)

    def prepare(self) -> None:
        self.index = load_index(self.cache_dir, self.data_dir)

    def handle(self, request: Request) -> Response | None:
        path = request.path
        if path.startswith("/packages/"):
            return self.index.serve_file(path.rsplit("/", 1)[-1])
        # pypi.org points at files.pythonhosted.org, as the real one does; any other name
        # (127.0.0.1 on the host) gets the files from itself.
        if request.host in self.hosts:
            files = page_files = f"https://{self.files_host}/packages"
        else:
            files, page_files = f"{request.base_url}/packages", "/packages"
        if path == "/simple" or path.startswith("/simple/"):
            return self.index.simple(request, "/simple/", page_files)
        parts = path.strip("/").split("/")
        if parts[0] == "pypi" and len(parts) in (3, 4) and parts[-1] == "json":
            if len(parts) == 3:
                return self.index.json_api_project(parts[1], files)
            return self.index.json_api(parts[1], parts[2], files)
        if path in ("/", ""):
            return Response.text(200, "Local stand-in for the Python Package Index. See /simple/.")
        return None


def load_index(cache_dir: Path, data_dir: Path) -> PackageIndex:
    index = PackageIndex(ensure_wheels(cache_dir, Path(data_dir) / REQUIREMENTS))
    return add_older(index, cache_dir, data_dir)


def add_older(index: PackageIndex, cache_dir: Path, data_dir: Path) -> PackageIndex:
    """`index` with the older releases pinned in OLDER (if the file is there) next to its own, so
    a project locked on one of them has a real newer version to update to."""
    older = Path(data_dir) / OLDER
    if older.is_file():
        for name, dists in PackageIndex(ensure_wheels(cache_dir, older)).projects.items():
            known = {d.filename for d in index.projects.get(name, [])}
            index.projects.setdefault(name, []).extend(d for d in dists if d.filename not in known)
    return index
