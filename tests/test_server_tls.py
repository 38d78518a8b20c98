"""The embedded server's TLS and authentication, with Python's own clients
(smtplib, poplib, imaplib) over real sockets on 127.0.0.1."""

from __future__ import annotations

import imaplib
import poplib
import smtplib
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server_fixtures import COURSE
from telnetmail.server import MailServer, ServerConfig
from telnetmail.server.limits import Limits
from telnetmail.server.tls import TLSConfig, self_signed, write_pem

TIMEOUT = 5.0
NAME, PASSWORD = COURSE.name, COURSE.password
PLAINTEXT_REFUSED = (
    "Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
)


def tls_server(require_tls: bool, **tls: str) -> MailServer:
    limits = Limits(auth_failure_delay=0.02, auth_failure_delay_max=0.1)
    tls_config = TLSConfig(require_tls=require_tls, **tls)
    return MailServer(ServerConfig(limits=limits, tls=tls_config))


@pytest.fixture(scope="module")
def server() -> Iterator[MailServer]:
    """TLS on, plaintext logins allowed (the course's default)."""
    with tls_server(require_tls=False) as running:
        yield running


@pytest.fixture(scope="module")
def strict() -> Iterator[MailServer]:
    """TLS on, plaintext logins refused before TLS (--require-tls)."""
    with tls_server(require_tls=True) as running:
        yield running


@pytest.fixture
def lab() -> ssl.SSLContext:
    """A client context that takes the lab's self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def ehlo_keywords(client: smtplib.SMTP) -> list[str]:
    code, text = client.ehlo("client.example.com")
    assert code == 250
    return [line.split()[0] for line in text.decode().splitlines()[1:]]


# -- SMTP ---------------------------------------------------------------------


def test_port_25_offers_starttls_but_no_auth(
    server: MailServer, lab: ssl.SSLContext
) -> None:
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=TIMEOUT) as client:
        assert "STARTTLS" in ehlo_keywords(client)
        assert client.docmd("AUTH", "PLAIN") == (
            503,
            b"5.5.1 Error: authentication not enabled",
        )
        assert client.starttls(context=lab)[0] == 220
        keywords = ehlo_keywords(client)
        assert "STARTTLS" not in keywords and "AUTH" not in keywords
        assert client.docmd("STARTTLS")[0] == 554


def test_submission_wants_starttls_then_auth(
    server: MailServer, lab: ssl.SSLContext
) -> None:
    port = server.ports["submission"]
    with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as client:
        before = ehlo_keywords(client)
        assert "STARTTLS" in before and "AUTH" not in before
        refused = (530, b"5.7.0 Must issue a STARTTLS command first")
        assert client.docmd("MAIL", "FROM:<sender@example.com>") == refused
        assert client.docmd("AUTH", "PLAIN") == refused
        assert client.starttls(context=lab) == (220, b"2.0.0 Ready to start TLS")
        code, text = client.ehlo("client.example.com")
        assert "AUTH PLAIN LOGIN" in text.decode().splitlines()
        assert "STARTTLS" not in ehlo_keywords(client)
        client.docmd("MAIL", "FROM:<sender@example.com>")
        code, text = client.docmd("RCPT", f"TO:<{COURSE.address}>")
        assert (code, text[:5]) == (554, b"5.7.1")
        client.rset()
        with pytest.raises(smtplib.SMTPAuthenticationError) as failed:
            client.login(NAME, "not-the-password")
        assert failed.value.smtp_code == 535
        assert client.login(NAME, PASSWORD)[0] == 235
        assert client.sendmail("sender@example.com", [COURSE.address], "Hi\r\n") == {}


def test_smtps_is_tls_from_the_start(server: MailServer, lab: ssl.SSLContext) -> None:
    port = server.ports["smtps"]
    with smtplib.SMTP_SSL("127.0.0.1", port, context=lab, timeout=TIMEOUT) as client:
        keywords = ehlo_keywords(client)
        assert "AUTH" in keywords and "STARTTLS" not in keywords
        assert client.login(NAME, PASSWORD)[0] == 235
        client.sendmail("sender@example.com", [COURSE.address], "Via smtps\r\n")
    mailbox = poplib.POP3_SSL(
        "127.0.0.1", server.ports["pop3s"], context=lab, timeout=TIMEOUT
    )
    try:
        mailbox.user(NAME)
        mailbox.pass_(PASSWORD)
        lines = mailbox.retr(mailbox.stat()[0])[1]
    finally:
        mailbox.quit()
    # Postfix's trace for a TLS session that authenticated.
    assert any(b"with ESMTPSA id" in line for line in lines)


def test_smtp_auth_login_prompts_as_dovecot(
    server: MailServer, lab: ssl.SSLContext
) -> None:
    port = server.ports["smtps"]
    with smtplib.SMTP_SSL("127.0.0.1", port, context=lab, timeout=TIMEOUT) as client:
        client.ehlo("client.example.com")
        assert client.docmd("AUTH", "LOGIN") == (334, b"VXNlcm5hbWU6")
        assert client.docmd("TXlVc2VybmFtZQ==") == (334, b"UGFzc3dvcmQ6")
        assert client.docmd("TXlQYXNzd29yZA==")[0] == 235


def test_smtp_bad_base64_fails_as_a_login(
    server: MailServer, lab: ssl.SSLContext
) -> None:
    port = server.ports["smtps"]
    with smtplib.SMTP_SSL("127.0.0.1", port, context=lab, timeout=TIMEOUT) as client:
        client.ehlo("client.example.com")
        assert client.docmd("AUTH", "PLAIN not-base64!")[0] == 535
        # MyUsername and MyPassword without the NULs: not a PLAIN message.
        assert client.docmd("AUTH", "PLAIN TXlVc2VybmFtZU15UGFzc3dvcmQ=")[0] == 535


# -- POP3 ---------------------------------------------------------------------


def test_pop3_stls_then_login(server: MailServer, lab: ssl.SSLContext) -> None:
    client = poplib.POP3("127.0.0.1", server.pop3_port, timeout=TIMEOUT)
    try:
        assert "STLS" in client.capa() and "USER" in client.capa()
        assert client.stls(context=lab) == b"+OK Begin TLS negotiation now."
        assert "STLS" not in client.capa()
        with pytest.raises(poplib.error_proto, match="TLS is already active"):
            client._shortcmd("STLS")
        client.user(NAME)
        assert client.pass_(PASSWORD) == b"+OK Logged in."
    finally:
        client.quit()


def test_pop3s_auth_plain(server: MailServer, lab: ssl.SSLContext) -> None:
    port = server.ports["pop3s"]
    client = poplib.POP3_SSL("127.0.0.1", port, context=lab, timeout=TIMEOUT)
    try:
        assert "SASL" in client.capa() and "STLS" not in client.capa()
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Authentication failed"):
            client._shortcmd("AUTH PLAIN AE15VXNlcm5hbWUAd3Jvbmc=")  # wrong password
        assert client._shortcmd("AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==") == (
            b"+OK Logged in."
        )
    finally:
        client.quit()


def test_pop3_require_tls_refuses_user_until_stls(
    strict: MailServer, lab: ssl.SSLContext
) -> None:
    client = poplib.POP3("127.0.0.1", strict.pop3_port, timeout=TIMEOUT)
    try:
        assert "USER" not in client.capa()
        with pytest.raises(poplib.error_proto, match=r"-ERR \[AUTH\] Plaintext"):
            client.user(NAME)
        client.stls(context=lab)
        assert "USER" in client.capa()
        client.user(NAME)
        assert client.pass_(PASSWORD) == b"+OK Logged in."
    finally:
        client.quit()


# -- IMAP ---------------------------------------------------------------------


def test_imap_starttls_changes_the_capabilities(
    server: MailServer, lab: ssl.SSLContext
) -> None:
    client = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=TIMEOUT)
    try:
        assert "STARTTLS" in client.capabilities
        assert "LOGINDISABLED" not in client.capabilities
        assert client.starttls(ssl_context=lab)[0] == "OK"
        assert "STARTTLS" not in client.capabilities
        assert "AUTH=PLAIN" in client.capabilities
        assert client.login(NAME, PASSWORD)[0] == "OK"
    finally:
        client.logout()


def test_imaps_login(server: MailServer, lab: ssl.SSLContext) -> None:
    port = server.ports["imaps"]
    client = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=lab, timeout=TIMEOUT)
    try:
        assert "STARTTLS" not in client.capabilities
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(NAME, "not-the-password")
        assert client.login(NAME, PASSWORD)[0] == "OK"
    finally:
        client.logout()


def test_imap_require_tls_disables_login(
    strict: MailServer, lab: ssl.SSLContext
) -> None:
    client = imaplib.IMAP4("127.0.0.1", strict.imap_port, timeout=TIMEOUT)
    try:
        assert "LOGINDISABLED" in client.capabilities
        assert not any(cap.startswith("AUTH=") for cap in client.capabilities)
        client.capabilities = ()  # imaplib would refuse to send LOGIN itself
        with pytest.raises(imaplib.IMAP4.error, match=r"\[PRIVACYREQUIRED\]"):
            client.login(NAME, PASSWORD)
        assert client.untagged_responses["BAD"][0].startswith(b"[ALERT] Plaintext")
        client.capabilities = ("STARTTLS",)
        client.starttls(ssl_context=lab)
        assert "LOGINDISABLED" not in client.capabilities
        assert client.login(NAME, PASSWORD)[0] == "OK"
    finally:
        client.logout()


def test_imap_starttls_twice_is_bad(server: MailServer, lab: ssl.SSLContext) -> None:
    client = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=TIMEOUT)
    try:
        client.starttls(ssl_context=lab)
        tag = client._command("STARTTLS")
        with pytest.raises(imaplib.IMAP4.error, match="TLS is already active"):
            client._command_complete("STARTTLS", tag)
    finally:
        client.logout()


# -- the certificate ----------------------------------------------------------


def test_certificate_is_made_once_per_process() -> None:
    names = ("mx1.example.com", "pop.example.com")
    assert self_signed(names) is self_signed(names)


def test_server_presents_the_given_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    write_pem(self_signed(("mail.school.example",)), str(cert), str(key))
    assert key.stat().st_mode & 0o077 == 0
    with tls_server(False, cert_file=str(cert), key_file=str(key)) as running:
        verified = ssl.create_default_context(cafile=str(cert))
        address = ("127.0.0.1", running.ports["imaps"])
        with socket.create_connection(address, timeout=TIMEOUT) as raw:
            name = "mail.school.example"
            with verified.wrap_socket(raw, server_hostname=name) as secured:
                assert secured.recv(4).startswith(b"* OK")
        # A client that verifies against the system's CAs refuses it: it is
        # self-signed (openssl's "verify error:num=18").
        with (
            socket.create_connection(address, timeout=TIMEOUT) as raw,
            pytest.raises(ssl.SSLCertVerificationError),
        ):
            ssl.create_default_context().wrap_socket(raw, server_hostname=name)


def test_a_certificate_needs_its_key() -> None:
    with pytest.raises(ValueError, match="needs its key"):
        TLSConfig(cert_file="cert.pem")


def test_no_tls_no_tls_listeners() -> None:
    with MailServer(ServerConfig()) as plain:
        assert set(plain.ports) == {"smtp", "pop3", "imap"}
        with smtplib.SMTP("127.0.0.1", plain.smtp_port, timeout=TIMEOUT) as client:
            assert "STARTTLS" not in ehlo_keywords(client)


# -- commands pipelined in clear behind STARTTLS are dropped ------------------


@pytest.mark.parametrize(
    ("service", "starttls", "smuggled", "after_tls", "reply"),
    [
        ("smtp", b"EHLO x\r\nSTARTTLS\r\n", b"QUIT\r\n", b"NOOP\r\n", b"250 "),
        ("pop3", b"STLS\r\n", b"QUIT\r\n", b"CAPA\r\n", b"+OK\r\n"),
        ("imap", b"a STARTTLS\r\n", b"b LOGOUT\r\n", b"c NOOP\r\n", b"c OK"),
    ],
)
def test_plaintext_pipelined_after_starttls_is_not_run(
    server: MailServer,
    lab: ssl.SSLContext,
    service: str,
    starttls: bytes,
    smuggled: bytes,
    after_tls: bytes,
    reply: bytes,
) -> None:
    with socket.create_connection(("127.0.0.1", server.ports[service]), 5) as raw:
        raw.recv(1024)  # the greeting
        raw.sendall(starttls + smuggled)  # one write: read with STARTTLS
        heard = b""
        ready = (b"Ready to start TLS", b"Begin TLS negotiation now.")
        while not heard.rstrip().endswith(ready):
            heard += raw.recv(1024)
        with lab.wrap_socket(raw) as secured:
            secured.sendall(after_tls)
            answer = secured.recv(1024)
    # The answer is to the command typed over TLS, not to the smuggled one.
    assert answer.startswith(reply), answer


def test_imap_authenticate_plain_checks_the_account(
    server: MailServer, lab: ssl.SSLContext
) -> None:
    port = server.ports["imaps"]
    wrong = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=lab, timeout=TIMEOUT)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            wrong.authenticate("PLAIN", lambda _: f"\0{NAME}\0wrong".encode())
    finally:
        wrong.logout()
    right = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=lab, timeout=TIMEOUT)
    try:
        plain = f"\0{NAME}\0{PASSWORD}".encode()
        assert right.authenticate("PLAIN", lambda _: plain)[0] == "OK"
    finally:
        right.logout()


# A process of its own: whether cryptography is loaded is the process's.
FIRST_KNOCK = """
import smtplib, ssl, sys
from telnetmail.server import MailServer, ServerConfig
from telnetmail.server.tls import TLSConfig

with MailServer(ServerConfig(tls=TLSConfig())) as server:
    with smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=5) as plain:
        plain.noop()
    print("before", "cryptography" in sys.modules)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with smtplib.SMTP_SSL("127.0.0.1", server.ports["smtps"], context=context,
                          timeout=5) as secure:
        print("smtps", secure.noop()[0])
    print("after", "cryptography" in sys.modules)
"""


def test_the_certificate_is_made_when_a_client_first_knocks_at_a_tls_listener():
    done = subprocess.run(
        [sys.executable, "-c", FIRST_KNOCK],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    # Plaintext clients never pay for it; the first TLS client is served.
    assert done.stdout.split() == ["before", "False", "smtps", "250", "after", "True"]
