"""One mail store, three protocols: what SMTP delivers, POP3 and IMAP share."""

from __future__ import annotations

import email
import email.policy
import imaplib
import poplib
import re
import smtplib
from collections.abc import Callable

import pytest

from server_fixtures import COURSE, OTHER, SendMail
from telnetmail.server import MailServer

Pop3Login = Callable[..., poplib.POP3]
ImapLogin = Callable[..., imaplib.IMAP4]


def retrieved(client: poplib.POP3, number: int = 1) -> email.message.EmailMessage:
    _, lines, _ = client.retr(number)
    return email.message_from_bytes(b"\r\n".join(lines), policy=email.policy.default)


def imap_count(client: imaplib.IMAP4) -> int:
    _, [count] = client.select("INBOX")
    return int(count)


def test_mail_sent_over_smtp_is_in_the_pop3_inbox(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail()
    assert pop3_login().stat()[0] == 1


def test_mail_sent_over_smtp_is_in_the_imap_inbox(
    send_mail: SendMail, imap_login: ImapLogin
) -> None:
    send_mail()
    assert imap_count(imap_login()) == 1


def test_pop3_and_imap_see_the_same_bytes(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    _, lines, _ = pop3_login().retr(1)
    client = imap_login()
    client.select("INBOX", readonly=True)
    _, [(_, body), _] = client.fetch("1", "BODY[]")
    assert body == b"".join(line + b"\r\n" for line in lines)


def test_pop3_dele_and_quit_expunge_for_imap(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    client = pop3_login()
    client.dele(1)
    client.quit()
    assert imap_count(imap_login()) == 0


def test_imap_expunge_removes_it_for_pop3(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    client = imap_login()
    client.select("INBOX")
    client.store("1", "+FLAGS", r"(\Deleted)")
    client.expunge()
    assert pop3_login().stat() == (0, 0)


def test_pop3_deletion_shows_up_as_expunge_in_a_selected_imap_session(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    watcher = imap_login()
    watcher.select("INBOX")
    client = pop3_login()
    client.dele(1)
    client.quit()
    watcher.noop()
    assert watcher.response("EXPUNGE") == ("EXPUNGE", [b"1"])


def test_pop3_retr_marks_the_message_seen_for_imap(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    pop3_login().retr(1)
    client = imap_login()
    client.select("INBOX", readonly=True)
    _, [flags] = client.fetch("1", "(FLAGS)")
    assert b"\\Seen" in flags


def test_delivery_adds_return_path(send_mail: SendMail, pop3_login: Pop3Login) -> None:
    send_mail(sender="sender@example.com")
    assert retrieved(pop3_login())["Return-Path"] == "<sender@example.com>"


def test_received_line_is_postfixs_to_the_octet(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail()
    received = " ".join(retrieved(pop3_login())["Received"].split())
    assert re.fullmatch(
        r"from client\.example\.com \(localhost \[127\.0\.0\.1\]\)"
        r" by mx1\.example\.com \(Postfix\) with SMTP id [0-9A-F]{11}"
        r" for <recipient@example\.com>; \w{3}, \d+ \w{3} \d{4} [\d:]{8} [+-]\d{4}"
        r" \(UTC\)",
        received,
    )


def test_received_queue_id_is_the_one_smtp_replied_with(
    mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    queue_id = queue_id_of_one_message(mail_server).decode()
    assert f"with SMTP id {queue_id}" in retrieved(pop3_login())["Received"]


def test_received_line_says_esmtp_after_ehlo(
    mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port) as smtp:
        smtp.ehlo("client.example.com")
        smtp.sendmail("sender@example.com", [COURSE.address], "Subject: e\r\n\r\n")
    assert " with ESMTP id " in retrieved(pop3_login())["Received"]


def test_message_id_is_added_when_missing(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail(headers="Subject: no id\r\n")
    message_id = retrieved(pop3_login())["Message-Id"]
    assert re.fullmatch(r"<[^@<>]+@mx1\.example\.com>", message_id)


def test_existing_message_id_is_kept(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail(headers="Message-Id: <mine@client.example.com>\r\nSubject: x\r\n")
    message = retrieved(pop3_login())
    assert message.get_all("Message-Id") == ["<mine@client.example.com>"]


def test_date_is_added_when_missing(send_mail: SendMail, pop3_login: Pop3Login) -> None:
    send_mail(headers="Subject: undated\r\n")
    assert retrieved(pop3_login())["Date"] is not None


def test_from_is_added_when_missing_after_message_id_and_date(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    # As Postfix does for local clients: the bare envelope sender, last.
    send_mail(headers="To: recipient@example.com\r\nSubject: no from\r\n")
    message = retrieved(pop3_login())
    assert message.get_all("From") == ["sender@example.com"]
    assert message.keys()[-3:] == ["Message-Id", "Date", "From"]


def test_existing_from_is_kept(send_mail: SendMail, pop3_login: Pop3Login) -> None:
    send_mail(headers="from: other@example.com\r\nSubject: x\r\n")
    message = retrieved(pop3_login())
    assert message.get_all("From") == ["other@example.com"]


def test_null_sender_is_mailer_daemon(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail(sender="", headers="Subject: bounce\r\n")
    message = retrieved(pop3_login())
    assert message["Return-Path"] == "<MAILER-DAEMON>"
    assert message["From"] == "MAILER-DAEMON"


def test_unqualified_sender_gets_the_server_domain(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail(sender="sender", headers="Subject: local\r\n")
    message = retrieved(pop3_login())
    assert message["Return-Path"] == "<sender@mx1.example.com>"
    assert message["From"] == "sender@mx1.example.com"


def test_resent_message_gets_resent_headers(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail(headers="Resent-To: recipient@example.com\r\nSubject: again\r\n")
    names = retrieved(pop3_login()).keys()
    assert names[-3:] == ["Resent-Message-Id", "Resent-Date", "Resent-From"]
    assert "From" not in names and "Message-Id" not in names


def test_body_arrives_unchanged(send_mail: SendMail, pop3_login: Pop3Login) -> None:
    send_mail("Line one.\r\n\r\nLine three, after a blank.\r\n")
    _, lines, _ = pop3_login().retr(1)
    body = lines[lines.index(b"") + 1 :]
    assert body == [b"Line one.", b"", b"Line three, after a blank."]


def test_users_see_only_their_own_mail(
    send_mail: SendMail, pop3_login: Pop3Login
) -> None:
    send_mail(to=OTHER.address)
    assert pop3_login(COURSE).stat()[0] == 0
    assert pop3_login(OTHER).stat()[0] == 1


def test_users_see_only_their_own_mail_over_imap(
    send_mail: SendMail, imap_login: ImapLogin
) -> None:
    send_mail(to=COURSE.address)
    assert imap_count(imap_login(OTHER)) == 0


def test_reset_empties_every_mailbox(
    send_mail: SendMail, mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    send_mail()
    send_mail(to=OTHER.address)
    mail_server.reset()
    assert pop3_login(COURSE).stat() == (0, 0)
    assert pop3_login(OTHER).stat() == (0, 0)


def test_uids_start_at_1_again_after_reset(
    send_mail: SendMail, mail_server: MailServer, imap_login: ImapLogin
) -> None:
    send_mail()
    mail_server.reset()
    send_mail()
    client = imap_login()
    client.select("INBOX")
    _, [uids] = client.uid("SEARCH", "ALL")
    assert uids == b"1"


def test_every_message_accepted_with_250_is_stored(
    mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port) as smtp:
        smtp.helo("client.example.com")
        for number in range(25):
            smtp.sendmail(
                "a@example.com", [COURSE.address], f"Subject: {number}\r\n\r\n"
            )
    for number in range(25):
        with smtplib.SMTP("127.0.0.1", mail_server.smtp_port) as smtp:
            smtp.helo("client.example.com")
            smtp.sendmail(
                "a@example.com", [COURSE.address], f"Subject: {number}\r\n\r\n"
            )
    assert pop3_login().stat()[0] == 50


def test_one_message_to_two_users_reaches_both(
    mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port) as smtp:
        smtp.helo("client.example.com")
        smtp.sendmail(
            "a@example.com", [COURSE.address, OTHER.address], "Subject: x\r\n\r\n"
        )
    assert pop3_login(COURSE).stat()[0] == 1
    assert pop3_login(OTHER).stat()[0] == 1


def queue_id_of_one_message(server: MailServer) -> bytes:
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        smtp.helo("client.example.com")
        smtp.mail("sender@example.com")
        smtp.rcpt(COURSE.address)
        _, reply = smtp.data(b"Subject: id\r\n\r\nHi.\r\n")
    return reply.split()[-1]


def test_queue_ids_start_over_after_reset_so_replays_repeat(
    mail_server: MailServer,
) -> None:
    first = queue_id_of_one_message(mail_server)
    assert queue_id_of_one_message(mail_server) != first
    mail_server.reset()
    assert queue_id_of_one_message(mail_server) == first


# -- snapshots: the mailboxes put back as they were ---------------------------------


def mailbox_state(client: imaplib.IMAP4, mailbox: str = "INBOX") -> dict[str, object]:
    """What IMAP shows of *mailbox*: counts, UIDVALIDITY, UIDNEXT, and each
    message's UID and flags."""
    client.select(mailbox, readonly=True)
    _, [status] = client.status(mailbox, "(MESSAGES RECENT UIDVALIDITY UIDNEXT)")
    _, fetched = client.fetch("1:*", "(UID FLAGS)")
    return {"status": status.split(b" ", 1)[1], "messages": sorted(fetched)}


def test_a_restored_store_has_every_saved_message_flag_and_mailbox(
    send_mail: SendMail, mail_server: MailServer, imap_login: ImapLogin
) -> None:
    send_mail()
    send_mail(body="Another.\r\n")
    client = imap_login()
    client.select("INBOX")
    client.store("1", "+FLAGS", r"(\Flagged \Seen)")
    client.create("Archivio")
    client.copy("2", "Archivio")
    saved_inbox, saved_archive = mailbox_state(client), mailbox_state(client, "Archivio")
    snapshot = mail_server.snapshot()

    send_mail(body="After the snapshot.\r\n")
    client = imap_login()
    client.select("INBOX")
    client.store("1:*", "+FLAGS", r"(\Deleted)")
    client.expunge()
    client.delete("Archivio")
    mail_server.restore(snapshot)

    client = imap_login()
    assert mailbox_state(client) == saved_inbox
    assert mailbox_state(client, "Archivio") == saved_archive


def test_a_snapshot_can_be_put_back_again_after_its_restored_mail_changed(
    send_mail: SendMail, mail_server: MailServer, imap_login: ImapLogin
) -> None:
    send_mail()
    snapshot = mail_server.snapshot()
    saved = mailbox_state(imap_login())
    for _ in range(2):
        mail_server.restore(snapshot)
        assert mailbox_state(imap_login()) == saved
        client = imap_login()
        client.select("INBOX")
        client.store("1", "+FLAGS", r"(\Answered)")  # in the restored copy only


def test_new_mail_is_still_recent_after_a_restore(
    send_mail: SendMail, mail_server: MailServer, imap_login: ImapLogin
) -> None:
    send_mail()
    mail_server.restore(mail_server.snapshot())
    client = imap_login()
    client.select("INBOX")
    assert client.response("RECENT") == ("RECENT", [b"1"])


def test_queue_ids_go_on_from_the_snapshot_after_a_restore(
    mail_server: MailServer,
) -> None:
    queue_id_of_one_message(mail_server)
    snapshot = mail_server.snapshot()
    second = queue_id_of_one_message(mail_server)
    mail_server.restore(snapshot)
    assert queue_id_of_one_message(mail_server) == second


def test_a_restore_hangs_up_on_every_client(
    send_mail: SendMail, mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    send_mail()
    client = pop3_login()
    mail_server.restore(mail_server.snapshot())
    with pytest.raises((poplib.error_proto, OSError, EOFError)):
        client.stat()
