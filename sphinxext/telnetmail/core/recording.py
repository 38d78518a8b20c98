"""A recorded session, made into a ``transcript`` block.

``telnetmail record`` taps the connection between telnet and the server:
what went towards the server was typed (``client:``), what came back was
the server's (``server:``). Telnet's own lines (``Trying ...``, ``Connected
to ...``, ``Connection closed ...``) come from its terminal. This module
turns those into page lines and the page lines into a block; marking the
values that vary is :mod:`telnetmail.core.marking`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telnetmail.core.model import Protocol
from telnetmail.core.opensslout import chatter, verification
from telnetmail.core.vocabulary import commands_used

#: A page line: its role (``telnet``, ``client``, ``server``) and its text.
PageLine = tuple[str, str]

#: Telnet's lines before the session, and the one when the server closes.
_OPENING = re.compile(r"Trying \S+\.\.\.|Connected to \S+\.|Escape character is .*")
CLOSING = "Connection closed by foreign host."

#: Commands every session types: they say nothing of what a dialogue shows.
_ROUTINE = frozenset(
    {"HELO", "EHLO", "QUIT", "USER", "PASS", "LOGIN", "LOGOUT", "NOOP", "CAPABILITY"}
)


@dataclass(frozen=True)
class Chunk:
    """Bytes as they crossed the tap: ``client`` towards the server, ``server`` back."""

    role: str
    data: bytes


def wire_lines(chunks: Iterable[Chunk]) -> list[PageLine]:
    """The lines each side sent, in the order they were complete.

    A page cannot hold a tab (reST expands it by the source's columns): a
    tab becomes one space, so that every size the server gives still counts
    the octets the page shows (a folded ``Received:`` line reads the same).
    Trailing spaces go, as a page cannot keep them.
    """
    pending: dict[str, bytes] = {"client": b"", "server": b""}
    lines: list[PageLine] = []
    for chunk in chunks:
        pending[chunk.role] += chunk.data
        *complete, pending[chunk.role] = pending[chunk.role].split(b"\n")
        lines += [(chunk.role, _text(raw)) for raw in complete]
    lines += [(role, _text(rest)) for role, rest in pending.items() if rest.strip()]
    return lines


def _text(raw: bytes) -> str:
    text = raw.removesuffix(b"\r").decode("utf-8", errors="replace")
    return text.replace("\t", " ").rstrip()


def telnet_lines(terminal: str, host: str) -> tuple[list[str], bool]:
    """Telnet's opening lines as it printed them, and whether it said the
    server closed. ``Connected to`` names ``host``, as telnet does when
    given a name: the tap's loopback address is no part of the page."""
    opening: list[str] = []
    closed = False
    for raw in terminal.replace("\r", "").split("\n"):
        text = raw.strip()
        if _OPENING.fullmatch(text) and len(opening) < 3:
            opening.append(f"Connected to {host}." if text.startswith("Conn") else text)
        closed = closed or text == CLOSING
    return opening, closed


def openssl_lines(terminal: str, plaintext: list[str]) -> list[str]:
    """openssl's own lines before the dialogue, as the replay expects them:
    its verification of the certificate, then (after ``-starttls``) the
    line it printed of the plaintext exchange, one of ``plaintext`` (the
    server's lines before TLS). ``Can't use SSL_get_servername`` is left
    out: it comes of connecting to an address (the tap's), not a name."""
    shown: list[str] = []
    for raw in terminal.replace("\r", "").split("\n"):
        text = raw.lstrip("\x00").strip()
        if verification(text):
            shown.append(text)
        elif text in plaintext:
            return [*shown, text]
        elif text and not plaintext and not chatter(text):
            break  # the dialogue begins
    return shown


def session_lines(
    command: str,
    opening: list[str],
    talk: list[PageLine],
    closed: bool,
    prompt: str = ">",
) -> list[PageLine]:
    """The whole session as page lines: telnet's, then the dialogue."""
    lines: list[PageLine] = [("telnet", f"{prompt} {command}")]
    lines += [("telnet", text) for text in opening]
    lines += talk
    if closed:
        lines.append(("telnet", CLOSING))
    return lines


def propose_name(
    protocol: Protocol, verbs: list[str], taken: Iterable[str] = ()
) -> str:
    """``smtp-mail-rcpt-data``: the protocol and what the dialogue does,
    made unique among ``taken``."""
    telling = [verb.lower().replace(" ", "-") for verb in verbs if verb not in _ROUTINE]
    base = "-".join([str(protocol), *telling[:3]])
    names = set(taken)
    name, number = base, 2
    while name in names:
        name, number = f"{base}-{number}", number + 1
    return name


def propose_caption(protocol: Protocol, verbs: list[str]) -> str:
    """``SMTP: EHLO, MAIL, RCPT, DATA, QUIT`` (``SMTP`` when nothing was typed)."""
    shown = ", ".join(verbs[:8])
    name = str(protocol).upper()
    return f"{name}: {shown}" if shown else name


def commands_typed(lines: list[PageLine], protocol: Protocol) -> list[str]:
    """The protocol's commands the session typed, in order of first use."""
    from telnetmail.core.parser import parse_lines

    numbered = [
        (index, f"{role}: {text}") for index, (role, text) in enumerate(lines, 1)
    ]
    return commands_used(parse_lines(numbered, protocol=str(protocol)))


def render_block(
    lines: list[PageLine], options: dict[str, str | bool], myst: bool = False
) -> str:
    """A ``.. transcript::`` directive, ready to paste into a page; with
    ``myst``, a MyST fence (for a ``.md`` page). An option whose value is
    True is a flag (``:reset:``); empty ones are left out."""
    indent = "" if myst else "   "
    out = ["```{transcript}" if myst else ".. transcript::"]
    out += [
        f"{indent}:{key}:" if value is True else f"{indent}:{key}: {value}"
        for key, value in options.items()
        if value
    ]
    out.append("")
    out += [
        f"{indent}{role}: {text}" if text else f"{indent}{role}:"
        for role, text in lines
    ]
    out += ["```"] if myst else []
    return "\n".join(out) + "\n"
