"""Executable code samples and notebooks: MkDocs events on_pre_build, on_page_markdown, on_post_build.

Before each build every sample session and notebook of both languages is run (in
parallel, cached; see handbook.execute.runner), so the second language's build and
`mkdocs serve` rebuilds only run what changed. Failures are logged as warnings naming
file and line, which `--strict` turns into a failed build. Pages get our fence options
removed and, for `show-output` blocks, the real output rendered under the block.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from handbook.execute import runner as execution
from handbook.markdown import fences

log = get_plugin_logger("handbook.samples")
_plan: execution.Plan | None = None


def on_pre_build(config):
    global _plan
    runner = execution.shared_runner(log=log.info)
    _plan = execution.Plan.discover(docs_dir=Path(config["docs_dir"]))
    _plan.execute(runner)
    if _is_first_language(config):
        for problem in _plan.problems(runner):
            log.warning(problem)


def on_page_markdown(markdown, page, config, files):
    if "```" not in markdown and "~~~" not in markdown:
        return markdown
    source = Path(page.file.abs_src_path)
    if source.suffix != ".md":
        return markdown
    outputs = _outputs_by_line(source)
    if outputs:
        # MkDocs has removed the front matter, so fence lines moved: match blocks by order.
        on_disk = [b.start for b in fences.find_blocks(source.read_text(encoding="utf-8"), "")]
        here = [b.start for b in fences.find_blocks(markdown, "")]
        moved = dict(zip(on_disk, here, strict=False))
        outputs = {moved[line]: text for line, text in outputs.items() if line in moved}
        markdown = insert_outputs(markdown, outputs, _output_title(config))
    return fences.strip_our_options(markdown)


@event_priority(-200)  # after i18n has built the other languages
def on_post_build(config):
    runner = execution.shared_runner()
    i18n = config.plugins.get("i18n")
    if _plan is not None and not getattr(i18n, "building", False):
        report = _plan.report(runner)
        execution.write_report(report)
        log.info(execution.summary_line(report))
    runner.local.stop()


def handbook_prepare_pages(config, sources):
    """The preview renders these pages again: run their samples first (cached)."""
    pages = [Path(source) for source in sources if Path(source).suffix == ".md"]
    if pages:
        plan = execution.Plan.discover(pages)
        plan.execute(execution.shared_runner(log=log.info))
        for problem in plan.problems(execution.shared_runner()):
            log.warning(problem)


def _is_first_language(config) -> bool:
    i18n = config.plugins.get("i18n")
    return i18n is None or i18n.current_language == i18n.default_language


def _outputs_by_line(source: Path) -> dict[int, str]:
    """Fence start line -> text to show, for the show-output blocks of one page."""
    try:
        sessions, _ = execution.page_sessions(source, execution.environment_key())
    except fences.FenceError:
        return {}
    runner = execution.shared_runner()
    shown = {}
    for session in sessions:
        result = runner.results.get(session.key)
        if result is None or not result.ok:
            continue
        for block, out in zip(session.blocks, result.outputs, strict=False):
            if block.show_output and out["stdout"].strip():
                shown[block.start] = out["stdout"]
    return shown


def insert_outputs(markdown: str, outputs: dict[int, str], title: str) -> str:
    """Put each output as a `text` fence right after its block's closing fence."""
    lines = markdown.split("\n")
    blocks = {b.start: b for b in fences.find_blocks(markdown, "")}
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
    return OUTPUT_TITLES.get(config["theme"]["language"], "Output")


OUTPUT_TITLES = {"nb": "Resultat", "sv": "Resultat"}
