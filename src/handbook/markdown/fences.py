"""Find fenced code blocks in Markdown and parse our fence options.

A fence line looks like ```` ```python show-output timeout=120 title="x.py" ````.
Our options are removed before Markdown sees the line; the rest (title, hl_lines,
linenums) is left for pymdownx.superfences.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field

# Languages we execute, by the names authors may write.
LANGUAGES = {
    "python": "python", "py": "python", "python3": "python",
    "bash": "bash", "sh": "bash", "shell": "bash",
    "r": "r", "R": "r",
}
# Our options. Flags have no value.
FLAG_OPTIONS = {"show-output"}
VALUE_OPTIONS = {"skip", "timeout", "session", "data", "requires", "services", "project", "placeholders"}
# What pymdownx.superfences/highlight read from the same line (and .class / #id in {...} form).
PASSED_ON = {"title", "linenums", "hl_lines"}
DEFAULT_TIMEOUT = 60.0     # seconds per block
MAX_TIMEOUT = 600.0        # the most a fence may ask for

OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


class FenceError(ValueError):
    """A fence whose options an author got wrong."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass
class Block:
    path: str           # repository-relative file, e.g. docs/nb/dapla/data.md
    start: int          # line of the opening fence, 1-based
    end: int            # line of the closing fence
    lang: str           # normalised executable language, or the raw one
    code: str
    options: dict = field(default_factory=dict)
    executable: bool = False
    indent: str = ""

    @property
    def id(self) -> str:
        return f"{self.path}:{self.start}-{self.end}"

    @property
    def skip_reason(self) -> str | None:
        return self.options.get("skip")

    @property
    def show_output(self) -> bool:
        return "show-output" in self.options


def split_info(info: str) -> tuple[str, list[str]]:
    """Split an info string into the language and its other tokens."""
    info = info.strip()
    if info.startswith("{") and info.endswith("}"):
        info = info[1:-1].strip()
    try:
        tokens = shlex.split(info, posix=True)
    except ValueError:
        tokens = info.split()
    if not tokens:
        return "", []
    lang = tokens[0].lstrip(".")
    return lang, tokens[1:]


def parse_options(tokens: list[str], line: int) -> tuple[dict, list[str]]:
    """Return (our options, tokens left for superfences); FenceError on anything else."""
    ours: dict = {}
    rest: list[str] = []
    for token in tokens:
        key, eq, value = token.partition("=")
        if key in FLAG_OPTIONS and not eq:
            ours[key] = True
        elif key in VALUE_OPTIONS:
            if not eq or not value.strip():
                raise FenceError(line, f"fence option {key}= needs a value, e.g. {key}=\"...\"")
            ours[key] = parse_timeout(value, line) if key == "timeout" else value
        elif key in FLAG_OPTIONS:
            raise FenceError(line, f"fence option {key} takes no value")
        elif key in PASSED_ON or token.startswith((".", "#")):
            rest.append(token)
        else:
            raise FenceError(line, f"unknown fence option {token!r}; ours are "
                                   f"{', '.join(sorted(FLAG_OPTIONS | VALUE_OPTIONS))}, and "
                                   f"{', '.join(sorted(PASSED_ON))} go to the code highlighter")
    return ours, rest


def parse_timeout(value: str, line: int) -> float:
    """A finite number of seconds above 0 and at most MAX_TIMEOUT."""
    try:
        seconds = float(value)
    except ValueError:
        raise FenceError(line, f"timeout must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_TIMEOUT:
        raise FenceError(line, f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, "
                               f"not {value!r}")
    return seconds


def find_blocks(text: str, path: str, errors: list[FenceError] | None = None) -> list[Block]:
    """All top-level fenced blocks of a Markdown text, executable or not, in order.

    A fence shown inside a longer fence is content, not a block. A bad option raises FenceError,
    or, when `errors` is a list, is appended to it and its block is left out of execution.
    """
    blocks: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = OPEN_RE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], m["indent"]
        lang, tokens = split_info(m["info"])
        start = i + 1
        body: list[str] = []
        j = i + 1
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while j < len(lines) and not close.match(lines[j]):
            line = lines[j]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            j += 1
        executable = lang in LANGUAGES
        options: dict = {}
        if executable:
            try:
                options, _ = parse_options(tokens, start)
            except FenceError as exc:
                if errors is None:
                    raise
                errors.append(exc)
                executable = False
        blocks.append(Block(
            path=path, start=start, end=j + 1, lang=LANGUAGES.get(lang, lang),
            code="\n".join(body) + ("\n" if body else ""), options=options,
            executable=executable, indent=indent,
        ))
        i = j + 1
    return blocks


def strip_our_options(text: str) -> str:
    """Remove our options from the opening lines of executable fences, so superfences only sees
    its own; fences shown inside a longer fence (documentation of this syntax) stay verbatim."""
    lines = text.split("\n")
    for block in find_blocks(text, "", errors=[]):
        if block.lang not in LANGUAGES.values():
            continue
        m = OPEN_RE.match(lines[block.start - 1])
        lang, tokens = split_info(m["info"])
        rest = [t for t in tokens if t.partition("=")[0] not in FLAG_OPTIONS | VALUE_OPTIONS]
        info = " ".join([lang, *(_quote(t) for t in rest)])
        lines[block.start - 1] = f"{m['indent']}{m['fence']}{info}"
    return "\n".join(lines)


def _quote(token: str) -> str:
    key, eq, value = token.partition("=")
    if eq and (" " in value or not value):
        return f'{key}="{value}"'
    return token


def normalised_code(code: str) -> str:
    """Code without full-line comments or trailing blanks: what decides the result.

    Translations may reword comments; the code that runs stays the same, so nb and
    sv share one cache entry and the parity check ignores comment wording.
    """
    kept = [line.rstrip() for line in code.splitlines() if not line.lstrip().startswith("#")]
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)
