"""The dovecot-postfix backend saves its mailboxes and puts them back.

What IMAP and POP3 see after ``put_back`` is what they saw at the
``save``: the same UIDVALIDITY, UIDs, UIDNEXT, flags (\\Recent too),
message bytes and UIDLs, whatever was sent, flagged or expunged between.
Real Postfix and Dovecot: needs root and the Debian packages.
"""

from __future__ import annotations

import imaplib
import poplib

import pytest

import test_backend_dovecot_postfix as started
from telnetmail.core.model import Protocol
from telnetmail.replay.dovecot_postfix import DovecotPostfixBackend
from test_backend_dovecot_postfix import needs_real_servers, pop3_count, send

pytestmark = needs_real_servers

# That module's fixtures: one backend for this module too, emptied per test.
backend = started.backend
fresh = started.fresh


def imap_session(backend: DovecotPostfixBackend) -> imaplib.IMAP4:
    """Logged in; as a context manager (``with``) it logs out at the end."""
    imap = imaplib.IMAP4("127.0.0.1", backend.port_for(Protocol.IMAP), timeout=5)
    imap.login("MyUsername", "MyPassword")
    return imap


def imap_view(backend: DovecotPostfixBackend) -> dict[str, object]:
    """What IMAP shows of the inbox, read-only (EXAMINE leaves \\Recent as it is)."""
    with imap_session(backend) as imap:
        _, exists = imap.select("INBOX", readonly=True)
        codes = ("UIDVALIDITY", "UIDNEXT", "RECENT")
        view: dict[str, object] = {code: imap.response(code)[1] for code in codes}
        view["EXISTS"] = exists
        if int(exists[0] or 0):
            view["messages"] = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")[1]
        return view


def imap_uids(backend: DovecotPostfixBackend) -> list[int]:
    with imap_session(backend) as imap:
        imap.select("INBOX", readonly=True)
        return [int(uid) for uid in imap.uid("SEARCH", "ALL")[1][0].split()]


def pop3_view(backend: DovecotPostfixBackend) -> tuple[list[bytes], list[bytes]]:
    """What POP3 lists: each message's UIDL and size."""
    pop = poplib.POP3("127.0.0.1", backend.port_for(Protocol.POP3), timeout=5)
    try:
        pop.user("MyUsername")
        pop.pass_("MyPassword")
        return pop.uidl()[1], pop.list()[1]
    finally:
        pop.quit()


def change_everything(backend: DovecotPostfixBackend) -> None:
    """New mail, a flag set, a message expunged, \\Recent taken by a SELECT."""
    send(backend)
    backend.settle()
    with imap_session(backend) as imap:
        imap.select("INBOX")
        imap.store("1", "+FLAGS", "\\Answered")
        imap.store("2", "+FLAGS", "\\Deleted")
        imap.expunge()


@pytest.fixture
def two_messages(fresh: DovecotPostfixBackend) -> DovecotPostfixBackend:
    """Two messages: the first \\Flagged, and no longer \\Recent (a SELECT
    took it); the second still \\Recent."""
    send(fresh)
    fresh.settle()
    with imap_session(fresh) as imap:
        imap.select("INBOX")
        imap.store("1", "+FLAGS", "\\Flagged")
    send(fresh)
    fresh.settle()
    return fresh


@pytest.mark.parametrize(
    "view",
    [imap_view, pop3_view],
    ids=["imap sees the inbox", "pop3 lists the uidls and sizes"],
)
def test_each_protocol_sees_the_mail_as_it_was_at_the_save(two_messages, view):
    saved = two_messages.save()
    before = view(two_messages)
    change_everything(two_messages)
    assert view(two_messages) != before
    two_messages.put_back(saved)
    assert view(two_messages) == before


def test_a_save_can_be_put_back_twice(two_messages):
    saved = two_messages.save()
    before = imap_view(two_messages)
    change_everything(two_messages)
    two_messages.put_back(saved)
    change_everything(two_messages)
    two_messages.put_back(saved)
    assert imap_view(two_messages) == before


def test_mail_after_a_put_back_gets_the_uid_it_would_have_had(two_messages):
    saved = two_messages.save()
    send(two_messages)
    send(two_messages)  # UIDs 3 and 4
    two_messages.put_back(saved)
    send(two_messages)
    two_messages.settle()
    assert imap_uids(two_messages) == [1, 2, 3]


def test_save_waits_for_mail_still_in_transit(fresh):
    send(fresh)
    saved = fresh.save()  # no settle(): the message was only accepted
    fresh.reset()
    fresh.put_back(saved)
    assert pop3_count(fresh) == 1


@pytest.mark.parametrize("operation", ["save", "put_back"])
def test_save_and_put_back_end_open_sessions(two_messages, operation):
    saved = two_messages.save()
    imap = imap_session(two_messages)
    imap.select("INBOX")
    if operation == "save":
        two_messages.save()
    else:
        two_messages.put_back(saved)
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        imap.noop()
        imap.noop()


def test_save_gives_nothing_while_postfix_holds_mail_it_could_not_deliver(fresh):
    # A home Dovecot's LDA cannot enter: delivery fails for now, the mail is
    # deferred and could land later, after the save.
    fresh.home(fresh.accounts[0]).chmod(0)
    send(fresh)
    try:
        assert fresh.save() is None
    finally:
        fresh.reset()
