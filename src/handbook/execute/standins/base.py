"""What the HTTP stand-ins share: their own servers when they run alone, endpoints and trust."""

from __future__ import annotations

from pathlib import Path

from handbook.execute.standins import Endpoint, Exposure
from handbook.execute.standins.tls import SANDBOX_CA_PATH, Authority, trust_env
from handbook.execute.standins.web import Front, Listeners, Request, Response


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
