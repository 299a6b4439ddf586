"""The glossary data file is complete and renders in both languages."""

from __future__ import annotations

import pytest

from handbook.content import glossary


def test_glossary_loads_with_every_field(project):
    terms = glossary.load(project.data_dir / "glossary")
    assert len(terms) >= 20
    assert {"botte", "bakke", "sky"} <= {t.id for t in terms}
    for term in terms:  # every term is named and defined in every language of the site
        for lang in project.language_codes:
            assert term.names.get(lang) and term.definition.get(lang), (term.id, lang)


def test_a_language_no_term_has_falls_back_to_the_default(tmp_path):
    (tmp_path / "x.yml").write_text("- id: a\n  en: bucket\n  nb: bøtte\n  sv: bucket\n"
                                    "  abbr: null\n  definition: {nb: Lager., sv: Lager.}\n")
    term = glossary.load(tmp_path)[0]
    assert term.name("da", "nb") == "bøtte" and term.define("da", "nb") == "Lager."


def test_missing_definition_is_named(tmp_path):
    (tmp_path / "x.yml").write_text("- id: a\n  en: a\n  nb: a\n  sv: a\n  definition: {nb: A}\n")
    with pytest.raises(glossary.GlossaryError, match=r"term 'a' lacks definition\.sv"):
        glossary.load(tmp_path)


def test_sorting_follows_each_alphabet():
    words = ["øl", "åker", "zebra", "ære"]
    assert sorted(words, key=lambda w: glossary.sort_key(w, "nb")) == ["zebra", "ære", "øl", "åker"]
    assert sorted(["ö", "å", "ä"], key=lambda w: glossary.sort_key(w, "sv")) == ["å", "ä", "ö"]


@pytest.mark.site
@pytest.mark.parametrize(("lang", "prefix"), [("nb", ""), ("sv", "sv/")])
def test_glossary_page_lists_every_term(built_site, project, lang, prefix):
    html = (built_site / prefix / "ordliste" / "index.html").read_text(encoding="utf-8")
    for term in glossary.load(project.data_dir / "glossary"):
        assert f'id="{term.id}"' in html
    page = built_site / prefix / "koding" / "git-og-github" / "index.html"
    assert "<abbr" in page.read_text(encoding="utf-8")
