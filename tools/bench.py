"""`make bench`: build times of the handbook against plain mkdocs-material on the same content.

In one run, side by side, each build a `python -m mkdocs build --no-strict` subprocess:
  real site   cold (empty cache), warm (nothing changed), after editing one code block
              in one page, and the baseline (mkdocs.yml without our hooks);
  generated   1,000 and 100 pages per language with samples and notebooks (20 and 2),
              cold, warm and baseline.
Wall time, CPU time (user+sys of the build and everything it waited for, from wait4) and
peak memory (largest ru_maxrss in that tree) per build. Prints a table and the targets of
issue 10, writes .cache/reports/bench.json. The project tree is never modified: every build
runs on a copy in a temporary folder, with HANDBOOK_CACHE_DIR and HANDBOOK_REPORTS_DIR there.

Options: --pages N (default 1000), --small N (default 100), --notebooks N (default 20),
--repeat N (warm and baseline builds of the real site, the median run; default 2), --skip-generated,
--keep (leave the temporary folder), --hook-costs (instead: warm builds of the real site with
one hook left out at a time, to see which hook costs what).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handbook.bench import site as bench_site  # noqa: E402

PROGRESS = re.compile(r"\[(\d+)/(\d+)\]")
TARGETS = {"warm_vs_baseline": 1.3, "per_page_1000_vs_100": 1.2, "peak_mb": 2048}


def measure(name: str, config: Path, site: Path, env: dict, log_dir: Path) -> dict:
    """Run one build; wall, CPU and peak memory of its whole process tree."""
    shutil.rmtree(site, ignore_errors=True)
    cmd = [sys.executable, "-m", "mkdocs", "build", "--no-strict",
           "-f", str(config), "-d", str(site)]
    log_path = log_dir / (name.replace("/", "_") + ".log")
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
    proc.returncode = os.waitstatus_to_exitcode(status)
    log_path.write_text("".join(f"{t:8.2f} {line}\n" for t, line in stamped), encoding="utf-8")
    warnings = sum(1 for _, line in stamped if line.startswith("WARNING"))
    result = {
        "name": name, "config": config.name, "returncode": proc.returncode,
        "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1), "warnings": warnings, "log": str(log_path),
        "execution_phase_s": execution_phase(stamped),
    }
    state = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode}, see {log_path})"
    print(f"  {name}: {result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU, "
          f"{result['peak_mb']:.0f} MB, {warnings} warning(s): {state}", flush=True)
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
    """The run with the median wall time, annotated with all wall times."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    chosen = dict(ordered[len(ordered) // 2])
    if len(runs) > 1:
        chosen["runs_wall_s"] = [r["wall_s"] for r in runs]
        chosen["runs_cpu_s"] = [r["cpu_s"] for r in runs]
        chosen["notes"] = (chosen.get("notes", "") + f" median of {len(runs)}").strip()
    return chosen


def site_stats(site: Path) -> dict:
    return {"search_index_bytes": bench_site.search_index_sizes(site),
            "median_page_bytes": bench_site.median_page_bytes(site),
            "html_pages": sum(1 for _ in site.rglob("*.html"))}


# ---- the real site ------------------------------------------------------------------------

def bench_real(work: Path, repeat: int) -> tuple[list[dict], dict]:
    print("real site", flush=True)
    project = bench_site.copy_project(ROOT, work / "real")
    baseline = bench_site.write_baseline(project)
    cache = work / "cache-real"
    env = build_env(cache)
    logs = work / "logs"
    builds, facts = [], {}

    cold = measure("real cold", project / "mkdocs.yml", work / "site-real", env, logs)
    report = execution_report(cache)
    cold.update(baseline="real baseline", execution=(report or {}).get("totals"),
                session_seconds=session_seconds(report))
    phase = cold["execution_phase_s"]
    if phase:
        cold["sessions_per_wall_second"] = round(cold["session_seconds"] / phase, 2)
    cold["notes"] = _exec_note(report)
    facts["site"] = site_stats(work / "site-real")

    config = project / "mkdocs.yml"
    warm = median_of([measure(f"real warm #{i + 1}", config, work / "site-real", env, logs)
                      for i in range(repeat)])
    warm.update(name="real warm", baseline="real baseline",
                execution=(execution_report(cache) or {}).get("totals"))
    warm["notes"] = (_exec_note(execution_report(cache)) + "; " + warm.get("notes", "")).strip("; ")

    base = median_of([measure(f"real baseline #{i + 1}", baseline, work / "site-real-base", env,
                              logs) for i in range(repeat)])
    base.update(name="real baseline", notes=("no hooks; " + base.get("notes", "")).strip("; "))
    facts["baseline_site"] = site_stats(work / "site-real-base")

    # (c) one code block in one page edited, same cache
    report = execution_report(cache) or {"pages": {}}
    ok_pages = {p for p, e in report["pages"].items() if not e.get("failed")}
    pages = sorted((project / "docs" / "nb").rglob("*.md"))
    pick = bench_site.pick_edit_block(pages, project, usable=lambda rel: rel in ok_pages)
    edit = None
    if pick is None:
        print("  no page with a plain Python sample to edit: skipping the edit build", flush=True)
    else:
        page, line, blocks = pick
        bench_site.edit_block(page, line)
        rel = page.relative_to(project).as_posix()
        edit = measure("real edit 1 page", project / "mkdocs.yml", work / "site-real", env, logs)
        after = execution_report(cache)
        totals = (after or {}).get("totals", {})
        executed_pages = sorted(p for p, e in (after or {}).get("pages", {}).items()
                                if e.get("executed"))
        edit.update(baseline="real baseline", execution=totals, edited_page=rel, edited_line=line,
                    expected_executed=blocks, executed_pages=executed_pages,
                    notes=f"edited {rel}:{line}; " + _exec_note(after))
        edit_base = measure("real edit baseline", baseline, work / "site-real-base", env, logs)
        edit_base["notes"] = "no hooks, edited content"
        builds_edit = [edit, edit_base]
    builds = [cold, warm, base] + (builds_edit if edit else [])
    totals = (edit or {}).get("execution") or {}
    facts["edit"] = None if edit is None else {
        "page": edit["edited_page"], "line": edit["edited_line"],
        "expected_executed": edit["expected_executed"],
        "executed": totals.get("executed"), "notebooks_executed": totals.get("notebooks_executed"),
        "executed_pages": edit["executed_pages"]}
    return builds, facts


def _exec_note(report: dict | None) -> str:
    if not report:
        return "no execution report"
    t = report["totals"]
    return (f"{t['executed']} run, {t['cache_hits']} cached, {t['failed']} failed, "
            f"{t['notebooks_executed']} nb run")


# ---- the generated sites ------------------------------------------------------------------

def bench_generated(work: Path, pages: int, notebooks: int, warm: bool) -> tuple[list[dict], dict]:
    label = f"gen {pages}"
    print(f"generated site: {pages} pages + {notebooks} notebooks per language", flush=True)
    root = work / f"gen-{pages}"
    info = bench_site.generate_site(ROOT, root, pages, notebooks)
    baseline = bench_site.write_baseline(root)
    cache = work / f"cache-gen-{pages}"
    env = build_env(cache)
    logs = work / "logs"
    docs = info["documents_per_language"] * 2

    cold = measure(f"{label} cold", root / "mkdocs.yml", work / f"site-{pages}", env, logs)
    report = execution_report(cache)
    cold.update(baseline=f"{label} baseline", execution=(report or {}).get("totals"),
                session_seconds=session_seconds(report), notes=_exec_note(report))
    if cold["execution_phase_s"]:
        cold["sessions_per_wall_second"] = round(
            cold["session_seconds"] / cold["execution_phase_s"], 2)
    stats = site_stats(work / f"site-{pages}")
    builds = [cold]
    if warm:
        w = measure(f"{label} warm", root / "mkdocs.yml", work / f"site-{pages}", env, logs)
        after = execution_report(cache)
        w.update(baseline=f"{label} baseline", execution=(after or {}).get("totals"),
                 notes=_exec_note(after))
        builds.append(w)
    base = measure(f"{label} baseline", baseline, work / f"site-{pages}-base", env, logs)
    base["notes"] = "no hooks"
    builds.append(base)
    for b in builds:
        b["documents"] = docs
        b["ms_per_document"] = round(1000 * b["wall_s"] / docs, 1)
        b["cpu_ms_per_document"] = round(1000 * b["cpu_s"] / docs, 1)
        per_doc = f"{b['cpu_ms_per_document']:.0f} CPU ms/doc"
        b["notes"] = (b.get("notes", "") + "; " + per_doc).strip("; ")
    return builds, {"generated": info, "site": stats}


# ---- what each hook costs ----------------------------------------------------------------

def bench_hook_costs(work: Path, repeat: int) -> list[dict]:
    """Warm builds of the real site with one hook left out at a time (CPU time, median)."""
    print("hook costs: warm builds of the real site without one hook at a time", flush=True)
    project = bench_site.copy_project(ROOT, work / "hooks-real")
    baseline = bench_site.write_baseline(project)
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    env, logs = build_env(work / "cache-hooks"), work / "logs"
    measure("hooks warm-up", project / "mkdocs.yml", work / "site-hooks", env, logs)

    def cpu(name: str, config: Path) -> float:
        runs = [measure(f"{name} #{i + 1}", config, work / "site-hooks", env, logs)["cpu_s"]
                for i in range(repeat)]
        return statistics.median(runs)

    full = cpu("all hooks", project / "mkdocs.yml")
    rows = [{"hook": "(all hooks)", "cpu_s": full, "saved_s": 0.0},
            {"hook": "(baseline: none)", "cpu_s": cpu("baseline", baseline)}]
    rows[-1]["saved_s"] = round(full - rows[-1]["cpu_s"], 2)
    for hook in bench_site.hook_paths(text):
        config = project / f"mkdocs.without-{Path(hook).stem}.yml"
        config.write_text(bench_site.without_hook(text, hook), encoding="utf-8")
        c = cpu(f"without {hook}", config)
        rows.append({"hook": hook, "cpu_s": c, "saved_s": round(full - c, 2)})
    print("\n| left out | warm CPU s | CPU saved s |\n|---|---|---|")
    for r in rows:
        print(f"| {r['hook']} | {r['cpu_s']:.2f} | {r['saved_s']:.2f} |")
    return rows


# ---- targets ------------------------------------------------------------------------------

def check_targets(builds: dict[str, dict], facts: dict, pages: int, small: int) -> list[dict]:
    checks = []

    def add(name, met, detail):
        checks.append({"target": name, "met": met, "detail": detail})

    warm, base = builds.get("real warm"), builds.get("real baseline")
    if warm and base:
        # The verdict uses CPU time: it is what the build itself costs, whatever else the
        # (shared) machine is doing; wall time is shown beside it.
        r_wall, r_cpu = warm["wall_s"] / base["wall_s"], warm["cpu_s"] / base["cpu_s"]
        limit = TARGETS["warm_vs_baseline"]
        add(f"warm rebuild of the real site within {limit}x of the baseline", r_cpu <= limit,
            f"CPU {r_cpu:.2f}x ({warm['cpu_s']:.1f} vs {base['cpu_s']:.1f} s), wall {r_wall:.2f}x"
            + ("" if r_cpu <= limit else f": {100 * (r_cpu / limit - 1):.0f}% over the target"))

    edit = facts.get("real", {}).get("edit")
    if edit:
        ok = (edit["executed"] == edit["expected_executed"] and edit["notebooks_executed"] == 0
              and edit["executed_pages"] == [edit["page"]])
        add("editing one page re-executes only that page's samples", ok,
            f"{edit['page']}: executed {edit['executed']} block(s) "
            f"(expected {edit['expected_executed']}), notebooks executed "
            f"{edit['notebooks_executed']}, pages with executions {edit['executed_pages']}")
    else:
        add("editing one page re-executes only that page's samples", None, "not measured")

    for name in ("real cold", f"gen {pages} cold"):
        cold = builds.get(name)
        if not cold or not cold.get("execution_phase_s"):
            continue
        par = cold.get("sessions_per_wall_second") or 0
        add(f"{name}: sessions and notebooks run in parallel ({os.cpu_count()} cores)", par > 1.0,
            f"sum of session seconds {cold['session_seconds']:.1f} s in an execution phase of "
            f"{cold['execution_phase_s']:.1f} s wall = {par:.2f} sessions at once; "
            f"whole build CPU/wall {cold['cpu_s'] / cold['wall_s']:.2f}")

    for kind in ("cold", "warm", "baseline"):
        big, little = builds.get(f"gen {pages} {kind}"), builds.get(f"gen {small} {kind}")
        if not big or not little:
            continue
        r_cpu = big["cpu_ms_per_document"] / little["cpu_ms_per_document"]
        r_wall = big["ms_per_document"] / little["ms_per_document"]
        limit = TARGETS["per_page_1000_vs_100"]
        add(f"per-page cost at {pages} within {limit}x of {small} ({kind})", r_cpu <= limit,
            f"CPU {big['cpu_ms_per_document']:.0f} vs {little['cpu_ms_per_document']:.0f} "
            f"ms/document = {r_cpu:.2f}x; wall {big['ms_per_document']:.0f} vs "
            f"{little['ms_per_document']:.0f} = {r_wall:.2f}x"
            + ("" if r_cpu <= limit else f": {100 * (r_cpu / limit - 1):.0f}% over the target"))

    peak = max((b["peak_mb"] for b in builds.values()), default=0)
    worst = max(builds.values(), key=lambda b: b["peak_mb"])["name"] if builds else "-"
    add("peak memory under 2 GB", peak < TARGETS["peak_mb"], f"highest {peak:.0f} MB ({worst})")
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--notebooks", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--no-generated-warm", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--hook-costs", action="store_true",
                        help="only measure what each hook adds to a warm build of the real site")
    parser.add_argument("--output", type=Path, default=ROOT / ".cache" / "reports" / "bench.json")
    args = parser.parse_args(argv)

    started = time.monotonic()
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    (work / "logs").mkdir()
    print(f"working in {work}", flush=True)
    try:
        if args.hook_costs:
            bench_hook_costs(work, max(args.repeat, 1))
            return 0
        all_builds: list[dict] = []
        facts: dict = {}
        if not args.skip_real:
            real, facts["real"] = bench_real(work, args.repeat)
            all_builds += real
        if not args.skip_generated:
            for pages in (args.small, args.pages):
                nbs = max(1, round(args.notebooks * pages / args.pages))
                gen, facts[f"gen {pages}"] = bench_generated(work, pages, nbs,
                                                             not args.no_generated_warm)
                all_builds += gen
        by_name = {b["name"]: b for b in all_builds}
        checks = check_targets(by_name, facts, args.pages, args.small)

        print()
        print(bench_site.format_table(all_builds))
        print()
        for label, key in (("real site", "real"), (f"generated {args.pages}", f"gen {args.pages}")):
            stats = facts.get(key, {}).get("site")
            if stats:
                idx = ", ".join(f"{lang} {_kb(size)}"
                                for lang, size in stats["search_index_bytes"].items())
                print(f"{label}: search index {idx}; median page {_kb(stats['median_page_bytes'])} "
                      f"over {stats['html_pages']} HTML files")
        print()
        for c in checks:
            mark = {True: "MET   ", False: "MISSED", None: "n/a   "}[c["met"]]
            print(f"{mark} {c['target']}: {c['detail']}")
        failed = [b["name"] for b in all_builds if b["returncode"] != 0]
        if failed:
            print(f"\nbuilds that exited non-zero (logs in {work / 'logs'}; use --keep): "
                  f"{', '.join(failed)}")
        total = time.monotonic() - started
        print(f"\nbenchmark took {total / 60:.1f} min; load average {load_before[0]:.1f} before, "
              f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores)")
        report = {
            "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform(), "memory_gb": _memory_gb(),
                        "load_average_before": [round(x, 2) for x in load_before],
                        "load_average_after": [round(x, 2) for x in os.getloadavg()]},
            "builds": all_builds, "facts": facts, "targets": checks,
            "table": bench_site.format_table(all_builds), "seconds": round(total, 1),
        }
        print(f"written {bench_site.write_report(args.output, report)}")
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _kb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1024:.0f} KB"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


if __name__ == "__main__":
    sys.exit(main())
