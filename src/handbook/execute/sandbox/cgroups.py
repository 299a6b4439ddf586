"""A control group per sandboxed session, where the build may create one.

The limits on memory and processes hold for a whole session (all its processes together) when
they come from a cgroup; otherwise the launcher sets per-process rlimits. A session's cgroup is
a child of the build's own cgroup (v1: of each controller's hierarchy; v2: only where the build's
cgroup already delegates the memory and pids controllers), named handbook-<build pid>-<n>, so a
cgroup left by a killed build is recognised and removed by the next one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("memory", "pids")
PREFIX = "handbook-"


@dataclass(frozen=True)
class CgroupRoot:
    version: int                   # 1 or 2
    parents: dict[str, Path]       # controller -> the build's own cgroup folder (v2: one folder)

    @property
    def label(self) -> str:
        return f"cgroup v{self.version} ({', '.join(CONTROLLERS)})"

    def create(self, memory_bytes: int, processes: int) -> Cgroup:
        name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        folders = {}
        try:
            if self.version == 1:
                for controller, parent in self.parents.items():
                    folders[controller] = parent / name
                    folders[controller].mkdir()
                _write(folders["memory"] / "memory.limit_in_bytes", memory_bytes)
                with contextlib.suppress(OSError):  # only with swap accounting
                    _write(folders["memory"] / "memory.memsw.limit_in_bytes", memory_bytes)
                _write(folders["pids"] / "pids.max", processes)
            else:
                folder = self.parents["unified"] / name
                folder.mkdir()
                folders = {"unified": folder}
                _write(folder / "memory.max", memory_bytes)
                with contextlib.suppress(OSError):
                    _write(folder / "memory.swap.max", 0)
                _write(folder / "pids.max", processes)
        except OSError:
            Cgroup(self.version, folders).remove()
            raise
        return Cgroup(self.version, folders)


@dataclass
class Cgroup:
    version: int
    folders: dict[str, Path]

    @property
    def procs_files(self) -> list[Path]:
        return [folder / "cgroup.procs" for folder in self.folders.values()]

    def wrap(self, argv: list[str]) -> list[str]:
        """argv started inside this cgroup: a shell adds itself, then execs argv."""
        files = [str(p) for p in self.procs_files]
        script = ('n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; '
                  'n=$((n-1)); done; exec "$@"')
        return ["/bin/sh", "-c", script, "sh", str(len(files)), *files, *argv]

    def limit_hits(self) -> list[str]:
        """Which limits the session ran into: "memory", "processes"."""
        hits = []
        if self.version == 1:
            if _field(self.folders["memory"] / "memory.oom_control", "oom_kill") > 0:
                hits.append("memory")
            if _field(self.folders["pids"] / "pids.events", "max") > 0:
                hits.append("processes")
        else:
            folder = self.folders["unified"]
            if _field(folder / "memory.events", "oom_kill") > 0:
                hits.append("memory")
            if _field(folder / "pids.events", "max") > 0:
                hits.append("processes")
        return hits

    def pids(self) -> set[int]:
        found = set()
        for path in self.procs_files:
            with contextlib.suppress(OSError, ValueError):
                found.update(int(x) for x in path.read_text().split())
        return found

    def remove(self, wait: float = 5.0) -> None:
        """Wait for the session's processes to be gone (kill stragglers), then remove the cgroup."""
        deadline = time.monotonic() + wait
        while (left := self.pids()) and time.monotonic() < deadline:
            time.sleep(0.01)
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for folder in self.folders.values():
            for _ in range(200):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


def detect() -> CgroupRoot | None:
    """The build's own cgroups where it may create children with memory and pids limits, or None."""
    own = _own_cgroups()
    mounts = _mounts()
    root = None
    if all(c in mounts for c in CONTROLLERS) and all(c in own for c in CONTROLLERS):
        root = CgroupRoot(1, {c: _inside(mounts[c], own[c]) for c in CONTROLLERS})
    elif "unified" in mounts and "" in own:
        folder = _inside(mounts["unified"], own[""])
        try:
            delegated = (folder / "cgroup.subtree_control").read_text().split()
        except OSError:
            delegated = []
        if all(c in delegated for c in CONTROLLERS):
            root = CgroupRoot(2, {"unified": folder})
    if root is None:
        return None
    try:
        reap_stale(root)
        root.create(64 * 1024 * 1024, 8).remove()
    except OSError:
        return None
    return root


def reap_stale(root: CgroupRoot) -> None:
    """Remove the session cgroups of builds that are no longer running."""
    for parent in root.parents.values():
        with contextlib.suppress(OSError):
            for folder in parent.glob(f"{PREFIX}*"):
                owner = folder.name[len(PREFIX):].split("-")[0]
                if owner.isdigit() and not process_alive(int(owner)):
                    Cgroup(root.version, {"x": folder}).remove(wait=0.5)


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _own_cgroups() -> dict[str, str]:
    """controller -> path of this process's cgroup ("" for the v2 hierarchy)."""
    own = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                own[controller] = path
    return own


def _inside(mount: tuple[Path, str], own: str) -> Path:
    """The folder of cgroup `own` under a mount of (mount point, root of the mount)."""
    point, root = mount
    if root != "/" and (own == root or own.startswith(root.rstrip("/") + "/")):
        own = own[len(root):]
    return point / own.lstrip("/")


def _mounts() -> dict[str, tuple[Path, str]]:
    """controller -> (mount point, root) of its v1 hierarchy; "unified" -> the v2 mount."""
    found: dict[str, tuple[Path, str]] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fstype, _source, options = ([*right.split(), "", "", ""])[:3]
            fields = left.split()
            mount = (Path(fields[4]), fields[3])
            if fstype == "cgroup":
                for option in options.split(","):
                    if option in CONTROLLERS:
                        found.setdefault(option, mount)
            elif fstype == "cgroup2":
                found.setdefault("unified", mount)
    return found


def _write(path: Path, value: int) -> None:
    path.write_text(str(value))


def _field(path: Path, name: str) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == name:
                return int(value)
    return 0
