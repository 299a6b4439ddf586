"""`make bench-tests`: the test suite's time, as CI sees it, in fresh clones of given revisions.

Each run clones the repository at a revision into a temporary folder and runs `make test` there
(environment, strict build, then pytest with a JUnit report); pytest's own wall time comes from
that report. With several revisions the runs alternate (A B A B ...), so a slower hour of the
machine falls on both. Results go to .cache/reports/bench-tests.json; the median per revision and
the ratio of the last revision's median to the first's are printed. Only committed work is cloned.
A whole run takes 10-25 minutes on a 2-core machine, which is why `make bench` leaves it out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from handbook.project import Project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook bench-tests", description=__doc__.split("\n")[0])
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--rev", action="append", default=None,
                        help="a revision to clone (repeat to compare; default HEAD)")
    parser.add_argument("--runs", type=int, default=1, help="runs per revision")
    parser.add_argument("--target", type=float, default=0.5,
                        help="largest allowed ratio of the last revision to the first")
    parser.add_argument("--make-args", default="", help="extra arguments to `make test`")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    revs = args.rev or ["HEAD"]
    output = args.output or project.reports_dir / "bench-tests.json"
    logs = output.parent / "bench-tests"
    logs.mkdir(parents=True, exist_ok=True)
    runs = []
    for number in range(args.runs):
        for rev in revs:
            log = logs / f"{_safe(rev)}-{number + 1}.log"
            run = time_suite(project.root, rev, log, args.make_args.split())
            print(f"{rev} ({run['commit'][:7]}) run {number + 1}: pytest {run['seconds']} s, "
                  f"{run['tests']} tests, {run['failures']} failed, exit {run['exit']}", flush=True)
            runs.append(run)
    summary = summarize(runs, revs, args.target)
    output.write_text(json.dumps({"runs": runs, **summary}, indent=2) + "\n", encoding="utf-8")
    for line in summary["lines"]:
        print(line)
    print(f"wrote {output}")
    return 0 if all(r["exit"] == 0 for r in runs) else 1


def time_suite(repo: Path, rev: str, log: Path, make_args: list[str]) -> dict:
    """One `make test` in a fresh clone of `rev`: pytest's wall time and counts from its report."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=repo, check=True, capture_output=True,
                            text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-tests-"))
    try:
        clone = work / "clone"
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(repo), str(clone)], check=True)
        subprocess.run(["git", "checkout", "--quiet", commit], cwd=clone, check=True)
        report = work / "junit.xml"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("HANDBOOK_", "PYTEST_", "VIRTUAL_ENV"))}
        env["PYTEST_ADDOPTS"] = f"--junitxml={report}"
        started = time.monotonic()
        with log.open("w", encoding="utf-8") as out:
            code = subprocess.run(["make", "test", *make_args], cwd=clone, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, check=False).returncode
        counts = parse_junit(report) if report.exists() else {"seconds": None, "tests": 0,
                                                               "failures": 0, "skipped": 0}
        if report.exists():  # kept next to the log: per-test times for a closer look
            shutil.copyfile(report, log.with_suffix(".xml"))
        return {"rev": rev, "commit": commit, "exit": code, "log": str(log),
                "make_seconds": round(time.monotonic() - started, 1), **counts}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def parse_junit(path: Path) -> dict:
    """pytest's wall time and counts from its JUnit XML (one <testsuite>, maybe in <testsuites>)."""
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        raise ValueError(f"{path}: no <testsuite> element")
    count = int(suite.get("tests", 0))
    failures = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return {"seconds": round(float(suite.get("time", "nan")), 1), "tests": count - skipped,
            "failures": failures, "skipped": skipped}


def summarize(runs: list[dict], revs: list[str], target: float) -> dict:
    """Median pytest seconds per revision (passing runs only) and last/first against `target`."""
    medians = {}
    for rev in revs:
        times = [r["seconds"] for r in runs if r["rev"] == rev and r["exit"] == 0 and r["seconds"]]
        medians[rev] = statistics.median(times) if times else None
    lines = [f"{rev}: median {m} s" if m is not None else f"{rev}: no passing run"
             for rev, m in medians.items()]
    ratio = None
    if len(revs) > 1 and medians[revs[0]] and medians[revs[-1]]:
        ratio = round(medians[revs[-1]] / medians[revs[0]], 3)
        verdict = "MET" if ratio <= target else "NOT MET"
        lines.append(f"{verdict:<7}make test pytest time of {revs[-1]} at most {target}x of {revs[0]}: "
                     f"{ratio}x ({medians[revs[-1]]} vs {medians[revs[0]]} s)")
    return {"medians": medians, "ratio": ratio, "target": target, "lines": lines}


def _safe(rev: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in rev)


if __name__ == "__main__":
    raise SystemExit(main())
