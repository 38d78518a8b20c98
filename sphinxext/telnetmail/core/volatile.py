"""Volatile values: parts of a line that differ from one run to the next.

A page marks them in place, with the value to show::

    server: 250 2.0.0 Ok: queued as {{queue-id@qid:36DC72148F2}}
    server: Date: {{date:Tue, 20 Jan 2004 22:34:24 +0200}}

``{{KIND:example}}`` shows ``example`` and accepts any value of that kind;
``{{KIND@NAME:example}}`` also captures the value as NAME, and every later
mark with the same NAME must receive the same value (the queue id a 250
reply gives must reappear in the ``Received:`` header).
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: What each kind accepts. Kinds are deliberately few and named for what
#: a reader sees, so a page says what varies, not how to match it.
KINDS: dict[str, str] = {
    "date": (
        # A one-digit day may be padded with a space (Postfix, IMAP's date-time).
        r"(?:[A-Z][a-z]{2}, )? ?\d{1,2}[ -][A-Z][a-z]{2}[ -]\d{4} "
        r"\d{2}:\d{2}(?::\d{2})? [+-]\d{4}(?: \([A-Za-z]+\))?"
    ),
    "time": r"\d{1,2}:\d{2}(?::\d{2})?",
    "number": r"\d+",
    "queue-id": r"[A-Za-z0-9][A-Za-z0-9.@_-]*",
    "message-id": r"<?[^<>\s@]+@[^<>\s]+?>?",
    "uidvalidity": r"\d+",
    "host": r"[A-Za-z0-9][A-Za-z0-9.-]*",
    "address": r"[0-9A-Fa-f.:]+",
    "word": r"\S+",
    "text": r".*?",
}

_MARK = re.compile(
    r"\{\{(?P<kind>[a-z][a-z-]*)(?:@(?P<name>[A-Za-z][\w-]*))?:(?P<example>.*?)\}\}"
)


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class Mark(NamedTuple):
    """A volatile value in a line's display text, by character offsets."""

    start: int
    end: int
    kind: str
    name: str | None = None


class VolatileError(ValueError):
    """A mark names a kind that does not exist."""


def extract(text: str) -> tuple[str, list[Mark]]:
    """The text as displayed (examples in place of marks) and where the marks are."""
    if "{{" not in text:
        return text, []  # most lines: no mark can start
    shown: list[str] = []
    marks: list[Mark] = []
    position = 0  # in the display text
    last = 0  # in the source text
    for match in _MARK.finditer(text):
        if match["kind"] not in KINDS:
            known = ", ".join(sorted(KINDS))
            raise VolatileError(
                f"unknown volatile kind {match['kind']!r} (known: {known})"
            )
        before = text[last : match.start()]
        shown.append(before)
        position += len(before)
        example = match["example"]
        marks.append(
            Mark(position, position + len(example), match["kind"], match["name"])
        )
        shown.append(example)
        position += len(example)
        last = match.end()
    shown.append(text[last:])
    return "".join(shown), marks


def pattern(text: str, marks: list[Mark], captured: dict[str, str]) -> re.Pattern[str]:
    """A regex for ``text`` where each mark accepts its kind (or its captured value)."""
    parts: list[str] = []
    last = 0
    for index, mark in enumerate(marks):
        parts.append(re.escape(text[last : mark.start]))
        if mark.name is not None and mark.name in captured:
            parts.append(f"(?P<m{index}>{re.escape(captured[mark.name])})")
        else:
            parts.append(f"(?P<m{index}>{KINDS[mark.kind]})")
        last = mark.end
    parts.append(re.escape(text[last:]))
    return re.compile("".join(parts), re.DOTALL)


def capture(match: re.Match[str], marks: list[Mark], captured: dict[str, str]) -> None:
    """Remember the values named marks received, for the marks after them."""
    for index, mark in enumerate(marks):
        if mark.name is not None:
            captured.setdefault(mark.name, match[f"m{index}"])
