"""``openssl s_client`` as a page's connection line, and its ``-starttls`` exchange.

A ``telnet:`` line may hold ``openssl s_client -connect HOST:PORT ...``
instead of ``telnet HOST PORT``: the dialogue then runs over TLS. What is
measured with OpenSSL 3.0 (and what this module encodes):

* ``-quiet`` (or ``-ign_eof``, ``-nocommands``) is needed: without it, a
  typed line starting with ``R`` (``RCPT TO``) renegotiates, ``Q`` quits,
  ``k``/``K`` update keys, and the certificate dump and TLS 1.3 session
  tickets interleave with the dialogue. A page without it is refused.
* ``-crlf`` turns typed line ends into CRLF (SMTP's ``.`` ending DATA).
* With ``-quiet`` openssl still prints lines of its own around the
  dialogue: :mod:`telnetmail.core.opensslout` knows them.
* ``-starttls smtp|pop3|imap`` performs the STARTTLS exchange itself (after
  its own EHLO, or IMAP ``. CAPABILITY``), then prints the last line it read
  before TLS (``250 ...``, ``+OK ...``, ``. OK ...``): the page's dialogue
  starts after it, with no greeting.

Pure: no sockets, no processes.
"""

from __future__ import annotations

import re
import shlex
from typing import NamedTuple

from telnetmail.core.model import Protocol

__all__ = [
    "OpensslCommand",
    "is_openssl",
    "parse_openssl",
    "upgrade_asked",
    "upgrade_reply",
]

#: What ``-starttls`` accepts among the course's protocols.
STARTTLS: dict[str, Protocol] = {
    "smtp": Protocol.SMTP,
    "pop3": Protocol.POP3,
    "imap": Protocol.IMAP,
}

#: Options that take no value, and those that do (the rest is refused).
FLAGS = frozenset(
    {"-crlf", "-quiet", "-ign_eof", "-nocommands", "-brief", "-no_ign_eof"}
)
VALUED = frozenset({"-connect", "-starttls", "-servername", "-CAfile", "-verify"})
#: Options that keep typed lines from being taken as s_client commands.
SAFE = frozenset({"-quiet", "-ign_eof", "-nocommands"})

_COMMAND = re.compile(
    r"(?P<prompt>(?:.*?[>$#%])?\s*)(?P<command>openssl\s+s_client(?:\s+\S+)*)\s*$"
)


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class OpensslCommand(NamedTuple):
    """What an ``openssl s_client`` line asks for."""

    host: str
    port: str
    #: The protocol ``-starttls`` names, None for TLS from the start.
    starttls: Protocol | None
    #: Every option, as typed (``-connect`` included).
    options: tuple[str, ...]

    @property
    def quiet(self) -> bool:
        return "-quiet" in self.options


def is_openssl(text: str) -> re.Match[str] | None:
    """The prompt and command spans of an ``openssl s_client`` line, if it is one."""
    return _COMMAND.match(text)


def parse_openssl(command: str) -> OpensslCommand:
    """Read ``openssl s_client ...``. Raises ValueError saying what is wrong."""
    words = shlex.split(command)[2:]
    values: dict[str, str] = {}
    flags: set[str] = set()
    rest = iter(words)
    for word in rest:
        if word in FLAGS:
            flags.add(word)
        elif word in VALUED:
            values[word] = next(rest, "")
        else:
            raise ValueError(f"openssl s_client: option {word!r} is not replayed")
    return _checked(values, flags, tuple(words))


def _checked(
    values: dict[str, str], flags: set[str], options: tuple[str, ...]
) -> OpensslCommand:
    host, colon, port = values.get("-connect", "").rpartition(":")
    if not (host and colon and port):
        raise ValueError("openssl s_client needs -connect HOST:PORT")
    if not flags & SAFE:
        raise ValueError(
            "openssl s_client without -quiet takes a typed line starting with"
            " R, Q, k or K as its own command (RCPT TO renegotiates) and mixes"
            " its certificate dump into the dialogue: add -quiet"
        )
    starttls = values.get("-starttls")
    if starttls is not None and starttls not in STARTTLS:
        known = ", ".join(STARTTLS)
        raise ValueError(f"-starttls {starttls}: the course's are {known}")
    return OpensslCommand(
        host.strip("[]"), port, STARTTLS[starttls] if starttls else None, options
    )


# -- the -starttls exchange, as a tap sees it -----------------------------------

#: The command each protocol's STARTTLS is; IMAP's follows a tag.
_UPGRADE = {Protocol.SMTP: "STARTTLS", Protocol.POP3: "STLS", Protocol.IMAP: "STARTTLS"}


def upgrade_asked(protocol: Protocol, line: str) -> str | None:
    """The tag (``.``), or the verb, if the client's *line* asks for TLS."""
    words = line.split()
    if protocol is Protocol.IMAP:
        asked = len(words) == 2 and words[1].upper() == _UPGRADE[protocol]
        return words[0] if asked else None
    asked = len(words) == 1 and words[0].upper() == _UPGRADE[protocol]
    return words[0].upper() if asked else None


def upgrade_reply(protocol: Protocol, line: str, tag: str) -> bool | None:
    """Whether the server's *line* accepts the upgrade *tag* asked for;
    None while the reply goes on (SMTP's ``220-``, IMAP's untagged lines)."""
    if protocol is Protocol.SMTP:
        if re.match(r"\d{3}(?: |$)", line) is None:
            return None
        return line.startswith("220")
    if protocol is Protocol.POP3:
        return line.startswith("+OK")
    word, _, rest = line.partition(" ")
    if word != tag:
        return None
    return rest.upper().startswith("OK")
