"""Every notebook the build made from a page runs from top to bottom with nbclient, in a sandbox
with the local GCS and S3 stand-ins, like the pages' own samples (handbook.execute).

Cells the page skips are tagged `skip-execution`, which nbclient leaves alone; cells whose
`requires=` packages are missing here are tagged too, with the reason recorded. The nb and sv
notebooks of a page usually hold the same code, which runs once for both.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from handbook.editions import notebook
from handbook.execute import notebooks as nb_tools
from handbook.execute import runner, services

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 180


def _kernels() -> set[str]:
    out = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                         capture_output=True, text=True, check=False).stdout
    return set(json.loads(out or "{}").get("kernelspecs", {}))


def generated(site: Path) -> list[Path]:
    """The notebooks made from pages (not the notebook pages' own downloads)."""
    found = []
    for path in sorted(site.rglob("*.ipynb")):
        nb = json.loads(path.read_text("utf-8"))
        if "source" in nb.get("metadata", {}).get("handbook", {}):
            found.append(path)
    return found


def prepare(nb) -> list[str]:
    """Tag cells whose requirements are missing here; the reasons."""
    reasons = []
    for cell in nb.cells:
        info = cell.metadata.get("handbook", {})
        if cell.cell_type != "code" or not info.get("requires"):
            continue
        if notebook.SKIP_TAG in cell.metadata.get("tags", []):
            continue
        block = type("B", (), {"lang": "r" if nb.metadata.kernelspec.name == "ir" else "python",
                               "options": {"requires": info["requires"]}})
        reason = runner.missing_requirement(block)
        if reason:
            cell.metadata.setdefault("tags", []).append(notebook.SKIP_TAG)
            reasons.append(f"{info['source']}: {reason}")
    return reasons


def run(path: Path, local: services.LocalServices) -> tuple[bool, str, list[str]]:
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.kernelspec.name
    skipped = prepare(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    with local.session(services.services_used(code)) as env:
        ok, message = nb_tools.execute(nb, kernel, TIMEOUT, env, str(path))
    return ok, message, skipped


@pytest.fixture(scope="module")
def results(built_site):
    """Run every distinct generated notebook once, in parallel; path -> (ok, message, skipped)."""
    kernels = _kernels()
    by_code: dict[str, list[Path]] = {}
    for path in generated(built_site):
        nb = json.loads(path.read_text("utf-8"))
        code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
        key = hashlib.sha256(json.dumps([nb["metadata"]["kernelspec"]["name"], code]).encode()).hexdigest()
        by_code.setdefault(key, []).append(path)
    local = services.LocalServices()
    out: dict[Path, tuple] = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            futures = {}
            for paths in by_code.values():
                kernel = json.loads(paths[0].read_text("utf-8"))["metadata"]["kernelspec"]["name"]
                if kernel not in kernels:
                    for p in paths:
                        out[p] = (None, f"kernel {kernel} is not installed", [])
                    continue
                futures[pool.submit(run, paths[0], local)] = paths
            for future in concurrent.futures.as_completed(futures):
                for p in futures[future]:
                    out[p] = future.result()
    finally:
        local.stop()
    return out


def _pages():
    project_docs = REPO / "docs"
    for path in sorted(project_docs.glob("*/**/*.md")):
        if notebook.has_executable_blocks(path.read_text("utf-8")):
            rel = path.relative_to(project_docs).as_posix()
            yield pytest.param(rel, id=rel)


@pytest.mark.site
@pytest.mark.slow
@pytest.mark.parametrize("source", list(_pages()))
def test_generated_notebook_runs(results, source):
    found = {p: r for p, r in results.items()
             if json.loads(p.read_text("utf-8"))["metadata"]["handbook"]["source"] == f"docs/{source}"}
    assert found, f"no notebook was made from docs/{source}"
    for path, (ok, message, skipped) in found.items():
        if ok is None:
            pytest.skip(f"{path.name}: {message}")
        assert ok, message
        for reason in skipped:
            print(f"skipped cell {reason}")


def test_bash_session_cells_share_one_shell():
    """The helper keeps `cd` and variables from cell to cell, and a failing command fails its cell."""
    source = textwrap.dedent("""
        # Side

        ```bash
        mkdir -p a/b && cd a
        NAVN=verden
        ```

        ```bash show-output
        cd b
        echo "hei $NAVN fra $(basename "$PWD")"
        ```
        """).lstrip()
    page = notebook.PageSource("docs/nb/side.md", source, "nb", "side.md", "https://example.org/", "H")
    nb = notebook.build_notebook(page, {}, datetime.date(2026, 12, 1))
    ok, message = nb_tools.execute(nb, "python3", 60, {}, "side")
    assert ok, message
    last = nb.cells[-1]
    assert "".join(o.get("text", "") for o in last.outputs) == "hei verden fra b\n"
    nb.cells.append(v4.new_code_cell("%%bash_session\nfalse\necho never"))
    ok, message = nb_tools.execute(nb, "python3", 60, {}, "side")
    assert not ok and "CalledProcessError" in message
    assert not [o for o in nb.cells[-1].outputs if o.output_type == "stream" and "never" in o.text]
