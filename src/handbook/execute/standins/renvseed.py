"""The renv files of a seeded R project, made by real renv against the cran stand-in's repository.

A colleague's renv project holds `renv.lock`, `.Rprofile` and `renv/` (activate.R, settings.json,
.gitignore): what `renv::init()` and `renv::snapshot()` write. Its lock pins exact versions, so
`renv::restore()` only works when the repository serves those versions, and the cran stand-in
serves the versions of the machine's own Debian or Ubuntu release. So the files are not written
by hand: a repository of `data/standins/git-repositories.yml` with `renv: [jsonlite, ...]` on a
commit gets them from `renv_files`, which installs renv and those packages from the cran
stand-in's repository (a file:// URL, no server needed) into a scratch project with the commit's
code, and snapshots it with CRAN's address as the repository, as the colleague would have.

The result is kept in `<cache>/standins/renv-seeds/<key>`, keyed on the repository (the package
list, R and the release), the packages and the code, so it is made once per machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from handbook.execute.standins import cran
from handbook.execute.standins.base import StandInError, built_once

RECIPE = "1"   # bump when the way the files are made changes
# The files of a renv project that go into git (renv writes renv/.gitignore for the rest).
TRACKED = (".Rprofile", "renv.lock", "renv/activate.R", "renv/settings.json", "renv/.gitignore")
CRAN_URL = "https://cloud.r-project.org"   # what the lock names as the repository

SNAPSHOT_R = r"""
args <- commandArgs(trailingOnly = TRUE)
repository <- args[1]; scratch_lib <- args[2]; cran <- args[3]; packages <- args[-(1:3)]
options(repos = c(CRAN = repository), renv.consent = TRUE)
install.packages("renv", lib = scratch_lib, quiet = TRUE)
library(renv, lib.loc = scratch_lib)
renv::init(bare = TRUE, restart = FALSE)
renv::install(packages, prompt = FALSE)
options(repos = c(CRAN = cran))
renv::snapshot(prompt = FALSE)
"""


def renv_files(cache_dir: Path, data_dir: Path, packages: list[str], code: dict[str, str]) -> dict[str, str]:
    """{path: text} of the renv files for a project with `code` ({path: text}) that uses `packages`;
    StandInError when R or the cran stand-in's repository cannot be had here."""
    if not packages or not all(isinstance(p, str) and p for p in packages):
        raise StandInError("renv: needs a list of R package names")
    if not shutil.which("Rscript"):
        raise StandInError("a renv project needs R, which is not installed here")
    repository = cran.ensure_repository(cache_dir, data_dir)
    served = served_packages(repository)
    missing = [p for p in [*packages, "renv"] if p not in served]
    if missing:
        raise StandInError(f"renv: {', '.join(missing)} not served by the cran stand-in "
                           f"(add to data/standins/cran-packages.txt)")
    key = hashlib.sha256(json.dumps([RECIPE, repository.name, sorted(packages), sorted(code.items())])
                         .encode()).hexdigest()[:16]
    target = Path(cache_dir) / "standins" / "renv-seeds" / key

    def make(partial: Path) -> str:
        with tempfile.TemporaryDirectory(prefix="handbook-renv-seed-") as tmp:
            project, home = Path(tmp) / "project", Path(tmp) / "home"
            for rel, text in code.items():
                (project / rel).parent.mkdir(parents=True, exist_ok=True)
                (project / rel).write_text(text, encoding="utf-8")
            (home / "lib").mkdir(parents=True)
            (Path(tmp) / "snapshot.R").write_text(SNAPSHOT_R, encoding="utf-8")
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
                   "TMPDIR": tmp, "RENV_PATHS_ROOT": str(home / "renv"), "R_LIBS_USER": str(home / "lib")}
            done = subprocess.run(["Rscript", "--vanilla", str(Path(tmp) / "snapshot.R"),
                                   f"file://{repository}", str(home / "lib"), CRAN_URL, *packages],
                                  cwd=project, env=env, capture_output=True, text=True, check=False,
                                  timeout=600)
            if done.returncode != 0:
                tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
                raise StandInError(f"renv: making the seeded project failed:\n{tail}")
            for rel in TRACKED:
                if (project / rel).is_file():
                    (partial / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(project / rel, partial / rel)
        lock = json.loads((partial / "renv.lock").read_text(encoding="utf-8"))
        pins = sorted(lock["Packages"].items())
        return "".join(f"{name} {record.get('Version')}\n" for name, record in pins)

    folder = built_once(target, make)
    return {rel: (folder / rel).read_text(encoding="utf-8") for rel in TRACKED if (folder / rel).is_file()}


def served_packages(repository: Path) -> set[str]:
    """The package names in the repository's src/contrib/PACKAGES."""
    text = (repository / "src" / "contrib" / "PACKAGES").read_text(encoding="utf-8", errors="replace")
    return {cran.read_dcf(entry).get("Package", "") for entry in text.split("\n\n")} - {""}
