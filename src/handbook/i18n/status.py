"""Translation status of every page in every translation language: translated, outdated, missing.

A stamped translation is outdated when the original's hash changed; an unstamped one is
judged from git history (outdated if the original has a later commit than the translation).
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from handbook.i18n.pages import PageIndex, PagePair, git, repo_path
from handbook.i18n.stamps import recorded_stamp, source_hash
from handbook.i18n.strings import Strings
from handbook.markdown import frontmatter
from handbook.markdown.headings import headings
from handbook.project import Project

STATES = ("translated", "outdated", "missing")


@dataclass
class Status:
    pair: PagePair
    language: str       # the translation language this status is about
    state: str          # translated | outdated | missing
    reason: str
    stamped: bool = False

    @property
    def missing_language(self) -> str | None:
        return self.language if self.state == "missing" else None

    @property
    def fix_path(self) -> str:
        missing = self.state == "missing" and not self.pair.file(self.language).exists()
        lang = self.pair.source if missing and not self.pair.source_file.exists() else self.language
        return self.pair.rel(lang)


def git_dates(project: Project) -> dict[Path, int | None]:
    """Last commit time (unix seconds) of every file under the docs folder and the folders its
    language folders link to, keyed by resolved path; one `git log` for the whole tree.

    In a shallow clone the oldest fetched commit looks as if it added every file; files whose
    last commit is that boundary map to None (unknown) rather than to a wrong date.
    """
    root = project.root
    paths = {project.display(project.docs_dir)}
    for lang in project.language_codes:
        base = project.docs_dir / lang
        if base.is_dir():
            paths |= {project.display(entry.resolve()) for entry in base.iterdir()
                      if entry.is_symlink() and entry.resolve().is_relative_to(root)}
    out = git(root, "log", "--format=%x00%H %ct", "--name-only", "--no-renames", "--relative",
              "--", *sorted(paths))
    if out is None:
        return {}
    boundary: set[str] = set()
    shallow_file = git(root, "rev-parse", "--git-path", "shallow")
    if shallow_file and (root / shallow_file.strip()).exists():
        boundary = set((root / shallow_file.strip()).read_text().split())
    dates: dict[Path, int | None] = {}
    commit, when = "", 0
    for line in out.split("\n"):
        if line.startswith("\x00"):
            commit, _, stamp_ = line[1:].partition(" ")
            when = int(stamp_ or 0)
            continue
        path = (root / line).resolve() if line else None
        if path is not None and path not in dates:
            dates[path] = None if commit in boundary else when
    return dates


def is_stub(path: Path) -> bool:
    """A Markdown page with nothing but front matter and its title."""
    if path.suffix != ".md":
        return False
    _, body, _ = frontmatter.split(path.read_text(encoding="utf-8", errors="replace"))
    lines = [line for line in body.split("\n") if line.strip()]
    return len(lines) <= 1 and all(line.startswith("# ") for line in lines)


def classify(pair: PagePair, lang: str, index: PageIndex, dates: dict[Path, int | None]) -> Status:
    src, tr = pair.source_file, pair.file(lang)
    if not src.exists() or not tr.exists():
        present, absent = (src, tr) if src.exists() else (tr, src)
        return Status(pair, lang, "missing", f"{pair.project.display(absent)} does not exist "
                      f"({pair.project.display(present)} is not translated)")
    if is_stub(tr) and not is_stub(src):
        return Status(pair, lang, "missing", f"{pair.rel(lang)} has only a title so far")
    recorded = recorded_stamp(tr, index)
    if recorded is not None:
        current = source_hash(src, index)
        if recorded["source"] not in (None, pair.source):
            return Status(pair, lang, "outdated",
                          f"translation_of says source {recorded['source']}, but the original "
                          f"is {pair.source} (data/translation-sources.yml)", True)
        if recorded["hash"] == current:
            return Status(pair, lang, "translated", f"matches {pair.rel(pair.source)} ({current})",
                          True)
        return Status(pair, lang, "outdated", f"{pair.rel(pair.source)} changed since the "
                      f"translation (translated {recorded['hash']}, now {current})", True)
    s_when, t_when = dates.get(src.resolve()), dates.get(tr.resolve())
    if s_when is not None and t_when is not None and s_when > t_when:
        return Status(pair, lang, "outdated", f"no translation_of stamp, and {pair.rel(pair.source)}"
                      " has commits after the translation's last commit")
    return Status(pair, lang, "translated",
                  "no translation_of stamp; git shows no later change to the original")


def statuses(index: PageIndex, dates: dict[Path, int | None] | None = None) -> list[Status]:
    dates = git_dates(index.project) if dates is None else dates
    return [classify(pair, lang, index, dates)
            for pair in index.pairs() for lang in pair.translations]


# ---- links and the status page ---------------------------------------------------------------

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


def translation_skeleton(pair: PagePair, index: PageIndex) -> str:
    """A start for a new translation: front matter with stamp and the pinned headings."""
    src = pair.source_file
    meta = index.front_matter(src)
    lines = ["---", f"title: {json.dumps(meta.get('title', ''), ensure_ascii=False)}",
             f"description: {json.dumps(meta.get('description', ''), ensure_ascii=False)}",
             f"translation_of: {{source: {pair.source}, hash: {source_hash(src, index)}}}", "---", ""]
    for h in headings(src.read_text(encoding="utf-8"), pair.rel(pair.source)):
        pin = "" if h.level == 1 else f" {{#{h.id}}}"
        lines += [f"{'#' * h.level} {h.text}{pin}", ""]
    return "\n".join(lines)


def _title(pair: PagePair, lang: str, index: PageIndex) -> str:
    for candidate in (lang, pair.source, *pair.translations):
        title = index.front_matter(pair.file(candidate)).get("title")
        if title:
            return str(title)
    return pair.key


def for_reader(found: list[Status], lang: str) -> list[Status]:
    """What a reader of `lang` can help with: translations into `lang`, and the translations
    of pages written in `lang`."""
    return [s for s in found if s.language == lang or s.pair.source == lang]


def status_markdown(found: list[Status], lang: str, here_key: str, index: PageIndex,
                    strings: Strings, repo_url: str | None, branch: str = "main") -> str:
    """A Markdown table of the pages' status, for the status page in `lang`."""
    found = [s for s in for_reader(found, lang) if s.pair.key != here_key]
    counts = {state: sum(1 for s in found if s.state == state) for state in STATES}
    header = [strings.get(lang, f"status_{k}") for k in ("page", "original", "status", "action")]
    lines = [strings.get(lang, "status_summary", total=len(found), **counts), ""]
    if repo_url:
        guide = strings.get(lang, "status_guide")
        lines += [strings.get(lang, "status_how", guide=guide,
                              url=f"{repo_url.rstrip('/')}/blob/{branch}/{guide}"), ""]
    lines += ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
    folder = posixpath.dirname(here_key)
    project = index.project
    for status in sorted(found, key=lambda s: (-STATES.index(s.state), s.pair.key, s.language)):
        pair = status.pair
        title = _title(pair, lang, index).replace("|", "\\|")
        # Link only what this language's build has: its own file or the default-language fallback.
        if pair.file(lang).exists() or pair.file(project.default_language).exists():
            cell = f"[{title}]({posixpath.relpath(pair.key, folder or '.')})"
        else:
            cell = title
        action = ""
        if repo_url and status.state != "translated":
            path = repo_path(project, status.language, pair.key)
            verb = strings.get(lang, "status_translate" if status.state == "missing" else "status_update")
            url = (edit_link(repo_url, branch, path) if pair.file(status.language).exists()
                   else new_file_link(repo_url, branch, path))
            action = f"[{verb} ({strings.language_name(lang, status.language)})]({url})"
        cells = (cell, strings.language_name(lang, pair.source), strings.get(lang, f"status_{status.state}"),
                 action)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"

