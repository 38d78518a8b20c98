"""Put a running practice server where a dialogue starts.

``telnetmail serve --from NAME`` and ``telnetmail reset NAME`` empty the
mailboxes, then type the client lines of ``NAME``'s ``:after:`` chain (the
state its isolated replay starts from) with the :class:`~.typist.Typist`,
once for every account: a page written for the course's account
(``MyUsername``, ``MyPassword``, ``recipient@example.com``) types, for
``alice``, her name, password and address instead.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail.core.chain import replay_order
from telnetmail.core.model import Protocol, Role, Transcript
from telnetmail.core.parser import protocol_of_port
from telnetmail.core.services import TLS_SERVICES
from telnetmail.replay.typist import Typist, TypistError
from telnetmail.server.config import DEFAULT_ACCOUNTS

if TYPE_CHECKING:
    from telnetmail.replay.engine import Case
    from telnetmail.server.config import Account
    from telnetmail.server.controller import MailServer


class StartError(Exception):
    """The state cannot be prepared; the message says where and why."""


class UnknownStart(StartError):
    """No dialogue by that name, or one whose chain cannot be replayed (on
    this server: a TLS dialogue where TLS is off)."""


@dataclass(frozen=True)
class Start:
    """Where the server was put: for the reader of ``serve`` and ``reset``."""

    name: str | None
    chain: tuple[str, ...]
    accounts: int

    def __str__(self) -> str:
        if self.name is None:
            return "Mailboxes emptied."
        if not self.chain:
            return f"Mailboxes emptied: {self.name!r} starts from empty mailboxes."
        replayed = ", ".join(self.chain)
        whose = "every account" if self.accounts > 1 else "the account"
        return (
            f"Mailboxes as right before {self.name!r}: emptied, then {replayed} "
            f"typed for {whose}."
        )


def chain_before(name: str, cases: dict[str, Case]) -> list[Case]:
    """The cases to replay to get where ``name`` starts, earliest first."""
    case = cases.get(name)
    if case is None:
        near = sorted(other for other in cases if name.lower() in other.lower())
        hint = f"; did you mean {', '.join(near[:5])}?" if near else ""
        raise UnknownStart(f"no dialogue is named {name!r}{hint}")
    afters = {each: other.after for each, other in cases.items()}
    order = replay_order(case.after, afters, name)
    if order is None:
        raise UnknownStart(f"{case.location}: the :after: chain of {name!r} is a cycle")
    missing = [each for each in order if each not in cases]
    if missing:
        raise UnknownStart(
            f"{case.location}: {name!r} needs {missing[0]!r}, which no dialogue is named"
        )
    unreadable = [each for each in order if not cases[each].transcript.readable]
    if unreadable:
        raise UnknownStart(
            f"{cases[unreadable[0]].location}: {unreadable[0]!r} cannot be read: "
            f"run 'telnetmail check' on its page"
        )
    return [cases[each] for each in order]


def dialogues(pages: list[Path]) -> dict[str, Case]:
    """The named dialogues of ``pages`` (files or folders), read now: a page
    edited while the server runs is read as it is."""
    from telnetmail.replay.pages import Unreadable, collect

    try:
        cases = list(collect(pages, "protocol"))
    except Unreadable as error:
        raise UnknownStart(str(error)) from None
    named: dict[str, Case] = {}
    for case in cases:
        if case.name != case.location:
            named.setdefault(case.name, case)
    return named


def start_from(server: MailServer, name: str | None, cases: dict[str, Case]) -> Start:
    """Empty ``server``'s mailboxes, then replay ``name``'s chain for each account."""
    chain = chain_before(name, cases) if name is not None else []
    server.reset()
    page_account = DEFAULT_ACCOUNTS[0]  # whom the course's pages are written for
    for account in server.config.accounts:
        rewrite = for_account(page_account, account)
        for case in chain:
            type_case(server, case, rewrite, account.name)
    return Start(name, tuple(case.name for case in chain), len(server.config.accounts))


def type_case(
    server: MailServer, case: Case, rewrite: Callable[[str], str], whose: str
) -> None:
    """Type one chain dialogue's client lines; refuse a reply the page did not show."""
    transcript = case.transcript
    protocol = transcript.protocol
    typed = [line.text for line in transcript.lines if line.role is Role.CLIENT]
    if protocol is None or not typed:
        return  # telnet's own lines only: nothing reaches a mailbox
    connection = transcript.connection
    port = connection.port if connection else None
    listener = TLS_SERVICES.get((port or "").lower(), str(protocol))
    if listener == str(protocol) and port is not None and not protocol_of_port(port):
        return  # a port no mail server listens on
    if listener not in server.ports:
        raise UnknownStart(
            f"{case.location}: {case.name!r} needs the server's {listener} "
            f"listener: start it with 'telnetmail serve --tls'"
        )
    address = (server.client_host, server.ports[listener])
    tls = connection.openssl if connection else None
    try:
        actual = Typist(protocol, address, rewrite, tls=tls).type_lines(typed)
    except (TypistError, OSError) as error:
        raise StartError(
            f"{case.location}: typing {case.name!r} for {whose}: {error}"
        ) from None
    for shown, said in zip(page_statuses(transcript), actual, strict=False):
        lineno, status = shown
        if status != said:
            raise StartError(
                f"{case.path}:{lineno}: typing {case.name!r} for {whose}, the server "
                f"answers {said} where the page shows {status}"
            )


def page_statuses(transcript: Transcript) -> list[tuple[int, str]]:
    """The page's replies as the typist notes them, with their lines: every
    SMTP and POP3 status, IMAP's tagged completions."""
    imap = transcript.protocol is Protocol.IMAP
    return [
        (turn.first_lineno, turn.status)
        for turn in transcript.turns
        if turn.role is Role.SERVER
        and turn.status is not None
        and not (imap and turn.tag in ("*", "+", None))
    ]


def for_account(page: Account, account: Account) -> Callable[[str], str]:
    """A line as ``account`` types it where the page shows ``page``'s."""
    if account == page:
        return str
    pairs = [
        (page.address, account.address),
        (page.password, account.password),
        (page.name, account.name),
    ]

    def plain(text: str) -> str:
        for theirs, mine in pairs:
            text = text.replace(theirs, mine)
        return text

    def rewrite(line: str) -> str:
        # SASL's base64 (AUTH PLAIN, AUTH LOGIN) carries the page's
        # credentials too: decoded, rewritten, encoded again.
        return " ".join(in_base64(word, plain) for word in plain(line).split(" "))

    return rewrite


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def in_base64(word: str, change: Callable[[str], str]) -> str:
    """``word`` with ``change`` applied inside it, if it is base64 of text
    that ``change`` changes; else ``word`` as it is."""
    if len(word) < 8 or not _BASE64.fullmatch(word):
        return word
    try:
        text = base64.b64decode(word, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return word
    changed = change(text)
    if changed == text:
        return word
    return base64.b64encode(changed.encode("utf-8")).decode("ascii")
