"""A Jupyter notebook made from a page: prose as Markdown cells, executable blocks as code cells.

The notebook uses the kernel of the page's main language (the language most of its executable
blocks are in): Python (`python3`) or R (`ir`). Shell blocks go into Python notebooks as
`%%bash_session` cells, which one hidden helper cell runs in a single bash process, so `cd` and
variables carry over from cell to cell as they do on the page. Blocks in a language the kernel
cannot run stay in the notebook as text, with a note. Blocks the build skips (`skip="..."`) are
code cells tagged `skip-execution`, which nbclient does not run; readers on the platform can.
Each code cell gets the output the page shows for it (`show-output` blocks).
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode, v4

from handbook.editions._text import page_url, slug
from handbook.i18n.strings import Strings
from handbook.markdown import fences, frontmatter

KERNELS = {
    "python": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                              "language": "python"},
               "language_info": {"name": "python"}},
    "r": {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"},
          "language_info": {"name": "R"}},
}
NAMES = {"python": "Python", "r": "R", "bash": "bash"}
PREFERENCE = ("python", "r", "bash")          # breaks ties for the main language
RUNS_IN = {"python": {"python", "bash"}, "r": {"r"}}
SKIP_TAG = "skip-execution"                   # nbclient leaves cells with this tag alone
MAGIC = "%%bash_session"
HELPER = Path(__file__).parent / "assets" / "bash_session.py"   # the hidden first cell of shell pages

SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
LINK = re.compile(r"(!?\[[^\]\n]*\])\(([^)\s]+)((?:\s+\"[^\"\n]*\")?)\)")
REF_DEF = re.compile(r"^(\s*\[[^\]\n]+\]:\s*)(\S+)(.*)$")
ADMONITION = re.compile(
    r"^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+\"(?P<title>[^\"]*)\")?\s*$")
TAB = re.compile(r"^(?P<indent>\s*)===\+?\s+\"(?P<title>[^\"]*)\"\s*$")
HEADING_ATTRS = re.compile(r"\s*\{[^}\n]*\}\s*$")
INLINE_ATTRS = re.compile(r"(?<=[)\]])\{:?\s*[#.:][^}\n]*\}")
KEYS = re.compile(r"\+\+([\w+-]+?)\+\+")
DROPPED = re.compile(r"^\s*(--8<--|\*\[[^\]]+\]:|<!--.*-->\s*$|\{:[^}]*\}\s*$)")


@dataclass(frozen=True)
class PageSource:
    path: str            # as authors see it: docs/nb/dapla/data.md
    text: str            # the page's Markdown, front matter included
    language: str        # the language the page is written in
    doc_uri: str         # path inside the language folder: dapla/data.md
    site_base: str       # absolute URL of the language's root: https://example.org/sv/
    site_name: str


def notebook_name(doc_uri: str) -> str:
    """dapla/data.md -> dapla-data.ipynb; dapla/index.md -> dapla.ipynb."""
    url = page_url(doc_uri).strip("/") or "index"
    return slug(url) + ".ipynb"


def has_executable_blocks(text: str) -> bool:
    if "```" not in text and "~~~" not in text:
        return False
    try:
        return any(b.executable for b in fences.find_blocks(text, ""))
    except fences.FenceError:
        return False


def main_language(blocks: list[fences.Block]) -> str:
    counts = Counter(b.lang for b in blocks if b.executable)
    return max(counts, key=lambda lang: (counts[lang], -PREFERENCE.index(lang)))


def build_notebook(page: PageSource, outputs: dict[int, str] | None, built: dt.date, strings: Strings):
    """The page as a notebook, or None if it has no executable blocks.

    outputs: fence start line (in page.text) -> the output the page shows under that block;
    None when the runner's results were not available (the notebook then says so).
    """
    meta, _body, taken = frontmatter.parse(page.text)
    blocks = fences.find_blocks(page.text, page.path)
    if not any(b.executable for b in blocks):
        return None
    main = main_language(blocks)
    kernel = "r" if main == "r" else "python"
    runs = RUNS_IN[kernel]
    lang = page.language
    writer = _Writer(page, kernel, outputs, strings)
    lines = page.text.split("\n")
    by_start = {b.start: b for b in blocks}
    containers: list[int] = []        # content indents of the open admonitions and tabs
    i = taken
    while i < len(lines):
        line = lines[i]
        if line.strip():
            width = _indent(line)
            while containers and width < containers[-1]:
                containers.pop()
        depth = containers[-1] if containers else 0
        block = by_start.get(i + 1)
        if block is not None:
            if block.executable and block.lang in runs:
                writer.code(block)
            elif block.executable:
                writer.left_out(block)
            else:
                writer.prose.extend(_dedent(text, depth) for text in lines[i:block.end])
            i = block.end
            continue
        opener = ADMONITION.match(line) or TAB.match(line)
        if opener:
            title = opener["title"] or (_admonition_title(opener["kind"], lang, strings) if "kind" in
                                        opener.groupdict() else "")
            writer.prose_line(_dedent(f"{opener['indent']}**{title}**" if title else "", depth))
            containers.append(_indent(line) + 4)
        elif not DROPPED.match(line):
            writer.prose_line(_dedent(line, depth))
        i += 1
    writer.flush()
    title = str(meta.get("title") or _first_heading(writer.cells) or page.doc_uri)
    intro = writer.intro(title, built)
    body_cells = writer.cells
    if not (body_cells and body_cells[0].cell_type == "markdown" and body_cells[0].source.startswith("# ")):
        body_cells.insert(0, _markdown(f"# {title}"))
    cells = [body_cells[0], intro, *writer.helper(), *body_cells[1:]]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    nb = v4.new_notebook(cells=cells, metadata={
        **json.loads(json.dumps(KERNELS[kernel])),
        "handbook": {"page": page.site_base + page_url(page.doc_uri), "source": page.path,
                     "language": lang, "built": built.isoformat()},
    })
    nb.nbformat_minor = 5
    return nb


def shown_outputs(source: Path) -> dict[int, str] | None:
    """Fence start line -> the output the page shows under that block, from the sample runner.

    The one place that knows the runner: its results of this build process, else its cache.
    None when the runner cannot say (then notebooks are made without outputs and say so).
    """
    try:
        from handbook.execute import runner

        sessions, _skipped = runner.page_sessions(source, runner.environment_key())
        known = runner.shared_runner().results
        shown: dict[int, str] = {}
        for session in sessions:
            result = known.get(session.key)
            outputs = result.outputs if result is not None and result.ok else \
                (runner.cache_get(session.key) or {}).get("outputs")
            if outputs is None:
                return None
            for block, out in zip(session.blocks, outputs, strict=False):
                if block.show_output and out.get("stdout", "").strip():
                    shown[block.start] = out["stdout"]
        return shown
    except Exception:  # the runner is being reorganised: a changed API means no outputs, not a crash
        return None


def write_notebook(nb, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


class _Writer:
    """Collects the cells while the page is read from top to bottom."""

    def __init__(self, page: PageSource, kernel: str, outputs: dict[int, str] | None, strings: Strings):
        self.page, self.kernel, self.outputs = page, kernel, outputs or {}
        self.strings = strings
        self.cells: list = []
        self.prose: list[str] = []
        self.left: Counter = Counter()
        self.skipped = 0
        self.shell = False
        self.with_outputs = outputs is not None

    def text(self, lang: str, key: str, /, **values) -> str:
        """The notebook's text `editions_notebook_<key>` in the page's language."""
        return self.strings.get(lang, f"editions_notebook_{key}", **values)

    def prose_line(self, line: str) -> None:
        if re.match(r"^#{1,6}\s", line) and any(p.strip() for p in self.prose):
            self.flush()
        self.prose.append(self.rewrite(line))

    def flush(self) -> None:
        text = "\n".join(self.prose).strip("\n")
        self.prose = []
        if text.strip():
            self.cells.append(_markdown(re.sub(r"\n{3,}", "\n\n", text)))

    def code(self, block: fences.Block) -> None:
        self.flush()
        source = block.code.rstrip("\n")
        if block.lang == "bash":
            source = f"{MAGIC}\n{source}"
            self.shell = True
        info = {"source": f"{block.path}:{block.start}"}
        metadata: dict = {"handbook": info}
        for option in ("requires", "services", "project", "data", "placeholders", "session"):   # notebook_run
            if block.options.get(option):
                info[option] = str(block.options[option])
        if block.skip_reason:
            info["skip"] = block.skip_reason
            metadata["tags"] = [SKIP_TAG]
            self.skipped += 1
            note = self.text(self.page.language, "skipped_cell", reason=block.skip_reason)
            self.cells.append(_markdown(note))
        cell = _code(source, metadata)
        shown = self.outputs.get(block.start)
        if shown:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=shown)]
        self.cells.append(cell)

    def left_out(self, block: fences.Block) -> None:
        self.left[block.lang] += 1
        fence = "`" * max(3, _longest_run(block.code, "`") + 1)
        note = self.text(self.page.language, "left_out_cell", language=NAMES[block.lang],
                    kernel=NAMES[self.kernel])
        self.prose.extend([note, "", f"{fence}{block.lang}", block.code.rstrip("\n"), fence])

    def rewrite(self, line: str) -> str:
        """Links made absolute, MkDocs-only syntax turned into what Jupyter renders."""
        if re.match(r"^#{1,6}\s", line):
            line = HEADING_ATTRS.sub("", line)
        line = INLINE_ATTRS.sub("", line)
        line = LINK.sub(lambda m: f"{m[1]}({self.absolute(m[2])}{m[3]})", line)
        ref = REF_DEF.match(line)
        if ref:
            line = f"{ref[1]}{self.absolute(ref[2])}{ref[3]}"
        return KEYS.sub(lambda m: "+".join(f"<kbd>{k.capitalize()}</kbd>" for k in m[1].split("+")), line)

    def absolute(self, target: str) -> str:
        if SCHEME.match(target):
            return target
        here = self.page.site_base + page_url(self.page.doc_uri)
        if target.startswith("#"):
            return here + target
        path, hash_, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(self.page.doc_uri), path))
        if resolved.startswith(".."):
            return target
        if resolved.endswith((".md", ".ipynb")):
            resolved = page_url(resolved if resolved.endswith(".md") else resolved[:-6] + ".md")
        return self.page.site_base + resolved + hash_ + fragment

    def helper(self) -> list:
        if not self.shell:
            return []
        code = HELPER.read_text(encoding="utf-8").replace("{comment}",
                                                          self.text(self.page.language, "helper_comment"))
        return [_code(code.strip("\n"), {
            "jupyter": {"source_hidden": True}, "tags": ["handbook-helper"]})]

    def intro(self, title: str, built: dt.date):
        lang = self.page.language
        url = self.page.site_base + page_url(self.page.doc_uri)
        parts = [self.text(lang, "intro", title=title, url=url, site=self.page.site_name,
                      date=built.isoformat()),
                 self.text(lang, "with_outputs" if self.with_outputs else "without_outputs")]
        if self.shell:
            parts.append(self.text(lang, "shell", magic=MAGIC))
        if self.left:
            names = [NAMES[k] for k in sorted(self.left)]
            names = ", ".join(names[:-1]) + f" {self.text(lang, 'and')} " + names[-1] \
                if len(names) > 1 else names[0]
            count = sum(self.left.values())
            parts.append(self.text(lang, "left_out_one" if count == 1 else "left_out", count=count,
                              languages=names, kernel=NAMES[self.kernel]))
        if self.skipped:
            parts.append(self.text(lang, "skipped_one" if self.skipped == 1 else "skipped",
                              count=self.skipped, tag=SKIP_TAG))
        return _markdown("\n\n".join(f"*{p}*" if n == 0 else p for n, p in enumerate(parts)))


def _markdown(source: str) -> NotebookNode:
    """A Markdown cell (nbformat's new_markdown_cell validates each cell: 3 s a build)."""
    return NotebookNode(cell_type="markdown", metadata=NotebookNode(), source=source)


def _code(source: str, metadata: dict | None = None) -> NotebookNode:
    return NotebookNode(cell_type="code", metadata=nbformat.from_dict(metadata or {}), source=source,
                        outputs=[], execution_count=None)


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


def _dedent(line: str, width: int) -> str:
    expanded = line.expandtabs(4)
    cut = min(width, _indent(expanded))
    return expanded[cut:]


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)


def _first_heading(cells) -> str | None:
    for cell in cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m[1].strip()
    return None


def _admonition_title(kind: str, language: str, strings: Strings) -> str:
    titles = strings.raw(language, "editions_notebook_admonitions") or {}
    fallback = strings.defaults["editions_notebook_admonitions"]
    return str(titles.get(kind) or fallback.get(kind) or kind.capitalize())
