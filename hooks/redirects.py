"""Redirects for moved pages in every language: MkDocs event on_files
(handbook.adapters.redirects)."""

from handbook.adapters.redirects import on_files  # noqa: F401
