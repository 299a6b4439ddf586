"""What one sandboxed session may use, and what the build keeps of what it returns.

Defaults suit the handbook's samples; a project can lower or raise them under
`extra.handbook.limits` in mkdocs.yml (same names, e.g. `memory_mb: 1024`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048          # all processes of a session together (cgroup), else per process
    processes: int = 256           # processes and threads of a session
    cpu_seconds: int = 600         # CPU time of each process
    file_size_mb: int = 256        # any one file a session writes
    disk_mb: int = 1024            # home and /tmp together (one tmpfs)
    shm_mb: int = 64               # /dev/shm
    output_kb: int = 1000          # stdout + stderr kept of one sample session
    notebook_output_kb: int = 5000  # outputs kept of one notebook
    notebook_timeout: float = 120.0  # seconds per notebook cell (fences: timeout=, at most 600)
    page_kb: int = 1000            # a Markdown page
    notebook_kb: int = 5000        # a notebook file

    @classmethod
    def from_settings(cls, settings: dict | None) -> Limits:
        """From `extra.handbook.limits`; unknown names and bad values raise ValueError naming them."""
        given = dict((settings or {}).get("limits") or {})
        known = {f.name: f.type for f in fields(cls)}
        values = {}
        for name, value in given.items():
            if name not in known:
                raise ValueError(f"extra.handbook.limits: unknown limit {name!r} (known: {', '.join(known)})")
            number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
            if number is None or not math.isfinite(number) or number <= 0:
                raise ValueError(f"extra.handbook.limits.{name}: must be a positive number, not {value!r}")
            values[name] = number if known[name] == "float" else int(number)
        return cls(**values)

    @property
    def output_bytes(self) -> int:
        return self.output_kb * 1000

    @property
    def notebook_output_bytes(self) -> int:
        return self.notebook_output_kb * 1000

    def describe(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}
