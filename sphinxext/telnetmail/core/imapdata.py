"""IMAP response data as values: atoms, strings, NIL and parenthesized lists.

Enough of RFC 3501 §4 to compare what a page shows with what a server
sends: ``INBOX`` and ``"INBOX"`` are the same string, a literal is a
string, ``(\\Seen \\Answered)`` is a list. Sections such as
``BODY[HEADER.FIELDS (SUBJECT)]<0>`` stay one atom.
"""

from __future__ import annotations

import re
from typing import TypeAlias, TypeVar


class Atom(str):
    """An unquoted atom, number or ``BODY[...]``-style section name."""

    #: Where it stands in the parsed text, in octets (end excluded).
    start: int = 0
    end: int = 0


class String(str):
    """A quoted string or a literal's content."""

    start: int = 0
    end: int = 0
    #: Sent as a literal ``{n}``, not quoted.
    literal: bool = False


_Placed = TypeVar("_Placed", Atom, String)


def _placed(value: _Placed, start: int, end: int) -> _Placed:
    value.start, value.end = start, end
    return value


Value: TypeAlias = Atom | String | None | list["Value"]

_LITERAL = re.compile(r"\{(\d+)\+?\}\r\n")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


class DataError(ValueError):
    """The text is not well-formed IMAP data."""


def parse(text: str) -> list[Value]:
    """Parse a sequence of IMAP values, literals given inline as ``{n}\\r\\n...``."""
    return _Reader(text).values(closing=None)


class _Reader:
    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.position = 0

    def values(self, closing: bytes | None) -> list[Value]:
        found: list[Value] = []
        while True:
            self.skip_spaces()
            if self.position >= len(self.data):
                if closing is not None:
                    raise DataError("a parenthesized list is never closed")
                return found
            char = self.data[self.position : self.position + 1]
            if char == b")":
                if closing is None:
                    raise DataError("')' closes no list")
                self.position += 1
                return found
            found.append(self.value())

    def skip_spaces(self) -> None:
        while self.data[self.position : self.position + 1] in (b" ", b"\r", b"\n"):
            self.position += 1

    def value(self) -> Value:
        char = self.data[self.position : self.position + 1]
        if char == b"(":
            self.position += 1
            return self.values(closing=b")")
        if char == b'"':
            return self.quoted()
        if char == b"{":
            return self.literal()
        return self.atom()

    def quoted(self) -> String:
        text = self.data[self.position :].decode("utf-8", "replace")
        match = _QUOTED.match(text)
        if match is None:
            raise DataError("a quoted string is never closed")
        start = self.position
        self.position += len(match[0].encode("utf-8"))
        return _placed(String(re.sub(r"\\(.)", r"\1", match[1])), start, self.position)

    def literal(self) -> String | Atom | None:
        """A literal ``{n}`` and its n octets, or what the text is instead."""
        text = self.data[self.position : self.position + 24].decode("utf-8", "replace")
        match = _LITERAL.match(text)
        if match is None:
            return self.atom()
        start = self.position + len(match[0].encode("utf-8"))
        end = start + int(match[1])
        if end > len(self.data):
            raise DataError("a literal is cut short")
        self.position = end
        value = String(self.data[start:end].decode("utf-8", "replace"))
        value.literal = True
        return _placed(value, start, end)

    def atom(self) -> Atom | None:
        start = self.position
        depth = 0  # inside [ ] spaces and parentheses belong to the atom
        while self.position < len(self.data):
            char = self.data[self.position : self.position + 1]
            if char == b"[":
                depth += 1
            elif char == b"]":
                depth -= 1
            elif depth <= 0 and char in (b" ", b"(", b")", b"\r", b"\n"):
                break
            self.position += 1
        word = self.data[start : self.position].decode("utf-8", "replace")
        if not word:
            self.position += 1
            raise DataError(f"unexpected {self.data[start : start + 1]!r}")
        if word.upper() == "NIL":
            return None
        return _placed(Atom(word), start, self.position)


def pairs(values: list[Value]) -> dict[str, Value]:
    """A FETCH or STATUS item list ``(NAME value NAME value)`` as a dict."""
    items: dict[str, Value] = {}
    for index in range(0, len(values) - 1, 2):
        name = values[index]
        if isinstance(name, str):
            items[name.upper()] = values[index + 1]
    return items
