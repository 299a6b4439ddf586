"""What the HTTP stand-ins share: their own servers when they run alone, endpoints and trust."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from handbook.execute.standins import Endpoint, Exposure
from handbook.execute.standins.tls import SANDBOX_CA_PATH, Authority, trust_env
from handbook.execute.standins.web import Front, Listeners, Request, Response

UNUSED_SECONDS = 7 * 24 * 3600   # a built folder no build used for a week is removed


def built_once(target: Path, build: Callable[[Path], str], siblings: str = "*") -> Path:
    """`target`, made on first use by `build(partial)`, which fills the folder and returns the text
    of its `.complete` marker. A use touches the marker; folders next to it (matching `siblings`)
    that no build used for UNUSED_SECONDS are removed, never sooner: a cache shared by several
    checkouts (or test runs) may have builds serving them at this very moment."""
    if (target / ".complete").exists():
        os.utime(target / ".complete")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".complete").exists():
            return target
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        (partial / ".complete").write_text(build(partial))
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        for old in target.parent.glob(siblings):
            stamp = old / ".complete"
            if old != target and stamp.exists() and time.time() - stamp.stat().st_mtime > UNUSED_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
    return target


class StandInError(Exception):
    """A stand-in cannot be set up here; the message says what is missing."""


class HttpStandIn:
    """A stand-in served by a `Front`: the build's shared one, or its own when given none."""

    name: str = ""
    hosts: tuple[str, ...] = ()
    exclusive = False   # read-only: any number of sessions at once, nothing to reset

    def __init__(self, cache_dir: Path, data_dir: Path, front: Front | None = None):
        self.cache_dir = Path(cache_dir)
        self.data_dir = Path(data_dir)
        self._own_front = front is None
        self.front = front or Front(Authority(self.cache_dir / "standins" / "ca"), self.hosts)
        self.listeners: Listeners | None = None

    # ---- the StandIn protocol ----------------------------------------------------------------

    def start(self) -> None:
        if self.listeners is None:
            self.prepare()
            self.listeners = self.front.attach(self)

    def reset(self) -> None:
        """Read-only stand-ins have nothing to reset."""

    def exposure(self) -> Exposure:
        self.start()
        shared = self.front.shared
        endpoints = []
        for host in self.hosts:
            endpoints += [Endpoint(host, 443, shared.https_port), Endpoint(host, 80, shared.http_port)]
        return Exposure(endpoints, {**trust_env(), **self.env()},
                        {SANDBOX_CA_PATH: self.front.authority.ca_file})

    def stop(self) -> None:
        if self.listeners is not None:
            self.front.detach(self)
            self.listeners = None
        if self._own_front:
            self.front.close()

    # ---- for subclasses ----------------------------------------------------------------------

    def prepare(self) -> None:
        """Build or load what the stand-in serves (cached on disk); called once by start()."""

    def env(self) -> dict[str, str]:
        return {}

    def handle(self, request: Request) -> Response | None:
        raise NotImplementedError

    # ---- for tests and tools on the host -------------------------------------------------------

    @property
    def url(self) -> str:
        """https://127.0.0.1:<port>: this stand-in, whatever name a client asks for."""
        self.start()
        return self.listeners.https_url

    @property
    def http_url(self) -> str:
        self.start()
        return self.listeners.http_url

    @property
    def ca_file(self) -> Path:
        return self.front.authority.ca_file
