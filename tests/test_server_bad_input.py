"""Hostile and broken clients get an error reply, and the server keeps serving.

Each test ends with :func:`still_serving`: a full send-and-read session on
the same server.
"""

from __future__ import annotations

import imaplib
import poplib
import smtplib
import socket

import pytest

from server_fixtures import COURSE, TIMEOUT, Connect, RawClient, SendMail
from telnetmail.server import MailServer

MEGABYTE = b"A" * (1024 * 1024)

# service -> (a harmless command, the start of its error reply)
UNKNOWN = {
    "smtp": (b"XYZZY", b"500 "),
    "pop3": (b"XYZZY", b"-ERR"),
    "imap": (b"a1 XYZZY", b"a1 BAD"),
}
NOOP = {"smtp": b"NOOP", "pop3": b"QUIT", "imap": b"a2 NOOP"}
NOOP_OK = {"smtp": b"250 ", "pop3": b"+OK", "imap": b"a2 OK"}


def still_serving(server: MailServer) -> None:
    """Send one message, and find it over POP3 and over IMAP."""
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=TIMEOUT) as smtp:
        smtp.helo("client.example.com")
        smtp.sendmail(
            "sender@example.com", [COURSE.address], "Subject: ok\r\n\r\nok\r\n"
        )
    pop3 = poplib.POP3("127.0.0.1", server.pop3_port, timeout=TIMEOUT)
    pop3.user(COURSE.name)
    pop3.pass_(COURSE.password)
    assert pop3.stat()[0] >= 1
    pop3.quit()
    imap = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=TIMEOUT)
    imap.login(COURSE.name, COURSE.password)
    assert int(imap.select("INBOX")[1][0]) >= 1
    imap.logout()


def pop3_count(server: MailServer) -> int:
    pop3 = poplib.POP3("127.0.0.1", server.pop3_port, timeout=TIMEOUT)
    pop3.user(COURSE.name)
    pop3.pass_(COURSE.password)
    count = pop3.stat()[0]
    pop3.quit()
    return count


@pytest.mark.parametrize("service", ["smtp", "pop3", "imap"])
def test_unknown_command_gets_an_error_and_the_session_goes_on(
    service: str, raw_client: Connect, mail_server: MailServer
) -> None:
    client = raw_client(service)
    command, error = UNKNOWN[service]
    assert client.command(command).startswith(error)
    assert client.command(NOOP[service]).startswith(NOOP_OK[service])
    still_serving(mail_server)


@pytest.mark.parametrize("service", ["smtp", "pop3", "imap"])
@pytest.mark.parametrize("junk", [b"NO\x00OP", b"\xff\xfe\xfd", b"\x00" * 10])
def test_nul_and_0xff_bytes_get_an_error(
    service: str, junk: bytes, raw_client: Connect, mail_server: MailServer
) -> None:
    client = raw_client(service)
    _, error = UNKNOWN[service]
    line = b"a1 " + junk if service == "imap" else junk
    assert client.command(line).startswith(error)
    assert client.command(NOOP[service]).startswith(NOOP_OK[service])
    still_serving(mail_server)


@pytest.mark.parametrize("service", ["smtp", "pop3"])
def test_megabyte_line_is_refused_and_the_session_goes_on(
    service: str, raw_client: Connect, mail_server: MailServer
) -> None:
    client = raw_client(service)
    _, error = UNKNOWN[service]
    assert client.command(MEGABYTE).startswith(error)
    assert client.command(NOOP[service]).startswith(NOOP_OK[service])
    still_serving(mail_server)


def test_megabyte_line_gets_an_untagged_imap_bad(
    raw_client: Connect, mail_server: MailServer
) -> None:
    client = raw_client("imap")
    assert client.command(b"a1 " + MEGABYTE) == b"* BAD Command line too long."
    assert client.command(NOOP["imap"]).startswith(NOOP_OK["imap"])
    still_serving(mail_server)


@pytest.mark.parametrize("service", ["smtp", "pop3", "imap"])
def test_empty_line_gets_an_error(service: str, raw_client: Connect) -> None:
    error = {"smtp": b"500 ", "pop3": b"-ERR", "imap": b"* BAD"}[service]
    assert raw_client(service).command(b"").startswith(error)


def test_imap_literal_over_the_size_limit_is_refused(
    raw_client: Connect, mail_server: MailServer
) -> None:
    client = raw_client("imap")
    too_big = mail_server.config.max_message_size + 1
    assert client.command(b"a1 APPEND INBOX {%d+}" % too_big).startswith(b"* BYE")
    still_serving(mail_server)


def test_imap_synchronising_literal_over_the_size_limit_is_refused(
    raw_client: Connect,
) -> None:
    client = raw_client("imap")
    client.command(b"a1 LOGIN MyUsername MyPassword")
    too_big = 10**9 + 1
    assert not client.command(b"a2 APPEND INBOX {%d}" % too_big).startswith(b"+")


@pytest.mark.parametrize("service", ["smtp", "pop3", "imap"])
def test_megabyte_without_newline_then_vanishing_is_survived(
    service: str, mail_server: MailServer
) -> None:
    client = RawClient(mail_server.ports[service])
    client.line()
    client.send(MEGABYTE)
    client.close()
    still_serving(mail_server)


def test_pop3_line_over_255_octets_is_refused(raw_client: Connect) -> None:
    client = raw_client("pop3")
    assert client.command(b"USER " + b"u" * 300) == b"-ERR Input line too long."


@pytest.mark.parametrize(
    "command",
    [
        b"LIST x",
        b"LIST -1",
        b"RETR 0",
        b"TOP 1",
        b"TOP 1 x",
        b"DELE",
        b"UIDL 99",
        b"RETR 1 2",
    ],
)
def test_pop3_bad_arguments_get_err(command: bytes, raw_client: Connect) -> None:
    client = raw_client("pop3")
    client.command(b"USER MyUsername")
    client.command(b"PASS MyPassword")
    assert client.command(command).startswith(b"-ERR")


@pytest.mark.parametrize(
    "command",
    [b"MAIL FROM:", b"MAIL", b"RCPT TO:", b"RCPT TO:<>", b"MAIL FROM:<a@b> NOSUCH=1"],
)
def test_smtp_bad_arguments_get_501(command: bytes, raw_client: Connect) -> None:
    client = raw_client("smtp")
    client.command(b"HELO client.example.com")
    if command.startswith(b"RCPT"):
        client.command(b"MAIL FROM:<sender@example.com>")
    assert client.command(command).startswith(b"501 ")


@pytest.mark.parametrize(
    "command", [b"a1 SELECT", b'a1 LOGIN "unterminated', b"a1 FETCH x"]
)
def test_imap_bad_arguments_get_bad(command: bytes, raw_client: Connect) -> None:
    assert raw_client("imap").command(command).startswith(b"a1 BAD")


def test_message_cut_off_mid_data_is_never_stored(mail_server: MailServer) -> None:
    client = RawClient(mail_server.smtp_port)
    client.line()
    for line in (
        b"HELO client.example.com",
        b"MAIL FROM:<sender@example.com>",
        b"RCPT TO:<recipient@example.com>",
        b"DATA",
    ):
        client.command(line)
    client.send(b"Subject: cut off\r\n\r\nhalf a messa")
    client.close()
    assert pop3_count(mail_server) == 0
    still_serving(mail_server)


def test_client_vanishing_mid_literal_appends_nothing(mail_server: MailServer) -> None:
    client = RawClient(mail_server.imap_port)
    client.line()
    client.command(b"a1 LOGIN MyUsername MyPassword")
    assert client.command(b"a2 APPEND INBOX {100}").startswith(b"+")
    client.send(b"Subject: half\r\n\r\n")
    client.close()
    assert pop3_count(mail_server) == 0
    still_serving(mail_server)


def test_client_vanishing_mid_session_keeps_mail(
    send_mail: SendMail, mail_server: MailServer
) -> None:
    send_mail()
    client = RawClient(mail_server.pop3_port)
    client.line()
    client.command(b"USER MyUsername")
    client.command(b"PASS MyPassword")
    client.command(b"DELE 1")
    client.sock.shutdown(socket.SHUT_RDWR)
    client.close()
    assert pop3_count(mail_server) == 1


@pytest.mark.parametrize("service", ["smtp", "pop3", "imap"])
def test_flood_of_connections_is_survived(
    service: str, mail_server: MailServer
) -> None:
    flood = [
        socket.create_connection(
            ("127.0.0.1", mail_server.ports[service]), timeout=TIMEOUT
        )
        for _ in range(200)
    ]
    try:
        still_serving(mail_server)
    finally:
        for sock in flood:
            sock.close()
    still_serving(mail_server)


def test_pipelined_pop3_commands_are_all_answered(raw_client: Connect) -> None:
    client = raw_client("pop3")
    client.send(b"USER MyUsername\r\nPASS MyPassword\r\nSTAT\r\nNOOP\r\n")
    assert [client.line() for _ in range(4)] == [
        b"+OK",
        b"+OK Logged in.",
        b"+OK 0 0",
        b"+OK",
    ]
