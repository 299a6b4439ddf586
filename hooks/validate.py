"""Pages that cannot be read fail the strict build with file:line: MkDocs event on_files."""

from handbook.adapters.validate import on_files

__all__ = ["on_files"]
