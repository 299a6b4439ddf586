"""Secrets gate: no real tokens, keys or passwords in the sources readers copy from.

`python -m handbook.checks.secrets [PATH ...]` scans docs/, notebooks/ and kunskapsbibliotek/ (or the
paths given) for GitHub tokens, AWS and Google Cloud keys, private key blocks and passwords in
URLs, and prints `docs/nb/koding/git-og-github.md:42: possible GitHub token (ghp_…f00d)`.
Examples must use obvious placeholders (`<token>`, `xxx`, `example`, `${VAR}`, ...), or be listed
with a reason in data/secrets-allowlist.yml:

    - path: docs/*/koding/git-og-github.md   # fnmatch pattern, repository-relative
      match: ghp_16C7e42F292c6912E7710c838347Ae178B4a   # the exact text found
      reason: GitHub's own documented example token, revoked
Exit 1 on any finding. Found secrets are shown shortened, never in full.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from handbook.project import Project

ALLOWLIST_NAME = "secrets-allowlist.yml"   # in the project's data dir
TEXT_SUFFIXES = {".md", ".ipynb", ".py", ".r", ".R", ".sh", ".txt", ".yml", ".yaml", ".json",
                 ".toml", ".ini", ".cfg", ".env", ".csv", ".html", ".js", ".css", ".sql", ".qmd",
                 ".rmd", ".Rmd"}
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    group: int = 0  # the part that is the secret (checked for placeholders, shown shortened)


RULES = [
    Rule("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9_]{16,})")),
    Rule("GitHub token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{20,})")),
    Rule("AWS access key id", re.compile(r"\b((?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16})\b")),
    Rule("AWS/S3 secret access key", re.compile(
        r"(?i)(?:aws_secret_access_key|secret_access_key|secret_key|secretkey)[\"']?\s*[:=,]\s*"
        r"(?:\\?[\"'])?([A-Za-z0-9/+=]{30,})"), 1),
    Rule("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_\-]{35})")),
    Rule("Google service account private key", re.compile(
        r"(\"private_key\"\s*:\s*\"-----BEGIN[^\"]{0,40}PRIVATE KEY-----[^\"]*)"), 1),
    Rule("private key block", re.compile(
        r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:\\n|\s)*(?:[A-Za-z0-9+/=]|\\n|\s)*)"), 1),
    Rule("Slack token", re.compile(r"\b(xox[abprs]-[A-Za-z0-9-]{10,})")),
    Rule("password in URL", re.compile(
        r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@\"'<>]+:([^/\s@\"'<>]+)@[^\s/\"'<>]+"), 1),
]

PLACEHOLDER_RE = re.compile(
    r"(?i)(x{3,}|\.{3}|…|\*{3,}|<[^>]*>|\$\{?[A-Za-z_]|\{\{|\{[A-Za-z_]+\}|example|eksempel|exempel|"
    r"placeholder|dummy|changeme|your|redacted|(?:^|[_-])(?:din|ditt|mitt|ditt)(?:[_-]|$)|"
    r"^secret$|^pass(?:word)?$|^passord$|^lösenord$|^token$|^minioadmin$|^test$)")


def is_placeholder(secret: str, rule: Rule) -> bool:
    if PLACEHOLDER_RE.search(secret):
        return True
    body = re.sub(r"^(gh[pousr]_|github_pat_|AKIA|ASIA|AIza|xox[abprs]-)", "", secret)
    if len(set(body.replace("_", "").replace("-", ""))) <= 3:
        return True  # ghp_aaaaaaaa..., 0000...
    if rule.name in {"private key block", "Google service account private key"}:
        key_chars = re.sub(r"-----[^-]+-----|\\n|\s", "", secret)
        return len(key_chars) < 64  # a header with "..." or a few characters, not a key
    return False


def shorten(secret: str) -> str:
    secret = secret.strip()
    if "PRIVATE KEY" in secret:
        return secret.split("-----")[1] if secret.count("-----") >= 2 else "private key"
    if len(secret) <= 8:
        return "…"
    return f"{secret[:4]}…{secret[-4:]}"


def load_allowlist(path: Path) -> list[dict]:
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of entries")
    for number, entry in enumerate(entries, 1):
        missing = {"path", "match", "reason"} - set(entry or {})
        if missing or not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path}: entry {number} needs path, match and a reason")
    return entries


def allowed(rel: str, found: str, allowlist: list[dict]) -> bool:
    return any(fnmatch.fnmatch(rel, entry["path"]) and str(entry["match"]) in found
               for entry in allowlist)


def scan_text(text: str, rel: str, allowlist: list[dict] = ()) -> list[str]:
    """Findings in one file's text as `rel:line: possible <kind> (<shortened>)`."""
    problems = []
    seen = set()
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            secret = match.group(rule.group)
            if is_placeholder(secret, rule) or allowed(rel, match.group(0), allowlist):
                continue
            line = text.count("\n", 0, match.start()) + 1
            if line in seen:
                continue  # one finding per line is enough to look at it
            seen.add(line)
            problems.append((line, f"{rel}:{line}: possible {rule.name} ({shorten(secret)})"))
    return [message for _, message in sorted(problems)]


def files_under(paths: list[Path], root: Path) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        path = path if path.is_absolute() else root / path
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file()
                            and (p.suffix in TEXT_SUFFIXES or p.name.startswith(".env"))
                            and ".ipynb_checkpoints" not in p.parts)
    unique: dict[Path, Path] = {}
    for path in found:  # docs/<lang>/notebooks are symlinks to notebooks/<lang>
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()


def scan(paths: list[Path], *, root: Path, allowlist: list[dict]) -> list[str]:
    problems = []
    for path in files_under(paths, root):
        if path.stat().st_size > MAX_BYTES:
            continue
        rel = shown_path(path, root)
        text = path.read_text(encoding="utf-8", errors="replace")
        problems += scan_text(text, rel, allowlist)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook check secrets", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders (default: the docs folder, linked folders, libraries)")
    parser.add_argument("--config-file", type=Path, default=None)
    parser.add_argument("--allowlist", type=Path, default=None)
    args = parser.parse_args(argv)
    project = Project.load(args.config_file)
    try:
        allowlist = load_allowlist(args.allowlist or project.data_dir / ALLOWLIST_NAME)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    paths = args.paths or project.source_folders()
    problems = scan(paths, root=project.root, allowlist=allowlist)
    for line in problems:
        print(line)
    count = len(files_under(paths, project.root))
    print(f"secrets: {len(problems)} finding(s) in {count} file(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
