"""`handbook library ...`: knowledge library tools.

    handbook library copy <library-dir> <ResourceName-or-file> <project-dir> [--branch B] [--force]
    handbook library check <library-dir>

`copy` does what BALSAM's "copy to project" does: the resource lands in the project's repository
under `Resources/<Name>/...` (a single library-wide file as `Resources/<file>`). With --branch the
project must be a git working tree on that branch (BALSAM copies onto a chosen branch; here we
refuse rather than switch branches under the user). Nothing is committed: review, then commit
and push. `check` prints the library's problems and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from handbook.content import library


def _current_branch(project: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(project), "symbolic-ref", "--short", "HEAD"],
                              capture_output=True, text=True, check=False)
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _copy(args) -> int:
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
    try:
        written = library.copy_resource(args.library, args.resource, args.project,
                                        force=args.force)
    except library.LibraryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"copied {path.relative_to(args.project).as_posix()}")
    print(f"{len(written)} file(s) copied into {args.project / 'Resources'}; "
          "move what you keep working on out of Resources/, then commit and push.")
    return 0


def _check(args) -> int:
    try:
        problems = library.validate(args.library)
    except library.LibraryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem.format(str(args.library)), file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook library",
                                     description="Knowledge library tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("copy", help="copy a resource into a project's Resources/ folder")
    c.add_argument("library", type=Path, help="the knowledge library folder")
    c.add_argument("resource", help="a folder name in Resources/ or a file directly in it")
    c.add_argument("project", type=Path, help="the project's repository folder")
    c.add_argument("--branch", help="require the project to be checked out on this branch")
    c.add_argument("--force", action="store_true", help="replace files that already exist")
    k = sub.add_parser("check", help="report problems in a knowledge library")
    k.add_argument("library", type=Path)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return _copy(args) if args.command == "copy" else _check(args)


if __name__ == "__main__":
    raise SystemExit(main())
