"""Pages that cannot be read fail the strict build with file:line: MkDocs events on_pre_build, on_files."""

from handbook.adapters.validate import on_files, on_pre_build

__all__ = ["on_files", "on_pre_build"]
