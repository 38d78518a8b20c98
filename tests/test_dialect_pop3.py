"""POP3 structure: status lines, multi-line replies, SASL continuations."""

from __future__ import annotations

import pytest

from telnetmail.core.model import Category, Role, SpanKind, Tone
from telnetmail.core.parser import parse_transcript


def pop3(source: str):
    return parse_transcript(source, protocol="pop3")


def test_status_and_text_are_separate_spans_with_a_tone():
    transcript = pop3("S: +OK ready\nC: RETR 9\nS: -ERR no such message")
    assert transcript.lines[0].spans[0].kind is SpanKind.STATUS
    assert [transcript.lines[0].tone, transcript.lines[2].tone] == [
        Tone.POSITIVE,
        Tone.NEGATIVE,
    ]


@pytest.mark.parametrize("command", ["LIST", "UIDL", "RETR 1", "TOP 1 0", "CAPA"])
def test_multi_line_replies_run_to_the_dot(command):
    transcript = pop3(f"C: {command}\nS: +OK\nS: 1 abc\nS: .\nC: QUIT\nS: +OK bye")
    reply = transcript.turns[1]
    assert len(reply.lines) == 3
    assert reply.complete
    assert transcript.turns[2].verb == "QUIT"
    assert transcript.diagnostics == []


@pytest.mark.parametrize("command", ["LIST 1", "UIDL 1", "STAT", "DELE 1", "NOOP"])
def test_single_line_replies_end_at_once(command):
    transcript = pop3(f"C: {command}\nS: +OK 1 2\nC: QUIT\nS: +OK bye")
    assert [len(turn.lines) for turn in transcript.turns] == [1, 1, 1, 1]


def test_a_negative_reply_to_a_multi_line_command_is_one_line():
    transcript = pop3("C: RETR 7\nS: -ERR no such message\nC: QUIT\nS: +OK")
    assert transcript.diagnostics == []


def test_retr_payload_undoes_dot_stuffing():
    transcript = pop3("C: RETR 1\nS: +OK\nS: Subject: x\nS:\nS: ..dot\nS: .")
    assert [line.text for line in transcript.turns[1].payload] == [
        "Subject: x",
        "",
        ".dot",
    ]


def test_multi_line_reply_never_terminated_is_reported():
    transcript = pop3("C: LIST\nS: +OK 1 messages\nS: 1 440\nC: QUIT\nS: +OK")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 3
    assert diagnostic.category is Category.CONSISTENCY
    assert "'LIST'" in diagnostic.message


def test_a_reply_without_status_is_a_protocol_error():
    transcript = pop3("S: +OK\nC: NOOP\nS: OK fine")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 3
    assert "'+OK' or '-ERR'" in diagnostic.message


def test_sasl_continuation_takes_the_next_client_line_as_data():
    transcript = pop3(
        "C: AUTH PLAIN\nS: +\nC: AE15VXNlcm5hbWUATXlQYXNzd29yZA==\nS: +OK Logged in."
    )
    auth = transcript.turns[0]
    assert auth.lines[-1].spans[0].kind is SpanKind.DATA
    assert transcript.turns[-1].answers is auth
    assert [turn.role for turn in transcript.turns] == [
        Role.CLIENT,
        Role.SERVER,
        Role.SERVER,
    ]


def test_rfc_1939_example_session_parses_cleanly():
    transcript = parse_transcript(RFC1939_EXAMPLE)
    assert transcript.protocol == "pop3"
    assert transcript.diagnostics == []
    narration = [line for line in transcript.lines if line.is_placeholder]
    assert len(narration) == 6
    assert [turn.verb for turn in transcript.turns if turn.role is Role.CLIENT] == [
        "APOP",
        "STAT",
        "LIST",
        "RETR",
        "DELE",
        "RETR",
        "DELE",
        "QUIT",
    ]


def test_rfc_alignment_spaces_are_not_content():
    transcript = parse_transcript(RFC1939_EXAMPLE)
    assert (
        transcript.lines[2].text
        == "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"
    )


RFC1939_EXAMPLE = """\
S: <wait for connection on TCP port 110>
C: <open connection>
S:    +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
C:    APOP mrose c4c9334bac560ecc979e58001b3e22fb
S:    +OK mrose's maildrop has 2 messages (320 octets)
C:    STAT
S:    +OK 2 320
C:    LIST
S:    +OK 2 messages (320 octets)
S:    1 120
S:    2 200
S:    .
C:    RETR 1
S:    +OK 120 octets
S:    <the POP3 server sends message 1>
S:    .
C:    DELE 1
S:    +OK message 1 deleted
C:    RETR 2
S:    +OK 200 octets
S:    <the POP3 server sends message 2>
S:    .
C:    DELE 2
S:    +OK message 2 deleted
C:    QUIT
S:    +OK dewey POP3 server signing off (maildrop empty)
C:  <close connection>
S:  <wait for next connection>
"""
