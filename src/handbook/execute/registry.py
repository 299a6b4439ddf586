"""Which stand-ins exist, which ones a piece of code uses, and the running ones of a build.

A stand-in is registered by listing its class in a module-level `STANDINS` list, in
handbook/execute/services.py or in any module of the handbook.execute.standins package. The class
has a `name` (what `services="..."` says), optional `markers` (strings whose presence in the code
means it is used, e.g. "gs://"), is made as `cls(project, workdir)` (workdir: an empty folder of
its own, removed after the build) and implements handbook.execute.standins.StandIn.

A class may instead belong to a *group* of stand-ins that share their servers (the package
indexes, CRAN and git remotes share one HTTPS port): it then has `group(project)`, which makes
the group once per build (an object with `session(names)` yielding one Exposure, and `stop()`),
and `fingerprint(names, project)`, which goes into the cache key of the sessions that use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import pkgutil
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from handbook.execute import services, standins
from handbook.execute.standins import Exposure
from handbook.execute.standins.base import StandInError

NONE = "none"  # services="none": this code uses no stand-in, whatever it mentions


class UnknownStandIn(ValueError):
    """services="..." names a stand-in that does not exist."""


class StandInUnavailable(RuntimeError):
    """A stand-in a session needs cannot be set up on this machine; the message says why."""


@dataclass(frozen=True)
class Registration:
    name: str
    factory: type
    markers: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()   # its module and the module's SEED_MODULES (in every cache key)
    group: Callable | None = None    # (project) -> the group's shared object, made once a build
    fingerprint: Callable | None = None   # (names, project) -> str, in the key of sessions using it


def registrations() -> dict[str, Registration]:
    """Every stand-in by name."""
    found: dict[str, Registration] = {}
    modules = [services, standins]
    for info in pkgutil.iter_modules(standins.__path__, prefix=f"{standins.__name__}."):
        modules.append(importlib.import_module(info.name))
    for module in modules:
        for cls in getattr(module, "STANDINS", []):
            group = getattr(cls, "group", None)
            sources = () if group else tuple(Path(m.__file__) for m in
                                             [module, *getattr(module, "SEED_MODULES", [])])
            found[cls.name] = Registration(cls.name, cls, tuple(getattr(cls, "markers", ())),
                                           sources, group, getattr(cls, "fingerprint", None))
    return found


def used(code: str, declared: str | None, known: dict[str, Registration]) -> tuple[str, ...]:
    """The stand-ins `code` uses: those declared (services="gcs s3"), else those its markers show."""
    if declared:
        names = declared.replace(",", " ").split()
        unknown = [n for n in names if n not in known and n != NONE]
        if unknown:
            raise UnknownStandIn(f"services=: unknown stand-in {', '.join(unknown)} "
                                 f"(known: {', '.join(sorted(known))}, or {NONE})")
        return tuple(sorted(n for n in set(names) if n != NONE))
    return tuple(sorted(name for name, reg in known.items() if any(m in code for m in reg.markers)))


def fingerprint(known: dict[str, Registration]) -> str:
    """Changes when a stand-in's code or seed changes (those not in a group: see `uses`)."""
    h = hashlib.sha256()
    for path in sorted({path for reg in known.values() for path in reg.sources}):
        h.update(path.read_bytes())
    return h.hexdigest()


def uses(names: tuple[str, ...], known: dict[str, Registration], project) -> str:
    """For the cache key of a session using `names`: what the grouped stand-ins among them serve."""
    by_group: dict[Callable, list[str]] = {}
    for name in sorted(names):
        reg = known[name]
        if reg.fingerprint is not None:
            by_group.setdefault(reg.fingerprint, []).append(name)
    return ";".join(f"{','.join(members)}:{fp(members, project)}" for fp, members in by_group.items())


class RunningStandIns:
    """The stand-ins one build has started: started on first use, stopped by close()."""

    def __init__(self, project, known: dict[str, Registration]):
        self.project = project
        self.known = known
        self.workdir: Path | None = None
        self.running: dict[str, object] = {}
        self.groups: dict[Callable, object] = {}
        self.locks = {name: threading.Lock() for name in known}
        self.start_lock = threading.Lock()

    @contextlib.contextmanager
    def session(self, names: tuple[str, ...]) -> Iterator[list[Exposure]]:
        """Hold the named stand-ins, reset to their seed, and yield what a session gets of them.
        StandInUnavailable when one cannot be set up here. Locks are always taken in one order
        (single stand-ins by name, then each group's by name), so sessions never deadlock."""
        with contextlib.ExitStack() as stack:
            exposures, grouped = [], {}
            for name in sorted(names):
                if (make := self.known[name].group) is not None:
                    grouped.setdefault(make, []).append(name)
                    continue
                stack.enter_context(self.locks[name])
                standin = self._started(name)
                standin.reset()
                exposures.append(standin.exposure())
            for make, members in grouped.items():
                try:
                    exposures.append(stack.enter_context(self._group(make).session(members)))
                except (StandInError, OSError) as exc:   # no R or apt here, a download failed, ...
                    raise StandInUnavailable(f"stand-in {', '.join(members)}: {exc}") from exc
            yield exposures

    def _group(self, make: Callable):
        with self.start_lock:
            if make not in self.groups:
                self.groups[make] = make(self.project)
            return self.groups[make]

    def _started(self, name: str):
        with self.start_lock:
            if name not in self.running:
                if self.workdir is None:
                    self.workdir = Path(tempfile.mkdtemp(prefix=f"handbook-standins-{os.getpid()}-"))
                folder = self.workdir / name
                folder.mkdir(exist_ok=True)   # a start that failed before left it
                standin = self.known[name].factory(self.project, folder)
                standin.start()
                self.running[name] = standin
            return self.running[name]

    def close(self) -> None:
        for standin in [*self.running.values(), *self.groups.values()]:
            with contextlib.suppress(Exception):  # one failing stop must not keep the others running
                standin.stop()
        self.running.clear()
        self.groups.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
