"""Whether and how this machine can isolate code samples: bubblewrap, cgroups, or nothing.

`Isolation.detect(unsafe=False)` looks once per build. Without bubblewrap or user namespaces the
result is *unavailable*, with a message that says how to fix it; executing anything then fails
unless the build was started with `--unsafe-no-sandbox` (HANDBOOK_UNSAFE_NO_SANDBOX=1), which
runs samples as plain subprocesses with a clean environment and rlimits only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from handbook.execute.sandbox import cgroups

UNSAFE_ENV = "HANDBOOK_UNSAFE_NO_SANDBOX"
HOW_TO_FIX = (
    "Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) and allow unprivileged "
    "user namespaces (Ubuntu 24.04: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0; "
    "in a container: run it with --security-opt seccomp=unconfined or --privileged). "
    f"On your own machine only, {UNSAFE_ENV}=1 (or --unsafe-no-sandbox) runs samples without it.")


class SandboxUnavailable(RuntimeError):
    """Samples must run but cannot be isolated here; the message says how to fix it."""


@dataclass(frozen=True)
class Isolation:
    kind: str                              # "bubblewrap" | "none" | "unavailable"
    bwrap: str | None = None
    cgroup_root: cgroups.CgroupRoot | None = None
    problem: str = ""                      # why samples cannot run here (kind == "unavailable")
    toolchain: tuple[Path, ...] = field(default_factory=tuple)

    @classmethod
    def detect(cls, unsafe: bool = False) -> Isolation:
        unsafe = unsafe or os.environ.get(UNSAFE_ENV) == "1"
        root = cgroups.detect()
        if unsafe:
            return cls("none", cgroup_root=root)
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            return cls("unavailable", problem=f"bubblewrap (bwrap) is not installed. {HOW_TO_FIX}")
        if shutil.which("unshare") is None:
            return cls("unavailable", problem=f"unshare (util-linux) is not installed. {HOW_TO_FIX}")
        launcher = [os.path.abspath(sys.executable), "-I", "-S", str(Path(__file__).parent / "launcher.py")]
        probe = subprocess.run(["unshare", "--user", "--map-root-user", "--net", "--", *launcher, "--network",
                                "--", bwrap, "--unshare-user", "--unshare-pid", "--disable-userns",
                                "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
                                "--dev", "/dev", "true"],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            reason = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1]
            return cls("unavailable", bwrap=bwrap,
                       problem=f"bubblewrap cannot create a sandbox here ({reason}). {HOW_TO_FIX}")
        return cls("bubblewrap", bwrap=bwrap, cgroup_root=root, toolchain=toolchain())

    @property
    def available(self) -> bool:
        return self.kind != "unavailable"

    @property
    def limits_by(self) -> str:
        if self.cgroup_root is not None:
            return self.cgroup_root.label + "; CPU time and file size by rlimits"
        return "rlimits (per process: memory as address space, processes per user)"

    def describe(self) -> dict:
        return {"kind": self.kind, "limits": self.limits_by if self.available else "",
                "problem": self.problem}

    def require(self) -> None:
        if not self.available:
            raise SandboxUnavailable(f"code samples cannot run: {self.problem}")


def toolchain() -> tuple[Path, ...]:
    """Folders outside /usr a sample needs to read: this Python environment and its base."""
    found: list[Path] = []
    python = Path(sys.executable).resolve().parents[1]
    for candidate in (Path(os.path.abspath(sys.prefix)), Path(sys.base_prefix), python, _r_home()):
        if candidate is None:
            continue
        candidate = candidate.resolve()
        if _under(candidate, Path("/usr")) or any(_under(candidate, f) for f in found):
            continue
        found = [f for f in found if not _under(f, candidate)] + [candidate]
    return tuple(found)


def _r_home() -> Path | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    home = Path(rscript).resolve().parents[1]
    return home if (home / "lib").is_dir() else None


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
