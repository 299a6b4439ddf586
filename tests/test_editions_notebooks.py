"""Every notebook the build made from a page runs from top to bottom with nbclient, in a sandbox
with the local GCS and S3 stand-ins, like the pages' own samples (handbook.execute).

Cells the page skips are tagged `skip-execution`, which nbclient leaves alone; cells whose
`requires=` packages are missing here are tagged too, with the reason recorded. The nb and sv
notebooks of a page usually hold the same code, up to the comments' language, which runs once
for both.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib
import io
import json
import multiprocessing
import os
import shlex
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from handbook.editions import notebook, notebook_run
from handbook.execute import registry
from handbook.i18n.strings import Strings
from handbook.project import CACHE_ENV, Project

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


def without_comments(cell: str) -> str:
    """A Python cell's tokens without its comments, so that notebooks whose code differs only in
    the comments' language run once; the cell as it is where tokens alone cannot say (line magics,
    shell escapes, code that does not tokenize). A %%bash_session cell loses its whole-line comments
    only when every other line is complete in itself (quotes closed, no heredoc, no line going on)."""
    lines = cell.splitlines()
    if lines and lines[0].strip() == notebook.MAGIC:
        return _bash_without_comments(cell)
    if any(line.lstrip().startswith(("%", "!")) for line in lines):
        return cell
    try:
        tokens = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(cell).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.NL)]
    except (tokenize.TokenError, SyntaxError):
        return cell
    return json.dumps(tokens)


def _bash_without_comments(cell: str) -> str:
    code = [line for line in cell.splitlines() if not line.lstrip().startswith("#")]
    for line in code:
        try:
            shlex.split(line)   # a quote in a trailing comment counts too: the cell stays whole
        except ValueError:   # a quote left open: the next lines may be inside a string
            return cell
        if "<<" in line or line.rstrip().endswith("\\"):
            return cell
    return "\n".join(code)


@pytest.fixture(scope="module")
def results(built_site, tmp_path_factory):
    """Run every distinct generated notebook once, in parallel; path -> (ok, message, skipped)."""
    # Module fixtures come before the autouse cache of each test: without its own cache folder the
    # workers would write their results into the repository's .cache.
    with pytest.MonkeyPatch.context() as env:
        env.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("editions-cache")))
        return _run_all(built_site)


def _run_all(built_site) -> dict[Path, tuple]:
    kernels = _kernels()
    by_code: dict[str, list[Path]] = {}
    for path in generated(built_site):
        nb = json.loads(path.read_text("utf-8"))
        kernel = nb["metadata"]["kernelspec"]["name"]
        code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
        if kernel.startswith("python"):
            code = [without_comments(c if isinstance(c, str) else "".join(c)) for c in code]
        key = hashlib.sha256(json.dumps([kernel, code]).encode()).hexdigest()
        by_code.setdefault(key, []).append(path)
    out: dict[Path, tuple] = {}
    context = multiprocessing.get_context("spawn")   # kernels, event loops and servers per worker
    with concurrent.futures.ProcessPoolExecutor(os.cpu_count() or 2, mp_context=context) as pool:
        futures = {}
        for paths in by_code.values():
            kernel = json.loads(paths[0].read_text("utf-8"))["metadata"]["kernelspec"]["name"]
            if kernel not in kernels:
                for p in paths:
                    out[p] = (None, f"kernel {kernel} is not installed", [])
                continue
            futures[pool.submit(notebook_run.run_notebook, paths[0], TIMEOUT, REPO / "mkdocs.yml")] = paths
        for future in concurrent.futures.as_completed(futures):
            for p in futures[future]:
                out[p] = future.result()
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


def test_bash_session_cells_share_one_shell(tmp_path):
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
    strings = Strings.load(Project.load(REPO / "mkdocs.yml"))
    nb = notebook.build_notebook(page, {}, datetime.date(2026, 12, 1), strings)
    nb.cells.append(v4.new_code_cell("%%bash_session\nfalse\necho never"))
    path = tmp_path / "side.ipynb"
    nbformat.write(nb, path)
    result, _ = notebook_run.execute(path, 60, REPO / "mkdocs.yml")
    assert not result.ok and "CalledProcessError" in result.message   # the last cell fails
    nb.cells.pop()                                                     # ... and without it:
    nbformat.write(nb, path)
    result, _ = notebook_run.execute(path, 60, REPO / "mkdocs.yml")
    assert result.ok, result.message
    shown = result.outputs[-1]["outputs"]
    assert "".join(o.get("text", "") for o in shown) == "hei verden fra b\n"


@pytest.mark.parametrize("fence, apart", [
    ('bash placeholders="<cran-spegel>=cran"', True),   # the cell holds the placeholder, not a URL
    ('bash project="https://github.com/o/r.git"', True),
    ('python data="data/examples/befolkning.sas7bdat"', True),
    ('bash services="pypi git dapla-lab"', True),
    ('python services="buckets spark"', False),          # one kernel gives these stand-ins too
    ("python", False),
])
def test_cells_that_need_their_own_session_are_left_to_the_page(fence, apart):
    source = f"# Side\n\n```{fence}\nprint(1)\n```\n\n```python\nprint(2)\n```\n"
    page = notebook.PageSource("docs/nb/side.md", source, "nb", "side.md", "https://example.org/", "H")
    strings = Strings.load(Project.load(REPO / "mkdocs.yml"))
    nb = notebook.build_notebook(page, {}, datetime.date(2026, 12, 1), strings)
    reasons = notebook_run.set_up_on_the_page(nb)
    tagged = [notebook.SKIP_TAG in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    assert tagged[-2:] == [apart, False]   # after the notebook's own set-up cells
    assert len(reasons) == int(apart)


def test_one_kernel_gets_the_stand_ins_of_every_session_on_the_page():
    """As on the page: a session with services= gets those (here a mount only named, never found
    by markers), one without gets what its markers show, and bash blocks are a session apart from
    python's of the same name; cells left to the page count for nothing."""
    source = textwrap.dedent("""
        # Side

        ```python services="gcs buckets-dapla-felles" session="kart"
        import pandas as pd
        ```

        ```python session="kart"
        pd.read_parquet("/buckets/produkt/GIS/testdata/veger_oslo.parquet")
        ```

        ```bash services="buckets"
        ls /buckets/produkt
        ```

        ```python
        import s3fs
        s3fs.S3FileSystem(anon=False)
        ```

        ```bash services="pypi" session="pakker"
        pip install pendulum
        ```
        """).lstrip()
    page = notebook.PageSource("docs/nb/side.md", source, "nb", "side.md", "https://example.org/", "H")
    strings = Strings.load(Project.load(REPO / "mkdocs.yml"))
    nb = notebook.build_notebook(page, {}, datetime.date(2026, 12, 1), strings)
    notebook_run.set_up_on_the_page(nb)
    known = registry.registrations()
    assert notebook_run.page_services(nb, known) == ("buckets", "buckets-dapla-felles", "gcs", "s3")


@pytest.mark.parametrize("a, b, same", [
    ("# Lagre\nx = 1  # én\n", "# Spara\nx = 1  # en\n", True),
    ("x = 1\n", "x = 2\n", False),
    ('print("# ikke en kommentar")\n', 'print("# inte en kommentar")\n', False),
    ("s = '''\n# data\n'''\n", "s = '''\n# annat\n'''\n", False),
    ("!echo a#b\n", "!echo a#c\n", False),
    ("%%bash_session\n# Kjør\nls\n", "%%bash_session\n  # Kör\nls\n", True),
    ("%%bash_session\nls  # alt\n", "%%bash_session\nls  # allt\n", False),
    ("%%bash_session\necho a#'b\n# x\n'\n", "%%bash_session\necho a#'b\n# y\n'\n", False),
    ("%%bash_session\nls a\n", "%%bash_session\nls b\n", False),
    ("%%bash_session\necho 'a\n# x\n'\n", "%%bash_session\necho 'a\n# y\n'\n", False),
    ("%%bash_session\ncat <<EOF\n# x\nEOF\n", "%%bash_session\ncat <<EOF\n# y\nEOF\n", False),
    ("%%bash_session\nls \\\n# x\n", "%%bash_session\nls \\\n# y\n", False),
    ("%%bash\n# Kjør\nls\n", "%%bash\n# Kör\nls\n", False),
])
def test_notebooks_that_differ_only_in_comments_run_once(a, b, same):
    assert (without_comments(a) == without_comments(b)) is same
