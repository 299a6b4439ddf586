"""Find a Chromium for the browser tests, or say exactly how to get one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags that keep a headless Chromium off the network and working as root.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
HELP = """No Chromium found for the browser tests. Do one of:
  - Debian/Ubuntu as root:   apt-get install -y chromium
  - as a normal user:        sudo apt-get install -y chromium
  - without root:            .venv/bin/playwright install chromium   (downloads Playwright's build)
  - or point to one:         export CHROMIUM=/path/to/chrome
then run `make test` again."""


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit and Path(explicit).exists():
        return explicit
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache/ms-playwright"))
    for exe in sorted(cache.glob("chromium-*/chrome-linux*/chrome"), reverse=True):
        return str(exe)
    return None


def main() -> int:
    exe = find_chromium()
    if exe:
        print(exe)
        return 0
    print(HELP)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
