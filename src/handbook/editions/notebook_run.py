"""Run a notebook made from a page, the way a reader would, against the local stand-ins.

Used by the tests (in worker processes, so each has its own kernels, event loops and stand-in
servers): cells the build skips are tagged `skip-execution` already; cells whose `requires=`
packages are missing here get the tag too, and the reasons are returned.
"""

from __future__ import annotations

import atexit
from pathlib import Path

import nbformat

from handbook.editions.notebook import SKIP_TAG
from handbook.execute import notebooks as nb_tools
from handbook.execute import runner, services
from handbook.markdown.fences import Block

_local: services.LocalServices | None = None


def missing_requirements(nb) -> list[str]:
    """Tag the code cells this machine cannot run; `source: reason` for each."""
    reasons = []
    language = "r" if nb.metadata.kernelspec.name == "ir" else "python"
    for cell in nb.cells:
        info = cell.metadata.get("handbook", {})
        if cell.cell_type != "code" or not info.get("requires") or SKIP_TAG in cell.metadata.get("tags", []):
            continue
        block = Block("", 0, 0, language, cell.source, {"requires": info["requires"]}, True)
        reason = runner.missing_requirement(block)
        if reason:
            cell.metadata.setdefault("tags", []).append(SKIP_TAG)
            reasons.append(f"{info.get('source', '?')}: {reason}")
    return reasons


def run_notebook(path: Path | str, timeout: int = 180) -> tuple[bool, str, list[str]]:
    """(ok, author-facing message, skipped cells with reasons)."""
    global _local
    if _local is None:
        _local = services.LocalServices()
        atexit.register(_local.stop)
    nb = nbformat.read(path, as_version=4)
    skipped = missing_requirements(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    with _local.session(services.services_used(code)) as env:
        ok, message = nb_tools.execute(nb, nb.metadata.kernelspec.name, timeout, env, str(path))
    return ok, message, skipped
