"""Hostile samples (Python, bash, R, a notebook) built like any page, with a secret in the build's
environment and canary files in its home: nothing leaks, nothing outside changes, nothing
survives, nothing reaches the network, and every limit holds with a message naming file:line.

The fixtures are tests/fixtures/hostile-*/; @@NAME@@ placeholders are filled in per run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from test_sandbox import (
    ISOLATION,
    REPO,
    Listener,
    build,
    marked_processes,
    non_loopback_address,
    write_project,
)

FIXTURES = Path(__file__).parent / "fixtures"
VENV = Path(sys.prefix)
HOSTILE = ["hostile-python", "hostile-bash", "hostile-r", "hostile-notebook"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ISOLATION.available, reason=f"no sandbox here: {ISOLATION.problem}")]


class Attack:
    """A fixture project made ready to build: canaries, a listener, a fake home, a git repository."""

    def __init__(self, fixture: str, tmp: Path):
        self.fixture = fixture
        self.tag = uuid.uuid4().hex[:12]
        self.secret = f"ghp_canary{self.tag}0000000000000000000000"
        self.aws = f"canary-aws-{self.tag}"
        self.canaries = [f"canary-{kind}-{self.tag}" for kind in ("ssh", "gitconfig", "awsfile", "gitremote")]
        self.marker = f"handbook-hostile-{self.tag}"
        self.project, self.cache, self.site, self.home = (tmp / n for n in ("p", "cache", "site", "home"))
        host = non_loopback_address()
        self.listener = Listener(host or "127.0.0.1")
        self.network_host = host
        self._home()
        values = {"HOME": self.home, "PROJECT": self.project, "REPO": REPO, "VENV": VENV, "CACHE": self.cache,
                  "SITE": self.site, "HOST": self.listener.host, "PORT": self.listener.port,
                  "MARKER": self.marker}
        pages = {}
        for path in sorted((FIXTURES / fixture / "docs").rglob("*")):
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                for name, value in values.items():
                    text = text.replace(f"@@{name}@@", str(value))
                pages[path.relative_to(FIXTURES / fixture / "docs").as_posix()] = text
        self.config = write_project(self.project, pages)
        subprocess.run(["git", "init", "-q", str(self.project)], check=True)
        with (self.project / ".git" / "config").open("a") as f:
            f.write(f'[remote "origin"]\n\turl = https://x:{self.canaries[3]}@github.com/example/x.git\n')
        self.planted = [VENV / "lib/python3.12/site-packages/zz_hostile.pth",
                        self.project / ".git/hooks/post-checkout", self.project / "docs/nb/planted.md",
                        self.site / "planted.html", self.cache / "planted.json", REPO / "planted.txt"]

    def _home(self):
        (self.home / ".ssh").mkdir(parents=True)
        (self.home / ".aws").mkdir()
        (self.home / ".ssh/id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{self.canaries[0]}\n")
        (self.home / ".gitconfig").write_text(f"[github]\n\ttoken = {self.canaries[1]}\n")
        (self.home / ".aws/credentials").write_text(f"[default]\naws_secret_access_key={self.canaries[2]}\n")

    def build(self) -> subprocess.CompletedProcess:
        assert marked_processes(self.marker) == []
        return build(self.config, self.cache, site=self.site,
                     env={"GITHUB_TOKEN": self.secret, "AWS_SECRET_ACCESS_KEY": self.aws,
                          "HOME": str(self.home)})

    def leaks(self, *folders: Path) -> list[str]:
        """Files under folders that hold the secret or a canary."""
        needles = [s.encode() for s in (self.secret, self.aws, *self.canaries)]
        found = []
        for folder in folders:
            for path in folder.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    data = path.read_bytes()
                    found += [f"{path}: {n.decode()}" for n in needles if n in data]
        return found

    def close(self):
        self.listener.close()
        for path in self.planted:  # never leave a planted file behind, even when the sandbox failed
            path.unlink(missing_ok=True)


@pytest.fixture
def attack(request, tmp_path):
    made = Attack(request.param, tmp_path)
    yield made
    made.close()


def _outputs(cache: Path) -> str:
    """Everything the samples and notebooks printed, as the build kept it (and published it)."""
    text = []
    for entry in cache.glob("*/*/*.json"):
        value = json.loads(entry.read_text(encoding="utf-8"))["value"]
        for block in value.get("outputs", []):
            text += [block["stdout"], block["stderr"]]
        for cell in value.get("cells", []):
            text += ["".join(o.get("text", "")) for o in cell["outputs"]]
    return "\n".join(text)


@pytest.mark.parametrize("attack", HOSTILE, indirect=True)
def test_hostile_sample_is_contained(attack):
    if attack.fixture == "hostile-r" and not shutil.which("Rscript"):
        pytest.skip("R is not installed here")
    proc = attack.build()
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert not re.search(r"^Traceback", proc.stdout, re.M), "the build's own traceback"
    text = _outputs(attack.cache)
    # It ran: its own report says so, attempt by attempt.
    assert "left processes behind" in text and "blocked" in text
    assert "WRITTEN" not in text and "CONNECTED" not in text and "RESOLVED" not in text
    for path in ["/.ssh/id_rsa", "/.gitconfig", "/.aws/credentials", "/.git/config"]:
        assert re.search(rf"blocked \S*{re.escape(path)}", text), f"{path} was not shown as blocked"
    # Nothing it could read holds a secret: not in the site, not in the cache, not in the report.
    assert attack.leaks(attack.site, attack.cache) == []
    # Nothing outside the sandbox changed.
    assert [p for p in attack.planted if p.exists()] == []
    assert sorted(p.name for p in (attack.project / "docs" / "nb").iterdir()) == sorted(
        p.name for p in (FIXTURES / attack.fixture / "docs" / "nb").iterdir())
    # Nothing outlives the build, and nothing reached the listener.
    assert marked_processes(attack.marker) == []
    assert attack.listener.connections == 0


@pytest.mark.parametrize("attack", ["hostile-limits"], indirect=True)
def test_limits_hold_and_name_file_and_line(attack):
    proc = attack.build()
    out = proc.stdout
    assert proc.returncode != 0
    assert not re.search(r"^Traceback", out, re.M), "the build's own traceback"
    memory = "ran out of memory" if ISOLATION.cgroup_root else "MemoryError"
    processes = ("started too many processes" if ISOLATION.cgroup_root
                 else "Resource temporarily unavailable")
    expected = [
        rf"docs/nb/index.md:\d+: code sample failed: .*{memory}",
        rf"docs/nb/index.md:\d+: code sample failed: .*{processes}",
        r"docs/nb/index.md:\d+: code sample failed: .*No space left on device",
        r"docs/nb/index.md:\d+: code sample failed: printed more than 1000 kB of output",
        r"docs/nb/index.md:\d+: code sample failed: timed out after 2 s",
        r"docs/nb/output.ipynb: cell 1: returned more than 5000 kB of output",
        r"docs/nb/memory.ipynb: cell 1: (ran out of memory|the kernel died|.*MemoryError)",
        r"docs/nb/index.md:3\d: code sample failed: (ran out of memory|Error: cannot allocate)",
    ][:None if shutil.which("Rscript") else -1]
    missing = [pattern for pattern in expected if not re.search(pattern, out)]
    assert missing == [], out[-6000:]
    assert marked_processes(attack.marker) == []
    # Failed sessions are not cached.
    assert list((attack.cache / "samples").rglob("*.json")) == []
