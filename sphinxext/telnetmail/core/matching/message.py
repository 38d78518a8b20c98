"""Comparing a message a page shows with the one a server sends.

What the sender typed must come back whole: its header fields in the order
typed and every line of the body, with the empty line between them. What
the server adds is its own to choose (see :mod:`telnetmail.core.messages`):
those fields are ignored, their presence included, except for the values
named marks capture; the ``Received`` fields the sender typed are compared. A page that shows only part of a whole message (a
``RETR`` with the headers alone) differs from it: ``TOP n 0`` shows the
headers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telnetmail.core.matching.base import Context, Textual, enforce_names, line_matches
from telnetmail.core.messages import (
    TRACE_FIELD,
    Field,
    Message,
    compared_fields,
    split_message,
    typed_in_shown,
    typed_trace,
)
from telnetmail.core.model import is_placeholder, octets

#: ``full``: header and body; ``header``: header fields and the empty line;
#: ``text``: the body alone.
Part = str


@dataclass
class Compared:
    """What comparing one message found."""

    #: The first difference: page line and reason; None when they agree.
    failure: tuple[int, str] | None
    #: Octets of the fields the server adds, as the server sent them minus
    #: as the page shows them: the one difference sizes may show.
    added_delta: int | None = 0


@dataclass
class Plain:
    """A page line without marks, for content known only as a value."""

    lineno: int
    text: str
    marks: tuple = ()


def compare_message(
    expected: Sequence[Textual],
    received: list[str],
    context: Context,
    part: Part,
    fallback: int = 0,
) -> Compared:
    """Compare a message (or its header or text) shown on the page with one received.

    ``fallback`` is the page line to blame when the page shows no line of it.
    A page that narrates the message (``<the server sends message 1>``) shows
    none of it: nothing is compared, nothing measured.
    """
    if any(is_placeholder(line.text) for line in expected):
        return Compared(None, None)
    last = expected[-1].lineno if expected else fallback  # type: ignore[attr-defined]
    if part == "text":
        return Compared(
            _compare_lines(list(expected), received, context, "the body", last, False)
        )
    shown = split_message(list(expected), _text)
    got = split_message(received, str)
    typed = typed_in_shown(shown, _text, context.sent)
    # What the sender typed does not vary: no mark stands in for any of it.
    marks = not typed
    failure = _compare_fields(shown, got, typed, context, marks, last) or _compare_body(
        shown, got, part, context, last, marks
    )
    return Compared(failure, _added_octets(got, typed) - _added_octets(shown, typed))


def _text(line: Textual) -> str:
    return line.text


def _compare_fields(
    shown: Message,
    got: Message,
    typed: frozenset[str],
    context: Context,
    marks: bool,
    last: int,
) -> tuple[int, str] | None:
    shown_fields = compared_fields(shown, typed)
    got_fields = compared_fields(got, typed)
    for index, shown_field in enumerate(shown_fields):
        other = got_fields[index] if index < len(got_fields) else None
        if other is None or other.name.lower() != shown_field.name.lower():
            return shown_field.lines[0].lineno, _field_names(got_fields, shown_fields)
        failure = _compare_lines(
            shown_field.lines,
            other.lines,
            context,
            f"the {shown_field.name} field",
            marks=marks,
        )
        if failure is not None:
            return failure
    if len(got_fields) > len(shown_fields):
        where = shown_fields[-1].lines[-1].lineno if shown_fields else last
        return where, _field_names(got_fields, shown_fields)
    return _compare_typed_trace(shown, got, context, last) or _enforce_in_added(
        shown, got, typed, context
    )


def _compare_typed_trace(
    shown: Message, got: Message, context: Context, last: int
) -> tuple[int, str] | None:
    """The ``Received`` fields the sender typed, the last ones of the server's
    message, must be the page's last ones, as typed: they are not the server's
    to choose. Those the server added above them are not compared."""
    count = typed_trace(got, str, context.sent)
    if not count:
        return None
    shown_trace = [item for item in shown.fields if item.name.lower() == TRACE_FIELD]
    got_trace = [item for item in got.fields if item.name.lower() == TRACE_FIELD]
    if len(shown_trace) < count:
        where = shown_trace[0].lines[0].lineno if shown_trace else last
        return where, (
            f"the sender typed {count} Received field(s), which the server keeps "
            f"below its own; the page shows {len(shown_trace)} in all"
        )
    for mine, theirs in zip(shown_trace[-count:], got_trace[-count:]):
        failure = _compare_lines(
            mine.lines,
            theirs.lines,
            context,
            "the Received field the sender typed",
            marks=False,
        )
        if failure is not None:
            return failure
    return None


def _field_names(got: list[Field], shown: list[Field]) -> str:
    return f"header fields {_names(got)} where the page shows {_names(shown)}"


def _names(fields: list[Field]) -> str:
    return ", ".join(item.name for item in fields) or "(none)"


def _enforce_in_added(
    shown: Message, got: Message, typed: frozenset[str], context: Context
) -> tuple[int, str] | None:
    """A named mark in a server-added field (a queue id in ``Received:``) still holds."""
    compared = {id(item) for item in compared_fields(shown, typed)}
    seen: dict[str, int] = {}
    for item in shown.fields:
        occurrence = seen[item.name.lower()] = seen.get(item.name.lower(), -1) + 1
        if id(item) in compared or not any(line.marks for line in item.lines):
            continue
        same = [g for g in got.fields if g.name.lower() == item.name.lower()]
        if occurrence >= len(same):
            return item.lines[
                0
            ].lineno, f"the server's message has no {item.name} field here"
        for line, received in zip(item.lines, same[occurrence].lines):
            reason = enforce_names(line, received, context)
            if reason is not None:
                return line.lineno, reason
    return None


def _compare_body(
    shown: Message,
    got: Message,
    part: Part,
    context: Context,
    last: int,
    marks: bool,
) -> tuple[int, str] | None:
    if shown.has_body or not got.has_body:
        return _compare_lines(shown.body, got.body, context, "the body", last, marks)
    if part == "header":
        return last, "the header ends with an empty line, which the page leaves out"
    return last, (
        "the page leaves out the empty line that ends the header, and what "
        "follows it, which the server sends"
    )


def _compare_lines(
    shown: list,
    got: list[str],
    context: Context,
    what: str,
    after: int = 0,
    marks: bool = True,
) -> tuple[int, str] | None:
    """Line by line; ``after`` is the page line to blame when ``shown`` is empty;
    without ``marks``, every line is compared as written."""
    for index, line in enumerate(shown):
        if index >= len(got):
            return line.lineno, f"{what} ends before this line"
        written = line if marks else Plain(line.lineno, line.text)
        if not line_matches(written, got[index], context):
            return line.lineno, f"{what} differs: the server has {got[index]!r}"
    if len(got) > len(shown):
        where = shown[-1].lineno if shown else after
        return (
            where,
            f"{what} goes on after this line: the server has {got[len(shown)]!r}",
        )
    return None


def _added_octets(message: Message, typed: frozenset[str]) -> int:
    """Octets, CRLF included, of the fields the comparison leaves to the server."""
    compared = {id(item) for item in compared_fields(message, typed)}
    return octets(
        _plain_text(line)
        for item in message.fields
        if id(item) not in compared
        for line in item.lines
    )


def _plain_text(line: object) -> str:
    return line if isinstance(line, str) else line.text  # type: ignore[attr-defined]
