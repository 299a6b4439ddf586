"""Warm fixture builds (handbook.warm): the same result as a fresh interpreter, nothing shared."""

from __future__ import annotations

import textwrap

import pytest

from handbook import warm
from handbook.build import mkdocs_env

HOOK = """\
import os
from pathlib import Path

import handbook

BUILDS = []   # module state: a warm build must not see the previous build's


def on_post_build(config):
    BUILDS.append(1)
    Path(config.site_dir, "facts.txt").write_text(
        f"{os.environ.get('MARK')} {len(BUILDS)} {os.getcwd()} {handbook.__file__}")
"""


def _project(base, broken=False):
    (base / "docs").mkdir(parents=True)
    link = "[weg](finnes-ikke.md)" if broken else "tekst"
    (base / "docs" / "index.md").write_text(f"# Hei\n\n{link}\n")
    (base / "hook.py").write_text(HOOK)
    (base / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Varm
        theme: {name: material, font: false}
        hooks: [hook.py]
        plugins: [search]
    """))
    return base / "mkdocs.yml"


@pytest.mark.slow
def test_warm_builds_get_their_own_environment_and_fresh_state(tmp_path):
    config = _project(tmp_path / "p")
    for number in (1, 2):
        site = tmp_path / f"site-{number}"
        proc = warm.run_mkdocs(config, site, env={"MARK": f"m{number}"})
        assert proc.returncode == 0, proc.stdout
        mark, builds, cwd, package = (site / "facts.txt").read_text().split(" ")
        assert (mark, builds, cwd) == (f"m{number}", "1", str(config.parent))
        assert package.endswith("handbook/__init__.py")
    cold = warm._cold["run_mkdocs"](config, tmp_path / "cold", env={"MARK": "m2"})
    assert cold.returncode == 0
    assert (tmp_path / "cold" / "index.html").read_text() == \
        (tmp_path / "site-2" / "index.html").read_text()


@pytest.mark.slow
def test_a_failing_strict_build_fails_warm_too(tmp_path):
    config = _project(tmp_path, broken=True)
    proc = warm.run_mkdocs(config, tmp_path / "site")
    assert proc.returncode != 0
    assert "finnes-ikke.md" in proc.stdout and "Aborted with 1 warnings in strict mode" in proc.stdout
    assert proc.args[1:4] == ["-m", "mkdocs", "build"]
    assert mkdocs_env()["NO_MKDOCS_2_WARNING"] == "1"
