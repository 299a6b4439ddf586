"""Results of sandboxed runs, on disk, keyed and verified.

An entry is `<cache dir>/<kind>/<key[:2]>/<key>.json` holding {"key", "sha256", "value"}: the
sha256 is taken over the canonical JSON of the value. On read the key and the hash must match,
else the entry is a miss and is recorded in `rejected` (the execution report lists them), so an
entry edited by hand or by anything else is never published. Only the build process writes
here, atomically; sandboxed code has no view of the cache at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path


def digest(value) -> str:
    canonical = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.rejected: list[dict] = []   # {"kind", "key", "reason"}
        self._lock = threading.Lock()

    def path(self, kind: str, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"not a cache key: {key!r}")
        return self.root / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str):
        """The value stored under key, or None (missing, unreadable or not matching its hash)."""
        path = self.path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            entry = json.loads(raw)
            value = entry["value"]
            problem = ("stored under another key" if entry.get("key") != key
                       else "content does not match its hash" if entry.get("sha256") != digest(value)
                       else "")
        except (ValueError, KeyError, TypeError):
            value, problem = None, "not a cache entry"
        if problem:
            with self._lock:
                self.rejected.append({"kind": kind, "key": key, "path": str(path), "reason": problem})
            return None
        return value

    def put(self, kind: str, key: str, value) -> None:
        """Write atomically: a crash never leaves half an entry behind."""
        target = self.path(kind, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"key": key, "sha256": digest(value), "value": value}, f, ensure_ascii=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
