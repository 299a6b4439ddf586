"""`handbook library ...`: knowledge library tools.

    handbook library copy <library> <ResourceName-or-file> <project-dir> [--branch B] [--force]
    handbook library check [<library> ...]

<library> is a library folder, or the name or url_prefix of a library configured in mkdocs.yml
(`--config-file`, default: the mkdocs.yml in the current folder or above).

`copy` does what BALSAM's "copy to project" does: the resource lands in the project's repository
under `Resources/<Name>/...` (a single library-wide file as `Resources/<file>`). Names may be
typed in any case and Unicode form. With --branch the project must be a git working tree on that
branch (BALSAM copies onto a chosen branch; here we refuse rather than switch branches under the
user). Nothing is committed: review, then commit and push. `check` reads and renders a library
the way the build does and prints its problems; it exits 1 if any would fail a strict build.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from handbook.content.library.copying import copy_resource
from handbook.content.library.model import WARNING, LibraryError
from handbook.content.library.reading import read_library
from handbook.content.library.render import render_library
from handbook.content.library.settings import LibrarySettings, SettingsError, read_settings
from handbook.i18n.strings import Strings
from handbook.project import ProjectError


def _current_branch(project: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(project), "symbolic-ref", "--short", "HEAD"],
                              capture_output=True, text=True, check=False)
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _configured(config_file: Path | None) -> tuple[list[LibrarySettings], tuple[str, ...]]:
    """The libraries and languages of the project, or nothing when there is no mkdocs.yml."""
    from handbook.project import Project

    try:
        project = Project.load(config_file)
    except ProjectError:
        if config_file is not None:
            raise
        return [], ("sv",)
    return (read_settings(project.settings, project.root, project.repo_url, project.edit_uri,
                          Strings.load(project)),
            project.language_codes)


def _library(given: str, configured: list[LibrarySettings]) -> LibrarySettings:
    for lib in configured:
        if given in (lib.name, lib.url_prefix, lib.label) or Path(given).resolve() == lib.path:
            return lib
    path = Path(given)
    return LibrarySettings(path=path.resolve(), label=given, url_prefix=path.resolve().name or "library")


def _copy(args, configured) -> int:
    if args.branch:
        branch = _current_branch(args.project)
        if branch is None:
            print(f"error: {args.project} is not a git repository, so --branch {args.branch} "
                  "cannot be checked", file=sys.stderr)
            return 1
        if branch != args.branch:
            print(f"error: {args.project} is on branch '{branch}', not '{args.branch}'; "
                  f"switch first (git switch {args.branch})", file=sys.stderr)
            return 1
    settings = _library(args.library, configured)
    try:
        written = copy_resource(settings.path, args.resource, args.project, force=args.force)
    except LibraryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"copied {path.relative_to(args.project).as_posix()}")
    print(f"{len(written)} file(s) copied into {args.project / 'Resources'}; "
          "move what you keep working on out of Resources/, then commit and push.")
    return 0


def check(settings: LibrarySettings, languages: tuple[str, ...]) -> list:
    """Every problem the build would report for this library (all languages)."""
    lib = read_library(settings.path, tuple(lang for lang in languages if lang != settings.language))
    problems = list(lib.problems)
    seen = {(p.path, p.message) for p in problems}
    for lang in languages:
        for problem in render_library(lib, settings, lang, default_language=languages[0]).problems:
            if (problem.path, problem.message) not in seen:
                seen.add((problem.path, problem.message))
                problems.append(problem)
    return problems


def _check(args, configured, languages) -> int:
    chosen = [_library(given, configured) for given in args.library] or configured
    if not chosen:
        print("error: no library given and none configured in mkdocs.yml", file=sys.stderr)
        return 1
    failed = False
    for settings in chosen:
        try:
            problems = check(settings, languages)
        except LibraryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
            continue
        for problem in problems:
            label = "" if problem.level == WARNING else "note: "
            print(label + problem.format(settings.label), file=sys.stderr)
        failed |= any(p.level == WARNING for p in problems)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook library", description="Knowledge library tools.")
    parser.add_argument("--config-file", type=Path, default=None, help="the site's mkdocs.yml")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("copy", help="copy a resource into a project's Resources/ folder")
    c.add_argument("library", help="a library folder, or a configured library's name")
    c.add_argument("resource", help="a folder name in Resources/ or a file directly in it")
    c.add_argument("project", type=Path, help="the project's repository folder")
    c.add_argument("--branch", help="require the project to be checked out on this branch")
    c.add_argument("--force", action="store_true", help="replace files that already exist")
    k = sub.add_parser("check", help="report problems in knowledge libraries")
    k.add_argument("library", nargs="*", help="library folders or names (default: all configured)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configured, languages = _configured(args.config_file)
    except (SettingsError, ProjectError) as exc:  # a broken mkdocs.yml: say so, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.command == "copy":
        return _copy(args, configured)
    return _check(args, configured, languages)


if __name__ == "__main__":
    raise SystemExit(main())
