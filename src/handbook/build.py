"""`handbook build`: build the site without losing the previous one, then check what was built.

Builds strictly (every language) into a staging folder next to the target and only replaces the
site folder when the build and the checks of the built site pass, so a failing or interrupted
build leaves the previous site in place. Staging folders of builds that died (SIGKILL, power
loss) are removed by the next build. Reports go to the project's .cache/reports/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from handbook.checks import links
from handbook.editions.build import build_editions
from handbook.execute.sandbox import UNSAFE_ENV
from handbook.execute.sandbox.cgroups import process_alive
from handbook.project import Project, ProjectError

BUILD_ENV = {"DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
STAGING_PREFIX = ".site-new-"


def mkdocs_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(BUILD_ENV)
    env.update(extra or {})
    return env


def run_mkdocs(config_file: Path | str, site_dir: Path | str, *, strict: bool = True,
               env: dict | None = None, cwd: Path | str | None = None,
               capture: bool = True) -> subprocess.CompletedProcess:
    """`mkdocs build` in its own process group; on return or interrupt nothing it started in
    that group is left running. With `capture`, stdout and stderr merged into .stdout."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site_dir)]
    if strict:
        cmd.append("--strict")
    out = subprocess.PIPE if capture else None
    # The build's temporary files (sandboxes, kernels' folders) all go in one folder removed here,
    # so a build killed halfway leaves none behind.
    scratch = tempfile.mkdtemp(prefix="handbook-build-")
    proc = subprocess.Popen(cmd, cwd=cwd or Path(config_file).resolve().parent,
                            env=mkdocs_env({**(env or {}), "TMPDIR": scratch}),
                            stdout=out, stderr=subprocess.STDOUT if capture else None, text=True,
                            start_new_session=True)
    try:
        stdout, _ = proc.communicate()
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        remove_tree(Path(scratch))
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout or "", None)


SiteCheck = Callable[[Project, Path], list]


def site_checks() -> list[tuple[str, SiteCheck]]:
    """Checks that read the built site; each returns a list of printable problems."""
    return [("links", lambda project, site: links.check_site(
        site, links.LinkCheckConfig.for_project(project, site_label=project.display(project.site_dir))))]


def build(project: Project, site_dir: Path | None = None, *, editions: bool = True, log=print) -> int:
    site_dir = (site_dir or project.site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(site_dir.parent)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=site_dir.parent))
    staging.chmod(0o755)   # mkdtemp makes it private; the published site is for everyone
    started = time.monotonic()
    previous = {sig: signal.signal(sig, _interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        proc = run_mkdocs(project.config_file, staging, capture=False)
        if proc.returncode != 0:
            log(f"build failed (exit {proc.returncode}); the previous site in "
                f"{project.display(site_dir)} is unchanged", file=sys.stderr)
            return proc.returncode or 1
        problems = 0
        for name, check in site_checks():
            found = check(project, staging)
            for problem in found:
                log(problem, file=sys.stderr)
            problems += len(found)
            log(f"{name}: {len(found)} problem(s)")
        if not problems and editions and project.uses_hook("editions"):   # a project without it has none
            found = build_editions(project, staging)
            for problem in found:
                log(problem, file=sys.stderr)
            problems += len(found)
            log(f"editions (PDF, offline copy): {len(found)} problem(s)")
        if problems:
            log(f"{problems} problem(s) in the built site; the previous site in "
                f"{project.display(site_dir)} is unchanged", file=sys.stderr)
            return 1
        swap(staging, site_dir)
        staging = None
        seconds = round(time.monotonic() - started, 2)
        project.reports_dir.mkdir(parents=True, exist_ok=True)
        (project.reports_dir / "build.json").write_text(json.dumps(
            {"config_file": str(project.config_file), "site_dir": str(site_dir),
             "seconds": seconds}, indent=2) + "\n", encoding="utf-8")
        log(f"site built in {seconds:.1f} s: {project.display(site_dir)}")
        return 0
    except KeyboardInterrupt:
        log(f"build interrupted; the previous site in {project.display(site_dir)} is unchanged",
            file=sys.stderr)
        return 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def remove_tree(path: Path) -> None:
    """Remove a folder even where something inside made parts of it read-only."""
    def writable_then_retry(function, name, _error):
        with contextlib.suppress(OSError):
            os.chmod(Path(name).parent, 0o700)
            os.chmod(name, 0o700)
            function(name)
    shutil.rmtree(path, onexc=writable_then_retry)


def _interrupted(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def remove_stale_staging(folder: Path) -> list[Path]:
    """Remove staging folders whose build process is gone (named .site-new-<pid>-...)."""
    removed = []
    for path in folder.glob(f"{STAGING_PREFIX}*"):
        pid = path.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and process_alive(int(pid)):
            continue  # a concurrent build is still writing it
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def swap(new: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="where the site goes (default: site_dir of mkdocs.yml)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run code samples without the sandbox (never in CI; only where "
                             "bubblewrap cannot run and you trust every page)")
    parser.add_argument("--no-editions", action="store_true",
                        help="leave out the PDF and the offline copy (a faster build to look at)")
    args = parser.parse_args(argv)
    try:
        project = Project.load(args.config_file)
    except ProjectError as exc:
        print(f"build: {exc}", file=sys.stderr)
        return 2
    if args.unsafe_no_sandbox:
        os.environ[UNSAFE_ENV] = "1"   # read by the samples adapter in the mkdocs process
    return build(project, args.site_dir, editions=not args.no_editions, log=_log)


def _log(message: str, file=None) -> None:
    print(message, file=file or sys.stdout, flush=True)
