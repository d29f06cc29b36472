"""Keys and certificates made for the tests by openssl, once per run."""

from __future__ import annotations

import base64
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class DkimKey:
    pem: bytes
    record: bytes  # the TXT record a DNS lookup of `selector._domainkey.domain` answers


@dataclass(frozen=True)
class Certificate:
    path: Path  # the certificate, which is also its own authority
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.path, self.key)
        return context


def openssl(*args: str) -> bytes:
    return subprocess.run(["openssl", *args], check=True, capture_output=True).stdout


@pytest.fixture(scope="session")
def dkim_key(tmp_path_factory) -> DkimKey:
    path = tmp_path_factory.mktemp("dkim") / "private.pem"
    openssl("genrsa", "-out", str(path), "1024")
    public = openssl("rsa", "-in", str(path), "-pubout", "-outform", "DER")
    return DkimKey(path.read_bytes(), b"v=DKIM1; k=rsa; p=" + base64.b64encode(public))


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> Certificate:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-keyout", str(key), "-out", str(cert),
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    )  # fmt: skip
    return Certificate(cert, key)
