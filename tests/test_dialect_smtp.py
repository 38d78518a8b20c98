"""SMTP structure: reply codes, multi-line replies, DATA and dot-stuffing."""

from __future__ import annotations

from telnetmail.core.model import Category, Role, SpanKind, Tone
from telnetmail.core.parser import parse_transcript


def smtp(source: str):
    return parse_transcript(source, protocol="smtp")


def test_reply_code_and_text_are_separate_spans():
    line = smtp("S: 250 mx1.example.com").lines[0]
    assert [(s.kind, s.text) for s in line.spans] == [
        (SpanKind.CODE, "250"),
        (SpanKind.TEXT, " "),
        (SpanKind.TEXT, "mx1.example.com"),
    ]


def test_enhanced_status_code_is_recognised():
    line = smtp("S: 250 2.1.0 Ok").lines[0]
    assert (SpanKind.ENHANCED, "2.1.0") in [(s.kind, s.text) for s in line.spans]


def test_a_number_in_the_text_is_not_an_enhanced_code():
    line = smtp("S: 250 10.0.0.1 is your address").lines[0]
    assert SpanKind.ENHANCED not in [s.kind for s in line.spans]


def test_reply_classes_give_the_tone():
    transcript = smtp("S: 220 a\nS: 354 b\nS: 421 c\nS: 550 d")
    assert [line.tone for line in transcript.lines] == [
        Tone.POSITIVE,
        Tone.INTERMEDIATE,
        Tone.TRANSIENT,
        Tone.NEGATIVE,
    ]


def test_a_bare_code_is_a_reply():
    transcript = smtp("S: 220\nC: QUIT\nS: 221")
    assert transcript.diagnostics == []
    assert [turn.status for turn in transcript.turns if turn.role is Role.SERVER] == [
        "220",
        "221",
    ]


def test_multi_line_reply_is_one_turn_answering_its_command():
    transcript = smtp(
        "S: 220 mx\nC: EHLO me\nS: 250-mx\nS: 250-PIPELINING\nS: 250 SIZE 10240000"
    )
    reply = transcript.turns[-1]
    assert len(reply.lines) == 3
    assert reply.status == "250"
    assert reply.answers is transcript.turns[1]
    assert transcript.diagnostics == []


def test_multi_line_reply_never_terminated_is_reported_at_its_last_line():
    transcript = smtp(
        "S: 220 mx\nC: EHLO me\nS: 250-mx\nS: 250-SIZE\nC: MAIL FROM:<a@b>"
    )
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 4
    assert diagnostic.category is Category.CONSISTENCY
    assert "never terminated" in diagnostic.message


def test_multi_line_reply_at_the_end_of_the_transcript_is_unterminated():
    transcript = smtp("S: 220-mx")
    assert [d.lineno for d in transcript.diagnostics] == [1]


def test_continuation_with_another_code_is_reported():
    transcript = smtp("S: 250-mx\nS: 251 other")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 2
    assert "has 251" in diagnostic.message and "began with 250" in diagnostic.message


def test_a_reply_without_a_code_is_a_protocol_error_at_its_line():
    transcript = smtp("S: 220 mx\nC: HELO me\nS: Hello there")
    [diagnostic] = transcript.diagnostics
    assert (diagnostic.lineno, diagnostic.category) == (3, Category.PROTOCOL)
    assert "three-digit code" in diagnostic.message
    assert transcript.readable


def test_client_command_verb_is_a_span():
    line = smtp("C: MAIL from: <a@example.com>").lines[0]
    assert line.spans[0].kind is SpanKind.VERB
    assert line.spans[0].text == "MAIL"


def test_after_354_client_lines_are_the_message_up_to_the_dot():
    transcript = smtp(
        "C: DATA\nS: 354 go\nC: Subject: x\nC:\nC: ..hidden\nC: .\nS: 250 ok"
    )
    message = transcript.turns[2]
    assert message.role is Role.CLIENT
    assert [line.text for line in message.payload] == ["Subject: x", "", ".hidden"]
    assert message.lines[-1].spans[0].kind is SpanKind.TERMINATOR
    assert transcript.turns[3].answers is message
    assert transcript.diagnostics == []


def test_message_lines_are_not_commands():
    transcript = smtp("C: DATA\nS: 354 go\nC: QUIT\nC: .\nS: 250 ok")
    assert [turn.verb for turn in transcript.turns if turn.role is Role.CLIENT] == [
        "DATA",
        ".",
    ]


def test_data_refused_means_no_message_follows():
    transcript = smtp("C: DATA\nS: 503 need RCPT\nC: QUIT\nS: 221 bye")
    assert transcript.turns[2].verb == "QUIT"


def test_a_message_never_ended_is_reported():
    transcript = smtp("C: DATA\nS: 354 go\nC: Hello\nC: QUIT")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 3
    assert "never ended" in diagnostic.message


def test_a_reply_in_the_middle_of_the_message_is_reported():
    transcript = smtp("C: DATA\nS: 354 go\nC: Hello\nS: 250 ok")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 4
    assert "before the message ended" in diagnostic.message


def test_pipelined_commands_pair_with_replies_in_order():
    transcript = smtp(
        "C: MAIL FROM:<a@b>\nC: RCPT TO:<c@d>\nC: DATA\nS: 250 ok\nS: 550 no\nS: 554 no data"
    )
    replies = [turn for turn in transcript.turns if turn.role is Role.SERVER]
    assert [reply.answers.verb for reply in replies] == ["MAIL", "RCPT", "DATA"]


def test_rfc_5321_example_session_parses_cleanly():
    transcript = parse_transcript(RFC5321_D1)
    assert transcript.diagnostics == []
    assert transcript.protocol == "smtp"
    assert [turn.status for turn in transcript.turns if turn.role is Role.SERVER] == [
        "220",
        "250",
        "250",
        "250",
        "550",
        "250",
        "354",
        "250",
        "221",
    ]


RFC5321_D1 = """\
S: 220 foo.com Simple Mail Transfer Service Ready
C: EHLO bar.com
S: 250-foo.com greets bar.com
S: 250-8BITMIME
S: 250-SIZE
S: 250-DSN
S: 250 HELP
C: MAIL FROM:<Smith@bar.com>
S: 250 OK
C: RCPT TO:<Jones@foo.com>
S: 250 OK
C: RCPT TO:<Green@foo.com>
S: 550 No such user here
C: RCPT TO:<Brown@foo.com>
S: 250 OK
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Blah blah blah...
C: ...etc. etc. etc.
C: .
S: 250 OK
C: QUIT
S: 221 foo.com Service closing transmission channel
"""
