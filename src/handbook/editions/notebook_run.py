"""Run a notebook made from a page, the way a reader would, against the local stand-ins.

Used by the tests (in worker processes, so each has its own kernels, event loops and stand-in
servers): cells the build skips are tagged `skip-execution` already; cells whose `requires=`
packages are missing here get the tag too, and the reasons are returned. `run_notebook` keeps one
Runner per process, as a build does: its stand-ins start once and are reset to their seed before
each notebook.
"""

from __future__ import annotations

import multiprocessing.util
import tempfile
from pathlib import Path

import nbformat

from handbook.editions.notebook import MAGIC, SKIP_TAG
from handbook.execute import registry
from handbook.execute.notebooks import NotebookError, NotebookJob
from handbook.execute.runner import Runner
from handbook.execute.sessions import Result
from handbook.markdown.fences import Block
from handbook.project import Project


def set_up_on_the_page(nb) -> list[str]:
    """Tag the code cells whose page sample runs in a setting of its own that one kernel cannot
    give: a clone of a project (`project=`), files copied in (`data=`), values put in for the
    placeholders the reader sees (`placeholders=`), or the package and git
    stand-ins (`services="pypi"` etc.: their samples install, clone and `cd` in a session of their
    own), with every other cell of that `session=`. The page's own build runs them; `source:
    reason` for each."""
    def needs(info: dict) -> list[str]:
        apart = [f"{option}=" for option in ("project", "data", "placeholders") if info.get(option)]
        return apart + sorted(set(str(info.get("services", "")).split()) & PAGE_SESSION_STANDINS)

    cells = [(cell, cell.metadata.get("handbook", {})) for cell in nb.cells if cell.cell_type == "code"]
    sessions: dict[str, list[str]] = {}
    for _, info in cells:
        if info.get("session") and (apart := needs(info)):
            sessions.setdefault(info["session"], []).extend(apart)
    reasons = []
    for cell, info in cells:
        apart = needs(info) or sessions.get(info.get("session", ""), [])
        if apart and SKIP_TAG not in cell.metadata.get("tags", []):
            cell.metadata.setdefault("tags", []).append(SKIP_TAG)
            reasons.append(f"{info.get('source', '?')}: runs on the page in a session of its own "
                           f"({', '.join(dict.fromkeys(apart))})")
    return reasons


def missing_requirements(nb, runner: Runner) -> list[str]:
    """Tag the code cells this machine cannot run; `source: reason` for each."""
    reasons = []
    language = "r" if nb.metadata.kernelspec.name == "ir" else "python"
    for cell in nb.cells:
        info = cell.metadata.get("handbook", {})
        if cell.cell_type != "code" or not info.get("requires") or SKIP_TAG in cell.metadata.get("tags", []):
            continue
        block = Block("", 0, 0, language, cell.source, {"requires": info["requires"]}, True)
        reason = runner.requirements.missing(block)
        if reason:
            cell.metadata.setdefault("tags", []).append(SKIP_TAG)
            reasons.append(f"{info.get('source', '?')}: {reason}")
    return reasons


def page_services(nb, known) -> tuple[str, ...]:
    """The stand-ins the page's sessions used for the cells that run here: per session (its name and
    language: bash cells are a session apart from the kernel's language), those its blocks declare
    (`services=`), else those its code's markers show; one kernel gets them all."""
    sessions: dict[tuple[str, bool], list] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and SKIP_TAG not in cell.metadata.get("tags", []):
            name = cell.metadata.get("handbook", {}).get("session", "main")
            sessions.setdefault((name, cell.source.startswith(MAGIC)), []).append(cell)
    names: set[str] = set()
    for cells in sessions.values():
        declared = " ".join(str(c.metadata.get("handbook", {}).get("services", "")) for c in cells).strip()
        code = "\n".join(c.source for c in cells)
        names.update(registry.used(code, declared or None, known))
    return tuple(sorted(names))


def run_notebook(path: Path | str, timeout: int = 180,
                 config_file: Path | str | None = None) -> tuple[bool, str, list[str]]:
    """(ok, author-facing message, skipped cells with reasons), with this process's runner."""
    result, skipped = execute(path, timeout, config_file, runner=_shared_runner(config_file))
    return result.ok, result.message, skipped


def execute(path: Path | str, timeout: int = 180, config_file: Path | str | None = None,
            runner: Runner | None = None):
    """(the runner's Result with each code cell's outputs, skipped cells with reasons): the
    notebook run in the build's sandbox against the stand-ins its code uses, as a notebook page
    of the site runs. Without a `runner`, one is made for this notebook and closed after it."""
    own = runner is None
    runner = runner or Runner(Project.load(config_file), refresh=True)
    try:
        nb = nbformat.read(path, as_version=4)
        skipped = missing_requirements(nb, runner) + set_up_on_the_page(nb)
        nb.metadata.setdefault("handbook", {})["timeout"] = timeout
        services = page_services(nb, runner.known)
        if services:
            nb.metadata.handbook["services"] = " ".join(services)
        with tempfile.TemporaryDirectory(prefix="handbook-edition-") as folder:
            copy = Path(folder) / Path(path).name
            nbformat.write(nb, copy)
            try:
                job = NotebookJob.for_path(runner.project, copy, runner.env_key, runner.known,
                                           runner.limits)
            except NotebookError as exc:
                return Result(ok=False, message=str(exc)), skipped
            return job.run(runner.context()), skipped
    finally:
        if own:
            runner.close()


def _shared_runner(config_file: Path | str | None) -> Runner:
    key = str(config_file)
    if key not in _RUNNERS:
        runner = _RUNNERS[key] = Runner(Project.load(config_file), refresh=True)
        # closed (stand-ins stopped, their folders removed) when this process or pool worker exits
        multiprocessing.util.Finalize(None, runner.close, exitpriority=10)
    return _RUNNERS[key]


PAGE_SESSION_STANDINS = {"pypi", "nexus", "cran", "git"}

_RUNNERS: dict[str, Runner] = {}   # run_notebook's, per mkdocs.yml, in this process
