"""POP3: RFC 1939 with CAPA, TOP and UIDL (RFC 2449), in Dovecot's words."""

from __future__ import annotations

import poplib
import re
from collections.abc import Callable

import pytest

from server_fixtures import COURSE, Connect, RawClient, SendMail, wait_for_unlock
from telnetmail.server import MailServer

Login = Callable[..., poplib.POP3]


@pytest.fixture
def raw_imap_login(raw_client: Connect) -> Callable[[], RawClient]:
    """Log in over a raw socket; the session sees the mail sent before it."""

    def login() -> RawClient:
        client = raw_client("pop3")
        assert client.command(b"USER MyUsername") == b"+OK"
        assert client.command(b"PASS MyPassword").startswith(b"+OK")
        return client

    return login


@pytest.fixture
def logged_in(raw_imap_login: Callable[[], RawClient]) -> RawClient:
    return raw_imap_login()


def test_greeting_is_ok(mail_server: MailServer) -> None:
    client = RawClient(mail_server.pop3_port)
    try:
        assert client.line() == b"+OK Dovecot ready."
    finally:
        client.close()


def test_capa_lists_top_uidl_and_user(raw_client: Connect) -> None:
    client = raw_client("pop3")
    assert client.command(b"CAPA") == b"+OK"
    assert {b"TOP", b"UIDL", b"USER"} <= set(client.multiline())


def test_user_and_pass_log_in(pop3_login: Login) -> None:
    assert pop3_login().stat() == (0, 0)


def test_wrong_password_and_unknown_user_get_the_same_answer(
    raw_client: Connect,
) -> None:
    client = raw_client("pop3")
    client.command(b"USER MyUsername")
    wrong_password = client.command(b"PASS nope")
    client.command(b"USER nobody")
    unknown_user = client.command(b"PASS MyPassword")
    assert wrong_password == unknown_user
    assert wrong_password.startswith(b"-ERR")


def test_pass_without_user_is_an_error(raw_client: Connect) -> None:
    assert raw_client("pop3").command(b"PASS MyPassword").startswith(b"-ERR")


def test_transaction_command_before_login_is_an_error(raw_client: Connect) -> None:
    assert raw_client("pop3").command(b"STAT").startswith(b"-ERR")


def test_user_after_login_is_an_error(logged_in: RawClient) -> None:
    assert logged_in.command(b"USER MyUsername").startswith(b"-ERR")


def test_stat_counts_messages_and_octets(
    send_mail: SendMail, pop3_login: Login
) -> None:
    send_mail()
    send_mail()
    client = pop3_login()
    count, size = client.stat()
    assert count == 2
    assert size == sum(int(line.split()[1]) for line in client.list()[1])


def test_list_answers_like_the_seed(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail()
    logged_in = raw_imap_login()
    assert logged_in.command(b"LIST").startswith(b"+OK 1 messages")
    listing = logged_in.multiline()
    assert len(listing) == 1
    assert re.fullmatch(rb"1 \d+", listing[0])


def test_list_of_one_message(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail()
    logged_in = raw_imap_login()
    assert re.fullmatch(rb"\+OK 1 \d+", logged_in.command(b"LIST 1"))


def test_retr_announces_the_exact_octet_count(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail()
    logged_in = raw_imap_login()
    first = logged_in.command(b"RETR 1")
    lines = logged_in.multiline()
    octets = sum(len(line) + 2 for line in lines)  # All lines arrive with CRLF.
    assert first == b"+OK %d octets" % octets


def test_retr_of_a_missing_message_is_an_error(logged_in: RawClient) -> None:
    assert logged_in.command(b"RETR 1").startswith(b"-ERR")


def test_retr_with_a_bad_argument_is_an_error(logged_in: RawClient) -> None:
    assert logged_in.command(b"RETR one").startswith(b"-ERR")


def test_dot_stuffing_round_trips(send_mail: SendMail, pop3_login: Login) -> None:
    send_mail(".leading dot\r\n..two dots\r\n.\r\nend\r\n")
    _, lines, _ = pop3_login().retr(1)
    body = lines[lines.index(b"") + 1 :]
    assert body == [b".leading dot", b"..two dots", b".", b"end"]


def test_retr_stuffs_dots_on_the_wire(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail(".hidden\r\n")
    logged_in = raw_imap_login()
    logged_in.command(b"RETR 1")
    assert b"..hidden" in logged_in.multiline()


def test_top_sends_header_and_n_body_lines(
    send_mail: SendMail, pop3_login: Login
) -> None:
    send_mail("one\r\ntwo\r\nthree\r\n")
    _, lines, _ = pop3_login().top(1, 2)
    assert lines[-3:] == [b"", b"one", b"two"]
    assert lines[0].startswith(b"Return-Path:")


def test_uidl_is_stable_across_sessions(send_mail: SendMail, pop3_login: Login) -> None:
    send_mail()
    client = pop3_login()
    first = client.uidl(1)
    client.quit()  # Lets the next session take the maildrop's lock.
    second = pop3_login().uidl(1)
    assert first == second
    assert first.startswith(b"+OK 1 ")


def test_dele_marks_the_message(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail()
    logged_in = raw_imap_login()
    assert logged_in.command(b"DELE 1").startswith(b"+OK")
    assert logged_in.command(b"STAT") == b"+OK 0 0"


def test_second_dele_of_a_message_is_an_error(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail()
    logged_in = raw_imap_login()
    logged_in.command(b"DELE 1")
    assert logged_in.command(b"DELE 1").startswith(b"-ERR")


def test_deleted_message_cannot_be_retrieved(
    send_mail: SendMail, raw_imap_login: Callable[[], RawClient]
) -> None:
    send_mail()
    logged_in = raw_imap_login()
    logged_in.command(b"DELE 1")
    assert logged_in.command(b"RETR 1").startswith(b"-ERR")


def test_rset_unmarks_deleted_messages(send_mail: SendMail, pop3_login: Login) -> None:
    send_mail()
    client = pop3_login()
    client.dele(1)
    client.rset()
    assert client.stat()[0] == 1


def test_quit_expunges_deleted_messages(send_mail: SendMail, pop3_login: Login) -> None:
    send_mail()
    client = pop3_login()
    client.dele(1)
    assert client.quit().startswith(b"+OK")
    assert pop3_login().stat() == (0, 0)


def test_session_ending_without_quit_deletes_nothing(
    send_mail: SendMail, pop3_login: Login
) -> None:
    send_mail()
    client = pop3_login()
    client.dele(1)
    client.close()
    assert wait_for_unlock(pop3_login).stat()[0] == 1


def test_noop_is_ok(logged_in: RawClient) -> None:
    assert logged_in.command(b"NOOP") == b"+OK"


def test_unknown_command_is_an_error(logged_in: RawClient) -> None:
    assert logged_in.command(b"XYZZY").startswith(b"-ERR")


def test_commands_are_case_insensitive(logged_in: RawClient) -> None:
    assert logged_in.command(b"stat") == b"+OK 0 0"


def test_quit_before_login_says_goodbye(raw_client: Connect) -> None:
    client = raw_client("pop3")
    assert client.command(b"QUIT").startswith(b"+OK")
    assert client.is_closed()


def test_message_numbers_stay_fixed_for_the_session(
    send_mail: SendMail, pop3_login: Login
) -> None:
    send_mail()
    client = pop3_login()
    send_mail()  # Arrives during the session: RFC 1939 keeps the listing fixed.
    assert client.stat()[0] == 1
    client.quit()
    assert pop3_login(COURSE).stat()[0] == 2
