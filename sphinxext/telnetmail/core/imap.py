"""IMAP (RFC 3501, RFC 9051) as a transcript shows it.

Commands are ``tag SP name [SP arguments]``; the server answers with
untagged responses (``* ...``), continuation requests (``+ ...``) and one
tagged completion (``tag OK|NO|BAD [code] text``). Either side may send a
literal: ``{n}`` at the end of a line announces n octets of raw data that
follow on the next lines, CRLF line ends counted, after which the line goes on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

from telnetmail.core.lexing import (
    Exchange,
    content_spans,
    excerpt,
    spans_of,
    split_word,
)
from telnetmail.core.model import (
    Category,
    ContentLine,
    Line,
    Role,
    Span,
    SpanKind,
    Tone,
    Turn,
    octets,
)

_STATUS_WORDS = "OK|NO|BAD|PREAUTH|BYE"
_UNTAGGED_STATUS = re.compile(
    rf"(?P<star>\*)(?P<sp> )(?P<status>{_STATUS_WORDS})\b(?P<rest>.*)", re.IGNORECASE
)
_UNTAGGED_NUMBER = re.compile(
    r"(?P<star>\*)(?P<sp> \d+ )(?P<keyword>[A-Za-z][\w.-]*)(?P<rest>.*)"
)
_UNTAGGED_DATA = re.compile(
    r"(?P<star>\*)(?P<sp> )(?P<keyword>[A-Za-z][\w.-]*)(?P<rest>.*)"
)
_CONTINUATION = re.compile(r"(?P<plus>\+)(?P<rest>(?: .*)?)$")
_TAGGED = re.compile(
    r"(?P<tag>[^\s*+(){%\"\\]\S*)(?P<sp> )(?P<status>OK|NO|BAD)\b(?P<rest>.*)",
    re.IGNORECASE,
)
_RESPONSE_CODE = re.compile(r"(?P<sp> ?)(?P<code>\[[^\]]*\])(?P<rest>.*)")
_LITERAL = re.compile(r"\{(?P<size>\d+)(?P<nonsync>\+?)\}$")

TONES: dict[str, Tone] = {
    "OK": Tone.POSITIVE,
    "PREAUTH": Tone.POSITIVE,
    "NO": Tone.TRANSIENT,
    "BAD": Tone.NEGATIVE,
}

#: Commands whose ``+`` continuation asks for a line that is not a command.
CONVERSATIONS = frozenset({"AUTHENTICATE", "IDLE"})


@dataclass
class Literal:
    """Where a literal's content lies among the lines that follow its ``{n}``."""

    #: Index of the first content line and one past the last.
    start: int
    end: int
    #: Index of the line that goes on after the literal, if any; when the
    #: literal ends inside a line, that line is both content and continuation.
    continuation: int | None = None
    #: The text that goes on after the literal, on the continuation line.
    rest: str = ""
    #: Set when the announced size does not fit what the lines show.
    shown_octets: int | None = None

    @property
    def splits_line(self) -> bool:
        return self.continuation is not None and self.continuation < self.end


def literal_size(text: str) -> tuple[int, bool] | None:
    """The size a line announces with a trailing ``{n}``, and whether it syncs."""
    if not text.endswith(("}", "}\n")):
        return None  # most lines announce none: no search along the line
    match = _LITERAL.search(text)
    if match is None:
        return None
    return int(match["size"]), not match["nonsync"]


def paren_depth(text: str, depth: int = 0) -> int:
    """Open parentheses after ``text``, ignoring those in quoted strings."""
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
    return depth


def measure_literal(
    lines: list[Line],
    start: int,
    size: int,
    ends_response: Callable[[int, str], bool],
    is_boundary: Callable[[Line], bool],
) -> Literal:
    """Find the ``size`` octets of a literal in ``lines[start:]``.

    The literal holds whole lines with their CRLF, or ends inside a line
    whose rest ``ends_response(index, rest)`` accepts. When neither fits, the page shows
    content of another size: the lines up to the next response, less the one
    that closes the response, are taken as the content shown.
    """
    if start >= len(lines):
        return Literal(start, start, shown_octets=0)  # nothing of it shown yet
    role = lines[start].role
    total = 0
    for index in range(start, len(lines)):
        if lines[index].role is not role:
            break
        if lines[index].is_placeholder:
            break  # content not written out: its size cannot be told
        data = lines[index].text.encode("utf-8")
        if total + len(data) + 2 == size:
            following = index + 1
            if following < len(lines) and lines[following].role is role:
                return Literal(start, following, following, lines[following].text)
            return Literal(start, following)
        if total + len(data) + 2 > size:
            rest = _rest_after(data, size - total)
            if rest is not None and ends_response(index, rest):
                return Literal(start, index + 1, index, rest)
            break
        total += len(data) + 2
    return _shown_literal(lines, start, is_boundary)


def _rest_after(data: bytes, at: int) -> str | None:
    """What a line holds after a literal ending ``at`` octets into it."""
    if at > len(data):
        return None  # the literal would end between CR and LF
    try:
        data[:at].decode("utf-8")
        return data[at:].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _shown_literal(
    lines: list[Line], start: int, is_boundary: Callable[[Line], bool]
) -> Literal:
    role = lines[start].role
    end = start
    while end < len(lines) and lines[end].role is role and not is_boundary(lines[end]):
        end += 1
    if end - start < 2:
        return Literal(start, end, shown_octets=_shown_octets(lines[start:end]))
    # The last line before the next response closes this one (often ')').
    shown = _shown_octets(lines[start : end - 1])
    return Literal(start, end - 1, end - 1, lines[end - 1].text, shown_octets=shown)


def _shown_octets(lines: list[Line]) -> int | None:
    if any(line.is_placeholder for line in lines):
        return None
    return octets(line.text for line in lines)


@dataclass
class AnnouncedLiteral:
    """A literal a command has announced and not yet sent."""

    command: Turn
    lineno: int
    size: int
    synchronizing: bool  # {n} waits for the server's ``+``; {n+} does not
    invited: bool = False  # the server has sent its ``+``


class ImapExchange(Exchange):
    def __init__(self, lines: list[Line]) -> None:
        super().__init__(lines)
        self.pending: dict[str, Turn] = {}  # tag -> command awaiting completion
        self.sent_tags: set[str] = set()
        self.conversing: Turn | None = None  # IDLE/AUTHENTICATE after its ``+``
        self.client_literal: AnnouncedLiteral | None = None

    def finish(self) -> None:
        if self.client_literal is not None:
            command = self.client_literal.command
            self.report(
                self.client_literal.lineno,
                f"the literal announced by {command.tag} {command.verb} is never sent",
                Category.CONSISTENCY,
            )

    def waiting(self) -> int:
        """IMAP pairs replies by tag: the tags still to be completed."""
        return len(self.pending)

    def fork(self) -> Self:
        other = super().fork()
        other.pending = dict(self.pending)
        other.sent_tags = set(self.sent_tags)
        if self.client_literal is not None:  # the server's ``+`` marks it invited
            other.client_literal = dataclasses.replace(self.client_literal)
        return other

    # -- client --------------------------------------------------------------

    def in_content(self, line: Line) -> bool:
        return self.client_literal is not None and line.role is Role.CLIENT

    def client(self, line: Line) -> None:
        if self.client_literal is not None:
            self.send_literal(line)
        elif self.conversing is not None:
            line.spans = spans_of((SpanKind.DATA, line.text))
            self.conversing.lines.append(line)
            self.conversing = None
        else:
            self.command(line)

    def command(self, line: Line) -> None:
        tag, rest = split_word(line.text)
        verb, args = split_word(rest[1:]) if rest.startswith(" ") else ("", rest)
        line.spans = spans_of(
            (SpanKind.TAG, tag),
            (SpanKind.TEXT, rest[: len(rest) - len(verb + args)]),
            (SpanKind.VERB, verb),
            (SpanKind.TEXT, args),
        )
        turn = Turn(Role.CLIENT, [line], verb=verb or None, args=args.strip(), tag=tag)
        self.turns.append(turn)
        if tag:
            self.pending[tag] = turn
            self.sent_tags.add(tag)
        self.announce_literal(turn, line)

    def announce_literal(self, turn: Turn, line: Line) -> None:
        announced = literal_size(line.text)
        if announced is None:
            return
        self.mark_literal(line)
        self.client_literal = AnnouncedLiteral(turn, line.lineno, *announced)

    def send_literal(self, line: Line) -> None:
        announced, self.client_literal = self.client_literal, None
        assert announced is not None
        size = announced.size
        if announced.synchronizing and not announced.invited:
            self.report(
                line.lineno,
                f"the client sends a literal before the server's '+': wait for it, "
                f"or announce the literal as {{{size}+}} (RFC 7888)",
                Category.CONSISTENCY,
            )
        # The rest of a command after its literal is the client's last line
        # before the server speaks again.
        literal = measure_literal(
            self.lines,
            self.index - 1,  # the line being read
            size,
            ends_response=self.ends_command,
            is_boundary=lambda following: False,
        )
        turn = announced.command
        self.take_literal(turn, literal, size, announced.lineno)
        if literal.continuation is None:
            self.report(
                self.lines[literal.end - 1].lineno,
                "the command goes on after its literal: end it with one more line "
                "(an empty one, if nothing follows)",
                Category.CONSISTENCY,
            )
            return
        self.continue_turn(turn, literal)
        self.announce_literal(turn, self.lines[literal.continuation])

    def ends_command(self, index: int, rest: str) -> bool:
        following = index + 1
        last = (
            following >= len(self.lines)
            or self.lines[following].role is not Role.CLIENT
        )
        return last or literal_size(rest) is not None

    # -- server --------------------------------------------------------------

    def server(self, line: Line) -> None:
        # Tried in turn, without a tuple of bound methods made for each line.
        turn = self.untagged(line)
        if turn is None:
            turn = self.continuation_request(line)
        if turn is None:
            turn = self.tagged(line)
        if turn is not None:
            self.read_server_literals(turn)
            return
        self.report(
            line.lineno,
            f"an IMAP response starts with '*', '+' or a command's tag, "
            f"got {excerpt(line.text)}",
        )

    def untagged(self, line: Line) -> Turn | None:
        if line.text[:1] != "*":
            return None  # not an untagged line: none of the three patterns matches
        match = _UNTAGGED_STATUS.match(line.text)
        if match is not None:
            return self.status_response(line, match, tag="*")
        match = _UNTAGGED_NUMBER.match(line.text) or _UNTAGGED_DATA.match(line.text)
        if match is None:
            return None
        line.spans = spans_of(
            (SpanKind.UNTAGGED, match["star"]),
            (SpanKind.TEXT, match["sp"]),
            (SpanKind.KEYWORD, match["keyword"]),
            (SpanKind.TEXT, match["rest"]),
        )
        turn = Turn(Role.SERVER, [line], tag="*", verb=match["keyword"].upper())
        return self.receive_untagged(turn)

    def continuation_request(self, line: Line) -> Turn | None:
        match = _CONTINUATION.match(line.text)
        if match is None:
            return None
        line.spans = spans_of(
            (SpanKind.CONTINUATION, match["plus"]), (SpanKind.TEXT, match["rest"])
        )
        line.tone = Tone.INTERMEDIATE
        turn = self.receive_untagged(Turn(Role.SERVER, [line], status="+"))
        if self.client_literal is not None:
            self.client_literal.invited = True
        elif (
            turn.answers is not None
            and (turn.answers.verb or "").upper() in CONVERSATIONS
        ):
            self.conversing = turn.answers
        return turn

    def tagged(self, line: Line) -> Turn | None:
        match = _TAGGED.match(line.text)
        if match is None:
            return None
        tag = match["tag"]
        turn = self.status_response(line, match, tag=tag)
        self.turns.append(turn)
        turn.answers = self.pending.pop(tag, None)
        if tag not in self.sent_tags:
            self.report(
                line.lineno,
                f"tagged reply {tag!r} answers no command: "
                f"no command was sent with tag {tag}",
                Category.CONSISTENCY,
            )
        if (
            self.client_literal is not None
            and self.client_literal.command is turn.answers
        ):
            self.client_literal = None  # refused: the literal is not sent
        return turn

    def status_response(self, line: Line, match: re.Match[str], tag: str) -> Turn:
        status = match["status"].upper()
        code = _RESPONSE_CODE.match(match["rest"])
        rest = code["rest"] if code else match["rest"]
        head = SpanKind.UNTAGGED if tag == "*" else SpanKind.TAG
        line.spans = spans_of(
            (head, match.group(1)),
            (SpanKind.TEXT, match["sp"]),
            (SpanKind.STATUS, match["status"]),
            (SpanKind.TEXT, code["sp"] if code else ""),
            (SpanKind.RESPONSE_CODE, code["code"] if code else ""),
            (SpanKind.TEXT, rest),
        )
        line.tone = TONES.get(status)
        turn = Turn(Role.SERVER, [line], tag=tag, status=status)
        turn.response_code = code["code"][1:-1] if code else None
        if tag == "*":
            self.receive_untagged(turn)
        return turn

    def receive_untagged(self, turn: Turn) -> Turn:
        """Untagged data belongs to the latest command still waiting."""
        self.turns.append(turn)
        if self.pending:
            turn.answers = next(reversed(self.pending.values()))
        return turn

    # -- literals ------------------------------------------------------------

    def read_server_literals(self, turn: Turn) -> None:
        line = turn.lines[-1]
        said = line.text  # the response without its literals' content
        while (announced := literal_size(line.text)) is not None:
            self.mark_literal(line)

            def ends_response(index: int, rest: str, said: str = said) -> bool:
                return literal_size(rest) is not None or paren_depth(said + rest) <= 0

            literal = measure_literal(
                self.lines,
                self.index,
                announced[0],
                ends_response=ends_response,
                is_boundary=self.starts_response,
            )
            self.take_literal(turn, literal, announced[0], line.lineno)
            if literal.continuation is None:
                turn.complete = False
                self.report(
                    self.lines[literal.end - 1].lineno,
                    "the response goes on after its literal: a line with the "
                    "rest of it (often ')') is missing",
                    Category.CONSISTENCY,
                )
                return
            self.continue_turn(turn, literal)
            line = self.lines[literal.continuation]
            said += literal.rest

    def continue_turn(self, turn: Turn, literal: Literal) -> None:
        """Take the line that goes on after a literal into the turn."""
        assert literal.continuation is not None
        line = self.lines[literal.continuation]
        if not literal.splits_line:
            turn.lines.append(line)
            line.spans = spans_of((SpanKind.TEXT, line.text))
        self.index = literal.continuation + 1

    def starts_response(self, line: Line) -> bool:
        if line.role is not Role.SERVER:
            return True
        word, _ = split_word(line.text)
        return word in ("*", "+") or _TAGGED.match(line.text) is not None

    def take_literal(
        self, turn: Turn, literal: Literal, size: int, lineno: int
    ) -> None:
        """Mark the literal's lines as content and keep them as the turn's payload."""
        for index in range(literal.start, literal.end):
            line = self.lines[index]
            if index == literal.continuation:
                content = ContentLine.head(line, len(line.text) - len(literal.rest))
                line.spans = spans_of(
                    (SpanKind.DATA, content.text), (SpanKind.TEXT, literal.rest)
                )
            else:
                content = ContentLine.head(line, len(line.text))
                line.spans = content_spans(line)
            turn.lines.append(line)
            turn.payload.append(content)
        self.index = max(self.index, literal.end)
        if literal.shown_octets is None:
            return
        turn.complete = False
        count = literal.end - literal.start
        shown = f"{count} lines shown hold" if count != 1 else "line shown holds"
        self.report(
            lineno,
            f"literal {{{size}}} announces {size} octets, but the {shown} "
            f"{literal.shown_octets} octets (each line ends with CRLF)",
            Category.CONSISTENCY,
        )

    @staticmethod
    def mark_literal(line: Line) -> None:
        """Style the trailing ``{n}`` of a line as a literal announcement."""
        match = _LITERAL.search(line.text)
        assert match is not None
        rebuilt: list[Span] = []
        offset = 0
        for span in line.spans:
            end = offset + len(span.text)
            if end > match.start() and span.kind is SpanKind.TEXT:
                cut = max(match.start() - offset, 0)
                rebuilt += spans_of((span.kind, span.text[:cut]))
                rebuilt += spans_of((SpanKind.LITERAL, span.text[cut:]))
            else:
                rebuilt.append(span)
            offset = end
        line.spans = rebuilt
