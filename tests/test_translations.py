"""Translation status on a temporary git repository: missing, outdated, up to date."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from handbook.i18n import cli, stamps, status
from handbook.i18n.pages import PageIndex, PagePair
from handbook.i18n.strings import Strings
from handbook.project import Project

NB_PAGE = ("---\ntitle: Bøtter\ndescription: Om bøtter.\n---\n\n# Bøtter\n\n"
           "## Lagre data\n\nTekst.\n")
SV_PAGE = ("---\ntitle: Buckets\ndescription: Om buckets.\n---\n\n# Buckets\n\n"
           "## Spara data {#lagre-data}\n\nText.\n")


MKDOCS_YML = """site_name: T
plugins:
  - i18n:
      docs_structure: folder
      languages:
{languages}
"""


def mkdocs_yml(*codes: str) -> str:
    entries = "\n".join(f"        - {{locale: {code}, name: {code}, build: true"
                        f"{', default: true' if i == 0 else ''}}}" for i, code in enumerate(codes))
    return MKDOCS_YML.format(languages=entries)


def git(root: Path, *args: str, when: str = "2026-11-22T10:00:00+01:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when,
               GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml("nb", "sv"))
    (root / "data" / "translation-sources.yml").write_text("default: nb\npaths:\n  balsam/: sv\n")
    for lang in ("nb", "sv"):
        (root / "docs" / lang / "balsam").mkdir(parents=True)
    (root / "docs/nb/botter.md").write_text(NB_PAGE)
    (root / "docs/sv/botter.md").write_text(SV_PAGE)
    (root / "docs/nb/team.md").write_text("---\ntitle: Team\n---\n\n# Team\n")
    (root / "docs/sv/balsam/data.md").write_text("---\ntitle: Data\n---\n\n# Data\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start", when="2026-11-01T10:00:00+01:00")
    return root


def index(root: Path) -> PageIndex:
    return PageIndex(Project.load(root / "mkdocs.yml"))


def state(root: Path) -> dict[str, tuple[str, str | None]]:
    return {s.pair.key: (s.state, s.missing_language) for s in status.statuses(index(root))}


def main(root: Path, *args: str) -> int:
    return cli.translations_main([*args, "--config-file", str(root / "mkdocs.yml")])


def classify(root: Path, key: str, source: str, lang: str):
    idx = index(root)
    return status.classify(PagePair(key, source, idx.project), lang, idx, {})


def test_source_language_from_data_file_and_front_matter(repo: Path):
    assert index(repo).source_language("botter.md") == "nb"
    assert index(repo).source_language("balsam/data.md") == "sv"
    (repo / "docs/nb/team.md").write_text("---\ntitle: Team\nsource_language: sv\n---\n# Team\n")
    assert index(repo).source_language("team.md") == "sv"


def test_missing_outdated_and_up_to_date_with_stamps(repo: Path):
    assert main(repo, "--stamp", str(repo / "docs/sv/botter.md")) == 0
    text = (repo / "docs/sv/botter.md").read_text()
    digest = stamps.source_hash(repo / "docs/nb/botter.md", index(repo))
    assert f"translation_of: {{source: nb, hash: {digest}}}" in text
    assert state(repo) == {
        "botter.md": ("translated", None),
        "team.md": ("missing", "sv"),
        "balsam/data.md": ("missing", "nb"),
    }
    # whitespace-only edits do not make a translation outdated ...
    (repo / "docs/nb/botter.md").write_text(NB_PAGE.replace("Tekst.\n", "Tekst.   \n\n\n"))
    assert state(repo)["botter.md"] == ("translated", None)
    # ... a changed sentence does, until the translator stamps again
    (repo / "docs/nb/botter.md").write_text(NB_PAGE.replace("Tekst.", "Ny tekst."))
    found = classify(repo, "botter.md", "nb", "sv")
    assert found.state == "outdated" and found.stamped
    assert "docs/nb/botter.md changed since the translation" in found.reason
    stamps.stamp(repo / "docs/sv/botter.md", index(repo))
    assert state(repo)["botter.md"] == ("translated", None)


def test_check_exits_non_zero_and_names_the_file_to_fix(repo: Path, capsys):
    stamps.stamp(repo / "docs/sv/botter.md", index(repo))
    assert main(repo, "--check") == 1
    err = capsys.readouterr().err
    assert "docs/sv/team.md: missing: docs/sv/team.md does not exist" in err
    assert "docs/nb/balsam/data.md: missing:" in err
    (repo / "docs/nb/team.md").unlink()
    (repo / "docs/sv/balsam/data.md").unlink()
    assert main(repo, "--check") == 0
    # a parity break fails the check too
    (repo / "docs/sv/botter.md").write_text(
        (repo / "docs/sv/botter.md").read_text().replace(" {#lagre-data}", ""))
    (repo / "docs/nb/botter.md").write_text(NB_PAGE)
    assert main(repo, "--check") == 1
    assert "heading id 'spara-data' differs from 'lagre-data'" in capsys.readouterr().err


def test_unstamped_translation_falls_back_to_git_history(repo: Path):
    assert state(repo)["botter.md"] == ("translated", None)
    (repo / "docs/nb/botter.md").write_text(NB_PAGE + "\nMer.\n")
    git(repo, "commit", "-qam", "source changes", when="2026-11-10T10:00:00+01:00")
    found = {s.pair.key: s for s in status.statuses(index(repo))}
    assert found["botter.md"].state == "outdated"
    assert "no translation_of stamp" in found["botter.md"].reason
    (repo / "docs/sv/botter.md").write_text(SV_PAGE + "\nMer.\n")
    git(repo, "commit", "-qam", "translation follows", when="2026-11-12T10:00:00+01:00")
    assert state(repo)["botter.md"] == ("translated", None)


def test_stamping_the_original_is_refused(repo: Path, capsys):
    assert main(repo, "--stamp", str(repo / "docs/nb/botter.md")) == 1
    assert "is the original (nb); stamp its translation: docs/sv/botter.md" in \
        capsys.readouterr().err


def test_stamp_changes_only_the_front_matter_key():
    text = "---\ntitle: X\ntranslation_of:\n  source: nb\n  hash: old\ndescription: Y\n---\n\n# X\n"
    assert stamps.stamp_text(text, "nb", "new") == (
        "---\ntitle: X\ntranslation_of: {source: nb, hash: new}\ndescription: Y\n---\n\n# X\n")
    plain = "---\ntitle: X\n---\n\n# X\n\nBody ---\n"
    assert stamps.stamp_text(plain, "sv", "abc") == (
        "---\ntitle: X\ntranslation_of: {source: sv, hash: abc}\n---\n\n# X\n\nBody ---\n")


def test_git_dates_one_call_and_shallow_clones(repo: Path, tmp_path: Path):
    (repo / "docs/nb/team.md").write_text("---\ntitle: Team\n---\n\n# Team\n\nNytt.\n")
    git(repo, "commit", "-qam", "team", when="2026-11-22T10:00:00+01:00")
    dates = status.git_dates(Project.load(repo / "mkdocs.yml"))
    assert date.fromtimestamp(dates[(repo / "docs/nb/team.md").resolve()]) == date(2026, 11, 22)
    assert date.fromtimestamp(dates[(repo / "docs/nb/botter.md").resolve()]) == date(2026, 11, 1)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)],
                   check=True)
    sdates = status.git_dates(Project.load(shallow / "mkdocs.yml"))
    # the boundary commit would claim every file; those dates are unknown, not wrong
    assert sdates[(shallow / "docs/nb/botter.md").resolve()] is None
    assert sdates[(shallow / "docs/nb/team.md").resolve()] is None
    (tmp_path / "not-a-repo-at-all").mkdir()
    (tmp_path / "not-a-repo-at-all" / "mkdocs.yml").write_text(mkdocs_yml("nb"))
    assert status.git_dates(Project.load(tmp_path / "not-a-repo-at-all" / "mkdocs.yml")) == {}


def test_localised_dates(project):
    strings = Strings.load(project)
    assert strings.format_date(date(2026, 11, 22), "nb") == "22. november 2026"
    assert strings.format_date(date(2026, 11, 22), "sv") == "22 november 2026"
    assert strings.format_date(date(2026, 5, 1), "sv") == "1 maj 2026"
    # a language the project has no strings for falls back to English
    assert strings.format_date(date(2026, 5, 1), "de") == "May 1, 2026"


def test_status_markdown_links_and_labels(repo: Path, project):
    idx, strings = index(repo), Strings.load(project)
    found = status.statuses(idx)
    nb = status.status_markdown(found, "nb", "oversettelser.md", idx, strings, "https://github.com/o/r",
                                "main")
    assert "1 av 3 sider er oversatt, 0 er utdatert og 2 mangler." in nb
    assert "| [Team](team.md) | bokmål | mangler | [Oversett (svensk)]" \
           "(https://github.com/o/r/new/main/docs/sv?filename=team.md) |" in nb
    # the nb build has no page that exists only in Swedish: no link there
    assert "| Data | svensk | mangler | [Oversett (bokmål)]" in nb
    sv = status.status_markdown(found, "sv", "oversettelser.md", idx, strings, None)
    assert "| [Data](balsam/data.md) | svenska | saknas |  |" in sv


def test_all_digit_hashes_survive_yaml(tmp_path: Path):
    config = tmp_path / "mkdocs.yml"
    config.write_text(mkdocs_yml("nb", "sv"))
    text = stamps.stamp_text("---\ntitle: X\n---\n# X\n", "nb", "123456789012")
    assert 'hash: "123456789012"' in text
    page = tmp_path / "x.md"
    page.write_text("---\ntitle: X\ntranslation_of: {source: nb, hash: 000000000000}\n---\n# X\n")
    assert stamps.recorded_stamp(page, PageIndex(Project.load(config))) == {
        "source": "nb", "hash": "000000000000"}


def test_a_title_only_translation_counts_as_missing(repo: Path):
    (repo / "docs/sv/team.md").write_text("---\ntitle: Team\n---\n\n# Team\n")
    (repo / "docs/nb/team.md").write_text("---\ntitle: Team\n---\n\n# Team\n\nTekst.\n")
    found = classify(repo, "team.md", "nb", "sv")
    assert (found.state, found.reason) == ("missing", "docs/sv/team.md has only a title so far")
    assert found.fix_path == "docs/sv/team.md"


def test_stamp_all_stamps_existing_translations_but_not_title_only_ones(repo: Path, capsys):
    (repo / "docs/sv/team.md").write_text("---\ntitle: Team\n---\n\n# Team\n")
    (repo / "docs/nb/team.md").write_text("---\ntitle: Team\n---\n\n# Team\n\nTekst.\n")
    assert main(repo, "--stamp-all") == 0
    out = capsys.readouterr().out
    assert "docs/sv/team.md: skipped, only a title so far" in out
    assert stamps.recorded_stamp(repo / "docs/sv/botter.md", index(repo)) is not None
    assert stamps.recorded_stamp(repo / "docs/sv/team.md", index(repo)) is None


def test_pages_git_ignores_are_generated_and_left_out(repo: Path):
    for lang in ("nb", "sv"):
        generated = repo / "docs" / lang / "generert"
        generated.mkdir()
        (generated / ".gitignore").write_text("*\n!.gitignore\n")
        (generated / "side.md").write_text("# Side\n")
    assert "generert/side.md" not in {p.key for p in index(repo).pairs()}
    assert "botter.md" in {p.key for p in index(repo).pairs()}


def test_a_third_language_is_a_translation_of_the_original(repo: Path):
    (repo / "mkdocs.yml").write_text(mkdocs_yml("nb", "sv", "en"))
    (repo / "docs/en").mkdir()
    (repo / "docs/en/botter.md").write_text("---\ntitle: Buckets\n---\n\n# Buckets\n\n"
                                            "## Saving data {#lagre-data}\n\nText.\n")
    found = {(s.pair.key, s.language): s.state for s in status.statuses(index(repo))}
    assert found[("botter.md", "en")] == "translated"
    assert found[("team.md", "en")] == "missing"
    assert found[("balsam/data.md", "en")] == "missing"   # a Swedish original, not yet in English
    assert main(repo, "--stamp", str(repo / "docs/en/botter.md")) == 0
    assert stamps.recorded_stamp(repo / "docs/en/botter.md", index(repo))["source"] == "nb"
