"""Green means true, against real servers: the embedded one and Postfix/Dovecot.

Each wrong page shows one thing the server does not say, of one class of
the verifier's former blind spots (issue 9), and must fail at the page line
where it diverges, on both backends; each right page differs only where the
RFCs allow and must pass on both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telnetmail.core.model import octets
from telnetmail.core.volatile import extract
from telnetmail.replay.backends import EmbeddedBackend
from telnetmail.replay.dovecot_postfix import (
    DovecotPostfixBackend,
    missing_requirements,
    requirement_message,
)
from telnetmail.replay.engine import Case, Outcome, Status, Verifier
from telnetmail.replay.report import describe

MISSING = missing_requirements()

BACKENDS = [
    "embedded",
    pytest.param(
        "dovecot-postfix",
        marks=pytest.mark.skipif(bool(MISSING), reason=requirement_message(MISSING)),
    ),
]

SEND = """\
telnet: > telnet mx1.example.com smtp
server: 220 mx1.example.com ESMTP Postfix
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<recipient@example.com>
server: 250 2.1.5 Ok
client: DATA
server: 354 End data with <CR><LF>.<CR><LF>
client: From: sender@example.com
client: Subject: Prova
client:
client: Una riga.
client: .
server: 250 2.0.0 Ok: queued as {{queue-id@coda:4F2A3000001}}
client: QUIT
server: 221 2.0.0 Bye
"""

POP3_LOGIN = """\
telnet: > telnet pop.example.com pop3
server: +OK Dovecot ready.
client: USER MyUsername
server: +OK
client: PASS MyPassword
server: +OK Logged in.
"""

IMAP_LOGIN = """\
telnet: > telnet imap.example.com imap
server: * OK Dovecot ready.
client: a1 LOGIN MyUsername MyPassword
server: a1 OK Logged in
client: a2 SELECT INBOX
server: * 1 EXISTS
server: a2 OK [READ-WRITE] Select completed.
"""

HEADER = """\
server: Return-Path: <sender@example.com>
server: Received: from client.example.com (localhost [127.0.0.1])
server:  by mx1.example.com (Postfix) with SMTP id {{queue-id@coda:4F2A3000001}}
server:  for <recipient@example.com>; Fri, 27 Nov 2026 12:00:00 +0000 (UTC)
server: From: sender@example.com
server: Subject: Prova
server: Message-Id: <20261127120000.4F2A3000001@mx1.example.com>
server: Date: Fri, 27 Nov 2026 12:00:00 +0000 (UTC)
"""
#: The message as the page shows it: one octet per fold, as the tab is.
SIZE = octets(
    [extract(line[len("server: ") :])[0] for line in HEADER.splitlines()]
    + ["", "Una riga."]
)


@pytest.fixture(scope="module", params=BACKENDS)
def verifier(request) -> Iterator[Verifier]:
    backend = (
        EmbeddedBackend() if request.param == "embedded" else DovecotPostfixBackend()
    )
    backend.start()
    yield Verifier(backend, timeout=1.0, telnet="telnet")
    backend.stop()


def run(verifier: Verifier, page: str, after: str = "send") -> Outcome:
    send = Case.parse("send.rst", 1, _numbered(SEND), {"name": "send"})
    case = Case.parse("page.rst", 1, _numbered(page), {"name": "page", "after": after})
    return verifier.verify(case, {"send": send, "page": case})


def _numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


def line_of(page: str, needle: str) -> int:
    return next(n for n, text in _numbered(page) if needle in text)


def assert_passes(outcome: Outcome) -> None:
    assert outcome.status is Status.PASSED, describe(outcome)


def assert_fails_at(outcome: Outcome, page: str, needle: str) -> None:
    assert outcome.status is Status.FAILED, describe(outcome)
    assert outcome.lineno == line_of(page, needle), describe(outcome)


def retr(body: str, size: int = SIZE) -> str:
    return (
        POP3_LOGIN
        + f"client: RETR 1\nserver: +OK {size} octets\n"
        + body
        + "server: .\nclient: QUIT\nserver: +OK Logging out.\n"
    )


WHOLE = HEADER + "server:\nserver: Una riga.\n"


def test_a_message_shown_whole_passes(verifier):
    assert_passes(run(verifier, retr(WHOLE)))


def test_a_retr_shown_with_the_header_alone_fails(verifier):
    page = retr(HEADER, SIZE - 13)
    assert_fails_at(run(verifier, page), page, "Date:")


def test_a_wrong_size_fails_at_its_line(verifier):
    page = retr(WHOLE, SIZE + 1)
    assert_fails_at(run(verifier, page), page, "octets")


def test_a_list_size_for_the_message_the_page_shows(verifier):
    listing = (
        POP3_LOGIN
        + f"client: LIST\nserver: +OK 1 messages:\nserver: 1 {SIZE}\nserver: .\n"
    )
    right = listing + "client: TOP 1 0\nserver: +OK\n" + HEADER + "server:\nserver: .\n"
    assert_passes(run(verifier, right))
    wrong = right.replace(f"server: 1 {SIZE}", f"server: 1 {SIZE - 2}")
    assert_fails_at(run(verifier, wrong), wrong, f"1 {SIZE - 2}")


def test_a_named_capture_must_hold_in_a_server_added_field(verifier):
    send_other = Case.parse(
        "send.rst", 1, _numbered(SEND.replace("@coda:", "@altra:")), {"name": "other"}
    )
    # Message 1's Received names the id captured as 'coda', not 'altra'.
    wrong = retr(WHOLE.replace("@coda:", "@altra:"))
    case = Case.parse(
        "page.rst", 1, _numbered(wrong), {"name": "page", "after": "send other"}
    )
    send = Case.parse("send.rst", 1, _numbered(SEND), {"name": "send"})
    cases = {"send": send, "other": send_other, "page": case}
    outcome = verifier.verify(case, cases)
    assert_fails_at(outcome, wrong, "with SMTP id")
    assert "'altra'" in outcome.message
    assert_passes(run(verifier, retr(WHOLE)))


def test_a_named_capture_cannot_take_another_value(verifier):
    outcome = run(verifier, SEND, after="send")  # a second message, a new id
    assert_fails_at(outcome, SEND, "queued as")
    assert "'coda'" in outcome.message


def test_an_envelope_date_the_server_made_up_must_be_marked(verifier):
    page = IMAP_LOGIN + (
        "client: a3 FETCH 1 ENVELOPE\n"
        'server: * 1 FETCH (ENVELOPE ("Fri, 27 Nov 2026 12:00:00 +0000" "Prova" '
        '((NIL NIL "sender" "example.com")) ((NIL NIL "sender" "example.com")) '
        '((NIL NIL "sender" "example.com")) NIL NIL NIL NIL '
        '"<20261127120000.4F2A3000001@mx1.example.com>"))\n'
        "server: a3 OK Fetch completed.\n"
    )
    assert_fails_at(run(verifier, page), page, "ENVELOPE (")
    marked = page.replace(
        '"Fri, 27 Nov 2026 12:00:00 +0000"',
        '"{{date:Fri, 27 Nov 2026 12:00:00 +0000}}"',
    ).replace(
        '"<20261127120000.4F2A3000001@mx1.example.com>"',
        '"{{message-id:<20261127120000.4F2A3000001@mx1.example.com>}}"',
    )
    assert_passes(run(verifier, marked))


def test_an_item_asked_for_and_left_out_fails(verifier):
    page = IMAP_LOGIN + (
        "client: a3 FETCH 1 (FLAGS RFC822.SIZE)\n"
        "server: * 1 FETCH (FLAGS (\\Recent))\n"
        "server: a3 OK Fetch completed.\n"
    )
    assert_fails_at(run(verifier, page), page, "* 1 FETCH")


def test_an_untagged_line_shown_after_the_completion_must_arrive(verifier):
    page = (
        IMAP_LOGIN
        + "client: a3 NOOP\nserver: a3 OK NOOP completed.\nserver: * 2 EXISTS\n"
    )
    assert_fails_at(run(verifier, page), page, "* 2 EXISTS")


def test_a_reply_left_out_fails_where_it_should_stand(verifier):
    page = (
        "telnet: > telnet mx1.example.com smtp\n"
        "server: 220 mx1.example.com ESMTP Postfix\n"
        "client: HELO client.example.com\n"
        "server: 250 mx1.example.com\n"
        "client: MAIL FROM:<sender@example.com>\n"
        "client: RCPT TO:<nobody@example.com>\n"
        "server: 250 2.1.0 Ok\n"
        "client: QUIT\n"
        "server: 221 2.0.0 Bye\n"
    )
    outcome = run(verifier, page, after="")
    assert_fails_at(outcome, page, "250 2.1.0 Ok")
    assert "RCPT TO:<nobody@example.com>" in outcome.message


def test_the_reply_to_quit_left_out_fails_at_the_last_line(verifier):
    page = (
        "telnet: > telnet mx1.example.com smtp\n"
        "server: 220 mx1.example.com ESMTP Postfix\n"
        "client: QUIT\n"
    )
    assert_fails_at(run(verifier, page, after=""), page, "QUIT")


def test_a_mark_on_a_reply_code_does_not_hide_it(verifier):
    page = (
        "telnet: > telnet mx1.example.com smtp\n"
        "server: 220 mx1.example.com ESMTP Postfix\n"
        "client: HELO client.example.com\n"
        "server: 250 mx1.example.com\n"
        "client: RCPT TO:<recipient@example.com>\n"
        "server: {{number:250}} 2.1.5 Ok\n"
        "client: QUIT\n"
        "server: 221 2.0.0 Bye\n"
    )
    outcome = run(verifier, page, after="")
    assert_fails_at(outcome, page, "2.1.5 Ok")  # the server says 503: no MAIL yet
    assert outcome.message.startswith("reply code 503 where the page shows 250")
