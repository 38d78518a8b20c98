"""SMTP (RFC 5321) as a transcript shows it.

Replies are ``CODE SP text`` or, for all but the last line of a multi-line
reply, ``CODE-text``; an enhanced status code (RFC 3463) may open the text.
After ``DATA`` is answered with 354, the client's lines are the message,
ended by a line holding a single ``.`` (a leading dot is doubled, §4.5.2).
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

_REPLY = re.compile(r"(?P<code>[1-5]\d\d)(?:(?P<sep>[ -])(?P<text>.*))?$", re.DOTALL)
_ENHANCED = re.compile(r"(?P<enhanced>[245]\.\d{1,3}\.\d{1,3})(?=\s|$)")

TONES: dict[str, Tone] = {
    "1": Tone.POSITIVE,  # positive preliminary, unused by RFC 5321 itself
    "2": Tone.POSITIVE,
    "3": Tone.INTERMEDIATE,
    "4": Tone.TRANSIENT,
    "5": Tone.NEGATIVE,
}

#: Awaiting queue entry for the message itself, answered like a command.
END_OF_DATA = "."


class SmtpExchange(Exchange):
    def __init__(self, lines: list[Line]) -> None:
        super().__init__(lines)
        self.reply: Turn | None = None  # a multi-line reply still open
        self.message: Turn | None = None  # the message being typed after 354
        self.invited_at = 0  # line of the 354 that invited the message

    def in_content(self, line: Line) -> bool:
        return self.message is not None and line.role is Role.CLIENT

    def client(self, line: Line) -> None:
        self.close_reply()
        if self.message is not None:
            self.message_line(line)
        else:
            self.send(command_turn(line))

    def message_line(self, line: Line) -> None:
        assert self.message is not None
        self.message.lines.append(line)
        if line.text == END_OF_DATA:
            line.spans = spans_of((SpanKind.TERMINATOR, line.text))
            self.message.complete = True
            self.message = None
            return
        line.spans = content_spans(line)
        # The server removes the first of a line's leading dots (§4.5.2).
        self.message.payload.append(ContentLine.unstuffed(line))

    def server(self, line: Line) -> None:
        if self.message is not None:
            self.report(
                line.lineno,
                "the server answers before the message ended: "
                "end it with a line holding a single '.'",
                Category.CONSISTENCY,
            )
            self.message = None
        match = _REPLY.match(line.text)
        if match is None:
            self.close_reply()
            self.report(
                line.lineno,
                f"an SMTP reply starts with a three-digit code, "
                f"got {excerpt(line.text)}",
            )
            return
        self.style_reply_line(line, match)
        if self.reply is not None:
            self.continue_reply(line, match["code"])
        else:
            self.reply = self.receive(Turn(Role.SERVER, [line], status=match["code"]))
        if match["sep"] != "-":
            self.finish_reply()

    def style_reply_line(self, line: Line, match: re.Match[str]) -> None:
        text = match["text"] or ""
        enhanced = _ENHANCED.match(text)
        code_end = enhanced["enhanced"] if enhanced else ""
        line.spans = spans_of(
            (SpanKind.CODE, match["code"]),
            (SpanKind.TEXT, match["sep"] or ""),
            (SpanKind.ENHANCED, code_end),
            (SpanKind.TEXT, text[len(code_end) :]),
        )
        line.tone = TONES[match["code"][0]]

    def continue_reply(self, line: Line, code: str) -> None:
        assert self.reply is not None
        self.reply.lines.append(line)
        if code != self.reply.status:
            self.report(
                line.lineno,
                f"a multi-line reply keeps one code: this line has {code}, "
                f"the reply began with {self.reply.status}",
            )

    def finish_reply(self) -> None:
        reply, self.reply = self.reply, None
        assert reply is not None
        command = reply.answers
        if (
            command is not None
            and command.verb
            and reply.status == "354"
            and command.verb.upper() == "DATA"
        ):
            self.message = self.send(Turn(Role.CLIENT, [], verb=END_OF_DATA))
            self.message.complete = False
            self.invited_at = reply.lines[-1].lineno

    def close_reply(self) -> None:
        """A line that is not the reply's next one: an open reply is unfinished."""
        if self.reply is None:
            return
        last = self.reply.lines[-1]
        self.reply.complete = False
        self.report(
            last.lineno,
            f"multi-line reply never terminated: its last line must be "
            f"'{self.reply.status} text' (a space after the code, not '-')",
            Category.CONSISTENCY,
        )
        self.reply = None

    def finish(self) -> None:
        self.close_reply()
        if self.message is not None:
            lines = self.message.lines
            self.report(
                lines[0].lineno if lines else self.invited_at,
                "the message after DATA is never ended with a line holding "
                "a single '.'",
                Category.CONSISTENCY,
            )
