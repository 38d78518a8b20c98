"""Whether a session's server has said all it owes so far.

``telnetmail check --update`` types a page's client lines without the
page's server lines to go by: before typing on, it reads until every
command typed has its whole reply (a multi-line SMTP reply to its last
line, a POP3 list or message to its ``.``, an IMAP command to its tagged
status), or until the server asks for more (``354``, IMAP's ``+``).
"""

from __future__ import annotations

import re

from telnetmail.core.model import Protocol
from telnetmail.core.parser import outstanding, parse_lines
from telnetmail.core.pop3 import listing_command
from telnetmail.core.recording import PageLine

_SMTP_MORE = re.compile(r"\d{3}-")
_LITERAL = re.compile(r"\{(?P<n>\d+)\+?\}$")


def settled(protocol: Protocol, lines: list[PageLine]) -> bool:
    """True when the client may type on: nothing owed, or more asked for."""
    talk = [(role, text) for role, text in lines if role != "telnet"]
    if not any(role == "server" for role, _ in talk):
        return False  # the greeting
    if talk[-1][0] == "server" and _asks_for_more(protocol, talk[-1][1]):
        return True
    numbered = [
        (index, f"{role}: {text}") for index, (role, text) in enumerate(talk, 1)
    ]
    transcript = parse_lines(numbered, protocol=str(protocol))
    if outstanding(protocol, transcript.lines):
        return _typing_content(protocol, talk)
    return _reply_complete(protocol, talk)


def _asks_for_more(protocol: Protocol, text: str) -> bool:
    if protocol is Protocol.IMAP:
        return text == "+" or text.startswith("+ ")
    return protocol is Protocol.SMTP and text.startswith("354")


def _typing_content(protocol: Protocol, talk: list[PageLine]) -> bool:
    """A message being typed (after ``354`` or IMAP's ``+``) owes nothing
    until its end: SMTP's ``.``, the octets an IMAP literal announced."""
    asked = max(
        (i for i, (role, text) in enumerate(talk) if role == "server"),
        default=None,
    )
    if asked is None or not _asks_for_more(protocol, talk[asked][1]):
        return False
    typed = [text for _, text in talk[asked + 1 :]]
    if protocol is Protocol.SMTP:
        return typed[-1:] != ["."]
    announced = _LITERAL.search(talk[asked - 1][1]) if asked else None
    size = int(announced["n"]) if announced else 0
    return sum(len(text.encode()) + 2 for text in typed) < size


def _reply_complete(protocol: Protocol, talk: list[PageLine]) -> bool:
    last = talk[-1]
    if last[0] != "server":
        return True
    if protocol is Protocol.SMTP:
        return _SMTP_MORE.match(last[1]) is None
    if protocol is Protocol.POP3:
        return _pop3_complete(talk)
    return True


def _pop3_complete(talk: list[PageLine]) -> bool:
    clients = [index for index, (role, _) in enumerate(talk) if role == "client"]
    if not clients:
        return True  # the greeting is one line
    verb, _, args = talk[clients[-1]][1].strip().partition(" ")
    reply = [text for _, text in talk[clients[-1] + 1 :]]
    if not listing_command(verb, args) or not reply or not reply[0].startswith("+OK"):
        return True
    return len(reply) > 1 and reply[-1] == "."
