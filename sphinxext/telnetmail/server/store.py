"""The one mail store that SMTP delivers into and POP3 and IMAP read.

It holds its mail in plain mailboxes (:mod:`telnetmail.server.mailboxes`)
until IMAP is first needed: then, once, it imports pymap and moves the mail
into pymap's in-memory backend (:mod:`telnetmail.server.imap_store`), which
from then on serves SMTP and POP3 too, until the store is dropped. A page of
SMTP or POP3 alone never imports pymap (about 80 ms of a check's start).

Both kinds of mailboxes answer the same calls; what does not depend on the
kind is here, once: the accounts and passwords, the trace headers a
delivery adds, the quota, the queue ids, and snapshots' queue id.

Everything here runs on the servers' event loop thread.
"""

from __future__ import annotations

import email.utils
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from telnetmail.server.config import Account, ServerConfig
from telnetmail.server.limits import LoginPenalty
from telnetmail.server.mailboxes import PlainMailboxes, PlainSnapshot, StoredMessage
from telnetmail.server.snapshot import StoreSnapshot

if TYPE_CHECKING:
    from collections.abc import Iterable

    from telnetmail.server.imap_store import PymapMailboxes

__all__ = ["MailStore", "StoredMessage", "TraceInfo"]

# Queue ids count up from here: 36DC72148F1, ... (Postfix's look, 11 hex digits).
QUEUE_ID_BASE = 0x36DC72148F0

_LINE_ENDS = re.compile(rb"\r?\n|\r(?!\n)")


@dataclass(frozen=True)
class TraceInfo:
    """What an MTA writes into the trace headers of one delivery."""

    #: The envelope sender as Postfix rewrites it: qualified, and
    #: ``MAILER-DAEMON`` for the null sender ``<>``.
    mail_from: str
    recipient: str
    helo: str
    peer_ip: str
    server_host: str
    #: "ESMTP" after EHLO, "SMTP" after HELO, as Postfix writes it.
    protocol: str
    queue_id: str
    when: datetime


class MailStore:
    """The accounts and their mailboxes, shared by SMTP, POP3 and IMAP."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.penalty = LoginPenalty(config.limits)
        #: Accounts whose maildrop a POP3 session holds (RFC 1939 §8).
        self.pop3_locks: set[str] = set()
        self._plain = PlainMailboxes(account.name for account in config.accounts)
        self._pymap: PymapMailboxes | None = None
        self._next_queue_number = QUEUE_ID_BASE + 1

    @property
    def _mailboxes(self) -> PlainMailboxes | PymapMailboxes:
        """The mailboxes that hold the mail now."""
        return self._pymap or self._plain

    @property
    def imap_open(self) -> bool:
        """Whether the mail has moved into pymap, for IMAP."""
        return self._pymap is not None

    def open_imap(self) -> PymapMailboxes:
        """The mailboxes in pymap, that IMAP serves: at the first call, pymap
        is imported and the plain mailboxes' mail moved into it."""
        if self._pymap is None:
            # Imported here: pymap and pysasl take ~80 ms to import.
            from telnetmail.server.imap_store import PymapMailboxes

            self._pymap = PymapMailboxes(self.config, self._plain.snapshot())
            self._plain.reset()  # Its mail is in pymap now: not kept twice.
        return self._pymap

    def reset(self) -> None:
        """Empty every mailbox (new mailboxes, so UIDVALIDITY changes too).

        In pymap if IMAP was open: one-way, so that a snapshot of pymap's
        mailboxes (other mailboxes, keywords, subscriptions) never has to be
        put back into plain ones, which cannot hold them.
        """
        # Queue ids start over too: a transcript replayed after a reset gets
        # the same ids, and no id can meet a message from before the reset.
        self._next_queue_number = QUEUE_ID_BASE + 1
        self._mailboxes.reset()

    def snapshot(self) -> StoreSnapshot:
        """The mailboxes as they are now, for :meth:`restore`."""
        return StoreSnapshot(self._mailboxes.snapshot(), self._next_queue_number)

    def restore(self, snapshot: StoreSnapshot) -> None:
        """Put back the mailboxes (and queue ids) as *snapshot* took them,
        whichever kind of mailboxes it was taken from."""
        saved = snapshot.mailboxes
        if isinstance(saved, PlainSnapshot) and not self.imap_open:
            self._plain.restore(saved)
        else:
            # pymap's mailboxes take either kind of snapshot.
            self.open_imap().restore(saved)
        self._next_queue_number = snapshot.next_queue_number

    def check_password(self, name: str, password: str) -> Account | None:
        """The account if *name* and *password* match, compared in constant time."""
        found: Account | None = None
        for account in self.config.accounts:
            name_ok = hmac.compare_digest(_utf8(account.name), _utf8(name))
            pass_ok = hmac.compare_digest(_utf8(account.password), _utf8(password))
            if name_ok and pass_ok:
                found = account
        return found

    async def usage(self, name: str) -> int:
        """Octets stored for the account named *name*, all mailboxes together."""
        return await self._mailboxes.usage(name)

    async def has_room(self, name: str, size: int) -> bool:
        """Whether *size* more octets fit in the quota of the account *name*."""
        return await self.usage(name) + size <= self.config.limits.quota

    def new_queue_id(self) -> str:
        """A Postfix-looking queue id: 11 upper-case hex digits, one per message
        since the last reset, counting up from the same start every time."""
        number, self._next_queue_number = self._next_queue_number, self._next_queue_number + 1
        return f"{number:011X}"

    async def deliver(
        self, account: Account, content: bytes, trace: TraceInfo
    ) -> int | None:
        """Put one message into *account*'s INBOX as new (``\\Recent``) mail;
        its UID, or None if it would not fit in the account's quota."""
        message = trace_headers(trace) + complete_headers(normalise(content), trace)
        if not await self.has_room(account.name, len(message)):
            return None
        return await self._mailboxes.append(account.name, message, trace.when)

    async def messages(self, account: Account) -> list[StoredMessage]:
        """The INBOX as POP3 lists it, oldest first."""
        return await self._mailboxes.messages(account.name)

    async def claim_recent(self, account: Account) -> None:
        """Take ``\\Recent`` off *account*'s INBOX, as a Dovecot POP3 login
        does: it opens the mailbox read-write, so it is the session that sees
        new mail first, and IMAP sessions after it find nothing recent."""
        await self._mailboxes.claim_recent(account.name)

    async def exists(self, account: Account, uid: int) -> bool:
        """Whether the message *uid* is still in *account*'s INBOX."""
        return await self._mailboxes.exists(account.name, uid)

    async def mark_seen(self, account: Account, uid: int) -> None:
        await self._mailboxes.mark_seen(account.name, uid)

    async def expunge(self, account: Account, uids: Iterable[int]) -> None:
        await self._mailboxes.expunge(account.name, uids)

    async def uid_validity(self, account: Account) -> int:
        return await self._mailboxes.uid_validity(account.name)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def normalise(content: bytes) -> bytes:
    """CRLF line ends throughout, ending with one, as mail on the wire has."""
    content = _LINE_ENDS.sub(b"\r\n", content)
    return content if content.endswith(b"\r\n") or not content else content + b"\r\n"


def trace_headers(trace: TraceInfo) -> bytes:
    """``Return-Path`` and a ``Received`` line for one delivery, as Postfix's.

    Same words and widths as Postfix 3.7 writes them, so a message has the
    same size on the practice server as on Postfix: sizes are protocol data
    the course shows and the verifier checks.
    """
    date = postfix_date(trace.when)
    lines = [
        f"Return-Path: <{trace.mail_from}>",
        f"Received: from {trace.helo} (localhost [{trace.peer_ip}])",
        (
            f"\tby {trace.server_host} (Postfix)"
            f" with {trace.protocol} id {trace.queue_id}"
        ),
        f"\tfor <{trace.recipient}>; {date}",
    ]
    return "".join(line + "\r\n" for line in lines).encode("utf-8", "surrogateescape")


def postfix_date(when: datetime) -> str:
    """RFC 5322 date with the zone's name as a comment: ``... +0000 (UTC)``."""
    return f"{email.utils.format_datetime(when)} ({when.tzname() or 'UTC'})"


def complete_headers(content: bytes, trace: TraceInfo) -> bytes:
    """Add ``Message-Id``, ``Date`` and ``From`` if the client left them out,
    as Postfix's cleanup does for local clients: in this order, at the end
    of the header, ``From`` as the bare envelope sender. A message with a
    ``Resent-`` header gets the ``Resent-`` ones instead (RFC 5322 §3.6.6).
    """
    header, _, _ = content.partition(b"\r\n\r\n")
    names = _header_names(header)
    if not names:
        # No header section at all: the whole text is body.
        header = b""
    missing = "".join(line + "\r\n" for line in _missing_headers(names, trace))
    added = missing.encode("utf-8", "surrogateescape")
    if not header:
        return added + b"\r\n" + content
    head_len = len(header) + 2
    return content[:head_len] + added + content[head_len:]


def _header_names(header: bytes) -> set[bytes]:
    """The field names of a header section, lower-case."""
    return {
        line.split(b":", 1)[0].strip().lower()
        for line in header.split(b"\r\n")
        if b":" in line and not line[:1].isspace()
    }


def _missing_headers(names: set[bytes], trace: TraceInfo) -> list[str]:
    resent = "Resent-" if any(name.startswith(b"resent-") for name in names) else ""
    stamp = trace.when.strftime("%Y%m%d%H%M%S")
    wanted = [
        ("Message-Id", f"<{stamp}.{trace.queue_id}@{trace.server_host}>"),
        ("Date", postfix_date(trace.when)),
        ("From", trace.mail_from),
    ]
    return [
        f"{resent}{name}: {value}"
        for name, value in wanted
        if f"{resent}{name}".lower().encode() not in names
    ]
