"""Rewrite a transcript's server lines with what the server really sent.

For ``telnetmail check --update``. Only ``server:`` lines change: client
lines, telnet's lines, options, comments, blank lines and narration stay
as written, where they are. Between two client lines, the page's server
lines are paired with the server's (:mod:`difflib`): a line that still
matches is kept as written; a changed line keeps its marks (and their
capture names) where the new value still fits the mark's kind, and new
varying values are marked as ``record`` marks them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from telnetmail.core.marking import value_spans, with_marks
from telnetmail.core.model import Line, Protocol, Role
from telnetmail.core.recording import PageLine
from telnetmail.core.volatile import KINDS, pattern

T = TypeVar("T")

_ROLE_PREFIX = re.compile(r"(?P<role>\s*[A-Za-z]+:)(?P<space>\s*)")


class NeedsClient(Exception):
    """The new session cannot be written with the page's client lines."""


@dataclass
class Edit:
    """Source lines ``first``..``last`` (1-based, inclusive) become ``new``;
    ``last`` = ``first`` - 1 inserts before line ``first``."""

    first: int
    last: int
    new: list[str]
    #: For a line of ``new`` (by index) that replaces a page line, that line
    #: as the author wrote it: to keep, should the verifier accept it still.
    was: dict[int, str] = field(default_factory=dict)


def rewrite(
    source: list[str],
    protocol: Protocol,
    page: list[Line],
    actual: list[PageLine],
    typed: frozenset[str] = frozenset(),
    only: set[int] | None = None,
) -> list[Edit]:
    """The edits that make ``page``'s server lines say what ``actual`` says,
    in the gaps numbered ``only`` (all by default): see :func:`gap_at`."""
    page_gaps = list(_gaps([(line.role.value, line) for line in page]))
    actual_gaps = list(_gaps(actual))
    if len(page_gaps) != len(actual_gaps):
        raise NeedsClient("the server's session and the page type different lines")
    prefix = _server_prefix(source, page)
    edits: list[Edit] = []
    commands = _commands(actual)
    for index, (shown, said) in enumerate(zip(page_gaps, actual_gaps, strict=True)):
        if only is not None and index not in only:
            continue
        servers = [line for _, line in shown if line.role is Role.SERVER]
        got = [text for role, text in said if role == "server"]
        marker = Marker(protocol, commands[index], typed)
        if any(line.is_placeholder for line in servers):
            continue  # narration stands for what it tells: left to the author
        anchor = _anchor(shown, page, index)
        edits += _gap_edits(source, servers, got, anchor, prefix, marker)
    return edits


def gap_at(page: list[Line], lineno: int, done: set[int]) -> int | None:
    """The gap a failure at ``lineno`` is in (gap *n* follows the *n*-th client
    line), or the next one not in ``done``; None past the last."""
    clients = [line.lineno for line in page if line.role is Role.CLIENT]
    gap = sum(1 for client in clients if client <= lineno)
    while gap in done:
        gap += 1
    return gap if gap <= len(clients) else None


def _gaps(lines: list[tuple[str, T]]) -> Iterator[list[tuple[str, T]]]:
    """The lines between two client lines (before the first, after the last)."""
    gap: list[tuple[str, T]] = []
    for role, item in lines:
        if role == "client":
            yield gap
            gap = []
        else:
            gap.append((role, item))
    yield gap


def _commands(actual: list[PageLine]) -> list[str]:
    """For each gap, the verb the client typed just before it."""
    verbs = ["greeting"]
    verbs += [
        text.split()[0].upper() if text.split() else ""
        for role, text in actual
        if role == "client"
    ]
    return verbs


def _server_prefix(source: list[str], page: list[Line]) -> str:
    """How the page writes a server line's start: ``   server: ``."""
    for line in page:
        if line.role is Role.SERVER:
            match = _ROLE_PREFIX.match(source[line.lineno - 1])
            if match is not None:
                return match["role"] + (" " if match["space"] else "")
    raw = source[page[0].lineno - 1]
    return raw[: len(raw) - len(raw.lstrip())] + "server: "


def _anchor(shown: list[tuple[str, Line]], page: list[Line], index: int) -> int:
    """The line before which a gap without server lines gets them."""
    telnets = [line for _, line in shown]
    if index == 0 and telnets:
        return telnets[-1].lineno + 1  # after telnet's banner
    clients = [line for line in page if line.role is Role.CLIENT]
    if index == 0:
        return clients[0].lineno if clients else page[-1].lineno + 1
    return clients[index - 1].lineno + 1


def _gap_edits(
    source: list[str],
    servers: list[Line],
    got: list[str],
    anchor: int,
    prefix: str,
    marker: Marker,
) -> list[Edit]:
    if not servers:
        return (
            [Edit(anchor, anchor - 1, [prefix + marker.mark(text) for text in got])]
            if got
            else []
        )
    shown = [line.text for line in servers]
    edits: list[Edit] = []
    opcodes = difflib.SequenceMatcher(None, shown, got, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        old = servers[i1:i2]
        edit = (
            Edit(old[0].lineno, old[-1].lineno, []) if old else _insertion(servers, i1)
        )
        for index, (partner, text) in enumerate(_pairs(old, got[j1:j2])):
            edit.new.append(_line(source, prefix, partner, text, marker))
            if partner is not None and edit.new[-1] != source[partner.lineno - 1]:
                edit.was[index] = source[partner.lineno - 1]
        edits.append(edit)
    return edits


def _insertion(servers: list[Line], at: int) -> Edit:
    """An empty edit before the page's server line ``at`` (after the last)."""
    lineno = servers[at].lineno if at < len(servers) else servers[-1].lineno + 1
    return Edit(lineno, lineno - 1, [])


#: How alike (difflib's ratio) a page line and a server line must be for
#: the server's line to take the page line's marks.
ALIKE = 0.6


def _pairs(old: list[Line], new: list[str]) -> list[tuple[Line | None, str]]:
    """Each new line with the page line it replaces: one that still matches
    it, else the most alike (if alike enough), else none."""
    free = list(old)
    pairs: list[tuple[Line | None, str]] = []
    for text in new:
        partner = next((line for line in free if _still(line, text)), None)
        if partner is None:
            best = max(free, key=lambda line: _ratio(line.text, text), default=None)
            partner = best if best and _ratio(best.text, text) >= ALIKE else None
        if partner is not None:
            free.remove(partner)
        pairs.append((partner, text))
    return pairs


def _still(line: Line, text: str) -> bool:
    """Whether the page line, marks and all, matches the server's line."""
    return pattern(line.text, line.marks, {}).fullmatch(text) is not None


def _ratio(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, old, new, autojunk=False).ratio()


def _line(
    source: list[str], prefix: str, old: Line | None, text: str, marker: Marker
) -> str:
    if old is None:
        return prefix + marker.mark(text)
    raw = source[old.lineno - 1]
    match = _ROLE_PREFIX.match(raw)
    head = match["role"] + (" " if match["space"] else "") if match else prefix
    if _still(old, text):
        return raw  # still right as written
    return head + marker.mark(text, carried(old, text))


#: Characters of text either side of a mark that place it in a new line.
ANCHOR = 12


def carried(old: Line, text: str) -> list[tuple[int, int, str, str | None]]:
    """``old``'s marks placed in ``text``, each where the text around it is
    the same and its new value fits its kind."""
    kept: list[tuple[int, int, str, str | None]] = []
    cursor = 0
    for index, mark in enumerate(old.marks):
        left = old.text[old.marks[index - 1].end if index else 0 : mark.start]
        after = (
            old.marks[index + 1].start if index + 1 < len(old.marks) else len(old.text)
        )
        left, right = left[-ANCHOR:], old.text[mark.end : after][:ANCHOR]
        start = text.find(left, cursor)
        if start < 0:
            continue
        start += len(left)
        end = text.find(right, start) if right else len(text)
        if end < 0 or not re.fullmatch(KINDS[mark.kind], text[start:end]):
            continue
        kept.append((start, end, mark.kind, mark.name))
        cursor = end
    return kept


class Marker:
    """Marks a new server line as ``record`` would, around marks kept."""

    def __init__(self, protocol: Protocol, command: str, typed: frozenset[str]) -> None:
        self.protocol = protocol
        self.command = command
        self.typed = typed

    def mark(
        self, text: str, kept: list[tuple[int, int, str, str | None]] | None = None
    ) -> str:
        kept = kept or []
        if text in self.typed:
            return text
        taken = [(start, end) for start, end, _, _ in kept]
        found = value_spans(self.protocol, text, self.command, taken)
        return with_marks(text, kept + [(s, e, kind, None) for s, e, kind in found])


def apply(source: list[str], edits: list[Edit]) -> list[str]:
    """``source`` with ``edits`` made (they must not overlap)."""
    out = list(source)
    for edit in sorted(edits, key=lambda edit: (edit.first, edit.last), reverse=True):
        out[edit.first - 1 : edit.last] = edit.new
    return out
