"""Run one job in a sandbox: prepare it, start it, watch it (watch.py), clean up after it.

Whatever happens (a failure, a timeout, an interrupted build), `run` kills the sandbox, waits
for its cgroup to empty, stops the stand-in relays and removes its temporary folder before it
returns. A build killed outright leaves folders named handbook-sandbox-<pid>-*; the next build
removes them (reap_stale_temp).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from handbook.execute.limits import MB, Limits
from handbook.execute.sandbox import bwrap
from handbook.execute.sandbox.isolation import Isolation
from handbook.execute.sandbox.launcher import Relay
from handbook.execute.sandbox.watch import RawResult, Watch
from handbook.execute.standins import Exposure

HERE = Path(__file__).resolve().parent
TEMP_PREFIX = "handbook-sandbox-"
STALE_PREFIXES = (TEMP_PREFIX, "handbook-standins-")   # <prefix><pid>-...: removed once <pid> is gone
DRIVERS = {"python": "driver.py", "bash": "driver.sh", "r": "driver.R", "notebook": "notebook_driver.py"}


@dataclass
class Job:
    driver: str                                    # a key of DRIVERS
    inputs: dict[str, bytes]                       # read-only files for the driver (blocks, notebook)
    timeouts: list[float]                          # seconds per block (or cell)
    startup_timeout: float = 60.0                  # until the first block starts
    data_files: dict[str, Path] = field(default_factory=dict)   # name in the working folder -> file
    exposures: list[Exposure] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    output_cap: int = 1_000_000                    # stdout + stderr bytes kept
    message_cap: int = 1_000_000                   # control message bytes kept
    cancel: threading.Event | None = None          # set it to stop the job at once (interrupted build)


def run(isolation: Isolation, limits: Limits, job: Job) -> RawResult:
    """Run `job` under `isolation` (see Isolation.require) and return what it produced."""
    isolation.require()
    started = time.monotonic()
    if isolation.kind != "bubblewrap" and (problem := _needs_sandbox(job.exposures)):
        return RawResult(False, outputs=[{"stdout": "", "stderr": ""}], failed_block=0, limit="sandbox",
                         error=f"needs the sandbox: {problem}; it cannot run with --unsafe-no-sandbox")
    temp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    files = bwrap.Files()
    relay = cgroup = proc = None
    ctl_r, ctl_w = os.pipe()
    ack_r, ack_w = os.pipe()
    try:
        endpoints = [e for x in job.exposures for e in x.endpoints]
        relay, forwards = _relay(endpoints, temp) if isolation.kind == "bubblewrap" else (None, [])
        spec = {"rlimits": _rlimits(limits, cgroup_limits=isolation.cgroup_root is not None),
                "forward": forwards, "fds": [ctl_w, ack_r]}
        argv, env, cwd = _command(isolation, limits, job, temp, files, spec, endpoints)
        if isolation.cgroup_root is not None:
            cgroup = isolation.cgroup_root.create(limits.memory_mb * MB, limits.processes)
            argv = cgroup.wrap(argv)
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, pass_fds=(ctl_w, ack_r, *files.fds),
                                start_new_session=True)
        files.close()
        os.close(ctl_w)
        os.close(ack_r)
        ctl_w = ack_r = -1
        result = Watch(proc, ctl_r, ack_w, job).run()
        hits = cgroup.limit_hits() if cgroup is not None else []
        if not result.ok and hits and result.limit in ("", "exit"):
            result.limit = hits[0]
            result.error = _limit_message(hits[0], limits)
    finally:
        if proc is not None:
            _kill(proc)
        if cgroup is not None:
            cgroup.remove()
        if relay is not None:
            relay.stop()
        files.close()
        for fd in (ctl_r, ctl_w, ack_r, ack_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        shutil.rmtree(temp, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def reap_stale_temp() -> None:
    """Remove sandbox and stand-in folders that builds which are no longer running left behind."""
    for prefix in STALE_PREFIXES:
        for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
            owner = folder.name[len(prefix):].split("-")[0]
            if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                shutil.rmtree(folder, ignore_errors=True)


def base_env(home: str, tmp: str) -> dict[str, str]:
    """The whole environment of a sample, before the stand-ins' variables: nothing from the build."""
    venv_bin = os.path.dirname(python_executable())
    data = [str(Path(sys.prefix) / "share/jupyter"), "/usr/local/share/jupyter", "/usr/share/jupyter"]
    return {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": tmp,
        "USER": bwrap.USER, "LOGNAME": bwrap.USER, "SHELL": "/bin/bash",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "Europe/Oslo",
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": "ignore::DeprecationWarning", "MPLBACKEND": "Agg", "COLUMNS": "100",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "NO_GCE_CHECK": "true",
        "R_LIBS_USER": f"{home}/R", "JUPYTER_PATH": os.pathsep.join(data),
        "JUPYTER_PLATFORM_DIRS": "1",
        # pip, Poetry and uv see no configuration of this machine's, only the stand-ins' variables
        "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "UV_NO_CONFIG": "1",
        "UV_PYTHON": base_python(), "UV_PYTHON_DOWNLOADS": "never",
    }


def base_python() -> str:
    """The interpreter this environment was made from: what a sample's own venvs are made with."""
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def python_executable() -> str:
    """This environment's interpreter, as a clean absolute path (the sandbox has no `..` to follow)."""
    return os.path.abspath(sys.executable)


def _command(isolation: Isolation, limits: Limits, job: Job, temp: Path, files: bwrap.Files,
             spec: dict, endpoints: list) -> tuple[list[str], dict, Path]:
    """(command line, environment, working folder) of the job."""
    python = python_executable()
    cwd = temp
    if isolation.kind == "bubblewrap":
        env = base_env(bwrap.HOME, "/tmp")
        env.update({k: v for x in job.exposures for k, v in x.env.items()} | job.env)
        binds = {target: Path(source) for x in job.exposures for target, source in x.files.items()}
        copies = {target: Path(source) for x in job.exposures for target, source in x.copies.items()}
        inputs = {**{f"input/{k}": v for k, v in job.inputs.items()},
                  "spec.json": json.dumps(spec).encode()}
        argv = bwrap.command(isolation.bwrap, limits=limits, files=files, toolchain=isolation.toolchain,
                             tools_dir=HERE, inputs=inputs, data_files=job.data_files, binds=binds,
                             copies=copies,
                             sockets_dir=temp / "sockets" if endpoints else None,
                             hosts=[e.host for e in endpoints],
                             launcher=[python, "-I", "-S", str(HERE / "launcher.py")])
        tools, run_dir = bwrap.TOOLS, bwrap.RUN
    else:  # --unsafe-no-sandbox: a plain subprocess with a clean environment and rlimits
        for name in ("input", "home", "home/work", "tmp"):
            (temp / name).mkdir()
        for name, content in job.inputs.items():
            (temp / "input" / name).write_bytes(content)
        for name, path in job.data_files.items():
            shutil.copyfile(path, temp / "home/work" / name)
        (temp / "spec.json").write_text(json.dumps(spec))
        env = base_env(str(temp / "home"), str(temp / "tmp"))
        env.update({k: v for x in job.exposures for k, v in x.env.items()} | job.env)
        argv, tools, run_dir, cwd = [], str(HERE), str(temp), temp / "home/work"
    launcher = [python, "-I", "-S", f"{tools}/launcher.py", f"{run_dir}/spec.json", "--"]
    return argv + launcher + _driver(job.driver, python, tools, f"{run_dir}/input"), env, cwd


def _needs_sandbox(exposures: list[Exposure]) -> str:
    """What a job's stand-ins need that only the sandbox gives (files at fixed paths, names)."""
    for exposure in exposures:
        for target in exposure.files:
            return f"a stand-in's files at {target}"
        for e in exposure.endpoints:
            if e.host not in ("127.0.0.1", "localhost") or e.port != e.target_port:
                return f"a stand-in at {e.host}:{e.port}"
    return ""


def _driver(name: str, python: str, tools: str, input_dir: str) -> list[str]:
    script = f"{tools}/{DRIVERS[name]}"
    if name in ("python", "notebook"):
        return [python, script, input_dir]
    if name == "bash":
        return ["bash", "--noprofile", "--norc", script, input_dir]
    return ["Rscript", "--vanilla", script, input_dir]


def _rlimits(limits: Limits, cgroup_limits: bool) -> dict[str, int]:
    rl = {"RLIMIT_CPU": limits.cpu_seconds, "RLIMIT_FSIZE": limits.file_size_mb * MB, "RLIMIT_CORE": 0}
    if not cgroup_limits:
        rl["RLIMIT_AS"] = limits.memory_mb * MB
        rl["RLIMIT_NPROC"] = limits.processes
    return rl


def _relay(endpoints: list, temp: Path) -> tuple[Relay | None, list]:
    """One forward per port inside: names on one port (pypi.org:443, github.com:443) share it,
    which works because stand-ins that share a port inside share one server outside."""
    if not endpoints:
        return None, []
    targets: dict[int, int] = {}
    for endpoint in endpoints:
        if targets.setdefault(endpoint.port, endpoint.target_port) != endpoint.target_port:
            raise ValueError(f"two stand-ins of one session want port {endpoint.port} "
                             f"({endpoint.host} among them) but are served from different ports")
    sockets = temp / "sockets"
    sockets.mkdir()
    sockets.chmod(0o755)
    listeners, forwards = [], []
    for i, (port, target) in enumerate(sorted(targets.items())):
        path = sockets / f"{i}.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        path.chmod(0o666)
        listener.listen(64)
        listeners.append((listener, _tcp_connector(target)))
        forwards.append([port, f"{bwrap.SOCKETS}/{i}.sock"])
    return Relay(listeners).start(), forwards


def _tcp_connector(port: int):
    def connect():
        return socket.create_connection(("127.0.0.1", port), timeout=10)
    return connect


def _kill(proc: subprocess.Popen) -> None:
    """Kill the sandbox (its PID namespace goes with it) or, unsandboxed, its process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _limit_message(limit: str, limits: Limits) -> str:
    return {
        "memory": f"ran out of memory (the limit is {limits.memory_mb} MB)",
        "processes": f"started too many processes (the limit is {limits.processes})",
    }.get(limit, limit)
