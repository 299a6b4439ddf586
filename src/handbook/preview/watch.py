"""Which folders the preview watches, and a watcher that hands it batches of changed paths."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from handbook.project import Project, read_config

DEBOUNCE = 0.08   # editors write a file in several steps; wait for the last one


def watched_folders(project: Project) -> list[Path]:
    raw = read_config(project.config_file)
    theme = raw.get("theme") if isinstance(raw.get("theme"), dict) else {}
    found = [project.root, *project.source_folders(), project.data_dir]
    for extra in [theme.get("custom_dir"), *(raw.get("watch") or [])]:
        if extra:
            found.append((project.root / str(extra)).resolve())
    return [folder for folder in dict.fromkeys(found) if folder.exists()]


def ignored_folders(project: Project) -> list[Path]:
    """Output the build writes itself: caches, sites, pages generated from libraries."""
    found = [project.cache_dir, project.site_dir, project.root / ".git"]
    for entry in [project.settings.get("knowledge_library"),
                  *(project.settings.get("knowledge_libraries") or [])]:
        if isinstance(entry, dict) and entry.get("path"):
            prefix = str(entry.get("url_prefix") or Path(str(entry["path"])).name).strip("/")
            found += [project.docs_dir / code / prefix for code in project.language_codes]
    return [p.resolve() for p in found]


class Watcher(FileSystemEventHandler):
    def __init__(self, project: Project, on_change) -> None:
        self.project = project
        self.on_change = on_change
        self.ignored = ignored_folders(project)
        self.pending: dict[Path, float] = {}
        self.lock = threading.Lock()
        self.observer = Observer()

    def start(self) -> None:
        root = self.project.root
        for folder in watched_folders(self.project):
            self.observer.schedule(self, str(folder), recursive=folder != root)
        self.observer.start()
        threading.Thread(target=self._drain, daemon=True, name="preview-watch").start()

    def stop(self) -> None:
        self.observer.stop()

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw and self.relevant(Path(raw)):
                with self.lock:
                    self.pending[Path(raw)] = time.monotonic()

    def relevant(self, path: Path) -> bool:
        name = path.name
        if name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".pyc")):
            return False
        if "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
            return False
        real = path.resolve() if path.exists() else path
        return not any(real.is_relative_to(folder) for folder in self.ignored)

    def _drain(self) -> None:
        while True:
            time.sleep(DEBOUNCE / 2)
            with self.lock:
                if not self.pending or time.monotonic() - max(self.pending.values()) < DEBOUNCE:
                    continue
                paths, self.pending = list(self.pending), {}
            self.on_change([p for p in paths if not p.is_dir()] or paths)
