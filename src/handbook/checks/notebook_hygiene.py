"""Notebook hygiene: committed notebooks carry no outputs or execution counts, and have cell ids.

Outputs are made at build time; committed outputs could hold data or go stale.
`handbook check notebooks [PATH ...] [--fix]` checks `git ls-files '*.ipynb'` plus the
notebooks under the paths given, printing `notebooks/nb/x.ipynb: cell 3: has 2 output(s)`.
With --fix it strips outputs and counts, adds missing cell ids and prints what it changed.
Exit 1 when a problem remains.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from handbook.project import Project

# Test fixtures are shaped on purpose (some carry outputs to test other checks); they are
# checked only when given as a path.
EXCLUDED_PREFIXES = ("tests/fixtures/",)


def committed_notebooks(root: Path) -> list[Path]:
    proc = subprocess.run(["git", "ls-files", "-z", "--", "*.ipynb"], cwd=root, capture_output=True,
                          check=False)
    if proc.returncode != 0:
        return []
    names = [name for name in proc.stdout.decode().split("\0") if name]
    return [root / name for name in names if not name.startswith(EXCLUDED_PREFIXES)]


def notebooks_under(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_file() and path.suffix == ".ipynb":
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return found


def _cell_id(notebook: Path, index: int, cell: dict, taken: set[str]) -> str:
    """A stable id from the notebook's name, the cell's position and source."""
    source = "".join(cell.get("source", []))
    seed = f"{notebook.name}\0{index}\0{source}"
    for salt in range(100):
        candidate = hashlib.sha1(f"{seed}\0{salt}".encode()).hexdigest()[:12]
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free cell id")


def problems_of(nb: dict) -> list[str]:
    problems = []
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        problems.append(f"nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')} has no cell ids "
                        "(needs 4.5)")
    seen_ids: set[str] = set()
    for index, cell in enumerate(nb.get("cells", []), 1):
        where = f"cell {index}"
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                problems.append(f"{where}: has {len(cell['outputs'])} output(s)")
            if cell.get("execution_count") is not None:
                problems.append(f"{where}: has execution count {cell['execution_count']}")
        cell_id = cell.get("id")
        if not cell_id:
            problems.append(f"{where}: has no cell id")
        elif cell_id in seen_ids:
            problems.append(f"{where}: duplicate cell id {cell_id!r}")
        else:
            seen_ids.add(cell_id)
    return problems


def fix(nb: dict, notebook: Path) -> list[str]:
    """Strip outputs and counts, add ids; returns what was changed."""
    changes = []
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5) and nb.get("nbformat") == 4:
        nb["nbformat_minor"] = 5
        changes.append("nbformat_minor set to 5")
    taken = {c.get("id") for c in nb.get("cells", []) if c.get("id")}
    seen: set[str] = set()
    for index, cell in enumerate(nb.get("cells", []), 1):
        where = f"cell {index}"
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                changes.append(f"{where}: removed {len(cell['outputs'])} output(s)")
            cell["outputs"] = []
            if cell.get("execution_count") is not None:
                changes.append(f"{where}: removed execution count")
            cell["execution_count"] = None
        if not cell.get("id") or cell["id"] in seen:
            cell["id"] = _cell_id(notebook, index, cell, taken | seen)
            changes.append(f"{where}: added cell id {cell['id']}")
        seen.add(cell["id"])
    return changes


def write_notebook(path: Path, nb: dict) -> None:
    # The layout nbformat and JupyterLab write: one-space indent, sorted keys, UTF-8.
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check(paths: list[Path], *, root: Path, do_fix: bool = False,
          include_committed: bool = True) -> tuple[list[str], list[str]]:
    """(problems left, changes made) over the committed notebooks and those under `paths`."""
    notebooks = (committed_notebooks(root) if include_committed else []) + notebooks_under(paths)
    unique: dict[Path, Path] = {}
    for path in notebooks:
        if path.exists():
            unique.setdefault(path.resolve(), path)
    problems, changes = [], []
    for path in unique.values():
        name = display(path, root)
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            problems.append(f"{name}: not a readable notebook: {error}")
            continue
        if do_fix:
            made = fix(nb, path)
            if made:
                write_notebook(path, nb)
                changes += [f"{name}: {change}" for change in made]
        problems += [f"{name}: {problem}" for problem in problems_of(nb)]
    return problems, changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook check notebooks", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="more notebooks or folders to check")
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--fix", action="store_true", help="strip outputs and counts, add cell ids")
    parser.add_argument("--only-paths", action="store_true",
                        help="check only the given paths, not the committed notebooks")
    args = parser.parse_args(argv)
    root = Project.load(args.config_file).root
    problems, changes = check(args.paths, root=root, do_fix=args.fix,
                              include_committed=not args.only_paths)
    for line in changes:
        print(f"fixed {line}")
    for line in problems:
        print(line)
    print(f"notebook hygiene: {len(problems)} problem(s)"
          + (f", {len(changes)} change(s)" if args.fix else ""), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
