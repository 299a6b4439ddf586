"""Translation status of every page: translated, missing or outdated.

Each page exists as docs/nb/<key> and docs/sv/<key>. One of them is the original
(the source language, from data/translation-sources.yml or a `source_language:` key
in either file's front matter); the other is its translation and records which
version of the original it translates in its front matter:

    translation_of: {source: nb, hash: 3f2a9c1b0d4e}

The hash is a sha256 prefix of the original's normalised text (title, description
and body). When the original changes, its hash changes and the translation is
outdated until someone updates it and stamps it again. A translation without a
stamp is judged from git history instead (outdated if the original has a later
commit than the translation).

    python -m handbook.i18n.translations                    # status of every page
    python -m handbook.i18n.translations --check            # exit 1 on missing, outdated or parity
    python -m handbook.i18n.translations --stamp docs/sv/dapla/botter.md   # after translating
    python -m handbook.i18n.translations --stamp-all        # stamp every existing translation
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

import yaml

from handbook import ROOT
from handbook.markdown.frontmatter import split as split_front_matter

LANGUAGES = ("nb", "sv")
DEFAULT_LANGUAGE = "nb"
SOURCES_FILE = Path("data") / "translation-sources.yml"
PAGE_SUFFIXES = (".md", ".ipynb")
HASH_LENGTH = 12
STATES = ("translated", "outdated", "missing")


# --- pages and their source language -------------------------------------------------

@dataclass(frozen=True)
class PagePair:
    key: str            # path under the language folder, e.g. "dapla/botter.md"
    source: str         # language of the original
    root: Path

    @property
    def translation(self) -> str:
        return next(lang for lang in LANGUAGES if lang != self.source)

    def file(self, lang: str) -> Path:
        return self.root / "docs" / lang / self.key

    @property
    def source_file(self) -> Path:
        return self.file(self.source)

    @property
    def translation_file(self) -> Path:
        return self.file(self.translation)

    def rel(self, lang: str) -> str:
        return f"docs/{lang}/{self.key}"


def page_key(path: Path, root: Path = ROOT) -> str | None:
    """"docs/sv/dapla/x.md" (or notebooks/sv/x.ipynb) -> "dapla/x.md"; None if not a page."""
    path = Path(path)
    if not path.is_absolute():
        path = root / path
    if path.suffix not in PAGE_SUFFIXES:
        return None
    parts = path.relative_to(root).parts if path.is_relative_to(root) else ()
    if len(parts) >= 3 and parts[0] == "docs" and parts[1] in LANGUAGES:
        return "/".join(parts[2:])
    if len(parts) >= 3 and parts[0] == "notebooks" and parts[1] in LANGUAGES:
        # notebooks/<lang>/ is linked into docs/<lang>/notebooks/
        return "/".join(("notebooks", *parts[2:]))
    return None


def git_ignored(root: Path) -> set[Path]:
    """Files git ignores under docs/: pages other hooks generate at build time."""
    out = _git(root, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--",
               "docs")
    return {(root / name).resolve() for name in (out or "").split("\0") if name}


def _page_keys(root: Path) -> set[str]:
    keys: set[str] = set()
    ignored = git_ignored(root)
    for lang in LANGUAGES:
        base = root / "docs" / lang
        for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                path = Path(dirpath) / name
                if name.endswith(PAGE_SUFFIXES) and path.resolve() not in ignored:
                    keys.add(path.relative_to(base).as_posix())
    return keys


_yaml_memo: dict = {}


def _yaml_file(path: Path, text_to_yaml) -> object:
    """Parse once per file version: every page of every language build asks again."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _yaml_memo:
        _yaml_memo[key] = text_to_yaml(path.read_text(encoding="utf-8"))
    return copy.deepcopy(_yaml_memo[key])


def load_sources(root: Path = ROOT) -> dict:
    """{"default": "nb", "paths": {"balsam/": "sv"}} from data/translation-sources.yml."""
    path = root / SOURCES_FILE
    data = _yaml_file(path, yaml.safe_load) if path.exists() else None
    data = data or {}
    return {"default": data.get("default", DEFAULT_LANGUAGE), "paths": data.get("paths") or {}}


def front_matter(path: Path) -> dict:
    if path.suffix != ".md" or not path.exists():
        return {}
    return _yaml_file(path, _parse_front_matter)


def _parse_front_matter(text: str) -> dict:
    fm, _, _ = split_front_matter(text)
    try:
        data = yaml.safe_load(fm) if fm.strip() else {}
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def source_language(key: str, root: Path = ROOT, sources: dict | None = None) -> str:
    """The language a page is written in first: front matter, else the longest path rule."""
    for lang in LANGUAGES:
        declared = front_matter(root / "docs" / lang / key).get("source_language")
        if declared in LANGUAGES:
            return declared
    sources = sources or load_sources(root)
    best, best_len = sources["default"], -1
    for prefix, lang in sources["paths"].items():
        if key.startswith(prefix) and len(prefix) > best_len:
            best, best_len = lang, len(prefix)
    return best


def page_pairs(root: Path = ROOT) -> list[PagePair]:
    sources = load_sources(root)
    return [PagePair(key, source_language(key, root, sources), root)
            for key in sorted(_page_keys(root))]


# --- hashing and stamps ------------------------------------------------------------

def normalised_text(path: Path) -> str:
    """What a translation follows: title, description and body, whitespace-normalised."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text).get("cells", [])
        parts = []
        for cell in cells:
            source = cell.get("source", "")
            parts.append(f"[{cell.get('cell_type')}]\n"
                         + ("".join(source) if isinstance(source, list) else source))
        body = "\n\n".join(parts)
        head = ""
    else:
        _, body, _ = split_front_matter(text)
        fm = front_matter(path)
        head = f"{fm.get('title', '')}\n{fm.get('description', '')}\n\n"
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    collapsed: list[str] = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    return head + "\n".join(collapsed).strip() + "\n"


def source_hash(path: Path) -> str:
    return hashlib.sha256(normalised_text(path).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def recorded_stamp(path: Path) -> dict | None:
    """The translation_of stamp of a translation, or None."""
    if path.suffix == ".ipynb":
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except ValueError:
            return None
        stamp = (meta.get("handbook") or {}).get("translation_of")
    else:
        stamp = front_matter(path).get("translation_of")
        if isinstance(stamp, dict):
            # YAML reads an all-digit hash as a number: take the hash as written
            fm, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
            m = HASH_RE.search(fm)
            stamp = {**stamp, "hash": m.group(1) if m else stamp.get("hash")}
    if isinstance(stamp, dict) and stamp.get("hash") not in (None, ""):
        return {"source": stamp.get("source"), "hash": str(stamp["hash"])}
    return None


HASH_RE = re.compile(
    r"^translation_of:(?:.*\n(?:[ \t].*\n)*?[ \t]+|.*?)\bhash:[ \t]*[\"']?([0-9a-fA-F]+)", re.M)


STAMP_LINE_RE = re.compile(r"^translation_of:.*$")


def stamp_text(text: str, source: str, digest: str) -> str:
    """Set translation_of in Markdown front matter; nothing else in the file changes."""
    if yaml.safe_load(f"h: {digest}")["h"] != digest:
        digest = f'"{digest}"'  # e.g. all digits, which YAML would read as a number
    line = f"translation_of: {{source: {source}, hash: {digest}}}"
    newline = "\r\n" if "\r\n" in text else "\n"
    if not text.startswith("---"):
        return f"---{newline}{line}{newline}---{newline}{newline}{text}"
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise ValueError("front matter is not closed with ---")
    out = lines[:1]
    i = 1
    replaced = False
    while i < end:
        if STAMP_LINE_RE.match(lines[i]):
            # drop the old value, including an indented block form
            i += 1
            while i < end and lines[i][:1] in (" ", "\t"):
                i += 1
            out.append(line + newline)
            replaced = True
            continue
        out.append(lines[i])
        i += 1
    if not replaced:
        out.append(line + newline)
    out.extend(lines[end:])
    return "".join(out)


def stamp(path: Path, root: Path = ROOT) -> str:
    """Record the current hash of the original in the translation at `path`."""
    path = Path(path)
    if not path.is_absolute():
        path = root / path
    key = page_key(path, root)
    if key is None:
        raise ValueError(f"{path}: not a page under docs/nb or docs/sv")
    pair = PagePair(key, source_language(key, root), root)
    lang = path.relative_to(root).parts[1]
    if lang == pair.source:
        raise ValueError(f"{pair.rel(lang)} is the original ({lang}); stamp its translation "
                         f"{pair.rel(pair.translation)}")
    if not pair.source_file.exists():
        raise ValueError(f"{pair.rel(pair.source)} does not exist")
    digest = source_hash(pair.source_file)
    target = pair.translation_file
    if target.suffix == ".ipynb":
        nb = json.loads(target.read_text(encoding="utf-8"))
        nb.setdefault("metadata", {}).setdefault("handbook", {})["translation_of"] = {
            "source": pair.source, "hash": digest}
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        text = target.read_text(encoding="utf-8")
        target.write_text(stamp_text(text, pair.source, digest), encoding="utf-8")
    return digest


# --- git history (one call for all files) -----------------------------------------------

def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_dates(root: Path = ROOT,
              paths: tuple[str, ...] = ("docs", "notebooks")) -> dict[Path, int | None]:
    """Last commit time (unix seconds) of every file under `paths`, keyed by resolved path.

    One `git log` for the whole tree. In a shallow clone the oldest fetched commit
    looks as if it added every file; files whose last commit is that boundary map to
    None (unknown) rather than to a wrong date. Files git does not track are absent.
    """
    out = _git(root, "log", "--format=%x00%H %ct", "--name-only", "--no-renames", "--relative",
               "--", *paths)
    if out is None:
        return {}
    boundary: set[str] = set()
    shallow_file = _git(root, "rev-parse", "--git-path", "shallow")
    if shallow_file:
        shallow = (root / shallow_file.strip())
        if shallow.exists():
            boundary = set(shallow.read_text().split())
    dates: dict[Path, int | None] = {}
    seen: set[str] = set()
    commit, when = "", 0
    for line in out.split("\n"):
        if line.startswith("\x00"):
            commit, _, stamp_ = line[1:].partition(" ")
            when = int(stamp_ or 0)
            continue
        if not line or line in seen:
            continue
        seen.add(line)
        dates[(root / line).resolve()] = None if commit in boundary else when
    return dates


@cache
def _cached_git_dates(root: Path) -> dict[Path, int | None]:
    return git_dates(root)


# --- classification --------------------------------------------------------------------

@dataclass
class Status:
    pair: PagePair
    state: str          # translated | outdated | missing
    reason: str
    stamped: bool = False

    @property
    def missing_language(self) -> str | None:
        if self.state != "missing":
            return None
        absent = [lang for lang in LANGUAGES if not self.pair.file(lang).exists()]
        return absent[0] if absent else self.pair.translation  # or a title-only translation

    @property
    def fix_path(self) -> str:
        lang = self.missing_language or self.pair.translation
        return self.pair.rel(lang)


def _is_stub(path: Path) -> bool:
    """A Markdown page with nothing but front matter and its title."""
    if path.suffix != ".md":
        return False
    _, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    lines = [line for line in body.split("\n") if line.strip()]
    return len(lines) <= 1 and all(line.startswith("# ") for line in lines)


def classify(pair: PagePair, dates: dict[Path, int | None] | None = None) -> Status:
    src, tr = pair.source_file, pair.translation_file
    if not src.exists() or not tr.exists():
        present, absent = (src, tr) if src.exists() else (tr, src)
        return Status(pair, "missing",
                      f"{absent.relative_to(pair.root).as_posix()} does not exist "
                      f"({present.relative_to(pair.root).as_posix()} is not translated)")
    if _is_stub(tr) and not _is_stub(src):
        return Status(pair, "missing", f"{pair.rel(pair.translation)} has only a title so far")
    recorded = recorded_stamp(tr)
    if recorded is not None:
        current = source_hash(src)
        if recorded["source"] not in (None, pair.source):
            return Status(pair, "outdated",
                          f"translation_of says source {recorded['source']}, but the original "
                          f"is {pair.source} (data/translation-sources.yml)", True)
        if recorded["hash"] == current:
            return Status(pair, "translated", f"matches {pair.rel(pair.source)} ({current})", True)
        return Status(pair, "outdated",
                      f"{pair.rel(pair.source)} changed since the translation "
                      f"(translated {recorded['hash']}, now {current})", True)
    dates = _cached_git_dates(pair.root) if dates is None else dates
    s_when, t_when = dates.get(src.resolve()), dates.get(tr.resolve())
    if s_when is not None and t_when is not None and s_when > t_when:
        return Status(pair, "outdated",
                      f"no translation_of stamp, and {pair.rel(pair.source)} has commits "
                      f"after the translation's last commit")
    return Status(pair, "translated", "no translation_of stamp; git shows no later change "
                  "to the original")


def statuses(root: Path = ROOT, dates: dict[Path, int | None] | None = None) -> list[Status]:
    dates = git_dates(root) if dates is None else dates
    return [classify(pair, dates) for pair in page_pairs(root)]


# --- links to GitHub and the status page -------------------------------------------------

def repo_path(root: Path, lang: str, key: str) -> str:
    """Repository path of a page's file, through the notebooks/<lang> symlink if any."""
    target = root / "docs" / lang / key
    parent = target.parent
    while not parent.exists() and parent != root:
        parent = parent.parent
    real_parent = parent.resolve()
    rest = target.relative_to(parent)
    try:
        return (real_parent / rest).relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"docs/{lang}/{key}"


def branch_from_edit_uri(edit_uri: str | None) -> str:
    parts = (edit_uri or "").strip("/").split("/")
    if len(parts) >= 2 and parts[0] in ("edit", "blob", "tree"):
        return parts[1]
    return "main"


def edit_link(repo_url: str, branch: str, path: str) -> str:
    return f"{repo_url.rstrip('/')}/edit/{branch}/{quote(path)}"


def new_file_link(repo_url: str, branch: str, path: str, value: str | None = None) -> str:
    """GitHub's "create new file" page, with the name (and optionally the text) filled in."""
    directory, _, name = path.rpartition("/")
    query = {"filename": name}
    if value is not None and len(value) < 4000:  # keep the URL well under GitHub's limit
        query["value"] = value
    return f"{repo_url.rstrip('/')}/new/{branch}/{quote(directory)}?{urlencode(query)}"


def translation_skeleton(pair: PagePair) -> str:
    """A start for a new translation: front matter with stamp and the pinned headings."""
    from handbook.markdown.headings import headings

    src = pair.source_file
    text = src.read_text(encoding="utf-8")
    fm = front_matter(src)
    lines = ["---", f"title: {json.dumps(fm.get('title', ''), ensure_ascii=False)}",
             f"description: {json.dumps(fm.get('description', ''), ensure_ascii=False)}",
             f"translation_of: {{source: {pair.source}, hash: {source_hash(src)}}}", "---", ""]
    for h in headings(text, pair.rel(pair.source)):
        pin = "" if h.level == 1 else f" {{#{h.id}}}"
        lines += [f"{'#' * h.level} {h.text}{pin}", ""]
    return "\n".join(lines)


LABELS = {
    "nb": {
        "page": "Side", "original": "Original", "status": "Status", "action": "Hjelp til",
        "translated": "oversatt", "outdated": "utdatert", "missing": "mangler",
        "translate": "Oversett", "update": "Oppdater",
        "langs": {"nb": "bokmål", "sv": "svensk"},
        "summary": "{translated} av {total} sider er oversatt, {outdated} er utdatert og "
                   "{missing} mangler.",
        "how": "Slik oversetter du en side: se [CONTRIBUTING.md]({url}).",
        "guide": "CONTRIBUTING.md",
    },
    "sv": {
        "page": "Sida", "original": "Original", "status": "Status", "action": "Hjälp till",
        "translated": "översatt", "outdated": "inaktuell", "missing": "saknas",
        "translate": "Översätt", "update": "Uppdatera",
        "langs": {"nb": "norska (bokmål)", "sv": "svenska"},
        "summary": "{translated} av {total} sidor är översatta, {outdated} är inaktuella och "
                   "{missing} saknas.",
        "how": "Så översätter du en sida: se [CONTRIBUTING.sv.md]({url}).",
        "guide": "CONTRIBUTING.sv.md",
    },
}


def _title(pair: PagePair, lang: str) -> str:
    for candidate in (lang, pair.source, pair.translation):
        title = front_matter(pair.file(candidate)).get("title")
        if title:
            return str(title)
    return pair.key


def status_markdown(found: list[Status], lang: str, page_key_: str, repo_url: str | None,
                    branch: str = "main") -> str:
    """A Markdown table of every page's status, for the status page in `lang`."""
    labels = LABELS[lang]
    found = [s for s in found if s.pair.key != page_key_]
    counts = {state: sum(1 for s in found if s.state == state) for state in STATES}
    header = (labels["page"], labels["original"], labels["status"], labels["action"])
    lines = [labels["summary"].format(total=len(found), **counts), ""]
    if repo_url:
        guide = f"{repo_url.rstrip('/')}/blob/{branch}/{labels['guide']}"
        lines += [labels["how"].format(url=guide), ""]
    lines += ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
    here = posixpath.dirname(page_key_)
    for status in sorted(found, key=lambda s: (STATES.index(s.state) * -1, s.pair.key)):
        pair = status.pair
        title = _title(pair, lang).replace("|", "\\|")
        # Link only what this language's build has: its own file or the nb fallback.
        if pair.file(lang).exists() or pair.file(DEFAULT_LANGUAGE).exists():
            cell = f"[{title}]({posixpath.relpath(pair.key, here or '.')})"
        else:
            cell = title
        action = ""
        if repo_url and status.state != "translated":
            missing = status.missing_language or pair.translation
            path = repo_path(pair.root, missing, pair.key)
            verb = labels["translate"] if status.state == "missing" else labels["update"]
            if pair.file(missing).exists():
                url = edit_link(repo_url, branch, path)
            else:
                url = new_file_link(repo_url, branch, path)
            action = f"[{verb} ({missing})]({url})"
        cells = (cell, labels["langs"][pair.source], labels[status.state], action)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --- dates -------------------------------------------------------------------------------

MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
}


def format_date(when, lang: str) -> str:
    """nb: "22. november 2026", sv: "22 november 2026"."""
    month = MONTHS[lang][when.month - 1]
    return f"{when.day}. {month} {when.year}" if lang == "nb" else f"{when.day} {month} {when.year}"


# --- command line ------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook.i18n.translations",
                                     description="Translation status of the handbook's pages.")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a page is missing or outdated, or a pair breaks parity")
    parser.add_argument("--stamp", nargs="+", metavar="FILE", type=Path,
                        help="record the original's current hash in these translations")
    parser.add_argument("--stamp-all", action="store_true",
                        help="stamp every translation that exists (use once, after review)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()

    if args.stamp or args.stamp_all:
        targets = args.stamp or []
        if args.stamp_all:
            for pair in page_pairs(root):
                if not (pair.translation_file.exists() and pair.source_file.exists()):
                    continue
                if _is_stub(pair.translation_file) and not _is_stub(pair.source_file):
                    print(f"{pair.rel(pair.translation)}: skipped, only a title so far")
                    continue
                targets.append(pair.translation_file)
        failed = 0
        for target in targets:
            target = Path(target)
            if not target.is_absolute():
                # relative to the current folder if it names a file there, else to the root
                target = target.absolute() if target.exists() else root / target
            try:
                digest = stamp(target, root)
            except (ValueError, OSError) as err:
                print(err, file=sys.stderr)
                failed += 1
                continue
            print(f"{target.relative_to(root).as_posix()}: translation_of hash {digest}")
        return 1 if failed else 0

    found = statuses(root)
    width = max((len(s.pair.key) for s in found), default=10)
    for status in found:
        pair = status.pair
        print(f"{status.state:<10}  {pair.key:<{width}}  {pair.source}->{pair.translation}"
              f"  {status.reason}")
    counts = {state: sum(1 for s in found if s.state == state) for state in STATES}
    print(", ".join(f"{counts[s]} {s}" for s in STATES))
    if not args.check:
        return 0

    from handbook.i18n import parity

    problems = [f"{s.fix_path}: {s.state}: {s.reason}" for s in found if s.state != "translated"]
    problems += parity.check(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-translations: {len(problems)} problem(s). After translating, record the "
              f"original's version: python -m handbook.i18n.translations --stamp <translation>",
              file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
