"""Dialogues through real ``openssl s_client`` against the embedded server:
right pages pass, wrong TLS pages fail at their line."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from telnetmail.core.model import Category
from telnetmail.core.parser import parse_transcript
from telnetmail.replay.backends import make_backend
from telnetmail.replay.dovecot_postfix import missing_requirements
from telnetmail.replay.engine import Case, Outcome, Status, Verifier
from telnetmail.replay.report import describe

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="no openssl installed"
)

TIMEOUT = 2.0

SMTPS = """\
telnet: $ openssl s_client -quiet -crlf -connect mx1.example.com:465
telnet: depth=0 CN = mx1.example.com
telnet: verify error:num=18:self-signed certificate
server: 220 mx1.example.com ESMTP Postfix
client: EHLO client.example.com
server: 250-mx1.example.com
server: 250 AUTH PLAIN LOGIN
client: AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==
server: 235 2.7.0 Authentication successful
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<recipient@example.com>
server: 250 2.1.5 Ok
client: QUIT
server: 221 2.0.0 Bye
"""

SUBMISSION = """\
telnet: $ openssl s_client -quiet -crlf -starttls smtp -connect mx1.example.com:587
telnet: 250 CHUNKING
client: EHLO client.example.com
server: 250-mx1.example.com
server: 250 AUTH PLAIN LOGIN
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<recipient@example.com>
server: 554 5.7.1 <recipient@example.com>: Recipient address rejected: Access denied
client: QUIT
server: 221 2.0.0 Bye
"""

IMAP_STARTTLS = """\
telnet: $ openssl s_client -quiet -crlf -starttls imap -connect imap.example.com:143
client: a CAPABILITY
server: * CAPABILITY IMAP4rev1 AUTH=PLAIN
server: a OK Capabilities listed.
client: a LOGIN MyUsername MyPassword
server: a OK Logged in
client: a LOGOUT
server: * BYE Logging out.
server: a OK Logout completed.
"""

POP3S = """\
telnet: openssl s_client -quiet -crlf -connect pop.example.com:995
server: +OK Dovecot ready.
client: CAPA
server: +OK
server: CAPA
server: USER
server: .
client: USER MyUsername
server: +OK
client: PASS MyPassword
server: +OK Logged in.
client: QUIT
server: +OK Logging out.
"""

POP3_STLS = """\
telnet: openssl s_client -quiet -crlf -starttls pop3 -connect pop.example.com:110
client: USER MyUsername
server: +OK
client: PASS MyPassword
server: +OK Logged in.
client: QUIT
server: +OK Logging out.
"""


BACKENDS = [
    "embedded",
    pytest.param(
        "dovecot-postfix",
        marks=pytest.mark.skipif(
            bool(missing_requirements()), reason="no Postfix and Dovecot here"
        ),
    ),
]


@pytest.fixture(scope="module", params=BACKENDS)
def verifier(request: pytest.FixtureRequest) -> Iterator[Verifier]:
    """The same pages against the embedded server and real Postfix and Dovecot."""
    backend = make_backend(request.param)
    backend.start()
    try:
        yield Verifier(backend, timeout=TIMEOUT)
    finally:
        backend.stop()


def replay(verifier: Verifier, text: str, **options: str) -> Outcome:
    numbered = list(enumerate(text.splitlines(), 1))
    case = Case.parse("tls.rst", 1, numbered, {"name": "tls", **options})
    assert case.transcript.readable, case.transcript.diagnostics
    return verifier.verify(case, {case.name: case})


def assert_fails_at(outcome: Outcome, lineno: int, *shown: str) -> None:
    assert outcome.status is Status.FAILED, outcome
    assert outcome.lineno == lineno, describe(outcome)
    for text in shown:
        assert text in describe(outcome)


@pytest.mark.parametrize("page", [SMTPS, SUBMISSION, IMAP_STARTTLS, POP3S, POP3_STLS])
def test_right_tls_pages_pass(verifier: Verifier, page: str) -> None:
    outcome = replay(verifier, page)
    assert outcome.status is Status.PASSED, describe(outcome)


def test_the_typed_rcpt_reaches_the_server_not_openssl(verifier: Verifier) -> None:
    # Without -quiet, openssl would renegotiate at "RCPT TO" and the reply
    # would never come; with it, the server answers the command.
    outcome = replay(verifier, SMTPS)
    assert ("client", "RCPT TO:<recipient@example.com>") in outcome.actual
    assert ("server", "250 2.1.5 Ok") in outcome.actual


def test_openssl_messages_are_noted_as_the_clients(verifier: Verifier) -> None:
    outcome = replay(verifier, IMAP_STARTTLS)
    telnets = [text for role, text in outcome.actual if role == "telnet"]
    assert any(text.startswith("verify return:") for text in telnets)
    assert any(text.startswith(". OK ") for text in telnets)  # -starttls imap


def test_a_capability_the_server_lacks_after_tls_fails(verifier: Verifier) -> None:
    page = IMAP_STARTTLS.replace("IMAP4rev1 AUTH=PLAIN", "IMAP4rev1 STARTTLS")
    assert_fails_at(replay(verifier, page), 3, "STARTTLS")
    page = SMTPS.replace(
        "250-mx1.example.com", "250-mx1.example.com\nserver: 250-STARTTLS"
    )
    assert_fails_at(replay(verifier, page), 7, "250-STARTTLS")


def test_a_235_for_a_wrong_password_fails(verifier: Verifier) -> None:
    # MyUsername / WrongPassword
    page = SMTPS.replace(
        "AE15VXNlcm5hbWUATXlQYXNzd29yZA==", "AE15VXNlcm5hbWUAV3JvbmdQYXNzd29yZA=="
    )
    outcome = replay(verifier, page)
    assert_fails_at(outcome, 9, "535")
    assert outcome.message == "reply code 535 where the page shows 235"


def test_a_recipient_accepted_without_auth_on_submission_fails(
    verifier: Verifier,
) -> None:
    page = SUBMISSION.replace(
        "554 5.7.1 <recipient@example.com>: Recipient address rejected: Access denied",
        "250 2.1.5 Ok",
    )
    assert_fails_at(replay(verifier, page), 9, "554")


def test_a_verify_error_other_than_the_servers_fails(verifier: Verifier) -> None:
    page = SMTPS.replace(
        "num=18:self-signed certificate",
        "num=20:unable to get local issuer certificate",
    )
    outcome = replay(verifier, page)
    assert_fails_at(outcome, 3, "num=20")
    assert outcome.message == "openssl says otherwise"


def test_telnet_to_587_meets_the_starttls_rule(verifier: Verifier) -> None:
    page = """\
telnet: > telnet mx1.example.com 587
server: 220 mx1.example.com ESMTP Postfix
client: EHLO client.example.com
server: 250-mx1.example.com
server: 250 STARTTLS
client: MAIL FROM:<sender@example.com>
server: 530 5.7.0 Must issue a STARTTLS command first
client: QUIT
server: 221 2.0.0 Bye
"""
    outcome = replay(verifier, page)
    assert outcome.status is Status.PASSED, describe(outcome)
    wrong = replay(verifier, page.replace("server: 530 5.7.0 Must", "server: 250 Must"))
    assert_fails_at(wrong, 7, "530")


def test_a_greeting_shown_after_starttls_fails(verifier: Verifier) -> None:
    # -starttls already read the greeting: after TLS the server says nothing.
    page = POP3_STLS.replace(
        "telnet: openssl s_client -quiet -crlf -starttls pop3 -connect pop.example.com:110",
        "telnet: openssl s_client -quiet -crlf -starttls pop3 -connect pop.example.com:110"
        "\nserver: +OK Dovecot ready.",
    )
    assert replay(verifier, page).status is Status.FAILED


# -- the connection line, read by the pure core ---------------------------------


def test_openssl_without_quiet_is_refused_at_its_line() -> None:
    text = "telnet: $ openssl s_client -crlf -connect mx1.example.com:465\n"
    transcript = parse_transcript("\n" + text + "server: 220 mx1.example.com\n")
    problems = [d for d in transcript.diagnostics if d.category is Category.SYNTAX]
    assert [d.lineno for d in problems] == [2]
    assert "add -quiet" in problems[0].message


@pytest.mark.parametrize(
    ("line", "protocol"),
    [
        ("openssl s_client -quiet -connect mx1.example.com:465", "smtp"),
        ("openssl s_client -quiet -connect imap.example.com:993", "imap"),
        ("openssl s_client -quiet -connect pop.example.com:995", "pop3"),
        ("openssl s_client -quiet -starttls smtp -connect mx1.example.com:587", "smtp"),
        ("openssl s_client -quiet -starttls pop3 -connect pop.example.com:110", "pop3"),
    ],
)
def test_the_protocol_comes_from_starttls_or_the_port(line: str, protocol: str) -> None:
    transcript = parse_transcript(f"telnet: {line}\nclient: NOOP\n")
    assert str(transcript.protocol) == protocol
    assert transcript.connection is not None
    assert transcript.connection.openssl is not None


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("openssl s_client -quiet", "needs -connect HOST:PORT"),
        ("openssl s_client -quiet -connect h:25 -starttls ftp", "-starttls ftp"),
        ("openssl s_client -quiet -connect h:25 -proxy p:1", "'-proxy' is not"),
    ],
)
def test_bad_openssl_lines_say_why(line: str, says: str) -> None:
    transcript = parse_transcript(f"telnet: {line}\nclient: NOOP\n")
    assert any(says in d.message for d in transcript.diagnostics)
