"""What every protocol's matching rules share: modes, context, mismatches, lines.

Pure: no sockets, no pexpect. A page line is compared with a received line
character for character except where the page marks a volatile value
(:mod:`telnetmail.core.volatile`); named marks capture the value they
receive, and every later mark of that name must receive it again, in every
mode and wherever the line stands (:func:`enforce_names`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from typing import Protocol as Interface

from telnetmail.core import volatile
from telnetmail.core.messages import Sent
from telnetmail.core.modes import Mode

if TYPE_CHECKING:
    from telnetmail.core.matching.sizes import SizeLedger
    from telnetmail.core.model import Line, Turn


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
    #: The sizes the current session shows, checked when it ends.
    sizes: SizeLedger | None = None


#: A failure found while comparing: the page line (or its number) and why.
Failure = tuple["Line | int", str]

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


def value_matches(kind: str, name: str | None, value: str, context: Context) -> bool:
    """One marked value on its own (an IMAP string, a field): kind and capture."""
    if name is not None and name in context.captured:
        return value == context.captured[name]
    if re.fullmatch(volatile.KINDS[kind], value, re.DOTALL) is None:
        return False
    if name is not None:
        context.captured[name] = value
    return True


def enforce_names(expected: Textual, received: str, context: Context) -> str | None:
    """Named marks hold in every mode, even in text the mode does not compare.

    The whole line is tried first; when the server words the rest of the
    line otherwise, each named value is looked for between the words that
    surround its mark on the page. Returns why it fails, or None.
    """
    named = [mark for mark in expected.marks if mark.name is not None]
    if not named or line_matches(expected, received, context):
        return None
    for mark in named:
        if not _find_named(expected.text, mark, received, context):
            return (
                f"the value named {mark.name!r} is not in the server's line "
                f"{received!r}"
            )
    return None


def _find_named(
    text: str, mark: volatile.Mark, received: str, context: Context
) -> bool:
    assert mark.name is not None
    known = context.captured.get(mark.name)
    value = re.escape(known) if known is not None else volatile.KINDS[mark.kind]
    before = text[: mark.start].split()[-1:] if text[: mark.start].strip() else []
    after = text[mark.end :].split()[:1]
    lead = text[: mark.start][-1:] if text[: mark.start][-1:].isspace() else ""
    trail = text[mark.end :][:1] if text[mark.end :][:1].isspace() else ""
    pattern = (
        (re.escape(before[0]) + re.escape(lead) if before else r"(?:^|(?<=\s))")
        + f"(?P<value>{value})"
        + (re.escape(trail) + re.escape(after[0]) if after else r"(?=\s|$)")
    )
    if not before and not after and known is None:
        return False  # nothing on the page tells where the value stands
    found = re.search(pattern, received)
    if found is None:
        return False
    context.captured.setdefault(mark.name, found["value"])
    return True


def enforce_turn_names(
    expected: Turn, received: Turn, context: Context
) -> Failure | None:
    """Named marks on a reply's own lines; carried content has its own comparison.

    A reply without content pairs its lines in order (an SMTP multi-line
    reply); one with content (a message, a literal) has its first line.
    """
    count = 1 if expected.payload else len(expected.lines)
    for line, got in zip(expected.lines[:count], received.lines[:count]):
        reason = enforce_names(line, got.text, context)
        if reason is not None:
            return line, reason
    return None
