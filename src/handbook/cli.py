"""`handbook`: one command for the project's tools. Every subcommand takes --config-file
(default: the mkdocs.yml in the current folder or above) and works on that project.

    handbook build [--site-dir DIR]          strict build of every language, then the site checks
    handbook serve [--port N]                live preview (checks the port first)
    handbook samples [--refresh] [--why-skipped] [PAGE ...]
    handbook standins prepare [NAME ...]     fetch and build what the stand-ins serve (cached)
    handbook check <gate>                    links | external-links | a11y | privacy | spelling |
                                             secrets | notebooks
    handbook translations [--check | --stamp FILE ... | --stamp-all]
    handbook parity [FILE ...]
    handbook new-page SLUG --title-nb ... --title-sv ...
    handbook library copy|check ...
    handbook editions [--no-pdf] [--no-offline]   PDF and offline copy of a built site
"""

from __future__ import annotations

import importlib
import sys

# subcommand -> (module, function); imported only when used, so `handbook parity` starts fast
COMMANDS = {
    "build": ("handbook.build", "main"),
    "serve": ("handbook.serve", "main"),
    "samples": ("handbook.execute.runner", "main"),
    "standins": ("handbook.execute.standins.prepare", "main"),
    "translations": ("handbook.i18n.cli", "translations_main"),
    "parity": ("handbook.i18n.cli", "parity_main"),
    "new-page": ("handbook.content.scaffold", "main"),
    "library": ("handbook.content.library.cli", "main"),
    "editions": ("handbook.editions.build", "main"),
}
GATES = {
    "links": ("handbook.checks.links", "main"),
    "external-links": ("handbook.checks.external_links", "main"),
    "a11y": ("handbook.checks.accessibility", "main"),
    "privacy": ("handbook.checks.privacy", "main"),
    "spelling": ("handbook.checks.spelling", "main"),
    "secrets": ("handbook.checks.secrets", "main"),
    "notebooks": ("handbook.checks.notebook_hygiene", "main"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "check":
        if not rest or rest[0] not in GATES:
            print(f"usage: handbook check <gate> [options]; gates: {', '.join(GATES)}", file=sys.stderr)
            return 2
        target, rest = GATES[rest[0]], rest[1:]
    elif command in COMMANDS:
        target = COMMANDS[command]
    else:
        print(f"handbook: unknown command {command!r}; see `handbook --help`", file=sys.stderr)
        return 2
    module, function = target
    return int(getattr(importlib.import_module(module), function)(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
