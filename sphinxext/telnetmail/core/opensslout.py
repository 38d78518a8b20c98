"""What ``openssl s_client`` prints of its own, around a page's dialogue.

With ``-quiet`` openssl still prints, before the dialogue, its verification
on stderr (``depth=0 CN = ...``, ``verify error:num=18: self-signed
certificate``, ``verify return:1``, twice) and often ``Can't use
SSL_get_servername``; at the end maybe an ``...:error:...`` line. With
``-starttls`` it prints the last line it read before TLS (``250 ...``,
``+OK ...``, ``. OK ...``). The replay and ``telnetmail record`` tell these
lines from the server's; a page's own connection line is
:mod:`telnetmail.core.openssl`'s.

Measured with OpenSSL 3.0. A module apart from the connection line's
because only the replay and the recorder need it: a build of the pages
reads their ``openssl`` lines, but compiling these shapes at every build's
import would cost it half a millisecond for nothing.
"""

from __future__ import annotations

import re

from telnetmail.core.model import Protocol

__all__ = ["chatter", "leftover_matches", "openssl_line_matches", "verification"]

_CHATTER = [
    re.compile(pattern)
    for pattern in (
        r"Can't use SSL_get_servername",
        r"depth=\d+ .*",
        r"verify error:num=\d+:.*",
        r"verify return:\d+",
        r"[0-9A-F]+:error:[0-9A-F]+:.*",
        r"DONE",
        r"read:errno=\d+",
    )
]

#: The line ``-starttls`` leaves behind, by protocol.
_LEFTOVER: dict[Protocol, re.Pattern[str]] = {
    Protocol.SMTP: re.compile(r"\d{3} .*"),
    Protocol.POP3: re.compile(r"[+-](?:OK|ERR).*"),
    Protocol.IMAP: re.compile(r"\. .*"),
}

_VERIFY_ERROR = re.compile(r"verify error:num=(\d+):.*")


def chatter(text: str) -> bool:
    """Whether *text* is one of openssl's own messages."""
    return any(shape.fullmatch(text) for shape in _CHATTER)


def leftover_matches(protocol: Protocol, text: str) -> bool:
    """Whether *text* is what ``-starttls`` prints of the plaintext dialogue."""
    return _LEFTOVER[protocol].fullmatch(text) is not None


def openssl_line_matches(
    expected: str, received: str, starttls: Protocol | None
) -> bool:
    """A page's ``telnet:`` line against what openssl printed, by shape:
    subjects, depths and host names vary; a verify error's number does not."""
    error = _VERIFY_ERROR.fullmatch(expected)
    if error is not None:
        got = _VERIFY_ERROR.fullmatch(received)
        return got is not None and got.group(1) == error.group(1)
    for shape in _CHATTER:
        if shape.fullmatch(expected):
            return shape.fullmatch(received) is not None
    if starttls is not None and leftover_matches(starttls, expected):
        return leftover_matches(starttls, received)
    return expected == received


_VERIFICATION = re.compile(r"depth=\d+ .*|verify error:num=\d+:.*|verify return:\d+")


def verification(text: str) -> bool:
    """Whether *text* is openssl's report of the certificate's verification."""
    return _VERIFICATION.fullmatch(text) is not None
