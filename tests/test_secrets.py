"""Secrets gate: real-looking tokens, keys and passwords are found; placeholders are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import REPO

from handbook.checks import secrets

FIXTURES = Path(__file__).parent / "fixtures" / "quality-secrets"


def test_broken_fixture_fails_naming_file_and_line(capsys):
    assert secrets.main([str(FIXTURES / "broken")]) == 1
    out = capsys.readouterr().out
    page = "tests/fixtures/quality-secrets/broken/docs/nb/koding/git-og-github.md"
    assert f"{page}:11: possible password in URL" in out
    assert f"{page}:12: possible GitHub token (ghp_…6Np0)" in out
    assert f"{page}:16: possible AWS access key id" in out
    assert f"{page}:17: possible AWS/S3 secret access key" in out
    assert "koding/nokkel.md:4: possible private key block" in out
    # the secrets themselves are never printed in full
    assert "Hemmelig2024" not in out and "R8nVq2LmT5wXz9KpA3sDf7GhJ1kLq4Wm6Np0" not in out


def test_placeholders_pass():
    assert secrets.scan([FIXTURES / "ok"], root=FIXTURES, allowlist=[]) == []


@pytest.mark.parametrize("text, kind", [
    ("token: github_pat_11AB2CD3E0aBcDeFgHiJkLmN_oPqRsTuVwXyZ0123456789abcdefgh", "GitHub token"),
    ("gho_Zq8Lm3Nx7Vb2Kr5Tw9Ys4Hd6Jf1Gp0Ca2Ue8", "GitHub token"),
    ('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n'
     'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4\\n'
     '-----END PRIVATE KEY-----\\n"}', "Google service account private key"),
    ("s3://minio:K7vQ2mX9pL4tR8wZ@minio.example.net/bucket", "password in URL"),
])
def test_each_kind_is_found(text, kind):
    found = secrets.scan_text(f"intro\n{text}\n", "docs/sv/x.md")
    assert found and found[0].startswith(f"docs/sv/x.md:2: possible {kind}")


@pytest.mark.parametrize("text", [
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "github_pat_<din-token>",
    "https://<bruker>:<passord>@github.com/org/repo.git",
    "https://oauth2:${GITHUB_TOKEN}@github.com/org/repo.git",
    "http://minioadmin:minioadmin@127.0.0.1:9000",
    "AKIAIOSFODNN7EXAMPLE",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
])
def test_placeholder_forms_are_accepted(text):
    assert secrets.scan_text(text, "docs/nb/x.md") == []


def test_allowlist_accepts_with_reason_and_requires_one(tmp_path):
    text = "export GITHUB_TOKEN=ghp_R8nVq2LmT5wXz9KpA3sDf7GhJ1kLq4Wm6Np0\n"
    entry = {"path": "docs/*/x.md", "match": "ghp_R8nVq2LmT5wXz9KpA3sDf7GhJ1kLq4Wm6Np0",
             "reason": "revoked example token"}
    assert secrets.scan_text(text, "docs/nb/x.md", [entry]) == []
    assert secrets.scan_text(text, "docs/nb/y.md", [entry]) != []
    bad = tmp_path / "allow.yml"
    bad.write_text("- path: docs/*\n  match: ghp_\n", encoding="utf-8")
    with pytest.raises(ValueError, match="reason"):
        secrets.load_allowlist(bad)


def test_project_sources_hold_no_secrets(capsys):
    """docs/, notebooks/ and the knowledge library as committed."""
    # the project's allowlist parses
    assert secrets.load_allowlist(REPO / "data" / secrets.ALLOWLIST_NAME) is not None
    code = secrets.main(["--config-file", str(REPO / "mkdocs.yml")])
    assert code == 0, capsys.readouterr().out
    assert (REPO / "data" / "secrets-allowlist.yml").exists()
