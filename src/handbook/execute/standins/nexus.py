"""`nexus`: SSB's Nexus on nexus.ssb.no, the package proxy of JupyterLab on-prem ("bakken").

It serves what the `pypi` and `cran` stand-ins serve, under Nexus' repository paths:

- `https://nexus.ssb.no/repository/pypi-proxy/simple/` (PEP 503/691), files under
  `/repository/pypi-proxy/packages/`; sessions get `PIP_INDEX_URL` pointing there, as pip is set
  up on-prem, so `pip install` and `poetry source add nexus "$PIP_INDEX_URL"` work as shown;
- `https://nexus.ssb.no/repository/CRAN/` (`src/contrib/PACKAGES` and the tarballs), for
  `options(repos = c(CRAN = "https://nexus.ssb.no/repository/CRAN/"))`.

Where R or apt is missing the CRAN part answers 503 with the reason; the PyPI part still works.
"""

from __future__ import annotations

from handbook.execute.standins import cran, pypi
from handbook.execute.standins.base import HttpStandIn, StandInError
from handbook.execute.standins.web import Request, Response

PYPI_PATH = "/repository/pypi-proxy"
CRAN_PATH = "/repository/CRAN"
INDEX_URL = f"https://nexus.ssb.no{PYPI_PATH}/simple"


class Nexus(HttpStandIn):
    name = "nexus"
    hosts = ("nexus.ssb.no",)
    data_files = (pypi.REQUIREMENTS, pypi.OLDER, cran.PACKAGE_LIST)

    def prepare(self) -> None:
        self.index = pypi.load_index(self.cache_dir, self.data_dir)
        self.cran_root, self.cran_problem = None, ""
        try:
            self.cran_root = cran.ensure_repository(self.cache_dir, self.data_dir)
        except StandInError as exc:
            self.cran_problem = str(exc)

    def env(self) -> dict[str, str]:
        return {"PIP_INDEX_URL": INDEX_URL}

    def handle(self, request: Request) -> Response | None:
        path = request.path
        if path.startswith(f"{PYPI_PATH}/simple"):
            return self.index.simple(request, f"{PYPI_PATH}/simple/", f"{PYPI_PATH}/packages")
        if path.startswith(f"{PYPI_PATH}/packages/"):
            return self.index.serve_file(path.rsplit("/", 1)[-1])
        if path == CRAN_PATH or path.startswith(f"{CRAN_PATH}/"):
            if self.cran_root is None:
                return Response.text(503, f"The CRAN repository is not available: {self.cran_problem}")
            return cran.serve_repository(self.cran_root, path[len(CRAN_PATH):])
        if path in ("/", ""):
            return Response.text(200, f"Local stand-in for SSB's Nexus: {PYPI_PATH}/simple/, {CRAN_PATH}/")
        return None
