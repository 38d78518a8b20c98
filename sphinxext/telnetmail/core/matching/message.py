"""Comparing a message a page shows with the one a server sends.

What the sender typed must come back whole: its header fields in the order
typed and every line of the body, with the empty line between them. What
the server adds is its own to choose (see :mod:`telnetmail.core.messages`):
those fields are ignored, their presence included, except for the values
named marks capture. A page that shows only part of a whole message (a
``RETR`` with the headers alone) differs from it: ``TOP n 0`` shows the
headers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telnetmail.core.matching.base import Context, Textual, enforce_names, line_matches
from telnetmail.core.messages import (
    Field,
    Message,
    compared_fields,
    split_message,
    typed_in_shown,
)
from telnetmail.core.model import octets

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
    added_delta: int = 0


@dataclass
class Plain:
    """A page line without marks, for content known only as a value."""

    lineno: int
    text: str
    marks: tuple = ()


def compare_message(
    expected: Sequence[Textual], received: list[str], context: Context, part: Part
) -> Compared:
    """Compare a message (or its header or text) shown on the page with one received."""
    if part == "text":
        return Compared(_compare_lines(list(expected), received, context, "the body"))
    shown = split_message(list(expected), _text)
    got = split_message(received, str)
    typed = typed_in_shown(shown, _text, context.sent)
    failure = _compare_fields(shown, got, typed, context) or _compare_body(
        shown, got, part, context, expected
    )
    return Compared(failure, _added_octets(got, typed) - _added_octets(shown, typed))


def _text(line: Textual) -> str:
    return line.text


def _compare_fields(
    shown: Message, got: Message, typed: frozenset[str], context: Context
) -> tuple[int, str] | None:
    shown_fields = compared_fields(shown, typed)
    got_fields = compared_fields(got, typed)
    if [f.name.lower() for f in shown_fields] != [f.name.lower() for f in got_fields]:
        where = shown_fields[0].lines[0].lineno if shown_fields else _first(shown)
        return where, (
            f"header fields {_names(got_fields)} where the page shows "
            f"{_names(shown_fields)}"
        )
    for shown_field, got_field in zip(shown_fields, got_fields, strict=True):
        failure = _compare_lines(
            shown_field.lines, got_field.lines, context, f"the {shown_field.name} field"
        )
        if failure is not None:
            return failure
    return _enforce_in_added(shown, got, typed, context)


def _names(fields: list[Field]) -> str:
    return ", ".join(item.name for item in fields) or "(none)"


def _first(message: Message) -> int:
    lines = [line for item in message.fields for line in item.lines] + message.body
    return lines[0].lineno if lines else 0


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
            return item.lines[0].lineno, f"the server's message has no {item.name} field here"
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
    expected: Sequence[Textual],
) -> tuple[int, str] | None:
    last = expected[-1].lineno if expected else 0  # type: ignore[attr-defined]
    if shown.has_body or not got.has_body:
        return _compare_lines(shown.body, got.body, context, "the body", last)
    if part == "header":
        return last, "the header ends with an empty line, which the page leaves out"
    return last, (
        "the page leaves out the empty line that ends the header, and what "
        "follows it, which the server sends"
    )


def _compare_lines(
    shown: list, got: list[str], context: Context, what: str, end: int = 0
) -> tuple[int, str] | None:
    """Line by line; ``end`` is the page line after which an empty part stands."""
    for index, line in enumerate(shown):
        if index >= len(got):
            return line.lineno, f"{what} ends before this line"
        if not line_matches(line, got[index], context):
            return line.lineno, f"{what} differs: the server has {got[index]!r}"
    if len(got) > len(shown):
        where = shown[-1].lineno if shown else end
        return where, f"{what} goes on after this line: the server has {got[len(shown)]!r}"
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
