"""IMAP input that once froze or crashed pymap: refused before pymap sees it.

Each test ends by checking that the server still serves everyone.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading

import pytest

from server_fixtures import COURSE, Connect, RawClient
from test_server_bad_input import still_serving
from telnetmail.server import MailServer, mutf7
from telnetmail.server.imap_guard import check, tokens

INVALID_NAMES = [
    b"R&D",  # a bare & (pymap's decoder looped forever)
    b"&",
    b"a&",
    b"&AOk",  # unterminated run
    b"&AGE-",  # printable ASCII hidden in a run
    b"&AOk-&AOk-",  # two runs where one would do
    b"&2D0-",  # a lone surrogate
    b"&AO-",  # bits left over
    b"&A*k-",  # not base64
    b"Jos\xc3\xa9",  # raw UTF-8
    b"tab\there",
]
VALID_NAMES = [b"INBOX", b"&-", b"R&-D", b"&ZeVnLIqe-", b"Entw&APw-rfe", b"&2D3eAA-"]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_mutf7_names_are_refused(name: bytes) -> None:
    assert not mutf7.is_valid(name)


@pytest.mark.parametrize("name", VALID_NAMES)
def test_valid_mutf7_names_round_trip(name: bytes) -> None:
    assert mutf7.encode(mutf7.decode(name)) == name


@pytest.fixture
def logged_in(raw_client: Connect) -> RawClient:
    client = raw_client("imap")
    assert client.tagged(b"a0 LOGIN MyUsername MyPassword")[-1].startswith(b"a0 OK")
    return client


COMMANDS = [
    b"SELECT {}",
    b"EXAMINE {}",
    b"CREATE {}",
    b"DELETE {}",
    b"RENAME INBOX {}",
    b"RENAME {} Other",
    b"SUBSCRIBE {}",
    b"UNSUBSCRIBE {}",
    b"STATUS {} (MESSAGES)",
    b'APPEND {} {{3+}}\r\nx\r\n',
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", [b"R&D", b'"&AOk"', b"&AGE-"])
def test_every_mailbox_command_answers_like_dovecot(
    logged_in: RawClient, mail_server: MailServer, command: bytes, name: bytes
) -> None:
    reply = logged_in.tagged(b"t1 " + command.replace(b"{}", name))
    assert reply == [b"t1 NO Mailbox name is not valid mUTF-7"]
    still_serving(mail_server)


def test_list_with_an_invalid_pattern_lists_nothing(logged_in: RawClient) -> None:
    assert logged_in.tagged(b't1 LIST "" R&D') == [b"t1 OK List completed."]
    assert logged_in.tagged(b't2 LSUB "" R&D') == [b"t2 OK Lsub completed."]


def test_copy_and_move_to_an_invalid_name(
    logged_in: RawClient, send_mail
) -> None:
    send_mail()
    logged_in.tagged(b"t0 SELECT INBOX")
    for command in (b"COPY 1 R&D", b"MOVE 1 R&D", b"UID COPY 1 R&D", b"UID MOVE 1 &"):
        reply = logged_in.tagged(b"t1 " + command)
        assert reply == [b"t1 NO Mailbox name is not valid mUTF-7"]


def test_an_invalid_name_in_a_literal_is_refused(logged_in: RawClient) -> None:
    logged_in.send(b"t1 SELECT {3}\r\n")
    assert logged_in.line().startswith(b"+")
    logged_in.send(b"R&D\r\n")
    assert logged_in.line() == b"t1 NO Mailbox name is not valid mUTF-7"


def test_8bit_atom_is_bad_like_dovecot(logged_in: RawClient) -> None:
    reply = logged_in.tagged("t1 CREATE Josè".encode())
    assert reply == [b"t1 BAD Error in IMAP command CREATE: 8bit data in atom."]


def test_r_and_d_before_login_does_not_freeze(
    raw_client: Connect, mail_server: MailServer
) -> None:
    client = raw_client("imap")
    assert client.tagged(b"a1 SELECT R&D")[-1].startswith(b"a1 ")
    still_serving(mail_server)


def test_a_valid_non_ascii_name_can_be_created_and_selected(
    logged_in: RawClient,
) -> None:
    assert logged_in.tagged(b"t1 CREATE Entw&APw-rfe")[-1].startswith(b"t1 OK")
    assert logged_in.tagged(b"t2 SELECT Entw&APw-rfe")[-1].startswith(b"t2 OK")


@pytest.mark.parametrize(
    "search",
    [
        'SEARCH FROM "José"',
        'SEARCH CHARSET UTF-8 FROM "José"',
        'UID SEARCH FROM "José"',
        'search subject "perché"',
    ],
)
def test_non_ascii_search_finds_utf8_text(
    logged_in: RawClient, mail_server: MailServer, send_mail, search: str
) -> None:
    message = "From: José <jose@example.com>\r\nSubject: perché\r\n\r\nciao\r\n"
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=5) as smtp:
        smtp.helo("client.example.com")
        smtp.sendmail("jose@example.com", [COURSE.address], message.encode())
    send_mail()
    logged_in.tagged(b"t0 SELECT INBOX")
    reply = logged_in.tagged(b"t1 " + search.encode())
    assert reply[0] == b"* SEARCH 1"
    assert reply[-1].startswith(b"t1 OK")


@pytest.mark.parametrize(
    ("search", "answer"),
    [
        (b"SEARCH FROM Jos\xc3\xa9", b"t1 BAD Error in IMAP command SEARCH: 8bit"),
        (b'SEARCH FROM "Jos\xe9"', b"t1 BAD Error in IMAP command SEARCH: Invalid"),
        (b'SEARCH CHARSET KOI8-R FROM "\xc3\xa9"', b"t1 NO [BADCHARSET"),
    ],
)
def test_bad_non_ascii_search_is_refused_not_a_crash(
    logged_in: RawClient, mail_server: MailServer, search: bytes, answer: bytes
) -> None:
    logged_in.tagged(b"t0 SELECT INBOX")
    assert logged_in.tagged(b"t1 " + search)[-1].startswith(answer)
    assert logged_in.tagged(b"t2 NOOP")[-1].startswith(b"t2 OK")
    still_serving(mail_server)


@pytest.mark.parametrize("command", [b"FETCH 1 FLAGS", b"FETCH 1:* FLAGS",
                                     b"STORE 1 +FLAGS (\\Seen)", b"COPY 1 INBOX",
                                     b"FETCH 2 FLAGS"])
def test_message_numbers_past_the_last_are_bad_like_dovecot(
    logged_in: RawClient, send_mail, command: bytes
) -> None:
    if command == b"FETCH 2 FLAGS":
        send_mail()
    logged_in.tagged(b"t0 SELECT INBOX")
    name = command.split(b" ")[0]
    expected = b"t1 BAD Error in IMAP command " + name + b": Invalid messageset."
    assert logged_in.tagged(b"t1 " + command) == [expected]


def test_uid_fetch_of_a_missing_uid_is_ok(logged_in: RawClient) -> None:
    logged_in.tagged(b"t0 SELECT INBOX")
    assert logged_in.tagged(b"t1 UID FETCH 5 FLAGS")[-1].startswith(b"t1 OK")


def test_tokens_stop_before_a_literal_still_to_come() -> None:
    found = tokens(b'a1 RENAME "x y" {5}\r\nab')
    assert [t.value for t in found] == [b"a1", b"RENAME", b"x y"]


def test_the_guard_leaves_ordinary_commands_alone() -> None:
    for line in (b"a1 SELECT INBOX\r\n", b"a2 FETCH 1 BODY[]\r\n", b"a3 NOOP\r\n"):
        verdict = check(line, line, 3)
        assert verdict.refusal is None and verdict.line is None


def test_the_watchdog_ends_a_command_that_holds_the_loop() -> None:
    from telnetmail.server import ServerConfig
    from telnetmail.server.limits import Limits

    config = ServerConfig(limits=Limits(command_budget=0.5))
    with MailServer(config) as server:
        released = threading.Event()

        async def stuck() -> None:
            try:
                while True:  # What pymap's decoder did on R&D.
                    pass
            finally:
                released.set()

        assert server._loop is not None
        asyncio.run_coroutine_threadsafe(stuck(), server._loop)
        assert released.wait(10)
        still_serving(server)


def test_stop_ends_a_stuck_loop() -> None:
    server = MailServer().start()
    assert server._loop is not None
    server._loop.call_soon_threadsafe(_spin_forever)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(10)
    assert not stopper.is_alive()
    assert not server.running


def _spin_forever() -> None:
    while True:
        pass
