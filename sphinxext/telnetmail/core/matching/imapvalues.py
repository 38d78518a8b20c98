"""IMAP untagged data compared value by value (RFC 3501 §7).

Every value the page shows is compared: flags as sets, ``LIST`` names with
the semantics of IMAP strings, ``STATUS`` and ``FETCH`` items all, an
``ENVELOPE`` or ``BODYSTRUCTURE`` field by field. A value the server makes
up (a date, a message id, an ``INTERNALDATE``) agrees only where the page
marks it volatile. A ``FETCH`` response shows every item the client asked
for that the server returns; items the server adds unasked (``UID`` in
``UID FETCH``, ``FLAGS`` after a change) may be left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeGuard

from telnetmail.core import imapdata, volatile
from telnetmail.core.imapdata import Value
from telnetmail.core.matching.base import Context, Failure, value_matches
from telnetmail.core.matching.message import Plain, compare_message
from telnetmail.core.matching.sizes import MessageKey, SizeLedger
from telnetmail.core.model import ContentLine, Turn

#: FETCH and STATUS items whose value the server or the moment chooses: the
#: only data values a volatile mark may stand for.
SERVER_CHOSEN = frozenset(
    {
        "INTERNALDATE",
        "SAVEDATE",
        "MODSEQ",
        "EMAILID",
        "THREADID",
        "UIDVALIDITY",
        "HIGHESTMODSEQ",
        "MAILBOXID",
    }
)
#: ENVELOPE fields a server makes up when the sender typed none: the date
#: (0) and the message id (9).
ENVELOPE_CHOSEN = frozenset({0, 9})

#: FETCH macros (RFC 3501 §6.4.5).
MACROS = {
    "ALL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"),
    "FAST": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "FULL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"),
}


@dataclass
class Shown:
    """A page's response as values, with where its volatile marks stand."""

    turn: Turn
    #: Each mark, by the octets it covers in the response's text.
    marks: list[tuple[int, int, volatile.Mark]]
    context: Context

    @classmethod
    def of(cls, turn: Turn, context: Context) -> Shown:
        marks: list[tuple[int, int, volatile.Mark]] = []
        offset = 0
        for line in turn.lines:
            for mark in line.marks:
                start = offset + len(line.text[: mark.start].encode("utf-8"))
                end = offset + len(line.text[: mark.end].encode("utf-8"))
                marks.append((start, end, mark))
            offset += len(line.text.encode("utf-8")) + 2
        return cls(turn, marks, context)

    def mark_of(self, value: Value) -> volatile.Mark | None:
        """The mark that stands for exactly this one value (its quotes aside).

        A mark spanning more, or a part, stands for no value: the example
        is compared as written.
        """
        start, end = getattr(value, "start", -1), getattr(value, "end", -1)
        quoted = isinstance(value, imapdata.String) and not value.literal
        inner = (start + 1, end - 1) if quoted else (start, end)
        for mark_start, mark_end, mark in self.marks:
            if (mark_start, mark_end) in ((start, end), inner):
                return mark
        return None

    def same(self, shown: Value, got: Value, markable: bool = False) -> bool:
        """Values agree: lists item by item, strings exactly, atoms in any case.

        Only where ``markable`` (a value the server or the moment chooses)
        may a volatile mark stand for any value of its kind.
        """
        mark = self.mark_of(shown) if markable else None
        if mark is not None:
            return value_matches(mark.kind, mark.name, _text(got), self.context)
        if isinstance(shown, list) or isinstance(got, list):
            return (
                isinstance(shown, list)
                and isinstance(got, list)
                and len(shown) == len(got)
                and all(self.same(a, b) for a, b in zip(shown, got, strict=True))
            )
        if shown is None or got is None:
            return shown is got
        if isinstance(shown, imapdata.String) or isinstance(got, imapdata.String):
            return str(shown) == str(got)
        return shown.upper() == got.upper()


def _text(value: Value) -> str:
    return (
        "NIL"
        if value is None
        else show(value)
        if isinstance(value, list)
        else str(value)
    )


def compare_data(
    expected: Turn,
    received: Turn,
    context: Context,
    where: tuple[str, int],
    sizes: SizeLedger,
) -> Failure | None:
    first = expected.lines[0]
    try:
        shown = imapdata.parse(_raw(expected))[1:]
        got = imapdata.parse(_raw(received))[1:]
    except imapdata.DataError as error:
        return first, f"cannot read the response: {error}"
    number = None
    if shown and isinstance(shown[0], str) and shown[0].isdigit():
        if got[:1] != shown[:1]:
            return (
                first,
                f"message {got[0] if got else '?'} where the page shows {shown[0]}",
            )
        number = int(shown[0])
        shown, got = shown[2:], got[2:]
    else:
        shown, got = shown[1:], got[1:]
    values = Shown.of(expected, context)
    keyword = (expected.verb or "").upper()
    if keyword == "FETCH" and number is not None:
        fetch = Fetch(values, expected, (*where, number), sizes)
        return fetch.compare(shown, got)
    rule = _DATA_RULES.get(keyword, _compare_values)
    reason = rule(shown, got, values)
    return (first, reason) if reason else None


def _raw(turn: Turn) -> str:
    return "\r\n".join(line.text for line in turn.lines)


def _compare_values(shown: list[Value], got: list[Value], values: Shown) -> str | None:
    return None if values.same(shown, got) else "the data differs"


def flag_set(value: Value) -> set[str]:
    items = value if isinstance(value, list) else []
    return {str(item).upper() for item in items if item is not None}


def _compare_flags(shown: list[Value], got: list[Value], values: Shown) -> str | None:
    if flag_set(shown[:1][0] if shown else []) != flag_set(got[:1][0] if got else []):
        return f"FLAGS {show(got[:1][0] if got else [])} where the page shows {show(shown[:1][0] if shown else [])}"
    return None


def _compare_subset(shown: list[Value], got: list[Value], values: Shown) -> str | None:
    missing = {str(v).upper() for v in shown} - {str(v).upper() for v in got}
    return (
        f"the server does not announce {', '.join(sorted(missing))}"
        if missing
        else None
    )


def _compare_search(shown: list[Value], got: list[Value], values: Shown) -> str | None:
    if {str(v) for v in shown} != {str(v) for v in got}:
        return (
            f"messages {' '.join(map(str, got)) or '(none)'} where the page shows "
            f"{' '.join(map(str, shown)) or '(none)'}"
        )
    return None


def mailbox(value: Value) -> str:
    name = str(value) if value is not None else ""
    return "INBOX" if name.upper() == "INBOX" else name


def _compare_list(shown: list[Value], got: list[Value], values: Shown) -> str | None:
    if len(shown) != 3 or len(got) != 3:
        return _compare_values(shown, got, values)
    if flag_set(shown[0]) != flag_set(got[0]):
        return (
            f"mailbox attributes {show(got[0])} where the page shows {show(shown[0])}"
        )
    if not values.same(shown[1], got[1]):
        return (
            f"hierarchy delimiter {show(got[1])} where the page shows {show(shown[1])}"
        )
    if mailbox(shown[2]) != mailbox(got[2]):
        return f"mailbox {show(got[2])} where the page shows {show(shown[2])}"
    return None


def _compare_status(shown: list[Value], got: list[Value], values: Shown) -> str | None:
    if len(shown) != 2 or len(got) != 2:
        return _compare_values(shown, got, values)
    if mailbox(shown[0]) != mailbox(got[0]):
        return f"mailbox {show(got[0])} where the page shows {show(shown[0])}"
    shown_items = imapdata.pairs(shown[1] if isinstance(shown[1], list) else [])
    got_items = imapdata.pairs(got[1] if isinstance(got[1], list) else [])
    for name, value in shown_items.items():
        markable = name in SERVER_CHOSEN
        if name not in got_items or not values.same(value, got_items[name], markable):
            return f"{name} {show(got_items.get(name))} where the page shows {name} {show(value)}"
    for name in got_items.keys() - shown_items.keys():
        if name in status_requested(values.turn):
            return f"the server returns {name}, which the client asked for and the page leaves out"
    return None


def status_requested(turn: Turn) -> set[str]:
    """The items a ``STATUS mailbox (item ...)`` command asked for."""
    command = turn.answers
    if command is None or (command.verb or "").upper() != "STATUS":
        return set()
    try:
        items = imapdata.parse(command.args)[1:]
    except imapdata.DataError:
        return set()
    listed = items[0] if items and isinstance(items[0], list) else []
    return {str(item).upper() for item in listed if item is not None}


_DATA_RULES: dict[str, Callable[[list[Value], list[Value], Shown], str | None]] = {
    "FLAGS": _compare_flags,
    "CAPABILITY": _compare_subset,
    "ENABLED": _compare_subset,
    "SEARCH": _compare_search,
    "LIST": _compare_list,
    "LSUB": _compare_list,
    "STATUS": _compare_status,
    "EXISTS": lambda *args: None,  # the number is compared before
    "RECENT": lambda *args: None,
    "EXPUNGE": lambda *args: None,
}


def show(value: Value) -> str:
    if isinstance(value, list):
        return "(" + " ".join(show(item) for item in value) + ")"
    return "NIL" if value is None else str(value)


# -- FETCH -------------------------------------------------------------------


class Fetch:
    """One FETCH response of the page against the server's."""

    def __init__(
        self, values: Shown, expected: Turn, key: MessageKey, sizes: SizeLedger
    ) -> None:
        self.values = values
        self.expected = expected
        self.key = key
        self.sizes = sizes
        self.first = expected.lines[0]

    def compare(self, shown: list[Value], got: list[Value]) -> Failure | None:
        shown_list = shown[0] if shown and isinstance(shown[0], list) else []
        shown_items = imapdata.pairs(shown_list)
        got_items = imapdata.pairs(got[0] if got and isinstance(got[0], list) else [])
        contents = dict(self.literal_lines(shown_list))
        for name, value in shown_items.items():
            if name not in got_items:
                return self.first, f"no {name} in the server's FETCH response"
            failure = self.compare_item(name, value, got_items[name], contents)
            if failure is not None:
                return failure
        for name in got_items:
            if name not in shown_items and name in self.requested():
                return self.first, (
                    f"the server returns {name}, which the client asked for and "
                    f"the page leaves out"
                )
        return None

    def requested(self) -> set[str]:
        """The items the command asked for, as the response names them."""
        command = self.expected.answers
        if command is None:
            return set()
        args = command.args
        if (command.verb or "").upper() == "UID":
            verb, _, args = args.partition(" ")
            if verb.upper() != "FETCH":
                return set()
        elif (command.verb or "").upper() != "FETCH":
            return set()
        try:
            items = imapdata.parse(args)[1:]
        except imapdata.DataError:
            return set()
        flat = items[0] if items and isinstance(items[0], list) else items
        names: set[str] = set()
        for item in flat:
            if isinstance(item, str):
                names.update(
                    response_name(name) for name in MACROS.get(item.upper(), (item,))
                )
        return names

    def literal_lines(self, items: list[Value]) -> Iterator[tuple[int, list]]:
        """Each literal value's own page lines, marks and line numbers kept."""
        payload = list(self.expected.payload)
        for value in items:
            if not (isinstance(value, imapdata.String) and value.literal):
                continue
            text = value.removesuffix("\r\n")
            count = len(text.split("\r\n"))
            lines: list[ContentLine] | list[Plain] = payload[:count]
            payload = payload[count:]
            if "\r\n".join(line.text for line in lines) != text:
                lines = [
                    Plain(self.first.lineno, piece) for piece in text.split("\r\n")
                ]
            yield id(value), lines

    def compare_item(
        self, name: str, shown: Value, got: Value, contents: dict[int, list]
    ) -> Failure | None:
        if name == "FLAGS":
            if flag_set(shown) == flag_set(got):
                return None
            return self.first, f"FLAGS {show(got)} where the page shows {show(shown)}"
        if name == "RFC822.SIZE" and _is_number(shown) and _is_number(got):
            self.sizes.claim(
                [self.key],
                int(shown),
                int(got),
                self.first.lineno,
                f"RFC822.SIZE of message {self.key[2]}",
            )
            return None
        part = message_part(name)
        if part is not None and isinstance(shown, str) and isinstance(got, str):
            return self.compare_content(part, shown, got, contents)
        if name == "ENVELOPE" and isinstance(shown, list) and isinstance(got, list):
            same = len(shown) == len(got) and all(
                self.values.same(a, b, index in ENVELOPE_CHOSEN)
                for index, (a, b) in enumerate(zip(shown, got, strict=True))
            )
        else:
            same = self.values.same(shown, got, name in SERVER_CHOSEN)
        if same:
            return None
        return self.first, f"{name} {show(got)} where the page shows {show(shown)}"

    def compare_content(
        self, part: str, shown: str, got: str, contents: dict[int, list]
    ) -> Failure | None:
        lines = contents.get(id(shown)) or [
            Plain(self.first.lineno, piece) for piece in _lines_of(shown)
        ]
        compared = compare_message(lines, _lines_of(got), self.values.context, part)
        if compared.failure is not None:
            return compared.failure
        if part != "text" and compared.added_delta is not None:
            self.sizes.observe(self.key, compared.added_delta)
        return None


def _is_number(value: Value) -> TypeGuard[str]:
    return isinstance(value, str) and value.isdigit()


def _lines_of(value: str) -> list[str]:
    return (value.removesuffix("\r\n")).split("\r\n")


def response_name(item: str) -> str:
    """``BODY.PEEK[HEADER]`` is answered as ``BODY[HEADER]``, ``<0.100>`` as ``<0>``."""
    name = " ".join(item.upper().split())
    name = name.replace(".PEEK[", "[")
    return re.sub(r"<(\d+)\.\d+>$", r"<\1>", name)


def message_part(name: str) -> str | None:
    """Which part of the message a FETCH item carries, if it carries one."""
    if re.fullmatch(r"RFC822|BODY\[\]|BINARY\[\]", name):
        return "full"
    if re.fullmatch(r"RFC822\.HEADER|BODY\[HEADER\]", name):
        return "header"
    if re.fullmatch(
        r"RFC822\.TEXT|BODY\[(TEXT|\d+(\.\d+)*)\]|BINARY\[\d+(\.\d+)*\]", name
    ):
        return "text"
    return None
