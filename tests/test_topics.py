"""Every required topic (data/required-topics.yml) is covered in the built pages of both languages."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import yaml
from projects import REPO

TOPICS = yaml.safe_load((REPO / "data" / "required-topics.yml").read_text(encoding="utf-8"))
PLACEHOLDERS = re.compile(
    r"\bmer kommer\b|\bkommer snart\b|här kan du (fylla|infoga)|lorem ipsum|\bTODO\b|\bTBD\b", re.I)


def page_text(site, lang, page):
    rel = page.removesuffix(".md").removesuffix("index")
    path = site / ("sv" if lang == "sv" else "") / rel / "index.html"
    assert path.exists(), f"{path} was not built"
    text = path.read_text(encoding="utf-8")
    main = text.split('<article', 1)[-1].split("</article>", 1)[0]
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", main))
    return re.sub(r"\s+", " ", text)


@pytest.mark.site
@pytest.mark.parametrize("lang", ["nb", "sv"])
@pytest.mark.parametrize("topic", TOPICS, ids=[t["page"] for t in TOPICS])
def test_topic_is_covered(built_site, topic, lang):
    text = page_text(built_site, lang, topic["page"]).lower()
    missing = [p for p in [*topic.get("any", []), *topic.get(lang, [])] if p.lower() not in text]
    assert not missing, f"docs/{lang}/{topic['page']} ({topic['topic']}) lacks: {missing}"


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_no_placeholder_text(lang):
    found = []
    for path in sorted((REPO / "docs" / lang).rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if PLACEHOLDERS.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
