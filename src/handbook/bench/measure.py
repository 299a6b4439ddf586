"""One benchmark build and what it cost: wall time, CPU time of its whole process tree, peak
memory, the log with time stamps, and the execution report the build wrote."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from handbook.bench import site as bench_site

PROGRESS = re.compile(r"\[(\d+)/(\d+)\]")


def measure(name: str, config: Path, site: Path, env: dict, log_dir: Path,
            runner: tuple[str, ...] = ("-m", "mkdocs")) -> dict:
    """Run `python -m mkdocs build --no-strict`; wall, CPU (user + system of the build and every
    process it waited for, from wait4) and peak memory (largest ru_maxrss in that tree).
    `runner` replaces `-m mkdocs` (handbook.bench.hooktime times every hook's events)."""
    shutil.rmtree(site, ignore_errors=True)
    cmd = [sys.executable, *runner, "build", "--no-strict", "-f", str(config), "-d", str(site)]
    log_path = log_dir / (name.replace("/", "_").replace(" ", "_") + ".log")
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=config.parent, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace")
    stamped: list[tuple[float, str]] = []

    def read():
        for line in proc.stdout:
            stamped.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    reader.join()
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    log_path.write_text("".join(f"{t:8.2f} {line}\n" for t, line in stamped), encoding="utf-8")
    warnings = sum(1 for _, line in stamped if line.startswith("WARNING"))
    result = {
        "name": name, "config": config.name, "returncode": proc.returncode,
        "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1), "warnings": warnings, "log": str(log_path),
        "execution_phase_s": execution_phase(stamped),
        "load_average": round(os.getloadavg()[0], 2),
    }
    state = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode}, see {log_path})"
    print(f"  {name}: {result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU, "
          f"{result['peak_mb']:.0f} MB, {warnings} warning(s), load {result['load_average']}: "
          f"{state}", flush=True)
    return result


def execution_phase(stamped: list[tuple[float, str]]) -> float | None:
    """Seconds from the start until the pre-build pass logged its last job ([N/N])."""
    for t, line in stamped:
        m = PROGRESS.search(line)
        if m and m.group(1) == m.group(2):
            return round(t, 2)
    return None


def build_env(cache: Path) -> dict:
    env = dict(os.environ)
    env.update(DISABLE_MKDOCS_2_WARNING="true", NO_MKDOCS_2_WARNING="1",
               HANDBOOK_CACHE_DIR=str(cache), HANDBOOK_REPORTS_DIR=str(cache / "reports"))
    env.pop("HANDBOOK_REFRESH_OUTPUTS", None)
    return env


def execution_report(cache: Path) -> dict | None:
    try:
        return json.loads((cache / "reports" / "execution.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def session_seconds(report: dict | None) -> float:
    return round(sum(p.get("seconds", 0.0) for p in (report or {}).get("pages", {}).values()), 2)


def median_of(runs: list[dict]) -> dict:
    """The run with the median CPU time, its wall time the median of the runs' wall times,
    annotated with every run's wall and CPU time."""
    ordered = sorted(runs, key=lambda r: r["cpu_s"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["wall_s"] = round(statistics.median(r["wall_s"] for r in runs), 2)
    if len(runs) > 1:
        chosen["runs_wall_s"] = [r["wall_s"] for r in runs]
        chosen["runs_cpu_s"] = [r["cpu_s"] for r in runs]
        chosen["notes"] = (chosen.get("notes", "") + f" median of {len(runs)}").strip()
    return chosen


def site_stats(site: Path, roots: dict[str, str]) -> dict:
    return {"search_index_bytes": bench_site.search_index_sizes(site, roots),
            "median_page_bytes": bench_site.median_page_bytes(site),
            "html_pages": sum(1 for _ in site.rglob("*.html"))}


def search_report(cache: Path) -> dict | None:
    try:
        return json.loads((cache / "reports" / "search.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def exec_note(report: dict | None) -> str:
    if not report:
        return "no execution report"
    t = report["totals"]
    return (f"{t['executed']} run, {t['cache_hits']} cached, {t['failed']} failed, "
            f"{t['notebooks_executed']} nb run")
