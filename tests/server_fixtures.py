"""pytest plugin: the embedded mail server, started once, emptied per test."""

from __future__ import annotations

import contextlib
import imaplib
import poplib
import shutil
import smtplib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from telnetmail.replay.backends import EmbeddedBackend
from telnetmail.server import Account, MailServer, ServerConfig
from telnetmail.server.config import DEFAULT_ACCOUNTS
from telnetmail.server.limits import Limits

#: The telnet clients a replay test runs with: the system's, and our own.
TELNETS = [
    pytest.param(
        "telnet",
        marks=pytest.mark.skipif(
            shutil.which("telnet") is None, reason="no telnet installed"
        ),
    ),
    "python",
]


@pytest.fixture(scope="module")
def backend() -> Iterator[EmbeddedBackend]:
    """The replay's backend: the embedded servers, one per test module (a
    module replaying against another backend overrides this fixture)."""
    started = EmbeddedBackend()
    started.start()
    yield started
    started.stop()

# A second account, for tests of isolation between users.
OTHER = Account("anna", "anna-secret", "anna@example.com")
COURSE = DEFAULT_ACCOUNTS[0]

TIMEOUT = 5.0


@pytest.fixture(scope="session", autouse=True)
def _no_threads_left_behind() -> Iterator[None]:
    """Fail the session if any thread outlives it (a server not stopped)."""
    yield
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        others = [t for t in threading.enumerate() if t is not threading.main_thread()]
        if not others:
            return
        time.sleep(0.05)
    pytest.fail(f"threads still alive after the test session: {others}")


@pytest.fixture(scope="session")
def mail_server_session() -> Iterator[MailServer]:
    # A failed login waits 20 ms, not Dovecot's 2 s: tests fail on purpose.
    limits = Limits(auth_failure_delay=0.02, auth_failure_delay_max=0.1)
    config = ServerConfig(accounts=(COURSE, OTHER), limits=limits)
    with MailServer(config) as server:
        yield server


@pytest.fixture
def mail_server(mail_server_session: MailServer) -> MailServer:
    """The session's mail server, emptied and with no client connected."""
    mail_server_session.reset()
    return mail_server_session


SendMail = Callable[..., dict[str, tuple[int, bytes]]]


@pytest.fixture
def send_mail(mail_server: MailServer) -> SendMail:
    """Send one message over SMTP, as the course's client does; returns the
    refused recipients (smtplib's ``sendmail`` result)."""

    def send(
        body: str = "This is a test message.\r\n",
        *,
        to: str = COURSE.address,
        sender: str = "sender@example.com",
        headers: str | None = None,
    ) -> dict[str, tuple[int, bytes]]:
        if headers is None:
            headers = f"From: {sender}\r\nTo: {to}\r\nSubject: Test message\r\n"
        with smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=TIMEOUT) as smtp:
            smtp.helo("client.example.com")
            return smtp.sendmail(sender, [to], headers + "\r\n" + body)

    return send


Client = TypeVar("Client")


def _logins(
    connect: Callable[[], Client],
    log_in: Callable[[Client, Account], object],
    close: Callable[[Client], object],
) -> Iterator[Callable[..., Client]]:
    """Yield ``login(account=COURSE)``; close every client it opened after."""
    opened: list[Client] = []

    def login(account: Account = COURSE) -> Client:
        client = connect()
        opened.append(client)
        log_in(client, account)
        return client

    yield login
    for client in opened:
        with contextlib.suppress(OSError):  # Already shut by QUIT or LOGOUT.
            close(client)


@pytest.fixture
def pop3_login(mail_server: MailServer) -> Iterator[Callable[..., poplib.POP3]]:
    """Log in over POP3 (the course's account by default); closed after the test."""
    yield from _logins(
        lambda: poplib.POP3("127.0.0.1", mail_server.pop3_port, timeout=TIMEOUT),
        lambda client, account: (
            client.user(account.name),
            client.pass_(account.password),
        ),
        poplib.POP3.close,
    )


@pytest.fixture
def imap_login(mail_server: MailServer) -> Iterator[Callable[..., imaplib.IMAP4]]:
    """Log in over IMAP (the course's account by default); closed after the test."""
    yield from _logins(
        lambda: imaplib.IMAP4("127.0.0.1", mail_server.imap_port, timeout=TIMEOUT),
        lambda client, account: client.login(account.name, account.password),
        imaplib.IMAP4.shutdown,
    )


class RawClient:
    """A bare socket that speaks lines, for what no client library would send."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        """The next line from the server, without its CRLF."""
        data = self.file.readline()
        if not data:
            raise EOFError("the server closed the connection")
        return data.rstrip(b"\r\n")

    def command(self, data: bytes) -> bytes:
        """Send one CRLF-terminated line and return the first line of the reply."""
        self.send(data + b"\r\n")
        return self.line()

    def tagged(self, command: bytes) -> list[bytes]:
        """Send an IMAP command; its untagged lines and the tagged reply."""
        tag = command.split(b" ", 1)[0] + b" "
        self.send(command + b"\r\n")
        return self.until(tag)

    def until(self, prefix: bytes) -> list[bytes]:
        """Lines up to and including the first that starts with *prefix*."""
        lines = [self.line()]
        while not lines[-1].startswith(prefix):
            lines.append(self.line())
        return lines

    def multiline(self) -> list[bytes]:
        """A POP3 multi-line body: lines up to the lone ``.``, still dot-stuffed."""
        lines = [self.line()]
        while lines[-1] != b".":
            lines.append(self.line())
        return lines[:-1]

    def is_closed(self) -> bool:
        return self.file.read() == b""

    def close(self) -> None:
        self.file.close()
        self.sock.close()


Connect = Callable[[str], "RawClient"]


@pytest.fixture
def raw_client(mail_server: MailServer) -> Iterator[Connect]:
    """``raw_client("pop3")``: a connected RawClient, its greeting already read."""
    opened: list[RawClient] = []

    def connect(service: str) -> RawClient:
        client = RawClient(mail_server.ports[service])
        opened.append(client)
        client.line()
        return client

    yield connect
    for client in opened:
        client.close()


RawLogin = Callable[[], RawClient]


@pytest.fixture
def raw_imap_login(raw_client: Connect) -> RawLogin:
    """``raw_imap_login()``: a RawClient logged in over IMAP as the course's user."""

    def login() -> RawClient:
        client = raw_client("imap")
        assert client.command(b"a1 LOGIN MyUsername MyPassword").startswith(b"a1 OK")
        return client

    return login


def wait_for_unlock(login: Callable[..., poplib.POP3]) -> poplib.POP3:
    """Log in over POP3 once the server has seen a previous session go (a
    client's close reaches it a moment later), which frees the maildrop."""
    for _ in range(100):
        try:
            return login()
        except poplib.error_proto as exc:
            if b"[IN-USE]" not in exc.args[0]:
                raise
            time.sleep(0.01)
    raise AssertionError("the maildrop stayed locked")
