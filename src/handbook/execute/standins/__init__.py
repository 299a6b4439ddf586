"""Local stand-ins for the services code samples talk to (package indexes, CRAN, git remotes).

Each stand-in is a real server on the host's 127.0.0.1 speaking the real protocol. The sandbox
makes its endpoints reachable inside a sample's own network namespace under the names and ports
the page shows (see `Endpoint`), so `pip install --index-url https://nexus.ssb.no/...` runs as
written. The fence option `services="pypi git"` names the stand-ins a session uses:

- `pypi` (pypi.py): pypi.org and files.pythonhosted.org, the pinned wheels;
- `nexus` (nexus.py): nexus.ssb.no, the same wheels and the CRAN repository under Nexus' paths;
- `cran` (cran.py): cloud.r-project.org and cran.r-project.org, R packages from Debian;
- `git` (git.py): github.com, api.github.com and gitlab.example.org, seeded repositories.
- `dapla-lab` (daplalab.py) is no server and not in this group: a Dapla Lab service's setup
  (its region variable and the recommended ~/.gitconfig), which ssb-project checks.

All of one build's stand-ins answer on one shared HTTP and one shared HTTPS port (web.py routes
by the Host header), so a session may combine any of them: every endpoint on port 443 has the
same target port. The certificate comes from a local CA in the cache (tls.py).
`StandIns` is what a build holds: it starts each stand-in on first use, resets it before every
session that uses it and stops everything at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# The fence option value -> the class that plays it (module:Class, imported on first use).
REGISTRY = {
    "pypi": "handbook.execute.standins.pypi:PyPI",
    "nexus": "handbook.execute.standins.nexus:Nexus",
    "cran": "handbook.execute.standins.cran:CRAN",
    "git": "handbook.execute.standins.git:Git",
}


@dataclass(frozen=True)
class Endpoint:
    host: str          # what the sample connects to: "127.0.0.1" or a name such as "nexus.ssb.no"
    port: int          # the port the sample uses inside the sandbox (e.g. 443)
    target_port: int   # where the stand-in listens on the host's 127.0.0.1


@dataclass
class Exposure:
    """What a running stand-in gives one sandboxed session."""

    endpoints: list[Endpoint] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)        # variables the session gets
    files: dict[str, Path] = field(default_factory=dict)     # sandbox path -> host file, read-only
    # sandbox path -> host folder copied into a fresh writable tmpfs there (nothing goes back),
    # or host file copied to that path, writable
    copies: dict[str, Path] = field(default_factory=dict)

    def host_env(self) -> dict[str, str]:
        """The environment for a client on the host itself: sandbox paths become host files."""
        return {name: str(self.files[value]) if value in self.files else value
                for name, value in self.env.items()}


class StandIn(Protocol):
    name: str          # the fence option value: services="pypi git"
    exclusive: bool    # sessions can change it: one session at a time, reset before each

    def start(self) -> None:
        """Start the server (idempotent); called once per build process, lazily."""

    def reset(self) -> None:
        """Return to the seeded state; called before every session that uses it."""

    def exposure(self) -> Exposure:
        """Endpoints, environment and files a session needs to reach it."""

    def stop(self) -> None:
        """Stop the server and remove its temporary files."""


def standin_class(name: str) -> type:
    if name not in REGISTRY:
        raise KeyError(f"no stand-in called {name!r}; known: {', '.join(REGISTRY)}")
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def all_hosts() -> tuple[str, ...]:
    return tuple(sorted({h for name in REGISTRY for h in standin_class(name).hosts}))


class StandIns:
    """The stand-ins of one build: each started on first use, reset before every session that
    uses it (holding its lock for the session if it can change), and all stopped by stop()."""

    def __init__(self, cache_dir: Path, data_dir: Path):
        from handbook.execute.standins.tls import Authority
        from handbook.execute.standins.web import Front

        self.cache_dir, self.data_dir = Path(cache_dir), Path(data_dir)
        self.front = Front(Authority(self.cache_dir / "standins" / "ca"), all_hosts())
        self._instances: dict[str, StandIn] = {}
        self._locks = {name: threading.Lock() for name in REGISTRY}          # held by a session
        self._start_locks = {name: threading.Lock() for name in REGISTRY}    # held while starting

    def get(self, name: str) -> StandIn:
        """The running stand-in (started now if need be: the first start may take minutes)."""
        with self._start_locks[name]:
            if name not in self._instances:
                instance = standin_class(name)(self.cache_dir, self.data_dir, front=self.front)
                instance.start()
                self._instances[name] = instance
            return self._instances[name]

    @contextlib.contextmanager
    def session(self, names):
        """Hold the named stand-ins, freshly reset, and yield what the session gets of them."""
        names = sorted(set(names))
        with contextlib.ExitStack() as stack:
            merged = Exposure()
            for name in names:
                instance = self.get(name)
                if getattr(instance, "exclusive", True):  # read-only stand-ins serve sessions side by side
                    stack.enter_context(self._locks[name])
                instance.reset()
                merged = merge(merged, instance.exposure())
            yield merged

    def stop(self) -> None:
        for name in list(self._instances):
            with self._start_locks[name]:
                self._instances.pop(name).stop()
        self.front.close()


def merge(a: Exposure, b: Exposure) -> Exposure:
    endpoints = list(dict.fromkeys([*a.endpoints, *b.endpoints]))
    return Exposure(endpoints, {**a.env, **b.env}, {**a.files, **b.files}, {**a.copies, **b.copies})


def fingerprint(names, data_dir: Path) -> str:
    """Changes when what the named stand-ins serve, or how, changes: for sample cache keys."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for source in sorted(here.glob("*.py")):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    for name in sorted(set(names)):
        h.update(name.encode())
        for data in getattr(standin_class(name), "data_files", ()):
            path = Path(data_dir) / data
            h.update(path.read_bytes() if path.exists() else b"missing")
    return h.hexdigest()[:16]


class Registered:
    """One of this package's stand-ins as handbook.execute.registry lists it (`services="pypi"`).

    The registry does not make these one by one: every one of a build shares the `StandIns` that
    `group(project)` makes, so a session that combines them reaches all through one port per
    scheme. Sessions that use them get `fingerprint(names, project)` in their cache key. They
    have no markers: a block asks for them with `services=`.
    """

    name = ""
    markers: tuple[str, ...] = ()

    @staticmethod
    def group(project) -> StandIns:
        return StandIns(project.cache_dir, project.data_dir)

    @staticmethod
    def fingerprint(names, project) -> str:
        return fingerprint(names, project.data_dir)


STANDINS = [type(f"Registered{name.title()}", (Registered,), {"name": name}) for name in REGISTRY]
