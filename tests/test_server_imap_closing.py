"""Leaving a mailbox (CLOSE, UNSELECT) and waiting in IDLE, over real sockets,
as RFC 3501 §6.4.2, RFC 3691 and RFC 2177 have it and Dovecot 2.3 answers."""

from __future__ import annotations

from server_fixtures import Connect, RawClient, RawLogin, SendMail


def deleted_message(client: RawClient) -> None:
    """Select INBOX and mark its only message \\Deleted."""
    client.tagged(b"s1 SELECT INBOX")
    assert client.tagged(b"s2 STORE 1 +FLAGS (\\Deleted)")[-1].startswith(b"s2 OK")


def messages(client: RawClient) -> bytes:
    return client.tagged(b"m1 STATUS INBOX (MESSAGES)")[0]


def test_unselect_is_announced_after_login(raw_client: Connect) -> None:
    reply = raw_client("imap").command(b"a1 LOGIN MyUsername MyPassword")
    assert b" UNSELECT" in reply


def test_unselect_leaves_deleted_messages_in_place(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    deleted_message(client)
    assert client.tagged(b"a3 UNSELECT") == [b"a3 OK Unselect completed."]
    assert messages(client) == b"* STATUS INBOX (MESSAGES 1)"


def test_unselect_returns_to_the_authenticated_state(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    client.tagged(b"a2 SELECT INBOX")
    client.tagged(b"a3 UNSELECT")
    assert client.command(b"a4 FETCH 1 FLAGS").startswith(b"a4 BAD")


def test_unselect_without_a_mailbox_is_bad(raw_imap_login: RawLogin) -> None:
    # RFC 3691 §2: "BAD - no mailbox selected".
    assert raw_imap_login().command(b"a2 UNSELECT").startswith(b"a2 BAD")


def test_unselect_takes_no_arguments(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    client.tagged(b"a2 SELECT INBOX")
    assert client.command(b"a3 UNSELECT INBOX").startswith(b"a3 BAD")


def test_close_expunges_deleted_messages_without_telling(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    deleted_message(client)
    # No "* 1 EXPUNGE" before the tagged OK (RFC 3501 §6.4.2).
    assert client.tagged(b"a3 CLOSE") == [b"a3 OK CLOSE completed."]
    assert messages(client) == b"* STATUS INBOX (MESSAGES 0)"


def test_close_of_an_examined_mailbox_expunges_nothing_and_is_ok(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail()
    client = raw_imap_login()
    deleted_message(client)
    client.tagged(b"a3 EXAMINE INBOX")
    # pymap said NO [READ-ONLY]; the RFC wants no error, and nothing removed.
    assert client.tagged(b"a4 CLOSE") == [b"a4 OK Close completed."]
    assert messages(client) == b"* STATUS INBOX (MESSAGES 1)"


def test_close_without_a_mailbox_is_bad(raw_imap_login: RawLogin) -> None:
    assert raw_imap_login().command(b"a2 CLOSE").startswith(b"a2 BAD")


def test_idle_waits_for_done_before_select(raw_imap_login: RawLogin) -> None:
    # RFC 2177 §4: IDLE is valid in the authenticated state too.
    client = raw_imap_login()
    assert client.command(b"a2 IDLE").startswith(b"+ ")
    assert client.command(b"DONE").startswith(b"a2 OK")
    assert client.command(b"a3 NOOP").startswith(b"a3 OK")


def test_idle_in_a_mailbox_waits_for_done(raw_imap_login: RawLogin) -> None:
    client = raw_imap_login()
    client.tagged(b"a2 SELECT INBOX")
    assert client.command(b"a3 IDLE").startswith(b"+ ")
    assert client.command(b"DONE").startswith(b"a3 OK")


def test_a_command_typed_during_idle_ends_it_with_bad(raw_imap_login: RawLogin) -> None:
    # The client must not send a command while IDLE waits for DONE (RFC 2177
    # §3): the line is not run, and IDLE ends with BAD, as in Dovecot.
    client = raw_imap_login()
    client.command(b"a2 IDLE")
    assert client.command(b"a3 SELECT INBOX").startswith(b"a2 BAD")
    assert client.command(b"a4 FETCH 1 FLAGS").startswith(b"a4 BAD")


def test_idle_before_login_is_bad(raw_client: Connect) -> None:
    assert raw_client("imap").command(b"a1 IDLE").startswith(b"a1 BAD")
