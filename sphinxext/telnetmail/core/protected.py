"""Protocol data: the parts of a server line a volatile mark may not cover.

A mark (:mod:`telnetmail.core.volatile`) lets a value vary from run to run:
a date, a queue id, a host name. A mark on a reply code, a status, a tag, a
count, a size or a flag would let the verifier accept any value where the
protocol defines one, so a page could pass while showing something false.
Each protocol's list of such regions lives here, in one function per
protocol; :func:`refuse_marks` drops every mark that touches one, with a
diagnostic at its line, so the example is compared as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from telnetmail.core.model import (
    Category,
    Diagnostic,
    Line,
    Protocol,
    Role,
    SpanKind,
    Turn,
)


class Region(NamedTuple):
    """Characters ``start:end`` of a line's display text, and what they are."""

    start: int
    end: int
    what: str


#: Spans whose whole text is protocol data, named as a message says them.
_SPAN_DATA: dict[SpanKind, str] = {
    SpanKind.CODE: "the reply code",
    SpanKind.ENHANCED: "the enhanced status code",
    SpanKind.STATUS: "the status",
    SpanKind.TAG: "the tag",
    SpanKind.UNTAGGED: "the untagged marker '*'",
    SpanKind.CONTINUATION: "the continuation '+'",
    SpanKind.KEYWORD: "the response type",
    SpanKind.LITERAL: "a literal's size",
    SpanKind.TERMINATOR: "the terminating '.'",
}

_CODE_NAME = re.compile(r"\[[^\s\]]*")  # a response code's bracket and name

# IMAP: numbers and flags anywhere in a response's own text.
_IMAP_NUMBERED = re.compile(r"\* (\d+) ")  # * n EXISTS, * n FETCH...
_IMAP_FLAG = re.compile(r"\\(?:[A-Za-z][\w$-]*|\*)")
_IMAP_COUNTS = re.compile(r"\b(?:MESSAGES|RECENT|UNSEEN) (\d+)", re.IGNORECASE)
_IMAP_SIZE = re.compile(r"\bRFC822\.SIZE (\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
#: Untagged responses whose data is a list of message numbers.
_NUMBER_LISTS = frozenset({"SEARCH", "SORT"})

# POP3: what the reply to each command shows after ``+OK``.
_TWO_NUMBERS = re.compile(r"\+OK (\d+) (\d+)", re.IGNORECASE)
_ONE_NUMBER = re.compile(r"\+OK (\d+)", re.IGNORECASE)
_OCTETS = re.compile(r"\+OK (\d+) octets", re.IGNORECASE)
_POP3_STATUS_LINE: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "STAT": (_TWO_NUMBERS, ("a count", "a size")),
    "LIST": (_TWO_NUMBERS, ("a message number", "a size")),
    "UIDL": (_ONE_NUMBER, ("a message number",)),
    "RETR": (_OCTETS, ("a size",)),
    "TOP": (_OCTETS, ("a size",)),
}
_POP3_LISTING: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "LIST": (re.compile(r"(\d+) (\d+)"), ("a message number", "a size")),
    "UIDL": (re.compile(r"(\d+) "), ("a message number",)),
}


def _groups(
    match: re.Match[str] | None, names: tuple[str, ...], offset: int = 0
) -> Iterator[Region]:
    if match is None:
        return
    for index, what in enumerate(names, start=1):
        yield Region(offset + match.start(index), offset + match.end(index), what)


def span_regions(line: Line) -> Iterator[Region]:
    """Regions the dialect already names: codes, statuses, tags, literals..."""
    offset = 0
    for span in line.spans:
        end = offset + len(span.text)
        if span.kind in _SPAN_DATA:
            yield Region(offset, end, _SPAN_DATA[span.kind])
        elif span.kind is SpanKind.RESPONSE_CODE:
            name = _CODE_NAME.match(span.text)
            assert name is not None  # the dialect's span starts with '['
            yield Region(offset + 1, offset + name.end(), "a response-code name")
        offset = end


def _outside_data(line: Line, regions: Iterator[Region]) -> Iterator[Region]:
    """Regions not inside message content: data carried is the sender's."""
    data: list[tuple[int, int]] = []
    offset = 0
    for span in line.spans:
        if span.kind is SpanKind.DATA:
            data.append((offset, offset + len(span.text)))
        offset += len(span.text)
    for region in regions:
        if not any(start < region.end and region.start < end for start, end in data):
            yield region


def imap_regions(turn: Turn, line: Line) -> Iterator[Region]:
    """IMAP: message numbers, counts, sizes, SEARCH results and flags."""
    text = line.text
    found: list[Region] = []
    if line is turn.lines[0] and turn.tag == "*":
        found += _groups(_IMAP_NUMBERED.match(text), ("a message number or count",))
    if line is turn.lines[0] and turn.verb in _NUMBER_LISTS:
        start = text.upper().index(turn.verb) + len(turn.verb)
        found += (
            Region(start + m.start(), start + m.end(), "a SEARCH result")
            for m in _NUMBER.finditer(text[start:])
        )
    found += (Region(m.start(), m.end(), "a flag") for m in _IMAP_FLAG.finditer(text))
    for pattern, what in ((_IMAP_COUNTS, "a count"), (_IMAP_SIZE, "a size")):
        for match in pattern.finditer(text):
            found += _groups(match, (what,))
    return _outside_data(line, iter(found))


def pop3_regions(turn: Turn, line: Line) -> Iterator[Region]:
    """POP3: STAT's count and size, LIST and UIDL numbers, RETR octets."""
    verb = (turn.answers.verb or "").upper() if turn.answers else ""
    if turn.status != "+OK":
        return
    if line is turn.lines[0]:
        pattern, names = _POP3_STATUS_LINE.get(verb, (None, ()))
        if pattern is not None:
            yield from _groups(pattern.match(line.text), names)
    elif verb in _POP3_LISTING and turn.answers and not turn.answers.args:
        pattern, names = _POP3_LISTING[verb]
        yield from _groups(pattern.match(line.text), names)


def no_regions(turn: Turn, line: Line) -> Iterator[Region]:
    return iter(())


#: Beyond the spans, what each protocol shows as data in its replies.
_TURN_REGIONS: dict[Protocol, Callable[[Turn, Line], Iterator[Region]]] = {
    Protocol.SMTP: no_regions,  # code and enhanced code are spans
    Protocol.POP3: pop3_regions,
    Protocol.IMAP: imap_regions,
}


def protected_regions(protocol: Protocol, turn: Turn, line: Line) -> list[Region]:
    """Every region of a server line that is protocol data."""
    return [*span_regions(line), *_TURN_REGIONS[protocol](turn, line)]


def refuse_marks(protocol: Protocol, turns: list[Turn]) -> list[Diagnostic]:
    """Drop each mark on protocol data, saying so at its line.

    The example stays in the text, so the verifier compares it as written.
    """
    found: list[Diagnostic] = []
    for turn in turns:
        if turn.role is not Role.SERVER:
            continue
        for line in turn.lines:
            if line.marks:
                found += _refuse_in_line(protocol, turn, line)
    return found


def _refuse_in_line(protocol: Protocol, turn: Turn, line: Line) -> list[Diagnostic]:
    regions = protected_regions(protocol, turn, line)
    kept, found = [], []
    for mark in line.marks:
        hit = next(
            (r for r in regions if r.start < mark.end and mark.start < r.end), None
        )
        if hit is None:
            kept.append(mark)
            continue
        example = line.text[mark.start : mark.end]
        found.append(
            Diagnostic(
                line.lineno,
                f"a volatile mark cannot cover {hit.what} "
                f"'{line.text[hit.start : hit.end]}': protocol data is always "
                f"compared, so the mark is dropped and '{example}' is compared "
                f"as written",
                Category.VOLATILE,
            )
        )
    line.marks = kept
    return found
