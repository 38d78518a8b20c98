"""What ``telnetmail record`` runs, and what it makes of a recorded session.

``HOST PORT`` is a telnet session; ``openssl s_client ...`` (after ``--``)
a TLS one, whose page shows the openssl command, its verification lines and
the line ``-starttls`` leaves of the plaintext exchange.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from telnetmail.core.model import Protocol
from telnetmail.core.openssl import OpensslCommand, parse_openssl
from telnetmail.core.parser import protocol_of_port
from telnetmail.core.recording import (
    PageLine,
    openssl_lines,
    session_lines,
    telnet_lines,
)


class UsageError(Exception):
    """A wrong argument: the message says which."""


@dataclass(frozen=True)
class Target:
    """What the author runs: ``telnet HOST PORT`` or ``openssl s_client ...``."""

    host: str
    port: str
    #: The command as the page's ``telnet:`` line shows it.
    command: str
    tls: OpensslCommand | None = None

    @property
    def protocol(self) -> Protocol | None:
        if self.tls is not None and self.tls.starttls is not None:
            return self.tls.starttls
        return protocol_of_port(self.port)


@dataclass(frozen=True)
class Recorded:
    """A session as it crossed the tap, and the terminal the author saw."""

    talk: list[PageLine]
    terminal: str
    #: The server's lines before TLS (openssl's ``-starttls`` exchange).
    plaintext: list[str] = field(default_factory=list)


def parse_target(words: list[str]) -> Target:
    """``HOST PORT`` or ``openssl s_client OPTIONS``; UsageError otherwise."""
    if words[:1] == ["openssl"]:
        command = shlex.join(words)
        if words[1:2] != ["s_client"]:
            raise UsageError(f"{command!r}: record runs openssl s_client only")
        try:
            tls = parse_openssl(command)
        except ValueError as problem:
            raise UsageError(str(problem)) from None
        return Target(tls.host, tls.port, command, tls)
    if len(words) != 2:
        raise UsageError(
            "expected HOST PORT, or -- openssl s_client ... -connect HOST:PORT"
        )
    host, port = words
    return Target(host, port, f"telnet {host} {port}")


def page_lines(target: Target, recorded: Recorded) -> list[PageLine]:
    """The command, the client's own lines, the dialogue."""
    if target.tls is not None:
        opening = openssl_lines(recorded.terminal, recorded.plaintext)
        return session_lines(target.command, opening, recorded.talk, False, "$")
    opening, closed = telnet_lines(recorded.terminal, target.host)
    return session_lines(target.command, opening, recorded.talk, closed)
