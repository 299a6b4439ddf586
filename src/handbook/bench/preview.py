"""Preview latency for `make bench`: how long after an edit the preview has the new page.

Runs in its own process (`python -m handbook.bench.preview <mkdocs.yml> <folder>`, with the
bench's HANDBOOK_CACHE_DIR), builds the preview once, then times `Preview.apply` for each kind of
edit, `--repeat` times with new text each time: a prose sentence, a heading, and a code sample of
a generated page (the code-sample time also names the seconds the sample itself ran, as the
samples' log reports them). Each timing is checked: the new text is on the preview's page.
Prints one JSON object: {kind: {"seconds": [...], "median_s": x, "sample_seconds": [...]}}.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
from pathlib import Path

from handbook.preview.session import Preview
from handbook.project import Project

SAMPLE_TIME = re.compile(r"\((?:python|bash|r)\): (?:ok|FAILED) \((\d+(?:\.\d+)?) s\)")
PROSE_LINE = re.compile(r"^[A-ZÆØÅÄÖ][^|#>!`\-*].{40,}$")


def measure(config_file: Path, folder: Path, page: Path, repeat: int) -> dict:
    preview = Preview(Project.load(config_file), folder, log=lambda *a, **k: None)
    if not preview.full():
        raise SystemExit("the preview's first build failed")
    sample_times = _SampleTimes()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(sample_times)
    logger.setLevel(logging.INFO)   # the samples' "ok (0.4 s)" lines are INFO
    html = _page_html(preview, page)
    results: dict[str, dict] = {}
    for kind, edit in EDITS.items():
        seconds, samples = [], []
        for i in range(repeat):
            marker = f"benchmerke{kind.replace('-', '')}{i}"
            page.write_text(edit(page.read_text(encoding="utf-8"), marker, i), encoding="utf-8")
            sample_times.seconds.clear()
            done = preview.apply([page])
            if marker not in html.read_text(encoding="utf-8"):
                raise SystemExit(f"{kind}: the preview's page does not show the edit ({done})")
            seconds.append(done["seconds"])
            samples.append(round(sum(sample_times.seconds), 2))
        results[kind] = {"seconds": seconds, "median_s": statistics.median(seconds),
                         "sample_seconds": samples, "median_sample_s": statistics.median(samples)}
    return results


# ---- helpers ------------------------------------------------------------------------------

class _SampleTimes(logging.Handler):
    """Collects the run time of each sample the samples hook reports."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = SAMPLE_TIME.search(record.getMessage())
        if found:
            self.seconds.append(float(found[1]))


def _page_html(preview: Preview, page: Path) -> Path:
    build = preview.builds[preview.project.default_language]
    rel = page.relative_to(preview.project.docs_dir / preview.project.default_language)
    return build.site_dir / rel.with_suffix("") / "index.html"


def _prose(text: str, marker: str, _i: int) -> str:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if PROSE_LINE.match(line))
    lines[at] = f"{lines[at]} Her står {marker}."
    return "\n".join(lines) + "\n"


def _heading(text: str, marker: str, _i: int) -> str:
    return re.sub(r"^(## .+?)( benchmerke\w+)?$", rf"\1 {marker}", text, count=1, flags=re.M)


def _code(text: str, marker: str, i: int) -> str:
    start = text.index("```python")
    end = text.index("\n```", start)
    return text[:end] + f'\nprint("{marker}", {i})' + text[end:]


EDITS = {"prose": _prose, "heading": _heading, "code-sample": _code}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook.bench.preview", description=__doc__)
    parser.add_argument("config_file", type=Path)
    parser.add_argument("folder", type=Path, help="where the preview writes its pages")
    parser.add_argument("--page", type=Path, required=True, help="the page to edit")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    json.dump(measure(args.config_file.resolve(), args.folder, args.page.resolve(), args.repeat),
              sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
