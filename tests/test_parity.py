"""Parity between a page and its translation: headings, code blocks, links, images."""

from __future__ import annotations

import json
from pathlib import Path

from handbook.i18n import parity
from handbook.i18n.pages import PageIndex
from handbook.project import Project

NB = "docs/nb/botter.md"
SV = "docs/sv/botter.md"

SOURCE = """---
title: Bøtter
description: Om bøtter.
---

# Bøtter

Se [data](data.md#lagre-data) og ![skjerm](bilde.png).

## Bøtter i prod

```python
# les fila
import pandas as pd
df = pd.DataFrame({"a": [1]})
```

## Lagre PAT

```bash
echo hei
```
"""

TRANSLATION = """---
title: Buckets
description: Om buckets.
translation_of: {source: nb, hash: abc}
---

# Buckets

Se [data](data.md#lagre-data) och ![skärm](bilde.png).

## Buckets i prod {#bøtter-i-prod}

```python
# läs filen
import pandas as pd
df = pd.DataFrame({"a": [1]})
```

## Spara PAT { #lagre-pat }

```bash
echo hei
```
"""


def compare(source: str, translation: str) -> list[str]:
    return parity.compare_markdown(NB, source, SV, translation)


def test_heading_ids_follow_pymdownx_slugify_and_explicit_ids():
    ids = [h.id for h in parity.headings(TRANSLATION)]
    assert ids == ["buckets", "bøtter-i-prod", "lagre-pat"]
    assert [h.id for h in parity.headings(SOURCE)] == ["bøtter", "bøtter-i-prod", "lagre-pat"]
    # a '#' line inside a code block is not a heading; repeated headings get _1
    text = "# T\n\n```bash\n# not a heading\n```\n\n## Mer\n\n## Mer\n"
    assert [h.id for h in parity.headings(text)] == ["t", "mer", "mer_1"]


def test_a_faithful_translation_has_no_problems():
    # comments in code are translated, the H1 differs: both allowed
    assert compare(SOURCE, TRANSLATION) == []


def test_code_block_count_message_names_both_files():
    extra = TRANSLATION + "\n```python\nprint(1)\n```\n"
    problems = compare(SOURCE, extra)
    assert f"{SV}: 3 code blocks, {NB} has 2" in problems
    assert any(p.startswith(f"{SV}:") and "python block is not in" in p for p in problems)


def test_changed_code_is_reported_at_its_line():
    changed = TRANSLATION.replace('"a": [1]', '"a": [2]')
    problems = compare(SOURCE, changed)
    line = changed.split("\n").index("```python") + 1
    assert problems == [f"{SV}:{line}: python block differs in code from {NB}:12 "
                        "(only full-line comments may differ)"]


def test_heading_id_mismatch_suggests_the_pin():
    unpinned = TRANSLATION.replace("## Buckets i prod {#bøtter-i-prod}", "## Buckets i prod")
    problems = compare(SOURCE, unpinned)
    assert len(problems) == 1
    assert problems[0].startswith(f"{SV}:11: heading id 'buckets-i-prod' differs from "
                                  f"'bøtter-i-prod' in {NB}:10")
    assert problems[0].endswith("## Buckets i prod {#bøtter-i-prod}")


def test_missing_heading_is_counted():
    fewer = TRANSLATION.replace("## Spara PAT { #lagre-pat }\n", "")
    problems = compare(SOURCE, fewer)
    assert f"{SV}: 1 heading (below the title), {NB} has 2" in problems
    assert any("'Lagre PAT' (#lagre-pat" in p and "has no counterpart" in p for p in problems)


def test_links_and_images_must_match():
    other = TRANSLATION.replace("data.md#lagre-data", "data.md#spara-data").replace(
        "bilde.png", "bild.png")
    problems = compare(SOURCE, other)
    assert f"{SV}: missing link to data.md#lagre-data (1x in {NB}, 0x here)" in problems
    assert f"{SV}: link to data.md#spara-data is not in {NB} (1x here, 0x there)" in problems
    assert f"{SV}: missing image to bilde.png (1x in {NB}, 0x here)" in problems
    assert f"{SV}: image to bild.png is not in {NB} (1x here, 0x there)" in problems


def test_links_in_code_are_not_links():
    text = "# T\n\nSe `[a](b.md)`.\n\n```text\n[c](d.md)\n```\n\n[e]: https://example.org/\n"
    targets, images = parity.links(text)
    assert dict(targets) == {"https://example.org/": 1}
    assert not images


def test_a_title_only_translation_gives_one_message():
    stub = "---\ntitle: Buckets\n---\n\n# Buckets\n"
    assert compare(SOURCE, stub) == [
        f"{SV}: not translated yet (no headings or code blocks; {NB} has 2 headings "
        "and 2 code blocks)"]


def _notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {},
                                  "outputs": [], "execution_count": None} for c in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_notebook_code_cells():
    a = _notebook("# kommentar\nx = 1\n", "print(x)\n")
    b = _notebook("# kommentar på svenska\nx = 1\n", "print(x)\n")
    assert parity.compare_notebooks("nb.ipynb", a, "sv.ipynb", b) == []
    c = _notebook("x = 2\n")
    assert parity.compare_notebooks("nb.ipynb", a, "sv.ipynb", c) == [
        "sv.ipynb: 1 code cell, nb.ipynb has 2",
        "sv.ipynb: code cell 1 differs from nb.ipynb (only full-line comments may differ)",
    ]


def test_check_walks_page_pairs_and_respects_the_source_language(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - i18n:\n      languages:\n"
        "        - {locale: nb, name: nb, default: true}\n        - {locale: sv, name: sv}\n")
    (tmp_path / "data" / "translation-sources.yml").write_text(
        "default: nb\npaths:\n  balsam/: sv\n")
    for lang in ("nb", "sv"):
        (tmp_path / "docs" / lang / "balsam").mkdir(parents=True)
    (tmp_path / "docs/nb/botter.md").write_text(SOURCE)
    (tmp_path / "docs/sv/botter.md").write_text(TRANSLATION)
    (tmp_path / "docs/sv/balsam/data.md").write_text("# Data\n\n## Hämta data\n\n```r\n1\n```\n")
    (tmp_path / "docs/nb/balsam/data.md").write_text("# Data\n\n## Hente data\n\n```r\n1\n```\n")
    (tmp_path / "docs/nb/alene.md").write_text("# Bare på bokmål\n")
    index = PageIndex(Project.load(tmp_path / "mkdocs.yml"))
    problems = parity.check(index)
    # the Swedish page is the original under balsam/, so the nb file is the one to fix
    assert problems == [
        "docs/nb/balsam/data.md:3: heading id 'hente-data' differs from 'hämta-data' in "
        "docs/sv/balsam/data.md:3; pin it: ## Hente data {#hämta-data}"]
    assert parity.check(index, [tmp_path / "docs/sv/botter.md"]) == []
