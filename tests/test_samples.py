"""Every code sample session and notebook on disk runs; the runner's guarantees hold."""

from __future__ import annotations

import json
import os

import pytest
from projects import make_project, notebook

from handbook.build import run_mkdocs
from handbook.execute import runner as execution
from handbook.execute import sandbox, services
from handbook.markdown import fences

PLAN = execution.Plan.discover()


@pytest.fixture(scope="module")
def local_services():
    local = services.LocalServices()
    yield local
    local.stop()


@pytest.mark.parametrize("session", PLAN.sessions, ids=[s.id for s in PLAN.sessions])
def test_sample_session_runs(session, local_services, refresh_outputs):
    result = execution.run_session(session, local_services, refresh=refresh_outputs)
    assert result.ok, result.message


@pytest.mark.parametrize("job", PLAN.notebooks, ids=[n.path for n in PLAN.notebooks])
def test_notebook_runs(job, local_services, refresh_outputs):
    result = job.run(local_services, refresh=refresh_outputs)
    assert result.ok, result.message


def test_every_fence_option_is_valid():
    assert PLAN.errors == []


def test_each_platform_has_a_sample_and_a_notebook_on_its_storage():
    for service in ("gcs", "s3"):
        assert any(service in s.services for s in PLAN.sessions), f"no code sample uses {service}"
        assert any(service in services.services_used(_code(n.source)) for n in PLAN.notebooks), \
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


def test_skip_needs_a_reason():
    with pytest.raises(fences.FenceError, match="skip= needs a value"):
        fences.find_blocks("```bash skip\nls\n```\n", "x.md")


def test_indented_blocks_in_tabs_are_found():
    text = '=== "R"\n\n    ```r\n    x <- 1\n    ```\n'
    [block] = fences.find_blocks(text, "x.md")
    assert block.lang == "r" and block.code == "x <- 1\n" and block.indent == "    "


def test_comment_wording_does_not_change_the_code():
    assert fences.normalised_code("# Les data\nx = 1\n") == fences.normalised_code("# Läs data\nx = 1\n")
    assert fences.normalised_code("x = 1\n") != fences.normalised_code("x = 2\n")


# ---- sandbox -------------------------------------------------------------------------------

def test_failure_names_the_block_and_line():
    raw = sandbox.run("python", ["x = 1\n", "y = 2\nprint(undefined_name)\n"], [10, 10])
    assert not raw.ok and raw.failed_block == 1 and raw.line == 2
    assert raw.error.startswith("NameError")


def test_hanging_sample_is_stopped_at_its_timeout():
    raw = sandbox.run("python", ["import time\ntime.sleep(60)\n"], [1.0])
    assert not raw.ok and "timed out after 1 s" in raw.error
    assert raw.seconds < 10


def test_runaway_output_is_capped():
    raw = sandbox.run("bash", ["yes handbook"], [30])
    assert not raw.ok and "kB of output" in raw.error


def test_secret_in_callers_environment_is_invisible(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_a_real_token_0000000000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-key")
    raw = sandbox.run("python", ["import os\nprint(sorted(os.environ))\n"], [10])
    assert raw.ok
    assert "GITHUB_TOKEN" not in raw.outputs[0]["stdout"]
    assert "AWS_SECRET_ACCESS_KEY" not in raw.outputs[0]["stdout"]
    raw = sandbox.run("bash", ['echo "token=${GITHUB_TOKEN:-none}"'], [10])
    assert raw.outputs[0]["stdout"].strip() == "token=none"


def test_connection_outside_loopback_fails():
    # 192.0.2.1 is TEST-NET-1; the guard refuses before any packet is sent.
    code = "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=1)\n"
    raw = sandbox.run("python", [code], [10])
    assert not raw.ok and "outside loopback is blocked" in raw.error
    raw = sandbox.run("python", ["import socket\nsocket.getaddrinfo('example.org', 443)\n"], [10])
    assert not raw.ok and "outside loopback is blocked" in raw.error


def test_loopback_still_works():
    code = ("import socket\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "c = socket.create_connection(s.getsockname()); print('connected')\n")
    raw = sandbox.run("python", [code], [10])
    assert raw.ok and raw.outputs[0]["stdout"] == "connected\n"


@pytest.mark.skipif(not execution.shutil.which("Rscript"), reason="R is not installed here")
def test_r_blocks_share_a_session():
    raw = sandbox.run("r", ["x <- 40\n", "x + 2\n"], [30, 30])
    assert raw.ok and raw.outputs[1]["stdout"].strip() == "[1] 42"


def test_storage_samples_see_seeded_buckets(local_services):
    session = execution.Session("x.md", "python", "main", [fences.Block(
        "x.md", 1, 3, "python",
        "import gcsfs, os, boto3\n"
        "print(gcsfs.GCSFileSystem().ls('ssb-eksempelteam-data-produkt-prod/befolkning/inndata'))\n"
        "s3 = boto3.client('s3', endpoint_url=os.environ['JUPYTERLAB_S3_ENDPOINT'],\n"
        "    aws_access_key_id=os.environ['JUPYTERLAB_S3_ACCESS_KEY_ID'],\n"
        "    aws_secret_access_key=os.environ['JUPYTERLAB_S3_SECRET_ACCESS_KEY'])\n"
        "print([o['Key'] for o in s3.list_objects_v2(Bucket='exempelprojekt')['Contents']])\n",
        executable=True)], services=("gcs", "s3"), key="test-storage")
    result = execution.run_session(session, local_services, refresh=True)
    assert result.ok, result.message
    assert "befolkning/inndata/befolkning_p2024_v1.csv" in result.outputs[0]["stdout"]
    assert "main/indata/befolkning_2024.parquet" in result.outputs[0]["stdout"]


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


@pytest.fixture
def isolated(tmp_path):
    env = {"HANDBOOK_CACHE_DIR": str(tmp_path / "cache"), "HANDBOOK_REPORTS_DIR": str(tmp_path / "reports")}
    return tmp_path, env


def _report(env):
    with open(os.path.join(env["HANDBOOK_REPORTS_DIR"], "execution.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.slow
def test_output_rendered_cached_and_shared_between_languages(isolated):
    tmp, env = isolated
    sv_page = PAGE.replace("# Side", "# Sida").replace("Tekst.", "Text.")
    nb_book = notebook(("md", "# Notatbok"), ("code", "print(6 * 7)"))
    sv_book = notebook(("md", "# Anteckningsbok"), ("code", "print(6 * 7)"))
    config = make_project(tmp / "p", {"nb/index.md": PAGE, "sv/index.md": sv_page,
                                      "nb/bok.ipynb": nb_book, "sv/bok.ipynb": sv_book})
    proc = run_mkdocs(config, tmp / "site", env=env)
    assert proc.returncode == 0, proc.stdout
    for lang in ("", "sv/"):
        html = (tmp / "site" / lang / "index.html").read_text()
        assert ">6<" in html or "6\n" in html, "the real output is rendered under the block"
        assert "show-output" not in html
        book = (tmp / "site" / lang / "bok" / "index.html").read_text()
        assert "42" in book and '"cells"' not in book, "notebook is HTML with its output"
        assert (tmp / "site" / lang / "bok" / "bok.ipynb").exists(), "download link target"
    report = _report(env)
    assert report["totals"]["failed"] == 0
    # nb and sv share one session and one notebook execution.
    assert len(list((tmp / "cache" / "samples").rglob("*.json"))) == 1
    assert len(list((tmp / "cache" / "notebooks").rglob("*.json"))) == 1
    pages = report["pages"]
    assert pages["docs/nb/index.md"]["executed"] + pages["docs/sv/index.md"]["executed"] == 2

    proc = run_mkdocs(config, tmp / "site2", env=env)
    assert proc.returncode == 0, proc.stdout
    totals = _report(env)["totals"]
    assert totals["executed"] == 0 and totals["notebooks_executed"] == 0, "warm rebuild executes nothing"
    assert totals["cache_hits"] == 6  # 2 blocks x 2 languages + the notebook in each language


@pytest.mark.slow
def test_failing_sample_fails_the_build_naming_file_and_line(isolated):
    tmp, env = isolated
    bad = PAGE.replace("assert tall == [1, 2, 3]", "x = 1\nassert tall == [9]")
    config = make_project(tmp / "p", {"nb/index.md": bad})
    proc = run_mkdocs(config, tmp / "site", env=env)
    assert proc.returncode != 0
    assert "docs/nb/index.md:16: code sample failed: AssertionError" in proc.stdout
    assert _report(env)["totals"]["failed"] == 1


@pytest.mark.slow
def test_failing_notebook_fails_the_build(isolated):
    tmp, env = isolated
    book = notebook(("md", "# Notatbok"), ("code", "x = 1"), ("code", "1 / 0"))
    config = make_project(tmp / "p", {"nb/index.md": "# Hjem\n", "nb/bok.ipynb": book})
    proc = run_mkdocs(config, tmp / "site", env=env)
    assert proc.returncode != 0
    assert "docs/nb/bok.ipynb: cell 2: notebook cell failed: ZeroDivisionError" in proc.stdout

