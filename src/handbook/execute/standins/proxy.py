"""An HTTP proxy on 127.0.0.1 that reaches the stand-ins' endpoints by name, and nothing else.

`EndpointProxy(exposure.endpoints)` forwards `CONNECT pypi.org:443` (and plain requests for
`http://pypi.org/...`) to the endpoint's target port on the host's 127.0.0.1, so a client
with `https_proxy`/`http_proxy` set to `proxy.url` reaches https://pypi.org/ as written,
verifying the stand-in's certificate for that name, without name resolution or privileged ports.
Every other destination is refused (403). Tests use it to run commands exactly as the pages
show them; a session that cannot have its own network namespace could use it the same way.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import threading

from handbook.execute.standins import Endpoint


class EndpointProxy:
    def __init__(self, endpoints: list[Endpoint]):
        self.routes = {(e.host.lower(), e.port): e.target_port for e in endpoints}
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="standin-proxy")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        """Proxy variables for a client (lower and upper case: tools read one or the other)."""
        env = {}
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env[name] = self.url
        env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost,::1"
        return env

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> EndpointProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, proxy: EndpointProxy):
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):
        pass


class _Handler(socketserver.StreamRequestHandler):
    rbufsize = 0  # unbuffered: after the headers, the rest of the stream goes to the upstream as is

    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1")
        parts = line.split()
        if len(parts) != 3:
            return
        method, target, version = parts
        headers = []
        while True:
            header = self.rfile.readline(8192)
            if header in (b"\r\n", b"\n", b""):
                break
            headers.append(header)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            first = b""
        elif target.startswith("http://"):
            authority, _, path = target[len("http://"):].partition("/")
            host, _, port = authority.partition(":")
            port = port or "80"
            first = f"{method} /{path} {version}\r\n".encode() + b"".join(headers) + b"\r\n"
        else:
            return self._refuse("only CONNECT and absolute http:// requests")
        routes = self.server.proxy.routes
        target_port = routes.get((host.strip("[]").lower(), int(port) if port.isdigit() else -1))
        if target_port is None:
            return self._refuse(f"{host}:{port} is not a stand-in")
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=30)
        with upstream:
            if method == "CONNECT":
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()
            else:
                upstream.sendall(first)
            _pipe(self.connection, upstream)

    def _refuse(self, why: str) -> None:
        body = f"Refused by the stand-in proxy: {why}\n".encode()
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def _pipe(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    with contextlib.suppress(OSError):
        while True:
            ready, _, _ = select.select(sockets, [], [], 300)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
