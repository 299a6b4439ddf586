"""The wheels the package-index stand-ins serve: pinned with hashes in the project's data dir,
downloaded once into the cache (pip download, from the registry this machine reaches)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from handbook.execute.standins.base import StandInError, built_once

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def interpreter_tag(python: str = sys.executable) -> str:
    if python == sys.executable:
        return f"{sys.implementation.name}{sys.version_info[0]}{sys.version_info[1]}"
    out = subprocess.run([python, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout.split()
    return f"{out[0]}{out[1]}{out[2]}"


def ensure_wheels(cache_dir: Path, requirements: Path, python: str = sys.executable) -> Path:
    """The folder of wheels pinned in `requirements` for `python`, downloaded on first use."""
    if not requirements.is_file():
        raise StandInError(f"{requirements}: the pinned package list is missing")
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    target = Path(cache_dir) / "standins" / "wheels" / f"{interpreter_tag(python)}-{digest}"

    def download(partial: Path) -> str:
        cmd = [python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--only-binary=:all:", "--require-hashes", "-r", str(requirements), "-d", str(partial)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-8:])
            raise StandInError(f"pip download of {requirements.name} failed:\n{tail}")
        for name, version, hashes in foreign_requirements(requirements, python):
            _download_one(name, version, hashes, partial)
        return "\n".join(sorted(p.name for p in partial.glob("*.whl"))) + "\n"

    return built_once(target, download, siblings=f"{interpreter_tag(python)}-*")


def read_requirements(path: Path) -> list[tuple[str, str, str, set[str]]]:
    """(name, version, marker, sha256 hashes) of each pinned line of a requirements file."""
    entries, current = [], ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        current += " " + line.rstrip("\\")
        if line.endswith("\\"):
            continue
        tokens = current.split("--hash=")
        requirement, hashes = tokens[0].strip(), {t.strip().removeprefix("sha256:") for t in tokens[1:]}
        current = ""
        if "==" in requirement:
            spec, _, marker = requirement.partition(";")
            name, _, version = spec.partition("==")
            entries.append((name.strip(), version.strip(), marker.strip(), hashes))
    return entries


def foreign_requirements(path: Path, python: str = sys.executable):
    """Pinned lines for other platforms than `python`'s (pip download skips them)."""
    from packaging.markers import Marker

    environment = None
    if python != sys.executable:
        environment = json.loads(subprocess.run(
            [python, "-c", "import json; from packaging.markers import default_environment as d; "
                           "print(json.dumps(d()))"], capture_output=True, text=True, check=True).stdout)
    for name, version, marker, hashes in read_requirements(path):
        if marker and not Marker(marker).evaluate(environment):
            yield name, version, hashes


def _download_one(name: str, version: str, hashes: set[str], folder: Path) -> None:
    """One wheel of a package for another platform (the smallest, preferring a pure one), so
    the index can show it to lockers like Poetry, which resolve for every platform."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    page = f"{index}/{normalize(name)}/"
    request = urllib.request.Request(page, headers={"Accept": SIMPLE_JSON})
    with urllib.request.urlopen(request, timeout=60) as r:
        files = [f for f in json.load(r)["files"]
                 if f["filename"].endswith(".whl") and f["hashes"].get("sha256") in hashes]
    if not files:
        raise StandInError(f"{name}=={version}: no wheel with a pinned hash on {page}")
    chosen = min(files, key=lambda f: (not f["filename"].endswith("-none-any.whl"), f.get("size") or 0))
    with urllib.request.urlopen(urllib.parse.urljoin(page, chosen["url"]), timeout=300) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != chosen["hashes"]["sha256"]:
        raise StandInError(f"{chosen['filename']}: the download does not match its pinned hash")
    (folder / chosen["filename"]).write_bytes(data)


# ---- the index ----------------------------------------------------------------------------


