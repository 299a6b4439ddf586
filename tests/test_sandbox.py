"""The sandbox on its own: what a session can see, reach and use, and what the build keeps.

Also home of `write_project`, the tiny MkDocs project the sandbox's build tests use.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from projects import REPO, mkdocs_yml, repo_hooks

from handbook.execute import cache as cache_module
from handbook.execute import registry, seeds, services
from handbook.execute.limits import Limits
from handbook.execute.runner import interrupt_on_signals
from handbook.execute.sandbox import Isolation, Job, SandboxUnavailable, cgroups, reap_stale_temp, run
from handbook.execute.standins import Endpoint, Exposure

ISOLATION = Isolation.detect()
needs_sandbox = pytest.mark.skipif(not ISOLATION.available, reason=f"no sandbox here: {ISOLATION.problem}")
pytestmark = needs_sandbox

PROJECT_CONFIG = mkdocs_yml(repo_hooks("validate", "notebooks", "samples"), name="Sandkasse")


def write_project(base: Path, pages: dict[str, str | bytes | dict], extra_config: str = "") -> Path:
    """docs/<path> for each page (text, bytes or a notebook dict) and a mkdocs.yml that uses this
    repository's hooks by absolute path; returns the config file."""
    for rel, content in pages.items():
        target = base / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            target.write_text(json.dumps(content), encoding="utf-8")
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    config = base / "mkdocs.yml"
    config.write_text(PROJECT_CONFIG + extra_config, encoding="utf-8")
    return config


def build(config: Path, cache_dir: Path, env: dict | None = None, site: Path | None = None,
          strict: bool = True) -> subprocess.CompletedProcess:
    """`mkdocs build` of a test project with its own cache; output (both streams) in .stdout."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("HANDBOOK_")}
    full.update(DISABLE_MKDOCS_2_WARNING="true", NO_MKDOCS_2_WARNING="1", HANDBOOK_CACHE_DIR=str(cache_dir))
    full.update(env or {})
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d",
           str(site or config.parent / "site")]
    if strict:
        cmd.append("--strict")
    return subprocess.run(cmd, cwd=config.parent, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False, timeout=900)


def notebook(*cells: tuple[str, str], **handbook) -> dict:
    """A minimal nbformat 4 notebook from (kind, source) pairs; keywords go to metadata.handbook."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}, **({"handbook": handbook} if handbook else {})},
        "cells": [
            {"id": f"c{i}", "cell_type": "markdown", "metadata": {}, "source": src} if kind == "md" else
            {"id": f"c{i}", "cell_type": "code", "metadata": {}, "source": src, "outputs": [],
             "execution_count": None}
            for i, (kind, src) in enumerate(cells)
        ],
    }


def marked_processes(marker: str) -> list[int]:
    """Processes on this machine whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def non_loopback_address() -> str | None:
    """An address of this machine outside loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.123", 9))   # no packet is sent for UDP connect
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


class Listener:
    """A TCP server that counts the connections it gets."""

    def __init__(self, host: str):
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.host, self.port = self.sock.getsockname()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


def _run(driver: str, *codes: str, limits: Limits | None = None, **kw):
    ext = {"python": "py", "bash": "sh", "r": "R"}[driver]
    inputs = {f"{i:03d}.{ext}": c.encode() for i, c in enumerate(codes)}
    timeouts = kw.pop("timeouts", [30.0] * len(codes))
    return run(ISOLATION, limits or Limits(), Job(driver, inputs, timeouts, **kw))


# ---- results and failures ----------------------------------------------------------------------

def test_blocks_share_a_namespace_and_output_is_split_by_block():
    raw = _run("python", "x = 40\nprint('one')\n", "print('two')\nx + 2\n")
    assert raw.ok, raw
    assert [o["stdout"] for o in raw.outputs] == ["one\n", "two\n42\n"]


def test_failure_names_the_block_and_line():
    raw = _run("python", "x = 1\n", "y = 2\nprint(undefined_name)\n")
    assert not raw.ok and raw.failed_block == 1
    [error] = [m["error"] for m in raw.messages if "error" in m]
    assert error["line"] == 2 and error["error"].startswith("NameError")


def test_bash_failure_names_the_line():
    raw = _run("bash", "echo a\n", "echo b\nfalse\necho c\n")
    assert not raw.ok and raw.failed_block == 1 and {"line": 2} in raw.messages
    assert raw.outputs[1]["stdout"] == "b\n"


@pytest.mark.skipif(not Path("/usr/bin/Rscript").exists(), reason="R is not installed here")
def test_r_blocks_share_a_session_and_errors_are_reported():
    raw = _run("r", "x <- 40\n", "x + 2\n", "stop('boom')\n")
    assert raw.outputs[1]["stdout"].strip() == "[1] 42"
    assert not raw.ok and raw.failed_block == 2
    assert any(m.get("error", {}).get("error") == "Error: boom" for m in raw.messages)


def test_hanging_block_is_stopped_at_its_timeout():
    started = time.monotonic()
    raw = _run("python", "import time\ntime.sleep(60)\n", timeouts=[1.0])
    assert not raw.ok and raw.limit == "timeout" and "timed out after 1 s" in raw.error
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("code", [
    "yes handbook\n",                                              # endless
    "head -c 5000000 /dev/zero | tr '\\0' x\n",                    # 5 MB at once, then exit
    "python3 -c \"import sys; sys.stdout.write('x' * 4000000)\" >&2\n",   # on stderr
], ids=["endless", "burst-before-exit", "stderr"])
def test_output_cap_holds_whatever_the_timing(code):
    raw = _run("bash", code)
    assert not raw.ok and raw.limit == "output" and "more than 1000 kB of output" in raw.error
    kept = sum(len(o["stdout"]) + len(o["stderr"]) for o in raw.outputs)
    assert kept <= 1_000_000


def test_output_just_under_the_cap_is_kept():
    raw = _run("python", "import sys\n_ = sys.stdout.write('x' * 900_000)\n")
    assert raw.ok and len(raw.outputs[0]["stdout"]) == 900_000


def test_forged_control_messages_do_not_break_the_build():
    code = ("import os\nos.write(3, b'not json\\n{\"block\": 99}\\n[1]\\n' + b'x' * 10 + b'\\n')\n"
            "print('still here')\n")
    raw = _run("python", code)
    assert raw.ok and "still here" in "".join(o["stdout"] for o in raw.outputs)


def test_a_session_ends_when_its_blocks_are_done_not_at_the_interpreters_teardown():
    # pyarrow's thread pools aborted a finished session now and then in their static destructors
    # ('terminate called without an active exception'); an abort at teardown stands in for that.
    # What C code printed is still shown.
    code = ("import atexit, ctypes, os\natexit.register(os.abort)\n"
            "ctypes.CDLL(None).printf(b'from C\\n')\nprint('from Python')\n")
    raw = _run("python", code)
    assert raw.ok, raw
    assert sorted(raw.outputs[0]["stdout"].splitlines()) == ["from C", "from Python"]


class _ControlPipeFirst(selectors.EpollSelector):
    """Reports every ready pipe of a wake-up, the control pipe first (it is made before the
    process's own pipes, so it has the lowest number), after letting output and the next
    block's message both arrive: the order one busy wake-up can bring."""

    def select(self, timeout=None):
        time.sleep(0.05)
        return sorted(super().select(timeout), key=lambda event: event[0].fd)


def test_no_output_is_lost_when_a_block_starts_in_the_same_wake_up(monkeypatch):
    # The next block's start drains the output before it; the output pipe, then ready with
    # nothing left in it, must not count as closed, or the last block's output is lost.
    monkeypatch.setattr(selectors, "DefaultSelector", _ControlPipeFirst)
    later = "import time\ntime.sleep(0.2)\nprint('{}')\n"   # nothing to read just after the start
    raw = _run("python", "print('one')\n", later.format("two"), later.format("three"))
    assert raw.ok, raw
    assert [o["stdout"] for o in raw.outputs] == ["one\n", "two\n", "three\n"]


# ---- what a session sees ---------------------------------------------------------------------

def test_environment_is_built_from_an_allowlist(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_canary_not_a_real_token_000000000000")
    raw = _run("python", "import os\nprint(sorted(os.environ))\n")
    assert raw.ok
    names = set(eval(raw.outputs[0]["stdout"]))
    assert "GITHUB_TOKEN" not in names and names - {"PWD"} <= set(_allowed_names())


def _allowed_names():
    from handbook.execute.sandbox.run import base_env
    return base_env("/h", "/t")


def test_the_build_is_invisible(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_canary_not_a_real_token_000000000000")
    code = (
        "import os, glob\n"
        "for path in ['/proc/1/environ', f'/proc/{os.getppid()}/environ', '/etc/shadow', "
        f"'{REPO}/.git', '{REPO}/pyproject.toml', '{Path.home()}/.bash_history', '/root/.ssh', "
        "'/sys/fs/cgroup']:\n"
        "    print(path, os.path.exists(path) and os.access(path, os.R_OK))\n"
        "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
        "print(open('/proc/1/environ', 'rb').read().count(b'GITHUB'))\n"
    )
    raw = _run("python", code)
    assert raw.ok, raw
    out = raw.outputs[0]["stdout"]
    assert "ghp_canary" not in out
    lines = out.splitlines()
    assert lines[0] == "/proc/1/environ True"   # the sandbox's own init, not the build
    assert all(line.endswith("False") for line in lines[2:8]), out
    assert max(eval(lines[8])) < 20, "only the sandbox's own processes are visible"
    assert lines[9] == "0"


def test_toolchain_and_root_are_read_only():
    code = (
        "import os, sys, site\n"
        "for path in [site.getsitepackages()[0] + '/zz.pth', '/usr/zz', '/etc/zz', '/zz', '/dev/zz', "
        "'/opt/handbook/zz', '/proc/sys/zz']:\n"
        "    try:\n        open(path, 'w').close(); print(path, 'WRITTEN')\n"
        "    except OSError as exc:\n        print(path, 'blocked', exc.errno)\n"
        "open(os.path.expanduser('~/ok'), 'w').write('fine'); open('/tmp/ok', 'w').write('fine')\n"
        "print(os.getcwd(), os.path.expanduser('~'))\n"
    )
    raw = _run("python", code)
    assert raw.ok, raw
    out = raw.outputs[0]["stdout"]
    assert "WRITTEN" not in out and out.count("blocked") == 7
    assert out.splitlines()[-1] == "/home/jovyan/work /home/jovyan"


def test_data_files_are_copies(tmp_path):
    data = tmp_path / "befolkning.csv"
    data.write_text("a,b\n1,2\n")
    raw = _run("bash", "cat befolkning.csv\necho changed > befolkning.csv\ncat befolkning.csv\n",
               data_files={"befolkning.csv": data})
    assert raw.ok and raw.outputs[0]["stdout"] == "a,b\n1,2\nchanged\n"
    assert data.read_text() == "a,b\n1,2\n"


# ---- network ------------------------------------------------------------------------------------

def test_only_loopback_exists_and_names_do_not_resolve():
    code = ("import socket\nprint(sorted(n for _, n in socket.if_nameindex()))\n"
            "try:\n    socket.getaddrinfo('example.org', 443); print('resolved')\n"
            "except socket.gaierror:\n    print('no name')\n")
    raw = _run("python", code)
    assert raw.ok and raw.outputs[0]["stdout"] == "['lo']\nno name\n"


@pytest.mark.skipif(non_loopback_address() is None, reason="this machine has no non-loopback address")
def test_connections_outside_loopback_fail():
    listener = Listener(non_loopback_address())
    try:
        host, port = listener.host, listener.port
        py = f"import _socket\ns = _socket.socket()\ns.settimeout(3)\ns.connect(('{host}', {port}))\n"
        for driver, code in [("python", py),
                             ("bash", f"exec 3<>/dev/tcp/{host}/{port}\n"),
                             ("bash", f"curl --noproxy '*' -sS -m 3 http://{host}:{port}/\n"),
                             ("bash", f"python3 -S -c \"{py.replace(chr(10), ';')}\"\n")]:
            raw = _run(driver, code)
            assert not raw.ok, (driver, code)
        assert listener.connections == 0
    finally:
        listener.close()


def test_loopback_inside_works():
    code = ("import socket\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "c = socket.create_connection(s.getsockname()); print('connected')\n")
    raw = _run("python", code)
    assert raw.ok and raw.outputs[0]["stdout"] == "connected\n"


def test_stand_in_endpoints_are_relayed_under_their_names(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def answer():
        for _ in range(2):
            conn, _ = server.accept()
            conn.sendall(conn.recv(100).upper())
            conn.close()
    threading.Thread(target=answer, daemon=True).start()
    shown = tmp_path / "ca.pem"
    shown.write_text("certificate")
    exposure = Exposure(endpoints=[Endpoint("nexus.example", 443, port), Endpoint("127.0.0.1", port, port)],
                        env={"PIP_INDEX_URL": "https://nexus.example/simple"},
                        files={"/etc/nexus/ca.pem": shown})
    code = ("import os, socket\n"
            "for address in [('nexus.example', 443), ('127.0.0.1', " + str(port) + ")]:\n"
            "    c = socket.create_connection(address, timeout=5); c.sendall(b'hei'); print(c.recv(10))\n"
            "print(os.environ['PIP_INDEX_URL'], open('/etc/nexus/ca.pem').read())\n")
    try:
        raw = _run("python", code, exposures=[exposure])
    finally:
        server.close()
    assert raw.ok, raw
    assert raw.outputs[0]["stdout"] == "b'HEI'\nb'HEI'\nhttps://nexus.example/simple certificate\n"


def test_buckets_stand_in_is_a_writable_copy_per_session(tmp_path):
    standin = services.BucketsStandIn(None, tmp_path)
    standin.start()
    try:
        code = ("import os\nprint(sorted(os.listdir('/buckets/produkt')))\n"
                "open('/buckets/produkt/ny.txt', 'w').write('skrevet')\n"
                "print(open('/buckets/produkt/ny.txt').read())\n")
        first = _run("python", code, exposures=[standin.exposure()])
        second = _run("python", "import os\nprint(os.path.exists('/buckets/produkt/ny.txt'))\n",
                      exposures=[standin.exposure()])
        seeded = sorted(p.name for p in (standin.folder / "produkt").iterdir())
    finally:
        standin.stop()
    assert first.ok, first
    listed = first.outputs[0]["stdout"].splitlines()
    assert eval(listed[0]) == sorted({k.split("/")[0] for k in seeds.mount_seed()["produkt"]})
    assert listed[1] == "skrevet"                       # writes work, as on Dapla ...
    assert second.outputs[0]["stdout"].strip() == "False"   # ... in that session only
    assert "ny.txt" not in seeded                       # and never reach the seed


def test_stand_ins_are_found_by_name_and_marker():
    known = registry.registrations()
    assert {"gcs", "s3", "buckets"} <= set(known)
    assert registry.used("pd.read_csv('/buckets/produkt/x.csv')", None, known) == ("buckets",)
    assert registry.used("fs.ls('gs://b')", "s3", known) == ("s3",)
    assert registry.used("fs.ls('gs://b')", "none", known) == ()
    with pytest.raises(registry.UnknownStandIn, match="unknown stand-in nexsus"):
        registry.used("", "nexsus", known)


# ---- limits --------------------------------------------------------------------------------------

def test_memory_limit():
    raw = _run("python", "x = bytearray(3 * 1024**3)\nprint('allocated')\n")
    assert not raw.ok
    assert raw.limit == "memory" or "MemoryError" in json.dumps(raw.messages), raw


def test_process_limit():
    code = "import subprocess\nprocs = [subprocess.Popen(['sleep', '30']) for _ in range(400)]\n"
    raw = _run("python", code)
    assert not raw.ok
    assert raw.limit == "processes" or "Resource temporarily unavailable" in json.dumps(raw.messages), raw


def test_disk_limit():
    code = "for i in range(8):\n    open(f'/tmp/f{i}', 'wb').write(b'x' * 200 * 1024**2)\n"
    raw = _run("python", code)
    assert not raw.ok and "No space left on device" in json.dumps(raw.messages), raw


def test_file_size_and_cpu_limits():
    small = Limits(file_size_mb=1, cpu_seconds=1)
    raw = _run("bash", "head -c 2000000 /dev/zero > big\n", limits=small)
    assert not raw.ok and raw.limit == "file size", raw
    raw = _run("python", "open('big', 'wb').write(b'x' * 2 * 1024**2)\n", limits=small)
    assert not raw.ok and "File too large" in json.dumps(raw.messages), raw  # Python ignores SIGXFSZ
    raw = _run("python", "while True:\n    pass\n", limits=small)
    assert not raw.ok and raw.limit == "cpu", raw


def test_nothing_outlives_a_session():
    marker = f"handbook-test-{os.getpid()}-outlive"
    code = (f"setsid bash -c 'exec -a {marker} sleep 300' &\n"
            f"nohup bash -c 'exec -a {marker} sleep 300' >/dev/null 2>&1 &\n"
            f"( ( exec -a {marker} sleep 300 & ) & )\n"
            f"python3 -c \"import subprocess; subprocess.Popen(['{marker}', '300'], executable='/bin/sleep', "
            f"start_new_session=True)\"\n"
            "exec 1>&- 2>&- 3>&-\nsleep 1\n")
    raw = _run("bash", code)
    assert raw.ok, raw
    assert marked_processes(marker) == []


def test_session_cgroups_are_removed():
    if ISOLATION.cgroup_root is None:
        pytest.skip("no cgroups here")
    _run("bash", "sleep 0.1 &\n")
    mine = [p for parent in ISOLATION.cgroup_root.parents.values()
            for p in parent.glob(f"{cgroups.PREFIX}{os.getpid()}-*")]
    assert mine == []


def test_stale_temp_folders_of_dead_builds_are_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    import tempfile
    stale = Path(tempfile.gettempdir()) / f"handbook-sandbox-{dead.pid}-test"
    stale.mkdir()
    mine = Path(tempfile.mkdtemp(prefix=f"handbook-sandbox-{os.getpid()}-"))
    try:
        reap_stale_temp()
        assert not stale.exists() and mine.exists()
    finally:
        mine.rmdir()


def test_interrupt_stops_a_running_session():
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    raw = _run("python", "import time\ntime.sleep(60)\n", cancel=cancel)
    assert not raw.ok and raw.limit == "cancelled" and time.monotonic() - started < 5


# ---- without a sandbox -------------------------------------------------------------------------

def test_unavailable_sandbox_refuses_to_run():
    unavailable = Isolation("unavailable", problem="bubblewrap (bwrap) is not installed. Install it")
    with pytest.raises(SandboxUnavailable, match="bwrap"):
        run(unavailable, Limits(), Job("python", {"000.py": b"print(1)\n"}, [10]))


def test_unsafe_mode_runs_but_not_what_needs_the_sandbox(tmp_path):
    unsafe = Isolation.detect(unsafe=True)
    data = tmp_path / "tall.txt"
    data.write_text("6 7")
    code = b"a, b = open('tall.txt').read().split()\nprint(int(a) * int(b))\n"
    raw = run(unsafe, Limits(), Job("python", {"000.py": code}, [10], data_files={"tall.txt": data}))
    assert unsafe.kind == "none" and raw.ok and raw.outputs[0]["stdout"] == "42\n", raw
    raw = run(unsafe, Limits(), Job("python", {"000.py": b"print(1)\n"}, [10],
                                    exposures=[Exposure(files={"/buckets": tmp_path})]))
    assert not raw.ok and "needs the sandbox" in raw.error


# ---- cache --------------------------------------------------------------------------------------

def test_cache_entries_are_verified(tmp_path):
    cache = cache_module.Cache(tmp_path)
    key = "ab" * 32
    cache.put("samples", key, {"outputs": [{"stdout": "42\n", "stderr": ""}]})
    assert cache.get("samples", key)["outputs"][0]["stdout"] == "42\n"
    path = cache.path("samples", key)
    path.write_text(path.read_text().replace("42", "<script>alert(1)</script>"))
    assert cache.get("samples", key) is None
    assert cache.rejected[-1]["reason"] == "content does not match its hash"
    other = "cd" * 32
    cache.path("samples", other).parent.mkdir(parents=True, exist_ok=True)
    cache.path("samples", other).write_bytes(cache.path("samples", key).read_bytes())
    cache.put("samples", key, {"x": 1})
    cache.path("samples", other).write_bytes(cache.path("samples", key).read_bytes())
    assert cache.get("samples", other) is None and cache.rejected[-1]["reason"] == "stored under another key"


def test_signals_interrupt_the_command_line(tmp_path):
    """`handbook samples` stopped by SIGTERM cleans up: no sandbox process, no temp folder."""
    marker = f"handbook-test-{os.getpid()}-sigterm"
    config = write_project(tmp_path / "p", {"nb/index.md": f"```bash\nexec -a {marker} sleep 300\n```\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDBOOK_")}
    env["HANDBOOK_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.Popen([sys.executable, "-m", "handbook.execute.runner", "--config-file", str(config)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked_processes(marker), "the sample started"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, out
    time.sleep(0.2)
    assert marked_processes(marker) == []
    import tempfile
    assert list(Path(tempfile.gettempdir()).glob(f"handbook-sandbox-{proc.pid}-*")) == []


def test_signal_handlers_are_restored_in_the_main_thread_and_left_elsewhere():
    """A build's finalizer restores the handlers; the garbage collector may run it in any thread
    (a pool of request threads in the preview), where setting a handler raises."""
    before = signal.getsignal(signal.SIGTERM)
    restore = interrupt_on_signals()
    try:
        assert signal.getsignal(signal.SIGTERM) is not before
        errors = []
        thread = threading.Thread(target=lambda: errors.append(_raised(restore)))
        thread.start()
        thread.join()
        assert errors == [None]
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) is before


def _raised(fn) -> BaseException | None:
    try:
        fn()
    except BaseException as exc:  # whatever it was, the test shows it
        return exc
    return None
