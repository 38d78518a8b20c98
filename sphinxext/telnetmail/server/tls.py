"""The servers' TLS: a certificate for the server's names, and the context.

The certificate is self-signed and made in Python (``cryptography``, no
``openssl`` subprocess), once per process and host names: a server started
again, or a second one for another worker, reuses it. An elliptic-curve key
(P-256) takes a millisecond to make; RSA 2048 takes tens. ``--cert`` and
``--key`` load a real one instead.
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
from dataclasses import dataclass

__all__ = [
    "Certificate",
    "LazyContext",
    "TLSConfig",
    "self_signed",
    "server_context",
    "write_pem",
]


@dataclass(frozen=True)
class TLSConfig:
    """Whether the servers speak TLS, with which certificate, and whether
    plaintext logins need it first (Dovecot's ``disable_plaintext_auth`` for
    a remote client)."""

    #: PEM files of a certificate chain and its key; None: self-signed.
    cert_file: str | None = None
    key_file: str | None = None
    #: Refuse plaintext logins (IMAP LOGIN, POP3 USER/PASS, AUTH PLAIN)
    #: before TLS, with Dovecot's replies.
    require_tls: bool = False

    def __post_init__(self) -> None:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("a certificate needs its key: give both or neither")


@dataclass(frozen=True)
class Certificate:
    """A certificate and its private key, both PEM."""

    cert_pem: bytes
    key_pem: bytes


@functools.cache
def self_signed(names: tuple[str, ...]) -> Certificate:
    """A self-signed certificate for *names* (the first is the subject's CN),
    valid from a day ago for ten years; made once per process."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return Certificate(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def server_context(config: TLSConfig, names: tuple[str, ...]) -> ssl.SSLContext:
    """A server-side context with *config*'s certificate, or a self-signed
    one for *names*. Raises :class:`OSError` or :class:`ssl.SSLError` for
    files that cannot be read or do not match."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.cert_file is not None and config.key_file is not None:
        context.load_cert_chain(config.cert_file, config.key_file)
        return context
    import tempfile  # here, as datetime above: needed once TLS starts

    certificate = self_signed(names)
    # load_cert_chain reads files only: a private file, gone at once.
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as pem:
            pem.write(certificate.key_pem + certificate.cert_pem)
        context.load_cert_chain(path)
    finally:
        os.unlink(path)
    return context


class LazyContext:
    """The servers' context, made on first use: making the self-signed
    certificate imports ``cryptography`` (50 to 100 ms), which must not
    delay the plaintext listeners' start. Used by one thread at a time:
    the caller of ``MailServer.start``, then the servers' loop."""

    # What aiosmtpd checks of the context it is given.
    verify_mode = ssl.CERT_NONE
    check_hostname = False

    def __init__(self, config: TLSConfig, names: tuple[str, ...]) -> None:
        self.config = config
        self.names = names
        self._context: ssl.SSLContext | None = None

    def get(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = server_context(self.config, self.names)
        return self._context


def forget_plaintext(reader: asyncio.StreamReader) -> None:
    """Drop what the client sent in clear after its STARTTLS (RFC 3207 §4.2,
    RFC 2595 §3.1): commands pipelined behind it must not run as if they had
    come over TLS (the injection of CVE-2011-0411). asyncio has no public
    way; aiosmtpd clears the same buffer for SMTP."""
    reader._buffer.clear()  # type: ignore[attr-defined]


def write_pem(certificate: Certificate, cert_path: str, key_path: str) -> None:
    """Write *certificate* and its key (the key readable by its owner only)."""
    with open(cert_path, "wb") as out:
        out.write(certificate.cert_pem)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(certificate.key_pem)
