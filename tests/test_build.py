"""`handbook build` and `handbook serve`: the previous site survives failures and interrupts,
stale staging folders go away, and a taken port is reported before any build."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from projects import make_project

from handbook import build
from handbook.project import Project


def handbook(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "handbook", *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_previous_site_survives_a_failed_build(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous")
    config = make_project(tmp_path / "p", {"nb/index.md": "```python\nraise SystemExit(3)\n```\n"})
    assert build.build(Project.load(config), site, log=lambda *a, **k: None) != 0
    assert (site / "index.html").read_text() == "previous"
    assert not list(tmp_path.glob(".site-new-*"))


def test_stale_staging_folders_of_dead_builds_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".site-new-{dead}-abc"
    live = tmp_path / f".site-new-{os.getpid()}-def"
    unnamed = tmp_path / ".site-new-xyz"           # written by an older version of the tool
    for folder in (stale, live, unnamed):
        (folder / "sv").mkdir(parents=True)
    removed = build.remove_stale_staging(tmp_path)
    assert sorted(removed) == sorted([stale, unnamed])
    assert live.is_dir() and not stale.exists() and not unnamed.exists()


@pytest.mark.slow
def test_an_interrupted_build_keeps_the_old_site_and_leaves_nothing_behind(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous")
    config = make_project(tmp_path / "p", {
        "nb/index.md": "# Hjem\n\n```python timeout=120\nimport time\ntime.sleep(60)\n```\n"})
    scratch = tmp_path / "tmp"      # where the build's temporary folders and sandboxes go
    scratch.mkdir()
    proc = handbook("build", "--config-file", str(config), "--site-dir", str(site),
                    env={"TMPDIR": str(scratch)})
    deadline = time.monotonic() + 60
    while not list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)   # until the sample's sandbox exists: the build is running it
    assert list(scratch.iterdir()), "the sample never started"
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0, out
    assert "the previous site" in out and "is unchanged" in out
    assert (site / "index.html").read_text() == "previous"
    assert not list(tmp_path.glob(".site-new-*"))
    time.sleep(1)
    leftovers = subprocess.run(["pgrep", "-af", str(tmp_path)], capture_output=True, text=True).stdout
    assert leftovers.strip() == "", f"processes left running: {leftovers}"
    assert not list(scratch.iterdir()), "temporary folders left behind"


def test_serve_names_the_process_that_holds_the_port(tmp_path):
    config = make_project(tmp_path / "p", {"nb/index.md": "# Hjem\n"})
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        started = time.monotonic()
        proc = handbook("serve", "--config-file", str(config), "--port", str(port))
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert time.monotonic() - started < 10       # before any build
    assert f"port {port} on 127.0.0.1 is already taken by pid {os.getpid()}" in out
