"""The parser: roles, content, the telnet command, and the protocol chosen."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from seedlesson import role_lines, seed_sessions

from telnetmail.core.model import Category, Protocol, Role, SpanKind
from telnetmail.core.parser import parse_lines, parse_transcript


def kinds(line):
    return [(span.kind, span.text) for span in line.spans]


# -- the seed lesson, line by line -----------------------------------------


@pytest.mark.parametrize("section", ["SMTP", "POP3", "IMAP"])
def test_every_seed_line_keeps_its_role_text_and_line_number(section):
    session = seed_sessions()[section]
    transcript = parse_lines(session)
    expected = role_lines(session)
    assert len(expected) > 15
    assert [
        (line.lineno, str(line.role), line.text) for line in transcript.lines
    ] == expected


@pytest.mark.parametrize(
    ("section", "protocol"),
    [("SMTP", Protocol.SMTP), ("POP3", Protocol.POP3), ("IMAP", Protocol.IMAP)],
)
def test_seed_sessions_take_their_protocol_from_the_telnet_port(section, protocol):
    assert parse_lines(seed_sessions()[section]).protocol is protocol


def test_spans_of_every_seed_line_join_back_to_its_text():
    for session in seed_sessions().values():
        for line in parse_lines(session).lines:
            assert "".join(span.text for span in line.spans) == line.text


def test_folded_header_lines_keep_their_leading_spaces():
    transcript = parse_lines(seed_sessions()["POP3"])
    folded = [line.text for line in transcript.lines if line.text.startswith(" ")]
    assert folded[0] == "       by mx1.example.com with ESMTP"
    assert len(folded) == 3


def test_client_with_nothing_after_the_colon_is_an_empty_line_typed():
    transcript = parse_lines(seed_sessions()["SMTP"])
    empty = [line for line in transcript.client_lines() if line.text == ""]
    assert len(empty) == 1


def test_seed_smtp_session_is_consistent():
    assert parse_lines(seed_sessions()["SMTP"]).diagnostics == []


# -- roles and separators ---------------------------------------------------


def test_one_space_separates_and_further_spaces_are_content():
    transcript = parse_transcript(
        "server: 220 ready\nserver:   indented", protocol="smtp"
    )
    assert [line.text for line in transcript.lines] == ["220 ready", "  indented"]


def test_content_keeps_colons():
    transcript = parse_transcript("server: 220 x\nclient: MAIL from: <a@b>")
    assert transcript.lines[1].text == "MAIL from: <a@b>"


def test_blank_source_lines_are_layout_only():
    transcript = parse_transcript("server: 220 x\n\n\nclient: QUIT\n")
    assert [line.role for line in transcript.lines] == [Role.SERVER, Role.CLIENT]


# -- RFC-style sources --------------------------------------------------------


DATA = Path(__file__).parent / "data"


def rfc3501_section8():
    return parse_transcript((DATA / "rfc3501-section8.txt").read_text(encoding="utf-8"))


def test_rfc_3501_section_8_verbatim_parses_without_warnings():
    assert rfc3501_section8().diagnostics == []


def test_rfc_alignment_is_taken_per_run_of_lines():
    # §8 aligns with three spaces up to a003's FETCH, with four after it.
    lines = rfc3501_section8().lines
    texts = [line.text for line in lines]
    assert "a001 OK LOGIN completed" in texts
    assert "a003 OK FETCH completed" in texts
    assert not any(text.startswith(" ") for text in texts)


def test_deeper_rfc_indentation_between_shallower_lines_is_content():
    transcript = parse_transcript(
        "C:   DATA\nS:   354 go\nC:   Subject: x\nC:      folded\nC:   .\nS:   250 ok",
        protocol="smtp",
    )
    assert transcript.lines[3].text == "   folded"


def test_a_line_that_is_only_an_ellipsis_is_narration():
    transcript = parse_transcript(
        "S: * OK ready\nC: a1 NOOP\nS: ...\nS: a1 OK done\nC: ...\nC: a2 LOGOUT"
    )
    assert transcript.diagnostics == []
    elided = [line for line in transcript.lines if line.text == "..."]
    assert len(elided) == 2
    assert all(kinds(line) == [(SpanKind.PLACEHOLDER, "...")] for line in elided)


def test_line_numbers_count_from_the_given_first_line():
    transcript = parse_transcript("server: 220 x\n\nclient: QUIT", first_lineno=40)
    assert [line.lineno for line in transcript.lines] == [40, 42]


@pytest.mark.parametrize(
    "source", ["C: NOOP", "c: NOOP", "Client: NOOP", "CLIENT: NOOP"]
)
def test_role_names_are_case_insensitive_and_c_is_client(source):
    assert parse_transcript(source, protocol="smtp").lines[0].role is Role.CLIENT


def test_a_line_without_a_role_is_a_syntax_error_naming_its_line():
    transcript = parse_transcript(
        "server: 220 x\nHELO there\nclient: QUIT", first_lineno=7
    )
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 8
    assert diagnostic.category is Category.SYNTAX
    assert "'HELO there'" in diagnostic.message
    assert not transcript.readable


def test_an_unknown_role_is_a_syntax_error():
    transcript = parse_transcript("serveur: 220 x")
    assert [d.lineno for d in transcript.diagnostics] == [1]
    assert transcript.diagnostics[0].category is Category.SYNTAX


@pytest.mark.parametrize(
    "source", ["\u212alient: NOOP", "cl\u0130ent: NOOP", "s\u0131: NOOP", " 1c: NOOP"]
)
def test_a_role_is_written_in_ascii_letters_only(source):
    # The Kelvin sign lowers to k, dotted and dotless i are not i.
    transcript = parse_transcript(source, protocol="smtp")
    assert [d.category for d in transcript.diagnostics] == [Category.SYNTAX]


def test_a_role_line_ends_at_a_newline_left_inside_it():
    transcript = parse_lines([(3, "client: NOOP\nstray")], protocol="smtp")
    assert [line.text for line in transcript.lines] == ["NOOP"]


def test_every_bad_line_is_reported_not_just_the_first():
    transcript = parse_transcript("one\nserver: 220 x\ntwo\nthree")
    assert [d.lineno for d in transcript.diagnostics] == [1, 3, 4]


# -- the telnet command -----------------------------------------------------


@pytest.mark.parametrize(
    ("command", "host", "port"),
    [
        ("> telnet mx1.example.com smtp", "mx1.example.com", "smtp"),
        ("$ telnet localhost 2525", "localhost", "2525"),
        ("C:\\Users\\anna>telnet pop.example.com 110", "pop.example.com", "110"),
        ("telnet imap.example.com", "imap.example.com", None),
        ("% telnet -8 127.0.0.1 143", "127.0.0.1", "143"),
        ("C:\\>TELNET.EXE mail.example.com 25", "mail.example.com", "25"),
    ],
)
def test_the_telnet_command_gives_host_and_port(command, host, port):
    transcript = parse_transcript(f"telnet: {command}")
    assert transcript.connection is not None
    assert (transcript.connection.host, transcript.connection.port) == (host, port)
    assert transcript.connection.lineno == 1


def test_the_telnet_command_line_is_cut_into_prompt_and_command():
    line = parse_transcript("telnet: > telnet mx1.example.com smtp").lines[0]
    assert kinds(line) == [
        (SpanKind.PROMPT, "> "),
        (SpanKind.COMMAND, "telnet mx1.example.com smtp"),
    ]


def test_telnet_messages_are_plain_text():
    line = parse_transcript("telnet: Trying 192.0.2.2...").lines[0]
    assert kinds(line) == [(SpanKind.TEXT, "Trying 192.0.2.2...")]
    assert parse_transcript("telnet: Trying 192.0.2.2...").connection is None


def test_a_second_telnet_command_is_an_error():
    transcript = parse_transcript("telnet: > telnet a smtp\ntelnet: > telnet b pop3")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 2
    assert "one telnet session per transcript" in diagnostic.message


# -- choosing the protocol --------------------------------------------------


@pytest.mark.parametrize(
    ("port", "protocol"),
    [
        ("smtp", Protocol.SMTP),
        ("25", Protocol.SMTP),
        ("submission", Protocol.SMTP),
        ("2525", Protocol.SMTP),
        ("pop3", Protocol.POP3),
        ("110", Protocol.POP3),
        ("1110", Protocol.POP3),
        ("imap", Protocol.IMAP),
        ("IMAP", Protocol.IMAP),
        ("143", Protocol.IMAP),
        ("1143", Protocol.IMAP),
    ],
)
def test_the_port_names_the_protocol(port, protocol):
    assert parse_transcript(f"telnet: > telnet host {port}").protocol is protocol


def test_the_protocol_option_overrides_the_port():
    source = "telnet: > telnet host 8025\nserver: 220 hi"
    assert parse_transcript(source, protocol="smtp").protocol is Protocol.SMTP


@pytest.mark.parametrize(
    ("greeting", "protocol"),
    [
        ("220 mx ESMTP", Protocol.SMTP),
        ("+OK ready", Protocol.POP3),
        ("* OK ready", Protocol.IMAP),
        ("* PREAUTH welcome", Protocol.IMAP),
    ],
)
def test_without_port_the_greeting_tells_the_protocol(greeting, protocol):
    assert parse_transcript(f"S: {greeting}").protocol is protocol


def test_an_unknown_port_without_option_is_reported():
    transcript = parse_transcript(
        "telnet: > telnet host 8025\nclient: hello\nserver: hi"
    )
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 2
    assert "cannot tell the protocol from port '8025'" in diagnostic.message
    assert "':protocol:'" in diagnostic.message


def test_telnet_lines_alone_need_no_protocol():
    transcript = parse_transcript(
        "telnet: > telnet mx1.example.com 9999\n"
        "telnet: Trying 192.0.2.2...\n"
        "telnet: telnet: Unable to connect to remote host: Connection refused"
    )
    assert transcript.diagnostics == []
    assert transcript.protocol is None


# -- never a crash ------------------------------------------------------------

_FRAGMENTS = [
    "client: ",
    "server: ",
    "C: ",
    "S: ",
    "telnet: ",
    "S:    ",
    "",
    "* ",
    "+ ",
    "a1 ",
    "OK ",
    "BAD ",
    "250",
    "250-",
    "354 ",
    "+OK ",
    "-ERR ",
    ".",
    "..",
    "{0}",
    "{5}",
    "{3+}",
    "(",
    ")",
    "[",
    "]",
    '"',
    "\\",
    "DATA",
    "RETR 1",
    "LIST",
    "FETCH 1 BODY[]",
    "<wait for it>",
    "\x00",
    "\xff",
    "é",
    "  ",
    "\t",
    "> telnet h imap",
    "x" * 300,
]


@pytest.mark.parametrize("protocol", [None, "smtp", "pop3", "imap"])
def test_random_garbage_never_crashes_the_parser(protocol):
    generator = random.Random(1939)
    for _ in range(400):
        lines = [
            "".join(
                generator.choice(_FRAGMENTS) for _ in range(generator.randint(1, 5))
            )
            for _ in range(generator.randint(1, 14))
        ]
        transcript = parse_transcript("\n".join(lines), protocol=protocol)
        for line in transcript.lines:
            assert "".join(span.text for span in line.spans) == line.text
        for diagnostic in transcript.diagnostics:
            assert 1 <= diagnostic.lineno <= len(lines)


# -- what a transcript uses ---------------------------------------------------


def test_commands_and_replies_a_transcript_uses_are_listed_once_in_order():
    from telnetmail.core.vocabulary import commands_used, replies_seen

    transcript = parse_lines(seed_sessions()["SMTP"])
    assert commands_used(transcript) == ["HELO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert replies_seen(transcript) == ["220", "250", "354", "221"]
    imap = parse_transcript(
        "S: * OK hi\nC: a1 UID FETCH 1 FLAGS\nS: * 1 FETCH (UID 1)\nS: a1 NO x"
    )
    assert commands_used(imap) == ["UID FETCH"]
    assert replies_seen(imap) == ["* OK", "* FETCH", "NO"]


def test_a_command_mistyped_on_purpose_is_not_listed_as_a_command():
    from telnetmail.core.vocabulary import commands_used

    transcript = parse_transcript(
        "S: 220 mx\nC: HELLO mx\nS: 500 5.5.2 Error: command not recognized"
    )
    assert commands_used(transcript) == []
