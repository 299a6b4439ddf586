"""Every code sample session and notebook on disk runs; fence options; whole builds of small projects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from test_sandbox import ISOLATION, REPO, build, notebook, write_project

from handbook.adapters.samples import insert_outputs
from handbook.execute import registry
from handbook.execute.cache import Cache
from handbook.execute.runner import Plan, Runner
from handbook.execute.sessions import run_session
from handbook.markdown import fences
from handbook.project import Project

_DISCOVERY = tempfile.TemporaryDirectory(prefix="handbook-test-discovery-")
PROJECT = Project.load(REPO / "mkdocs.yml")
PLAN = Plan.discover(Runner(PROJECT, cache_dir=Path(_DISCOVERY.name)))


class ReadThroughCache(Cache):
    """Writes under the test's folder; also reads the repository's cache (read-only), so a test run
    after `make build` does not execute everything again."""

    def __init__(self, root: Path, read_only: Path):
        super().__init__(root)
        self.read_only = Cache(read_only)

    def get(self, kind, key):
        value = super().get(kind, key)
        return value if value is not None else self.read_only.get(kind, key)


@pytest.fixture(scope="module")
def runner(tmp_path_factory, refresh_outputs):
    if not ISOLATION.available:
        pytest.skip(ISOLATION.problem)
    folder = tmp_path_factory.mktemp("samples-cache")
    run = Runner(PROJECT, cache_dir=folder, refresh=refresh_outputs)
    run.cache = ReadThroughCache(folder, PROJECT.cache_dir)
    yield run
    run.close()


@pytest.mark.parametrize("session", PLAN.sessions, ids=[s.id for s in PLAN.sessions])
def test_sample_session_runs(session, runner):
    result = run_session(session, runner.context())
    assert result.ok, result.message


@pytest.mark.parametrize("job", PLAN.notebooks, ids=[n.path for n in PLAN.notebooks])
def test_notebook_runs(job, runner):
    result = job.run(runner.context())
    assert result.ok, result.message


def test_every_fence_option_is_valid():
    assert PLAN.errors == []


def test_each_platform_has_a_sample_and_a_notebook_on_its_storage():
    known = registry.registrations()
    for service in ("gcs", "s3"):
        assert any(service in s.standins for s in PLAN.sessions), f"no code sample uses {service}"
        assert any(service in registry.used(_code(n.source), None, known) for n in PLAN.notebooks), \
            f"no notebook uses {service}"


def _code(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


# ---- fence syntax --------------------------------------------------------------------------

def test_fence_options_are_parsed_and_stripped():
    text = 'Intro\n\n```python show-output timeout=5 title="a.py"\nprint(1)\n```\n'
    [block] = fences.find_blocks(text, "docs/nb/x.md")
    assert (block.lang, block.start, block.end, block.code) == ("python", 3, 5, "print(1)\n")
    assert block.show_output and block.options["timeout"] == 5.0
    assert fences.strip_our_options(text).splitlines()[2] == '```python title=a.py'


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "601", "1e9", "abc", "NaN"])
def test_timeout_must_be_finite_positive_and_bounded(value):
    text = f"Intro\n\n```python timeout={value}\nprint(1)\n```\n"
    with pytest.raises(fences.FenceError) as caught:
        fences.find_blocks(text, "x.md")
    assert caught.value.line == 3


def test_largest_timeout_is_accepted():
    [block] = fences.find_blocks("```bash timeout=600\nls\n```\n", "x.md")
    assert block.options["timeout"] == 600.0


@pytest.mark.parametrize("option", ["show_output", "timout=5", "sesion=a", "evil", "hl-lines=1"])
def test_unknown_options_are_refused(option):
    with pytest.raises(fences.FenceError, match="unknown fence option") as caught:
        fences.find_blocks(f"# T\n```python {option}\nprint(1)\n```\n", "x.md")
    assert caught.value.line == 2


def test_highlighter_options_pass():
    text = '```{.python .numbered #kode hl_lines="1" linenums="1"}\nx = 1\n```\n'
    [block] = fences.find_blocks(text, "x.md")
    assert block.executable and block.options == {}


def test_every_problem_is_collected_with_its_line():
    text = "```python timeout=nan\nx\n```\n\n```bash skip\nls\n```\n\n```r evil=1\nx\n```\n"
    errors: list = []
    blocks = fences.find_blocks(text, "x.md", errors=errors)
    assert [e.line for e in errors] == [1, 5, 9]
    assert not any(b.executable for b in blocks)


def test_skip_needs_a_reason():
    with pytest.raises(fences.FenceError, match="skip= needs a value"):
        fences.find_blocks("```bash skip\nls\n```\n", "x.md")


def test_indented_blocks_in_tabs_are_found():
    text = '=== "R"\n\n    ```r\n    x <- 1\n    ```\n'
    [block] = fences.find_blocks(text, "x.md")
    assert block.lang == "r" and block.code == "x <- 1\n" and block.indent == "    "


def test_fences_shown_inside_a_longer_fence_stay_verbatim():
    doc = ("Slik skriver du et eksempel:\n\n````markdown\n```python show-output timeout=5\nprint(1)\n```\n"
           "````\n\n```python show-output\nprint(2)\n```\n")
    stripped = fences.strip_our_options(doc)
    assert "```python show-output timeout=5\n" in stripped, "the documented fence is shown as written"
    assert stripped.splitlines()[8] == "```python"
    blocks = fences.find_blocks(doc, "x.md")
    assert [b.lang for b in blocks] == ["markdown", "python"] and blocks[1].code == "print(2)\n"


def test_comment_wording_does_not_change_the_code():
    assert fences.normalised_code("# Les data\nx = 1\n") == fences.normalised_code("# Läs data\nx = 1\n")
    assert fences.normalised_code("x = 1\n") != fences.normalised_code("x = 2\n")


def test_output_fence_is_longer_than_any_backticks_in_the_output():
    page = "```python show-output\nprint('```')\n```\n"
    out = insert_outputs(page, {1: "```\n"}, "Resultat")
    assert '````text title="Resultat"\n```\n````' in out


# ---- whole builds --------------------------------------------------------------------------

PAGE = """\
---
title: Side
---

# Side

```python show-output
tall = [1, 2, 3]
print(sum(tall))
```

Tekst.

```python
assert tall == [1, 2, 3]
```
"""

def _report(cache: Path) -> dict:
    return json.loads((cache / "reports" / "execution.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available, reason="no sandbox here")
def test_output_rendered_cached_and_shared_between_languages(tmp_path):
    sv_page = PAGE.replace("# Side", "# Sida").replace("Tekst.", "Text.")
    nb_book = notebook(("md", "# Notatbok"), ("code", "print(6 * 7)"))
    sv_book = notebook(("md", "# Anteckningsbok"), ("code", "print(6 * 7)"))
    config = write_project(tmp_path / "p", {"nb/index.md": PAGE, "sv/index.md": sv_page,
                                           "nb/bok.ipynb": nb_book, "sv/bok.ipynb": sv_book})
    cache = tmp_path / "cache"
    proc = build(config, cache, site=tmp_path / "site")
    assert proc.returncode == 0, proc.stdout
    for lang in ("", "sv/"):
        html = (tmp_path / "site" / lang / "index.html").read_text()
        assert ">6<" in html or "6\n" in html, "the real output is rendered under the block"
        assert "show-output" not in html
        book = (tmp_path / "site" / lang / "bok" / "index.html").read_text()
        assert "42" in book and '"cells"' not in book, "notebook is HTML with its output"
        assert (tmp_path / "site" / lang / "bok" / "bok.ipynb").exists(), "download link target"
    report = _report(cache)
    assert report["totals"]["failed"] == 0 and report["sandbox"]["kind"] == "bubblewrap"
    # nb and sv share one session and one notebook execution.
    assert len(list((cache / "samples").rglob("*.json"))) == 1
    assert len(list((cache / "notebooks").rglob("*.json"))) == 1
    executed = [b["path"] for b in report["blocks"] if b["status"] == "executed"]
    assert len(executed) == 2 and set(executed) <= {"docs/nb/index.md", "docs/sv/index.md"}

    proc = build(config, cache, site=tmp_path / "site2")
    assert proc.returncode == 0, proc.stdout
    report = _report(cache)
    totals = report["totals"]
    assert totals["executed"] == 0 and totals["notebooks_executed"] == 0, "warm rebuild executes nothing"
    assert totals["cache_hits"] == 6  # 2 blocks x 2 languages + the notebook in each language
    assert {b["status"] for b in report["blocks"]} == {"cache hit"}


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available, reason="no sandbox here")
def test_tampered_cache_entry_is_rerun_and_reported(tmp_path):
    config = write_project(tmp_path / "p", {"nb/index.md": PAGE})
    cache = tmp_path / "cache"
    assert build(config, cache).returncode == 0
    [entry] = (cache / "samples").rglob("*.json")
    entry.write_text(entry.read_text().replace('"6\\n"', '"<script>alert(1)</script>\\n"'))
    proc = build(config, cache, site=tmp_path / "site2")
    assert proc.returncode == 0, proc.stdout
    assert "<script>alert(1)" not in (tmp_path / "site2" / "index.html").read_text()
    report = _report(cache)
    assert report["cache_rejected"][0]["reason"] == "content does not match its hash"
    assert report["totals"]["executed"] == 2
    assert "did not match their hash" in proc.stdout


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available, reason="no sandbox here")
def test_failing_sample_fails_the_build_naming_file_and_line(tmp_path):
    bad = PAGE.replace("assert tall == [1, 2, 3]", "x = 1\nassert tall == [9]")
    config = write_project(tmp_path / "p", {"nb/index.md": bad})
    proc = build(config, tmp_path / "cache")
    assert proc.returncode != 0
    assert "docs/nb/index.md:16: code sample failed: AssertionError" in proc.stdout
    assert _report(tmp_path / "cache")["totals"]["failed"] == 1


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available, reason="no sandbox here")
def test_failing_notebook_fails_the_build(tmp_path):
    book = notebook(("md", "# Notatbok"), ("code", "x = 1"), ("code", "1 / 0"))
    config = write_project(tmp_path / "p", {"nb/index.md": "# Hjem\n", "nb/bok.ipynb": book})
    proc = build(config, tmp_path / "cache")
    assert proc.returncode != 0
    assert "docs/nb/bok.ipynb: cell 2: notebook cell failed: ZeroDivisionError" in proc.stdout


@pytest.mark.slow
def test_missing_sandbox_refuses_to_run_and_says_how_to_fix_it(tmp_path):
    config = write_project(tmp_path / "p", {"nb/index.md": PAGE})
    proc = build(config, tmp_path / "cache", env=_without_bwrap(tmp_path / "bin"))
    assert proc.returncode != 0
    assert "not run: bubblewrap (bwrap) is not installed" in proc.stdout
    assert "sudo apt-get install bubblewrap" in proc.stdout and "HANDBOOK_UNSAFE_NO_SANDBOX=1" in proc.stdout
    assert "Traceback" not in proc.stdout


def _without_bwrap(tools: Path) -> dict:
    """A PATH with python's folder and the usual tools, but no bwrap."""
    tools.mkdir()
    for name in ("sh", "bash", "unshare", "Rscript", "git"):
        if found := shutil.which(name):
            (tools / name).symlink_to(found)
    return {"PATH": f"{Path(sys.executable).parent}:{tools}"}


@pytest.mark.slow
def test_unsafe_mode_runs_without_the_sandbox_and_says_so(tmp_path):
    config = write_project(tmp_path / "p", {"nb/index.md": PAGE})
    proc = build(config, tmp_path / "cache", env={"HANDBOOK_UNSAFE_NO_SANDBOX": "1"}, strict=False)
    assert proc.returncode == 0, proc.stdout
    assert "WITHOUT the sandbox" in proc.stdout
    assert _report(tmp_path / "cache")["sandbox"]["kind"] == "none"


def test_why_skipped_groups_blocks_by_reason(tmp_path):
    page = ('# S\n\n```bash skip="needs a Dapla login"\nls\n```\n\n'
            '```python skip="needs a Dapla login"\nx\n```\n\n'
            '```python requires="surely_not_installed_pkg"\nimport surely_not_installed_pkg\n```\n')
    config = write_project(tmp_path / "p", {"nb/index.md": page})
    env = {"HANDBOOK_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "handbook.execute.runner", "--config-file", str(config),
                           "--why-skipped"], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "needs a Dapla login (2)", "    docs/nb/index.md:3", "    docs/nb/index.md:7",
        "needs surely_not_installed_pkg, not installed here (1)", "    docs/nb/index.md:11"]
    assert not (tmp_path / "cache" / "samples").exists(), "listing skips runs nothing"
