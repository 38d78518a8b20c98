"""Comparing a message a page shows with the one a server returns (RFC 5322).

What the sender typed must come back: its header fields in the order typed
(servers keep it, RFC 5322 §3.6) and its body. What servers add is theirs to
choose, so it is ignored, presence included: trace fields (``Received``,
``Return-Path``), delivery fields (``Delivered-To``, ``X-Original-To``), and
``Message-Id``, ``Date`` and ``From`` unless the sender typed them in that
message (Postfix adds a ``From:`` when there is none). ``Received`` fields the
sender typed (a relay's, typed by hand) are the sender's: they are the last
ones, and they are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

#: Fields a server adds on delivery; not compared (but the ``Received``
#: fields the sender typed, see :func:`typed_trace`).
SERVER_FIELDS = frozenset({"received", "return-path", "delivered-to", "x-original-to"})
#: The trace field: servers add one each, above those the sender typed.
TRACE_FIELD = "received"
#: Fields a server adds when the sender typed none.
ADDED_IF_MISSING = frozenset({"message-id", "date", "from"})

#: A message as its sender typed it: its header fields, names in lower case.
Sent = tuple[tuple[str, str], ...]

T = TypeVar("T")


@dataclass
class Field(Generic[T]):
    """A header field: its name and its physical lines (the first holds the name)."""

    name: str
    lines: list[T] = field(default_factory=list)


@dataclass
class Message(Generic[T]):
    fields: list[Field[T]]
    body: list[T]
    #: False when no empty line separates header and body (headers only).
    has_body: bool = True


def split_message(lines: Sequence[T], text: Callable[[T], str]) -> Message[T]:
    """Cut lines into header fields (with their folded lines) and body."""
    fields: list[Field[T]] = []
    for index, line in enumerate(lines):
        content = text(line)
        if content == "":
            return Message(fields, list(lines[index + 1 :]))
        if content[:1] in (" ", "\t") and fields:
            fields[-1].lines.append(line)  # a folded continuation line
        else:
            name = content.split(":", 1)[0].strip() if ":" in content else ""
            fields.append(Field(name, [line]))
    return Message(fields, [], has_body=False)


def compared_fields(message: Message[T], typed: frozenset[str]) -> list[Field[T]]:
    """The fields that must agree: all but what servers add."""
    return [
        item
        for item in message.fields
        if item.name.lower() not in SERVER_FIELDS
        and (item.name.lower() not in ADDED_IF_MISSING or item.name.lower() in typed)
    ]


def field_value(item: Field[T], text: Callable[[T], str]) -> str:
    """A field's value, unfolded, with surrounding spaces removed."""
    first, *folded = (text(line) for line in item.lines)
    return " ".join(
        [first.split(":", 1)[-1].strip(), *(line.strip() for line in folded)]
    ).strip()


def sent_message(lines: Sequence[str]) -> Sent:
    """The header fields of a message as its sender typed it."""
    message = split_message(lines, str)
    return tuple(
        (item.name.lower(), field_value(item, str))
        for item in message.fields
        if item.name
    )


def typed_in_shown(
    message: Message[T], text: Callable[[T], str], sent: Sequence[Sent]
) -> frozenset[str]:
    """The fields the sender typed in the message a page shows, when it is known.

    The message is told among those sent by its other fields: every field
    its sender typed (but the ones servers may add) is shown with the same
    value. None found: nothing is known to be typed.
    """
    typed = sent_as(message, text, sent)
    return frozenset(name for name, _ in typed or ())


def typed_trace(
    message: Message[T], text: Callable[[T], str], sent: Sequence[Sent]
) -> int:
    """How many ``Received`` fields the sender of *message* typed: its last
    ones, since each server adds its own above the others (RFC 5321 §4.4).
    0 when the message is none of those sent."""
    typed = sent_as(message, text, sent)
    return sum(1 for name, _ in typed or () if name == TRACE_FIELD)


def sent_as(
    message: Message[T], text: Callable[[T], str], sent: Sequence[Sent]
) -> Sent | None:
    """The message sent that *message* is: the first whose fields it all holds
    with the same values (but the ones servers may add)."""
    fields = {(item.name.lower(), field_value(item, text)) for item in message.fields}
    for typed in sent:
        if all(pair in fields for pair in typed if pair[0] not in ADDED_IF_MISSING):
            return typed
    return None
