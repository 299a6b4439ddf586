"""The benchmark's parts that need no timing: configs, the generated site, the edit, the report."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import yaml
from projects import REPO

from handbook.bench import manual as bench_manual
from handbook.bench import payload as bench_payload
from handbook.bench import site as bench_site
from handbook.bench import suite as bench_suite
from handbook.bench import targets as bench_targets
from handbook.bench.measure import execution_phase
from handbook.markdown import fences

ARGS = SimpleNamespace(manual=270, pages=1000, small=100)

CONFIG = """\
site_name: X
strict: true
extra:
  generator: false
  handbook:
    knowledge_library:
      path: lib
  other: 1
watch:
  - hooks
hooks:
  - hooks/a.py
  - hooks/b.py
plugins:
  - search
nav:
  - Home: index.md
"""


def test_baseline_config_has_no_handbook_hooks_and_is_not_strict():
    text = bench_site.baseline_config(CONFIG)
    assert bench_site.hook_paths(CONFIG) == ["hooks/a.py", "hooks/b.py"]
    assert bench_site.hook_paths(text) == [bench_site.BASELINE_SHIM_NAME]
    data = yaml.safe_load(text)
    assert data["strict"] is False
    assert data["plugins"] == ["search"] and data["nav"] == [{"Home": "index.md"}]


def test_without_hook_removes_one_entry():
    text = bench_site.without_hook(CONFIG, "hooks/a.py")
    assert bench_site.hook_paths(text) == ["hooks/b.py"]
    assert yaml.safe_load(text)["watch"] == ["hooks"]


def test_write_baseline_puts_config_and_shim_next_to_the_project(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    target = bench_site.write_baseline(tmp_path)
    assert target == tmp_path / "mkdocs.baseline.yml"
    assert "def on_config" in (tmp_path / bench_site.BASELINE_SHIM_NAME).read_text()
    assert (tmp_path / "mkdocs.yml").read_text() == CONFIG   # the original is untouched


def test_generated_config_drops_nav_watch_and_the_library_only():
    data = yaml.safe_load(bench_site.generated_config(CONFIG))
    assert "nav" not in data and "watch" not in data
    assert data["extra"] == {"generator": False, "other": 1}
    assert data["hooks"] == ["hooks/a.py", "hooks/b.py"]
    assert data["strict"] is False


def test_real_config_keeps_its_plugins_in_the_baseline():
    real = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    base = bench_site.baseline_config(real)
    assert bench_site.hook_paths(base) == [bench_site.BASELINE_SHIM_NAME]
    for plugin in ("i18n", "mkdocs-jupyter", "search"):
        assert plugin in base


def test_generated_site_pages_notebooks_and_twins(tmp_path):
    project = tmp_path / "project"
    (project / "hooks").mkdir(parents=True)
    (project / "hooks" / "a.py").write_text("")
    (project / "mkdocs.yml").write_text(CONFIG)
    info = bench_site.generate_site(project, tmp_path / "gen", pages=12, notebooks=2,
                                    section_size=5)
    docs = tmp_path / "gen" / "docs"
    for lang in ("nb", "sv"):
        assert len(list((docs / lang).rglob("*.md"))) == 12
        assert len(list((docs / lang / "notebooks").glob("*.ipynb"))) == 2
    assert sorted(p.name for p in docs.joinpath("nb").iterdir()) == [
        "index.md", "notebooks", "seksjon-01", "seksjon-02", "seksjon-03"]
    assert (tmp_path / "gen" / "hooks" / "a.py").exists()
    assert info["documents_per_language"] == 14
    # one python block per page, one bash block on page 10
    assert info["sample_blocks_per_language"] == 12

    nb_page = docs / "nb" / "seksjon-02" / "side-0007.md"
    sv_page = docs / "sv" / "seksjon-02" / "side-0007.md"
    nb_blocks = fences.find_blocks(nb_page.read_text(), "nb")
    sv_blocks = fences.find_blocks(sv_page.read_text(), "sv")
    code = [b.code for b in nb_blocks if b.executable]
    assert code == [b.code for b in sv_blocks if b.executable]
    assert nb_page.read_text() != sv_page.read_text()
    assert nb_page.read_text().startswith("---\ntitle: Side 7\n")

    nb = nbformat.read(docs / "sv" / "notebooks" / "notatbok-02.ipynb", as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]


def test_pick_and_edit_block_changes_one_session(tmp_path):
    page = tmp_path / "docs" / "nb" / "a.md"
    page.parent.mkdir(parents=True)
    skipped = tmp_path / "docs" / "nb" / "0.md"
    skipped.write_text('```python skip="needs a login"\nx = 1\n```\n')
    page.write_text("# A\n\n=== \"Python\"\n\n    ```python\n    x = 1\n    ```\n\n"
                    "```r\ny <- 2\n```\n\n```python show-output\nprint(x)\n```\n")
    pick = bench_site.pick_edit_block([skipped, page], tmp_path)
    assert pick == (page, 5, 2)
    assert bench_site.pick_edit_block([page], tmp_path, usable=lambda rel: False) is None
    bench_site.edit_block(page, 5)
    blocks = [b for b in fences.find_blocks(page.read_text(), "a") if b.lang == "python"]
    assert blocks[0].code.split("\n")[:2] == ["_bench_edit = 1", "x = 1"]
    assert blocks[1].code.strip() == "print(x)"


def test_site_statistics(tmp_path):
    (tmp_path / "search" / "shards").mkdir(parents=True)
    (tmp_path / "search" / "search_index.json").write_text("x" * 10)
    (tmp_path / "search" / "shards" / "62.json").write_text("x" * 5)
    for i, size in enumerate((100, 300, 200)):
        (tmp_path / f"p{i}.html").write_text("y" * size)
    assert bench_site.search_index_sizes(tmp_path, {"nb": "", "sv": "sv/"}) == {
        "nb": {"page_load": 10, "all_files": 15}, "sv": None}
    assert bench_site.median_page_bytes(tmp_path) == 200
    assert bench_site.median_page_bytes(tmp_path / "search") == 0


def _build(name, wall, cpu, peak=100.0, baseline=None, **extra):
    return {"name": name, "wall_s": wall, "cpu_s": cpu, "peak_mb": peak, "baseline": baseline,
            "notes": "", "returncode": 0, **extra}


def test_table_ratios_and_report(tmp_path):
    builds = [_build("warm", 13.0, 6.5, baseline="base"), _build("base", 10.0, 5.0)]
    table = bench_site.format_table(builds)
    lines = table.splitlines()
    assert lines[0].startswith("| build")
    assert "1.30x" in lines[2] and "0.50" in lines[2]     # wall/base and CPU/wall
    assert lines[3].split("|")[6].strip() == "-"          # no ratio for the baseline itself
    path = bench_site.write_report(tmp_path / "r" / "bench.json", {"table": table})
    assert json.loads(path.read_text())["table"] == table


def test_targets_say_what_is_missed_and_by_how_much():
    builds = {b["name"]: b for b in [
        _build("real warm", 14.0, 7.0, baseline="real baseline"),
        _build("real baseline", 10.0, 5.0),
        _build("manual 270 warm", 10.0, 5.4, baseline="manual 270 baseline"),
        _build("manual 270 baseline", 10.0, 5.0),
        _build("gen 1000 cold", 100.0, 90.0, peak=2100.0, ms_per_document=50.0,
               cpu_ms_per_document=45.0),
        _build("gen 100 cold", 10.0, 9.0, ms_per_document=50.0, cpu_ms_per_document=30.0),
    ]}
    payload = {"nb": {"median_bytes": 90_000, "max_bytes": 110_000, "max_gzip_bytes": 40_000},
               "sv": {"median_bytes": 200_000, "max_bytes": 320_000, "max_gzip_bytes": 90_000}}
    facts = {"real": {"edit": {"page": "docs/nb/a.md", "line": 3, "expected_executed": 2,
                               "executed": 2, "notebooks_executed": 0,
                               "executed_pages": ["docs/nb/a.md"]}},
             "manual 270": {"payload": payload}}
    checks = {c["target"].split(" (")[0].split(":")[0]: c
              for c in bench_targets.check_targets(builds, facts, ARGS)}
    warm = checks["warm rebuild of the real site within 1.3x of the baseline"]
    assert warm["met"] is False and "CPU 1.40x" in warm["detail"] and "8% over" in warm["detail"]
    manual = checks["warm full build at 270 pages per language within 1.1x of the baseline"]
    assert manual["met"] is True and "CPU 1.08x" in manual["detail"]
    search = checks["first-query search payload at most 300 KB per language at 270 pages"]
    assert search["met"] is False and "sv median 195 KB, largest 312 KB" in search["detail"]
    assert checks["editing one page re-executes only that page's samples"]["met"] is True
    per_page = checks["per-page cost at 1000 within 1.2x of 100"]
    assert per_page["met"] is False and "1.50x" in per_page["detail"]
    assert checks["peak memory under 2 GB"]["met"] is False

    facts["manual 270"]["preview"] = {
        "page": "docs/nb/handbok/x.md",
        "prose": {"seconds": [0.2, 0.3, 1.4], "median_s": 0.3, "median_sample_s": 0.0},
        "code-sample": {"seconds": [1.6, 1.7, 1.8], "median_s": 1.7, "median_sample_s": 0.5}}
    preview = {c["target"]: c for c in bench_targets.check_targets(builds, facts, ARGS)
               if c["target"].startswith("preview")}
    assert preview["preview shows a prose edit within 1.0 s at 270 pages"]["met"] is True
    code = preview["preview shows a code-sample edit within 1.0 s plus the sample's own run time"
                   " at 270 pages"]
    assert code["met"] is False and "allowed 1.50 s" in code["detail"]

    facts["real"]["edit"]["executed_pages"] = ["docs/nb/a.md", "docs/nb/b.md"]
    checks = bench_targets.check_targets(builds, facts, ARGS)
    assert [c["met"] for c in checks if c["target"].startswith("editing")] == [False]
    lines = bench_targets.report_lines(list(builds.values()), facts, checks, ARGS)
    assert any(line.startswith("MISSED first-query search payload") for line in lines)


def test_execution_phase_ends_at_the_first_complete_batch():
    stamped = [(1.0, "INFO - x"), (2.0, "INFO - handbook: [1/2] a: ok (1.0 s)"),
               (3.5, "INFO - handbook: [2/2] b: ok (1.2 s)"), (9.0, "INFO - [1/1] c")]
    assert execution_phase(stamped) == 3.5
    assert execution_phase([(1.0, "nothing")]) is None


def test_manual_grows_the_project_to_a_manuals_size(tmp_path):
    project = tmp_path / "project"
    for lang, words in (("nb", "Bøttene ligger i prosjektet."), ("sv", "Bucketarna ligger i projektet.")):
        docs = project / "docs" / lang
        docs.mkdir(parents=True)
        (docs / "index.md").write_text(
            f"---\ntitle: Hjem\n---\n\n# Hjem\n\n## Lagring\n\n{words} Les mer her.\n\n"
            "```yaml\nbucket: x\n```\n\n```python\nx = 1\n```\n")
    (project / "hooks").mkdir()
    (project / "mkdocs.yml").write_text(CONFIG)
    info = bench_manual.make_manual(project, tmp_path / "manual", pages=12)
    assert info["generated"] == {"nb": 11, "sv": 11}
    for lang in ("nb", "sv"):
        docs = tmp_path / "manual" / "docs" / lang
        assert bench_manual.count_pages(docs) == 12
        pages = sorted((docs / bench_manual.FOLDER).rglob("*.md"))
        assert all(len(p.relative_to(docs).parts) == 4 for p in pages)   # handbok/kapittel/del
    config = yaml.safe_load((tmp_path / "manual" / "mkdocs.yml").read_text())
    assert "nav" not in config and config["strict"] is False
    nb = (tmp_path / "manual/docs/nb/handbok/kapittel-01/del-1/side-001.md").read_text()
    sv = (tmp_path / "manual/docs/sv/handbok/kapittel-01/del-1/side-001.md").read_text()
    assert "Bøttene ligger i prosjektet." in nb and "Bucketarna" in sv
    code = [b.code for b in fences.find_blocks(nb, "nb") if b.executable]
    assert code and code == [b.code for b in fences.find_blocks(sv, "sv") if b.executable]
    assert "```yaml" in nb or "| " in nb or "!!! " in nb or "- " in nb   # a manual's shapes
    for page in (tmp_path / "manual/docs").rglob("side-*.md"):   # front matter a strict build accepts
        meta = yaml.safe_load(page.read_text().split("---\n")[1])
        assert isinstance(meta["title"], str) and meta["title"], page
    again = bench_manual.make_manual(project, tmp_path / "again", pages=12)
    assert again == info and (tmp_path / "again/docs/nb/handbok/kapittel-01/del-1/side-001.md"
                              ).read_text() == nb   # seeded: the same site every time


def test_payload_counts_the_search_files_once(tmp_path):
    (tmp_path / "search" / "shards").mkdir(parents=True)
    (tmp_path / "search" / "search_index.json").write_text("m" * 100)
    (tmp_path / "search" / "shards" / "62.json").write_text("s" * 50)
    paths = ["/", "/assets/x.css", "/search/search_index.json", "/search/shards/62.json",
             "/search/shards/62.json", "/assets/javascripts/workers/w.js"]
    search = bench_payload.search_requests(paths)
    assert search == paths[2:]
    raw, packed = bench_payload.file_sizes(tmp_path, search)
    assert raw == 150 and packed == len(gzip.compress(b"m" * 100, 6)) + len(gzip.compress(b"s" * 50, 6))


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=repo,
                   check=True, capture_output=True)


def test_suite_bench_times_fresh_clones_from_their_junit_reports(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Makefile").write_text(f"test:\n\t{sys.executable} -m pytest -q -p no:cacheprovider test_x.py\n")
    (repo / "test_x.py").write_text("import time\n\nimport pytest\n\ndef test_a():\n    time.sleep(0.3)\n\n"
                                    "def test_b():\n    pytest.skip('no')\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (repo / "test_x.py").write_text((repo / "test_x.py").read_text() + "\ndef test_c():\n    assert 0\n")
    (repo / "uncommitted.txt").write_text("not cloned")
    _git(repo, "commit", "-qam", "two")
    (repo / "test_x.py").write_text("def test_only_here():\n    pass\n")   # not committed: not run
    first = bench_suite.time_suite(repo, "HEAD~1", tmp_path / "one.log", [])
    second = bench_suite.time_suite(repo, "HEAD", tmp_path / "two.log", [])
    assert (first["exit"], first["tests"], first["skipped"], first["failures"]) == (0, 1, 1, 0)
    assert second["tests"] == 2 and second["failures"] == 1 and second["exit"] != 0
    assert first["seconds"] >= 0.3 and first["commit"] != second["commit"]   # pytest's own time
    assert "test_only_here" not in (tmp_path / "two.log").read_text()
    assert bench_suite.parse_junit(tmp_path / "two.xml") == {k: second[k] for k in
                                                            ("seconds", "tests", "failures", "skipped")}
    summary = bench_suite.summarize([first, second], ["HEAD~1", "HEAD"], 0.5)
    assert summary["medians"]["HEAD"] is None and summary["ratio"] is None   # a failed run has no time


def test_suite_bench_says_whether_the_ratio_is_met():
    runs = [{"rev": rev, "exit": 0, "seconds": s} for rev, s in
            [("old", 950.0), ("new", 420.0), ("old", 900.0), ("new", 480.0), ("new", 900.0)]]
    runs.append({"rev": "new", "exit": 1, "seconds": 10.0})   # failed: left out
    summary = bench_suite.summarize(runs, ["old", "new"], 0.5)
    assert summary["medians"] == {"old": 925.0, "new": 480.0}
    assert summary["ratio"] == round(480 / 925, 3)
    assert summary["lines"][-1].startswith("NOT MET")
    assert bench_suite.summarize(runs, ["old", "new"], 0.6)["lines"][-1].startswith("MET ")
