"""Check the external http(s) links of a built site; run on a schedule, not in every build.

`python -m handbook.checks.external_links site/` (or `make linkcheck-external`):

- collects every external http(s) link from the built HTML (both languages),
- skips links the allowlist (data/link-allowlist.yml; a reason per entry) names,
- asks each remaining URL with HEAD (GET when a server refuses HEAD), following redirects,
  with a timeout and retries with exponential backoff for timeouts, connection errors and
  5xx answers; 429 (rate limited) counts as alive, as does a redirect ending in 2xx,
- keeps results in .cache/external-links.json and does not ask again for a URL whose
  definite result (alive or dead) is younger than a day,
- prints a report grouped by page and writes .cache/reports/external-links.json.

Exit status 1 when a link is dead or could not be reached after the retries.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import yaml

from handbook.checks.links import LinkCheckConfig, parse_html, source_of
from handbook.project import Project

ALLOWLIST_NAME = "link-allowlist.yml"   # in the project's data dir
ONE_DAY = 24 * 3600
USER_AGENT = "Mozilla/5.0 (compatible; handbook-linkcheck/1.0; +https://www.mkdocs.org/)"
# Answers to HEAD that only mean "HEAD is not welcome here": ask again with GET.
HEAD_REFUSED = {400, 403, 404, 405, 406, 501}
ALIVE, DEAD, ERROR, SKIPPED = "alive", "dead", "error", "skipped"


@dataclass
class Result:
    url: str
    status: str  # alive, dead, error (unreachable after retries) or skipped
    code: int | None = None
    detail: str = ""
    final_url: str | None = None
    checked_at: float = 0.0
    attempts: int = 0


@dataclass(frozen=True)
class AllowEntry:
    reason: str
    url: str | None = None
    pattern: str | None = None

    def matches(self, url: str) -> bool:
        if self.url is not None:
            return url.rstrip("/") == self.url.rstrip("/")
        return re.search(self.pattern or "", url) is not None


def load_allowlist(path: Path) -> list[AllowEntry]:
    """Entries of the allowlist; each has `url` (exact) or `pattern` (regex), and a `reason`."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of entries")
    entries = []
    for number, item in enumerate(data, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected a mapping with url or pattern, and reason")
        unknown = set(item) - {"url", "pattern", "reason"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        reason = str(item.get("reason") or "").strip()
        if not reason:
            raise ValueError(f"{where}: a reason is required")
        if ("url" in item) == ("pattern" in item):
            raise ValueError(f"{where}: give exactly one of url and pattern")
        if "pattern" in item:
            try:
                re.compile(item["pattern"])
            except re.error as exc:
                raise ValueError(f"{where}: bad pattern: {exc}") from exc
        entries.append(AllowEntry(reason, item.get("url"), item.get("pattern")))
    return entries


def allowed(url: str, allowlist: Iterable[AllowEntry]) -> AllowEntry | None:
    return next((entry for entry in allowlist if entry.matches(url)), None)


def collect_links(site_dir: Path, config: LinkCheckConfig | None = None) -> dict[str, list[str]]:
    """External http(s) URL (without fragment) -> pages that link to it (source path if known)."""
    config = config or LinkCheckConfig()
    site_dir = Path(site_dir)
    pages: dict[str, set[str]] = defaultdict(set)
    for html in sorted(site_dir.rglob("*.html")):
        parsed = parse_html(html.read_text(encoding="utf-8", errors="replace"))
        rel = html.relative_to(site_dir).as_posix()
        source = source_of(parsed, config)
        page = f"{source} ({rel})" if source else rel
        for link in parsed.links:
            if urlsplit(link.url).scheme.lower() in ("http", "https"):
                pages[urldefrag(link.url)[0]].add(page)
    return {url: sorted(found) for url, found in sorted(pages.items())}


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _opener(url: str) -> urllib.request.OpenerDirector:
    # Loopback never goes through a proxy from the environment.
    handlers = [urllib.request.ProxyHandler({})] if _is_loopback(url) else []
    return urllib.request.build_opener(*handlers)


def _ask(url: str, method: str, timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, headers={
        "User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)
            return response.status, response.geturl()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.geturl() or url


class Transient(Exception):
    """Worth asking again: a timeout, a refused connection, a 5xx answer."""


def check_url(url: str, *, timeout: float = 10.0, retries: int = 3, backoff: float = 1.0,
              sleep: Callable[[float], None] = time.sleep) -> Result:
    """Ask one URL, retrying transient failures after backoff, 2*backoff, 4*backoff ... seconds."""
    detail = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            code, final = _ask(url, "HEAD", timeout)
            if code in HEAD_REFUSED:
                code, final = _ask(url, "GET", timeout)
            if code >= 500:
                raise Transient(f"server error {code}")
        except Transient as exc:
            detail = str(exc)
            continue
        except TimeoutError:
            detail = f"timed out after {timeout:g} s"
            continue
        except urllib.error.URLError as exc:
            reason = exc.reason
            is_timeout = isinstance(reason, TimeoutError)
            detail = f"timed out after {timeout:g} s" if is_timeout else f"unreachable: {reason}"
            continue
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            detail = f"unreachable: {exc.__class__.__name__}: {exc}"
            continue
        now = time.time()
        moved = f"redirected to {final}" if final and final != url else ""
        if code == 429:
            return Result(url, ALIVE, code, "rate limited (429), counted as alive", final, now,
                          attempt + 1)
        if 200 <= code < 400:
            return Result(url, ALIVE, code, moved, final, now, attempt + 1)
        return Result(url, DEAD, code, f"HTTP {code}" + (f", {moved}" if moved else ""), final,
                      now, attempt + 1)
    return Result(url, ERROR, None, f"{detail} ({retries + 1} attempts)", None, time.time(),
                  retries + 1)


def load_cache(path: Path) -> dict[str, Result]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {url: Result(**item) for url, item in data.get("results", {}).items()}
    except (OSError, ValueError, TypeError):
        return {}


def save_cache(cache: dict[str, Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "results": {url: asdict(r) for url, r in sorted(cache.items())}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def check_links(urls: Iterable[str], *, allowlist: Iterable[AllowEntry] = (),
                cache: dict[str, Result] | None = None, max_age: float = ONE_DAY,
                workers: int = 8, now: float | None = None, **ask) -> dict[str, Result]:
    """Results for every URL; fresh cached results are reused and `cache` is updated in place."""
    cache = {} if cache is None else cache
    now = time.time() if now is None else now
    allowlist = list(allowlist)
    results: dict[str, Result] = {}
    to_ask = []
    for url in urls:
        entry = allowed(url, allowlist)
        cached = cache.get(url)
        if entry:
            results[url] = Result(url, SKIPPED, detail=f"allowlisted: {entry.reason}")
        elif cached and cached.status in (ALIVE, DEAD) and now - cached.checked_at < max_age:
            results[url] = cached
        else:
            to_ask.append(url)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(lambda u: check_url(u, **ask), to_ask):
            results[result.url] = result
            if result.status in (ALIVE, DEAD):  # transient failures are asked again next run
                cache[result.url] = result
            else:
                cache.pop(result.url, None)
    return results


def format_report(pages_by_url: dict[str, list[str]], results: dict[str, Result],
                  verbose: bool = False) -> str:
    by_page: dict[str, list[Result]] = defaultdict(list)
    for url, pages in pages_by_url.items():
        result = results[url]
        if result.status in (DEAD, ERROR) or verbose:
            for page in pages:
                by_page[page].append(result)
    lines = []
    for page in sorted(by_page):
        lines.append(page)
        for r in by_page[page]:
            lines.append(f"  {r.status.upper():7} {r.url}" + (f": {r.detail}" if r.detail else ""))
    counts = defaultdict(int)
    for r in results.values():
        counts[r.status] += 1
    lines.append(", ".join(f"{counts[s]} {s}" for s in (ALIVE, DEAD, ERROR, SKIPPED))
                 + f" of {len(results)} external link(s)")
    return "\n".join(lines)


def write_report(pages_by_url: dict[str, list[str]], results: dict[str, Result], path: Path,
                 **extra) -> None:
    pages: dict[str, list[dict]] = defaultdict(list)
    for url, where in pages_by_url.items():
        for page in where:
            pages[page].append(asdict(results[url]))
    data = {**extra, "summary": {s: sum(r.status == s for r in results.values())
                                 for s in (ALIVE, DEAD, ERROR, SKIPPED)},
            "pages": dict(sorted(pages.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook check external-links", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site_dir", type=Path, nargs="?", default=None)
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--allowlist", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--max-age", type=float, default=ONE_DAY,
                        help="seconds a cached result stays fresh (default: a day)")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--backoff", type=float, default=1.0, help="first retry delay in seconds")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--verbose", action="store_true", help="list every link, not only bad ones")
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    args.site_dir = args.site_dir or project.site_dir
    args.allowlist = args.allowlist or project.data_dir / ALLOWLIST_NAME
    args.cache = args.cache or project.cache_dir / "external-links.json"
    args.report = args.report or project.reports_dir / "external-links.json"
    if not (args.site_dir / "index.html").is_file():
        print(f"{args.site_dir}: no built site here (no index.html); run make build first",
              file=sys.stderr)
        return 2
    try:
        allowlist = load_allowlist(args.allowlist)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    started = time.monotonic()
    pages_by_url = collect_links(args.site_dir, LinkCheckConfig.for_project(project))
    cache = load_cache(args.cache)
    results = check_links(pages_by_url, allowlist=allowlist, cache=cache, max_age=args.max_age,
                          workers=args.workers, timeout=args.timeout, retries=args.retries,
                          backoff=args.backoff)
    save_cache(cache, args.cache)
    seconds = round(time.monotonic() - started, 2)
    write_report(pages_by_url, results, args.report, site_dir=str(args.site_dir), seconds=seconds)
    print(format_report(pages_by_url, results, args.verbose))
    print(f"report: {args.report} ({seconds} s)")
    return 1 if any(r.status in (DEAD, ERROR) for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
