"""Walking and reading an untrusted library folder.

A library is written by many people across an agency, so its folder is untrusted input: a
committed symlink can point at `/proc/self/environ`, `~/.ssh` or the handbook's own `.git`, and
two links can point at each other. Nothing here follows a symlink: `scan` lists regular files
and folders without following links and refuses every symlink, device, socket or pipe with a
message naming it; `read_bytes` opens a file only if it is still a regular file inside the
root (O_NOFOLLOW, checked again after opening). Loops cannot hang a walk that never follows a
link. Hidden names (`.git`, `.DS_Store`, ...) are skipped silently, as BALSAM's file listing
and git itself do not show them.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from handbook.content.library.model import WARNING, LibraryError, Problem

SKIP_NAMES = {"__pycache__", ".ipynb_checkpoints"}
MAX_DEPTH = 32
MAX_FILE_BYTES = 50 * 1024 * 1024  # a library keeps no large files; refuse what cannot be one


@dataclass
class Tree:
    root: Path
    files: dict[PurePosixPath, int] = field(default_factory=dict)   # rel -> size in bytes
    folders: set[PurePosixPath] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def children(self, folder: PurePosixPath) -> tuple[list[PurePosixPath], list[PurePosixPath]]:
        """(subfolders, files) directly in `folder`, sorted the way BALSAM sorts names."""
        subs = sorted((f for f in self.folders if f.parent == folder and f != folder), key=sort_key)
        files = sorted((f for f in self.files if f.parent == folder), key=sort_key)
        return subs, files

    def files_under(self, folder: PurePosixPath) -> list[PurePosixPath]:
        return sorted((f for f in self.files if folder in f.parents), key=sort_key)


def sort_key(rel: PurePosixPath) -> tuple:
    return tuple(unicodedata.normalize("NFC", part).casefold() for part in rel.parts)


def bad_name(name: str) -> str | None:
    """Why a file or folder name cannot be published or copied safely, or None."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "its name contains a control character (a line break, tab or the like)"
    if "\\" in name:
        return "its name contains a backslash, which other systems read as a folder separator"
    if name.strip(" .") == "":
        return "its name is only dots or spaces"
    return None


def scan(root: Path | str) -> Tree:
    """Every regular file and folder under `root`, without following any link."""
    root = Path(root)
    if not root.is_dir():
        raise LibraryError(f"{root}: knowledge library folder not found")
    tree = Tree(root.resolve())
    tree.folders.add(PurePosixPath("."))
    _scan(tree, tree.root, PurePosixPath("."), 0)
    return tree


def _scan(tree: Tree, folder: Path, rel: PurePosixPath, depth: int) -> None:
    if depth > MAX_DEPTH:
        tree.problems.append(Problem(rel, f"refused: folders nested deeper than {MAX_DEPTH} levels"))
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        tree.problems.append(Problem(rel, f"cannot be read: {exc.strerror}"))
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name in SKIP_NAMES:
            continue
        child = rel / name if rel != PurePosixPath(".") else PurePosixPath(name)
        reason = bad_name(name)
        if reason:
            tree.problems.append(Problem(child, f"refused: {reason}"))
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            tree.problems.append(Problem(child, f"cannot be read: {exc.strerror}"))
            continue
        if stat.S_ISLNK(info.st_mode):
            tree.problems.append(Problem(child, f"refused: a symbolic link ({_target(entry.path)}); "
                                         "a library holds only regular files and folders"))
        elif stat.S_ISDIR(info.st_mode):
            tree.folders.add(child)
            _scan(tree, Path(entry.path), child, depth + 1)
        elif stat.S_ISREG(info.st_mode):
            if info.st_size > MAX_FILE_BYTES:
                tree.problems.append(Problem(child, f"refused: {info.st_size // 1048576} MB; a library "
                                             "keeps no large files (link to them instead)"))
                continue
            tree.files[child] = info.st_size
        else:
            tree.problems.append(Problem(child, "refused: not a regular file (a device, socket "
                                         "or pipe)"))


def _target(path: str) -> str:
    try:
        return "-> " + os.readlink(path)
    except OSError:
        return "unreadable link"


def read_bytes(root: Path, rel: PurePosixPath) -> bytes:
    """The bytes of a regular file inside `root`; LibraryError for anything else."""
    path = Path(root) / str(rel)
    real_root = os.path.realpath(root)
    if os.path.commonpath([os.path.realpath(path), real_root]) != real_root:
        raise LibraryError(f"{rel}: refused: resolves outside the library folder")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise LibraryError(f"{rel}: cannot be read: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise LibraryError(f"{rel}: refused: not a regular file")
        return f.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]


def read_text(root: Path, rel: PurePosixPath, problems: list[Problem] | None = None) -> str:
    """UTF-8 text (BOM dropped, line ends made `\\n`); undecodable bytes are replaced and reported."""
    data = read_bytes(root, rel)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", errors="replace")
        if problems is not None:
            problems.append(Problem(rel, "not valid UTF-8; undecodable bytes are shown as \ufffd",
                                    level=WARNING))
    return text.replace("\r\n", "\n").replace("\r", "\n")
