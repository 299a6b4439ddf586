"""`make bench`: see handbook.bench.run (build times and search payload against plain
mkdocs-material, on copies of the project in a temporary folder)."""

from __future__ import annotations

import sys

from handbook.bench.run import main

if __name__ == "__main__":
    sys.exit(main())
