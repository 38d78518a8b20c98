"""Static consistency checks: each catches a wrong page at the right line."""

from __future__ import annotations

from seedlesson import seed_sessions

from telnetmail.core.model import Category
from telnetmail.core.parser import parse_lines, parse_transcript


def corrected(section: str, wrong: str, right: str) -> list[tuple[int, str]]:
    return [(n, text.replace(wrong, right)) for n, text in seed_sessions()[section]]


def line_of(session: list[tuple[int, str]], needle: str) -> int:
    return next(n for n, text in session if needle in text)


def test_seed_pop3_message_is_440_octets_not_1801():
    session = seed_sessions()["POP3"]
    found = parse_lines(session).diagnostics
    assert [(d.lineno, d.category) for d in found] == [
        (line_of(session, "server: 1 1801"), Category.CONSISTENCY),
        (line_of(session, "+OK 1801 octets"), Category.CONSISTENCY),
    ]
    assert "shows 440 octets" in found[0].message
    assert "says 1801 octets" in found[1].message and "440 octets" in found[1].message


def test_seed_pop3_corrected_to_440_octets_passes():
    assert parse_lines(corrected("POP3", "1801", "440")).diagnostics == []


def test_seed_imap_literal_is_443_octets_not_405():
    session = seed_sessions()["IMAP"]
    [diagnostic] = parse_lines(session).diagnostics
    assert diagnostic.lineno == line_of(session, "{405}")
    assert "{405}" in diagnostic.message and "443 octets" in diagnostic.message


def test_seed_imap_corrected_to_443_octets_passes():
    assert parse_lines(corrected("IMAP", "{405}", "{443}")).diagnostics == []


def test_list_n_on_one_line_is_checked_against_retr():
    transcript = parse_transcript(
        "C: LIST 1\nS: +OK 1 99\nC: RETR 1\nS: +OK\nS: Hi\nS: .", protocol="pop3"
    )
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 2
    assert "4 octets" in diagnostic.message


def test_sizes_count_dot_stuffed_lines_as_received():
    # ".." on the wire is "." in the message: 3 octets with CRLF.
    transcript = parse_transcript(
        "C: LIST\nS: +OK\nS: 1 3\nS: .\nC: RETR 1\nS: +OK 3 octets\nS: ..\nS: .",
        protocol="pop3",
    )
    assert transcript.diagnostics == []


def test_stat_is_checked_against_a_full_listing():
    transcript = parse_transcript(
        "C: LIST\nS: +OK\nS: 1 120\nS: 2 200\nS: .\nC: STAT\nS: +OK 2 300",
        protocol="pop3",
    )
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 7
    assert "2 messages, 320 octets" in diagnostic.message


def test_stat_after_dele_is_not_compared_with_the_old_listing():
    transcript = parse_transcript(
        "C: LIST\nS: +OK\nS: 1 120\nS: 2 200\nS: .\nC: DELE 1\nS: +OK\nC: STAT\nS: +OK 1 200",
        protocol="pop3",
    )
    assert transcript.diagnostics == []


def test_narrated_messages_have_no_size_to_check():
    transcript = parse_transcript(
        "C: RETR 1\nS: +OK 120 octets\nS: <the server sends message 1>\nS: .",
        protocol="pop3",
    )
    assert transcript.diagnostics == []


def test_diagnostics_come_in_line_order():
    transcript = parse_transcript(
        "C: a1 NOOP\nS: a7 OK\nS: * 1 FETCH (BODY[] {99}\nS: x\nS: )\nS: a8 OK",
        protocol="imap",
    )
    assert [d.lineno for d in transcript.diagnostics] == [2, 3, 6]
