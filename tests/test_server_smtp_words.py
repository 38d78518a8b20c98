"""SMTP answers every bad input in Postfix's words, never with Python's."""

from __future__ import annotations

import pytest

from server_fixtures import Connect, RawClient


BAD_RECIPIENT = b"501 5.1.3 Bad recipient address syntax"


@pytest.fixture
def in_mail(raw_client: Connect) -> RawClient:
    """A session inside a transaction: HELO and MAIL given."""
    client = raw_client("smtp")
    assert client.command(b"HELO client.example.com") == b"250 mx1.example.com"
    assert client.command(b"MAIL FROM:<sender@example.com>") == b"250 2.1.0 Ok"
    return client


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        (b"RCPT TO:<recipient@example.com", BAD_RECIPIENT),
        (b"RCPT TO:<a b@example.com>", BAD_RECIPIENT),
        (
            "RCPT TO:<recipient@exämple.com>".encode(),
            BAD_RECIPIENT,
        ),
        (b"RCPT TO:<>", BAD_RECIPIENT),
        (b"RCPT", b"501 5.5.4 Syntax: RCPT TO:<address>"),
        (b"RCPT FROM:<x@example.com>", b"501 5.5.4 Syntax: RCPT TO:<address>"),
        (b"MAIL FROM:<sender@example.com>", b"503 5.5.1 Error: nested MAIL command"),
        (b"RCPT TO: recipient@example.com", b"250 2.1.5 Ok"),
        (b"rcpt to:<recipient@example.com>", b"250 2.1.5 Ok"),
        (b"RSET", b"250 2.0.0 Ok"),
        (b"AUTH PLAIN", b"503 5.5.1 Error: authentication not enabled"),
        (b"STARTTLS", b"502 5.5.1 Error: command not implemented"),
        (b"MAILL FROM:<a@b.c>", b"500 5.5.2 Error: command not recognized"),
    ],
)
def test_answers_in_postfix_s_words(
    in_mail: RawClient, line: bytes, answer: bytes
) -> None:
    assert in_mail.command(line) == answer


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        (b"MAIL FROM:<sender@example.com", b"501 5.1.7 Bad sender address syntax"),
        (b"MAIL FROM:<a b@example.com>", b"501 5.1.7 Bad sender address syntax"),
        (b"MAIL FROM:<>", b"250 2.1.0 Ok"),
        (b"MAIL FROM:sender@example.com", b"250 2.1.0 Ok"),
    ],
)
def test_a_sender_address_is_checked_as_postfix_checks_it(
    raw_client: Connect, line: bytes, answer: bytes
) -> None:
    client = raw_client("smtp")
    assert client.command(b"HELO client.example.com") == b"250 mx1.example.com"
    assert client.command(line) == answer


def test_a_latin1_address_is_echoed_as_typed(in_mail: RawClient) -> None:
    answer = in_mail.command(b"RCPT TO:<jos\xe9@example.com>")
    assert answer.startswith(b"550 5.1.1 <jos\xe9@example.com>: Recipient address")


GARBAGE = [
    b"RCPT TO:<\xff\xfe@example.com>",
    b"RCPT TO:<jos\xe9@ex\xe4mple.com>",
    b"MAIL FROM:<\xe9>",
    b"RCPT TO:<<<>>>",
    b"RCPT TO:<@>",
    b"RCPT TO:<a@[1.2.3.4]>",
    b"RCPT TO:<a@b@c>",
    b"RCPT TO:<\"quoted local\"@example.com>",
    b"VRFY \xe9",
    b"HELO \xe9",
    b"DATA \xe9",
    b"\xe9\xe9\xe9",
    b"NOOP \x00",
]


@pytest.mark.parametrize("line", GARBAGE)
def test_garbage_never_shows_a_python_exception(
    in_mail: RawClient, line: bytes
) -> None:
    answer = in_mail.command(line)
    assert answer[:1] in b"2345" and answer[3:4] == b" "
    assert b"Error: (" not in answer and b"Exception" not in answer
    assert in_mail.command(b"NOOP") == b"250 2.0.0 Ok"


def test_five_unknown_commands_do_not_end_the_session(in_mail: RawClient) -> None:
    for _ in range(6):  # aiosmtpd alone hangs up at the fifth.
        assert in_mail.command(b"FROB").startswith(b"500 5.5.2")
    assert in_mail.command(b"NOOP") == b"250 2.0.0 Ok"
