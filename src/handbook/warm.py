"""Warm `mkdocs build` processes for test suites: the imports once, a fresh fork per build.

A `python -m mkdocs build` of a project with mkdocs-jupyter spends about 4 s of CPU importing
(nbconvert, jupyter, Material, pymdown) before it reads a page; a test suite that builds twenty
small fixture sites pays that twenty times. `WarmBuilds` starts one server process that imports
those third-party libraries (never the project's own code, which reads its environment) and then
forks a child per build. The child is a copy of a process that has imported but not run
anything, so builds do not share state: each gets its own environment, working directory,
session and process group, runs MkDocs' command line exactly as `python -m mkdocs` does, runs the
exit handlers a normal exit runs, and everything left in its process group is killed afterwards,
as handbook.build.run_mkdocs does. `run_mkdocs` here has that function's signature and result.

The project's own modules (`handbook.*`) are never preloaded and are dropped in the child before
the build, so they are imported fresh with the build's environment (some read it at import).
Where forking would not be safe (the server found threads or a library known to start them, or
the platform has no fork), `run_mkdocs` falls back to a fresh interpreter. `install(build)` makes
handbook.build.run_mkdocs use it (the test suite's `-p warm_builds` plugin does that).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PRELOAD = ("mkdocs.__main__", "mkdocs.commands.build", "mkdocs.structure.pages", "jinja2",
           "markdown", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tabbed",
           "pymdownx.details", "pymdownx.snippets", "pymdownx.tasklist", "pymdownx.slugs",
           "pygments", "yaml", "material.plugins.search.plugin", "mkdocs_static_i18n.plugin",
           "mkdocs_jupyter.plugin", "mkdocs_redirects.plugin")
# Libraries that start threads when imported (OpenBLAS pools): a fork would lose them.
UNSAFE = ("numpy", "torch", "zmq.green")
BUILD_ENV = {"DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


class WarmBuilds:
    """A server process; `build()` runs one MkDocs command line in a fork of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self.safe = False

    def start(self) -> bool:
        if self._proc is None and hasattr(os, "fork"):
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "handbook.warm"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True, env={**os.environ, **BUILD_ENV})
            for line in self._proc.stdout:   # anything an import printed comes first
                with contextlib.suppress(ValueError):
                    hello = json.loads(line)
                    if isinstance(hello, dict) and "safe" in hello:
                        self.safe = bool(hello["safe"])
                        break
        return self.safe

    def build(self, args: list[str], cwd: Path, env: dict) -> tuple[int, str]:
        with self._lock:
            if not self.start():
                raise RuntimeError("no warm build server")
            self._proc.stdin.write(json.dumps({"args": args, "cwd": str(cwd), "env": env}) + "\n")
            self._proc.stdin.flush()
            answer = json.loads(self._proc.stdout.readline())
        return answer["returncode"], answer["output"]

    def close(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
            self._proc.wait(timeout=30)
            self._proc.stdout.close()
            self._proc = None


_builds = WarmBuilds()
_cold: dict = {}


def install(build_module) -> None:
    """Route build_module.run_mkdocs (handbook.build) through warm forks."""
    if "run_mkdocs" not in _cold:
        _cold["run_mkdocs"] = build_module.run_mkdocs
        _cold["env"] = build_module.mkdocs_env
        build_module.run_mkdocs = run_mkdocs


def close() -> None:
    _builds.close()


def run_mkdocs(config_file: Path | str, site_dir: Path | str, *, strict: bool = True,
               env: dict | None = None, cwd: Path | str | None = None,
               capture: bool = True) -> subprocess.CompletedProcess:
    """handbook.build.run_mkdocs in a warm fork (stdout and stderr merged into .stdout)."""
    if "run_mkdocs" not in _cold:
        from handbook import build

        _cold["run_mkdocs"], _cold["env"] = build.run_mkdocs, build.mkdocs_env
    args = ["build", "-f", str(config_file), "-d", str(site_dir)] + (["--strict"] if strict else [])
    if not capture or not _builds.start():
        return _cold["run_mkdocs"](config_file, site_dir, strict=strict, env=env, cwd=cwd,
                                   capture=capture)
    code, output = _builds.build(args, Path(cwd or Path(config_file).resolve().parent),
                                 _cold["env"](env))
    cmd = [sys.executable, "-m", "mkdocs", *args]
    return subprocess.CompletedProcess(cmd, code, output, None)


# ---- the server (python -m handbook.warm) ---------------------------------------------------

def serve() -> None:
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    safe = threading.active_count() == 1 and not any(m in sys.modules for m in UNSAFE)
    out = sys.stdout
    out.write(json.dumps({"safe": safe}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        code, output = _fork_build(request["args"], request["cwd"], request["env"])
        out.write(json.dumps({"returncode": code, "output": output}) + "\n")
        out.flush()


def _fork_build(args: list[str], cwd: str, env: dict) -> tuple[int, str]:
    with tempfile.TemporaryFile(mode="w+b") as log:
        pid = os.fork()
        if pid == 0:   # the child: never returns
            _child(args, cwd, env, log.fileno())
        _, status = os.waitpid(pid, 0)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)   # whatever the build left running
        log.seek(0)
        return os.waitstatus_to_exitcode(status), log.read().decode("utf-8", "replace")


def _child(args: list[str], cwd: str, env: dict, log_fd: int) -> None:
    code = 1
    try:
        os.setsid()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        for name in [m for m in sys.modules if m == "handbook" or m.startswith("handbook.")]:
            del sys.modules[name]   # the project's code, imported fresh with this environment
        sys.argv = [str(Path(sys.executable).parent / "mkdocs"), *args]
        from mkdocs.__main__ import cli

        try:
            cli.main(args=args, prog_name="mkdocs", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        threading._shutdown()   # join worker threads, as interpreter exit does
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve()
