"""Making the PDF and offline editions of a built site (see handbook.editions)."""


from __future__ import annotations

import argparse
import contextlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from handbook.editions import links, manifest, news
from handbook.editions import offline as offline_copy
from handbook.editions import pdf as pdf_edition
from handbook.editions._text import build_time, language_root
from handbook.i18n.strings import Strings
from handbook.project import Project, ProjectError

DOWNLOADS = "downloads"


@dataclass
class Edition:
    language: str
    pdf: Path | None = None
    zip: Path | None = None
    seconds: dict = field(default_factory=dict)
    pages: int = 0


def file_names(project: Project, language: str) -> tuple[str, str]:
    """Site-relative paths of a language's PDF and ZIP."""
    name = str((project.settings.get("editions") or {}).get("name") or "handbok")
    folder = f"{language_root(language, project.default_language)}{DOWNLOADS}"
    return f"{folder}/{name}-{language}.pdf", f"{folder}/{name}-{language}.zip"


def build_editions(project: Project, site_dir: Path, *, pdf: bool = True, offline: bool = True,
                   report: list | None = None, browser=None) -> list[str]:
    """Make the PDF and the offline ZIP of every built language in site_dir; problems to print.

    browser: a Playwright Browser to print with (tests pass theirs); else Chromium is started here.
    """
    site_dir = Path(site_dir).resolve()      # Chromium opens the print page by its file:// URL
    problems: list[str] = []
    built = build_time()
    languages = [lang for lang in project.languages if lang.build]
    manifests = {}
    for lang in languages:
        found = manifest.read(project.cache_dir, lang.code)
        if found is None or not all((site_dir / e.dest).is_file() for e in found.pages()):
            problems.append(f"{project.display(site_dir)}: no complete build of '{lang.code}' to make "
                            f"editions from (build the site first: handbook build)")
            continue
        manifests[lang.code] = found
    if problems:
        return problems
    folder = news.folder_of(project.settings)
    editions = {code: Edition(code) for code in manifests}
    if pdf:
        with contextlib.ExitStack() as stack:
            if browser is None:
                browser = stack.enter_context(_chromium())
                if browser is None:
                    from handbook.checks.browser import HELP
                    return [f"PDF: {HELP}"]
            strings = Strings.load(project)
            for lang in languages:
                started = time.monotonic()
                target = site_dir / file_names(project, lang.code)[0]
                skip = (f"{language_root(lang.code, project.default_language)}{folder}/",)
                result = pdf_edition.build_pdf(browser, site_dir, manifests[lang.code], target, built,
                                               lang.name, strings, skip)
                problems += result.problems
                problems += [f"{target.name}: refused a request to {url}" for url in result.refused]
                editions[lang.code].pdf = target
                editions[lang.code].pages = result.pages
                editions[lang.code].seconds["pdf"] = round(time.monotonic() - started, 2)
    for code, edition in editions.items():      # the offline copy's pages link to the PDF in it
        pdf_path, zip_path = file_names(project, code)
        edition.zip = site_dir / zip_path if offline else None
        links.add_links(site_dir, project, code, pdf_path, None)
    if offline:
        for code, edition in editions.items():
            started = time.monotonic()
            problems += offline_copy.build_zip(site_dir, project, code, edition.zip, manifests[code])
            edition.seconds["zip"] = round(time.monotonic() - started, 2)
        for code in editions:                      # now the ZIPs exist, the pages link to them too
            pdf_path, zip_path = file_names(project, code)
            links.add_links(site_dir, project, code, pdf_path, zip_path)
    if report is not None:
        report.extend(editions.values())
    return problems


@contextlib.contextmanager
def _chromium():
    """A headless Chromium (None when there is none), closed afterwards."""
    from playwright.sync_api import sync_playwright

    from handbook.checks.browser import CHROMIUM_ARGS, find_chromium

    exe = find_chromium()
    if exe is None:
        yield None
        return
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """`handbook editions [--config-file mkdocs.yml] [--site-dir site] [--no-pdf] [--no-offline]`."""
    parser = argparse.ArgumentParser(prog="handbook editions",
                                     description="The PDF and the offline copy of a built site.")
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--site-dir", type=Path, default=None, help="the built site (default: site_dir)")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--no-offline", action="store_true")
    args = parser.parse_args(argv)
    try:
        project = Project.load(args.config_file)
    except ProjectError as exc:
        print(exc, file=sys.stderr)
        return 2
    site_dir = args.site_dir or project.site_dir
    report: list[Edition] = []
    problems = build_editions(project, site_dir, pdf=not args.no_pdf, offline=not args.no_offline,
                              report=report)
    for problem in problems:
        print(problem, file=sys.stderr)
    for edition in report:
        made = [project.display(p) for p in (edition.pdf, edition.zip) if p is not None and p.exists()]
        timing = ", ".join(f"{k} {v:.1f} s" for k, v in edition.seconds.items())
        pages = f", {edition.pages} PDF pages" if edition.pages else ""
        print(f"editions '{edition.language}': {', '.join(made) or 'nothing'} ({timing}{pages})")
    return 1 if problems else 0


