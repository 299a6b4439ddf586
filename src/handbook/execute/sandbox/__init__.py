"""Run one session of code blocks in a sandboxed subprocess.

The sandbox: a fresh temporary working directory and HOME, an environment built from
scratch (nothing from the caller, so no tokens or credentials), no network beyond
loopback (a socket guard in Python, dead proxies for everything else), a wall-clock
timeout per block, and a cap on output size. The whole process group is killed at
the end, so nothing a sample starts outlives it.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT_CAP = 1_000_000            # bytes per session, stdout and stderr together
FILE_SIZE_LIMIT = 256 * 1024**2   # any file a sample writes
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: connections are refused at once
EXTENSIONS = {"python": "py", "bash": "sh", "r": "R"}


@dataclass
class RawResult:
    ok: bool
    outputs: list = field(default_factory=list)
    failed_block: int | None = None
    line: int | None = None        # line inside the failed block, 1-based
    error: str = ""
    stderr_tail: str = ""
    seconds: float = 0.0


def sandbox_env(home: Path, tmp: Path, extra: dict | None = None) -> dict:
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "Europe/Oslo",
        "PYTHONPATH": str(HERE),          # loads sitecustomize.py: the network guard
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
        "MPLBACKEND": "Agg",
        "COLUMNS": "100",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "NO_GCE_CHECK": "true",
        "R_LIBS_USER": str(home / "R"),
    }
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env[name] = DEAD_PROXY
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost,::1"
    env.update(extra or {})
    return env


def command(lang: str, blocks_dir: Path, out_dir: Path) -> list[str]:
    if lang == "python":
        return [sys.executable, str(HERE / "driver.py"), str(blocks_dir), str(out_dir)]
    if lang == "bash":
        return ["bash", "--noprofile", "--norc", str(HERE / "driver.sh"), str(blocks_dir), str(out_dir)]
    if lang == "r":
        return ["Rscript", "--vanilla", str(HERE / "driver.R"), str(blocks_dir), str(out_dir)]
    raise ValueError(f"no driver for {lang}")


def _limits():
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(lang: str, codes: list[str], timeouts: list[float], extra_env: dict | None = None,
        data_files: list[Path] = ()) -> RawResult:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="handbook-sample-") as root:
        root = Path(root)
        blocks_dir, out_dir, work, home, tmp = (root / n for n in ("blocks", "out", "work", "home", "tmp"))
        for d in (blocks_dir, out_dir, work, home, tmp):
            d.mkdir()
        for i, code in enumerate(codes):
            (blocks_dir / f"{i:03d}.{EXTENSIONS[lang]}").write_text(code, encoding="utf-8")
        for data in data_files:
            shutil.copy2(data, work / data.name)
        env = sandbox_env(home, tmp, extra_env)
        proc = subprocess.Popen(command(lang, blocks_dir, out_dir), cwd=work, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_limits)
        result = _watch(proc, out_dir, timeouts)
        result.outputs = _collect(out_dir, len(codes))
        result.seconds = round(time.monotonic() - started, 2)
        return result


def _current(out_dir: Path) -> int:
    try:
        return int((out_dir / ".current").read_text())
    except (OSError, ValueError):
        return 0


def _output_size(out_dir: Path) -> int:
    return sum(p.stat().st_size for p in out_dir.glob("*.std*"))


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _watch(proc: subprocess.Popen, out_dir: Path, timeouts: list[float]) -> RawResult:
    block, block_started = 0, time.monotonic()
    failure = None
    while True:
        try:
            proc.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            pass
        now_block = _current(out_dir)
        if now_block != block:
            block, block_started = now_block, time.monotonic()
        limit = timeouts[min(block, len(timeouts) - 1)]
        if time.monotonic() - block_started > limit:
            failure = RawResult(False, failed_block=block, error=f"timed out after {limit:g} s")
            break
        if _output_size(out_dir) > OUTPUT_CAP:
            failure = RawResult(False, failed_block=block,
                                error=f"printed more than {OUTPUT_CAP // 1000} kB of output")
            break
    _kill(proc)  # also when it finished: nothing it started may outlive it
    with proc.stderr:
        driver_stderr = proc.stderr.read().decode(errors="replace")
    if failure is not None:
        failure.stderr_tail = _tail(out_dir, failure.failed_block)
        return failure
    if proc.returncode == 0:
        return RawResult(True)
    return _explain_failure(out_dir, proc.returncode, driver_stderr)


def _explain_failure(out_dir: Path, returncode: int, driver_stderr: str) -> RawResult:
    block = _current(out_dir)
    line, error = None, ""
    err_json = out_dir / "error.json"
    if err_json.exists():
        info = json.loads(err_json.read_text())
        block, line, error = info["block"], info.get("line"), info["error"]
    elif (out_dir / "error.txt").exists():
        error = "Error: " + (out_dir / "error.txt").read_text().strip()
    else:
        if (out_dir / ".line").exists():
            try:
                line = int((out_dir / ".line").read_text())
            except ValueError:
                line = None
        if returncode < 0:
            error = f"killed by signal {signal.Signals(-returncode).name}"
            if -returncode == signal.SIGXFSZ:
                error += f" (a file grew past {FILE_SIZE_LIMIT // 1024**2} MB)"
        else:
            error = f"exit status {returncode}"
    tail = _tail(out_dir, block) or driver_stderr[-2000:]
    return RawResult(False, failed_block=block, line=line, error=error, stderr_tail=tail)


def _tail(out_dir: Path, block: int | None, lines: int = 15) -> str:
    path = out_dir / f"{block or 0:03d}.stderr"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _collect(out_dir: Path, n: int) -> list[dict]:
    outputs = []
    for i in range(n):
        item = {}
        for stream in ("stdout", "stderr"):
            p = out_dir / f"{i:03d}.{stream}"
            item[stream] = p.read_text(errors="replace") if p.exists() else ""
        outputs.append(item)
    return outputs
