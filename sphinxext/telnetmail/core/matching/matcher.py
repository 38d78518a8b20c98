"""The reply matcher: one run of the page's server lines against what arrives.

The replay reads the server line by line. For each run of ``server:``
lines on the page, a :class:`ReplyMatcher` is fed the lines received, one
at a time, and says at once when they can no longer agree (it raises
:class:`Mismatch`), or when the run is complete. Two levels of agreement
(the ``:match:`` option): ``exact``, every character in order except values
marked volatile; ``protocol``, what the protocol defines, letting servers
differ where the RFCs let them (the rules are in ``course/verifica.rst``).
The received lines are cut into turns by the same dialects that read the page.
"""

from __future__ import annotations

import re

from telnetmail.core.imap import literal_size
from telnetmail.core.lexing import Exchange
from telnetmail.core.matching.base import Context, Mismatch, Textual, line_matches
from telnetmail.core.matching.imap import ImapRules
from telnetmail.core.matching.pop3 import Pop3Rules
from telnetmail.core.matching.rules import Rules
from telnetmail.core.matching.sizes import SizeLedger
from telnetmail.core.matching.smtp import SmtpRules
from telnetmail.core.model import Category, Line, Protocol, Role, Turn
from telnetmail.core.modes import Mode
from telnetmail.core.parser import analyse, opened, outstanding

_RULES: dict[Protocol, type[Rules]] = {
    Protocol.SMTP: SmtpRules,
    Protocol.POP3: Pop3Rules,
    Protocol.IMAP: ImapRules,
}


class ReplyMatcher:
    """Compares one run of the page's server lines with what arrives.

    ``history`` is every page line before the run: it tells the dialect
    which command each reply answers (a POP3 ``RETR`` is multi-line, an IMAP
    tag was sent) and how many commands wait for a reply; ``reading`` is
    the dialect's reading of it, when known. ``expected`` holds the page's
    turns of the run.
    """

    def __init__(
        self,
        protocol: Protocol,
        history: list[Line],
        expected: list[Turn],
        context: Context,
        reading: Exchange | None = None,
    ) -> None:
        self.protocol = protocol
        self.history = [line for line in history if line.role is not Role.TELNET]
        self.expected = expected
        self.expected_lines = [line for turn in expected for line in turn.lines]
        self.context = context
        if context.sizes is None:
            context.sizes = SizeLedger()
        self.sizes: SizeLedger = context.sizes
        #: The page's lines before the run, read once (``reading``, where the
        #: plan has it already): each line received is read on from there
        #: (where that cannot be, with them all again).
        self.opened = reading or opened(protocol, self.history)
        #: Commands typed that wait for a reply when the run begins.
        self.outstanding = (
            self.opened.waiting()
            if self.opened is not None
            else outstanding(protocol, self.history)
        )
        self.received: list[Line] = []
        self.rules = _RULES[protocol](self)
        self.content = ContentSkipper(protocol)

    @property
    def received_texts(self) -> list[str]:
        return [line.text for line in self.received]

    def feed(self, text: str) -> bool:
        """Take one received line; True once the run is complete."""
        self.received.append(Line(Role.SERVER, text, 0))
        if self.context.mode is Mode.EXACT:
            return self.feed_exact(text)
        if self.content.inside(text):
            return False  # a line of a message or literal: nothing completes here
        turns = self.received_turns()
        self.content.after(text, turns)
        return self.rules.check(turns)

    def feed_exact(self, text: str) -> bool:
        index = len(self.received) - 1
        if index >= len(self.expected_lines):
            raise self.mismatch(
                self.expected_lines[-1].lineno,
                "the server sends more lines than the page shows",
            )
        expected = self.expected_lines[index]
        if not line_matches(expected, text, self.context):
            raise self.mismatch(expected.lineno, "the line differs")
        return len(self.received) == len(self.expected_lines)

    def received_turns(self) -> list[Turn]:
        received = {id(line) for line in self.received}
        if self.opened is not None:
            exchange = self.opened.resumed(self.received)
            turns, problems = exchange.turns, exchange.diagnostics
        else:
            turns, problems = analyse(self.protocol, self.history + self.received)
        for problem in problems:
            # Received lines are numbered 0: a line of the server's that the
            # protocol cannot read is no reply the page may leave out.
            if problem.lineno == 0 and problem.category is Category.PROTOCOL:
                where = self.rules.awaited() or self.expected_lines[-1]
                raise self.mismatch(
                    where.lineno,
                    f"the server sends what is not a reply: {problem.message}",
                )
        return [turn for turn in turns if turn.lines and id(turn.lines[0]) in received]

    def silence(self) -> Mismatch:
        """What to report when the server says nothing more."""
        waiting = self.expected_lines[
            min(len(self.received), len(self.expected_lines) - 1)
        ]
        if self.context.mode is Mode.PROTOCOL:
            waiting = self.rules.awaited() or waiting
        return self.mismatch(
            waiting.lineno, "the server says nothing more, where the page shows more"
        )

    def mismatch(self, lineno: int, reason: str) -> Mismatch:
        return Mismatch(
            lineno,
            reason,
            [(line.lineno, line.text) for line in self.expected_lines],
            self.received_texts,
        )


class ContentSkipper:
    """Knows when a received line is carried content that cannot end a reply.

    The dialect analyses the whole run again at each line it is given, so
    feeding it every line of a long message costs time in the square of its
    length. Lines inside a POP3 multi-line reply (before its ``.``) or an IMAP
    literal (before its announced octets are in) complete nothing: the
    matcher skips them, and matching stays linear in a reply's length.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.in_body = False  # POP3: inside a multi-line reply
        self.literal = 0  # IMAP: octets of a literal still to come

    def inside(self, text: str) -> bool:
        if self.in_body:
            return text != "."
        if self.literal > 0:
            self.literal -= len(text.encode("utf-8")) + 2
            return self.literal > 0
        return False

    def after(self, text: str, turns: list[Turn]) -> None:
        """Note, from an analysed line, whether content follows it."""
        last = turns[-1] if turns else None
        if self.protocol is Protocol.POP3:
            self.in_body = bool(last and not last.complete and last.status == "+OK")
        elif self.protocol is Protocol.IMAP:
            announced = literal_size(text)
            self.literal = announced[0] if announced else 0


# -- telnet's own lines --------------------------------------------------------

_TELNET_SHAPES = [
    re.compile(pattern)
    for pattern in (
        r"Trying \S+\.\.\.",
        r"Connected to \S+\.",
        r"Escape character is '\^\]'\.",
        r"Connection closed by foreign host\.",
        r"telnet: Unable to connect to remote host: .+",
        r"telnet: could not resolve .+",
    )
]

#: What telnet prints when the server closes the connection.
CLOSED = "Connection closed by foreign host."


def telnet_line_matches(expected: Textual, received: str, mode: Mode) -> bool:
    """Telnet's messages agree in shape: addresses and names vary."""
    if mode is Mode.EXACT or expected.marks:
        return line_matches(expected, received, Context(mode))
    for shape in _TELNET_SHAPES:
        if shape.fullmatch(expected.text):
            return shape.fullmatch(received) is not None
    return expected.text == received
