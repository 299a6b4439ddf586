"""`handbook library ...`: moved to handbook.content.library.cli (kept for `handbook.cli`)."""

from handbook.content.library.cli import main

__all__ = ["main"]
