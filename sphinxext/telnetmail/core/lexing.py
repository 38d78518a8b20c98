"""Pieces the three dialects share: command words and the diagnostics list."""

from __future__ import annotations

import copy
import re
from collections import deque
from typing import Self

from telnetmail.core.model import (
    Category,
    Diagnostic,
    Line,
    Role,
    Span,
    SpanKind,
    Turn,
    is_placeholder,
)

_WORD = re.compile(r"(?P<word>\S+)(?P<rest>.*)", re.DOTALL)


def split_word(text: str) -> tuple[str, str]:
    """The first word of ``text`` and what follows it, spaces kept."""
    match = _WORD.match(text)
    if match is None:
        return "", text
    return match["word"], match["rest"]


def spans_of(*pieces: tuple[SpanKind, str]) -> list[Span]:
    """Spans for the non-empty pieces, in order."""
    # Each piece is already a (kind, text) pair: made a Span as it stands,
    # without unpacking it and calling the named tuple's __new__ (every line
    # of every page comes through here: half the cost). A loop, not a list
    # comprehension, which in Python 3.11 is a function call of its own.
    spans = []
    for piece in pieces:
        if piece[1]:
            spans.append(_as_span(Span, piece))
    return spans


_as_span = tuple.__new__


def content_spans(line: Line, text: str | None = None) -> list[Span]:
    """Spans for a line of carried content; narration keeps its own style."""
    if line.is_placeholder:
        return spans_of((SpanKind.PLACEHOLDER, line.text))
    return spans_of((SpanKind.DATA, line.text if text is None else text))


def command_turn(line: Line) -> Turn:
    """A client command of the form ``VERB args``; the verb is styled."""
    verb, rest = split_word(line.text)
    line.spans = spans_of((SpanKind.VERB, verb), (SpanKind.TEXT, rest))
    return Turn(Role.CLIENT, [line], verb=verb or None, args=rest.strip())


class Exchange:
    """State every dialect keeps: turns so far, problems, commands awaiting replies.

    Replies come back in the order commands were sent (SMTP and POP3
    pipelining keep it), so a queue pairs each reply with its command.
    A dialect subclasses it with ``client(line)``, ``server(line)`` and
    ``finish()``; :meth:`analyse` walks the lines.
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.index = 0  # of the line after the one being read
        self.turns: list[Turn] = []
        self.diagnostics: list[Diagnostic] = []
        self.awaiting: deque[Turn] = deque()
        self.greeted = False

    @classmethod
    def analyse(cls, lines: list[Line]) -> tuple[list[Turn], list[Diagnostic]]:
        """Cut ``lines`` (client and server only) into turns, noting problems."""
        exchange = cls.run(lines)
        return exchange.turns, exchange.diagnostics

    @classmethod
    def outstanding(cls, lines: list[Line]) -> int:
        """How many commands in ``lines`` still wait for their reply."""
        return cls.run(lines).waiting()

    @classmethod
    def run(cls, lines: list[Line]) -> Exchange:
        exchange = cls(lines)
        exchange.read_on()
        exchange.finish()
        return exchange

    @classmethod
    def opened(cls, lines: list[Line]) -> Exchange | None:
        """``lines`` read and left open, for :meth:`resumed`; or None where
        they end with the server's own lines, which the server lines read
        next could continue. After a client line no reply is open, and
        nothing the client typed is read differently for what follows: a
        literal or a message the client sends ends at the server's line."""
        if lines and lines[-1].role is not Role.CLIENT:
            return None
        exchange = cls(lines)
        exchange.read_on()
        return exchange

    def resumed(self, replies: list[Line]) -> Exchange:
        """The exchange as reading these lines and then the server lines
        ``replies`` ends, from :meth:`opened`; this one is left as it is.

        Replaying, the matcher reads the dialogue so far again at every line
        the server sends: read from where the page's lines end, each line
        costs the reply's length, not the dialogue's.
        """
        exchange = self.fork()
        exchange.lines = [*self.lines, *replies]
        exchange.read_on()
        exchange.finish()
        return exchange

    def read_on(self) -> None:
        """Read the lines from the one at ``index`` to the last."""
        lines = self.lines
        # Every line of every page comes through here: the enum member is
        # looked up once (a class attribute of an enum costs a lookup through
        # its metaclass), and the module's function is called without the
        # property's own call.
        client = Role.CLIENT
        while self.index < len(lines):
            line = lines[self.index]
            self.index += 1
            if is_placeholder(line.text) and not self.in_content(line):
                continue  # narration such as <open connection>: nothing is sent
            if line.role is client:
                self.client(line)
            else:
                self.server(line)

    def fork(self) -> Self:
        """A copy that reads server lines on without changing this one: what
        reading them changes are its lists (a dialect copies its own too)."""
        other = copy.copy(self)
        other.turns = list(self.turns)
        other.diagnostics = list(self.diagnostics)
        other.awaiting = deque(self.awaiting)
        return other

    def waiting(self) -> int:
        """Commands sent that no reply has answered yet."""
        return len(self.awaiting)

    def in_content(self, line: Line) -> bool:
        """Whether ``line`` falls inside carried content (a message, a literal)."""
        return False

    def client(self, line: Line) -> None:
        raise NotImplementedError

    def server(self, line: Line) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last line: report what was left unfinished."""

    def report(
        self, lineno: int, message: str, category: Category = Category.PROTOCOL
    ) -> None:
        self.diagnostics.append(Diagnostic(lineno, message, category))

    def send(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        self.awaiting.append(turn)
        return turn

    def receive(self, turn: Turn) -> Turn:
        """Record a server reply and pair it with the oldest unanswered command."""
        self.turns.append(turn)
        if not self.greeted and not self.awaiting:
            self.greeted = True  # the greeting answers no command
        elif self.awaiting:
            turn.answers = self.awaiting.popleft()
        return turn


def excerpt(text: str) -> str:
    """A line as a message quotes it: repr-quoted, cut to 40 characters."""
    return repr(text if len(text) <= 40 else text[:37] + "...")
