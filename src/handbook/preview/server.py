"""The preview's HTTP server: the languages' folders as one site, and a reload signal.

Pages under /<lang>/ come from that language's build, everything else from the default
language's. HTML pages get a small script that waits on /__preview/changes and reloads when the
preview's version moves on. One thread per connection; nothing is cached by the browser.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from handbook.preview.session import Preview

CHANGES = "/__preview/changes"
RELOAD_SCRIPT = """<script>(function(v){function w(){fetch("%s?since="+v,{cache:"no-store"})
.then(function(r){return r.json()}).then(function(d){if(d.version>v){location.reload()}else{w()}})
.catch(function(){setTimeout(w,1000)})}w()})(%d)</script>"""


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(_Handler):
        pass

    Handler.preview = preview
    return _Server((host, port), Handler)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="preview-http")
    thread.start()
    return thread


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many browsers and tabs at once. A class attribute: listen() reads it in __init__, so setting
    # it on the made server left the backlog at 5, and connections beyond it waited for SYN retries.
    request_queue_size = 1024


class _Handler(BaseHTTPRequestHandler):
    preview: Preview
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the console is for authors' warnings
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == CHANGES:
            since = int(parse_qs(parts.query).get("since", ["0"])[0] or 0)
            self._send(HTTPStatus.OK, "application/json",
                       json.dumps({"version": self.preview.wait(since)}).encode())
            return
        folder, rel = self.preview.site_for(unquote(parts.path))
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder.resolve()):
            self._send(HTTPStatus.FORBIDDEN, "text/plain", b"outside the site")
            return
        if target.is_dir():
            if not parts.path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", parts.path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        if not target.is_file():
            missing = folder / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"not found"
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._inject(body))
            return
        body = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body, kind = self._inject(body), "text/html; charset=utf-8"
        self._send(HTTPStatus.OK, kind, body)

    def _inject(self, body: bytes) -> bytes:
        script = (RELOAD_SCRIPT % (CHANGES, self.preview.version)).encode()
        end = body.rfind(b"</body>")
        return body[:end] + script + body[end:] if end >= 0 else body + script

    def _send(self, code: int, kind: str, body: bytes) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)


def strip_reload_script(html: str) -> str:
    """The page as a full build writes it (tests compare the two)."""
    start = html.find('<script>(function(v){function w(){fetch("' + CHANGES)
    if start < 0:
        return html
    return html[:start] + html[html.find("</script>", start) + len("</script>"):]
