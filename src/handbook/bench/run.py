"""`make bench`: build times and search payload of the handbook against plain mkdocs-material.

In one run, side by side, each build a `python -m mkdocs build --no-strict` subprocess on a copy
of the project in a temporary folder (its own HANDBOOK_CACHE_DIR; the project is never touched):

  real site     cold (empty cache), warm (nothing changed), one code block edited, and the
                baseline (mkdocs.yml without our hooks);
  manual        the real site grown to --manual pages per language with generated chapters of a
                real manual's shape (handbook.bench.manual): cold, then warm and baseline builds
                alternating (--manual-repeat each, the median counts), a reader's first search
                query in Chromium per language (handbook.bench.payload), and the time every
                plugin's and hook's event handlers take in a warm build (handbook.bench.hooktime);
  generated     --small and --pages pages per language (handbook.bench.site), cold, warm and
                baseline: how the cost per page grows.

Prints the tables and the targets of issues 10 and 18 and writes the project's
reports/bench.json. --skip-* leaves parts out. --hook-costs measures only what each hook costs,
also as the CPU a warm build saves without it (a warm-up and --hook-repeat builds each).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from handbook.bench import hooktime
from handbook.bench import manual as bench_manual
from handbook.bench import payload as bench_payload
from handbook.bench import site as bench_site
from handbook.bench.measure import (
    build_env,
    exec_note,
    execution_report,
    measure,
    median_of,
    search_report,
    session_seconds,
    site_stats,
)
from handbook.bench.targets import check_targets, format_hooks, report_lines
from handbook.project import Project


def bench_real(project: Project, work: Path, repeat: int, roots: dict) -> tuple[list, dict]:
    print("real site", flush=True)
    copy = bench_site.copy_project(project.root, work / "real")
    baseline = bench_site.write_baseline(copy)
    cache, logs = work / "cache-real", work / "logs"
    env = build_env(cache)
    facts: dict = {}
    cold = measure("real cold", copy / "mkdocs.yml", work / "site-real", env, logs)
    report = execution_report(cache)
    cold.update(baseline="real baseline", execution=(report or {}).get("totals"),
                session_seconds=session_seconds(report), notes=exec_note(report))
    if cold["execution_phase_s"]:
        cold["sessions_per_wall_second"] = round(cold["session_seconds"] / cold["execution_phase_s"], 2)
    facts["site"] = site_stats(work / "site-real", roots)
    warm, base = alternate("real", copy / "mkdocs.yml", baseline, work / "site-real",
                           work / "site-real-base", env, logs, repeat)
    warm["notes"] = (exec_note(execution_report(cache)) + "; " + warm.get("notes", "")).strip("; ")
    facts["baseline_site"] = site_stats(work / "site-real-base", roots)
    builds = [cold, warm, base]

    report = execution_report(cache) or {"pages": {}}
    ok_pages = {p for p, e in report["pages"].items() if not e.get("failed")}
    pages = sorted((copy / "docs" / project.default_language).rglob("*.md"))
    pick = bench_site.pick_edit_block(pages, copy, usable=lambda rel: rel in ok_pages)
    facts["edit"] = None
    if pick is not None:
        page, line, blocks = pick
        bench_site.edit_block(page, line)
        rel = page.relative_to(copy).as_posix()
        edit = measure("real edit 1 page", copy / "mkdocs.yml", work / "site-real", env, logs)
        after = execution_report(cache) or {}
        totals = after.get("totals", {})
        executed = sorted(p for p, e in after.get("pages", {}).items() if e.get("executed"))
        edit.update(baseline="real baseline", notes=f"edited {rel}:{line}; " + exec_note(after))
        builds.append(edit)
        facts["edit"] = {"page": rel, "line": line, "expected_executed": blocks,
                         "executed": totals.get("executed"),
                         "notebooks_executed": totals.get("notebooks_executed"),
                         "executed_pages": executed}
    return builds, facts


def alternate(label: str, config: Path, baseline: Path, site: Path, base_site: Path, env: dict,
              logs: Path, repeat: int) -> tuple[dict, dict]:
    """Warm and baseline builds in turn (so both see the same machine), the median of each."""
    warm, base = [], []
    for i in range(repeat):
        warm.append(measure(f"{label} warm #{i + 1}", config, site, env, logs))
        base.append(measure(f"{label} baseline #{i + 1}", baseline, base_site, env, logs))
    w, b = median_of(warm), median_of(base)
    w.update(name=f"{label} warm", baseline=f"{label} baseline")
    b.update(name=f"{label} baseline", notes=("no hooks; " + b.get("notes", "")).strip("; "))
    return w, b


def bench_manual_site(project: Project, work: Path, pages: int, repeat: int, hook_repeat: int,
                      roots: dict, queries: dict, payload: bool, hooks: bool) -> tuple[list, dict]:
    label = f"manual {pages}"
    print(f"{label}: the real site grown to {pages} pages per language", flush=True)
    root = work / "manual"
    info = bench_manual.make_manual(project.root, root, pages)
    baseline = bench_site.write_baseline(root)
    cache, logs = work / "cache-manual", work / "logs"
    env = build_env(cache)
    cold = measure(f"{label} cold", root / "mkdocs.yml", work / "site-manual", env, logs)
    cold.update(baseline=f"{label} baseline", notes=exec_note(execution_report(cache)))
    warm, base = alternate(label, root / "mkdocs.yml", baseline, work / "site-manual",
                           work / "site-manual-base", env, logs, repeat)
    facts = {"generated": info, "site": site_stats(work / "site-manual", roots),
             "baseline_site": site_stats(work / "site-manual-base", roots),
             "search_report": search_report(cache)}
    if payload:
        print(f"{label}: first search query per language in Chromium", flush=True)
        facts["payload"] = bench_payload.measure(work / "site-manual", roots, queries)
        facts["payload_baseline"] = bench_payload.measure(work / "site-manual-base", roots, queries)
    if hooks:
        facts["hooks"] = hook_costs(root, baseline, work, env, logs, hook_repeat, f"{label} ",
                                    leave_one_out=False)
    facts["preview"] = preview_latency(root, work, env, project.default_language)
    return [cold, warm, base], facts


def preview_latency(root: Path, work: Path, env: dict, language: str) -> dict | None:
    """Seconds from an edit of a generated page to the preview's new page (its own process)."""
    page = next((p for p in sorted((root / "docs" / language / bench_manual.FOLDER).rglob("*.md"))
                 if "```python" in p.read_text(encoding="utf-8")), None)
    if page is None:
        return None
    print(f"preview: edits of {page.relative_to(root)}", flush=True)
    proc = subprocess.run([sys.executable, "-m", "handbook.bench.preview", str(root / "mkdocs.yml"),
                           str(work / "preview"), "--page", str(page)], env=env, cwd=root,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"preview: failed\n{proc.stderr[-2000:]}", flush=True)
        return {"error": (proc.stderr or proc.stdout)[-2000:]}
    return {"page": page.relative_to(root).as_posix(), **json.loads(proc.stdout)}


def hook_costs(root: Path, baseline: Path, work: Path, env: dict, logs: Path, repeat: int,
               label: str = "", leave_one_out: bool = True) -> dict:
    """What each hook costs a warm build, two ways: the time its own event handlers take
    (one build with handbook.bench.hooktime), and the CPU a warm build saves without it (the
    median of `repeat` builds after a warm-up of that configuration: leaving a hook out changes
    the pages, so the render and search caches need one build to settle)."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    site = work / "site-hooks"

    def cpu(name: str, config: Path) -> float:
        measure(f"{label}{name} warm-up", config, site, env, logs)
        return statistics.median(measure(f"{label}{name} #{i + 1}", config, site, env, logs)["cpu_s"]
                                 for i in range(repeat))

    events = work / "hook-events.json"
    measure(f"{label}hooks warm-up", root / "mkdocs.yml", site, env, logs)
    measure(f"{label}hook event times", root / "mkdocs.yml", site, env, logs,
            runner=("-m", "handbook.bench.hooktime", str(events)))
    handlers = json.loads(events.read_text(encoding="utf-8")) if events.is_file() else []
    result = {"leave_one_out": [], "handlers": handlers, "by_origin": hooktime.by_origin(handlers)}
    if not leave_one_out:
        print(format_hooks(result), flush=True)
        return result
    full = cpu("all hooks", root / "mkdocs.yml")
    rows = [{"hook": "(all hooks)", "cpu_s": full, "saved_s": 0.0}]
    base = cpu("no hooks", baseline)
    rows.append({"hook": "(baseline: none)", "cpu_s": base, "saved_s": round(full - base, 2)})
    for hook in bench_site.hook_paths(text):
        config = root / f"mkdocs.without-{Path(hook).stem}.yml"
        config.write_text(bench_site.without_hook(text, hook), encoding="utf-8")
        c = cpu(f"without {hook}", config)
        rows.append({"hook": hook, "cpu_s": c, "saved_s": round(full - c, 2)})
    result["leave_one_out"] = rows
    print(format_hooks(result), flush=True)
    return result


def bench_generated(project: Project, work: Path, pages: int, notebooks: int, warm: bool,
                    roots: dict) -> tuple[list, dict]:
    label = f"gen {pages}"
    print(f"generated site: {pages} pages + {notebooks} notebooks per language", flush=True)
    root = work / f"gen-{pages}"
    info = bench_site.generate_site(project.root, root, pages, notebooks)
    baseline = bench_site.write_baseline(root)
    cache, logs = work / f"cache-gen-{pages}", work / "logs"
    env = build_env(cache)
    docs = info["documents_per_language"] * 2
    cold = measure(f"{label} cold", root / "mkdocs.yml", work / f"site-{pages}", env, logs)
    report = execution_report(cache)
    cold.update(baseline=f"{label} baseline", execution=(report or {}).get("totals"),
                session_seconds=session_seconds(report), notes=exec_note(report))
    if cold["execution_phase_s"]:
        cold["sessions_per_wall_second"] = round(cold["session_seconds"] / cold["execution_phase_s"], 2)
    stats = site_stats(work / f"site-{pages}", roots)
    builds = [cold]
    if warm:
        w = measure(f"{label} warm", root / "mkdocs.yml", work / f"site-{pages}", env, logs)
        w.update(baseline=f"{label} baseline", notes=exec_note(execution_report(cache)))
        builds.append(w)
    base = measure(f"{label} baseline", baseline, work / f"site-{pages}-base", env, logs)
    base["notes"] = "no hooks"
    builds.append(base)
    for b in builds:
        b["documents"] = docs
        b["ms_per_document"] = round(1000 * b["wall_s"] / docs, 1)
        b["cpu_ms_per_document"] = round(1000 * b["cpu_s"] / docs, 1)
        b["notes"] = (b.get("notes", "") + f"; {b['cpu_ms_per_document']:.0f} CPU ms/doc").strip("; ")
    return builds, {"generated": info, "site": stats}


def first_queries(project: Project, per_language: int) -> dict[str, list[str]]:
    """The first queries of data/search-queries.yml per language (what readers type)."""
    path = project.data_dir / "search-queries.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {lang: [q["query"] for q in (data.get(lang) or [])][:per_language] or ["data"]
            for lang in project.language_codes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook bench", description=__doc__.split("\n")[0])
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--manual", type=int, default=270, help="pages per language (manual)")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--notebooks", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="warm/baseline pairs, real site")
    parser.add_argument("--manual-repeat", type=int, default=5, help="warm/baseline pairs, manual")
    parser.add_argument("--hook-repeat", type=int, default=2)
    parser.add_argument("--queries", type=int, default=8, help="search queries per language")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-manual", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--skip-payload", action="store_true")
    parser.add_argument("--skip-hooks", action="store_true")
    parser.add_argument("--no-generated-warm", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--hook-costs", action="store_true",
                        help="only the hook table (on the manual site)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    output = args.output or project.reports_dir / "bench.json"
    roots = {lang: ("" if lang == project.default_language else f"{lang}/")
             for lang in project.language_codes}

    started, load_before = time.monotonic(), os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    (work / "logs").mkdir()
    print(f"working in {work}", flush=True)
    try:
        builds: list[dict] = []
        facts: dict = {}
        if args.hook_costs:
            root = work / "manual"
            bench_manual.make_manual(project.root, root, args.manual)
            baseline = bench_site.write_baseline(root)
            hook_costs(root, baseline, work, build_env(work / "cache-hooks"), work / "logs",
                       max(args.hook_repeat, 1))
            return 0
        if not args.skip_real:
            real, facts["real"] = bench_real(project, work, args.repeat, roots)
            builds += real
        if not args.skip_manual:
            man, facts[f"manual {args.manual}"] = bench_manual_site(
                project, work, args.manual, args.manual_repeat, args.hook_repeat, roots,
                first_queries(project, args.queries), not args.skip_payload, not args.skip_hooks)
            builds += man
        if not args.skip_generated:
            for pages in (args.small, args.pages):
                nbs = max(1, round(args.notebooks * pages / args.pages))
                gen, facts[f"gen {pages}"] = bench_generated(project, work, pages, nbs,
                                                             not args.no_generated_warm, roots)
                builds += gen
        checks = check_targets({b["name"]: b for b in builds}, facts, args)
        total = time.monotonic() - started
        lines = report_lines(builds, facts, checks, args)
        print("\n" + "\n".join(lines))
        print(f"\nbenchmark took {total / 60:.1f} min; load average {load_before[0]:.1f} before, "
              f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores)")
        report = {
            "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform(), "memory_gb": _memory_gb(),
                        "load_average_before": [round(x, 2) for x in load_before],
                        "load_average_after": [round(x, 2) for x in os.getloadavg()]},
            "builds": builds, "facts": facts, "targets": checks,
            "table": bench_site.format_table(builds), "summary": lines, "seconds": round(total, 1),
        }
        print(f"written {bench_site.write_report(output, report)}")
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


if __name__ == "__main__":
    raise SystemExit(main())
