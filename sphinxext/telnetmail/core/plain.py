"""Plain-text forms of a transcript, for outputs that have no styling."""

from __future__ import annotations

from collections.abc import Iterable

from telnetmail.core.model import Line, Role

#: RFC example sessions mark lines ``C:`` and ``S:``; telnet's own lines are
#: the terminal's, so they stand unmarked, aligned with the rest.
PLAIN_PREFIXES: dict[Role, str] = {
    Role.CLIENT: "C: ",
    Role.SERVER: "S: ",
    Role.TELNET: "   ",
}


def format_prefixed(lines: Iterable[Line]) -> str:
    """The dialogue with ``C:``/``S:`` prefixes, one line per line."""
    return "\n".join(
        [(PLAIN_PREFIXES[line.role] + line.text).rstrip() for line in lines]
    )


def format_window(lines: Iterable[Line]) -> str:
    """The dialogue as the telnet window shows it: no roles, just the text."""
    return "\n".join([line.text for line in lines])


def client_input(lines: Iterable[Line]) -> str:
    """What the user types, ready to paste into telnet."""
    return "".join([line.text + "\n" for line in lines if line.role is Role.CLIENT])
