"""`python -m handbook.bench.hooktime OUTPUT.json build -f mkdocs.yml ...`: a MkDocs command in
which every plugin's and hook's event handlers are timed (for `make bench`).

MkDocs calls handlers through PluginCollection.run_event; here that loop also measures each
handler, less the time of events it starts itself (mkdocs-static-i18n builds the other languages
inside its on_post_build), so every second counts once. The totals per plugin or hook and event
(CPU and wall seconds, calls) go to OUTPUT.json when MkDocs exits.
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from mkdocs import plugins

TOTALS: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
_nested: list[list[float]] = []          # per running handler: [wall, cpu] of events it started


def run_event(self, name, item=None, **kwargs):
    pass_item = item is not None
    for method in self.events[name]:
        origin = self._event_origins.get(method, "<unknown>")
        self._current_plugin = origin
        _nested.append([0.0, 0.0])
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            result = method(item, **kwargs) if pass_item else method(**kwargs)
        finally:
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            inner = _nested.pop()
            entry = TOTALS[(origin, name)]
            entry[0] += wall - inner[0]
            entry[1] += cpu - inner[1]
            entry[2] += 1
            if _nested:   # the handler that started this event does not count this time
                _nested[-1][0] += wall
                _nested[-1][1] += cpu
        if result is not None:
            item = result
    self._current_plugin = None
    return item


def write(path: Path) -> None:
    rows = [{"origin": origin, "event": event, "wall_s": round(w, 3), "cpu_s": round(c, 3),
             "calls": n} for (origin, event), (w, c, n) in TOTALS.items()]
    rows.sort(key=lambda r: -r["cpu_s"])
    path.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


def by_origin(rows: list[dict]) -> list[dict]:
    """CPU seconds per plugin or hook over all its events, largest first."""
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["origin"]] += row["cpu_s"]
    return [{"origin": o, "cpu_s": round(c, 2)} for o, c in sorted(totals.items(), key=lambda x: -x[1])]


def main(argv: list[str]) -> None:
    output, args = Path(argv[0]), argv[1:]
    plugins.PluginCollection.run_event = run_event
    atexit.register(write, output)
    from mkdocs.__main__ import cli

    cli.main(args=args, prog_name="mkdocs")


if __name__ == "__main__":
    main(sys.argv[1:])
