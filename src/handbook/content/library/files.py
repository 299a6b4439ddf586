"""Files of a rendered library: resource zips, the generated folder, and downloads.

`write_tree` makes a generated folder under docs/ hold exactly the rendered files, touching
only what changed (so `mkdocs serve` settles) and refusing a folder it did not create (so a
misconfigured `url_prefix` never deletes an author's pages). `zip_resource` packs a resource
reproducibly; `write_downloads` puts the committed bytes of library notebooks into the built
site after MkDocs has written it (a `.ipynb` in docs/ would become a page).
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path, PurePosixPath

from handbook.content.library.model import LibraryError, Resource
from handbook.content.library.tree import read_bytes

MARKER = "# Generated from the knowledge library by hooks/library.py."  # as committed for ours
GITIGNORE = f"{MARKER}\n*\n!.gitignore\n"
OLD_MARKERS = ("# Generated from a knowledge library by handbook.content.library.",)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so an unchanged resource gives a byte-identical zip


def zip_resource(root: Path, resource: Resource) -> bytes:
    """The resource folder as a zip with entries under `<Name>/`, reproducible byte for byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in resource.files:
            inner = PurePosixPath(resource.name) / rel.relative_to(resource.rel)
            info = zipfile.ZipInfo(str(inner), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, read_bytes(root, rel))
    return buffer.getvalue()


def generated_folder(target: Path) -> bool:
    """True if `target` is missing, empty, or a folder this module generated."""
    if target.is_symlink():
        return False
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    marker = target / ".gitignore"
    if marker.is_file():
        first = marker.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
        return first in (MARKER, *OLD_MARKERS)
    return not any(target.iterdir())


def write_tree(outputs: dict[PurePosixPath, bytes], target: Path) -> int:
    """Make `target` hold exactly `outputs` (plus a .gitignore); write only changed files.
    Returns the number of files written or removed."""
    if not generated_folder(target):
        raise LibraryError(f"{target}: exists and was not generated from a library (no "
                           f"'{MARKER}' .gitignore); choose another url_prefix or remove it")
    target.mkdir(parents=True, exist_ok=True)
    changed = 0
    gitignore = target / ".gitignore"
    if not gitignore.is_file():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
    wanted = {target / str(rel) for rel in outputs}
    for path in sorted(target.rglob("*"), reverse=True):
        if path.name.startswith("."):
            continue  # .gitignore, and another build's half-written .x.tmp
        if (path.is_file() or path.is_symlink()) and path not in wanted:
            path.unlink(missing_ok=True)
            changed += 1
        elif path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            with contextlib.suppress(OSError):  # another build may be filling it right now
                path.rmdir()
    for rel, data in outputs.items():
        path = target / str(rel)
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic, since other builds may read the tree at the same time
        changed += 1
    return changed


def write_downloads(root: Path, downloads: dict[PurePosixPath, PurePosixPath], target: Path) -> int:
    """Copy library files (`site path -> library path`) byte for byte under `target`."""
    written = 0
    for out, rel in downloads.items():
        path = target / str(out)
        data = read_bytes(root, rel)
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    return written
