"""The pieces of `make bench` (tools/bench.py) that need no timing: project copies, configs
without our hooks, a generated bilingual site, the one-block edit, the table and the JSON report.

The baseline build is plain MkDocs + Material + mkdocs-static-i18n + mkdocs-jupyter on the same
content: the project's mkdocs.yml without its `hooks:` list. One shim hook stays in the baseline
(`BASELINE_SHIM`): it only registers `.ipynb` as a page extension, without which i18n publishes
notebooks as raw JSON and the baseline would skip the notebook rendering that the real build does.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
from pathlib import Path

from handbook.markdown import fences

# What a copy of the project leaves out: history, environments, caches, built sites.
COPY_IGNORE = (".git", ".venv", ".cache", "site", "node_modules", ".pytest_cache", ".ruff_cache",
               "__pycache__", ".site-new-*", "site.old")

BASELINE_SHIM_NAME = "bench_ipynb_pages.py"
BASELINE_SHIM = '''"""Baseline glue, not a handbook hook: MkDocs event on_config.

Without this, mkdocs-static-i18n keeps only Markdown files as pages and mkdocs-jupyter never
renders the notebooks."""

import mkdocs.utils


def on_config(config):
    if ".ipynb" not in mkdocs.utils.markdown_extensions:
        mkdocs.utils.markdown_extensions = (*mkdocs.utils.markdown_extensions, ".ipynb")
    return config
'''


# ---- configs ------------------------------------------------------------------------------

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*:")


def drop_sections(text: str, keys: set[str]) -> str:
    """Remove top-level YAML keys (and everything indented under them) from config text."""
    out, skipping = [], False
    for line in text.split("\n"):
        if _TOP_KEY.match(line):
            skipping = line.split(":", 1)[0] in keys
        if not skipping:
            out.append(line)
    return "\n".join(out)


def drop_extra_key(text: str, key: str) -> str:
    """Remove `extra: {key: ...}` (a two-space-indented block under the top-level `extra:`)."""
    out, in_extra, skipping = [], False, False
    for line in text.split("\n"):
        if _TOP_KEY.match(line):
            in_extra, skipping = line.startswith("extra:"), False
        elif in_extra and re.match(r"^  \S", line):
            skipping = line.strip().startswith(f"{key}:")
        if not skipping:
            out.append(line)
    return "\n".join(out)


def hook_paths(text: str) -> list[str]:
    """The entries of the top-level `hooks:` list."""
    paths, inside = [], False
    for line in text.split("\n"):
        if _TOP_KEY.match(line):
            inside = line.startswith("hooks:")
        elif inside and (m := re.match(r"^\s*-\s*(\S+)", line)):
            paths.append(m.group(1))
    return paths


def without_hook(text: str, hook: str) -> str:
    """The config with one entry of the top-level `hooks:` list removed."""
    out, inside = [], False
    for line in text.split("\n"):
        if _TOP_KEY.match(line):
            inside = line.startswith("hooks:")
        elif inside and re.match(rf"^\s*-\s*{re.escape(hook)}\s*(#.*)?$", line):
            continue
        out.append(line)
    return "\n".join(out)


def baseline_config(text: str) -> str:
    """The same config without our hooks (only the notebook-page shim), never strict."""
    text = drop_sections(text, {"hooks", "strict"})
    return text.rstrip("\n") + f"\nstrict: false\nhooks:\n  - {BASELINE_SHIM_NAME}\n"


def write_baseline(project: Path, config_name: str = "mkdocs.yml",
                   target_name: str = "mkdocs.baseline.yml") -> Path:
    """Write the baseline config and its shim next to the project's config; return its path."""
    source = (project / config_name).read_text(encoding="utf-8")
    (project / BASELINE_SHIM_NAME).write_text(BASELINE_SHIM, encoding="utf-8")
    target = project / target_name
    target.write_text(baseline_config(source), encoding="utf-8")
    return target


def copy_project(source: Path, target: Path) -> Path:
    """A working copy of the project (docs, hooks, config, data...) that builds may change."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(*COPY_IGNORE))
    return target


# ---- the one-page edit --------------------------------------------------------------------

def pick_edit_block(pages: list[Path], rel_to: Path, usable=lambda rel: True):
    """The first page with a plain Python session: (page, fence line, blocks in that session).

    `usable(rel)` can rule out pages (e.g. ones whose samples failed before)."""
    for page in pages:
        rel = page.relative_to(rel_to).as_posix()
        if not usable(rel):
            continue
        try:
            blocks = fences.find_blocks(page.read_text(encoding="utf-8"), rel)
        except fences.FenceError:
            continue
        runnable = [b for b in blocks if b.executable and not b.skip_reason
                    and not b.options.get("requires")]
        main = [b for b in runnable
                if b.lang == "python" and b.options.get("session", "main") == "main"]
        if main:
            return page, main[0].start, len(main)
    return None


def edit_block(page: Path, fence_line: int, marker: str = "_bench_edit = 1") -> None:
    """Add one statement as the first line of the block whose fence is on `fence_line`."""
    lines = page.read_text(encoding="utf-8").split("\n")
    fence = lines[fence_line - 1]
    indent = fence[: len(fence) - len(fence.lstrip())]
    lines.insert(fence_line, indent + marker)
    page.write_text("\n".join(lines), encoding="utf-8")


# ---- the generated site -------------------------------------------------------------------

WORDS = {
    "nb": (
        "data", "statistikk", "bøtte", "tabell", "kolonne", "rad", "fil", "kode", "notatbok",
        "miljø", "pakke", "team", "tilgang", "lagring", "skjema", "rapport", "analyse",
        "variabel", "verdi", "kommune", "fylke", "befolkning", "produksjon", "kilde", "produkt",
        "delt", "versjon",
    ),
    "sv": (
        "data", "statistik", "bucket", "tabell", "kolumn", "rad", "fil", "kod", "notebook",
        "miljö", "paket", "team", "åtkomst", "lagring", "schema", "rapport", "analys",
        "variabel", "värde", "kommun", "län", "befolkning", "produktion", "källa", "produkt",
        "delad", "version",
    ),
}
TITLES = {"nb": ("Side", "Eksempel", "Oversikt"), "sv": ("Sida", "Exempel", "Översikt")}
LANGUAGES = ("nb", "sv")


def _paragraph(lang: str, seed: int, words: int = 60) -> str:
    vocab = WORDS[lang]
    text = " ".join(vocab[(seed * 7 + i * 13) % len(vocab)] for i in range(words))
    return text[0].upper() + text[1:] + "."


def page_markdown(lang: str, number: int) -> str:
    """One generated page: front matter, prose, a table, an admonition, executable samples.

    The code is the same in both languages, so the sample cache serves the twin."""
    page, example, _ = TITLES[lang]
    parts = [
        "---", f"title: {page} {number}", f"description: {_paragraph(lang, number, 8)}", "---", "",
        f"# {page} {number}", "", _paragraph(lang, number), "",
        f"## {example} {{#eksempel}}", "", _paragraph(lang, number + 1), "",
        "```python show-output", f"n = {number}", 'print(f"side {n}: {sum(range(n))}")', "```", "",
    ]
    if number % 10 == 0:
        parts += ["```bash", f"echo {number} | wc -c", "```", ""]
    parts += [
        "| a | b | c |", "|---|---|---|",
        *[f"| {number} | {i} | {number * i} |" for i in range(5)], "",
        f'!!! tip "{example}"', "", "    " + _paragraph(lang, number + 2, 20), "",
        "## Mer {#mer}", "", _paragraph(lang, number + 3), "",
    ]
    return "\n".join(parts)


def notebook_json(lang: str, number: int) -> dict:
    """A two-cell Python notebook (one Markdown cell in the page's language)."""
    def cell(kind: str, source: str, n: int) -> dict:
        c = {"cell_type": kind, "id": f"cell-{n}", "metadata": {}, "source": source}
        if kind == "code":
            c.update(outputs=[], execution_count=None)
        return c

    return {
        "cells": [cell("markdown", f"# {TITLES[lang][1]} {number}\n\n{_paragraph(lang, number)}",
                       1),
                  cell("code", f"x = {number}", 2),
                  cell("code", "print(x * 2)", 3)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def generated_config(real_config: str) -> str:
    """The project's config for a generated site: navigation from the folders, no knowledge
    library, nothing to watch, hooks and everything else as in the project."""
    text = drop_sections(real_config, {"nav", "strict", "watch"})
    text = drop_extra_key(text, "handbook")
    return text.rstrip("\n") + "\nstrict: false\n"


def generate_site(project: Path, target: Path, pages: int, notebooks: int,
                  section_size: int = 50) -> dict:
    """Write a bilingual site with `pages` Markdown pages and `notebooks` notebooks per language.

    Hooks, overrides, includes and data come from `project`. Returns what was written."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("hooks", "overrides", "includes", "data"):
        if (project / folder).is_dir():
            shutil.copytree(project / folder, target / folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
    (target / "mkdocs.yml").write_text(
        generated_config((project / "mkdocs.yml").read_text(encoding="utf-8")), encoding="utf-8")
    executable = 0
    for lang in LANGUAGES:
        docs = target / "docs" / lang
        assets = project / "docs" / lang / "assets"
        if assets.is_dir():
            shutil.copytree(assets, docs / "assets", dirs_exist_ok=True)
        docs.mkdir(parents=True, exist_ok=True)
        overview = TITLES[lang][2]
        (docs / "index.md").write_text(
            f"---\ntitle: {overview}\ndescription: {_paragraph(lang, 0, 8)}\n---\n\n"
            f"# {overview}\n\n{_paragraph(lang, 0)}\n", encoding="utf-8")
        for number in range(1, pages):   # index.md is page 0
            folder = docs / f"seksjon-{(number - 1) // section_size + 1:02d}"
            folder.mkdir(exist_ok=True)
            (folder / f"side-{number:04d}.md").write_text(page_markdown(lang, number),
                                                          encoding="utf-8")
            if lang == "nb":
                executable += 1 + (number % 10 == 0)
        if notebooks:
            (docs / "notebooks").mkdir(exist_ok=True)
        for number in range(1, notebooks + 1):
            nb_text = json.dumps(notebook_json(lang, number), ensure_ascii=False, indent=1)
            target_nb = docs / "notebooks" / f"notatbok-{number:02d}.ipynb"
            target_nb.write_text(nb_text, encoding="utf-8")
    return {"pages_per_language": pages, "notebooks_per_language": notebooks,
            "documents_per_language": pages + notebooks, "sample_blocks_per_language": executable}


# ---- site statistics ----------------------------------------------------------------------

def search_index_sizes(site: Path, roots: dict[str, str]) -> dict[str, dict | None]:
    """Per language (`roots`: language -> its folder, "" or "sv/"): bytes of the file a page
    load fetches (search/search_index.json: the whole index, or our manifest) and of every file
    of its search index together; None where there is none."""
    sizes: dict[str, dict | None] = {}
    for lang, root in roots.items():
        folder = site / root / "search"
        index = folder / "search_index.json"
        if not index.is_file():
            sizes[lang] = None
            continue
        total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        sizes[lang] = {"page_load": index.stat().st_size, "all_files": total}
    return sizes


def median_page_bytes(site: Path) -> int:
    """Median size of the built HTML pages (404 pages and redirect stubs included)."""
    sizes = [p.stat().st_size for p in site.rglob("*.html")]
    return int(statistics.median(sizes)) if sizes else 0


# ---- reporting ----------------------------------------------------------------------------

COLUMNS = ("build", "wall s", "CPU s", "CPU/wall", "peak MB", "wall/base", "CPU/base", "notes")


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or not base:
        return None
    return round(value / base, 2)


def table_rows(builds: list[dict]) -> list[list[str]]:
    """One row per build; ratios against the build named in its `baseline`."""
    by_name = {b["name"]: b for b in builds}
    rows = []
    for b in builds:
        base = by_name.get(b.get("baseline") or "")
        cpu = b["cpu_s"]
        rows.append([
            b["name"], f"{b['wall_s']:.1f}", f"{cpu:.1f}",
            f"{cpu / b['wall_s']:.2f}" if b["wall_s"] else "-",
            f"{b['peak_mb']:.0f}",
            _fmt(ratio(b["wall_s"], base["wall_s"])) if base else "-",
            _fmt(ratio(cpu, base["cpu_s"])) if base else "-",
            b.get("notes", ""),
        ])
    return rows


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def format_table(builds: list[dict]) -> str:
    """A Markdown table (readable in a terminal too)."""
    rows = [list(COLUMNS), *table_rows(builds)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write_report(path: Path, report: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
