"""``openssl s_client`` under pexpect, as :class:`TelnetSession` runs telnet.

A page's connection line names the client: ``telnet HOST PORT``, or
``openssl s_client -quiet -connect HOST:PORT [-starttls PROTO] ...``. The
replay types the options as the page does, but connects to the backend's
listener for that port: port 465, 993, 995 (or 587, or the practice ports)
to the backend's TLS listener of that name, any other to the plain
listener of its protocol (``-starttls`` does the upgrade there).
openssl's own messages (:func:`telnetmail.core.opensslout.chatter`) are passed
over where the server speaks, and compared by shape where the page shows
them.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from telnetmail.core.opensslout import chatter, openssl_line_matches
from telnetmail.core.services import TLS_SERVICES
from telnetmail.replay.backends import BackendUnavailable, closed_port, endpoint
from telnetmail.replay.requirements import Unavailable
from telnetmail.replay.session import TelnetSession

if TYPE_CHECKING:
    from telnetmail.core.matching import Mode
    from telnetmail.core.matching.base import Textual
    from telnetmail.core.model import Protocol, Transcript
    from telnetmail.core.openssl import OpensslCommand
    from telnetmail.replay.backends import Backend

__all__ = [
    "OpensslMissing",
    "OpensslSession",
    "listener_for",
    "open_session",
    "openssl_command",
    "why_not_replayable",
]

#: Why a TLS page is skipped on a machine without openssl.
NO_OPENSSL = "no 'openssl' on PATH: install OpenSSL"


class OpensslMissing(Unavailable):
    """A page asks for ``openssl s_client`` and there is no openssl."""


class OpensslSession(TelnetSession):
    """``openssl s_client`` with the page's options, connected to *address*:*port*."""

    name = "openssl"
    banner = False
    bursts = False

    def __init__(self, tls: OpensslCommand, address: str, port: int) -> None:
        self.command = openssl_command(tls, address, port)
        self.child = None
        self.tls = tls
        #: Before the first line that is not openssl's verification.
        self.preamble = True
        #: The line just read is what -starttls left of the plaintext dialogue.
        self.leftover = False

    def read_line(self, deadline: float) -> str | None:
        text = super().read_line(deadline)
        if text is None:
            return None
        # The pty turns the server's CRLF into CR CR LF; openssl's -starttls
        # pop3 prints its reply buffer's NUL padding before the first reply.
        text = text.rstrip("\r").lstrip("\x00")
        self.leftover = False
        if self.preamble and not chatter(text):
            self.preamble = False
            self.leftover = self.tls.starttls is not None
        return text

    def after_line(self, text: str) -> None:
        """openssl leaves the terminal's echo as it finds it (off)."""

    def banner_end(self, text: str) -> bool:
        return False

    def own_line(self, text: str) -> bool:
        return self.leftover or chatter(text)

    def shows(self, expected: Textual, text: str, mode: Mode) -> bool:
        return openssl_line_matches(expected.text, text, self.tls.starttls)

    def skippable(self, text: str) -> bool:
        return self.own_line(text)


def openssl_command(tls: OpensslCommand, address: str, port: int) -> list[str]:
    """openssl s_client with the page's options, connecting to *address*:*port*."""
    program = shutil.which("openssl")
    if program is None:
        raise OpensslMissing(NO_OPENSSL)
    options = list(tls.options)
    where = options.index("-connect") + 1
    options[where] = f"{address}:{port}"
    return [program, "s_client", *options]


def why_not_replayable(transcript: Transcript) -> str | None:
    """Why this machine cannot replay the page's client, or None.

    A TLS page where there is no openssl (Read the Docs, say) is skipped
    and told, not fatal to every other page's replay.
    """
    connection = transcript.connection
    if connection is not None and connection.openssl and not shutil.which("openssl"):
        return f"not replayed: {NO_OPENSSL}"
    return None


def open_session(
    backend: Backend, transcript: Transcript, telnet: list[str]
) -> TelnetSession:
    """The client the page's connection line names, pointed at *backend*."""
    connection = transcript.connection
    port = connection.port if connection is not None else None
    address = listener_for(backend, port, transcript.protocol)
    tls = connection.openssl if connection is not None else None
    if tls is None:
        return TelnetSession(telnet, *address)
    return OpensslSession(tls, *address)


def listener_for(
    backend: Backend, port: str | None, protocol: Protocol | None
) -> tuple[str, int]:
    """Where a page's port goes on *backend*: 465, 587, 993, 995 and the
    practice TLS ports to the TLS listener of that name, any other as
    ``telnet`` goes (:func:`endpoint`). ``telnetmail record`` maps the same."""
    listener = TLS_SERVICES.get((port or "").lower())
    if listener is not None:
        # telnet to 587 meets submission's STARTTLS rule; to 993, TLS bytes.
        return "127.0.0.1", tls_port(backend, listener)
    return endpoint(backend, port, protocol)


def tls_port(backend: Backend, listener: str) -> int:
    """Where *backend* serves the TLS listener *listener* (``imaps``...)."""
    try:
        return backend.tls_port(listener)
    except BackendUnavailable:
        return closed_port()  # the page then fails where it expects a reply
