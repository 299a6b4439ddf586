"""Build the site without losing the previous one, then check what was built.

`handbook build` builds strictly into a temporary folder next to the target and only
replaces `site/` when the build and the checks of the built site pass, so a failing
build leaves the previous site in place. Reports go to .cache/reports/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from handbook import REPORTS_DIR, ROOT

BUILD_ENV = {"DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def mkdocs_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(BUILD_ENV)
    env.update(extra or {})
    return env


def run_mkdocs(config_file: Path | str, site_dir: Path | str, *, strict: bool = True,
               env: dict | None = None, cwd: Path | str | None = None) -> subprocess.CompletedProcess:
    """Run `mkdocs build` in a subprocess; stdout and stderr merged into .stdout."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site_dir)]
    if strict:
        cmd.append("--strict")
    return subprocess.run(cmd, cwd=cwd or Path(config_file).resolve().parent, env=mkdocs_env(env),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)


def site_checks():
    """Checks that read the built site; each returns a list of printable problems."""
    checks = []
    try:
        from handbook.checks import links as linkcheck
        checks.append(("links", linkcheck.check_site))
    except ImportError:
        pass
    return checks


def build(site_dir: Path = ROOT / "site", config_file: Path = ROOT / "mkdocs.yml") -> int:
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=site_dir.parent))
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file),
             "-d", str(staging)], cwd=ROOT, env=mkdocs_env(), check=False)
        if proc.returncode != 0:
            print(f"build failed (exit {proc.returncode}); the previous site in {site_dir} is unchanged",
                  file=sys.stderr)
            return proc.returncode
        problems = 0
        for name, check in site_checks():
            found = check(staging)
            for problem in found:
                print(problem, file=sys.stderr)
            problems += len(found)
            print(f"{name}: {len(found)} problem(s)")
        if problems:
            print(f"{problems} problem(s) in the built site; the previous site in {site_dir} is unchanged",
                  file=sys.stderr)
            return 1
        _swap(staging, site_dir)
        staging = None
        REPORTS_DIR.mkdir(parents=True, exist_ok=True)
        (REPORTS_DIR / "build.json").write_text(json.dumps(
            {"site_dir": str(site_dir), "seconds": round(time.monotonic() - started, 2)}, indent=2))
        print(f"site built in {time.monotonic() - started:.1f} s: {site_dir}")
        return 0
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
