"""A local certificate authority for the stand-ins' HTTPS servers.

The CA is made on first use and kept in the project cache (`<cache>/standins/ca/`), so cached
sample outputs stay valid from one build to the next. Its one server certificate names every
host the stand-ins answer to (plus localhost and 127.0.0.1) and is renewed before it expires.
Sessions trust the CA through the variables in `trust_env` and nothing else: the key never
leaves the cache folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import ipaddress
import os
import ssl
import tempfile
from pathlib import Path

CA_NAME = "Handbook stand-ins local CA"
SANDBOX_CA_PATH = "/etc/handbook/standins-ca.pem"   # where a sandboxed session finds the CA
CA_DAYS = 3650
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)


def trust_env(ca_path: str = SANDBOX_CA_PATH) -> dict[str, str]:
    """Variables that make pip, Poetry, uv, requests, curl, git and R trust the CA."""
    return {
        "SSL_CERT_FILE": ca_path,        # OpenSSL default (Python ssl, uv, truststore), R's libcurl too
        "REQUESTS_CA_BUNDLE": ca_path,   # requests: Poetry, pip-audit, PyGithub
        "PIP_CERT": ca_path,             # pip
        "CURL_CA_BUNDLE": ca_path,       # curl and R (download.file, renv)
        "GIT_SSL_CAINFO": ca_path,       # git over https
    }


class Authority:
    """The CA and the server certificate, in `directory` (created on first use)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @property
    def ca_file(self) -> Path:
        self.ensure_ca()
        return self.directory / "ca.pem"

    def ensure_ca(self) -> None:
        if (self.directory / "ca.pem").exists() and (self.directory / "ca-key.pem").exists():
            return
        with self._locked():
            if (self.directory / "ca.pem").exists():
                return
            key = _new_key()
            name = _name(CA_NAME)
            now = _now()
            cert = (_builder(name, name, key.public_key(), now, now + dt.timedelta(days=CA_DAYS))
                    .add_extension(_x509().BasicConstraints(ca=True, path_length=0), critical=True)
                    .add_extension(_key_usage(cert_sign=True), critical=True)
                    .add_extension(_x509().SubjectKeyIdentifier.from_public_key(key.public_key()),
                                   critical=False)
                    .sign(key, _sha256()))
            _write(self.directory / "ca-key.pem", _key_pem(key), private=True)
            _write(self.directory / "ca.pem", _cert_pem(cert))

    def server_files(self, hosts: tuple[str, ...]) -> tuple[Path, Path]:
        """(certificate chain, key) for `hosts`, made or renewed as needed."""
        hosts = tuple(sorted(set(hosts) | {"localhost"}))
        tag = hashlib.sha256("\n".join(hosts).encode()).hexdigest()[:12]
        cert_path, key_path = self.directory / f"server-{tag}.pem", self.directory / f"server-{tag}-key.pem"
        if self._valid(cert_path) and key_path.exists():
            return cert_path, key_path
        self.ensure_ca()
        with self._locked():
            if self._valid(cert_path) and key_path.exists():
                return cert_path, key_path
            x509 = _x509()
            from cryptography.hazmat.primitives import serialization

            ca_key = serialization.load_pem_private_key((self.directory / "ca-key.pem").read_bytes(), None)
            ca_cert = x509.load_pem_x509_certificate((self.directory / "ca.pem").read_bytes())
            key = _new_key()
            now = _now()
            names = [x509.DNSName(h) for h in hosts] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            cert = (_builder(_name(hosts[0]), ca_cert.subject, key.public_key(), now,
                             now + dt.timedelta(days=SERVER_DAYS))
                    .add_extension(x509.SubjectAlternativeName(names), critical=False)
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                    .add_extension(_key_usage(digital_signature=True, key_encipherment=True), critical=True)
                    .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                                   critical=False)
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                   critical=False)
                    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                   critical=False)
                    .sign(ca_key, _sha256()))
            _write(key_path, _key_pem(key), private=True)
            _write(cert_path, _cert_pem(cert) + (self.directory / "ca.pem").read_bytes())
        return cert_path, key_path

    def server_context(self, hosts: tuple[str, ...]) -> ssl.SSLContext:
        cert, key = self.server_files(hosts)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        return context

    def _valid(self, cert_path: Path) -> bool:
        try:
            cert = _x509().load_pem_x509_certificate(cert_path.read_bytes())
        except (OSError, ValueError):
            return False
        return cert.not_valid_after_utc - RENEW_BEFORE > _now()

    @contextlib.contextmanager
    def _locked(self):
        """Builds running side by side share the cache: one of them makes the files."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _x509():
    from cryptography import x509

    return x509


def _sha256():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _new_key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str):
    x509 = _x509()
    return x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name)])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _builder(subject, issuer, public_key, not_before, not_after):
    x509 = _x509()
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before - dt.timedelta(hours=1)).not_valid_after(not_after))


def _key_usage(cert_sign=False, digital_signature=False, key_encipherment=False):
    return _x509().KeyUsage(
        digital_signature=digital_signature, content_commitment=False, key_encipherment=key_encipherment,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
        encipher_only=False, decipher_only=False)


def _key_pem(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes, private: bool = False) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600 if private else 0o644)
    os.replace(tmp, path)
