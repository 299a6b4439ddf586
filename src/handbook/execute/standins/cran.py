"""`cran`: a CRAN mirror on cloud.r-project.org and cran.r-project.org.

A CRAN-like repository (`src/contrib/PACKAGES`, `PACKAGES.gz`, `PACKAGES.rds` and one tarball a
package) with the packages in `data/standins/cran-packages.txt` and what they depend on, built
once into `<cache>/standins/cran/`. CRAN itself is out of reach at build time, so every package
is the machine's own Debian/Ubuntu package `r-cran-<name>`, repacked as a binary package for the
R that runs the samples (the way Posit Package Manager serves Linux binaries under
`src/contrib`): `install.packages()`, `renv::install()` and `renv::restore()` install it without
compiling. Where the release has no binary (renv on Debian 12), the newest source package apt
knows is built once with `R CMD INSTALL --build`.

`install.packages(..., repos = "https://cloud.r-project.org")`, `renv::init()`,
`renv::snapshot()` and `renv::restore()` run against it. The Nexus stand-in serves the same
repository under nexus.ssb.no/repository/CRAN/.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import platform
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from handbook.execute.standins.base import HttpStandIn, StandInError, built_once
from handbook.execute.standins.web import Request, Response

PACKAGE_LIST = "standins/cran-packages.txt"   # under the project's data dir
RECIPE = "2"            # bump when the way the repository is made changes
FIXED_MTIME = 946684800  # 2000-01-01: tarballs are the same bytes every time they are made
DEP_FIELDS = ("Depends", "Imports", "LinkingTo")


def wanted_packages(list_file: Path) -> list[str]:
    names = []
    for line in list_file.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def repository_key(list_file: Path) -> str:
    h = hashlib.sha256(RECIPE.encode() + list_file.read_bytes())
    done = subprocess.run(["Rscript", "--version"], capture_output=True, text=True, check=False)
    h.update((done.stdout + done.stderr + platform.machine()).encode())  # R's version, the CPU
    os_release = Path("/etc/os-release")
    if os_release.exists():
        fields = dict(line.split("=", 1) for line in os_release.read_text().splitlines() if "=" in line)
        h.update(f"{fields.get('ID')}-{fields.get('VERSION_ID')}".encode())
    return h.hexdigest()[:16]


def ensure_repository(cache_dir: Path, data_dir: Path) -> Path:
    """The repository's root folder (it holds src/contrib), built on first use."""
    list_file = Path(data_dir) / PACKAGE_LIST
    if not list_file.is_file():
        raise StandInError(f"{list_file}: the R package list is missing")
    for tool in ("Rscript", "apt-get", "dpkg-deb"):
        if not shutil.which(tool):
            raise StandInError(f"the CRAN stand-in needs {tool}, which is not installed here")
    target = Path(cache_dir) / "standins" / "cran" / repository_key(list_file)

    def make(partial: Path) -> str:
        contrib = partial / "src" / "contrib"
        contrib.mkdir(parents=True)
        packages = build(wanted_packages(list_file), contrib)
        _run(["Rscript", "--vanilla", "-e",
              f"invisible(tools::write_PACKAGES({str(contrib)!r}, type = 'source'))"])
        return "".join(f"{name} {version} {how}\n" for name, (version, how) in sorted(packages.items()))

    return built_once(target, make)   # repositories of earlier lists go a week after their last use


def build(roots: list[str], contrib: Path) -> dict[str, tuple[str, str]]:
    """Put every package in `roots` and its dependencies into `contrib`; name -> (version, how)."""
    base = set(_run(["Rscript", "--vanilla", "-e",
                     "cat(rownames(installed.packages(priority = 'base')), sep = '\\n')"]).split())
    done: dict[str, tuple[str, str]] = {}
    sources: dict[str, tuple[Path, dict]] = {}   # packages that still need building
    level = list(roots)
    with tempfile.TemporaryDirectory(prefix="handbook-cran-") as tmp:
        tmp = Path(tmp)
        while level:
            names = [n for n in dict.fromkeys(level)
                     if n not in done and n not in sources and n not in base and n != "R"]
            debs = _download_debs([f"r-cran-{n.lower()}" for n in names], tmp / "debs")
            level = []
            for name in names:
                deb = debs.get(f"r-cran-{name.lower()}")
                got = (_from_binary(name, deb, tmp, contrib) if deb else None) or _from_source(name, tmp)
                if got is None:
                    raise StandInError(f"R package {name}: apt has neither a binary nor a source package "
                                       f"r-cran-{name.lower()} (add a deb-src line, or drop it from "
                                       f"{PACKAGE_LIST})")
                kind, description, where = got
                if kind == "binary":
                    done[name] = (description["Version"], f"binary {where}")
                else:
                    sources[name] = (where, description)
                level += dependencies(description)
        for name in _in_dependency_order(sources):
            folder, description = sources[name]
            _build_source(folder, description, contrib, tmp, sources)
            done[name] = (description["Version"], "source build")
    return done


def dependencies(description: dict) -> list[str]:
    names = []
    for field in DEP_FIELDS:
        for item in description.get(field, "").split(","):
            name = re.split(r"[\s(]", item.strip(), maxsplit=1)[0]
            if name:
                names.append(name)
    return names


def read_dcf(text: str) -> dict:
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def _download_debs(names: list[str], folder: Path) -> dict[str, Path]:
    """Download the release's .deb of each name that apt knows, in one go: name -> file."""
    folder.mkdir(exist_ok=True)
    if not names:
        return {}
    wanted = list(dict.fromkeys(names))
    while wanted:
        done = subprocess.run(["apt-get", "download", "-q", *wanted], cwd=folder, capture_output=True,
                              text=True, check=False)
        unknown = set(re.findall(r"(?:Unable to locate package|package) (r-cran-\S+?)(?: |$)", done.stderr,
                                 re.M)) & set(wanted)
        if done.returncode == 0 or not unknown:
            break
        wanted = [n for n in wanted if n not in unknown]
    return {deb.name.split("_", 1)[0]: deb for deb in folder.glob("*.deb")}


def _from_binary(name: str, deb: Path, tmp: Path, contrib: Path):
    """Repack the release's r-cran-<name> .deb as a binary package tarball."""
    work = tmp / f"deb-{name}"
    work.mkdir()
    _run(["dpkg-deb", "-x", str(deb), str(work / "root")])
    installed = next((p.parent for p in (work / "root").glob(f"usr/lib/R/*/{name}/DESCRIPTION")), None)
    if installed is None:
        return None
    description = read_dcf((installed / "DESCRIPTION").read_text(encoding="utf-8", errors="replace"))
    if description.get("Package") != name:
        return None
    _deterministic_tar(installed, contrib / f"{name}_{description['Version']}.tar.gz")
    return "binary", description, deb.name


def _from_source(name: str, tmp: Path):
    """The newest source package r-cran-<name> apt knows; its .orig tarball is the CRAN tarball."""
    work = tmp / f"src-{name}"
    work.mkdir()
    # apt checks each file against the signed Sources index. Only the .orig tarball is needed:
    # a mirror that lacks the Debian packaging files still serves.
    subprocess.run(["apt-get", "source", "--download-only", "-q", f"r-cran-{name.lower()}"], cwd=work,
                   capture_output=True, check=False)
    orig = next(iter(sorted(work.glob("*.orig.tar.*"))), None)
    if orig is None:
        return None
    with tarfile.open(orig) as archive:
        archive.extractall(work / "tree", filter="data")
    folder = next((p.parent for p in sorted((work / "tree").glob("*/DESCRIPTION"))), None)
    if folder is None:
        return None
    description = read_dcf((folder / "DESCRIPTION").read_text(encoding="utf-8", errors="replace"))
    return "source", description, folder


def _build_source(folder: Path, description: dict, contrib: Path, tmp: Path, sources: dict) -> None:
    """R CMD INSTALL --build, with the dependencies installed from contrib into a scratch library."""
    library = tmp / "library"
    library.mkdir(exist_ok=True)
    for dep in dependencies(description):
        tarball = next(iter(contrib.glob(f"{dep}_*.tar.gz")), None)
        if tarball is not None and not (library / dep).exists():
            _run(["R", "CMD", "INSTALL", "--no-test-load", "-l", str(library), str(tarball)])
    out = tmp / f"built-{description['Package']}"
    out.mkdir()
    _run(["R", "CMD", "INSTALL", "--build", "-l", str(library), str(folder)], cwd=out)
    built = next(out.glob(f"{description['Package']}_*.tar.gz"))
    name = f"{description['Package']}_{description['Version']}.tar.gz"
    # Repack, so the same source gives the same bytes (R CMD INSTALL stamps the build time).
    with tarfile.open(built) as archive:
        archive.extractall(out / "tree", filter="data")
    _deterministic_tar(out / "tree" / description["Package"], contrib / name)


def _in_dependency_order(sources: dict) -> list[str]:
    order, seen = [], set()

    def visit(name):
        if name in seen or name not in sources:
            return
        seen.add(name)
        for dep in dependencies(sources[name][1]):
            visit(dep)
        order.append(name)

    for name in sorted(sources):
        visit(name)
    return order


def _deterministic_tar(folder: Path, target: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as archive:
        paths = [folder, *sorted(folder.rglob("*"))]
        for path in paths:
            info = archive.gettarinfo(str(path), arcname=f"{folder.name}/{path.relative_to(folder)}"
                                      if path != folder else folder.name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = FIXED_MTIME
            if info.isfile():
                with path.open("rb") as f:
                    archive.addfile(info, f)
            else:
                archive.addfile(info)
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue())


def _run(cmd: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise StandInError(f"{' '.join(cmd[:3])} failed:\n{tail}")
    return done.stdout


# ---- the stand-in -------------------------------------------------------------------------

class CRAN(HttpStandIn):
    """cloud.r-project.org and cran.r-project.org: /src/contrib/ of the built repository."""

    name = "cran"
    hosts = ("cloud.r-project.org", "cran.r-project.org")
    data_files = (PACKAGE_LIST,)

    def prepare(self) -> None:
        self.root = ensure_repository(self.cache_dir, self.data_dir)

    def handle(self, request: Request) -> Response | None:
        return serve_repository(self.root, request.path)


def serve_repository(root: Path, path: str) -> Response | None:
    """A file of the repository at `path` (relative to the repository's URL)."""
    parts = [p for p in path.split("/") if p]
    if len(parts) != 3 or parts[:2] != ["src", "contrib"] or parts[2].startswith("."):
        if parts in ([], ["src"], ["src", "contrib"]):
            return Response.text(200, "Local stand-in for a CRAN mirror. Packages: src/contrib/PACKAGES")
        return None
    kind = "application/x-gzip" if parts[2].endswith(".gz") else "application/octet-stream"
    if parts[2] == "PACKAGES":
        kind = "text/plain; charset=utf-8"
    return Response.file(root / "src" / "contrib" / parts[2], kind)
