"""The transcript model: what a telnet session written on a page consists of.

Pure data, no Sphinx and no sockets. A :class:`Transcript` is the ordered
list of its :class:`Line` objects, each knowing who produced it, its text as
written, the source line it came from, and its protocol structure as
:class:`Span` objects (reply code, tag, command verb...). The parser in
:mod:`telnetmail.core.parser` builds it; renderers, static checks and the
verifier read it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from telnetmail.core.volatile import Mark

if TYPE_CHECKING:
    from telnetmail.core.openssl import OpensslCommand
    from telnetmail.core.sizes import SizeReading


class Role(enum.StrEnum):
    """Who a line belongs to."""

    #: Typed by the user and sent to the server.
    CLIENT = "client"
    #: Received from the server.
    SERVER = "server"
    #: The local terminal: the ``telnet HOST PORT`` command and telnet's messages.
    TELNET = "telnet"


class Protocol(enum.StrEnum):
    SMTP = "smtp"
    POP3 = "pop3"
    IMAP = "imap"


class SpanKind(enum.StrEnum):
    """The protocol meaning of a piece of a line; renderers style by it."""

    TEXT = "text"  # human text, arguments, anything without a finer meaning
    PROMPT = "prompt"  # the shell prompt before ``telnet`` (``>``, ``$``)
    COMMAND = "command"  # the ``telnet HOST PORT`` command itself
    VERB = "verb"  # a client command name: HELO, RETR, FETCH
    KEYWORD = "keyword"  # an IMAP untagged data name: FLAGS, EXISTS, FETCH
    TAG = "tag"  # an IMAP tag, in a command or its tagged reply
    CODE = "code"  # an SMTP reply code
    ENHANCED = "enhanced"  # an SMTP enhanced status code (RFC 3463)
    STATUS = "status"  # +OK / -ERR, OK / NO / BAD / PREAUTH / BYE
    UNTAGGED = "untagged"  # IMAP ``*``
    CONTINUATION = "continuation"  # ``+`` (IMAP and POP3 SASL)
    RESPONSE_CODE = "response-code"  # IMAP ``[READ-ONLY]``
    LITERAL = "literal"  # an IMAP literal announcement ``{405}``
    DATA = "data"  # message content: DATA, RETR bodies, IMAP literal content
    TERMINATOR = "terminator"  # the lone ``.`` ending a message or listing
    PLACEHOLDER = "placeholder"  # RFC-style narration: ``<open connection>``
    VOLATILE = "volatile"  # a value that varies from run to run (a date, an id)


class Tone(enum.StrEnum):
    """How a reply went, in the RFCs' own classes (RFC 5321 §4.2.1)."""

    POSITIVE = "positive"  # 2xx, +OK, OK, PREAUTH
    INTERMEDIATE = "intermediate"  # 3xx, ``+`` continuation
    TRANSIENT = "transient"  # 4xx, IMAP NO
    NEGATIVE = "negative"  # 5xx, -ERR, IMAP BAD


#: Each enum's members by value, for :meth:`Line.from_dict`.
_ROLES = {role.value: role for role in Role}
_SPAN_KINDS = {kind.value: kind for kind in SpanKind}
_TONES = {tone.value: tone for tone in Tone}


class Span(NamedTuple):
    """A piece of a line with its meaning.

    A named tuple rather than a frozen dataclass: every line of every page
    makes a few at each build, and a tuple is made in a fraction of the time.
    """

    kind: SpanKind
    text: str


# Slots: no __dict__ per line, one object fewer for the garbage collector to
# walk in a build, which keeps every page's parse until it is written.
@dataclass(slots=True)
class Line:
    """One line of a transcript as the page shows it."""

    role: Role
    #: The content after ``role:``, verbatim.
    text: str
    #: Line number in the source file (1-based).
    lineno: int
    #: The text cut into meaningful pieces; joined, they give back ``text``.
    spans: list[Span] = field(default_factory=list)
    #: Set on server lines that carry a status.
    tone: Tone | None = None
    #: Volatile values marked in the source: see :mod:`telnetmail.core.volatile`.
    marks: list[Mark] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.spans and self.text:
            kind = SpanKind.PLACEHOLDER if is_placeholder(self.text) else SpanKind.TEXT
            # Every line read comes through here: the span made as the tuple
            # it is, without the named tuple's __new__ (a Python call).
            self.spans = [tuple.__new__(Span, (kind, self.text))]

    @property
    def is_placeholder(self) -> bool:
        return is_placeholder(self.text)

    def as_dict(self) -> dict[str, Any]:
        """A plain form that survives pickling into a Sphinx doctree."""
        return {
            "role": str(self.role),
            "text": self.text,
            "lineno": self.lineno,
            # Unpacked: a named tuple's fields are slower to read by name.
            "spans": [[str(kind), text] for kind, text in self.spans],
            "tone": str(self.tone) if self.tone else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Line:
        """The inverse of :meth:`as_dict`, for lines stored on a doctree node."""
        text = data["text"]
        # Every line of every page comes through here at each write: members
        # are looked up in a dict, cheaper than calling the enum (which still
        # raises ValueError for an unknown value).
        spans = [
            Span(_SPAN_KINDS.get(kind) or SpanKind(kind), piece)
            for kind, piece in data.get("spans", ())
        ]
        if "".join([span.text for span in spans]) != text:
            # Never drop or repeat text, whatever the spans say: no spans
            # makes the line one plain span.
            spans = []
        tone = data.get("tone")
        return cls(
            role=_ROLES.get(data["role"]) or Role(data["role"]),
            text=text,
            lineno=data.get("lineno", 0),
            spans=spans,
            tone=(_TONES.get(tone) or Tone(tone)) if tone else None,
        )

    def mark_volatile_spans(self) -> None:
        """Cut the spans so that each volatile value is a span of its own."""
        for mark in self.marks:
            cut: list[Span] = []
            offset = 0
            for span in self.spans:
                end = offset + len(span.text)
                inside = (max(offset, mark.start), min(end, mark.end))
                if inside[0] >= inside[1]:
                    cut.append(span)
                else:
                    for start, stop, kind in (
                        (offset, inside[0], span.kind),
                        (inside[0], inside[1], SpanKind.VOLATILE),
                        (inside[1], end, span.kind),
                    ):
                        if start < stop:
                            cut.append(Span(kind, self.text[start:stop]))
                offset = end
            self.spans = cut


# A named tuple, not a frozen dataclass: as immutable, and equal and hashed by
# its fields alike, but created at import (which every build pays) in a fifth
# of the time. Nothing compares it with a plain tuple, which it would equal.
class Connection(NamedTuple):
    """What the ``telnet HOST [PORT]`` command line asks for."""

    host: str
    #: The port as written: a service name (``smtp``) or a number.
    port: str | None
    lineno: int
    #: Set when the line is ``openssl s_client ...`` rather than ``telnet``.
    openssl: OpensslCommand | None = None


class Category(enum.StrEnum):
    """What kind of problem a :class:`Diagnostic` reports."""

    #: The line has no ``role:`` the parser knows: the block cannot be read.
    SYNTAX = "syntax"
    #: The line breaks its protocol's grammar (an SMTP reply with no code).
    PROTOCOL = "protocol"
    #: The page contradicts itself (a literal's size, an unknown tag).
    CONSISTENCY = "consistency"
    #: A volatile mark covers protocol data (a code, a count, a flag): dropped.
    VOLATILE = "volatile"


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class Diagnostic(NamedTuple):
    """A problem found in a transcript, tied to the line that shows it."""

    lineno: int
    message: str
    category: Category = Category.PROTOCOL

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}"


_PLACEHOLDER = re.compile(r"<[^<>]*\s[^<>]*>|\.\.\.")


# Asked of each line many times over (parser, dialects, sizes): remembered
# by text, which the pages repeat too (``.``, ``<...>``, ``250 OK``).
@lru_cache(maxsize=4096)
def is_placeholder(text: str) -> bool:
    """RFC example sessions narrate in angle brackets: ``<the server sends message 1>``.

    Such a line stands for something not written out; it has a space inside,
    which tells it from an address like ``<sender@example.com>``. A line that
    is only ``...`` is the RFCs' elision, narration too.
    """
    stripped = text.strip()
    if stripped[:1] != "<" and stripped != "...":
        # What the pattern asks first, told without it: every text asked
        # once in a build (the cache only helps with repeated ones).
        return False
    return _PLACEHOLDER.fullmatch(stripped) is not None


class ContentLine(NamedTuple):
    """A line of carried content, with the source line that shows it."""

    lineno: int
    text: str
    marks: tuple[Mark, ...] = ()

    @classmethod
    def unstuffed(cls, line: Line) -> ContentLine:
        """The line as the receiver keeps it: a leading dot is the doubling's."""
        if not line.text.startswith("."):
            return cls(line.lineno, line.text, tuple(line.marks))
        marks = tuple(
            Mark(mark.start - 1, mark.end - 1, mark.kind, mark.name)
            for mark in line.marks
            if mark.start >= 1
        )
        return cls(line.lineno, line.text[1:], marks)

    @classmethod
    def head(cls, line: Line, length: int) -> ContentLine:
        """The first ``length`` characters of a line (a literal ending inside it)."""
        marks = tuple(mark for mark in line.marks if mark.end <= length)
        return cls(line.lineno, line.text[:length], marks)


def octets(texts: Iterable[str]) -> int:
    """Size on the wire of these lines, each ended by CRLF as the RFCs require."""
    return sum(len(text.encode("utf-8")) + 2 for text in texts)


# Slots, as for Line: there are as many turns as commands and replies.
@dataclass(slots=True)
class Turn:
    """One protocol unit said by one side, over one or more lines.

    A client command with what it carries (an SMTP message after ``DATA``, an
    IMAP literal), or a server reply with its continuation lines (``250-``,
    a POP3 listing up to its ``.``, an IMAP response holding a literal).
    """

    role: Role
    lines: list[Line]
    #: Client: the command name as typed (``HELO``); IMAP server: the untagged
    #: data name (``EXISTS``).
    verb: str | None = None
    #: Client: what follows the verb, verbatim.
    args: str = ""
    #: IMAP: the command's tag; ``*`` for an untagged response.
    tag: str | None = None
    #: SMTP: the reply code; POP3: ``+OK``, ``-ERR`` or ``+``; IMAP: ``OK``,
    #: ``NO``, ``BAD``, ``PREAUTH``, ``BYE`` or ``+``.
    status: str | None = None
    #: IMAP: the bracketed response code's text, without brackets.
    response_code: str | None = None
    #: Content carried over several lines, as the receiver sees it (dot-stuffing
    #: undone): an SMTP message, a POP3 message or listing, an IMAP literal.
    payload: list[ContentLine] = field(default_factory=list)
    #: For the reply to a command: that command's turn.
    answers: Turn | None = None
    #: False when a multi-line unit never reached its end.
    complete: bool = True

    @property
    def first_lineno(self) -> int:
        return self.lines[0].lineno


@dataclass
class Transcript:
    """A parsed transcript: lines, connection, protocol, and what went wrong."""

    lines: list[Line]
    protocol: Protocol | None = None
    connection: Connection | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    #: The protocol units, in order: see :class:`Turn`.
    turns: list[Turn] = field(default_factory=list)
    #: The sizes the turns show, as :func:`telnetmail.core.sizes.reading`
    #: read them: kept so that the parse's check and the check across
    #: transcripts read them once. Derived, so no part of a comparison.
    size_reading: SizeReading | None = field(default=None, repr=False, compare=False)

    @property
    def readable(self) -> bool:
        """False when some line has no known role, so only raw text can be shown."""
        return not any(d.category is Category.SYNTAX for d in self.diagnostics)

    def client_lines(self) -> list[Line]:
        return [line for line in self.lines if line.role is Role.CLIENT]
