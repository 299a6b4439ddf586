"""`handbook` command line: one entry point for the project's tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="handbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the site strictly and check it; keep the old site on failure")
    b.add_argument("--site-dir", type=Path, default=None)
    sub.add_parser("samples", help="run every code sample and notebook (see handbook.execute.runner)")
    sub.add_parser("library", help="knowledge library tools (library copy ...)")
    if argv and argv[0] == "library":
        from handbook.content import library_cli as cli_library
        return cli_library.main(argv[1:])
    if argv and argv[0] == "samples":
        from handbook.execute import runner as execution
        return execution.main(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "build":
        from handbook import ROOT, build
        return build.build(site_dir=args.site_dir or ROOT / "site")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
