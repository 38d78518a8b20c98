"""The limits a class meets (Postfix's and Dovecot's), on servers of their own
with small values, so that no test waits for seconds."""

from __future__ import annotations

import contextlib
import imaplib
import poplib
import smtplib
import time
from collections.abc import Iterator

import pytest

from server_fixtures import COURSE, TIMEOUT, RawClient
from telnetmail.server import MailServer, ServerConfig
from telnetmail.server.limits import Limits


@contextlib.contextmanager
def server_with(**limits: object) -> Iterator[MailServer]:
    values: dict[str, object] = {"auth_failure_delay": 0.0, **limits}
    config = ServerConfig(limits=Limits(**values))  # type: ignore[arg-type]
    with MailServer(config) as server:
        yield server


def greeted(server: MailServer, service: str) -> RawClient:
    client = RawClient(server.ports[service])
    client.line()
    return client


def test_the_defaults_are_dovecot_s_and_postfix_s() -> None:
    limits = Limits()
    assert limits.auth_failure_delay == 2.0
    assert [limits.delay_after(n) for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 15, 15]
    assert limits.smtp_error_limit == 20
    assert limits.max_connections_per_address == 50
    assert limits.bad_commands_before_login == 3
    assert limits.backlog >= 300


def test_a_big_literal_before_login_is_refused_at_once() -> None:
    with server_with(max_literal_before_login=100) as server:
        for announce in (b"a1 LOGIN {101}\r\n", b"a1 LOGIN {10000000+}\r\n"):
            client = greeted(server, "imap")
            client.send(announce)
            assert client.line() == b"* BYE Literal size too large"
            assert client.is_closed()


def test_a_small_literal_before_login_is_fine() -> None:
    with server_with(max_literal_before_login=100) as server:
        client = greeted(server, "imap")
        client.send(b"a1 LOGIN {10}\r\n")
        assert client.line().startswith(b"+")
        client.send(b"MyUsername MyPassword\r\n")
        assert client.line().startswith(b"a1 OK")


def test_a_stall_mid_literal_is_timed_out() -> None:
    with server_with(literal_timeout=0.2) as server:
        client = greeted(server, "imap")
        client.send(b"a1 LOGIN MyUsername {10+}\r\nMyPa")
        assert client.line().startswith(b"* BYE Disconnected for inactivity")
        assert client.is_closed()


def test_failed_logins_wait_longer_and_longer() -> None:
    with server_with(auth_failure_delay=0.05, auth_failure_delay_max=0.2) as server:
        client = greeted(server, "pop3")
        waits = []
        for _ in range(3):
            client.command(b"USER MyUsername")
            start = time.monotonic()
            answer = client.command(b"PASS wrong")
            assert answer == b"-ERR [AUTH] Authentication failed."
            waits.append(time.monotonic() - start)
        assert waits[0] >= 0.05 and waits[1] >= 0.1 and waits[2] >= 0.2


def test_the_real_default_delays_a_wrong_imap_password() -> None:
    with MailServer() as server:
        imap = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=TIMEOUT)
        start = time.monotonic()
        with pytest.raises(imaplib.IMAP4.error):
            imap.login(COURSE.name, "wrong")
        assert time.monotonic() - start >= 2.0
        imap.shutdown()


def test_a_thousand_wrong_passwords_are_slowed_down() -> None:
    # 0.5 ms doubling to 1 ms: a thousand guesses take over a second, where
    # they took 0.14 s with no delay at all.
    with server_with(auth_failure_delay=0.0005, auth_failure_delay_max=0.001) as server:
        client = greeted(server, "pop3")
        start = time.monotonic()
        client.send(b"USER MyUsername\r\nPASS wrong\r\n" * 1000)
        for _ in range(1000):
            assert client.line() == b"+OK"
            assert client.line() == b"-ERR [AUTH] Authentication failed."
        assert time.monotonic() - start >= 0.001 * 999


def test_connections_per_address_are_limited() -> None:
    with server_with(max_connections_per_address=2, limit_loopback=True) as server:
        kept = [greeted(server, "pop3"), greeted(server, "imap")]
        pop3 = RawClient(server.pop3_port)
        assert pop3.line().startswith(b"-ERR [SYS/TEMP] Maximum number of connections")
        imap = RawClient(server.imap_port)
        assert imap.line().startswith(b"* BYE Maximum number of connections")
        smtp = RawClient(server.smtp_port)
        assert smtp.line() == (
            b"421 4.7.0 mx1.example.com Error: too many connections from 127.0.0.1"
        )
        kept[0].command(b"QUIT")
        kept[0].is_closed()
        _eventually(lambda: RawClient(server.pop3_port).line() == b"+OK Dovecot ready.")


def test_loopback_is_exempt_from_the_per_address_limit_by_default() -> None:
    with server_with(max_connections_per_address=1) as server:
        clients = [greeted(server, "pop3") for _ in range(3)]
        assert len(clients) == 3


def test_connections_in_total_are_limited() -> None:
    with server_with(max_connections=2) as server:
        kept = [greeted(server, "smtp"), greeted(server, "imap")]
        assert len(kept) == 2
        assert RawClient(server.pop3_port).line().startswith(b"-ERR [SYS/TEMP]")


def _eventually(condition, tries: int = 100) -> None:
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("never happened")


def test_smtp_hangs_up_after_too_many_errors() -> None:
    with server_with(smtp_error_limit=4) as server:
        client = greeted(server, "smtp")
        for _ in range(3):
            assert client.command(b"FROB") == b"500 5.5.2 Error: command not recognized"
        assert client.command(b"FROB").startswith(b"500")
        assert client.line() == b"421 4.7.0 mx1.example.com Error: too many errors"
        assert client.is_closed()


def test_twenty_errors_by_default_as_postfix() -> None:
    with server_with() as server:
        client = greeted(server, "smtp")
        for _ in range(19):
            assert client.command(b"FROB").startswith(b"500 5.5.2")
        assert client.command(b"NOOP") == b"250 2.0.0 Ok"
        client.command(b"FROB")
        assert client.line().startswith(b"421 4.7.0")


def test_a_good_command_before_login_starts_the_count_over() -> None:
    with server_with() as server:
        client = greeted(server, "imap")
        for tag in (b"a", b"b"):
            assert client.command(tag + b" FOO").startswith(tag + b" BAD")
            assert client.command(tag + b" NOOP").startswith(tag + b" OK")
        assert client.command(b"c LOGIN MyUsername MyPassword").startswith(b"c OK")
        for tag in (b"d", b"e", b"f"):  # After login, pymap's limit (20) counts.
            assert client.command(tag + b" FOO").startswith(tag + b" BAD")


def test_imap_says_bye_at_the_third_bad_command_before_login() -> None:
    with server_with() as server:
        client = greeted(server, "imap")
        assert client.command(b"a FOO").startswith(b"a BAD")
        assert client.command(b"b BAR").startswith(b"b BAD")
        # The third gets no BAD: Dovecot says BYE instead.
        assert client.command(b"c BAZ") == b"* BYE Too many invalid IMAP commands."
        assert client.is_closed()


def test_pop3_hangs_up_at_the_third_bad_command_before_login() -> None:
    with server_with() as server:
        client = greeted(server, "pop3")
        assert client.command(b"FOO") == b"-ERR Unknown command."
        assert client.command(b"BAR") == b"-ERR Unknown command."
        assert client.command(b"BAZ") == b"-ERR Unknown command."
        assert client.line() == b"-ERR Too many invalid bad commands."
        assert client.is_closed()


def test_pop3_hangs_up_at_the_limit_of_bad_commands_after_login() -> None:
    with server_with(bad_commands_after_login=3) as server:
        client = greeted(server, "pop3")
        client.command(b"USER MyUsername")
        client.command(b"PASS MyPassword")
        assert client.command(b"RETR 1") == b"-ERR There's no message 1."
        assert client.command(b"NOOP") == b"+OK"  # A good one starts the count over.
        client.command(b"RETR 1")
        client.command(b"RETR 2")
        assert client.command(b"FOO") == b"-ERR Unknown command: FOO"
        assert client.line() == b"-ERR Too many bad commands."
        assert client.is_closed()


def _deliver(server: MailServer, body: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=TIMEOUT) as smtp:
        smtp.helo("client.example.com")
        lines = b"\r\n".join(body[i : i + 100] for i in range(0, len(body), 100))
        smtp.sendmail("s@example.com", [COURSE.address], b"Subject: q\r\n\r\n" + lines)


def test_a_full_mailbox_refuses_mail_over_smtp() -> None:
    with server_with(quota=2000) as server:
        _deliver(server, b"x" * 500)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _deliver(server, b"x" * 1500)
        assert refused.value.smtp_code == 552
        assert refused.value.smtp_error.startswith(b"5.2.2 Quota exceeded")
        pop3 = poplib.POP3("127.0.0.1", server.pop3_port, timeout=TIMEOUT)
        pop3.user(COURSE.name)
        pop3.pass_(COURSE.password)
        assert pop3.stat()[0] == 1
        pop3.quit()


def test_a_full_mailbox_refuses_append_and_copy_over_imap() -> None:
    with server_with(quota=2000) as server:
        _deliver(server, b"x" * 1000)
        imap = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=TIMEOUT)
        imap.login(COURSE.name, COURSE.password)
        big = b"Subject: a\r\n\r\n" + (b"y" * 75 + b"\r\n") * 20
        typ, data = imap.append("INBOX", None, None, big)
        assert typ == "NO" and data[0].startswith(b"[OVERQUOTA]")
        imap.select("INBOX")
        typ, data = imap.copy("1", "INBOX")
        assert typ == "NO" and data[0].startswith(b"[OVERQUOTA]")
        assert imap.append("INBOX", None, None, b"Subject: small\r\n\r\nok")[0] == "OK"
        imap.logout()


def test_idle_timeout_says_bye_without_serverbug() -> None:
    with MailServer(ServerConfig(idle_timeout=0.2)) as server:
        client = greeted(server, "imap")
        client.command(b"a1 LOGIN MyUsername MyPassword")
        client.send(b"a2 SELECT INBOX\r\n")
        client.until(b"a2 ")
        assert client.command(b"a3 IDLE") == b"+ Idling."
        lines = client.file.read().split(b"\r\n")
        assert lines[0] == b"* BYE Disconnected for inactivity."
        assert b"SERVERBUG" not in b"".join(lines)


def test_authenticate_timeout_says_bye_without_serverbug() -> None:
    with MailServer(ServerConfig(idle_timeout=0.2)) as server:
        client = greeted(server, "imap")
        assert client.command(b"a1 AUTHENTICATE PLAIN").startswith(b"+")
        rest = client.file.read()
        assert rest.startswith(b"* BYE Disconnected for inactivity.")
        assert b"SERVERBUG" not in rest


def test_pop3_idle_timeout_hangs_up() -> None:
    with MailServer(ServerConfig(idle_timeout=0.2)) as server:
        client = greeted(server, "pop3")
        assert client.line() == b"-ERR Disconnected for inactivity."
        assert client.is_closed()
