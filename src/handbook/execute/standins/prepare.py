"""`handbook standins prepare [NAME ...]`: make what the package and git stand-ins serve, now.

A build does this itself the first time a sample uses a stand-in: it downloads the pinned wheels
(about 70 MB) and makes the CRAN repository from Debian's R packages. Both are kept under
`<cache>/standins/` and reused, so run this once before a build you want to time, or on a
machine (CI) that should not download while it builds. A stand-in that cannot be set up here
(no R, no apt) is named with the reason; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from handbook.execute.standins import REGISTRY, StandIns
from handbook.execute.standins.base import StandInError


def main(argv: list[str] | None = None) -> int:
    from handbook.project import Project, ProjectError

    parser = argparse.ArgumentParser(prog="handbook standins", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["prepare"])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"stand-ins to prepare (default: all of {', '.join(REGISTRY)})")
    parser.add_argument("--config-file", type=Path, default=None, help="mkdocs.yml (default: ./mkdocs.yml)")
    args = parser.parse_args(argv)
    if unknown := [n for n in args.names if n not in REGISTRY]:
        parser.error(f"unknown stand-in {', '.join(unknown)} (known: {', '.join(REGISTRY)})")
    try:
        project = Project.load(args.config_file)
    except ProjectError as exc:
        print(exc)
        return 2
    group = StandIns(project.cache_dir, project.data_dir)
    failed = 0
    try:
        for name in args.names or list(REGISTRY):
            started = time.monotonic()
            try:
                group.get(name)
            except StandInError as exc:
                failed += 1
                print(f"{name}: not available here: {exc}")
                continue
            print(f"{name}: ready ({time.monotonic() - started:.1f} s)")
    finally:
        group.stop()
    return 1 if failed else 0
