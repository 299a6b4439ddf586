"""Execute the code samples of the Markdown pages and the notebooks, cached and in parallel.

A *session* is the executable blocks of one language on one page (or one `session=`
name), run in order in one sandboxed process. Its cache key is the code (full-line
comments removed), the language, the lockfile, declared data files, the local
services' seed and this runner's own source, but not the page path: the nb and sv
versions of a sample share one entry. Failures are never cached.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from handbook import CACHE_DIR, REPORTS_DIR, ROOT, display_path
from handbook.execute import sandbox, services
from handbook.markdown import fences

DEFAULT_TIMEOUT = 60.0
SAMPLE_CACHE = CACHE_DIR / "samples"


@dataclass
class Session:
    path: str                 # repository-relative page, e.g. docs/nb/dapla/data.md
    lang: str
    name: str
    blocks: list              # list[fences.Block]
    services: tuple = ()
    key: str = ""

    @property
    def id(self) -> str:
        return f"{self.path}:{self.blocks[0].start}-{self.blocks[-1].end}"


@dataclass
class Result:
    ok: bool
    outputs: list = field(default_factory=list)   # per block: {"stdout": str, "stderr": str}
    message: str = ""           # author-facing, names file and line
    seconds: float = 0.0
    cached: bool = False


def file_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def environment_key() -> str:
    """What every result depends on: locked packages, seeded data, the sandbox and its drivers."""
    sources = [ROOT / "uv.lock", Path(services.__file__),
               *sorted(p for p in Path(sandbox.__file__).parent.glob("*") if p.is_file())]
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in sources if p.exists())
    if _env_key_memo.get("stamp") != stamp:
        h = hashlib.sha256()
        h.update(file_key(ROOT / "uv.lock").encode())
        h.update(services.seed_version().encode())
        for source in sources[2:]:  # the sandbox: how code runs
            h.update(source.read_bytes())
        _env_key_memo.update(stamp=stamp, key=h.hexdigest())
    return _env_key_memo["key"]


_env_key_memo: dict = {}


_page_memo: dict = {}


def page_sessions(path: Path, env_key: str) -> tuple[list[Session], list[fences.Block]]:
    """The sessions of one Markdown page and its skipped blocks (memoised per process on the
    file's size and mtime: every language build and `mkdocs serve` rebuild asks again)."""
    st = path.stat()
    memo_key = (str(path), st.st_mtime_ns, st.st_size, env_key)
    if memo_key not in _page_memo:
        _page_memo[memo_key] = _page_sessions(path, env_key)
    return _page_memo[memo_key]


def _page_sessions(path: Path, env_key: str) -> tuple[list[Session], list[fences.Block]]:
    rel = display_path(path)
    blocks = fences.find_blocks(path.read_text(encoding="utf-8"), rel)
    grouped: dict[tuple[str, str], list[fences.Block]] = {}
    skipped = []
    for block in blocks:
        if not block.executable:
            continue
        if block.skip_reason or missing_requirement(block):
            skipped.append(block)
            continue
        grouped.setdefault((block.lang, block.options.get("session", "main")), []).append(block)
    sessions = []
    for (lang, name), members in grouped.items():
        code = "\n".join(b.code for b in members)
        used = services.services_used(code, next((b.options.get("services") for b in members
                                                   if b.options.get("services")), None))
        h = hashlib.sha256(env_key.encode())
        h.update(json.dumps([lang, list(used)]).encode())
        for b in members:
            h.update(b"\0" + fences.normalised_code(b.code).encode())
            for data in str(b.options.get("data", "")).split():
                h.update(file_key(ROOT / data).encode())
        sessions.append(Session(rel, lang, name, members, used, h.hexdigest()))
    return sessions, skipped


_r_packages: set | None = None


def missing_requirement(block: fences.Block) -> str | None:
    """Why a block cannot run here, or None."""
    if block.lang == "r" and not shutil.which("Rscript"):
        return "R is not installed on this machine"
    needed = str(block.options.get("requires", "")).replace(",", " ").split()
    if not needed:
        return None
    if block.lang == "r":
        have = installed_r_packages()
        missing = [p for p in needed if p not in have]
    else:
        import importlib.util
        missing = [p for p in needed if importlib.util.find_spec(p) is None]
    return f"needs {', '.join(missing)}, not installed here" if missing else None


R_LIBRARY_DIRS = ("/usr/lib/R/library", "/usr/lib/R/site-library", "/usr/local/lib/R/site-library")


def installed_r_packages() -> set:
    """Installed R packages; starting R costs a second, so the list is cached on disk and
    refreshed when a library folder changes (installing a package changes its mtime)."""
    global _r_packages
    if _r_packages is None:
        stamp = [os.stat(d).st_mtime_ns for d in R_LIBRARY_DIRS if os.path.isdir(d)]
        cached = CACHE_DIR / "r-packages.json"
        try:
            data = json.loads(cached.read_text())
            if data["stamp"] == stamp:
                _r_packages = set(data["packages"])
                return _r_packages
        except (OSError, ValueError, KeyError):
            pass
        import subprocess
        out = subprocess.run(["Rscript", "-e", "cat(rownames(installed.packages()), sep='\\n')"],
                             capture_output=True, text=True, check=False).stdout
        _r_packages = set(out.split())
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps({"stamp": stamp, "packages": sorted(_r_packages)}))
    return _r_packages


def skip_reason(block: fences.Block) -> str:
    return block.skip_reason or missing_requirement(block) or ""


# ---- cache -------------------------------------------------------------------------------

def cache_path(key: str, kind: str = "samples") -> Path:
    return CACHE_DIR / kind / key[:2] / f"{key}.json"


def cache_get(key: str, kind: str = "samples") -> dict | None:
    try:
        return json.loads(cache_path(key, kind).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cache_put(key: str, value: dict, kind: str = "samples") -> None:
    """Write atomically: a crash never leaves half a file behind."""
    target = cache_path(key, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False)
    os.replace(tmp, target)


# ---- running -----------------------------------------------------------------------------

def run_session(session: Session, local: services.LocalServices, refresh: bool = False) -> Result:
    if not refresh:
        hit = cache_get(session.key)
        if hit is not None:
            return Result(ok=True, outputs=hit["outputs"], seconds=hit["seconds"], cached=True)
    with local.session(session.services) as service_env:
        raw = sandbox.run(
            session.lang, [b.code for b in session.blocks],
            timeouts=[float(b.options.get("timeout", DEFAULT_TIMEOUT)) for b in session.blocks],
            extra_env=service_env,
            data_files=[ROOT / d for b in session.blocks for d in str(b.options.get("data", "")).split()],
        )
    if raw.ok:
        cache_put(session.key, {"outputs": raw.outputs, "seconds": raw.seconds, "id": session.id})
        return Result(ok=True, outputs=raw.outputs, seconds=raw.seconds)
    block = session.blocks[raw.failed_block] if raw.failed_block is not None else session.blocks[0]
    # Block.start is the fence line; the code starts on the next line.
    line = block.start + (raw.line if raw.line else 1)
    message = f"{block.path}:{line}: code sample failed: {raw.error}"
    if raw.stderr_tail:
        message += "\n" + "\n".join("    " + ln for ln in raw.stderr_tail.splitlines())
    return Result(ok=False, outputs=raw.outputs, message=message, seconds=raw.seconds)


class Runner:
    """Runs everything a build needs once per process; later builds (the other language,
    `mkdocs serve` rebuilds) only run what changed."""

    def __init__(self, workers: int | None = None, refresh: bool = False, log=print):
        self.workers = workers or os.cpu_count() or 2
        self.refresh = refresh
        self.log = log
        self.local = services.LocalServices()
        self.results: dict[str, Result] = {}
        self.lock = threading.Lock()

    def run_all(self, jobs: list[tuple[str, object]]) -> dict[str, Result]:
        """jobs: (key, callable returning Result). Runs those not yet known, in parallel."""
        todo = {}
        for key, job in jobs:
            if key not in self.results and key not in todo:
                todo[key] = job
        if not todo:
            return self.results
        total, done = len(todo), 0
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            futures = {pool.submit(job): key for key, job in todo.items()}
            for future in concurrent.futures.as_completed(futures):
                key = futures[future]
                result = future.result()
                done += 1
                with self.lock:
                    self.results[key] = result
                label = getattr(todo[key], "label", key[:12])
                state = "cache hit" if result.cached else ("ok" if result.ok else "FAILED")
                self.log(f"[{done}/{total}] {label}: {state} ({result.seconds:.1f} s)")
        return self.results

    def close(self) -> None:
        self.local.stop()


def main(argv: list[str]) -> int:
    """`handbook samples [--refresh] [PATH ...]`: run samples and notebooks without building."""
    import argparse

    parser = argparse.ArgumentParser(prog="handbook samples")
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--refresh", action="store_true", help="ignore the cache and re-execute")
    args = parser.parse_args(argv)
    runner = Runner(refresh=args.refresh)
    try:
        plan = Plan.discover(args.paths or None)
        plan.execute(runner)
        report = plan.report(runner)
        write_report(report)
        print(summary_line(report))
        for problem in plan.problems(runner):
            print(problem)
        return 1 if report["totals"]["failed"] or plan.errors else 0
    finally:
        runner.close()


# ---- planning and reporting --------------------------------------------------------------

@dataclass
class Plan:
    sessions: list = field(default_factory=list)        # list[Session]
    skipped: list = field(default_factory=list)         # list[fences.Block]
    notebooks: list = field(default_factory=list)       # list[notebooks.NotebookJob]
    errors: list = field(default_factory=list)          # fence errors: str

    @classmethod
    def discover(cls, paths: list[Path] | None = None, docs_dir: Path = ROOT / "docs") -> Plan:
        from handbook.execute import notebooks

        env_key = environment_key()
        plan = cls()
        for page in paths or notebooks.walk(Path(docs_dir), (".md", ".ipynb")):
            page = page if page.is_absolute() else Path.cwd() / page
            if page.suffix == ".ipynb":
                try:
                    plan.notebooks.append(notebooks.NotebookJob.for_path(page, env_key))
                except Exception as exc:  # not valid notebook JSON: name the file
                    plan.errors.append(f"{display_path(page)}: not a valid notebook: {exc}")
                continue
            try:
                sessions, skipped = page_sessions(page, env_key)
            except fences.FenceError as exc:
                plan.errors.append(f"{display_path(page)}:{exc.line}: {exc}")
                continue
            plan.sessions += sessions
            plan.skipped += skipped
        return plan

    def execute(self, runner: Runner) -> None:
        jobs = []
        for session in self.sessions:
            job = _labelled(lambda s=session: run_session(s, runner.local, runner.refresh),
                            f"{session.id} ({session.lang})")
            jobs.append((session.key, job))
        for nb in self.notebooks:
            jobs.append((nb.key, _labelled(lambda n=nb: n.run(runner.local, runner.refresh),
                                           nb.label)))
        runner.run_all(jobs)

    def problems(self, runner: Runner) -> list[str]:
        out = list(self.errors)
        seen = set()
        for item in [*self.sessions, *self.notebooks]:
            result = runner.results.get(item.key)
            if result and not result.ok and item.key not in seen:
                seen.add(item.key)
                out.append(result.message)
        return out

    def report(self, runner: Runner) -> dict:
        pages: dict[str, dict] = {}

        def entry(path: str) -> dict:
            parts = path.split("/")
            lang = next((p for p in parts if p in ("nb", "sv")), "")
            return pages.setdefault(path, {"language": lang, "executed": 0, "cache_hits": 0,
                                           "failed": 0, "skipped": [], "seconds": 0.0})

        seen = set()
        for item in [*self.sessions, *self.notebooks]:
            result = runner.results.get(item.key)
            e = entry(item.path)
            n = len(item.blocks) if isinstance(item, Session) else 1
            if result is None:
                continue
            shared = item.key in seen  # the other language's identical sample ran it
            seen.add(item.key)
            if not result.ok:
                e["failed"] += 1  # the session stops at its failing block
            elif result.cached or shared:
                e["cache_hits"] += n
            else:
                e["executed"] += n
                e["seconds"] = round(e["seconds"] + result.seconds, 2)
        for block in self.skipped:
            entry(block.path)["skipped"].append({"lines": f"{block.start}-{block.end}",
                                                  "reason": skip_reason(block)})
        totals = {k: sum(p[k] for p in pages.values()) for k in ("executed", "cache_hits", "failed")}
        totals["skipped"] = sum(len(p["skipped"]) for p in pages.values())
        totals["notebooks_executed"] = len({
            nb.key for nb in self.notebooks
            if (r := runner.results.get(nb.key)) and r.ok and not r.cached})
        return {"totals": totals, "pages": pages}


def _labelled(fn, label):
    fn.label = label
    return fn


def write_report(report: dict) -> Path:
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    target = REPORTS_DIR / "execution.json"
    fd, tmp = tempfile.mkstemp(dir=REPORTS_DIR, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=2)
    os.replace(tmp, target)
    return target


def summary_line(report: dict) -> str:
    t = report["totals"]
    return (f"code samples: {t['executed']} executed, {t['cache_hits']} from cache, "
            f"{t['skipped']} skipped, {t['failed']} failed; notebooks executed: "
            f"{t['notebooks_executed']}")


_shared: Runner | None = None


def shared_runner(log=print) -> Runner:
    """One runner per process, so `mkdocs serve` rebuilds and the second language reuse results."""
    global _shared
    if _shared is None:
        _shared = Runner(refresh=os.environ.get("HANDBOOK_REFRESH_OUTPUTS") == "1", log=log)
    return _shared


def notebook_outputs(source: Path) -> list | None:
    """Outputs of a notebook page: from this process, the cache, or by running it now."""
    from handbook.execute import notebooks

    runner = shared_runner()
    job = notebooks.NotebookJob.for_path(source, environment_key())
    if job.key not in runner.results:
        runner.run_all([(job.key, _labelled(lambda: job.run(runner.local, runner.refresh), job.label))])
    result = runner.results[job.key]
    return result.outputs if result.ok else None
