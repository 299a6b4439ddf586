"""pytest plugin (`-p warm_builds` in pyproject.toml): fixture builds run in warm forks.

Every `handbook.build.run_mkdocs` a test makes goes through handbook.warm: one server process has
imported MkDocs, Material and mkdocs-jupyter (about 4 s of CPU per build otherwise) and forks a
fresh child per build, with the build's own environment and working directory. The test modules
import run_mkdocs after pytest_configure, so they get this one. HANDBOOK_COLD_BUILDS=1 turns it
off (a fresh interpreter per build, as before).
"""

from __future__ import annotations

import os


def pytest_configure(config):
    if os.environ.get("HANDBOOK_COLD_BUILDS"):
        return
    from handbook import build, warm

    warm.install(build)


def pytest_unconfigure(config):
    from handbook import warm

    warm.close()
