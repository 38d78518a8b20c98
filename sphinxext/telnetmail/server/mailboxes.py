"""The plain mailboxes: each account's INBOX, for SMTP and POP3 alone.

SMTP delivers into an INBOX and POP3 reads, marks seen and deletes; that
needs no IMAP server. Until the first IMAP client comes, the store keeps its
mail here, in plain Python, so that a page of SMTP or POP3 does not import
pymap (about 80 ms). When IMAP is first needed, :mod:`telnetmail.server.imap_store`
rebuilds these mailboxes in pymap from a :class:`PlainSnapshot`, with all
that IMAP can see: each message's UID, bytes, internal date, ``\\Seen`` and
``\\Recent``, each INBOX's UIDVALIDITY and next UID.

Messages are immutable: a change replaces one, so a snapshot shares them.
Everything here runs on the servers' event loop thread.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

__all__ = [
    "PlainInbox",
    "PlainMailboxes",
    "PlainMessage",
    "PlainSnapshot",
    "StoredMessage",
    "new_uid_validity",
]


def new_uid_validity() -> int:
    """A new INBOX's UIDVALIDITY, as pymap makes them (its
    ``MailboxSnapshot.new_uid_validity``): a time part, then 16 random bits."""
    time_part = int(time.time()) % 65535
    return (time_part << 16) + random.randint(0, 65535)  # Not a secret: a UIDVALIDITY.


@dataclass(frozen=True)
class StoredMessage:
    """A message as POP3 sees it: its UID, raw bytes and flags."""

    uid: int
    content: bytes
    seen: bool


@dataclass(frozen=True)
class PlainMessage:
    """One delivered message, as IMAP would see it."""

    uid: int
    content: bytes
    #: The internal date: when it was delivered.
    when: datetime
    seen: bool = False
    recent: bool = True


@dataclass
class PlainInbox:
    """One account's INBOX: its messages in UID order, and its UIDs' state."""

    uid_validity: int = field(default_factory=new_uid_validity)
    #: The highest UID ever given here (UIDNEXT is one more): expunging the
    #: last messages leaves a gap that the next delivery must not fill.
    last_uid: int = 0
    messages: dict[int, PlainMessage] = field(default_factory=dict)

    def copy(self) -> PlainInbox:
        # The messages themselves are immutable: shared, not copied.
        return PlainInbox(self.uid_validity, self.last_uid, dict(self.messages))


@dataclass(frozen=True)
class PlainSnapshot:
    """Every account's INBOX as it was (copies, never changed)."""

    inboxes: tuple[tuple[str, PlainInbox], ...]


class PlainMailboxes:
    """One INBOX per account, behind the interface the pymap-backed
    mailboxes have too (async, as theirs, so that the store calls both alike)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)
        self.inboxes: dict[str, PlainInbox] = {}
        self.reset()

    def reset(self) -> None:
        """New, empty INBOXes (so a new UIDVALIDITY too)."""
        self.inboxes = {name: PlainInbox() for name in self.names}

    def snapshot(self) -> PlainSnapshot:
        return PlainSnapshot(
            tuple((name, box.copy()) for name, box in self.inboxes.items())
        )

    def restore(self, saved: PlainSnapshot) -> None:
        # Copied again: the restored INBOXes change, the snapshot must not.
        self.inboxes = {name: box.copy() for name, box in saved.inboxes}

    async def append(self, name: str, content: bytes, when: datetime) -> int:
        """Deliver *content* as new (``\\Recent``) mail; its UID."""
        inbox = self.inboxes[name]
        inbox.last_uid += 1
        inbox.messages[inbox.last_uid] = PlainMessage(inbox.last_uid, content, when)
        return inbox.last_uid

    async def usage(self, name: str) -> int:
        return sum(
            len(message.content) for message in self.inboxes[name].messages.values()
        )

    async def messages(self, name: str) -> list[StoredMessage]:
        return [
            StoredMessage(message.uid, message.content, message.seen)
            for message in self.inboxes[name].messages.values()
        ]

    async def claim_recent(self, name: str) -> None:
        messages = self.inboxes[name].messages
        for uid, message in messages.items():
            messages[uid] = replace(message, recent=False)

    async def exists(self, name: str, uid: int) -> bool:
        return uid in self.inboxes[name].messages

    async def mark_seen(self, name: str, uid: int) -> None:
        messages = self.inboxes[name].messages
        if uid in messages:
            messages[uid] = replace(messages[uid], seen=True)

    async def expunge(self, name: str, uids: Iterable[int]) -> None:
        messages = self.inboxes[name].messages
        for uid in uids:
            messages.pop(uid, None)

    async def uid_validity(self, name: str) -> int:
        return self.inboxes[name].uid_validity
