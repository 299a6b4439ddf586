"""The package's shape: no import cycles, no oversized modules, no project paths from the
package's own location, thin hook shims."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from projects import REPO

SRC = REPO / "src" / "handbook"
MAX_LINES = 400
MAX_HOOK_LINES = 200


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The handbook modules a module imports (at any depth), resolved to module names."""
    found = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", None) == "TYPE_CHECKING"
                   for n in ast.walk(block)}   # annotations only: never imported at run time
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
            # `from pkg import submodule` depends on the submodule; `from pkg import name`, on pkg
            names = submodules if len(submodules) == len(node.names) else [base, *submodules]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def import_graph(root: Path = SRC) -> dict[str, set[str]]:
    files = {module_name(p): p for p in root.rglob("*.py")}
    modules = set(files)
    graph = {}
    for name, path in files.items():
        # importing a.b.c also runs a and a.b: the package __init__ files are not edges we add
        graph[name] = {m for m in imports_of(path, modules) if m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 20
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    pkg = tmp_path / "handbook"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from handbook.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from handbook import a\n")
    global SRC
    saved, SRC = SRC, pkg
    try:
        graph = import_graph(pkg)
    finally:
        SRC = saved
    assert find_cycle(graph) in (["handbook.a", "handbook.sub.b", "handbook.a"],
                                 ["handbook.sub.b", "handbook.a", "handbook.sub.b"])


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_module_is_oversized(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)}: {lines} lines; split it by concern"


@pytest.mark.parametrize("path", sorted((REPO / "hooks").glob("*.py")), ids=lambda p: p.name)
def test_hooks_are_thin_documented_shims(path):
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert ast.get_docstring(tree), f"{path.name}: start with a docstring naming the MkDocs events"
    assert len(text.splitlines()) <= MAX_HOOK_LINES
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert not defined, f"{path.name}: logic belongs in handbook.adapters, not the hook ({defined})"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_project_path_comes_from_the_package_location(path):
    """Package resources may sit next to the code; the project's folders never do."""
    text = path.read_text(encoding="utf-8")
    found = FORBIDDEN.search(text)
    assert found is None, f"{path.relative_to(REPO)}: {found.group(0)}"


FORBIDDEN = re.compile(r"parents\[2\]|\bROOT\b|(?<![A-Z_])CACHE_DIR\b|\bREPORTS_DIR\b|\bdisplay_path\b")
