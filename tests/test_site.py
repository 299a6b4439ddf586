"""The built site: both languages, right lang attributes, twins linked, notebooks rendered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from projects import REPO

pytestmark = pytest.mark.site

LANGS = {"nb": "", "sv": "sv/"}


def pages(site: Path, lang: str) -> list[Path]:
    root = site / LANGS[lang]
    found = []
    for html in root.rglob("index.html"):
        rel = html.relative_to(site).as_posix()
        if lang == "nb" and rel.startswith("sv/"):
            continue
        if "404" in rel:
            continue
        found.append(html)
    return found


def test_both_home_pages_have_the_right_lang(built_site):
    assert '<html lang="nb"' in (built_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv"' in (built_site / "sv" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_its_language(built_site, lang):
    wrong = [p for p in pages(built_site, lang)
             if f'<html lang="{lang}"' not in p.read_text(encoding="utf-8")]
    assert not wrong, f"pages without lang={lang}: {wrong[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_theme_strings_are_in_the_page_language(built_site, lang):
    html = (built_site / LANGS[lang] / "index.html").read_text(encoding="utf-8")
    expected = {"nb": 'placeholder="Søk"', "sv": 'placeholder="Sök"'}[lang]
    assert expected in html


def _switcher_targets(html: str, page_url: str) -> dict[str, str]:
    """hreflang -> absolute path of the language switcher's links on one page."""
    from urllib.parse import unquote, urljoin
    found = {}
    for tag in re.findall(r'<a [^>]*class="md-select__link"[^>]*>', html):
        href = re.search(r'href="([^"]*)"', tag).group(1)
        lang = re.search(r'hreflang="([^"]*)"', tag).group(1)
        found[lang] = unquote(urljoin(page_url, href))
    return found


def test_each_page_links_to_its_twin(built_site):
    for html in pages(built_site, "nb"):
        rel = html.relative_to(built_site).as_posix()
        twin = built_site / "sv" / rel
        assert twin.exists(), f"{rel} has no sv twin"
        path = "/" + rel.removesuffix("index.html")
        nb_links = _switcher_targets(html.read_text(encoding="utf-8"), path)
        sv_links = _switcher_targets(twin.read_text(encoding="utf-8"), "/sv" + path)
        assert nb_links.get("sv") == "/sv" + path, f"{rel}: switcher goes to {nb_links}"
        assert sv_links.get("nb") == path, f"sv/{rel}: switcher goes to {sv_links}"


@pytest.mark.parametrize("lang", LANGS)
def test_notebook_pages_are_rendered_with_outputs(built_site, lang):
    for name in ("dapla-gcs", "balsam-s3"):
        html = (built_site / LANGS[lang] / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        assert '"nbformat"' not in html, "notebook published as raw JSON"
        assert "jupyter-wrapper" in html
        assert 'class="jp-OutputArea-output' in html or "jp-RenderedText" in html, "no executed output"
        assert (built_site / LANGS[lang] / "notebooks" / name / f"{name}.ipynb").exists()


def test_downloaded_notebooks_have_no_outputs(built_site):
    """The example notebooks download clean; notebooks made from pages carry the page's outputs,
    and knowledge library notebooks are the committed bytes, both on purpose."""
    import json
    checked = 0
    for nb in built_site.rglob("*.ipynb"):
        data = json.loads(nb.read_text(encoding="utf-8"))
        meta = data.get("metadata", {}).get("handbook") or {}
        if meta.get("source") or meta.get("library"):
            continue
        checked += 1
        for cell in data["cells"]:
            assert not cell.get("outputs"), f"{nb}: download carries outputs"
    assert checked >= 2


def test_edit_links_open_the_language_file(built_site):
    nb = (built_site / "dapla" / "botter" / "index.html").read_text(encoding="utf-8")
    sv = (built_site / "sv" / "dapla" / "botter" / "index.html").read_text(encoding="utf-8")
    assert "edit/main/docs/nb/dapla/botter.md" in nb
    assert "edit/main/docs/sv/dapla/botter.md" in sv


def test_heading_ids_keep_nordic_letters(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'id="slik-finner-du-fram"' in html
    sv = (built_site / "sv" / "index.html").read_text(encoding="utf-8")
    assert 'id="kode-du-kan-stole-på"' in sv


def test_sitemap_lists_alternates(built_site):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert 'hreflang="sv"' in sitemap and 'hreflang="nb"' in sitemap


def test_no_resource_from_another_host(built_site):
    # Views must not load fonts, scripts or styles from another host.
    pattern = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?://[^"]+)"')
    for html in built_site.rglob("*.html"):
        for url in pattern.findall(html.read_text(encoding="utf-8")):
            tag_ok = url.startswith(("http://127.0.0.1", "http://localhost"))
            assert tag_ok or _is_alternate_link(html, url), f"{html}: loads {url}"


def _is_alternate_link(html: Path, url: str) -> bool:
    text = html.read_text(encoding="utf-8")
    return bool(re.search(rf'<link[^>]+rel="(?:alternate|canonical)"[^>]+href="{re.escape(url)}"', text)
                or re.search(rf'<link[^>]+href="{re.escape(url)}"[^>]+rel="(?:alternate|canonical)"', text))


def test_config_is_strict_with_every_validation_at_warn():
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"!!python/\S+|!ENV", "", text)
    config = yaml.safe_load(text)
    assert config["strict"] is True
    validation = config["validation"]
    flat = {k: v for k, v in validation.items() if not isinstance(v, dict)}
    for group in ("nav", "links"):
        flat.update({f"{group}.{k}": v for k, v in validation[group].items()})
    assert flat and all(v == "warn" for v in flat.values()), flat
    assert config["plugins"][0]["search"]["lang"][0] == "no", "YAML must keep 'no' a string"
