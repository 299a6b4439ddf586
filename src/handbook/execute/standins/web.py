"""The HTTP and HTTPS servers the stand-ins answer on, on 127.0.0.1.

A stand-in is a `Site`: the host names it plays and a `handle(request)` function. `Front` runs
the servers. It has one shared pair of listeners (HTTP and HTTPS) that routes every request by
its Host header, so all of a session's endpoints on port 443 (pypi.org, github.com, ...) point
at one host port, whatever stand-ins the session combines. Each site also gets a direct pair of
listeners where requests for other names (127.0.0.1, localhost) go to that site: that is how
tests and tools on the host reach a stand-in without name resolution.
"""

from __future__ import annotations

import collections
import contextlib
import email.message
import shutil
import socket
import ssl
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol

MAX_BODY = 256 * 1024**2


@dataclass
class Request:
    method: str
    scheme: str                      # "http" or "https"
    host: str                        # lower case, without the port
    authority: str                   # the Host header as sent: "pypi.org" or "127.0.0.1:40123"
    path: str                        # percent-decoded, without the query
    query: str
    headers: email.message.Message   # case-insensitive lookups: headers["Accept"]
    body: bytes = b""
    client: str = "127.0.0.1"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.authority}"

    def params(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.query))


@dataclass
class Response:
    status: int = 200
    body: bytes | Path = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str, **kw) -> Response:
        return cls(status, (text.rstrip("\n") + "\n").encode(), **kw)

    @classmethod
    def json(cls, data, status: int = 200, content_type: str = "application/json", **kw) -> Response:
        import json

        return cls(status, json.dumps(data, ensure_ascii=False, indent=1).encode(), content_type, **kw)

    @classmethod
    def file(cls, path: Path, content_type: str = "application/octet-stream") -> Response:
        return cls(200, path, content_type) if path.is_file() else cls.text(404, "Not Found")

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Response:
        return cls(status, b"", headers={"Location": location})


class Site(Protocol):
    hosts: tuple[str, ...]

    def handle(self, request: Request) -> Response | None:
        """The response, or None for 404."""


@dataclass(frozen=True)
class Listeners:
    http_port: int
    https_port: int

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"


class Front:
    """The servers of one build. `attach(site)` starts what is needed; `close()` stops all."""

    def __init__(self, authority, hosts: tuple[str, ...] = ()):
        self.authority = authority
        self.log: collections.deque = collections.deque(maxlen=2000)  # (site host, method, path, status)
        self._lock = threading.Lock()
        self._sites: list = []
        self._direct: dict[int, tuple[Listeners, list]] = {}   # id(site) -> (listeners, servers)
        self._shared: tuple[Listeners, list] | None = None
        self._cert_hosts: tuple[str, ...] = tuple(sorted(set(hosts)))
        self._context: ssl.SSLContext | None = None

    @property
    def shared(self) -> Listeners:
        with self._lock:
            if self._shared is None:
                self._shared = self._listen(None)
            return self._shared[0]

    def attach(self, site) -> Listeners:
        with self._lock:
            if id(site) in self._direct:
                return self._direct[id(site)][0]
            missing = set(site.hosts) - set(self._cert_hosts)
            if missing or self._context is None:
                self._cert_hosts = tuple(sorted(set(self._cert_hosts) | set(site.hosts)))
                context = self.authority.server_context(self._cert_hosts)
                if self._context is None:
                    self._context = context
                else:  # new handshakes use the new certificate
                    cert, key = self.authority.server_files(self._cert_hosts)
                    self._context.load_cert_chain(cert, key)
            self._sites.append(site)
            self._direct[id(site)] = self._listen(site)
            return self._direct[id(site)][0]

    def detach(self, site) -> None:
        with self._lock:
            entry = self._direct.pop(id(site), None)
            if site in self._sites:
                self._sites.remove(site)
        if entry:
            _shutdown(entry[1])

    def close(self) -> None:
        with self._lock:
            entries = list(self._direct.values()) + ([self._shared] if self._shared else [])
            self._direct.clear()
            self._sites.clear()
            self._shared = None
        _shutdown([server for _, servers in entries for server in servers])

    def route(self, host: str, default) -> object | None:
        with self._lock:
            for site in self._sites:
                if host in site.hosts:
                    return site
        return default

    def _listen(self, default_site) -> tuple[Listeners, list]:
        if self._context is None:
            self._context = self.authority.server_context(self._cert_hosts or ("localhost",))
        servers = [_Server(self, default_site, None), _Server(self, default_site, self._context)]
        for server in servers:
            threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True,
                             name=f"standin-{server.server_address[1]}").start()
        return Listeners(servers[0].server_address[1], servers[1].server_address[1]), servers


def _shutdown(servers) -> None:
    """Stop servers side by side (each waits for its accept loop to notice)."""
    threads = [threading.Thread(target=server.shutdown) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server in servers:
        server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, front: Front, default_site, context: ssl.SSLContext | None):
        self.front, self.default_site, self.context = front, default_site, context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's own thread, not in the accept loop.
        if self.context is None:
            super().finish_request(request, client_address)
            return
        try:
            request.settimeout(30)
            secure = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            with contextlib.suppress(OSError):
                request.close()
            return
        try:
            secure.settimeout(300)
            super().finish_request(secure, client_address)
        finally:
            with contextlib.suppress(OSError, ssl.SSLError):
                secure.close()

    def handle_error(self, request, client_address):
        pass  # clients that go away are normal


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "handbook-standin"
    sys_version = ""

    def do_GET(self):
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format, *args):
        pass

    def handle_one_request(self):
        with contextlib.suppress(ConnectionError, socket.timeout, ssl.SSLError):
            super().handle_one_request()

    def _dispatch(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        authority = self.headers.get("Host", "")
        host = _host_only(authority)
        site = server.front.route(host, server.default_site)
        try:
            body = self._read_body()
        except ValueError as exc:
            self._send(Response.text(400, str(exc)))
            return
        raw_path, _, query = self.path.partition("?")
        if raw_path.startswith(("http://", "https://")):  # absolute form
            raw_path = "/" + raw_path.split("/", 3)[-1] if raw_path.count("/") >= 3 else "/"
        request = Request(self.command, "https" if server.context else "http", host, authority,
                          urllib.parse.unquote(raw_path), query, self.headers, body, self.client_address[0])
        if site is None:
            response = Response.text(404, f"No stand-in answers for {host or 'this address'}.")
        else:
            try:
                response = site.handle(request) or Response.text(404, "Not Found")
            except Exception as exc:  # a bug in a stand-in: say so to the client, keep serving
                response = Response.text(500, f"stand-in error: {type(exc).__name__}: {exc}")
        server.front.log.append((host, self.command, request.path, response.status))
        self._send(response)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                total += size
                if total > MAX_BODY:
                    raise ValueError("request body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        size = response.body.stat().st_size if isinstance(response.body, Path) else len(response.body)
        if response.status not in (204, 304):
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(size))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD" or response.status in (204, 304):
            return
        if isinstance(response.body, Path):
            with response.body.open("rb") as f:
                shutil.copyfileobj(f, self.wfile, 256 * 1024)
        else:
            self.wfile.write(response.body)


def _host_only(authority: str) -> str:
    host = authority.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
