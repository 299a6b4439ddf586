"""The execution report: every block and notebook with its status, reason and stand-ins.

Written to `<cache dir>/reports/execution.json`:

    {"sandbox": {"kind": "bubblewrap", "limits": "cgroup v1 (memory, pids); ...", "problem": ""},
     "limits": {...}, "totals": {...},
     "blocks": [{"path", "lines", "lang", "session", "status", "reason", "standins"}, ...],
     "notebooks": [{"path", "status", "reason", "standins"}, ...],
     "pages": {path: {"language", "executed", "cache_hits", "failed", "skipped", "seconds"}},
     "cache_rejected": [{"kind", "key", "path", "reason"}], "errors": ["file:line: ..."]}

status is one of "executed", "cache hit", "skipped", "failed", "not run". totals also has the
share of executable blocks that ran (executed or from the cache): "blocks", "ran", "ran_percent",
and the same per language under "languages".
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path


def build(plan, runner) -> dict:
    project = runner.project
    pages: dict[str, dict] = {}

    def page(path: str) -> dict:
        lang = _language(path, project.language_codes)
        return pages.setdefault(path, {"language": lang, "executed": 0, "cache_hits": 0,
                                       "failed": 0, "skipped": [], "seconds": 0.0})

    blocks, notebooks, seen = [], [], set()
    for session in plan.sessions:
        status, reason = _status(runner.results.get(session.key), session.key in seen)
        seen.add(session.key)
        _tally(page(session.path), status, len(session.blocks), runner.results.get(session.key))
        for block in session.blocks:
            blocks.append({"path": session.path, "lines": f"{block.start}-{block.end}", "lang": block.lang,
                           "session": session.name, "status": status, "reason": reason,
                           "standins": list(session.standins)})
    for block in plan.skipped:
        reason = runner.requirements.reason(block)
        page(block.path)["skipped"].append({"lines": f"{block.start}-{block.end}", "reason": reason})
        blocks.append({"path": block.path, "lines": f"{block.start}-{block.end}", "lang": block.lang,
                       "session": block.options.get("session", "main"), "status": "skipped",
                       "reason": reason, "standins": []})
    for nb in plan.notebooks:
        status, reason = _status(runner.results.get(nb.key), nb.key in seen)
        seen.add(nb.key)
        _tally(page(nb.path), status, 1, runner.results.get(nb.key))
        notebooks.append({"path": nb.path, "status": status, "reason": reason, "standins": list(nb.standins)})
    blocks.sort(key=lambda b: (b["path"], int(b["lines"].split("-")[0])))
    totals = {k: sum(p[k] for p in pages.values()) for k in ("executed", "cache_hits", "failed")}
    totals["skipped"] = sum(len(p["skipped"]) for p in pages.values())
    totals["notebooks_executed"] = sum(1 for n in notebooks if n["status"] == "executed")
    totals["errors"] = len(plan.errors)
    totals.update(share(blocks, project.language_codes))
    return {"sandbox": runner.sandbox_summary(), "limits": runner.limits.describe(), "totals": totals,
            "blocks": blocks, "notebooks": notebooks, "pages": pages,
            "cache_rejected": list(runner.cache.rejected), "errors": list(plan.errors)}


def _tally(entry: dict, status: str, units: int, result) -> None:
    """Count a session (`units` blocks) or a notebook (1) on its page's entry."""
    if status == "failed":
        entry["failed"] += 1
    elif status == "cache hit":
        entry["cache_hits"] += units
    elif status == "executed":
        entry["executed"] += units
        entry["seconds"] = round(entry["seconds"] + result.seconds, 2)


def share(blocks: list[dict], languages) -> dict:
    """How many executable blocks ran in this build (executed or verified from the cache), each
    language's blocks counted once: {"blocks", "ran", "ran_percent", "languages": {code: ...}}."""
    def count(rows: list[dict]) -> dict:
        ran = sum(1 for b in rows if b["status"] in ("executed", "cache hit"))
        return {"blocks": len(rows), "ran": ran,
                "ran_percent": round(100 * ran / len(rows), 1) if rows else 100.0}

    per = {code: count([b for b in blocks if _language(b["path"], languages) == code]) for code in languages}
    return {**count(blocks), "languages": per}


def _language(path: str, languages) -> str:
    return next((part for part in path.split("/") if part in languages), "")


def _status(result, shared: bool) -> tuple[str, str]:
    if result is None:
        return "not run", "the build stopped before it ran"
    if not result.ok:
        first = result.message.splitlines()[0] if result.message else ""
        return "failed", f"{result.reason}: {first}" if first else result.reason
    if result.cached or shared:  # shared: the other language's identical sample ran it
        return "cache hit", ""
    return "executed", ""


def write(reports_dir: Path, report: dict) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / "execution.json"
    fd, tmp = tempfile.mkstemp(dir=reports_dir, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=2)
    os.replace(tmp, target)
    return target


def summary_line(report: dict) -> str:
    t = report["totals"]
    line = (f"code samples: {t['executed']} executed, {t['cache_hits']} from cache, "
            f"{t['skipped']} skipped, {t['failed']} failed ({t['ran_percent']:g} % of blocks ran); "
            f"notebooks executed: "
            f"{t['notebooks_executed']}; sandbox: {report['sandbox']['kind']}")
    if report["sandbox"].get("limits"):
        line += f", limits by {report['sandbox']['limits']}"
    if report["cache_rejected"]:
        line += f"; {len(report['cache_rejected'])} cache entries did not match their hash and were re-run"
    return line


def why_skipped(plan, runner) -> str:
    """Skipped blocks grouped by reason, most common first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for block in plan.skipped:
        groups[runner.requirements.reason(block)].append(f"{block.path}:{block.start}")
    if not groups:
        return "no skipped blocks"
    lines = []
    for reason, where in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"{reason} ({len(where)})")
        lines += [f"    {w}" for w in sorted(where)]
    return "\n".join(lines)
