"""The pure part of recording: wire bytes to page lines, marks, names."""

from __future__ import annotations

from telnetmail.core.marking import mark_session, unmarked
from telnetmail.core.model import Protocol
from telnetmail.core.recording import (
    Chunk,
    propose_name,
    render_block,
    telnet_lines,
    wire_lines,
)


def test_lines_are_cut_where_they_end_whatever_the_chunks() -> None:
    chunks = [
        Chunk("server", b"220 mx1 ESMTP\r\n250-a"),
        Chunk("client", b"EHLO x\r"),
        Chunk("server", b"\r\n250 b\r\n"),
        Chunk("client", b"\nQUIT\r\n"),
        Chunk("server", b"221\tBye  \r\n"),
    ]
    assert wire_lines(chunks) == [
        ("server", "220 mx1 ESMTP"),
        ("server", "250-a"),
        ("server", "250 b"),
        ("client", "EHLO x"),
        ("client", "QUIT"),
        ("server", "221 Bye"),  # a tab is one space, trailing spaces go
    ]


def test_telnet_names_the_host_typed_and_says_whether_the_server_closed() -> None:
    terminal = (
        "Trying 127.0.0.1...\r\nConnected to 127.0.0.1.\r\n"
        "Escape character is '^]'.\r\n220 x\r\nQUIT\r\n"
        "Connection closed by foreign host.\r\n"
    )
    opening, closed = telnet_lines(terminal, "mx1.example.com")
    assert opening == [
        "Trying 127.0.0.1...",
        "Connected to mx1.example.com.",
        "Escape character is '^]'.",
    ]
    assert closed


def test_counts_sizes_and_flags_are_never_marked() -> None:
    lines = [
        ("server", "+OK Dovecot ready."),
        ("client", "STAT"),
        ("server", "+OK 2 720"),
        ("client", "LIST"),
        ("server", "+OK 2 messages:"),
        ("server", "1 360"),
        ("server", "."),
        ("client", "UIDL"),
        ("server", "+OK"),
        ("server", "1 000000013A220DB9"),
        ("server", "."),
    ]
    marked = mark_session(Protocol.POP3, lines)
    assert marked[2] == ("server", "+OK 2 720")
    assert marked[5] == ("server", "1 360")
    assert marked[9] == ("server", "1 {{word:000000013A220DB9}}")


def test_a_value_shown_twice_is_captured_and_typed_content_is_not_marked() -> None:
    lines = [
        ("server", "250 2.0.0 Ok: queued as 4F2A3000001"),
        ("server", "  by mx1.example.com (Postfix) with ESMTP id 4F2A3000001"),
        ("server", "Date: Mon, 30 Nov 2026 19:31:34 +0000"),
        ("server", "* OK [UIDVALIDITY 975458607] UIDs valid"),
    ]
    typed = frozenset({"Date: Mon, 30 Nov 2026 19:31:34 +0000"})
    marked = [text for _, text in mark_session(Protocol.IMAP, lines, typed)]
    assert marked == [
        "250 2.0.0 Ok: queued as {{queue-id@coda1:4F2A3000001}}",
        "  by mx1.example.com (Postfix) with ESMTP id {{queue-id@coda1:4F2A3000001}}",
        "Date: Mon, 30 Nov 2026 19:31:34 +0000",
        "* OK [UIDVALIDITY {{uidvalidity:975458607}}] UIDs valid",
    ]
    assert unmarked(marked[3]) == "* OK [UIDVALIDITY {{uidvalidity}}] UIDs valid"


def test_dovecot_timings_are_marked_as_text() -> None:
    lines = [
        ("client", "a NOOP"),
        ("server", "a OK NOOP completed (0.001 + 0.000 secs)."),
    ]
    marked = mark_session(Protocol.IMAP, lines)
    assert marked[1] == ("server", "a OK NOOP completed ({{text:0.001 + 0.000 secs}}).")


def test_names_say_what_the_dialogue_does_and_are_unique() -> None:
    verbs = ["HELO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert propose_name(Protocol.SMTP, verbs) == "smtp-mail-rcpt-data"
    taken = ["smtp-mail-rcpt-data", "smtp-mail-rcpt-data-2"]
    assert propose_name(Protocol.SMTP, verbs, taken) == "smtp-mail-rcpt-data-3"
    assert propose_name(Protocol.IMAP, ["LOGIN", "UID FETCH"]) == "imap-uid-fetch"


def test_block_layout() -> None:
    block = render_block(
        [("telnet", "> telnet mx1 smtp"), ("client", "")],
        {"name": "n", "caption": "c", "protocol": "", "after": ""},
    )
    assert block == (
        ".. transcript::\n   :name: n\n   :caption: c\n\n"
        "   telnet: > telnet mx1 smtp\n   client:\n"
    )


def test_a_myst_page_gets_a_fence() -> None:
    block = render_block(
        [("telnet", "> telnet mx1 smtp"), ("server", "220 mx1")],
        {"name": "n", "caption": "", "protocol": "", "after": ""},
        myst=True,
    )
    assert block == (
        "```{transcript}\n:name: n\n\ntelnet: > telnet mx1 smtp\nserver: 220 mx1\n```\n"
    )
