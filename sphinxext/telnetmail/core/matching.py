"""Does what the server said agree with what the page shows?

The replay reads the server line by line. For each run of ``server:``
lines on the page, a :class:`ReplyMatcher` is fed the lines received, one
at a time, and says at once when they can no longer agree (it raises
:class:`Mismatch`), or when the run is complete. Two levels of agreement
(the ``:match:`` option):

``exact``
    every character, in order, except values marked volatile;
``protocol``
    what the protocol defines, letting servers differ where the RFCs let
    them (the rules are documented in ``course/verifica.rst``).

Pure: no sockets, no pexpect. The received lines are cut into turns by the
same dialects that read the page.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol as Interface

from telnetmail.core import imapdata, volatile
from telnetmail.core.imapdata import Value
from telnetmail.core.messages import (
    Sent,
    compared_fields,
    split_message,
    typed_in_shown,
)
from telnetmail.core.model import Line, Protocol, Role, Transcript, Turn
from telnetmail.core.parser import analyse


class Mode(enum.StrEnum):
    PROTOCOL = "protocol"
    EXACT = "exact"


class Textual(Interface):
    """A line as the page shows it: its text and its volatile marks."""

    @property
    def text(self) -> str: ...

    @property
    def marks(self) -> Sequence[volatile.Mark]: ...


@dataclass
class Mismatch(Exception):
    """The server said something the page does not show."""

    #: The page line where server and page first diverge.
    lineno: int
    reason: str
    #: The page's lines of the run being read, with their line numbers.
    expected: list[tuple[int, str]]
    #: What the server sent of that run.
    received: list[str]

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.reason}"


@dataclass
class Context:
    """What one replay knows beyond the lines being compared."""

    mode: Mode = Mode.PROTOCOL
    #: Values captured by named volatile marks so far.
    captured: dict[str, str] = field(default_factory=dict)
    #: The messages sent so far, as their senders typed their headers.
    sent: tuple[Sent, ...] = ()


#: As docutils expands a tab in a page's source: a page cannot hold a tab,
#: so a tab the server sends is compared as the spaces a page would show.
TAB_WIDTH = 8


def line_matches(expected: Textual, received: str, context: Context) -> bool:
    """Character for character, except marked values (which it captures).

    A tab counts as the spaces to the next multiple of 8 columns on either
    side: a page read by reST cannot hold a tab, it shows those spaces.
    """
    if not expected.marks:
        return expected.text.expandtabs(TAB_WIDTH) == received.expandtabs(TAB_WIDTH)
    marks = list(expected.marks)
    pattern = volatile.pattern(expected.text, marks, context.captured)
    match = pattern.fullmatch(received) or pattern.fullmatch(
        received.expandtabs(TAB_WIDTH)
    )
    if match is not None:
        volatile.capture(match, marks, context.captured)
    return match is not None


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


def telnet_line_matches(expected: Textual, received: str, mode: Mode) -> bool:
    """Telnet's messages agree in shape: addresses and names vary."""
    if mode is Mode.EXACT or expected.marks:
        return line_matches(expected, received, Context(mode))
    for shape in _TELNET_SHAPES:
        if shape.fullmatch(expected.text):
            return shape.fullmatch(received) is not None
    return expected.text == received


# -- the matcher -------------------------------------------------------------


class ReplyMatcher:
    """Compares one run of the page's server lines with what arrives.

    ``history`` is every page line before the run: it tells the dialect
    which command each reply answers (a POP3 ``RETR`` is multi-line, an IMAP
    tag was sent). ``expected`` holds the page's turns of the run.
    """

    def __init__(
        self,
        protocol: Protocol,
        history: list[Line],
        expected: list[Turn],
        context: Context,
    ) -> None:
        self.protocol = protocol
        self.history = [line for line in history if line.role is not Role.TELNET]
        self.expected = expected
        self.expected_lines = [line for turn in expected for line in turn.lines]
        self.context = context
        self.received: list[Line] = []
        self.rules = _RULES[protocol](self)

    @property
    def received_texts(self) -> list[str]:
        return [line.text for line in self.received]

    def feed(self, text: str) -> bool:
        """Take one received line; True once the run is complete."""
        self.received.append(Line(Role.SERVER, text, 0))
        if self.context.mode is Mode.EXACT:
            return self.feed_exact(text)
        return self.rules.check(self.received_turns())

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
        turns, _ = analyse(self.protocol, self.history + self.received)
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


class _Rules:
    """The protocol-mode rules of one protocol."""

    def __init__(self, matcher: ReplyMatcher) -> None:
        self.matcher = matcher
        self.context = matcher.context
        self.expected = matcher.expected
        #: Replies received complete so far (in-order protocols).
        self.progress = 0

    def check(self, received: list[Turn]) -> bool:
        raise NotImplementedError

    def awaited(self) -> Line | None:
        """The first page line still waiting for the server."""
        return None

    def fail(self, line: Line | int, reason: str) -> Mismatch:
        lineno = line if isinstance(line, int) else line.lineno
        return self.matcher.mismatch(lineno, reason)


class _InOrder(_Rules):
    """SMTP and POP3: each reply answers the next command, in order."""

    def check(self, received: list[Turn]) -> bool:
        for index, turn in enumerate(received):
            if index >= len(self.expected):
                raise self.fail(
                    self.expected[-1].lines[-1],
                    "the server sends a reply the page does not show after this line",
                )
            expected = self.expected[index]
            reason = self.compare_start(expected, turn)
            if reason is None and turn.complete:
                failure = self.compare(expected, turn)
                if failure is not None:
                    raise self.fail(*failure)
            elif reason is not None:
                raise self.fail(expected.lines[0], reason)
        done = len(received) == len(self.expected) and all(
            turn.complete for turn in received
        )
        self.progress = len([turn for turn in received if turn.complete])
        return done

    def awaited(self) -> Line | None:
        return self.expected[min(self.progress, len(self.expected) - 1)].lines[0]

    def compare_start(self, expected: Turn, received: Turn) -> str | None:
        """What the first line alone tells: the code or status."""
        raise NotImplementedError

    def compare(self, expected: Turn, received: Turn) -> tuple[Line | int, str] | None:
        raise NotImplementedError


class _SmtpRules(_InOrder):
    def compare_start(self, expected: Turn, received: Turn) -> str | None:
        if expected.status != received.status:
            return (
                f"reply code {received.status} where the page shows {expected.status}"
            )
        return _compare_enhanced(expected.lines[0].text, received.lines[0].text)

    def compare(self, expected: Turn, received: Turn) -> tuple[Line | int, str] | None:
        if (len(expected.lines) > 1) != (len(received.lines) > 1):
            shape = "multi-line" if len(received.lines) > 1 else "one-line"
            return expected.lines[0], f"a {shape} reply, unlike the page's"
        offered = {_keyword(line.text[4:]) for line in received.lines[1:]}
        for line in expected.lines[1:]:
            if _keyword(line.text[4:]) not in offered:
                return (
                    line,
                    f"the server's reply has no line for {_keyword(line.text[4:])!r}",
                )
        return None


_ENHANCED = re.compile(r"\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)")


def _compare_enhanced(expected: str, received: str) -> str | None:
    shown, got = _ENHANCED.match(expected), _ENHANCED.match(received)
    if shown and got and shown[1] != got[1]:
        return f"enhanced status code {got[1]} where the page shows {shown[1]}"
    return None


def _keyword(text: str) -> str:
    return (text.split() or [""])[0].upper()


class _Pop3Rules(_InOrder):
    def compare_start(self, expected: Turn, received: Turn) -> str | None:
        if expected.status != received.status:
            return f"{received.status} where the page shows {expected.status}"
        return None

    def compare(self, expected: Turn, received: Turn) -> tuple[Line | int, str] | None:
        verb = (expected.answers.verb or "").upper() if expected.answers else ""
        if expected.status != "+OK":
            return None
        if len(expected.lines) == 1 and len(received.lines) == 1:
            return self.compare_numbers(expected, received, verb)
        if verb in ("LIST", "UIDL"):
            return self.compare_listing(expected, received)
        if verb in ("RETR", "TOP"):
            return compare_message(
                expected.payload, [c.text for c in received.payload], self.context
            )
        if verb == "CAPA":
            offered = {_keyword(c.text) for c in received.payload}
            for content in expected.payload:
                if _keyword(content.text) not in offered:
                    return (
                        content.lineno,
                        f"the server does not offer {_keyword(content.text)!r}",
                    )
        return None

    @staticmethod
    def compare_numbers(
        expected: Turn, received: Turn, verb: str
    ) -> tuple[Line, str] | None:
        """``STAT`` gives a count, ``LIST n`` a message number: protocol data."""
        if verb not in ("STAT", "LIST", "UIDL"):
            return None
        shown = expected.lines[0].text.split()[1:2]
        got = received.lines[0].text.split()[1:2]
        if shown and got and shown[0].isdigit() and shown != got:
            return expected.lines[
                0
            ], f"{verb} answers {got[0]} where the page shows {shown[0]}"
        return None

    @staticmethod
    def compare_listing(
        expected: Turn, received: Turn
    ) -> tuple[Line | int, str] | None:
        got = [_keyword(c.text) for c in received.payload]
        shown = [_keyword(c.text) for c in expected.payload]
        if got == shown:
            return None
        line = expected.payload[0].lineno if expected.payload else expected.lines[-1]
        return (
            line,
            f"the listing has messages {' '.join(got) or '(none)'} where the page shows {' '.join(shown) or '(none)'}",
        )


def compare_message(
    expected: Sequence[Textual | object],
    received: list[str],
    context: Context,
    part: str = "full",
) -> tuple[int, str] | None:
    """Compare a message shown on the page with one received.

    ``part`` is ``full``, ``header`` (header fields only) or ``text``
    (the body alone). Returns the page line and reason of the first
    difference, or None.
    """
    if part == "text":
        return _compare_body(list(expected), received, context)
    shown = split_message(list(expected), lambda line: line.text)  # type: ignore[attr-defined]
    got = split_message(received, str)
    typed = typed_in_shown(shown, lambda line: line.text, context.sent)  # type: ignore[attr-defined]
    shown_fields = compared_fields(shown, typed)
    got_fields = compared_fields(got, typed)
    names = [item.name.lower() for item in shown_fields]
    got_names = [item.name.lower() for item in got_fields]
    if names != got_names:
        where = (
            shown_fields[0].lines[0].lineno if shown_fields else _first_lineno(expected)
        )
        return where, (
            f"header fields {', '.join(item.name for item in got_fields) or '(none)'} "
            f"where the page shows {', '.join(item.name for item in shown_fields) or '(none)'}"
        )
    for shown_field, got_field in zip(shown_fields, got_fields, strict=True):
        failure = _compare_lines(
            shown_field.lines, got_field.lines, context, f"the {shown_field.name} field"
        )
        if failure is not None:
            return failure
    if part == "header" or not shown.has_body:
        return None
    return _compare_body(shown.body, got.body, context)


def _first_lineno(lines: Sequence[object]) -> int:
    return getattr(lines[0], "lineno", 0) if lines else 0


def _compare_body(
    shown: list, got: list[str], context: Context
) -> tuple[int, str] | None:
    return _compare_lines(shown, got, context, "the body")


def _compare_lines(
    shown: list, got: list[str], context: Context, what: str
) -> tuple[int, str] | None:
    for index, line in enumerate(shown):
        if index >= len(got):
            return line.lineno, f"{what} ends before this line"
        if not line_matches(line, got[index], context):
            return line.lineno, f"{what} differs: the server has {got[index]!r}"
    if len(got) > len(shown):
        where = shown[-1].lineno if shown else 0
        return (
            where,
            f"{what} goes on after this line: the server has {got[len(shown)]!r}",
        )
    return None


# -- IMAP ------------------------------------------------------------------------

#: Response codes whose value is the server's to choose.
VOLATILE_CODES = frozenset(
    {"UIDVALIDITY", "HIGHESTMODSEQ", "MAILBOXID", "APPENDUID", "COPYUID"}
)
#: FETCH items whose value is the server's or the moment's.
VOLATILE_ITEMS = frozenset(
    {"INTERNALDATE", "MODSEQ", "EMAILID", "THREADID", "SAVEDATE"}
)
#: FETCH items that follow the stored message's size: compared in exact mode only.
SIZE_ITEMS = frozenset({"RFC822.SIZE"})


class _ImapRules(_Rules):
    """Tags and statuses must agree; untagged data may come in any order.

    Untagged responses the page does not show are allowed: servers add
    their own (CAPABILITY, MAILBOXID, HIGHESTMODSEQ) and the RFC lets them
    send untagged data at any time.
    """

    def __init__(self, matcher: ReplyMatcher) -> None:
        super().__init__(matcher)
        self.tags = {turn.tag for turn in self.expected if turn.tag not in (None, "*")}
        self.matched: dict[int, Turn] = {}

    def check(self, received: list[Turn]) -> bool:
        self.matched = {}
        unmatched: list[Turn] = []
        for turn in received:
            if not turn.complete:
                continue
            if turn.tag not in (None, "*") or turn.status == "+":
                self.check_completion(turn, unmatched)
            elif not self.match_untagged(turn):
                unmatched.append(turn)
        return self.complete()

    def complete(self) -> bool:
        if self.tags:
            return all(
                id(turn) in self.matched
                for turn in self.expected
                if turn.tag in self.tags
            )
        return len(self.matched) == len(self.expected)

    def awaited(self) -> Line | None:
        waiting = [turn for turn in self.expected if id(turn) not in self.matched]
        return waiting[0].lines[0] if waiting else None

    def check_completion(self, turn: Turn, unmatched: list[Turn]) -> None:
        expected = self.counterpart(turn)
        if expected is None:
            line = self.expected[-1].lines[-1]
            raise self.fail(
                line,
                f"the server sends {turn.lines[0].text!r}, which the page does not show",
            )
        for earlier in self.expected[: self.expected.index(expected)]:
            if id(earlier) not in self.matched and earlier.tag == "*":
                raise self.missing(earlier, unmatched, turn)
        failure = compare_imap(expected, turn, self.context)
        if failure is not None:
            raise self.fail(*failure)
        self.matched[id(expected)] = turn

    def missing(
        self, expected: Turn, unmatched: list[Turn], completion: Turn
    ) -> Mismatch:
        """A response the page shows never came: say what came instead."""
        near = _near_miss(expected, unmatched)
        if near is None:
            return self.fail(
                expected.lines[0],
                f"the server does not send this response: it completes the command "
                f"with {completion.lines[0].text!r}",
            )
        failure = compare_imap(expected, near, self.context)
        if failure is not None and len(expected.lines) > 1:
            return self.fail(*failure)  # a difference inside, such as a body line
        return self.fail(
            expected.lines[0],
            f"the server does not send this response: it has {near.lines[0].text!r}",
        )

    def counterpart(self, turn: Turn) -> Turn | None:
        for expected in self.expected:
            if id(expected) in self.matched:
                continue
            if turn.status == "+" and expected.status == "+":
                return expected
            if turn.tag == expected.tag and turn.tag != "*":
                return expected
        return None

    def match_untagged(self, turn: Turn) -> bool:
        for expected in self.expected:
            if id(expected) in self.matched or expected.tag != "*":
                continue
            if compare_imap(expected, turn, self.context) is None:
                self.matched[id(expected)] = turn
                return True
        return False


def _near_miss(expected: Turn, candidates: list[Turn]) -> Turn | None:
    for turn in candidates:
        if (turn.verb, turn.status) == (expected.verb, expected.status):
            return turn
    return None


def _raw(turn: Turn) -> str:
    return "\r\n".join(line.text for line in turn.lines)


def compare_imap(
    expected: Turn, received: Turn, context: Context
) -> tuple[Line | int, str] | None:
    """Compare two IMAP responses; None when they agree."""
    first = expected.lines[0]
    if (
        first.marks
        and len(expected.lines) == 1
        and line_matches(first, received.lines[0].text, context)
    ):
        return None
    if (expected.tag == "*") != (received.tag == "*"):
        return first, "an untagged response where the page shows a tagged one"
    if expected.status != received.status:
        return (
            first,
            f"{received.status or received.verb} where the page shows {expected.status or expected.verb}",
        )
    if expected.status is not None:
        reason = compare_codes(expected.response_code, received.response_code)
        return (first, reason) if reason else None
    if expected.verb != received.verb:
        return first, f"* {received.verb} where the page shows * {expected.verb}"
    return _compare_data(expected, received, context)


def compare_codes(shown: str | None, got: str | None) -> str | None:
    if shown is None:
        return None  # codes the page omits are not required
    if got is None:
        return f"no [{shown}] response code"
    shown_name, _, shown_value = shown.partition(" ")
    got_name, _, got_value = got.partition(" ")
    if shown_name.upper() != got_name.upper():
        return f"response code [{got}] where the page shows [{shown}]"
    name = shown_name.upper()
    if name in VOLATILE_CODES:
        return _compare_uid_codes(name, shown_value, got_value)
    if name in ("PERMANENTFLAGS", "CAPABILITY"):
        shown_set, got_set = _word_set(shown_value), _word_set(got_value)
        ok = shown_set == got_set if name == "PERMANENTFLAGS" else shown_set <= got_set
        return None if ok else f"[{got}] where the page shows [{shown}]"
    if " ".join(shown_value.split()) != " ".join(got_value.split()):
        return f"[{got}] where the page shows [{shown}]"
    return None


def _compare_uid_codes(name: str, shown: str, got: str) -> str | None:
    """APPENDUID and COPYUID: the UIDVALIDITY varies, the UIDs do not."""
    if name in ("APPENDUID", "COPYUID") and shown.split()[1:] != got.split()[1:]:
        return f"[{name} {got}] where the page shows [{name} {shown}]"
    return None


def _word_set(text: str) -> set[str]:
    return {word.upper() for word in text.strip("() ").split()}


def _compare_data(
    expected: Turn, received: Turn, context: Context
) -> tuple[Line | int, str] | None:
    first = expected.lines[0]
    try:
        shown = imapdata.parse(_raw(expected))[1:]
        got = imapdata.parse(_raw(received))[1:]
    except imapdata.DataError as error:
        return first, f"cannot read the response: {error}"
    keyword = (expected.verb or "").upper()
    if shown and isinstance(shown[0], str) and shown[0].isdigit():
        if got[:1] != shown[:1]:
            return (
                first,
                f"message {got[0] if got else '?'} where the page shows {shown[0]}",
            )
        shown, got = shown[2:], got[2:]
    else:
        shown, got = shown[1:], got[1:]
    compare = _DATA_RULES.get(keyword, _compare_values)
    reason = compare(shown, got, expected, context)
    if isinstance(reason, tuple):
        return reason
    return (first, reason) if reason else None


def _compare_values(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | None:
    if not _same(shown, got):
        return "the data differs"
    return None


def _same(shown: Value | list[Value], got: Value | list[Value]) -> bool:
    if isinstance(shown, list) or isinstance(got, list):
        return (
            isinstance(shown, list)
            and isinstance(got, list)
            and len(shown) == len(got)
            and all(_same(a, b) for a, b in zip(shown, got, strict=True))
        )
    if shown is None or got is None:
        return shown is got
    if isinstance(shown, imapdata.String) or isinstance(got, imapdata.String):
        return str(shown) == str(got)
    return shown.upper() == got.upper()


def _flag_set(values: Value) -> set[str]:
    items = values if isinstance(values, list) else []
    return {str(item).upper() for item in items if item is not None}


def _compare_flags(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | None:
    if _flag_set(shown[:1][0] if shown else []) != _flag_set(got[:1][0] if got else []):
        return "other flags"
    return None


def _compare_subset(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | None:
    missing = {str(v).upper() for v in shown} - {str(v).upper() for v in got}
    return (
        f"the server does not announce {', '.join(sorted(missing))}"
        if missing
        else None
    )


def _compare_search(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | None:
    if {str(v) for v in shown} != {str(v) for v in got}:
        return f"messages {' '.join(map(str, got)) or '(none)'} where the page shows {' '.join(map(str, shown)) or '(none)'}"
    return None


def _mailbox(value: Value) -> str:
    name = str(value) if value is not None else ""
    return "INBOX" if name.upper() == "INBOX" else name


def _compare_list(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | None:
    if len(shown) != 3 or len(got) != 3:
        return _compare_values(shown, got, expected, context)
    if _flag_set(shown[0]) != _flag_set(got[0]):
        return "other mailbox attributes"
    if shown[1] != got[1]:
        return f"hierarchy delimiter {got[1]!r} where the page shows {shown[1]!r}"
    if _mailbox(shown[2]) != _mailbox(got[2]):
        return f"mailbox {got[2]!r} where the page shows {shown[2]!r}"
    return None


def _compare_status(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | None:
    if len(shown) != 2 or len(got) != 2 or _mailbox(shown[0]) != _mailbox(got[0]):
        return _compare_values(shown, got, expected, context)
    shown_items = imapdata.pairs(shown[1] if isinstance(shown[1], list) else [])
    got_items = imapdata.pairs(got[1] if isinstance(got[1], list) else [])
    for name, value in shown_items.items():
        if name in VOLATILE_CODES:
            continue
        if name not in got_items or not _same(value, got_items[name]):
            return f"{name} {got_items.get(name)} where the page shows {name} {value}"
    return None


def _compare_fetch(
    shown: list[Value], got: list[Value], expected: Turn, context: Context
) -> str | tuple[Line | int, str] | None:
    shown_items = imapdata.pairs(
        shown[0] if shown and isinstance(shown[0], list) else []
    )
    got_items = imapdata.pairs(got[0] if got and isinstance(got[0], list) else [])
    for name, value in shown_items.items():
        if name in VOLATILE_ITEMS or (
            name in SIZE_ITEMS and context.mode is Mode.PROTOCOL
        ):
            continue
        if name not in got_items:
            return f"no {name} in the server's FETCH response"
        reason = _compare_item(name, value, got_items[name], expected, context)
        if reason is not None:
            return reason
    return None


def _compare_item(
    name: str, shown: Value, got: Value, expected: Turn, context: Context
) -> str | tuple[Line | int, str] | None:
    if name == "FLAGS":
        return (
            None
            if _flag_set(shown) == _flag_set(got)
            else f"FLAGS {_show(got)} where the page shows {_show(shown)}"
        )
    if name == "ENVELOPE" and isinstance(shown, list) and isinstance(got, list):
        # Its date and message id are the server's when the sender typed none.
        ok = len(shown) == len(got) and _same(shown[1:-1], got[1:-1])
        return None if ok else "another ENVELOPE"
    part = _message_part(name)
    if part is not None and isinstance(shown, str) and isinstance(got, str):
        lines = _content_lines(expected, shown)
        return compare_message(
            lines,
            got.split("\r\n")[:-1] if got.endswith("\r\n") else got.split("\r\n"),
            context,
            part,
        )
    return (
        None
        if _same(shown, got)
        else f"{name} {_show(got)} where the page shows {_show(shown)}"
    )


def _message_part(name: str) -> str | None:
    if name in ("RFC822", "BODY[]", "BINARY[]") or re.fullmatch(
        r"BODY(\.PEEK)?\[\]", name
    ):
        return "full"
    if name in ("RFC822.HEADER",) or re.fullmatch(r"BODY(\.PEEK)?\[HEADER.*\]", name):
        return "header"
    if name in ("RFC822.TEXT",) or re.fullmatch(r"BODY(\.PEEK)?\[(TEXT|\d+)\]", name):
        return "text"
    return None


def _content_lines(expected: Turn, value: str) -> list:
    """The page's lines for a literal value, with their marks when there is one literal."""
    text = value[:-2] if value.endswith("\r\n") else value
    if len(expected.payload) and "\r\n".join(c.text for c in expected.payload) == text:
        return list(expected.payload)
    first = expected.lines[0].lineno
    return [_Plain(first, piece) for piece in text.split("\r\n")]


@dataclass
class _Plain:
    lineno: int
    text: str
    marks: tuple = ()


def _show(value: Value) -> str:
    if isinstance(value, list):
        return "(" + " ".join(_show(item) for item in value) + ")"
    return "NIL" if value is None else str(value)


_DATA_RULES = {
    "FLAGS": _compare_flags,
    "CAPABILITY": _compare_subset,
    "ENABLED": _compare_subset,
    "SEARCH": _compare_search,
    "SORT": _compare_values,
    "LIST": _compare_list,
    "LSUB": _compare_list,
    "STATUS": _compare_status,
    "FETCH": _compare_fetch,
    "EXISTS": lambda *args: None,  # the number is compared before
    "RECENT": lambda *args: None,
    "EXPUNGE": lambda *args: None,
}

_RULES = {
    Protocol.SMTP: _SmtpRules,
    Protocol.POP3: _Pop3Rules,
    Protocol.IMAP: _ImapRules,
}


# -- the replay plan -------------------------------------------------------------


@dataclass
class Send:
    """Client lines to type, in order."""

    lines: list[Line]


@dataclass
class Expect:
    """A run of server lines to read and compare."""

    lines: list[Line]
    turns: list[Turn]
    #: Every client and server line of the page before the run.
    history: list[Line]


@dataclass
class ExpectTelnet:
    """Telnet's own messages (``Connected to ...``), compared by shape."""

    lines: list[Line]


Step = Send | Expect | ExpectTelnet


def plan(transcript: Transcript) -> list[Step]:
    """The page as steps: what to type, what to read. The telnet command is not a step."""
    command = transcript.connection.lineno if transcript.connection else None
    lines = [line for line in transcript.lines if line.lineno != command]
    steps: list[Step] = []
    for line in lines:
        kind = {Role.CLIENT: Send, Role.SERVER: Expect, Role.TELNET: ExpectTelnet}[
            line.role
        ]
        if steps and type(steps[-1]) is kind:
            steps[-1].lines.append(line)
        elif kind is Expect:
            steps.append(Expect([line], [], []))
        else:
            steps.append(kind([line]))
    for step in steps:
        if isinstance(step, Expect):
            members = {id(line) for line in step.lines}
            step.turns = [
                turn
                for turn in transcript.turns
                if turn.lines and id(turn.lines[0]) in members
            ]
            first = lines.index(step.lines[0])
            step.history = [
                line for line in lines[:first] if line.role is not Role.TELNET
            ]
    return [step for step in steps if not (isinstance(step, Expect) and not step.turns)]
