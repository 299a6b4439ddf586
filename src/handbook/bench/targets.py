"""The targets `make bench` checks (issues 10 and 18) and the summary it prints."""

from __future__ import annotations

import os

from handbook.bench import site as bench_site

TARGETS = {"warm_vs_baseline": 1.3, "manual_warm_vs_baseline": 1.1, "per_page_big_vs_small": 1.2,
           "peak_mb": 2048, "first_query_kb": 300, "preview_s": 1.0}


def check_targets(builds: dict[str, dict], facts: dict, args) -> list[dict]:
    checks: list[dict] = []

    def add(name, met, detail):
        checks.append({"target": name, "met": met, "detail": detail})

    def ratio_check(name: str, warm: dict | None, base: dict | None, limit: float) -> None:
        if not warm or not base:
            return
        r_wall, r_cpu = warm["wall_s"] / base["wall_s"], warm["cpu_s"] / base["cpu_s"]
        add(f"{name} within {limit}x of the baseline", r_cpu <= limit,
            f"CPU {r_cpu:.2f}x ({warm['cpu_s']:.1f} vs {base['cpu_s']:.1f} s), wall {r_wall:.2f}x"
            + ("" if r_cpu <= limit else f": {100 * (r_cpu / limit - 1):.0f}% over the target"))

    ratio_check("warm rebuild of the real site", builds.get("real warm"),
                builds.get("real baseline"), TARGETS["warm_vs_baseline"])
    manual = f"manual {args.manual}"
    ratio_check(f"warm full build at {args.manual} pages per language", builds.get(f"{manual} warm"),
                builds.get(f"{manual} baseline"), TARGETS["manual_warm_vs_baseline"])

    payload = facts.get(manual, {}).get("payload")
    if payload:
        limit = TARGETS["first_query_kb"]
        worst = max(payload.values(), key=lambda v: v["max_bytes"])
        detail = "; ".join(f"{lang} median {v['median_bytes'] / 1024:.0f} KB, largest "
                           f"{v['max_bytes'] / 1024:.0f} KB ({v['max_gzip_bytes'] / 1024:.0f} KB "
                           f"gzipped)" for lang, v in payload.items())
        add(f"first-query search payload at most {limit} KB per language at {args.manual} pages",
            worst["max_bytes"] <= limit * 1024, detail)

    preview = facts.get(manual, {}).get("preview")
    if preview:
        limit = TARGETS["preview_s"]
        if "error" in preview:
            add("preview of an edit", False, preview["error"].strip().splitlines()[-1])
        else:
            for kind, v in preview.items():
                if not isinstance(v, dict):
                    continue
                allowed = limit + v["median_sample_s"]
                add(f"preview shows a {kind} edit within {limit} s"
                    + (" plus the sample's own run time" if v["median_sample_s"] else "")
                    + f" at {args.manual} pages", v["median_s"] <= allowed,
                    f"median {v['median_s']:.2f} s of {v['seconds']} (allowed {allowed:.2f} s; samples "
                    f"ran {v['median_sample_s']:.2f} s) on {preview['page']}")

    edit = facts.get("real", {}).get("edit")
    if edit:
        ok = (edit["executed"] == edit["expected_executed"] and edit["notebooks_executed"] == 0
              and edit["executed_pages"] == [edit["page"]])
        add("editing one page re-executes only that page's samples", ok,
            f"{edit['page']}: executed {edit['executed']} block(s) (expected "
            f"{edit['expected_executed']}), notebooks executed {edit['notebooks_executed']}, "
            f"pages with executions {edit['executed_pages']}")

    for name in ("real cold", f"gen {args.pages} cold"):
        cold = builds.get(name)
        if cold and cold.get("execution_phase_s"):
            par = cold.get("sessions_per_wall_second") or 0
            add(f"{name}: sessions and notebooks run in parallel ({os.cpu_count()} cores)",
                par > 1.0, f"sum of session seconds {cold['session_seconds']:.1f} s in an execution "
                f"phase of {cold['execution_phase_s']:.1f} s wall = {par:.2f} sessions at once")

    for kind in ("cold", "warm", "baseline"):
        big, little = builds.get(f"gen {args.pages} {kind}"), builds.get(f"gen {args.small} {kind}")
        if big and little:
            r_cpu = big["cpu_ms_per_document"] / little["cpu_ms_per_document"]
            limit = TARGETS["per_page_big_vs_small"]
            add(f"per-page cost at {args.pages} within {limit}x of {args.small} ({kind})",
                r_cpu <= limit, f"CPU {big['cpu_ms_per_document']:.0f} vs "
                f"{little['cpu_ms_per_document']:.0f} ms/document = {r_cpu:.2f}x")

    if builds:
        worst = max(builds.values(), key=lambda b: b["peak_mb"])
        add("peak memory under 2 GB", worst["peak_mb"] < TARGETS["peak_mb"],
            f"highest {worst['peak_mb']:.0f} MB ({worst['name']})")
    return checks


def format_hooks(result: dict) -> str:
    """The two hook tables: a warm build without each hook, and each plugin's handler time."""
    lines = ["| plugin or hook | CPU s in its event handlers |", "|---|---|"]
    lines += [f"| {r['origin']} | {r['cpu_s']:.2f} |" for r in result.get("by_origin", [])]
    if result.get("leave_one_out"):
        lines += ["", "| left out | warm build CPU s | CPU the hook costs, s |", "|---|---|---|"]
        lines += [f"| {r['hook']} | {r['cpu_s']:.2f} | {r['saved_s']:+.2f} |"
                  for r in result["leave_one_out"]]
    return "\n".join(lines)


def report_lines(builds: list[dict], facts: dict, checks: list[dict], args) -> list[str]:
    lines = [bench_site.format_table(builds), ""]
    for key, fact in facts.items():
        stats = (fact or {}).get("site")
        if stats:
            sizes = ", ".join(f"{lang} {_kb((s or {}).get('page_load'))} on page load, "
                              f"{_kb((s or {}).get('all_files'))} in all"
                              for lang, s in stats["search_index_bytes"].items())
            lines.append(f"{key}: search index {sizes}; median page "
                         f"{_kb(stats['median_page_bytes'])} over {stats['html_pages']} HTML files")
        for name, label in (("payload", "first query"), ("payload_baseline", "first query, baseline")):
            for lang, v in ((fact or {}).get(name) or {}).items():
                lines.append(f"{key} {label} ({lang}): median {_kb(v['median_bytes'])}, largest "
                             f"{_kb(v['max_bytes'])} ({_kb(v['max_gzip_bytes'])} gzipped) over "
                             f"{len(v.get('queries', []))} queries")
        if (fact or {}).get("hooks"):
            lines += ["", f"{key}: what each hook costs a warm build", format_hooks(fact["hooks"])]
    lines.append("")
    for c in checks:
        mark = {True: "MET   ", False: "MISSED", None: "n/a   "}[c["met"]]
        lines.append(f"{mark} {c['target']}: {c['detail']}")
    failed = [b["name"] for b in builds if b["returncode"] != 0]
    if failed:
        lines.append(f"builds that exited non-zero (use --keep for their logs): {', '.join(failed)}")
    return lines


def _kb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1024:,.0f} KB"
