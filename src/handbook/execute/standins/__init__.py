"""Local stand-ins for the services code samples talk to (storage, package indexes, git remotes).

Each stand-in is a real server on the host's 127.0.0.1 speaking the real protocol. The sandbox
makes its endpoints reachable inside a sample's own network namespace under the names and ports
the page shows (see `Endpoint`), so `pip install --index-url https://nexus.example/...` runs as
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


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


class StandIn(Protocol):
    name: str          # the fence option value: services="pypi git"

    def start(self) -> None:
        """Start the server (idempotent); called once per build process, lazily."""

    def reset(self) -> None:
        """Return to the seeded state; called before every session that uses it."""

    def exposure(self) -> Exposure:
        """Endpoints, environment and files a session needs to reach it."""

    def stop(self) -> None:
        """Stop the server and remove its temporary files."""
