"""Every code sample session and notebook on disk runs; fence options; whole builds of small projects."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_sandbox import ISOLATION, REPO, build, notebook, write_project

from handbook.adapters.samples import Words, insert_notes
from handbook.execute import registry
from handbook.execute.cache import Cache
from handbook.execute.runner import Plan, Runner
from handbook.execute.sessions import run_session
from handbook.execute.status import BlockStatus
from handbook.i18n.strings import Strings
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
    status = BlockStatus(ran=datetime.date(2026, 12, 1), output="```\n", shown=True)
    out = insert_notes(page, {1: status}, Words(STRINGS, "nb"), marked=False)
    assert '````text title="Resultat"\n```\n````' in out


# ---- what readers see under a block ----------------------------------------------------------

STRINGS = Strings.load(PROJECT)
MARKED = """=== "Python"

    ```python show-output
    print(1)
    ```

```bash skip="{reason}"
gcloud auth login
```
"""


@pytest.mark.parametrize("lang, ran, not_run", [
    ("nb", "Kjørt ved bygging 1. desember 2026", "Ikke kjørt: krever *innlogging* på [Dapla] <nå>"),
    ("sv", "Körd vid bygget 1 december 2026", "Inte körd: krever *innlogging* på [Dapla] <nå>"),
    ("en", "Ran when the site was built on December 1, 2026", "Not run: krever *innlogging* på [Dapla] <nå>"),
])
def test_marker_says_in_the_page_language_whether_the_block_ran(lang, ran, not_run):
    import markdown

    reason = "krever *innlogging* på [Dapla] <nå>"
    page = MARKED.format(reason=reason)
    statuses = {3: BlockStatus(ran=datetime.date(2026, 12, 1), output="1\n", shown=True),
                7: BlockStatus(reason=reason)}
    out = insert_notes(page, statuses, Words(STRINGS, lang))
    html = markdown.markdown(fences.strip_our_options(out),
                             extensions=["attr_list", "pymdownx.superfences", "pymdownx.tabbed"],
                             extension_configs={"pymdownx.tabbed": {"alternate_style": True}})
    soup = BeautifulSoup(html, "html.parser")
    ran_p = soup.select_one("p.sample-status.sample-status--ran")
    skipped_p = soup.select_one("p.sample-status.sample-status--not-run")
    assert ran_p.get_text() == ran and skipped_p.get_text() == not_run, "shown as written, not as Markdown"
    assert ran_p.has_attr("data-search-exclude") and skipped_p.has_attr("data-search-exclude")
    assert ran_p.find_parent(class_="tabbed-block") is not None, "the marker stays in the block's tab"
    for p in (ran_p, skipped_p):
        assert p.find_parent(["pre", "code"]) is None and not p.find(["pre", "code"])
    codes = [code.get_text() for code in soup.find_all("code")]
    assert not any("Kjørt" in c or "Ikke kjørt" in c or "Not run" in c for c in codes), \
        "the copy button copies the code only"
    # the output comes after the marker, as its own block
    assert ran_p.find_next("pre").get_text().strip() == "1"


def test_marker_for_missing_packages_and_r_is_in_the_page_language():
    words = Words(STRINGS, "sv")
    assert words.marker(BlockStatus(missing=("arrow",))) == \
        "Inte körd: kräver arrow, som inte är installerat där handboken byggs"
    assert words.marker(BlockStatus(no_r=True)) == "Inte körd: R är inte installerat där handboken byggs"
    assert Words(STRINGS, "nb").marker(BlockStatus(missing=("aws.s3", "arrow"))) == \
        "Ikke kjørt: krever aws.s3, arrow, som ikke er installert der håndboka bygges"


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


MARKED_PAGE = """\
# {title}

```python
print(1)
```

```bash skip="{reason}"
gcloud auth login
```

```text
not executable: no marker
```
"""


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available, reason="no sandbox here")
def test_built_pages_mark_each_executable_block_in_their_language(tmp_path):
    reasons = {"nb": "krever innlogging på Dapla", "sv": "kräver inloggning på Dapla"}
    config = write_project(tmp_path / "p", {f"{lang}/index.md": MARKED_PAGE.format(title=lang, reason=reason)
                                           for lang, reason in reasons.items()})
    (tmp_path / "p" / "data").mkdir()
    shutil.copy(PROJECT.data_dir / "strings.yml", tmp_path / "p" / "data" / "strings.yml")
    proc = build(config, tmp_path / "cache", site=tmp_path / "site")
    assert proc.returncode == 0, proc.stdout
    today = datetime.date.today()
    expected = {"nb": ["Kjørt ved bygging " + STRINGS.format_date(today, "nb"),
                       "Ikke kjørt: krever innlogging på Dapla"],
                "sv": ["Körd vid bygget " + STRINGS.format_date(today, "sv"),
                       "Inte körd: kräver inloggning på Dapla"]}
    for lang, folder in (("nb", ""), ("sv", "sv/")):
        soup = BeautifulSoup((tmp_path / "site" / folder / "index.html").read_text(), "html.parser")
        markers = soup.select("article p.sample-status")
        assert [m.get_text() for m in markers] == expected[lang]
        for marker in markers:
            code_block = marker.find_previous_sibling()
            assert "highlight" in code_block["class"], "each marker sits right under its code block"
            assert "Kjørt" not in code_block.get_text() and "Körd" not in code_block.get_text()
    report = _report(tmp_path / "cache")
    assert report["totals"]["ran"] == 2 and report["totals"]["blocks"] == 4
    assert report["totals"]["ran_percent"] == 50.0
    assert report["totals"]["languages"]["sv"] == {"blocks": 2, "ran": 1, "ran_percent": 50.0}
    skipped = [b for b in report["blocks"] if b["status"] == "skipped"]
    assert sorted(b["reason"] for b in skipped) == sorted(reasons.values())


# ---- the real site: markers on every page, and the share of blocks that ran -------------------

# Issue 16 asks that at least 90 % of our executable blocks run at every build. What the stand-ins
# cannot play (Dapla and BALSAM logins, BigQuery, Cloud SQL and Oracle, R packages this machine cannot
# install: arrow, aws.s3, sfarrow, PxWebApiData; interactive tools) keeps the share below that; this
# floor only rises: raise it when you convert a skipped block (145 of 185 per language ran, 78.4 %).
MIN_RAN_PERCENT = 78.0


def _built_page(site: Path, path: str) -> Path:
    """docs/<lang>/a/b.md -> the page's index.html in the built site."""
    docs = PROJECT.docs_dir.relative_to(PROJECT.root)
    lang, _, rel = Path(path).relative_to(docs).as_posix().partition("/")
    folder = rel.removesuffix(".md")
    if Path(folder).name in ("index", "README"):
        folder = str(Path(folder).parent).removeprefix(".")
    prefix = "" if lang == PROJECT.default_language else lang
    return site.joinpath(*[p for p in (prefix, folder) if p], "index.html")


@pytest.mark.site
def test_share_of_blocks_that_ran(site_reports):
    totals = json.loads((site_reports / "execution.json").read_text())["totals"]
    assert totals["failed"] == 0
    assert totals["ran"] + totals["skipped"] == totals["blocks"]
    for lang, share in {"all": totals, **totals["languages"]}.items():
        assert share["ran_percent"] >= MIN_RAN_PERCENT, f"{lang}: {share}"
    assert totals["languages"].keys() == set(PROJECT.language_codes)


@pytest.mark.site
def test_every_executable_block_of_the_real_site_has_its_marker(built_site, site_reports):
    report = json.loads((site_reports / "execution.json").read_text())
    pages: dict[str, list[dict]] = {}
    for block in report["blocks"]:
        pages.setdefault(block["path"], []).append(block)
    problems = []
    for path, blocks in sorted(pages.items()):
        page = _built_page(built_site, path)
        if not page.exists():
            problems.append(f"{path}: no built page {page}")
            continue
        lang = next(code for code in PROJECT.language_codes if f"/{code}/" in f"/{path}")
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        ran = soup.select("article p.sample-status--ran")
        not_run = soup.select("article p.sample-status--not-run")
        expected_ran = sum(b["status"] in ("executed", "cache hit") for b in blocks)
        expected_skipped = [b for b in blocks if b["status"] == "skipped"]
        if (len(ran), len(not_run)) != (expected_ran, len(expected_skipped)):
            problems.append(f"{path}: {len(ran)} ran / {len(not_run)} not run markers, "
                            f"report: {expected_ran} / {len(expected_skipped)}")
        ran_prefix = STRINGS.get(lang, "sample_ran", date="").strip()
        not_run_prefix = STRINGS.get(lang, "sample_not_run", reason="").strip()
        problems += [f"{path}: {m.get_text()!r}" for m in ran if not m.get_text().startswith(ran_prefix)]
        texts = [m.get_text() for m in not_run]
        problems += [f"{path}: {t!r}" for t in texts if not t.startswith(not_run_prefix)]
        for block in expected_skipped:   # a skip= reason is shown as written
            fence_reason = block["reason"]
            shown = re.sub(r"(?<!\w)'([^'\n]+)'(?!\w)", r"\1", fence_reason)   # 'x' is shown as code
            if "not installed" not in fence_reason and not any(t.endswith(shown) for t in texts):
                problems.append(f"{path}:{block['lines']}: reason {fence_reason!r} not shown")
    assert not problems, "\n".join(problems)
    assert len(pages) > 20, "the report lists the pages with samples"


PROJECT_PAGE = """\
# Prosjekt

```bash project="https://github.com/statisticsnorway/stat-testprod.git#ny-gren" show-output
git branch --show-current
ls
git config user.name
```

```bash session="b" project="https://github.com/statisticsnorway/stat-testprod.git#bruk-pendulum" show-output
git branch --show-current
grep pendulum pyproject.toml
```

```python session="py" project="https://github.com/statisticsnorway/stat-testprod.git" show-output
import subprocess

print(open("README.md", encoding="utf-8").readline().strip())
print(subprocess.run(["git", "branch", "--show-current"], capture_output=True, text=True).stdout.strip())
```
"""


@pytest.mark.slow
@pytest.mark.skipif(not ISOLATION.available or not shutil.which("git"), reason="no sandbox or git here")
def test_project_option_starts_the_session_in_a_clone(tmp_path):
    config = write_project(tmp_path / "p", {"nb/index.md": PROJECT_PAGE, "sv/index.md": PROJECT_PAGE})
    shutil.copytree(PROJECT.data_dir / "standins", tmp_path / "p" / "data" / "standins")
    shutil.copy(PROJECT.data_dir / "strings.yml", tmp_path / "p" / "data" / "strings.yml")
    proc = build(config, tmp_path / "cache", site=tmp_path / "site")
    assert proc.returncode == 0, proc.stdout
    soup = BeautifulSoup((tmp_path / "site/index.html").read_text(), "html.parser")
    titles = [t for t in soup.select("article .highlight span.filename") if t.get_text() == "Resultat"]
    outputs = [title.find_parent(class_="highlight").find("pre").get_text() for title in titles]
    new_branch, remote_branch, python = outputs
    assert new_branch.split() == ["ny-gren", "README.md", "pyproject.toml", "src", "tests",
                                  "Kari", "Nordmann"]
    assert remote_branch.split()[0] == "bruk-pendulum", remote_branch
    assert 'pendulum = ">=3.0"' in remote_branch, "a branch the remote has is checked out, not made anew"
    assert python.split("\n")[:2] == ["# stat-testprod", "main"]
    report = _report(tmp_path / "cache")
    assert {tuple(b["standins"]) for b in report["blocks"]} == {("git",)}


def test_quoted_names_in_a_reason_are_code_and_a_foreign_reason_is_marked():
    import markdown

    page = "```bash skip=\"krever 'gh auth login' i *nettleseren*\"\ngh auth login\n```\n"
    status = {1: BlockStatus(reason="krever 'gh auth login' i *nettleseren*")}
    out = insert_notes(page, status, Words(STRINGS, "nb"))
    html = markdown.markdown(fences.strip_our_options(out), extensions=["attr_list", "pymdownx.superfences"])
    marker = BeautifulSoup(html, "html.parser").select_one("p.sample-status")
    assert marker.get_text() == "Ikke kjørt: krever gh auth login i *nettleseren*"
    assert [c.get_text() for c in marker.find_all("code")] == ["gh auth login"]
    assert marker["lang"] == "nb"
    foreign = insert_notes(page, {1: BlockStatus(reason="körs i resursens mapp")},
                           Words(STRINGS, "nb", "sv"))
    html = markdown.markdown(fences.strip_our_options(foreign),
                             extensions=["attr_list", "pymdownx.superfences"])
    marker = BeautifulSoup(html, "html.parser").select_one("p.sample-status")
    assert marker.get_text() == "Ikke kjørt: körs i resursens mapp"
    assert marker["lang"] == "nb" and marker.find("span", lang="sv").get_text() == "körs i resursens mapp"
