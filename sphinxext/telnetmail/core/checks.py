"""Static consistency checks: what a page can get wrong by itself.

The dialects already report what they see line by line (a reply never
terminated, a tag never sent, an IMAP literal of the wrong size). The checks
here compare turns with each other: a POP3 message's size as ``RETR`` shows
it against what ``+OK n octets``, ``LIST`` and ``STAT`` say of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from telnetmail.core.model import (
    Category,
    Diagnostic,
    Protocol,
    Role,
    Transcript,
    Turn,
    is_placeholder,
    octets,
)

_OCTETS = re.compile(r"\s*(?P<size>\d+)\s+octets\b", re.IGNORECASE)

#: Commands after which message numbers or sizes may no longer hold.
_CHANGES_MAILDROP = frozenset({"DELE", "RSET", "QUIT"})


def check(transcript: Transcript) -> list[Diagnostic]:
    if transcript.protocol is Protocol.POP3:
        return list(_check_pop3_sizes(transcript.turns))
    return []


def _verb(turn: Turn | None) -> str:
    return (turn.verb or "").upper() if turn else ""


def _message_number(command: Turn | None) -> str | None:
    word = (command.args.split() or [None])[0] if command else None
    return word if word and word.isdigit() else None


def _check_pop3_sizes(turns: list[Turn]) -> Iterator[Diagnostic]:
    sizes = _retrieved_sizes(turns)
    for turn in turns:
        if turn.role is not Role.SERVER or turn.status != "+OK":
            continue
        verb = _verb(turn.answers)
        if verb == "RETR":
            yield from _check_octets_line(turn, sizes)
        elif verb == "LIST":
            yield from _check_scan_listing(turn, sizes)
    yield from _check_stat(turns)


def _retrieved_sizes(turns: list[Turn]) -> dict[str, int]:
    """The size of each message a complete ``RETR`` reply shows, by number."""
    sizes: dict[str, int] = {}
    for turn in turns:
        number = _message_number(turn.answers)
        if (
            _verb(turn.answers) == "RETR"
            and turn.complete
            and number
            and turn.payload
            and not any(is_placeholder(line.text) for line in turn.payload)
        ):
            sizes[number] = octets(line.text for line in turn.payload)
    return sizes


def _check_octets_line(turn: Turn, sizes: dict[str, int]) -> Iterator[Diagnostic]:
    status_line = turn.lines[0]
    match = _OCTETS.match(status_line.text[len("+OK") :])
    number = _message_number(turn.answers)
    if match is None or number not in sizes:
        return
    said, shown = int(match["size"]), sizes[number]
    if said != shown:
        yield Diagnostic(
            status_line.lineno,
            f"RETR {number} says {said} octets, but the message shown is "
            f"{shown} octets (each line ends with CRLF, dot-stuffing undone)",
            Category.CONSISTENCY,
        )


def _scan_entries(turn: Turn) -> Iterator[tuple[int, str, int]]:
    """``(lineno, number, size)`` of each scan listing in a LIST reply."""
    if turn.answers is not None and turn.answers.args:
        # LIST n: the listing is on the status line itself.
        candidates = [(turn.lines[0].lineno, turn.lines[0].text[len("+OK") :])]
    else:
        candidates = [(line.lineno, line.text) for line in turn.payload]
    for lineno, text in candidates:
        words = text.split()
        if len(words) >= 2 and words[0].isdigit() and words[1].isdigit():
            yield lineno, words[0], int(words[1])


def _check_scan_listing(turn: Turn, sizes: dict[str, int]) -> Iterator[Diagnostic]:
    for lineno, number, said in _scan_entries(turn):
        shown = sizes.get(number)
        if shown is not None and shown != said:
            yield Diagnostic(
                lineno,
                f"LIST gives message {number} {said} octets, but RETR {number} "
                f"shows {shown} octets (each line ends with CRLF)",
                Category.CONSISTENCY,
            )


def _check_stat(turns: list[Turn]) -> Iterator[Diagnostic]:
    """STAT's count and total against a full LIST with no change in between."""
    listing: list[tuple[int, str, int]] | None = None
    for turn in turns:
        verb = _verb(turn) if turn.role is Role.CLIENT else ""
        if verb in _CHANGES_MAILDROP:
            listing = None
        if turn.role is not Role.SERVER or turn.status != "+OK":
            continue
        answered = _verb(turn.answers)
        if answered == "LIST" and not turn.answers.args and turn.complete:
            listing = list(_scan_entries(turn))
        elif answered == "STAT" and listing is not None:
            yield from _compare_stat(turn, listing)


def _compare_stat(
    turn: Turn, listing: list[tuple[int, str, int]]
) -> Iterator[Diagnostic]:
    words = turn.lines[0].text[len("+OK") :].split()
    if len(words) < 2 or not (words[0].isdigit() and words[1].isdigit()):
        return
    count, total = len(listing), sum(size for _, _, size in listing)
    if (int(words[0]), int(words[1])) != (count, total):
        yield Diagnostic(
            turn.lines[0].lineno,
            f"STAT says {words[0]} messages, {words[1]} octets, but LIST shows "
            f"{count} messages, {total} octets",
            Category.CONSISTENCY,
        )
