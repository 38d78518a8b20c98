"""IMAP: pymap's RFC 3501 server, answering as Dovecot where the RFC leaves a choice."""

from __future__ import annotations

import imaplib
import re
from collections.abc import Callable, Iterator

import pytest
from imapclient import IMAPClient

from server_fixtures import COURSE, TIMEOUT, Connect, RawClient, RawLogin, SendMail
from telnetmail.server import MailServer

Login = Callable[..., imaplib.IMAP4]


@pytest.fixture
def imapclient(mail_server: MailServer) -> Iterator[IMAPClient]:
    client = IMAPClient(
        "127.0.0.1", port=mail_server.imap_port, ssl=False, timeout=TIMEOUT
    )
    client.login(COURSE.name, COURSE.password)
    yield client
    client.shutdown()


def test_greeting_carries_capabilities(mail_server: MailServer) -> None:
    client = RawClient(mail_server.imap_port)
    try:
        assert re.fullmatch(
            rb"\* OK \[CAPABILITY IMAP4rev1 [^]]*\] Dovecot ready\.", client.line()
        )
    finally:
        client.close()


def test_login_reply_carries_capabilities(raw_client: Connect) -> None:
    reply = raw_client("imap").command(b"a1 LOGIN MyUsername MyPassword")
    assert reply.startswith(b"a1 OK [CAPABILITY IMAP4rev1 ")


def test_wrong_password_and_unknown_user_get_the_same_answer(
    raw_client: Connect,
) -> None:
    client = raw_client("imap")
    wrong_password = client.command(b"a1 LOGIN MyUsername nope")
    unknown_user = client.command(b"a1 LOGIN nobody MyPassword")
    assert wrong_password == unknown_user
    assert wrong_password.startswith(b"a1 NO")


def test_list_shows_inbox_with_dovecots_separator(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    assert client.tagged(b'a2 LIST "" "*"') == [
        b'* LIST (\\HasNoChildren) "." INBOX',
        b"a2 OK LIST completed.",
    ]


def test_select_answers_in_dovecots_order(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    lines = client.tagged(b"a3 SELECT INBOX")
    shapes = [re.sub(rb"\d+", b"n", re.sub(rb"\] .*", b"]", line)) for line in lines]
    assert shapes == [
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)]",
        b"* n EXISTS",
        b"* n RECENT",
        b"* OK [UNSEEN n]",
        b"* OK [UIDVALIDITY n]",
        b"* OK [UIDNEXT n]",
        b"an OK [READ-WRITE]",
    ]


def test_examine_is_read_only(send_mail: SendMail, raw_imap_login: RawLogin) -> None:
    send_mail()
    client = raw_imap_login()
    lines = client.tagged(b"a3 EXAMINE INBOX")
    assert b"* OK [PERMANENTFLAGS ()] Read-only mailbox." in lines
    assert lines[-1].startswith(b"a3 OK [READ-ONLY]")


def test_select_of_empty_mailbox_sends_no_unseen(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    lines = client.tagged(b"a3 SELECT INBOX")
    assert b"* 0 EXISTS" in lines
    assert not any(b"[UNSEEN" in line for line in lines)


def test_no_mailboxid_line_on_select(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    assert not any(b"MAILBOXID" in line for line in client.tagged(b"a3 SELECT INBOX"))


def test_store_is_ignored_in_a_read_only_mailbox(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    # Dovecot's answer (pymap's was NO [READ-ONLY]): OK, nothing changed.
    send_mail()
    client = raw_imap_login()
    client.tagged(b"a2 EXAMINE INBOX")
    assert client.tagged(b"a3 STORE 1 +FLAGS (\\Flagged)") == [
        b"a3 OK Store ignored with read-only mailbox."
    ]
    assert client.tagged(b"a4 FETCH 1 FLAGS")[0] == b"* 1 FETCH (FLAGS (\\Recent))"


def test_examine_shows_recent_without_claiming_it(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    examining = raw_imap_login()
    assert b"* 1 RECENT" in examining.tagged(b"a2 EXAMINE INBOX")
    assert examining.tagged(b"a3 FETCH 1 FLAGS")[0] == b"* 1 FETCH (FLAGS (\\Recent))"
    # Still new for the first session that selects the mailbox (RFC 3501 §2.3.2).
    selecting = raw_imap_login()
    assert b"* 1 RECENT" in selecting.tagged(b"a2 SELECT INBOX")
    assert b"* 0 RECENT" in raw_imap_login().tagged(b"a2 EXAMINE INBOX")


def test_first_uid_is_1(send_mail: SendMail, imapclient: IMAPClient) -> None:
    send_mail()
    imapclient.select_folder("INBOX")
    assert imapclient.search("ALL") == [1]


def test_uidnext_follows_the_last_uid(
    send_mail: SendMail, imapclient: IMAPClient
) -> None:
    send_mail()
    send_mail()
    assert imapclient.select_folder("INBOX")[b"UIDNEXT"] == 3


def uid_validity(client: imaplib.IMAP4) -> bytes:
    client.select("INBOX")
    _, [value] = client.response("UIDVALIDITY")
    return value


def test_uidvalidity_stays_the_same_across_sessions(
    send_mail: SendMail, imap_login: Login
) -> None:
    send_mail()
    assert uid_validity(imap_login()) == uid_validity(imap_login())


def test_uidvalidity_changes_when_the_store_is_reset(
    imap_login: Login, mail_server: MailServer
) -> None:
    before = uid_validity(imap_login())
    mail_server.reset()
    assert uid_validity(imap_login()) != before


def test_body_fetch_after_select_sets_seen(
    send_mail: SendMail, imapclient: IMAPClient
) -> None:
    send_mail()
    imapclient.select_folder("INBOX")
    imapclient.fetch([1], ["BODY[]"])
    assert b"\\Seen" in imapclient.get_flags([1])[1]


def test_body_fetch_after_examine_leaves_seen_unset(
    send_mail: SendMail, imapclient: IMAPClient
) -> None:
    send_mail()
    imapclient.select_folder("INBOX", readonly=True)
    imapclient.fetch([1], ["BODY[]"])
    assert b"\\Seen" not in imapclient.get_flags([1])[1]


def test_literal_gets_a_continuation(raw_client: Connect) -> None:
    client = raw_client("imap")
    assert client.command(b"a1 LOGIN {10}").startswith(b"+")
    assert client.command(b"MyUsername MyPassword").startswith(b"a1 OK")


def test_fetch_sends_the_message_as_a_literal(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    client.tagged(b"a3 EXAMINE INBOX")
    first = client.command(b"a4 FETCH 1 BODY[]")
    size = int(re.fullmatch(rb"\* 1 FETCH \(BODY\[\] \{(\d+)\}", first).group(1))
    literal = client.file.read(size)
    assert literal.startswith(b"Return-Path: <sender@example.com>\r\n")
    assert client.until(b"a4 ")[-1].startswith(b"a4 OK")


def test_logout_says_bye(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    lines = client.tagged(b"a5 LOGOUT")
    assert lines[0].startswith(b"* BYE")
    assert lines[-1].startswith(b"a5 OK")


def test_a_pop3_login_claims_recent_as_dovecots_does(
    send_mail: SendMail, pop3_login: Callable[..., object], raw_imap_login: RawLogin
) -> None:
    # Dovecot's POP3 opens INBOX read-write, so the first session to see new
    # mail is the POP3 one, even one that never sends QUIT.
    send_mail()
    assert b"* 1 RECENT" in raw_imap_login().tagged(b"a2 EXAMINE INBOX")
    pop3_login()
    assert b"* 0 RECENT" in raw_imap_login().tagged(b"a2 SELECT INBOX")


def test_append_over_imap_is_readable_over_pop3(
    imapclient: IMAPClient, pop3_login
) -> None:
    imapclient.append("INBOX", b"Subject: appended\r\n\r\nHi.\r\n")
    _, lines, _ = pop3_login().retr(1)
    assert b"Subject: appended" in lines


def test_flags_persist_across_sessions(send_mail: SendMail, imap_login: Login) -> None:
    send_mail()
    first = imap_login()
    first.select("INBOX")
    first.store("1", "+FLAGS", r"(\Flagged)")
    first.logout()
    second = imap_login()
    second.select("INBOX")
    _, data = second.fetch("1", "(FLAGS)")
    assert b"\\Flagged" in data[0]


def test_recent_is_cleared_by_the_first_select(
    send_mail: SendMail, imapclient: IMAPClient
) -> None:
    send_mail()
    assert imapclient.select_folder("INBOX")[b"RECENT"] == 1
    assert imapclient.select_folder("INBOX")[b"RECENT"] == 0


def test_command_before_login_is_bad(raw_client: Connect) -> None:
    assert raw_client("imap").command(b"a1 SELECT INBOX").startswith(b"a1 BAD")


def test_unknown_command_is_bad(raw_imap_login: RawLogin) -> None:
    assert raw_imap_login().command(b"a2 FROBNICATE").startswith(b"a2 BAD")


def test_noop_is_ok(raw_imap_login: RawLogin) -> None:
    assert raw_imap_login().command(b"a2 NOOP").startswith(b"a2 OK")


def test_objectid_is_not_advertised_as_dovecot_23_does_not(raw_client: Connect) -> None:
    reply = raw_client("imap").command(b"a1 LOGIN MyUsername MyPassword")
    assert b"OBJECTID" not in reply


def test_folders_nest_with_dovecots_separator(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    assert client.command(b"a2 CREATE Archive.2024").startswith(b"a2 OK")
    assert client.tagged(b'a3 LIST "" "*"') == [
        b'* LIST (\\HasNoChildren) "." INBOX',
        b'* LIST (\\Noselect \\HasChildren) "." Archive',
        b'* LIST (\\HasNoChildren) "." Archive.2024',
        b"a3 OK LIST completed.",
    ]


def test_envelope_gives_the_date_header_and_nil_for_a_missing_display_name(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail(
        headers="Date: Mon, 23 Nov 2026 09:00:00 +0100\r\n"
        "From: Sender Name <sender@example.com>\r\n"
        "To: recipient@example.com\r\nSubject: Hi\r\n"
    )
    client = raw_imap_login()
    client.tagged(b"a2 SELECT INBOX")
    reply = client.tagged(b"a3 FETCH 1 ENVELOPE")[0]
    assert b'ENVELOPE ("Mon, 23 Nov 2026 09:00:00 +0100" "Hi" ' in reply
    assert b'(("Sender Name" NIL "sender" "example.com"))' in reply
    assert b'((NIL NIL "recipient" "example.com"))' in reply


@pytest.mark.parametrize(
    ("item", "named"),
    [
        (b"BODY[HEADER.FIELDS (SUBJECT FROM)]", b"BODY[HEADER.FIELDS (SUBJECT FROM)]"),
        (
            b"BODY.PEEK[HEADER.FIELDS.NOT (TO DATE)]<0.5>",
            b"BODY[HEADER.FIELDS.NOT (TO DATE)]<0>",
        ),
        (b"BODY[header.fields (subject from)]", b"BODY[HEADER.FIELDS (SUBJECT FROM)]"),
    ],
)
def test_a_header_list_is_named_in_the_order_asked(
    send_mail: SendMail, raw_imap_login: RawLogin, item: bytes, named: bytes
) -> None:
    # As Dovecot does; pymap answered the list sorted (FROM SUBJECT).
    send_mail()
    client = raw_imap_login()
    client.tagged(b"a2 EXAMINE INBOX")
    first = client.command(b"a3 FETCH 1 (" + item + b")")
    assert first.startswith(b"* 1 FETCH (" + named + b" {"), first
    assert client.until(b"a3 ")[-1].startswith(b"a3 OK")


def test_header_lists_of_one_fetch_keep_each_its_order(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    client.tagged(b"a2 EXAMINE INBOX")
    lines = client.tagged(
        b"a3 UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (TO FROM)]"
        b" BODY.PEEK[HEADER.FIELDS (SUBJECT DATE)])"
    )
    reply = b"\n".join(lines)
    assert b"BODY[HEADER.FIELDS (TO FROM)]" in reply
    assert b"BODY[HEADER.FIELDS (SUBJECT DATE)]" in reply
