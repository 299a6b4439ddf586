"""Execute a project's code samples and notebooks, cached and in parallel; report what happened.

One `Runner` per build (the MkDocs adapter keeps it in the build's state; `handbook samples`
makes its own): it owns the cache, the stand-ins it started and the sandbox settings, and knows
every result of this build, so the second language and page rendering reuse them. Across builds
results come from the disk cache. `Plan` is what one pass over the docs found; its report is
`<cache dir>/reports/execution.json`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import os
import signal
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from handbook.execute import registry, report, sandbox
from handbook.execute.cache import Cache
from handbook.execute.limits import Limits
from handbook.execute.notebooks import NotebookError, NotebookJob, walk
from handbook.execute.sessions import Context, PageScan, Requirements, Result, run_session, scan_page

HERE = Path(__file__).resolve().parent
REFRESH_ENV = "HANDBOOK_REFRESH_OUTPUTS"


class Runner:
    def __init__(self, project, *, refresh: bool | None = None, unsafe: bool = False,
                 workers: int | None = None, cache_dir: Path | None = None, log=print):
        self.project = project
        self.refresh = os.environ.get(REFRESH_ENV) == "1" if refresh is None else refresh
        self.unsafe = unsafe
        self.workers = workers or os.cpu_count() or 2
        self.log = log
        self.limits = Limits.from_settings(project.settings)
        self.cache = Cache(cache_dir or project.cache_dir)
        self.known = registry.registrations()
        self.standins = registry.RunningStandIns(project, self.known)
        self.requirements = Requirements(cache_dir or project.cache_dir)
        self.results: dict[str, Result] = {}
        self.cancel = threading.Event()
        self._scans: dict[tuple, PageScan] = {}
        self._lock = threading.Lock()
        self._isolation: sandbox.Isolation | None = None
        sandbox.reap_stale_temp()  # folders of builds that were killed outright

    @property
    def isolation(self) -> sandbox.Isolation:
        """Looked up when something has to run (a warm build never asks)."""
        with self._lock:
            if self._isolation is None:
                self._isolation = sandbox.Isolation.detect(unsafe=self.unsafe)
            return self._isolation

    @cached_property
    def env_key(self) -> str:
        """What every result depends on: locked packages, the sandbox, stand-ins, limits. Results of
        unsandboxed runs (--unsafe-no-sandbox) are kept apart from sandboxed ones. What the package
        and git stand-ins serve goes only into the keys of the sessions that use them."""
        h = hashlib.sha256(b"none" if self.unsafe_requested else b"bubblewrap")
        lock = self.project.root / "uv.lock"
        h.update(lock.read_bytes() if lock.exists() else b"no lock file")
        h.update(registry.fingerprint(self.known).encode())
        h.update(repr(sorted(self.limits.describe().items())).encode())
        for source in sorted((HERE / "sandbox").iterdir()):
            if source.suffix in (".py", ".sh", ".R"):
                h.update(source.read_bytes())
        return h.hexdigest()

    @property
    def unsafe_requested(self) -> bool:
        return self.unsafe or os.environ.get(sandbox.UNSAFE_ENV) == "1"

    def sandbox_summary(self) -> dict:
        """For the report: the sandbox used, without looking it up when nothing had to run."""
        if self._isolation is not None:
            return self._isolation.describe()
        return {"kind": "none" if self.unsafe_requested else "bubblewrap", "limits": "",
                "problem": "", "note": "nothing was executed in this build"}

    def context(self) -> Context:
        return Context(self.project, self.cache, lambda: self.isolation, self.limits, self.standins,
                       self.refresh, self.cancel)

    def scan(self, page: Path) -> PageScan:
        """Sessions of one Markdown page, remembered for this build (asked again per language)."""
        st = page.stat()
        memo = (str(page), st.st_mtime_ns, st.st_size)
        if memo not in self._scans:
            self._scans[memo] = scan_page(self.project, page, self.env_key, self.known, self.requirements)
        return self._scans[memo]

    def notebook(self, source: Path) -> NotebookJob:
        return NotebookJob.for_path(self.project, source, self.env_key, self.known, self.limits)

    def notebook_outputs(self, source: Path) -> list | None:
        """Outputs of a notebook page: from this build, the cache, or by running it now."""
        try:
            job = self.notebook(source)
        except NotebookError:
            return None
        self.run_all([(job.key, _labelled(lambda: job.run(self.context()), job.label))])
        result = self.results[job.key]
        return result.outputs if result.ok else None

    def run_all(self, jobs: list[tuple[str, object]]) -> dict[str, Result]:
        """jobs: (key, callable returning Result). Runs those not yet known, in parallel."""
        todo = {}
        for key, job in jobs:
            if key not in self.results and key not in todo:
                todo[key] = job
        if not todo:
            return self.results
        total, done = len(todo), 0
        pool = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="handbook-sample")
        try:
            futures = {pool.submit(job): key for key, job in todo.items()}
            for future in concurrent.futures.as_completed(futures):
                key = futures[future]
                result = future.result()
                done += 1
                self.results[key] = result
                label = getattr(todo[key], "label", key[:12])
                state = "cache hit" if result.cached else ("ok" if result.ok else "FAILED")
                self.log(f"[{done}/{total}] {label}: {state} ({result.seconds:.1f} s)")
        except BaseException:
            self.cancel.set()  # interrupted: running sandboxes stop at once
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return self.results

    def close(self) -> None:
        """Stop everything this build started; safe to call more than once."""
        self.cancel.set()
        self.standins.close()


@dataclass
class Plan:
    sessions: list = field(default_factory=list)        # list[Session]
    skipped: list = field(default_factory=list)         # list[fences.Block]
    notebooks: list = field(default_factory=list)       # list[NotebookJob]
    errors: list = field(default_factory=list)          # "file:line: message"

    @classmethod
    def discover(cls, runner: Runner, paths: list[Path] | None = None,
                 exclude: set[Path] | frozenset = frozenset()) -> Plan:
        """What the pages (default: all under docs/) hold; `exclude`: resolved paths to leave out."""
        plan = cls()
        for page in paths or walk(runner.project.docs_dir, (".md", ".ipynb")):
            page = page if page.is_absolute() else Path.cwd() / page
            if exclude and page.resolve() in exclude:
                continue
            try:
                if page.suffix == ".ipynb":
                    plan.notebooks.append(runner.notebook(page))
                    continue
                scan = runner.scan(page)
            except NotebookError as exc:
                plan.errors.append(str(exc))
                continue
            except (OSError, UnicodeDecodeError) as exc:  # the validate hook names these first
                plan.errors.append(f"{runner.project.display(page)}: cannot read: {exc}")
                continue
            plan.sessions += scan.sessions
            plan.skipped += scan.skipped
            plan.errors += scan.errors
        return plan

    def execute(self, runner: Runner) -> None:
        jobs = []
        for session in self.sessions:
            jobs.append((session.key, _labelled(lambda s=session: run_session(s, runner.context()),
                                                f"{session.id} ({session.lang})")))
        for nb in self.notebooks:
            jobs.append((nb.key, _labelled(lambda n=nb: n.run(runner.context()), nb.label)))
        runner.run_all(jobs)

    def problems(self, runner: Runner) -> list[str]:
        """Author-facing messages; one for all that could not run for want of a sandbox."""
        out, seen, unavailable = list(self.errors), set(), 0
        for item in [*self.sessions, *self.notebooks]:
            result = runner.results.get(item.key)
            if result is None or result.ok or item.key in seen:
                continue
            seen.add(item.key)
            if result.reason == "sandbox unavailable":
                unavailable += 1
            else:
                out.append(result.message)
        if unavailable:
            out.append(f"{unavailable} code sample session(s) and notebook(s) not run: "
                       f"{runner.isolation.problem}")
        return out

    def report(self, runner: Runner) -> dict:
        return report.build(self, runner)


def _labelled(fn, label):
    fn.label = label
    return fn


def interrupt_on_signals():
    """Make SIGTERM and SIGHUP end the build like Ctrl-C does, so `finally` blocks and atexit
    clean up; returns a function that puts the previous handlers back. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def restore():
        # A finalizer may run this in whichever thread the garbage collector ran in, where
        # signal.signal raises; the handlers then stay, and only turn a signal into Ctrl-C.
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return restore


@contextlib.contextmanager
def stop_on_signals():
    restore = interrupt_on_signals()
    try:
        yield
    finally:
        restore()


def main(argv: list[str] | None = None) -> int:
    """`handbook samples`: run samples and notebooks without building; --why-skipped lists skips."""
    from handbook.project import Project, ProjectError

    parser = argparse.ArgumentParser(prog="handbook samples")
    parser.add_argument("paths", nargs="*", type=Path, help="pages or notebooks (default: all)")
    parser.add_argument("--config-file", type=Path, default=None, help="mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--refresh", action="store_true", help="ignore the cache and re-execute")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run samples without the sandbox (your own machine only; never in CI)")
    parser.add_argument("--why-skipped", action="store_true",
                        help="list the blocks that are not executed, grouped by reason, and exit")
    args = parser.parse_args(argv)
    try:
        project = Project.load(args.config_file)
    except ProjectError as exc:
        print(exc)
        return 2
    runner = Runner(project, refresh=args.refresh or None, unsafe=args.unsafe_no_sandbox)
    try:
        with stop_on_signals():
            plan = Plan.discover(runner, args.paths or None)
            if args.why_skipped:
                print(report.why_skipped(plan, runner))
                return 0
            plan.execute(runner)
            result = plan.report(runner)
            report.write(project.reports_dir, result)
            print(report.summary_line(result))
            for problem in plan.problems(runner):
                print(problem)
            return 1 if result["totals"]["failed"] or plan.errors else 0
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    finally:
        runner.close()


if __name__ == "__main__":
    raise SystemExit(main())
