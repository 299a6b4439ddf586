"""Bad input fails the strict build with file:line and no traceback; interrupted builds leave nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_sandbox import ISOLATION, build, marked_processes, notebook, write_project

from handbook.markdown import validate

LIMIT = 1_000_000


# ---- the checks themselves -------------------------------------------------------------------

@pytest.mark.parametrize(("data", "line", "message"), [
    (b"# T\n\nabc\x00def\n", 3, "NUL byte"),
    ("# Bøtter\n\nÆ\n".encode("latin-1"), 1, "not UTF-8 text (byte 0xf8)"),
    (b"# T\n\n" + b"ok\n" * 3 + b"\xff\xfe\n", 6, "not UTF-8"),
    (b"---\ntitle: [unclosed\n---\n# T\n", 3, "invalid front matter"),
    (b"---\n- a\n- b\n---\n# T\n", 2, "invalid front matter: expected `key: value` lines"),
    (b"# T\n" + b"x" * LIMIT, 1, "the page is 1 001 kB; the limit is 1 000 kB"),
], ids=["nul", "latin-1", "bad-byte-line-6", "yaml", "not-a-mapping", "too-large"])
def test_bad_markdown_is_named_with_its_line(data, line, message):
    [problem] = validate.check_markdown(data, LIMIT)
    assert problem.line == line and message in problem.message


def test_good_markdown_passes():
    assert validate.check_markdown("---\ntitle: Bøtter\n---\n# Bøtter\n".encode(), LIMIT) == []


@pytest.mark.parametrize(("data", "line", "message"), [
    (b'{\n "cells": [\n  ,\n ]\n}\n', 3, "not a valid notebook"),
    (b'{"nbformat": 4}', 1, "no list of cells"),
    (json.dumps({"cells": [], "x": "y" * LIMIT}).encode(), 1, "the notebook is"),
], ids=["json-error", "no-cells", "too-large"])
def test_bad_notebooks_are_named(data, line, message):
    [problem] = validate.check_notebook(data, LIMIT)
    assert problem.line == line and message in problem.message


# ---- in a build ------------------------------------------------------------------------------

BAD_PAGES = {
    "nb/index.md": "# Hjem\n",
    "nb/frontmatter.md": "---\ntitle: [unclosed\n---\n# X\n",
    "nb/latin1.md": "# Bøtter\n\nÆ\n".encode("latin-1"),
    "nb/binary.md": b"# X\n\nabc\x00def\n",
    "nb/huge.md": "# Stor\n\n" + "tekst " * 200_000,
    "nb/bignotebook.ipynb": notebook(("md", "x" * 6_000_000), ("code", "print(1)")),
    "nb/broken.ipynb": '{"cells": [,]}',
    "nb/data.md": ('# D\n\n```python data="nope.csv"\nx = 1\n```\n\n'
                   '```python data="docs" session=b\nx = 1\n```\n\n'
                   '```python data="../outside.csv" session=c\nx = 1\n```\n\n'
                   '```python data=".git/config" session=d\nx = 1\n```\n'),
    "nb/options.md": ('# T\n\n```python timeout=nan\nx = 1\n```\n\n```python timeout=inf\nx = 1\n```\n\n'
                      '```bash timout=5\nls\n```\n\n```python services="nexsus"\nx = 1\n```\n'),
}
EXPECTED = [
    "docs/nb/frontmatter.md:3: invalid front matter",
    "docs/nb/latin1.md:1: not UTF-8 text",
    "docs/nb/binary.md:3: contains a NUL byte",
    "docs/nb/huge.md:1: the page is 1 201 kB; the limit is 1 000 kB",
    "docs/nb/bignotebook.ipynb:1: the notebook is 6 001 kB; the limit is 5 000 kB",
    "docs/nb/broken.ipynb:1: not a valid notebook",
    "docs/nb/data.md:3: data=nope.csv: no such file",
    "docs/nb/data.md:7: data=docs: a folder, not a file",
    "docs/nb/data.md:11: data=../outside.csv: outside the project",
    "docs/nb/data.md:15: data=.git/config: not a content file",
    "docs/nb/options.md:3: timeout must be more than 0 and at most 600 seconds, not 'nan'",
    "docs/nb/options.md:7: timeout must be more than 0 and at most 600 seconds, not 'inf'",
    "docs/nb/options.md:11: unknown fence option 'timout=5'",
    "docs/nb/options.md:15: services=: unknown stand-in nexsus",
]


@pytest.mark.slow
def test_every_bad_input_fails_the_build_with_file_and_line(tmp_path):
    config = write_project(tmp_path / "p", BAD_PAGES)
    (tmp_path / "outside.csv").write_text("a\n")
    (tmp_path / "p" / ".git").mkdir()
    (tmp_path / "p" / ".git" / "config").write_text("[core]\n")
    proc = build(config, tmp_path / "cache")
    assert proc.returncode != 0
    assert not re.search(r"^Traceback", proc.stdout, re.M), proc.stdout[-4000:]
    missing = [e for e in EXPECTED if e not in proc.stdout]
    assert missing == [], proc.stdout[-6000:]
    for expected in EXPECTED[:6]:  # reported once, not once per language or per hook
        assert proc.stdout.count(expected.split(": ")[0] + ":") == 1, expected


# ---- interrupted builds --------------------------------------------------------------------------

def _leftovers(pid: int) -> list[Path]:
    found = [*Path(tempfile.gettempdir()).glob(f"handbook-sandbox-{pid}-*"),
             *Path(tempfile.gettempdir()).glob(f"handbook-standins-{pid}-*")]
    if ISOLATION.cgroup_root is not None:
        for parent in ISOLATION.cgroup_root.parents.values():
            found += parent.glob(f"handbook-{pid}-*")
    return found


def _start_build(config: Path, cache: Path, marker: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDBOOK_")}
    env.update(HANDBOOK_CACHE_DIR=str(cache), DISABLE_MKDOCS_2_WARNING="true", NO_MKDOCS_2_WARNING="1")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d",
                             str(config.parent / "site")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not marked_processes(marker) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert marked_processes(marker), "the sample started"
    return proc


SLEEPER = """\
# Sover

```bash
ls /buckets/
setsid bash -c 'exec -a {marker} sleep 300' &
exec -a {marker} sleep 300
```
"""


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available, reason="no sandbox here")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["INT", "TERM", "KILL"])
def test_interrupted_build_leaves_no_process_and_no_folder(tmp_path, sig):
    marker = f"handbook-test-{os.getpid()}-{sig.name}"
    config = write_project(tmp_path / "p", {"nb/index.md": SLEEPER.format(marker=marker)})
    proc = _start_build(config, tmp_path / "cache", marker)
    assert _leftovers(proc.pid), "a build that runs a sample has a sandbox folder"
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    time.sleep(0.5)
    assert marked_processes(marker) == [], "every process of the sandbox died with the build"
    if sig != signal.SIGKILL:
        assert _leftovers(proc.pid) == []
    else:  # nothing can clean up after SIGKILL: the next build does
        assert _leftovers(proc.pid) != []
        (config.parent / "docs/nb/index.md").write_text("# Hjem\n\n```bash\necho hei\n```\n")
        assert build(config, tmp_path / "cache").returncode == 0
        assert _leftovers(proc.pid) == []
