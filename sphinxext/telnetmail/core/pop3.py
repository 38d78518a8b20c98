"""POP3 (RFC 1939, with CAPA, TOP and UIDL from RFC 2449) as a transcript shows it.

Replies start with ``+OK`` or ``-ERR``. A positive reply to ``LIST`` or
``UIDL`` without argument, ``RETR``, ``TOP`` and ``CAPA`` goes on over more
lines up to one holding a single ``.``; lines of it that start with a dot
have it doubled. During ``AUTH`` the server may send ``+`` continuations.
"""

from __future__ import annotations

import re

from telnetmail.core.lexing import (
    Exchange,
    command_turn,
    content_spans,
    excerpt,
    spans_of,
)
from telnetmail.core.model import (
    Category,
    ContentLine,
    Line,
    Role,
    SpanKind,
    Tone,
    Turn,
)

_STATUS = re.compile(r"(?P<status>\+OK|-ERR|\+)(?P<text>(?:\s.*)?)$", re.IGNORECASE)

TONES: dict[str, Tone] = {
    "+OK": Tone.POSITIVE,
    "-ERR": Tone.NEGATIVE,
    "+": Tone.INTERMEDIATE,
}

#: Commands whose positive reply is multi-line whatever their arguments...
ALWAYS_MULTILINE = frozenset({"RETR", "TOP", "CAPA"})
#: ...and those whose reply is multi-line only when given no argument.
MULTILINE_WITHOUT_ARGUMENT = frozenset({"LIST", "UIDL"})


def is_multiline(command: Turn | None) -> bool:
    if command is None or command.verb is None:
        return False
    return listing_command(command.verb, command.args)


def listing_command(verb: str, args: str) -> bool:
    """Whether a positive reply to ``verb args`` goes on up to a ``.`` line."""
    verb = verb.upper()
    if verb in ALWAYS_MULTILINE:
        return True
    return verb in MULTILINE_WITHOUT_ARGUMENT and not args.strip()


class Pop3Exchange(Exchange):
    def __init__(self, lines: list[Line]) -> None:
        super().__init__(lines)
        self.body: Turn | None = None  # a multi-line reply still open
        self.authenticating: Turn | None = None  # AUTH awaiting its exchange

    def in_content(self, line: Line) -> bool:
        return self.body is not None and line.role is Role.SERVER

    def client(self, line: Line) -> None:
        self.close_body()
        if self.authenticating is not None:
            # A SASL answer to the server's ``+``: not a command.
            line.spans = spans_of((SpanKind.DATA, line.text))
            self.authenticating.lines.append(line)
            self.awaiting.appendleft(self.authenticating)
            self.authenticating = None
            return
        self.send(command_turn(line))

    def server(self, line: Line) -> None:
        if self.body is not None:
            self.body_line(line)
            return
        match = _STATUS.match(line.text)
        if match is None:
            self.report(
                line.lineno,
                f"a POP3 reply starts with '+OK' or '-ERR', got {excerpt(line.text)}",
            )
            return
        status = match["status"].upper()
        line.spans = spans_of(
            (SpanKind.STATUS, match["status"]), (SpanKind.TEXT, match["text"])
        )
        line.tone = TONES[status]
        reply = self.receive(Turn(Role.SERVER, [line], status=status))
        if status == "+" and reply.answers is not None:
            self.authenticating = reply.answers
        elif status == "+OK" and is_multiline(reply.answers):
            self.body = reply
            reply.complete = False

    def body_line(self, line: Line) -> None:
        assert self.body is not None
        self.body.lines.append(line)
        if line.text == ".":
            line.spans = spans_of((SpanKind.TERMINATOR, line.text))
            self.body.complete = True
            self.body = None
            return
        line.spans = content_spans(line)
        self.body.payload.append(ContentLine.unstuffed(line))

    def close_body(self) -> None:
        if self.body is None:
            return
        command = self.body.answers
        verb = command.lines[0].text if command else "the command"
        self.report(
            self.body.lines[-1].lineno,
            f"multi-line reply to {verb!r} never terminated: "
            f"it ends with a line holding a single '.'",
            Category.CONSISTENCY,
        )
        self.body = None

    def finish(self) -> None:
        self.close_body()
