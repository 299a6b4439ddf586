"""`handbook translations` and `handbook parity`: translation status, stamps and structure.

    handbook translations                     # status of every page in every language
    handbook translations --check             # exit 1 on missing, outdated or parity problems
    handbook translations --stamp docs/sv/dapla/botter.md   # after translating
    handbook translations --stamp-all         # stamp every existing translation (after review)
    handbook parity [FILE ...]                # same headings, code, links in every language
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from handbook.i18n import parity
from handbook.i18n.pages import PageIndex
from handbook.i18n.stamps import StampError, stamp
from handbook.i18n.status import STATES, is_stub, statuses
from handbook.project import Project


def translations_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook translations",
                                     description="Translation status of the site's pages.")
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a page is missing or outdated, or a pair breaks parity")
    parser.add_argument("--stamp", nargs="+", metavar="FILE", type=Path,
                        help="record the original's current hash in these translations")
    parser.add_argument("--stamp-all", action="store_true",
                        help="stamp every translation that exists (use once, after review)")
    args = parser.parse_args(argv)
    index = PageIndex(Project.load(args.config_file))
    if args.stamp or args.stamp_all:
        return _stamp(index, list(args.stamp or []), args.stamp_all)
    found = statuses(index)
    width = max((len(s.pair.key) for s in found), default=10)
    for status in found:
        print(f"{status.state:<10}  {status.pair.key:<{width}}  {status.pair.source}->{status.language}"
              f"  {status.reason}")
    counts = {state: sum(1 for s in found if s.state == state) for state in STATES}
    print(", ".join(f"{counts[s]} {s}" for s in STATES))
    if not args.check:
        return 0
    problems = [f"{s.fix_path}: {s.state}: {s.reason}" for s in found if s.state != "translated"]
    problems += parity.check(index)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-translations: {len(problems)} problem(s). After translating, record the "
              "original's version: handbook translations --stamp <translation>", file=sys.stderr)
    return 1 if problems else 0


def _stamp(index: PageIndex, targets: list[Path], every: bool) -> int:
    if every:
        for pair in index.pairs():
            for lang in pair.translations:
                target = pair.file(lang)
                if not (target.exists() and pair.source_file.exists()):
                    continue
                if is_stub(target) and not is_stub(pair.source_file):
                    print(f"{pair.rel(lang)}: skipped, only a title so far")
                    continue
                targets.append(target)
    failed = 0
    for target in targets:
        if not target.is_absolute():
            # relative to the current folder if it names a file there, else to the project
            target = target.absolute() if target.exists() else index.project.root / target
        try:
            digest = stamp(target, index)
        except (StampError, OSError) as err:
            print(err, file=sys.stderr)
            failed += 1
            continue
        print(f"{index.project.display(target)}: translation_of hash {digest}")
    return 1 if failed else 0


def parity_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook parity", description=parity.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    index = PageIndex(Project.load(args.config_file))
    problems = parity.check(index, args.files or None)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"parity: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0
