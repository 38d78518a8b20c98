"""The store keeps SMTP and POP3 mail in plain mailboxes, and moves it into
pymap at the first IMAP connection: IMAP then sees exactly what it would
have seen had pymap held the mail from the start (issue #14)."""

from __future__ import annotations

import imaplib
import poplib
import re
import smtplib
import ssl
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

import pytest

from server_fixtures import COURSE, OTHER, SendMail
from telnetmail.server import MailServer, ServerConfig
from telnetmail.server.tls import TLSConfig
from test_server_store import mailbox_state

Pop3Login = Callable[..., poplib.POP3]
ImapLogin = Callable[..., imaplib.IMAP4]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A server of its own for each test (so send_mail, pop3_login and
    imap_login use it): its mail is still in plain mailboxes."""
    with MailServer(ServerConfig(accounts=(COURSE, OTHER))) as server:
        yield server


# Run in a fresh interpreter: this test process has imported pymap long ago.
SMTP_AND_POP3_ONLY = textwrap.dedent(
    """
    import poplib, smtplib, sys
    from telnetmail.server import MailServer

    def loaded():
        return sorted(name for name in sys.modules if name.split(".")[0] in ("pymap", "pysasl"))

    with MailServer() as server:
        with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
            smtp.sendmail("a@example.com", ["recipient@example.com"], "Subject: x\\r\\n\\r\\nHi.\\r\\n")
        saved = server.snapshot()
        pop3 = poplib.POP3("127.0.0.1", server.pop3_port)
        pop3.user("MyUsername"); pop3.pass_("MyPassword")
        pop3.retr(1); pop3.dele(1); pop3.quit()
        server.restore(saved)
        server.reset()
        print("before IMAP:", loaded())
        imaplib = __import__("imaplib")
        imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
        imap.login("MyUsername", "MyPassword"); imap.logout()
        print("after IMAP:", "pymap" in loaded())
    """
)


def test_smtp_and_pop3_on_a_fresh_server_never_import_pymap() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SMTP_AND_POP3_ONLY],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # The second line shows the first one could have seen pymap.
    assert done.stdout == "before IMAP: []\nafter IMAP: True\n"


# -- what the first IMAP session sees of mail that SMTP and POP3 handled -------


def pop3_quit_deleting(login: Pop3Login, *numbers: int) -> None:
    client = login()
    for number in numbers:
        client.dele(number)
    client.quit()


def imap_uids(client: imaplib.IMAP4) -> list[int]:
    client.select("INBOX", readonly=True)
    _, [found] = client.uid("SEARCH", "ALL")
    return [int(uid) for uid in found.split()]


def imap_status(client: imaplib.IMAP4, item: str) -> int:
    _, [status] = client.status("INBOX", f"({item})")
    found = re.search(rf"{item} (\d+)".encode(), status)
    assert found is not None, status
    return int(found[1])


def test_imap_sees_the_uids_pop3_left(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    for _ in range(3):
        send_mail()
    pop3_quit_deleting(pop3_login, 2)
    assert imap_uids(imap_login()) == [1, 3]


def test_imap_uidnext_skips_the_uids_of_last_messages_pop3_deleted(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    for _ in range(3):
        send_mail()
    pop3_quit_deleting(pop3_login, 3)
    assert imap_status(imap_login(), "UIDNEXT") == 4


def test_mail_delivered_after_the_move_gets_the_next_uid_past_the_gap(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    send_mail()
    pop3_quit_deleting(pop3_login, 2)
    client = imap_login()
    send_mail()
    assert imap_uids(client) == [1, 3]


def test_imap_uidvalidity_is_the_one_pop3s_uidl_was_made_of(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    client = pop3_login()
    # Dovecot's UIDL: the UID then the UIDVALIDITY, 8 hex digits each.
    unique_id = client.uidl(1).split()[-1]
    client.quit()
    assert imap_status(imap_login(), "UIDVALIDITY") == int(unique_id[8:], 16)


def imap_flags(client: imaplib.IMAP4) -> list[bytes]:
    """Each message's FLAGS, as an EXAMINE session sees them."""
    client.select("INBOX", readonly=True)
    _, fetched = client.fetch("1:*", "FLAGS")
    return [re.sub(rb".*FLAGS \((.*)\)\)", rb"\1", line) for line in fetched]


def test_a_message_pop3_retrieved_is_seen_for_imap_and_the_other_not(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    send_mail()
    client = pop3_login()
    client.retr(1)
    client.quit()
    assert imap_flags(imap_login()) == [rb"\Seen", b""]


def test_mail_no_one_has_opened_is_recent_for_the_first_imap_session(
    send_mail: SendMail, imap_login: ImapLogin
) -> None:
    send_mail()
    send_mail()
    assert imap_flags(imap_login()) == [rb"\Recent", rb"\Recent"]


def test_mail_a_pop3_login_claimed_is_no_longer_recent_for_imap(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    pop3_login().quit()
    send_mail()
    assert imap_flags(imap_login()) == [b"", rb"\Recent"]


def test_imap_internaldate_is_when_smtp_delivered(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    client = pop3_login()
    _, lines, _ = client.retr(1)
    client.quit()
    received = next(line for line in lines if line.startswith(b"\tfor <"))
    delivered = parsedate_to_datetime(
        received.split(b"; ", 1)[1].split(b" (")[0].decode()
    )
    # Long enough that a date taken at the move, not the delivery, shows.
    time.sleep(1.1)
    client = imap_login()
    client.select("INBOX", readonly=True)
    _, [fetched] = client.fetch("1", "INTERNALDATE")
    assert time.mktime(imaplib.Internaldate2tuple(fetched)) == delivered.timestamp()


def test_imap_has_the_bytes_and_sizes_pop3_sent(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    send_mail()
    send_mail(body="A longer second message.\r\n.. with a dot.\r\n")
    client = pop3_login()
    sent = [b"".join(line + b"\r\n" for line in client.retr(n)[1]) for n in (1, 2)]
    client.quit()
    client = imap_login()
    client.select("INBOX", readonly=True)
    _, fetched = client.fetch("1:2", "(RFC822.SIZE BODY.PEEK[])")
    parts = [part for part in fetched if isinstance(part, tuple)]
    bodies = [body for _, body in parts]
    sizes = [int(re.findall(rb"RFC822.SIZE (\d+)", head)[0]) for head, _ in parts]
    assert (bodies, sizes) == (sent, [len(body) for body in sent])


# -- snapshots taken in one kind of mailboxes, put back in the other ----------


def pop3_view(login: Pop3Login) -> list[bytes]:
    """What POP3 shows: each message's UIDL and size."""
    client = login()
    _, uidls, _ = client.uidl()
    _, sizes, _ = client.list()
    client.quit()
    return uidls + sizes


def test_a_snapshot_taken_before_imap_is_put_back_before_imap(
    send_mail: SendMail, mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    send_mail()
    send_mail()
    snapshot = mail_server.snapshot()
    saved = pop3_view(pop3_login)
    pop3_quit_deleting(pop3_login, 1, 2)
    send_mail()
    mail_server.restore(snapshot)
    assert pop3_view(pop3_login) == saved


def test_a_snapshot_taken_before_imap_can_be_put_back_twice(
    send_mail: SendMail, mail_server: MailServer, pop3_login: Pop3Login
) -> None:
    send_mail()
    snapshot = mail_server.snapshot()
    saved = pop3_view(pop3_login)
    for _ in range(2):
        mail_server.restore(snapshot)
        assert pop3_view(pop3_login) == saved
        pop3_quit_deleting(pop3_login, 1)  # in the restored copy only


def test_a_snapshot_taken_before_imap_is_put_back_after_imap(
    send_mail: SendMail,
    mail_server: MailServer,
    pop3_login: Pop3Login,
    imap_login: ImapLogin,
) -> None:
    send_mail()
    send_mail()
    pop3_quit_deleting(pop3_login, 2)
    send_mail()
    snapshot = mail_server.snapshot()
    client = imap_login()
    saved = mailbox_state(client)  # the first IMAP session: the mail moves
    client.select("INBOX")
    client.store("1:*", "+FLAGS", r"(\Deleted)")
    client.expunge()
    send_mail()
    mail_server.restore(snapshot)
    assert mailbox_state(imap_login()) == saved


def test_a_snapshot_taken_after_imap_is_put_back_after_a_reset(
    send_mail: SendMail, mail_server: MailServer, imap_login: ImapLogin
) -> None:
    send_mail()
    client = imap_login()
    client.select("INBOX")
    client.store("1", "+FLAGS", r"(\Flagged)")
    saved = mailbox_state(client)
    snapshot = mail_server.snapshot()
    mail_server.reset()
    send_mail()
    mail_server.restore(snapshot)
    assert mailbox_state(imap_login()) == saved


# -- the move itself: sessions around it ----------------------------------------


def test_a_pop3_session_open_across_the_move_deletes_in_pymap(
    send_mail: SendMail, pop3_login: Pop3Login, imap_login: ImapLogin
) -> None:
    for _ in range(3):
        send_mail()
    pop3 = pop3_login()  # holds the maildrop as the plain mailboxes had it
    imap_uids(imap_login())  # the mail moves into pymap
    pop3.dele(2)
    pop3.quit()
    assert imap_uids(imap_login()) == [1, 3]


def test_two_first_imap_connections_at_once_are_both_served(
    mail_server: MailServer, send_mail: SendMail
) -> None:
    send_mail()
    # Both knock before either is greeted: both wait for the one import.
    with ThreadPoolExecutor(2) as pool:
        clients = list(
            pool.map(
                lambda _: imaplib.IMAP4("127.0.0.1", mail_server.imap_port, timeout=10),
                range(2),
            )
        )
    try:
        for client in clients:
            client.login(COURSE.name, COURSE.password)
            assert imap_uids(client) == [1]
    finally:
        for client in clients:
            client.logout()


def test_the_first_imap_session_may_come_over_imaps() -> None:
    lab = ssl.create_default_context()
    lab.check_hostname, lab.verify_mode = False, ssl.CERT_NONE
    # Logins only over TLS: the session must know its connection is secure.
    config = ServerConfig(accounts=(COURSE, OTHER), tls=TLSConfig(require_tls=True))
    with MailServer(config) as server:
        with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=10) as smtp:
            smtp.sendmail("a@example.com", [COURSE.address], "Subject: x\r\n\r\nHi.\r\n")
        client = imaplib.IMAP4_SSL(
            "127.0.0.1", server.ports["imaps"], ssl_context=lab, timeout=10
        )
        try:
            client.login(COURSE.name, COURSE.password)
            assert imap_uids(client) == [1]
        finally:
            client.logout()
