"""Copying a resource into a project the way BALSAM does: `Resources/<Name>/...` in the project.

Names are accepted as people type them: `Resources/` in front or a `/` behind is fine, the
Unicode form does not matter (a name typed on macOS arrives decomposed, NFD), and case does
not matter as long as only one resource matches; otherwise the message lists the candidates.
Only regular files inside the resource are copied. A resource holding a symlink (or anything
else `tree.scan` refuses) is not copied at all, and the message names what was refused.
"""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path, PurePosixPath

from handbook.content.library.model import LibraryError
from handbook.content.library.tree import Tree, read_bytes, scan

RESOURCES = PurePosixPath("Resources")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def resource_names(root: Path | str) -> list[str]:
    """What `Resources/` offers: folders with a trailing `/`, then files."""
    tree = scan(root)
    return _names(tree)


def _names(tree: Tree) -> list[str]:
    folders, files = tree.children(RESOURCES) if RESOURCES in tree.folders else ([], [])
    return [f"{f.name}/" for f in folders] + [f.name for f in files]


def find_resource(tree: Tree, name: str) -> PurePosixPath:
    """The resource (a folder or a file directly in Resources/) that `name` means."""
    given = _nfc(name.strip()).rstrip("/")
    if given.startswith("Resources/"):
        given = given[len("Resources/"):]
    if not given or "/" in given or "\\" in given or given in (".", ".."):
        raise LibraryError(f"'{name}': give a folder name or a file directly in Resources/")
    refused = {p.path.name: p for p in tree.problems if p.path.parent == RESOURCES}
    entries = [e for e in (*tree.children(RESOURCES)[0], *tree.children(RESOURCES)[1])] \
        if RESOURCES in tree.folders else []
    exact = [e for e in entries if _nfc(e.name) == given]
    if exact:
        return exact[0]
    for refused_name, problem in refused.items():
        if _nfc(refused_name).casefold() == given.casefold():
            raise LibraryError(f"Resources/{refused_name}: {problem.message}")
    folded = [e for e in entries if _nfc(e.name).casefold() == given.casefold()]
    if len(folded) == 1:
        return folded[0]
    if len(folded) > 1:
        listed = ", ".join(sorted(f"'{e.name}'" for e in folded))
        raise LibraryError(f"'{name}' matches {len(folded)} resources that differ only in case: "
                           f"{listed}; type the name exactly")
    available = _names(tree)
    close = difflib.get_close_matches(given.casefold(), [a.rstrip("/").casefold() for a in available],
                                      n=3, cutoff=0.6)
    hint = ""
    if close:
        shown = [a for a in available if a.rstrip("/").casefold() in close]
        hint = f"; did you mean {', '.join(repr(a.rstrip('/')) for a in shown)}?"
    raise LibraryError(f"no resource '{name}' in {tree.root / 'Resources'}{hint} "
                       f"(available: {', '.join(available) or 'none'})")


def copy_resource(library_root: Path | str, name: str, project: Path | str, *,
                  force: bool = False) -> list[Path]:
    """Copy `Resources/<name>` (a folder or a single file) into `<project>/Resources/`.
    Refuses to overwrite existing files unless `force`; nothing is copied when it refuses.
    Returns the paths written."""
    project = Path(project)
    if not project.is_dir():
        raise LibraryError(f"{project}: project folder not found")
    tree = scan(library_root)
    rel = find_resource(tree, name)
    if rel in tree.folders:
        refused = [p for p in tree.problems if rel in p.path.parents]
        if refused:
            listed = "\n  ".join(f"{p.path}: {p.message}" for p in refused)
            raise LibraryError(f"Resources/{rel.name} is not copied: it holds what a library must "
                               f"not:\n  {listed}")
        files = tree.files_under(rel)
    else:
        files = [rel]
    pairs = [(f, project / "Resources" / str(f.relative_to(RESOURCES))) for f in files]
    existing = [dst for _, dst in pairs if dst.exists() or dst.is_symlink()]
    if existing and not force:
        listed = "\n  ".join(str(p) for p in existing)
        raise LibraryError(f"would overwrite {len(existing)} existing file(s) "
                           f"(use --force to replace them):\n  {listed}")
    links = [dst for dst in existing if dst.is_symlink()]
    if links:
        raise LibraryError(f"{links[0]}: is a symbolic link in the project; not written through")
    contents = [(read_bytes(tree.root, src), dst) for src, dst in pairs]  # read all, then write
    written = []
    for data, dst in contents:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
        written.append(dst)
    return written
