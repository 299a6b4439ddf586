"""Executes one notebook inside the sandbox: nbclient and its kernel both run in here.

Usage: python notebook_driver.py INPUT_DIR (notebook.ipynb and job.json: {"kernel", "timeout"}).
Protocol as driver.py: {"block": i} on fd 3 before code cell i (0-based) and one byte read from
fd 4; at the end {"cells": [{"outputs": [...], "execution_count": n}, ...]} for the code cells,
or {"error": {"cell": n, "error": "..."}} (n 1-based) and exit status 1.
"""

import json
import os
import sys


def main(input_dir):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    with open(os.path.join(input_dir, "job.json"), encoding="utf-8") as f:
        job = json.load(f)
    nb = nbformat.read(os.path.join(input_dir, "notebook.ipynb"), as_version=4)
    code_index = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            code_index[i] = len(code_index)
    current = {"cell": 0}

    def on_cell_start(cell, cell_index):
        if cell_index in code_index:
            current["cell"] = code_index[cell_index]
            _send({"block": code_index[cell_index]})
            os.read(4, 1)

    client = NotebookClient(nb, timeout=job["timeout"], kernel_name=job["kernel"], allow_errors=False,
                            resources={"metadata": {"path": os.getcwd()}}, on_cell_start=on_cell_start,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        client.execute(cwd=os.getcwd())
    except CellTimeoutError:
        _error(current["cell"], f"timed out after {job['timeout']:g} s")
    except CellExecutionError as exc:
        _error(current["cell"], f"notebook cell failed: {exc.ename}: {exc.evalue}")
    except DeadKernelError as exc:
        _error(current["cell"], f"the kernel died: {exc}")
    except Exception as exc:  # a missing kernel, a bad notebook: the build names the file
        _error(current["cell"], f"could not execute: {type(exc).__name__}: {exc}")
    cells = [{"outputs": c.get("outputs", []), "execution_count": c.get("execution_count")}
             for c in nb.cells if c.cell_type == "code"]
    _send({"cells": cells})


def _send(message):
    sys.stdout.flush()
    sys.stderr.flush()
    data = (json.dumps(message) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(3, view):]


def _error(cell, text):
    _send({"error": {"cell": cell + 1, "error": text}})
    os._exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
