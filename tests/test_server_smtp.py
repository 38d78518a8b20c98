"""SMTP: aiosmtpd's RFC 5321 behaviour, with Postfix's answers where they matter."""

from __future__ import annotations

import imaplib
import re
import smtplib
from collections.abc import Iterator

import pytest

from server_fixtures import COURSE, TIMEOUT, Connect, RawClient
from telnetmail.server import MailServer


@pytest.fixture
def smtp(mail_server: MailServer) -> Iterator[smtplib.SMTP]:
    client = smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=TIMEOUT)
    yield client
    client.close()


@pytest.fixture
def helo_client(raw_client: Connect) -> RawClient:
    client = raw_client("smtp")
    assert client.command(b"HELO client.example.com") == b"250 mx1.example.com"
    return client


@pytest.fixture
def mail_client(helo_client: RawClient) -> RawClient:
    """A client whose MAIL FROM has been accepted."""
    assert helo_client.command(b"MAIL FROM:<sender@example.com>").startswith(b"250 ")
    return helo_client


@pytest.fixture
def data_client(mail_client: RawClient) -> RawClient:
    """A client that has been invited to send the message (354)."""
    assert mail_client.command(b"RCPT TO:<recipient@example.com>").startswith(b"250 ")
    assert mail_client.command(b"DATA").startswith(b"354 ")
    return mail_client


def test_greeting_names_the_mail_exchanger(mail_server: MailServer) -> None:
    client = RawClient(mail_server.smtp_port)
    try:
        assert client.line().startswith(b"220 mx1.example.com ")
    finally:
        client.close()


def test_helo_is_answered_with_the_server_name(smtp: smtplib.SMTP) -> None:
    assert smtp.helo("client.example.com") == (250, b"mx1.example.com")


def test_ehlo_advertises_the_size_limit(
    smtp: smtplib.SMTP, mail_server: MailServer
) -> None:
    smtp.ehlo("client.example.com")
    assert smtp.esmtp_features["size"] == str(mail_server.config.max_message_size)


def test_noop_is_250(helo_client: RawClient) -> None:
    assert helo_client.command(b"NOOP").startswith(b"250 ")


def test_vrfy_is_252(helo_client: RawClient) -> None:
    assert helo_client.command(b"VRFY MyUsername").startswith(b"252 ")


def test_helo_without_a_name_is_501(raw_client: Connect) -> None:
    assert raw_client("smtp").command(b"HELO").startswith(b"501 ")


def test_mail_before_helo_is_503(raw_client: Connect) -> None:
    client = raw_client("smtp")
    assert client.command(b"MAIL FROM:<sender@example.com>").startswith(b"503 ")


def test_rcpt_before_mail_is_503(helo_client: RawClient) -> None:
    assert helo_client.command(b"RCPT TO:<recipient@example.com>").startswith(b"503 ")


def test_data_without_recipients_is_554_as_postfix_says(mail_client: RawClient) -> None:
    # RFC 5321 §3.3 allows 503 or 554 here; Postfix answers 554.
    assert mail_client.command(b"DATA") == b"554 5.5.1 Error: no valid recipients"


def test_data_after_refused_recipient_is_554(mail_client: RawClient) -> None:
    assert mail_client.command(b"RCPT TO:<nobody@example.com>").startswith(b"550 ")
    assert mail_client.command(b"DATA") == b"554 5.5.1 Error: no valid recipients"


def test_data_before_mail_is_503(helo_client: RawClient) -> None:
    assert helo_client.command(b"DATA") == b"503 5.5.1 Error: need RCPT command"


def test_data_before_helo_is_503(raw_client: Connect) -> None:
    client = raw_client("smtp")
    assert client.command(b"DATA").startswith(b"503 ")


def test_unknown_command_is_500(helo_client: RawClient) -> None:
    assert helo_client.command(b"FROBNICATE now").startswith(b"500 ")


def test_mail_from_is_accepted_with_250(helo_client: RawClient) -> None:
    assert helo_client.command(b"MAIL FROM:<sender@example.com>").startswith(b"250 ")


def test_local_recipient_is_accepted_with_250(mail_client: RawClient) -> None:
    assert mail_client.command(b"RCPT TO:<recipient@example.com>").startswith(b"250 ")


def test_unknown_local_user_is_refused_with_550(mail_client: RawClient) -> None:
    assert mail_client.command(b"RCPT TO:<nobody@example.com>").startswith(b"550 ")


def test_other_domains_are_never_relayed(mail_client: RawClient) -> None:
    reply = mail_client.command(b"RCPT TO:<someone@example.org>")
    assert reply.startswith(b"554 ") and b"Relay access denied" in reply


def test_local_domain_match_ignores_case(mail_client: RawClient) -> None:
    assert mail_client.command(b"RCPT TO:<Recipient@EXAMPLE.com>").startswith(b"250 ")


def test_data_is_invited_with_354(mail_client: RawClient) -> None:
    mail_client.command(b"RCPT TO:<recipient@example.com>")
    assert mail_client.command(b"DATA").startswith(b"354 ")


def test_accepted_message_reply_carries_the_queue_id(data_client: RawClient) -> None:
    reply = data_client.command(b"Subject: hi\r\n\r\nHello.\r\n.")
    assert re.fullmatch(rb"250 2\.0\.0 Ok: queued as [0-9A-F]{11}", reply)


def test_quit_is_221(helo_client: RawClient) -> None:
    assert helo_client.command(b"QUIT").startswith(b"221 ")
    assert helo_client.is_closed()


def test_message_over_the_size_limit_is_552(mail_server: MailServer) -> None:
    too_big = "x" * 998 + "\r\n"
    lines = mail_server.config.max_message_size // len(too_big) + 2
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=TIMEOUT) as smtp:
        smtp.helo("client.example.com")
        with pytest.raises(smtplib.SMTPDataError) as error:
            smtp.sendmail("sender@example.com", [COURSE.address], too_big * lines)
    assert error.value.smtp_code == 552


def test_data_line_over_1000_octets_is_500(data_client: RawClient) -> None:
    reply = data_client.command(b"Subject: long\r\n\r\n" + b"y" * 1200 + b"\r\n.")
    assert reply.startswith(b"500 ")


def test_command_line_over_the_limit_is_500(helo_client: RawClient) -> None:
    assert helo_client.command(b"NOOP " + b"z" * 2000).startswith(b"500 ")


def test_dot_stuffing_is_undone_on_delivery(
    data_client: RawClient, mail_server: MailServer
) -> None:
    data_client.command(b"Subject: dots\r\n\r\n..hidden\r\n...two\r\n.")
    imap = imaplib.IMAP4("127.0.0.1", mail_server.imap_port, timeout=TIMEOUT)
    try:
        imap.login(COURSE.name, COURSE.password)
        imap.select("INBOX", readonly=True)
        _, [(_, message), _] = imap.fetch("1", "BODY[]")
    finally:
        imap.logout()
    assert message.endswith(b"\r\n\r\n.hidden\r\n..two\r\n")
