"""Per-build state for the MkDocs adapters, kept on the config object being built.

mkdocs-static-i18n builds every language with the same config object, and `mkdocs serve` loads
a new config for each rebuild, so state attached to the config lives exactly one build run (all
languages) and nothing survives into the next one. Adapters call `project(config)` for paths and
languages and `state(config, name, factory)` for whatever they keep between events.
"""

from __future__ import annotations

from collections.abc import Callable

from handbook.project import Project

_ATTR = "handbook_build_state"


def _store(config) -> dict:
    store = getattr(config, _ATTR, None)
    if store is None:
        store = {}
        setattr(config, _ATTR, store)
    return store


def project(config) -> Project:
    """The project this config builds, made once per build run."""
    store = _store(config)
    if "project" not in store:
        store["project"] = Project.from_mkdocs(config)
    return store["project"]


def state[T](config, name: str, factory: Callable[[], T]) -> T:
    """The adapter's own state object for this build run, made by `factory` on first use."""
    store = _store(config)
    if name not in store:
        store[name] = factory()
    return store[name]


def current_language(config) -> str:
    """The language this (possibly nested) build renders."""
    i18n = config.plugins.get("i18n")
    language = getattr(i18n, "current_language", None) if i18n is not None else None
    return language or project(config).default_language


def is_default_build(config) -> bool:
    return current_language(config) == project(config).default_language


def is_nested_build(config) -> bool:
    """True inside i18n's builds of the other languages (run from the default build's end)."""
    i18n = config.plugins.get("i18n")
    return bool(getattr(i18n, "building", False))
