"""Sample sessions: which blocks of a page run together, what they need, and running one.

A *session* is the executable blocks of one language on one page (or one `session=` name), run
in order in one sandbox. Its cache key is the code (full-line comments removed), the language,
the stand-ins it uses, its data files and the environment key (lock file, sandbox, stand-ins'
seeds, limits), but not the page path: the nb and sv versions of a sample share one entry.
Failures are never cached.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from handbook.execute import registry, sandbox
from handbook.execute.cache import Cache
from handbook.execute.limits import Limits
from handbook.markdown import fences, validate

EXTENSIONS = {"python": "py", "bash": "sh", "r": "R"}
R_LIBRARY_DIRS = ("/usr/lib/R/library", "/usr/lib/R/site-library", "/usr/local/lib/R/site-library")


@dataclass
class Session:
    path: str                 # as the author sees it, e.g. docs/nb/dapla/data.md
    lang: str
    name: str
    blocks: list              # list[fences.Block]
    standins: tuple = ()
    key: str = ""
    data: dict = field(default_factory=dict)   # name in the working folder -> file
    project: str = ""         # project="<clone URL>": the session starts in a clone of that repository

    @property
    def id(self) -> str:
        return f"{self.path}:{self.blocks[0].start}-{self.blocks[-1].end}"


@dataclass
class Result:
    ok: bool
    outputs: list = field(default_factory=list)   # per block {"stdout", "stderr"}; notebooks: per cell
    message: str = ""           # author-facing, names file and line
    seconds: float = 0.0
    cached: bool = False
    reason: str = ""            # why it failed, short: "timeout", "memory", "sandbox unavailable", ...
    ran: str = ""               # ISO date of the build that ran it (a cache hit: when it was cached)


@dataclass
class Context:
    """What running a session needs from the build."""

    project: object           # handbook.project.Project
    cache: Cache
    find_isolation: object    # () -> sandbox.Isolation, looked up once something has to run
    limits: Limits
    standins: registry.RunningStandIns
    refresh: bool = False
    cancel: object = None     # threading.Event: set when the build is interrupted

    @property
    def isolation(self) -> sandbox.Isolation:
        return self.find_isolation()


@dataclass
class PageScan:
    sessions: list
    skipped: list             # list[fences.Block]
    errors: list              # "file:line: message"


def scan_page(project, path: Path, env_key: str, known: dict, requirements: Requirements) -> PageScan:
    """The sessions, skipped blocks and author errors of one Markdown page."""
    rel = project.display(path)
    fence_errors: list[fences.FenceError] = []
    blocks = fences.find_blocks(path.read_text(encoding="utf-8"), rel, errors=fence_errors)
    errors = [f"{rel}:{e.line}: {e}" for e in fence_errors]
    grouped: dict[tuple[str, str], list[fences.Block]] = {}
    skipped = []
    for block in blocks:
        if not block.executable:
            continue
        if block.skip_reason or requirements.missing(block):
            skipped.append(block)
            continue
        grouped.setdefault((block.lang, block.options.get("session", "main")), []).append(block)
    sessions = []
    for (lang, name), members in grouped.items():
        problems, data = [], {}
        members = [_runnable(block, rel, problems) for block in members]
        for block in members:
            for entry in str(block.options.get("data", "")).split():
                try:
                    file = data_file(project, entry)
                except ValueError as exc:
                    problems.append(f"{rel}:{block.start}: {exc}")
                    continue
                if data.get(file.name, file) != file:
                    problems.append(f"{rel}:{block.start}: data=: two files named {file.name}")
                data[file.name] = file
        code = "\n".join(b.code for b in members)
        clone = next((str(b.options["project"]) for b in members if b.options.get("project")), "")
        if clone and not clone.startswith("https://"):
            problems.append(f"{rel}:{members[0].start}: project=: a repository's https clone address")
        # A session holds the stand-ins any of its blocks asks for (markers only when none asks);
        # project= needs the git stand-in.
        declared = " ".join([*(b.options["services"] for b in members if b.options.get("services")),
                             *(["git"] if clone else [])]) or None
        try:
            used = registry.used(code, declared, known)
        except registry.UnknownStandIn as exc:
            line = next(b.start for b in members if b.options.get("services"))
            problems.append(f"{rel}:{line}: {exc}")
        if problems:
            errors += problems
            continue
        h = hashlib.sha256(env_key.encode())
        h.update(json.dumps([lang, list(used), sorted(data), registry.uses(used, known, project),
                             clone]).encode())
        for b in members:
            h.update(b"\0" + fences.normalised_code(b.code).encode())
        for file in data.values():
            h.update(hashlib.sha256(file.read_bytes()).hexdigest().encode())
        sessions.append(Session(rel, lang, name, members, used, h.hexdigest(), data, clone))
    return PageScan(sessions, skipped, errors)


def _runnable(block: fences.Block, rel: str, problems: list[str]) -> fences.Block:
    """The block as the build runs it: with `placeholders=` replaced (a problem if they are wrong)."""
    if "placeholders" not in block.options:
        return block
    try:
        return dataclasses.replace(block, code=validate.with_placeholders(block))
    except ValueError as exc:
        problems.append(f"{rel}:{block.start}: {exc}")
        return block


def data_file(project, entry: str) -> Path:
    """A `data=` entry as a file of the project; ValueError (for the author) otherwise."""
    root = project.root.resolve()
    path = (root / entry).resolve()
    if root not in path.parents:
        raise ValueError(f"data={entry}: outside the project")
    inside = path.relative_to(root).parts
    private = [project.cache_dir.resolve(), project.site_dir.resolve()]
    if any(part.startswith(".") for part in inside) or any(p == path or p in path.parents for p in private):
        raise ValueError(f"data={entry}: not a content file (hidden, cache or built site)")
    if not path.exists():
        raise ValueError(f"data={entry}: no such file")
    if not path.is_file():
        raise ValueError(f"data={entry}: a folder, not a file")
    return path


class Requirements:
    """Whether a block's language and `requires=` packages are installed here."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self._r_packages: set | None = None

    def missing(self, block: fences.Block) -> str | None:
        if self.r_missing(block):
            return "R is not installed on this machine"
        missing = self.missing_packages(block)
        return f"needs {', '.join(missing)}, not installed here" if missing else None

    def r_missing(self, block: fences.Block) -> bool:
        return block.lang == "r" and not shutil.which("Rscript")

    def missing_packages(self, block: fences.Block) -> list[str]:
        """The block's `requires=` packages that are not installed here."""
        needed = str(block.options.get("requires", "")).replace(",", " ").split()
        if not needed:
            return []
        if block.lang == "r":
            have = self.r_packages()
            return [p for p in needed if p not in have]
        return [p for p in needed if importlib.util.find_spec(p) is None]

    def reason(self, block: fences.Block) -> str:
        return block.skip_reason or self.missing(block) or ""

    def r_packages(self) -> set:
        """Installed R packages; starting R costs a second, so the list is kept on disk and
        refreshed when a library folder changes (installing a package changes its mtime)."""
        if self._r_packages is None:
            stamp = [os.stat(d).st_mtime_ns for d in R_LIBRARY_DIRS if os.path.isdir(d)]
            cached = self.cache_dir / "r-packages.json"
            try:
                data = json.loads(cached.read_text())
                if data["stamp"] == stamp:
                    self._r_packages = set(data["packages"])
                    return self._r_packages
            except (OSError, ValueError, KeyError):
                pass
            out = subprocess.run(["Rscript", "-e", "cat(rownames(installed.packages()), sep='\\n')"],
                                 capture_output=True, text=True, check=False).stdout
            self._r_packages = set(out.split())
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps({"stamp": stamp, "packages": sorted(self._r_packages)}))
        return self._r_packages


def run_session(session: Session, ctx: Context) -> Result:
    """From the cache, or run in the sandbox (and cache it when it passed)."""
    if not ctx.refresh:
        hit = ctx.cache.get("samples", session.key)
        if hit is not None:
            return Result(ok=True, outputs=hit["outputs"], seconds=hit["seconds"], cached=True,
                          ran=hit.get("ran", ""))
    first = session.blocks[0]
    if not ctx.isolation.available:
        return Result(ok=False, reason="sandbox unavailable",
                      message=f"{session.path}:{first.start}: code sample not run: {ctx.isolation.problem}")
    ext = EXTENSIONS[session.lang]
    codes = [b.code for b in session.blocks]
    timeouts = [float(b.options.get("timeout", fences.DEFAULT_TIMEOUT)) for b in session.blocks]
    if session.project:   # a hidden first step: clone the project into the working folder
        codes, timeouts = [_clone_code(session.lang, session.project), *codes], [60.0, *timeouts]
    try:
        with ctx.standins.session(session.standins) as exposures:
            raw = sandbox.run(ctx.isolation, ctx.limits, sandbox.Job(
                driver=session.lang,
                inputs={f"{i:03d}.{ext}": code.encode() for i, code in enumerate(codes)},
                timeouts=timeouts,
                data_files=session.data, exposures=exposures, output_cap=ctx.limits.output_bytes,
                cancel=ctx.cancel))
    except registry.StandInUnavailable as exc:
        return Result(ok=False, reason="stand-in unavailable",
                      message=f"{session.path}:{first.start}: code sample not run: {exc}")
    if session.project:
        raw = _without_clone(raw)
    if raw.ok:
        ran = datetime.date.today().isoformat()
        ctx.cache.put("samples", session.key, {"outputs": raw.outputs, "seconds": raw.seconds,
                                                "id": session.id, "ran": ran})
        return Result(ok=True, outputs=raw.outputs, seconds=raw.seconds, ran=ran)
    index, line, error = _failure(raw)
    if "No space left on device" in error:
        error += f" (home and /tmp hold {ctx.limits.disk_mb} MB together)"
    block = session.blocks[min(index, len(session.blocks) - 1)]
    # Block.start is the fence line; the code starts on the next line.
    message = f"{block.path}:{block.start + (line or 1)}: code sample failed: {error}"
    if tail := raw.stderr_tail:
        message += "\n" + "\n".join("    " + ln for ln in tail.splitlines())
    return Result(ok=False, outputs=raw.outputs, message=message, seconds=raw.seconds,
                  reason=raw.limit or "error")


def _clone_code(lang: str, project: str) -> str:
    """Code that clones `project` ("<url>" or "<url>#<branch>") into the working folder as the
    project's author and, with a branch, switches to it (the remote's, or a new one), quietly.
    R then reads the project's .Rprofile, as R started in that folder would."""
    url, _, branch = project.partition("#")
    name, email = PROJECT_AUTHOR
    steps = [["git", "clone", "--quiet", url, "."], ["git", "config", "user.name", name],
             ["git", "config", "user.email", email]]
    switch = ([["git", "switch", "--quiet", branch], ["git", "switch", "--quiet", "-c", branch]]
              if branch else [])
    if lang == "bash":
        lines = [" ".join(shlex.quote(a) for a in step) for step in steps]
        if switch:
            lines.append(" || ".join(" ".join(shlex.quote(a) for a in s) + " 2>/dev/null" * (i == 0)
                                     for i, s in enumerate(switch)))
        return "\n".join(lines) + "\n"
    if lang == "python":
        code = "import subprocess as _s\n" + "".join(f"_s.run({step!r}, check=True)\n" for step in steps)
        if switch:
            code += (f"if _s.run({switch[0]!r}, stderr=_s.DEVNULL).returncode:\n"
                     f"    _s.run({switch[1]!r}, check=True)\n")
        return code + "del _s\n"

    def r_call(step: list[str]) -> str:
        return f"system2({json.dumps(step[0])}, c({', '.join(json.dumps(a) for a in step[1:])}))"
    code = "".join(f"stopifnot({r_call(step)} == 0)\n" for step in steps)
    if switch:
        code += f"if ({r_call(switch[0])} != 0) stopifnot({r_call(switch[1])} == 0)\n"
    # As if R had started in the project's folder: its .Rprofile (renv's activation) runs.
    return code + 'if (file.exists(".Rprofile")) source(".Rprofile", local = globalenv())\n'


def _without_clone(raw: sandbox.RawResult) -> sandbox.RawResult:
    """The result as if the hidden clone step was not there (a failure in it: the first block's)."""
    outputs = raw.outputs[1:] if raw.outputs else []
    failed = max(0, raw.failed_block - 1) if isinstance(raw.failed_block, int) else raw.failed_block
    messages = []
    for message in raw.messages:
        info = message.get("error")
        if isinstance(info, dict) and isinstance(info.get("block"), int):
            message = {**message, "error": {**info, "block": max(0, info["block"] - 1)}}
        messages.append(message)
    return dataclasses.replace(raw, outputs=outputs, failed_block=failed, messages=messages)


def _failure(raw: sandbox.RawResult) -> tuple[int, int | None, str]:
    """(block index, line in the block, error) of a failed run, from the driver's messages."""
    index, line, error = raw.failed_block or 0, None, raw.error
    if raw.limit in ("", "exit"):
        for message in raw.messages:
            info = message.get("error")
            if isinstance(info, dict):
                index = info.get("block", index) if isinstance(info.get("block"), int) else index
                line = info.get("line") if isinstance(info.get("line"), int) else line
                error = str(info.get("error") or error)
            elif isinstance(message.get("line"), int):
                line = message["line"]
        if raw.limit == "exit" and error == raw.error and (text := _last_error_line(raw, index)):
            error = text
    return index, line, error


def _last_error_line(raw: sandbox.RawResult, index: int) -> str:
    """A shell's own error line (`cmd: not found`), more useful than `exit status 127`."""
    stderr = raw.outputs[index]["stderr"] if index < len(raw.outputs) else ""
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return f"{raw.error}: {lines[-1].strip()}" if lines else ""


PROJECT_AUTHOR = ("Kari Nordmann", "kno@ssb.no")   # who commits in a project= session
