"""Executable code samples: MkDocs events on_pre_build, on_page_markdown, on_post_build.

Before each build every sample session and notebook of every language is run (in parallel,
sandboxed, cached; see handbook.execute.runner), so the other languages' builds only render.
Failures are logged as warnings naming file and line, which `--strict` turns into a failed
build. Pages get our fence options removed; under each executable block a marker in the page's
language says whether the build ran it (and when) or why not, and `show-output` blocks get their
real output. The build's Runner lives in the build state; adapters/notebooks.py
uses the same one through `runner(config)`. It is closed (stand-ins stopped) after the build, or,
when the build fails, once the build's config is gone or the process exits.
"""

from __future__ import annotations

import html
import re
import weakref
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from handbook.adapters import context
from handbook.adapters.validate import invalid_pages
from handbook.execute import report as execution_report
from handbook.execute.runner import Plan, Runner, interrupt_on_signals
from handbook.execute.sandbox import UNSAFE_ENV
from handbook.execute.status import BlockStatus, page_statuses
from handbook.i18n.strings import Strings
from handbook.markdown import fences

log = get_plugin_logger("handbook.samples")


def on_pre_build(config):
    state = _state(config)
    state.plan = Plan.discover(state.runner, exclude=invalid_pages(config))
    state.plan.execute(state.runner)
    if context.is_default_build(config) and not context.is_nested_build(config):
        if state.runner.unsafe_requested:  # asked for explicitly: a note, not a failure
            log.info(f"NOTE: code samples run WITHOUT the sandbox ({UNSAFE_ENV}=1 / --unsafe-no-sandbox): "
                        "they can read your files and environment")
        for problem in state.plan.problems(state.runner):
            log.warning(problem)


def on_page_markdown(markdown, page, config, files):
    if "```" not in markdown and "~~~" not in markdown:
        return markdown
    source = Path(page.file.abs_src_path)
    if source.suffix != ".md":
        return markdown
    statuses = page_statuses(runner(config), source)
    if statuses:
        # MkDocs has removed the front matter, so fence lines moved: match blocks by order.
        on_disk = [b.start for b in fences.find_blocks(source.read_text(encoding="utf-8"), "", errors=[])]
        here = [b.start for b in fences.find_blocks(markdown, "", errors=[])]
        moved = dict(zip(on_disk, here, strict=False))
        statuses = {moved[line]: status for line, status in statuses.items() if line in moved}
        # A knowledge library that is shown, not run, gets no markers: none of it is ours to run.
        handbook = page.meta.get("handbook") or {}
        marked = handbook.get("execute") is not False
        # A library page may be in another language than the site's: the reasons are in its own.
        markdown = insert_notes(markdown, statuses, _words(config, handbook.get("language")), marked)
    return fences.strip_our_options(markdown)


@event_priority(-200)  # after i18n has built the other languages
def on_post_build(config):
    if context.is_nested_build(config):
        return
    state = _state(config)
    if state.plan is not None:
        result = state.plan.report(state.runner)
        execution_report.write(context.project(config).reports_dir, result)
        log.info(execution_report.summary_line(result))
    _close(state)


def handbook_prepare_pages(config, sources):
    """The preview renders these pages again: run their samples first (cached), as on_pre_build
    does for every page of a build."""
    pages = [Path(source) for source in sources if Path(source).suffix == ".md"]
    if not pages:
        return
    state = _state(config)
    plan = Plan.discover(state.runner, paths=pages, exclude=invalid_pages(config))
    plan.execute(state.runner)
    for problem in plan.problems(state.runner):
        log.warning(problem)


def runner(config) -> Runner:
    """The build's runner (made on first use)."""
    return _state(config).runner


class _State:
    def __init__(self, project):
        self.runner = Runner(project, log=log.info)
        self.plan: Plan | None = None
        self.restore_signals = interrupt_on_signals()

    def close(self) -> None:
        self.runner.close()
        self.restore_signals()


def _state(config) -> _State:
    def make() -> _State:
        state = _State(context.project(config))
        weakref.finalize(config, state.close)  # a failed build: when its config goes, or at exit
        return state
    return context.state(config, "samples", make)


def _close(state: _State) -> None:
    state.close()


def insert_notes(markdown: str, statuses: dict[int, BlockStatus], words: Words, marked: bool = True) -> str:
    """Under each block (by fence line): its marker, then, for show-output blocks, its output as a
    `text` fence. The marker is a paragraph of its own, outside the code that the copy button
    copies, and out of the search index."""
    lines = markdown.split("\n")
    blocks = {b.start: b for b in fences.find_blocks(markdown, "", errors=[])}
    for start in sorted(statuses, reverse=True):
        block, status = blocks.get(start), statuses[start]
        if block is None:
            continue
        ind, added = block.indent, []
        if marked:
            kind = "ran" if status.executed else "not-run"
            added += ["", ind + words.marker_markdown(status),
                      ind + f'{{: .sample-status .sample-status--{kind} lang="{words.lang}"'
                            " data-search-exclude }"]
        if status.shown and (text := status.output.rstrip("\n")).strip():
            fence = "`" * max(3, _longest_backtick_run(text) + 1)
            added += ["", ind + f'{fence}text title="{words.output_title}"',
                      *[ind + line if line else line for line in text.split("\n")], ind + fence]
        lines[block.end:block.end] = added
    return "\n".join(lines)


class Words:
    """The page language's words for the notes under code blocks (data/strings.yml)."""

    def __init__(self, strings: Strings, lang: str, content_lang: str | None = None):
        self.strings, self.lang, self.content_lang = strings, lang, content_lang or lang
        self.output_title = strings.get(lang, "sample_output")

    def marker(self, status: BlockStatus) -> str:
        """The marker as plain text."""
        if status.executed:
            return self.strings.get(self.lang, "sample_ran",
                                    date=self.strings.format_date(status.ran, self.lang))
        if status.no_r:
            reason = self.strings.get(self.lang, "sample_needs_r")
        elif status.missing:
            reason = self.strings.get(self.lang, "sample_needs_packages", packages=", ".join(status.missing))
        else:
            reason = status.reason
        return self.strings.get(self.lang, "sample_not_run", reason=reason)

    def marker_markdown(self, status: BlockStatus) -> str:
        """The marker as Markdown that shows it as written, except that 'quoted' names in an
        author's reason are code (a fence line cannot hold backticks), and a reason in another
        language than the marker's is marked so."""
        if status.executed or status.no_r or status.missing:
            return _escape(self.marker(status))
        template = self.strings.get(self.lang, "sample_not_run", reason=PLACEHOLDER)
        before, _, after = template.partition(PLACEHOLDER)
        shown = "".join(f"`{part[1:-1]}`" if CODE_SPAN.fullmatch(part) else _escape(part)
                        for part in CODE_SPAN.split(status.reason) if part)
        if self.content_lang != self.lang:
            shown = f'<span lang="{self.content_lang}">{shown}</span>'
        return _escape(before) + shown + _escape(after)


def _escape(text: str) -> str:
    """Text that Markdown shows as it is (no emphasis, links, HTML or keys)."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in html.escape(text, quote=False))


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def _words(config, content_lang: str | None = None) -> Words:
    strings = context.state(config, "strings", lambda: Strings.load(context.project(config)))
    return Words(strings, context.current_language(config), content_lang)


MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!")   # what Python-Markdown lets a backslash escape
CODE_SPAN = re.compile(r"((?<!\w)'[^'`\n]+'(?!\w))")   # skip="krever 'pip-audit'": pip-audit as code
PLACEHOLDER = "\x00"
