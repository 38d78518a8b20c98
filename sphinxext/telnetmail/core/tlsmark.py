"""Where a dialogue starts to travel encrypted: the place of the TLS divider.

After the server's yes to STARTTLS (SMTP ``220``, IMAP's tagged ``OK``) or
to POP3's STLS (``+OK``), or, in a session opened with ``openssl
s_client``, at once after its command: everything below goes over TLS.
Pure: the renderers draw the divider, each in its own way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnetmail.core.model import Role
from telnetmail.core.openssl import is_openssl

if TYPE_CHECKING:
    from collections.abc import Sequence

    from telnetmail.core.model import Line

__all__ = ["encryption_starts"]


def encryption_starts(lines: Sequence[Line]) -> int | None:
    """The index of the line after which the dialogue is encrypted, or None."""
    asked: tuple[str, str] | None = None  # (protocol, IMAP tag) of a STARTTLS
    for index, line in enumerate(lines):
        if line.role is Role.TELNET and is_openssl(line.text):
            return index
        if line.role is Role.CLIENT:
            asked = starttls_asked(line.text)
        elif line.role is Role.SERVER and asked is not None:
            if accepted(asked, line.text):
                return index
            if asked[0] != "imap" or line.text.startswith(asked[1] + " "):
                asked = None  # refused (untagged IMAP lines may come first)
    return None


def starttls_asked(typed: str) -> tuple[str, str] | None:
    """The protocol (and IMAP tag) of a typed STARTTLS or STLS, else None."""
    words = typed.upper().split()
    if words == ["STARTTLS"]:
        return ("smtp", "")
    if words == ["STLS"]:
        return ("pop3", "")
    if len(words) == 2 and words[1] == "STARTTLS":
        return ("imap", typed.split()[0])
    return None


def accepted(asked: tuple[str, str], reply: str) -> bool:
    """Whether *reply* says yes to the STARTTLS *asked*."""
    protocol, tag = asked
    if protocol == "smtp":
        return reply.startswith("220 ")
    if protocol == "pop3":
        return reply.startswith("+OK")
    return reply.split()[:2] == [tag, "OK"]
