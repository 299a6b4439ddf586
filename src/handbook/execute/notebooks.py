"""Notebooks: execution through nbclient (cached, sandboxed), executed copies, clean downloads.

Only outputs are cached, keyed on the code cells (full-line comments removed) and the
kernel, so the nb and sv versions of a notebook, which differ in their Markdown,
share one execution. The executed copy that mkdocs-jupyter renders is the page's own
notebook with those outputs merged in.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from handbook import CACHE_DIR, display_path
from handbook.execute import sandbox, services
from handbook.markdown import fences

CELL_TIMEOUT = 120
RENDERED_DIR = CACHE_DIR / "notebooks" / "rendered"


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
    path: str          # display path
    source: Path
    key: str
    kernel: str
    timeout: int

    @property
    def label(self) -> str:
        return f"{self.path} (notebook)"

    @classmethod
    def for_path(cls, source: Path, env_key: str) -> NotebookJob:
        nb = nbformat.read(source, as_version=4)
        kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
        timeout = int(nb.metadata.get("handbook", {}).get("timeout", CELL_TIMEOUT))
        h = hashlib.sha256(env_key.encode())
        h.update(f"notebook\0{kernel}".encode())
        for cell in code_cells(nb):
            h.update(b"\0" + fences.normalised_code(cell.source).encode())
        return cls(display_path(source), source, h.hexdigest(), kernel, timeout)

    def run(self, local: services.LocalServices, refresh: bool = False):
        from handbook.execute.runner import Result, cache_get, cache_put

        if not refresh and (hit := cache_get(self.key, "notebooks")) is not None:
            return Result(ok=True, outputs=hit["cells"], seconds=hit["seconds"], cached=True)
        started = time.monotonic()
        nb = nbformat.read(self.source, as_version=4)
        code = "\n".join(c.source for c in code_cells(nb))
        used = services.services_used(code, nb.metadata.get("handbook", {}).get("services"))
        with local.session(used) as service_env:
            ok, message = execute(nb, self.kernel, self.timeout, service_env, self.path)
        seconds = round(time.monotonic() - started, 2)
        if not ok:
            return Result(ok=False, message=message, seconds=seconds)
        cells = [{"outputs": c.get("outputs", []), "execution_count": c.get("execution_count")}
                 for c in code_cells(nb)]
        cache_put(self.key, {"cells": cells, "seconds": seconds, "path": self.path}, "notebooks")
        return Result(ok=True, outputs=cells, seconds=seconds)


def execute(nb, kernel: str, timeout: int, extra_env: dict, label: str) -> tuple[bool, str]:
    """Execute in place in a sandboxed kernel; (ok, author-facing message)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    with tempfile.TemporaryDirectory(prefix="handbook-notebook-") as root:
        root = Path(root)
        for name in ("work", "home", "tmp"):
            (root / name).mkdir()
        env = sandbox.sandbox_env(root / "home", root / "tmp", extra_env)
        env["JUPYTER_PATH"] = os.pathsep.join([str(Path(os.sys.prefix) / "share/jupyter"),
                                               "/usr/local/share/jupyter", "/usr/share/jupyter"])
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=False,
                                resources={"metadata": {"path": str(root / "work")}},
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
        try:
            client.execute(env=env, cwd=str(root / "work"))
        except CellTimeoutError:
            return False, f"{label}: cell {_failed_cell(nb)}: timed out after {timeout} s"
        except CellExecutionError as exc:
            return False, f"{label}: cell {_failed_cell(nb)}: notebook cell failed: {exc.ename}: {exc.evalue}"
        except DeadKernelError as exc:
            return False, f"{label}: the kernel died: {exc}"
        except Exception as exc:  # a missing kernel, a bad notebook: still name the file
            return False, f"{label}: could not execute: {type(exc).__name__}: {exc}"
    return True, ""


def _failed_cell(nb) -> int:
    """1-based number of the code cell that failed (the last one with outputs)."""
    number = 0
    for i, cell in enumerate(code_cells(nb), start=1):
        if cell.get("execution_count") is not None or cell.get("outputs"):
            number = i
    return number or 1


def executed_copy(source: Path, outputs: list | None) -> Path | None:
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
    target = RENDERED_DIR / digest / source.name
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
