"""The pure part of --update: where a reply ends, which lines change, marks carried."""

from __future__ import annotations

import pytest

from telnetmail.core.model import Protocol
from telnetmail.core.parser import parse_transcript
from telnetmail.core.replies import settled
from telnetmail.core.rewrite import apply, carried, gap_at, rewrite


def session(*lines: str) -> list[tuple[str, str]]:
    return [
        tuple(line.split(": ", 1)) if ": " in line else (line[:-1], "")
        for line in lines
    ]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("protocol", "lines", "expected"),
    [
        ("smtp", ["telnet: Trying 127.0.0.1..."], False),  # the greeting is owed
        ("smtp", ["server: 220 x", "client: EHLO a", "server: 250-x"], False),
        (
            "smtp",
            ["server: 220 x", "client: EHLO a", "server: 250-x", "server: 250 y"],
            True,
        ),
        (
            "smtp",
            ["server: 220 x", "client: DATA", "server: 354 go", "client: hi"],
            True,
        ),
        (
            "smtp",
            ["server: 220 x", "client: DATA", "server: 354 go", "client: ."],
            False,
        ),
        ("pop3", ["server: +OK x", "client: LIST", "server: +OK 1"], False),
        ("pop3", ["server: +OK x", "client: LIST 1", "server: +OK 1 2"], True),
        ("pop3", ["server: +OK x", "client: RETR 1", "server: +OK", "server: ."], True),
        ("pop3", ["server: +OK x", "client: RETR 1", "server: -ERR no"], True),
        (
            "imap",
            ["server: * OK x", "client: a SELECT INBOX", "server: * 1 EXISTS"],
            False,
        ),
        (
            "imap",
            ["server: * OK x", "client: a APPEND INBOX {3}", "server: + go"],
            True,
        ),
        (
            "imap",
            [
                "server: * OK x",
                "client: a APPEND INBOX {3}",
                "server: + go",
                "client: abc",
            ],
            False,
        ),
    ],
)
def test_settled(protocol: str, lines: list[str], expected: bool) -> None:
    assert settled(Protocol(protocol), session(*lines)) is expected


PAGE = """\
   telnet: > telnet mx1.example.com imap
   server: * OK ready
   client: a FETCH 1 (FLAGS INTERNALDATE)

   server: * 1 FETCH (FLAGS (\\Seen) INTERNALDATE "{{date@d:27-Nov-2026 11:50:46 +0000}}")
   server: a OK done
   client: b LOGOUT
   server: b OK bye
"""


def test_a_changed_line_keeps_its_mark_and_an_unchanged_reply_is_untouched() -> None:
    source = PAGE.splitlines()
    transcript = parse_transcript(PAGE)
    actual = session(
        "telnet: Trying 127.0.0.1...",
        "server: * OK ready",
        "client: a FETCH 1 (FLAGS INTERNALDATE)",
        'server: * 1 FETCH (FLAGS (\\Recent) INTERNALDATE "30-Nov-2026 19:37:26 +0000")',
        "server: a OK done",
        "client: b LOGOUT",
        "server: * BYE Logging out.",
        "server: b OK bye",
    )
    edits = rewrite(source, Protocol.IMAP, transcript.lines, actual)
    new = apply(source, edits)
    assert new[:4] == source[:4]  # the blank line between turns stays
    assert new[4] == (
        '   server: * 1 FETCH (FLAGS (\\Recent) INTERNALDATE "{{date@d:30-Nov-2026 19:37:26 +0000}}")'
    )
    assert new[5:] == [
        "   server: a OK done",
        "   client: b LOGOUT",
        "   server: * BYE Logging out.",
        "   server: b OK bye",
    ]


def test_a_mark_whose_new_value_does_not_fit_its_kind_goes() -> None:
    line = parse_transcript("server: 250 Ok: queued as {{queue-id:4F2A}}\n").lines[0]
    assert carried(line, "250 Ok: queued as 4F2A3000001") == [
        (18, 29, "queue-id", None)
    ]
    assert carried(line, "250 Ok: queued as <no id>") == []


def test_gap_at_counts_client_lines() -> None:
    lines = parse_transcript(PAGE).lines
    assert gap_at(lines, 2, set()) == 0
    assert gap_at(lines, 5, set()) == 1
    assert gap_at(lines, 3, set()) == 1  # a client line: the reply after it
    assert gap_at(lines, 5, {1}) == 2
    assert gap_at(lines, 8, {2}) is None
