"""POP3 rules that a one-message mailbox cannot show: several messages, the
maildrop lock (RFC 1939 §8), Dovecot's exact -ERR texts."""

from __future__ import annotations

import imaplib
import re
import smtplib
import socket
from collections.abc import Iterator

import pytest

from server_fixtures import COURSE, TIMEOUT, Connect, RawClient, SendMail
from telnetmail.server import MailServer, ServerConfig
from telnetmail.server.limits import Limits


@pytest.fixture
def three(send_mail: SendMail, raw_client: Connect) -> RawClient:
    """A session over three messages whose bodies say their number."""
    for number in (1, 2, 3):
        send_mail(f"body {number}\r\n" + "x\r\n" * number)
    client = raw_client("pop3")
    client.command(b"USER MyUsername")
    assert client.command(b"PASS MyPassword") == b"+OK Logged in."
    return client


def retr_body(client: RawClient, number: int) -> bytes:
    assert client.command(b"RETR %d" % number).endswith(b" octets")
    lines = client.multiline()
    return lines[lines.index(b"") + 1]


def bodies(raw_client: Connect) -> list[bytes]:
    client = raw_client("pop3")
    client.command(b"USER MyUsername")
    client.command(b"PASS MyPassword")
    count = int(client.command(b"STAT").split()[1])
    found = [retr_body(client, number) for number in range(1, count + 1)]
    client.command(b"QUIT")
    return found


@pytest.mark.parametrize("gone", [1, 2, 3])
def test_quit_expunges_exactly_the_marked_message(
    three: RawClient, raw_client: Connect, gone: int
) -> None:
    assert three.command(b"DELE %d" % gone) == b"+OK Marked to be deleted."
    assert three.command(b"QUIT") == b"+OK Logging out, messages deleted."
    assert three.is_closed()
    kept = [b"body %d" % n for n in (1, 2, 3) if n != gone]
    assert bodies(raw_client) == kept


def test_stat_list_and_uidl_skip_only_the_deleted(three: RawClient) -> None:
    sizes = {}
    three.command(b"LIST")
    for line in three.multiline():
        number, size = line.split()
        sizes[int(number)] = int(size)
    assert sorted(sizes) == [1, 2, 3]
    assert sizes[1] < sizes[2] < sizes[3]
    three.command(b"DELE 2")
    assert three.command(b"STAT") == b"+OK 2 %d" % (sizes[1] + sizes[3])
    assert three.command(b"LIST") == b"+OK 2 messages:"
    assert three.multiline() == [b"1 %d" % sizes[1], b"3 %d" % sizes[3]]
    assert three.command(b"UIDL") == b"+OK"
    assert [line.split()[0] for line in three.multiline()] == [b"1", b"3"]
    assert three.command(b"LIST 3") == b"+OK 3 %d" % sizes[3]
    assert three.command(b"UIDL 2") == b"-ERR Message is deleted."


def test_retr_and_top_give_the_message_asked_for(three: RawClient) -> None:
    assert retr_body(three, 3) == b"body 3"
    assert retr_body(three, 1) == b"body 1"
    assert three.command(b"TOP 2 1") == b"+OK"
    assert three.multiline()[-2:] == [b"", b"body 2"]
    assert three.command(b"TOP 2 0") == b"+OK"
    header = three.multiline()
    assert header[-1] == b"" and b"body 2" not in header


def test_rset_brings_back_every_marked_message(three: RawClient) -> None:
    three.command(b"DELE 1")
    three.command(b"DELE 3")
    assert three.command(b"RSET") == b"+OK"
    assert three.command(b"STAT").startswith(b"+OK 3 ")


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (b"RETR", b"-ERR Invalid message number: "),
        (b"RETR x", b"-ERR Invalid message number: x"),
        (b"RETR -1", b"-ERR Invalid message number: -1"),
        (b"RETR 0", b"-ERR There's no message 0."),
        (b"RETR 4", b"-ERR There's no message 4."),
        (b"RETR 1 2", b"-ERR Noise after message number:  2"),
        (b"DELE", b"-ERR Invalid message number: "),
        (b"DELE 9", b"-ERR There's no message 9."),
        (b"LIST x", b"-ERR Invalid message number: x"),
        (b"LIST 4", b"-ERR There's no message 4."),
        (b"UIDL 4", b"-ERR There's no message 4."),
        (b"TOP", b"-ERR Invalid message number: "),
        (b"TOP 1", b"-ERR Noise after message number: "),
        (b"TOP x 1", b"-ERR Invalid message number: x 1"),
        (b"TOP 1 x", b"-ERR Invalid size: x"),
        (b"TOP 1 X", b"-ERR Invalid size: X"),
        (b"FROBX", b"-ERR Unknown command: FROBX"),
        (b"TOP 4 1", b"-ERR There's no message 4."),
        (b"FROB", b"-ERR Unknown command: FROB"),
        (b"USER MyUsername", b"-ERR Unknown command: USER"),
        (b"PASS x", b"-ERR Unknown command: PASS"),
        (b"NOOP", b"+OK"),
        (b"CAPA", b"+OK"),
    ],
)
def test_answers_in_dovecot_s_words(
    three: RawClient, command: bytes, answer: bytes
) -> None:
    assert three.command(command) == answer


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (b"STAT", b"-ERR Unknown command."),
        (b"RETR 1", b"-ERR Unknown command."),
        (b"PASS MyPassword", b"-ERR No username given."),
        (b"USER", b"-ERR Missing user name."),
        (b"QUIT", b"+OK Logging out."),
    ],
)
def test_answers_before_login(
    raw_client: Connect, command: bytes, answer: bytes
) -> None:
    assert raw_client("pop3").command(command) == answer


def test_a_second_session_finds_the_maildrop_locked(
    three: RawClient, raw_client: Connect
) -> None:
    second = raw_client("pop3")
    second.command(b"USER MyUsername")
    answer = second.command(b"PASS MyPassword")
    assert answer == b"-ERR [IN-USE] Mailbox is locked by another POP3 session."
    assert second.is_closed()
    assert three.command(b"STAT").startswith(b"+OK 3 ")  # The first goes on.


def test_the_lock_goes_with_the_session(three: RawClient, raw_client: Connect) -> None:
    three.command(b"QUIT")
    three.is_closed()
    again = raw_client("pop3")
    again.command(b"USER MyUsername")
    assert again.command(b"PASS MyPassword") == b"+OK Logged in."


def test_the_lock_is_per_user(three: RawClient, raw_client: Connect) -> None:
    other = raw_client("pop3")
    other.command(b"USER anna")
    assert other.command(b"PASS anna-secret") == b"+OK Logged in."


def test_a_message_expunged_over_imap_cannot_be_retrieved(
    three: RawClient, mail_server: MailServer
) -> None:
    imap = imaplib.IMAP4("127.0.0.1", mail_server.imap_port, timeout=TIMEOUT)
    imap.login(COURSE.name, COURSE.password)
    imap.select("INBOX")
    imap.store("2", "+FLAGS", "\\Deleted")
    imap.expunge()
    imap.logout()
    assert three.command(b"RETR 2") == b"-ERR Message 2 expunged."
    assert three.command(b"TOP 2 0") == b"-ERR Message 2 expunged."
    assert retr_body(three, 3) == b"body 3"


def test_a_wrong_password_leaves_the_session_unauthorized(raw_client: Connect) -> None:
    client = raw_client("pop3")
    client.command(b"USER MyUsername")
    assert client.command(b"PASS nope") == b"-ERR [AUTH] Authentication failed."
    assert client.command(b"STAT") == b"-ERR Unknown command."
    client.command(b"USER MyUsername")
    assert client.command(b"PASS MyPassword") == b"+OK Logged in."


def test_commands_in_lower_case(three: RawClient) -> None:
    assert three.command(b"stat").startswith(b"+OK 3 ")
    assert three.command(b"dele 1") == b"+OK Marked to be deleted."
    assert three.command(b"quit") == b"+OK Logging out, messages deleted."




def test_capa_lists_exactly_what_is_served(raw_client: Connect) -> None:
    client = raw_client("pop3")
    assert client.command(b"CAPA") == b"+OK"
    assert client.multiline() == [
        b"CAPA", b"TOP", b"UIDL", b"RESP-CODES", b"PIPELINING", b"USER"
    ]


def test_a_line_of_255_octets_is_read_and_256_is_too_long(raw_client: Connect) -> None:
    client = raw_client("pop3")
    longest = b"NOOP " + b"x" * (255 - 7)  # 255 octets with its CRLF (RFC 2449 §4)
    assert client.command(longest) == b"-ERR Unknown command."
    assert client.command(longest + b"x") == b"-ERR Input line too long."
    assert client.command(b"QUIT") == b"+OK Logging out."  # The session goes on.


def test_bytes_that_are_not_utf8_come_back_as_sent(three: RawClient) -> None:
    assert three.command(b"FR\xe9B") == b"-ERR Unknown command: FR\xe9B"
    assert three.command(b"RETR \xe9") == b"-ERR Invalid message number: \xe9"


def test_an_empty_message_body_ends_with_the_dot_alone(three: RawClient) -> None:
    assert three.command(b"TOP 1 0") == b"+OK"
    lines = three.multiline()
    assert lines.count(b"") == 1 and lines[-1] == b""


def test_top_with_more_lines_than_the_body_gives_the_whole_message(
    three: RawClient,
) -> None:
    three.command(b"RETR 3")
    whole = three.multiline()
    assert three.command(b"TOP 3 99") == b"+OK"
    assert three.multiline() == whole


def _from(address: str, port: int) -> RawClient:
    """A POP3 client whose connection comes from *address* (127.0.0.0/8)."""
    client = RawClient.__new__(RawClient)
    client.sock = socket.create_connection(
        ("127.0.0.1", port), timeout=TIMEOUT, source_address=(address, 0)
    )
    client.file = client.sock.makefile("rb")
    client.line()
    return client


def test_the_pop3_login_penalty_is_per_client_address(
    mail_server: MailServer,
) -> None:
    guesser = _from("127.0.0.2", mail_server.pop3_port)
    student = _from("127.0.0.3", mail_server.pop3_port)
    try:
        for _ in range(5):
            guesser.command(b"USER MyUsername")
            guesser.command(b"PASS wrong")
        assert mail_server._store is not None
        penalty = mail_server._store.penalty
        assert penalty.failures["127.0.0.2"] == 5
        student.command(b"USER MyUsername")
        student.command(b"PASS wrong")
        assert penalty.failures["127.0.0.3"] == 1
        student.command(b"USER MyUsername")
        assert student.command(b"PASS MyPassword") == b"+OK Logged in."
        assert "127.0.0.3" not in penalty.failures
        assert penalty.failures["127.0.0.2"] == 5
    finally:
        guesser.close()
        student.close()


def test_quit_with_nothing_deleted_says_so(three: RawClient) -> None:
    assert three.command(b"QUIT") == b"+OK Logging out."


def test_uidl_is_uid_and_uidvalidity_in_hex(three: RawClient) -> None:
    assert re.fullmatch(rb"\+OK 2 0{7}2[0-9A-F]{8}", three.command(b"UIDL 2"))


def test_pass_forgets_the_user_name(raw_client: Connect) -> None:
    client = raw_client("pop3")
    client.command(b"USER MyUsername")
    client.command(b"PASS wrong")
    assert client.command(b"PASS MyPassword") == b"-ERR No username given."


@pytest.fixture(scope="module")
def strict_server() -> Iterator[MailServer]:
    """A server that hangs up at the 2nd bad command in a row."""
    limits = Limits(
        auth_failure_delay=0, bad_commands_before_login=2, bad_commands_after_login=2
    )
    with MailServer(ServerConfig(limits=limits)) as server:
        yield server


def strict_login(server: MailServer) -> RawClient:
    server.reset()
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=TIMEOUT) as smtp:
        smtp.helo("client.example.com")
        smtp.sendmail("s@example.com", [COURSE.address], "Subject: s\r\n\r\nbody\r\n")
    client = RawClient(server.pop3_port)
    client.line()
    client.command(b"USER MyUsername")
    assert client.command(b"PASS MyPassword") == b"+OK Logged in."
    return client


GOOD = [b"STAT", b"LIST", b"LIST 1", b"UIDL", b"UIDL 1", b"RETR 1", b"TOP 1 0",
        b"DELE 1", b"NOOP", b"RSET", b"CAPA"]
BAD = [b"RETR x", b"RETR 9", b"LIST 9", b"UIDL 9", b"TOP 1", b"TOP 1 x", b"TOP 9 1",
       b"DELE 9", b"FROB", b"USER x"]


def read_reply(client: RawClient, command: bytes) -> None:
    first = client.command(command)
    multi = command in (b"LIST", b"UIDL", b"RETR 1", b"TOP 1 0", b"CAPA")
    if multi and first.startswith(b"+OK"):
        client.multiline()


@pytest.mark.parametrize("good", GOOD)
def test_a_good_command_is_not_counted_as_bad(
    strict_server: MailServer, good: bytes
) -> None:
    client = strict_login(strict_server)
    assert client.command(b"FROB").startswith(b"-ERR")
    read_reply(client, good)
    assert client.command(b"FROB").startswith(b"-ERR")
    assert client.command(b"NOOP") == b"+OK"


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_command_counts(strict_server: MailServer, bad: bytes) -> None:
    client = strict_login(strict_server)
    assert client.command(b"FROB").startswith(b"-ERR")
    assert client.command(bad).startswith(b"-ERR")
    assert client.line() == b"-ERR Too many bad commands."


@pytest.mark.parametrize(
    ("line", "counts"),
    [(b"USER x", False), (b"CAPA", False), (b"PASS x", True), (b"USER", True)],
)
def test_what_counts_before_login(
    strict_server: MailServer, line: bytes, counts: bool
) -> None:
    client = RawClient(strict_server.pop3_port)
    client.line()
    client.command(b"FROB")
    read_reply(client, line)
    if counts:
        assert client.line() == b"-ERR Too many invalid bad commands."
    else:
        assert client.command(b"QUIT") == b"+OK Logging out."


def test_a_wrong_password_is_not_a_bad_command(strict_server: MailServer) -> None:
    client = RawClient(strict_server.pop3_port)
    client.line()
    client.command(b"FROB")
    client.command(b"USER MyUsername")
    client.command(b"PASS wrong")
    assert client.command(b"QUIT") == b"+OK Logging out."
