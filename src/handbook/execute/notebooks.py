"""Notebooks: executed in the sandbox (cached), executed copies to render, clean downloads.

Only outputs are cached, keyed on the code cells (full-line comments removed), the kernel and
the stand-ins, so the nb and sv versions of a notebook, which differ in their Markdown, share
one execution. nbclient and the kernel both run inside the sandbox (sandbox/notebook_driver.py);
what comes back is checked against the notebook format before it is kept. The executed copy
that mkdocs-jupyter renders is the page's own notebook with those outputs merged in.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from handbook.execute import registry, sandbox
from handbook.execute.sessions import Context, Result
from handbook.markdown import fences
from handbook.markdown.validate import size_text

STARTUP_TIMEOUT = 120.0   # starting nbclient and the kernel
SLACK = 15.0              # the driver enforces the cell timeout; this is the build's backstop


class NotebookError(ValueError):
    """A notebook that cannot be executed; the message names the file."""


def walk(docs_dir: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Pages under docs_dir, following the links docs/<lang>/notebooks -> notebooks/<lang>."""
    found = []
    for folder, dirs, names in os.walk(docs_dir, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder) / n for n in sorted(names) if n.endswith(suffixes)]
    return found


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


@dataclass
class NotebookJob:
    path: str          # as the author sees it
    source: Path
    key: str
    kernel: str
    timeout: float
    standins: tuple = ()
    cells: int = 0

    @property
    def label(self) -> str:
        return f"{self.path} (notebook)"

    @classmethod
    def for_path(cls, project, source: Path, env_key: str, known: dict, limits) -> NotebookJob:
        rel = project.display(source)
        size = source.stat().st_size
        if size > limits.notebook_kb * 1000:
            raise NotebookError(f"{rel}: the notebook is {size_text(size)}; the limit is "
                                f"{size_text(limits.notebook_kb * 1000)} (save it without outputs)")
        try:
            nb = nbformat.read(source, as_version=4)
        except Exception as exc:  # not JSON, not a notebook: name the file
            raise NotebookError(f"{rel}: not a valid notebook: {exc}") from None
        meta = nb.metadata.get("handbook", {})
        kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
        try:
            timeout = fences.parse_timeout(str(meta.get("timeout", limits.notebook_timeout)), 1)
            used = registry.used("\n".join(c.source for c in code_cells(nb)), meta.get("services"), known)
        except (fences.FenceError, registry.UnknownStandIn) as exc:
            raise NotebookError(f"{rel}: metadata handbook: {exc}") from None
        h = hashlib.sha256(env_key.encode())
        h.update(json.dumps(["notebook", kernel, timeout, list(used),
                             registry.uses(used, known, project)]).encode())
        for cell in code_cells(nb):
            h.update(b"\0" + fences.normalised_code(cell.source).encode())
        return cls(rel, source, h.hexdigest(), kernel, timeout, used, len(code_cells(nb)))

    def run(self, ctx: Context) -> Result:
        if self.cells == 0:
            return Result(ok=True, outputs=[])
        if not ctx.refresh and (hit := ctx.cache.get("notebooks", self.key)) is not None:
            return Result(ok=True, outputs=hit["cells"], seconds=hit["seconds"], cached=True)
        if not ctx.isolation.available:
            return Result(ok=False, reason="sandbox unavailable",
                          message=f"{self.path}: notebook not run: {ctx.isolation.problem}")
        clean_nb = json.dumps(clean(json.loads(self.source.read_text(encoding="utf-8"))))
        job = json.dumps({"kernel": self.kernel, "timeout": self.timeout})
        try:
            with ctx.standins.session(self.standins) as exposures:
                raw = sandbox.run(ctx.isolation, ctx.limits, sandbox.Job(
                    driver="notebook",
                    inputs={"notebook.ipynb": clean_nb.encode(), "job.json": job.encode()},
                    timeouts=[self.timeout + SLACK] * max(self.cells, 1), startup_timeout=STARTUP_TIMEOUT,
                    exposures=exposures, output_cap=ctx.limits.output_bytes,
                    message_cap=ctx.limits.notebook_output_bytes, cancel=ctx.cancel))
        except registry.StandInUnavailable as exc:
            return Result(ok=False, reason="stand-in unavailable",
                          message=f"{self.path}: notebook not run: {exc}")
        cells, error = _returned(raw, self.cells)
        if error:
            return Result(ok=False, message=f"{self.path}: {error}", seconds=raw.seconds,
                          reason=raw.limit or "error")
        ctx.cache.put("notebooks", self.key, {"cells": cells, "seconds": raw.seconds, "path": self.path})
        return Result(ok=True, outputs=cells, seconds=raw.seconds)


def _returned(raw: sandbox.RawResult, count: int) -> tuple[list, str]:
    """(outputs per code cell, "") or ([], what went wrong), from what the sandbox sent back."""
    for message in raw.messages:
        info = message.get("error")
        if isinstance(info, dict):
            # A limit the build saw (memory, processes, time, output) says more than the driver.
            error = raw.error if raw.limit not in ("", "exit") else info.get("error", raw.error)
            return [], f"cell {info.get('cell', 1)}: {error}"
    if not raw.ok:
        cell = (raw.failed_block or 0) + 1
        tail = raw.stderr_tail
        return [], f"cell {cell}: {raw.error}" + (("\n" + tail) if tail and raw.limit == "exit" else "")
    cells = next((m["cells"] for m in raw.messages if "cells" in m), None)
    if not isinstance(cells, list) or len(cells) != count:
        return [], "the notebook returned no outputs"
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell() for _ in cells])
        for cell, out in zip(nb.cells, cells, strict=True):
            cell.outputs = [nbformat.from_dict(o) for o in out["outputs"]]
            cell.execution_count = out["execution_count"]
        nbformat.validate(nb)
    except Exception as exc:
        return [], f"the notebook returned outputs that are not valid: {type(exc).__name__}"
    return [{"outputs": out["outputs"], "execution_count": out["execution_count"]} for out in cells], ""


def executed_copy(cache_dir: Path, source: Path, outputs: list | None) -> Path | None:
    """Write the page's notebook with cached outputs merged in; None if there are none."""
    if outputs is None:
        return None
    nb = nbformat.read(source, as_version=4)
    cells = code_cells(nb)
    if len(cells) != len(outputs):
        return None
    for cell, out in zip(cells, outputs, strict=True):
        cell.outputs = [nbformat.from_dict(o) for o in out["outputs"]]
        cell.execution_count = out["execution_count"]
    digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
    target = cache_dir / "notebooks" / "rendered" / digest / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, target)
    return target


def clean(nb_dict: dict) -> dict:
    nb = copy.deepcopy(nb_dict)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def write_clean_copy(source: Path, target: Path) -> None:
    nb = clean(json.loads(source.read_text(encoding="utf-8")))
    target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def without_cdn_mathjax(html: str) -> str:
    """Drop nbconvert's MathJax loader: it fetches from a CDN, and readers' pages load nothing
    from other hosts. Our notebooks hold no LaTeX; math would show as source text."""
    return _MATHJAX_BLOCK.sub("", html)
