"""Executable code samples: MkDocs events on_pre_build, on_page_markdown, on_post_build.

Before each build every sample session and notebook of every language is run (in parallel,
sandboxed, cached; see handbook.execute.runner), so the other languages' builds only render.
Failures are logged as warnings naming file and line, which `--strict` turns into a failed
build. Pages get our fence options removed and, for `show-output` blocks, the real output
rendered under the block. The build's Runner lives in the build state; adapters/notebooks.py
uses the same one through `runner(config)`. It is closed (stand-ins stopped) after the build, or,
when the build fails, once the build's config is gone or the process exits.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from handbook.adapters import context
from handbook.adapters.validate import invalid_pages
from handbook.execute import report as execution_report
from handbook.execute.runner import Plan, Runner, interrupt_on_signals
from handbook.execute.sandbox import UNSAFE_ENV
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
    outputs = _outputs_by_line(runner(config), source)
    if outputs:
        # MkDocs has removed the front matter, so fence lines moved: match blocks by order.
        on_disk = [b.start for b in fences.find_blocks(source.read_text(encoding="utf-8"), "", errors=[])]
        here = [b.start for b in fences.find_blocks(markdown, "", errors=[])]
        moved = dict(zip(on_disk, here, strict=False))
        outputs = {moved[line]: text for line, text in outputs.items() if line in moved}
        markdown = insert_outputs(markdown, outputs, _output_title(config))
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


def _outputs_by_line(run: Runner, source: Path) -> dict[int, str]:
    """Fence start line -> text to show, for the show-output blocks of one page."""
    try:
        scan = run.scan(source)
    except (OSError, UnicodeDecodeError):
        return {}
    shown = {}
    for session in scan.sessions:
        result = run.results.get(session.key)
        if result is None or not result.ok:
            continue
        for block, out in zip(session.blocks, result.outputs, strict=False):
            if block.show_output and out["stdout"].strip():
                shown[block.start] = out["stdout"]
    return shown


def insert_outputs(markdown: str, outputs: dict[int, str], title: str) -> str:
    """Put each output as a `text` fence right after its block's closing fence."""
    lines = markdown.split("\n")
    blocks = {b.start: b for b in fences.find_blocks(markdown, "", errors=[])}
    for start in sorted(outputs, reverse=True):
        block = blocks.get(start)
        if block is None:
            continue
        text = outputs[start].rstrip("\n")
        fence = "`" * max(3, _longest_backtick_run(text) + 1)
        ind = block.indent
        rendered = [ind + f'{fence}text title="{title}"',
                    *[ind + line if line else line for line in text.split("\n")], ind + fence]
        lines[block.end:block.end] = ["", *rendered]
    return "\n".join(lines)


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def _output_title(config) -> str:
    strings = context.state(config, "strings", lambda: Strings.load(context.project(config)))
    return strings.get(context.current_language(config), "sample_output")
