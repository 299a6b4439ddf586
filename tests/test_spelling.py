"""Spelling gate: hunspell nb/sv over the article text of each built page, with word lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.checks import spelling
from handbook.project import Project

FIXTURE = Path(__file__).parent / "fixtures" / "quality-spelling"
SETUP = spelling.SpellingSetup.for_project(Project.load(FIXTURE / "mkdocs.yml"))


def test_broken_fixture_names_source_line_page_and_word():
    problems, stats = spelling.check_site(FIXTURE / "site", SETUP)
    lines = [spelling.format_problem(p) for p in problems]
    assert lines == [
        "docs/nb/dapla/botter.md:11: spelling (nb): 'bøtttene' (page dapla/botter/)",
        "docs/sv/dapla/botter.md:10: spelling (sv): 'lagringsutrymmmet' (page sv/dapla/botter/)",
    ]
    assert stats["pages"] == 3


def test_code_urls_paths_identifiers_and_chrome_are_skipped():
    html = (FIXTURE / "site" / "dapla" / "botter" / "index.html").read_text(encoding="utf-8")
    lang, text = spelling.article_text(html)
    words = spelling.words_of(text)
    assert lang == "nb"
    assert "Bøtter" in words and "lagringsbøtte" in words
    for skipped in ("xyzzyq", "kommentarr", "gcsfs", "Ctrl", "read_parquet", "SSB", "jupyter",
                    "befolkning", "¶"):
        assert skipped not in words


def test_compounds_of_known_words_are_accepted():
    unknown = spelling.hunspell_unknown({"lagringsbøtte", "tilgangsstyringen", "bøtttene"}, "nb")
    left = spelling.accept_compounds(unknown, "nb", set())
    assert left == {"bøtttene"}


def test_wordlist_entries(tmp_path):
    path = tmp_path / "ord.txt"
    path.write_text("# comment\nnotatbok\nJupyterLab  # product\n", encoding="utf-8")
    words = spelling.load_wordlist(path)
    assert spelling.in_wordlist("Notatbok", words) and spelling.in_wordlist("notatbok", words)
    assert not spelling.in_wordlist("jupyterlab", words)


def test_cli_exits_nonzero_on_the_fixture(tmp_path, capsys):
    code = spelling.main(["--config-file", str(FIXTURE / "mkdocs.yml"),
                          "--report", str(tmp_path / "spelling.json")])
    assert code == 1
    assert "'bøtttene'" in capsys.readouterr().out


@pytest.mark.site
def test_real_site_has_no_unknown_words(built_site, project):
    problems, stats = spelling.check_site(built_site, spelling.SpellingSetup.for_project(project))
    project.reports_dir.mkdir(parents=True, exist_ok=True)
    report = project.reports_dir / "spelling.json"
    import json

    report.write_text(json.dumps({"stats": stats, "problems": problems}, indent=2,
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    assert stats["pages"] > 0
    assert not problems, "\n".join(spelling.format_problem(p) for p in problems)
