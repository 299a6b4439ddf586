"""`handbook serve`: live preview of every language, after checking that the port is free.

The preview (handbook.preview) builds every language once, then renders only the pages an edit
touches; `--mkdocs` uses `mkdocs serve` instead.

A taken port used to fail only after a whole build, with a traceback; now it fails at once and
says which process holds the port.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
import time
from pathlib import Path

from handbook.build import mkdocs_env
from handbook.preview.server import make_server, serve_in_thread
from handbook.preview.session import Preview
from handbook.preview.watch import Watcher
from handbook.project import Project, ProjectError


def port_holder(port: int) -> str | None:
    """"pid 1234 (python -m http.server)" for the process listening on the TCP port, if any."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{inode}]")
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in fds):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                return f"pid {pid} ({cmdline.strip()[:120]})"
        except OSError:
            continue
    return None


def check_port(host: str, port: int) -> str | None:
    """None when host:port can be bound, else a message that names the holder if it can."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return f"cannot listen on {host}:{port}: {exc.strerror}"
            holder = port_holder(port)
            who = f" by {holder}" if holder else ""
            return (f"port {port} on {host} is already taken{who}. Stop it, or pick another port: "
                    f"make serve PORT=8001")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook serve", description=__doc__)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--mkdocs", action="store_true",
                        help="use `mkdocs serve` (rebuilds everything on each change) instead")
    args = parser.parse_args(argv)
    try:
        project = Project.load(args.config_file)
    except ProjectError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    problem = check_port(args.host, args.port)
    if problem:
        print(f"serve: {problem}", file=sys.stderr)
        return 1
    if args.mkdocs:
        cmd = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-f", str(project.config_file),
               "-a", f"{args.host}:{args.port}"]
        os.chdir(project.root)
        os.execve(sys.executable, cmd, mkdocs_env())
    return run_preview(project, args.host, args.port)


def run_preview(project: Project, host: str, port: int) -> int:
    os.environ.update(mkdocs_env())
    _quiet_logging()
    preview = Preview(project, log=lambda message: print(message, file=sys.stderr, flush=True))
    print("preview: building every language once ...", file=sys.stderr, flush=True)
    if not preview.full():
        return 1
    server = make_server(preview, host, port)
    serve_in_thread(server)
    watcher = Watcher(project, lambda paths: _apply(preview, paths))
    watcher.start()
    print(f"preview: http://{host}:{port}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        watcher.stop()
        server.shutdown()


def _apply(preview, paths: list[Path]) -> None:
    what = preview.apply(paths)
    pages = what.get("pages")
    done = f"{len(pages)} page(s)" if pages is not None else "every language"
    print(f"preview: {done} in {what.get('seconds', 0):.2f} s", file=sys.stderr, flush=True)


def _quiet_logging() -> None:
    """Warnings from MkDocs and our hooks on the console, as `mkdocs serve` shows them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
