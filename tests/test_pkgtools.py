"""Package tools in the samples: the `placeholders=` fence option, the seeded renv project in the
git stand-in (its renv files made by real renv against the cran stand-in) and the example SAS file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_standins import DATA, build, client_env, needs, session, sh, shared_cache  # noqa: F401

from handbook.execute import standins
from handbook.execute.standins import git, renvseed
from handbook.execute.standins.base import StandInError
from handbook.execute.standins.proxy import EndpointProxy
from handbook.markdown import fences, validate

ROOT = Path(__file__).resolve().parents[1]
R_PROJECT = "https://github.com/statisticsnorway/stat-testprod-r.git"


# ---- placeholders= ---------------------------------------------------------------------------

def _block(fence: str, code: str) -> fences.Block:
    (block,) = fences.find_blocks(f"{fence}\n{code}\n```\n", "docs/nb/x.md")
    return block


def test_placeholders_are_replaced_in_the_code_that_runs_only():
    block = _block('```r placeholders="<cran-spegel>=https://cloud.r-project.org <pakke>=data.table"',
                   'install.packages("<pakke>", repos = "<cran-spegel>")')
    assert validate.placeholders(block) == {"<cran-spegel>": "https://cloud.r-project.org",
                                            "<pakke>": "data.table"}
    assert validate.with_placeholders(block) == \
        'install.packages("data.table", repos = "https://cloud.r-project.org")\n'
    assert "<cran-spegel>" in block.code   # what the reader sees and copies is left alone
    assert fences.strip_our_options('```r placeholders="<a>=b"\nx <- "<a>"\n```\n').startswith("```r\n")


@pytest.mark.parametrize("fence, message", [
    ('```bash placeholders="<adresse>"', "is not <placeholder>=value"),
    ('```bash placeholders="adresse=https://x"', "is not <placeholder>=value"),
    ('```bash placeholders="<adresse>="', "is not <placeholder>=value"),
    ('```bash placeholders="<a b>=x"', "is not <placeholder>=value"),
    ('```bash placeholders="<adresse>=x <adresse>=y"', "<adresse> is named twice"),
    ('```bash placeholders="<repo>=x"', "<repo> does not occur in the block's code"),
    ('```bash skip="krever en adresse" placeholders="<adresse>=x"', "this one has skip="),
])
def test_bad_placeholders_are_named_with_file_and_line(fence, message):
    page = f"---\ntitle: X\n---\n\n# X\n\n{fence}\ngit clone <adresse>\n```\n"
    problems = validate.check_markdown(page.encode(), 100_000)
    assert [(p.line, message in p.message) for p in problems] == [(7, True)], problems


def test_a_build_runs_the_value_and_shows_the_placeholder(tmp_path):
    from test_sandbox import ISOLATION, write_project
    from test_sandbox import build as mkdocs_build

    if not ISOLATION.available:
        pytest.skip(ISOLATION.problem)
    page = ("# Speil\n\n"
            '```bash show-output placeholders="<cran-spegel>=https://cloud.r-project.org"\n'
            'echo "repos: <cran-spegel>"\n```\n')
    config = write_project(tmp_path / "ok", {"index.md": page})
    done = mkdocs_build(config, tmp_path / "cache-ok")
    assert done.returncode == 0, done.stdout
    soup = BeautifulSoup((tmp_path / "ok/site/index.html").read_text(encoding="utf-8"), "html.parser")
    code = soup.select("pre")
    assert 'echo "repos: <cran-spegel>"' in code[0].get_text()
    assert "repos: https://cloud.r-project.org" in " ".join(pre.get_text() for pre in code[1:])
    bad = write_project(tmp_path / "bad", {"index.md": page.replace("<cran-spegel>=", "<cran-speil>=")})
    done = mkdocs_build(bad, tmp_path / "cache-bad")
    assert done.returncode != 0
    assert "docs/index.md:3: placeholders=: <cran-speil> does not occur in the block's code" in done.stdout


# ---- the seeded renv project ------------------------------------------------------------------

def test_renv_files_join_the_commit_that_asks_for_them(monkeypatch, tmp_path):
    seen = {}

    def fake(cache_dir, data_dir, packages, code):
        seen.update(packages=packages, code=code)
        return {"renv.lock": "{}\n", ".Rprofile": 'source("renv/activate.R")\n'}

    monkeypatch.setattr(renvseed, "renv_files", fake)
    commits = [{"message": "a", "files": {"README.md": "# r\n", "gammel.R": "x <- 1\n"}},
               {"message": "b", "renv": ["jsonlite"], "files": {"R/a.R": "library(jsonlite)\n",
                                                                 "gammel.R": None}}]
    out = git.with_renv_files(commits, tmp_path, DATA)
    assert seen == {"packages": ["jsonlite"], "code": {"README.md": "# r\n", "R/a.R": "library(jsonlite)\n"}}
    assert out[0] == {"message": "a", "files": commits[0]["files"]}
    assert set(out[1]["files"]) == {"R/a.R", "gammel.R", "renv.lock", ".Rprofile"}
    assert "renv.lock" not in commits[1]["files"]   # the seeds are not changed


def test_a_renv_project_that_cannot_be_made_here_says_why(monkeypatch, tmp_path):
    needs("git")

    def unavailable(*args):
        raise StandInError("a renv project needs R, which is not installed here")

    monkeypatch.setattr(renvseed, "renv_files", unavailable)
    own = standins.StandIns(tmp_path / "cache", DATA)   # not the shared one: it may have built it
    try:
        with own.session(["git"]) as exposure, EndpointProxy(exposure.endpoints) as proxy:
            env = client_env(exposure, proxy, tmp_path / "home")
            with pytest.raises(AssertionError, match="503"):
                sh(f"git clone {R_PROJECT}", env, tmp_path / "work")
            sh("git clone https://github.com/statisticsnorway/stat-testprod.git", env, tmp_path / "work")
    finally:
        own.stop()


RESTORE_R = """
if (file.exists(".Rprofile")) source(".Rprofile")  # R started in the project's folder
renv::restore()
cat("renv", format(packageVersion("renv")), "\\n")
cat("restored:", sort(basename(list.dirs(renv::paths$library(), recursive = FALSE))), "\\n")
"""


@pytest.mark.slow
def test_a_colleagues_renv_project_restores_from_the_cran_stand_in(build, tmp_path):  # noqa: F811
    needs("git", "Rscript")
    with session(build, "git", "cran") as exposure, EndpointProxy(exposure.endpoints) as proxy:
        env = client_env(exposure, proxy, tmp_path / "home")
        (tmp_path / "home/R").mkdir(parents=True)
        sh(f"git clone -q {R_PROJECT} prosjekt", env, tmp_path)
        project = tmp_path / "prosjekt"
        tracked = sh("git ls-files", env, project).split()
        assert {"renv.lock", ".Rprofile", "renv/activate.R", "renv/settings.json",
                "R/befolkning.R"} <= set(tracked)
        lock = json.loads((project / "renv.lock").read_text())
        assert lock["R"]["Repositories"] == [{"Name": "CRAN", "URL": "https://cloud.r-project.org"}]
        pins = {name: record["Version"] for name, record in lock["Packages"].items()}
        assert {"data.table", "jsonlite", "renv"} <= set(pins)
        (project / "restore.R").write_text(RESTORE_R)
        build.front.log.clear()
        out = sh("Rscript --vanilla restore.R", env, project)
    assert f"renv {pins['renv']}" in out, out[-2000:]
    restored = set(out.split("restored:")[-1].split())
    assert {"data.table", "jsonlite", "renv"} <= restored, out[-2000:]
    fetched = {path for host, _, path, status in build.front.log
               if host == "cloud.r-project.org" and status == 200}
    for name in ("data.table", "jsonlite", "renv"):   # exactly the pinned versions, from the mirror
        assert f"/src/contrib/{name}_{pins[name]}.tar.gz" in fetched, fetched


# ---- the example SAS file ----------------------------------------------------------------------

def test_the_sas_example_is_latin1_with_labels():
    import pandas as pd
    import pyreadstat

    path = ROOT / "data/examples/befolkning.sas7bdat"
    assert path.read_bytes()[70] == 29, "the header should say Latin-1"
    df, meta = pyreadstat.read_sas7bdat(str(path), encoding="latin1")
    assert "Trøndelag" in set(df["fylke"]) and meta.column_names_to_labels["aar"] == "År"
    raw = pd.read_sas(path, format="sas7bdat", encoding=None)
    assert b"Tr\xf8ndelag" in set(raw["fylke"])   # Latin-1 bytes: a reader must name the encoding


def test_the_sas_example_is_what_its_script_makes(tmp_path):
    needs("Rscript")
    libraries = ("/usr/lib/R/site-library", "/usr/local/lib/R/site-library")
    if not any(Path(lib, "haven").exists() for lib in libraries):
        pytest.skip("the R package haven is not installed here")
    subprocess.run([sys.executable, str(ROOT / "tools/make-sas-example.py"), str(tmp_path / "b.sas7bdat")],
                   cwd=ROOT, check=True, capture_output=True)
    assert (tmp_path / "b.sas7bdat").read_bytes() == (ROOT / "data/examples/befolkning.sas7bdat").read_bytes()
