"""The pymap-backed mailboxes copied aside, to be put back as they were.

The replay verifies every dialogue from an empty store after its
``:after:`` chain, so a chain that ten dialogues share would be replayed
ten times over telnet. A snapshot taken where the chain ends puts the very
same mailboxes back instead: every message with its UID, internal date,
flags and ``\\Recent``; each mailbox's UIDVALIDITY, next UID and
modification sequences; the subscriptions. Messages' parsed contents are
immutable in pymap and shared between copies. (Before IMAP is first used,
the store's mailboxes are plain ones, copied by
:meth:`~telnetmail.server.mailboxes.PlainMailboxes.snapshot`; the queue id
goes with either in :class:`~telnetmail.server.snapshot.StoreSnapshot`.)

Not copied: what a reset keeps too (accounts, the login penalty) and what
no client can see (pymap's content and thread caches for OBJECTID, which
the store does not advertise). Like a reset, putting a snapshot back hangs
up on every client first (:meth:`MailServer.restore`).

Everything here runs on the servers' event loop thread.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pymap.backend.dict.mailbox import MailboxData, MailboxSet, Message
from pymap.backend.dict.mailbox import _ModSequenceMapping as ModSequences
from pymap.parsing.specials import ObjectId

if TYPE_CHECKING:
    from collections.abc import Callable

    from pymap.backend.dict.filter import FilterSet

__all__ = ["AccountsCopy", "MailboxCopy", "MailboxSetCopy"]


@dataclass(frozen=True)
class MailboxCopy:
    """One mailbox as it was."""

    mailbox_id: ObjectId
    uid_validity: int
    max_uid: int
    mod_sequences: ModSequences
    messages: tuple[Message, ...]

    @classmethod
    def of(cls, mailbox: MailboxData) -> MailboxCopy:
        return cls(
            mailbox._mailbox_id,
            mailbox._uid_validity,
            mailbox._max_uid,
            copy.deepcopy(mailbox._mod_sequences),
            tuple(_message_copy(message) for message in mailbox._messages.values()),
        )

    def fill(self, mailbox: MailboxData) -> MailboxData:
        """*mailbox* (new and empty) made as this copy was."""
        mailbox._mailbox_id = self.mailbox_id
        mailbox._uid_validity = self.uid_validity
        mailbox._max_uid = self.max_uid
        mailbox._mod_sequences = copy.deepcopy(self.mod_sequences)
        for message in self.messages:
            # Copied again: a restored message's flags change in place.
            mailbox._messages[message.uid] = _message_copy(message)
        return mailbox


@dataclass(frozen=True)
class MailboxSetCopy:
    """One account's mailboxes as they were: INBOX, the others, subscriptions."""

    inbox: MailboxCopy
    others: tuple[tuple[str, MailboxCopy], ...]
    subscribed: tuple[tuple[str, bool], ...]

    @classmethod
    def of(cls, mailbox_set: MailboxSet) -> MailboxSetCopy:
        return cls(
            MailboxCopy.of(mailbox_set._inbox),
            tuple((name, MailboxCopy.of(box)) for name, box in mailbox_set._set.items()),
            tuple(mailbox_set._subscribed.items()),
        )

    def rebuild(self, new_set: Callable[[], MailboxSet]) -> MailboxSet:
        """A new mailbox set, made by *new_set*, filled as this copy was."""
        mailbox_set = new_set()
        new_mailbox = mailbox_set._new_mailbox  # type: ignore[attr-defined]
        self.inbox.fill(mailbox_set._inbox)
        for name, box in self.others:
            mailbox_set._set[name] = box.fill(new_mailbox())
        mailbox_set._subscribed.update(self.subscribed)
        return mailbox_set


@dataclass(frozen=True)
class AccountsCopy:
    """Every account's mailboxes."""

    accounts: tuple[tuple[str, MailboxSetCopy], ...]

    @classmethod
    def of(cls, cache: dict[str, tuple[MailboxSet, FilterSet]]) -> AccountsCopy:
        """*cache*, pymap's per-user ``(MailboxSet, FilterSet)``, copied."""
        return cls(tuple((name, MailboxSetCopy.of(sets[0])) for name, sets in cache.items()))

    def sets(
        self, new_set: Callable[[], MailboxSet], new_filters: Callable[[], FilterSet]
    ) -> dict[str, tuple[MailboxSet, FilterSet]]:
        """pymap's per-user cache rebuilt as it was copied."""
        return {name: (saved.rebuild(new_set), new_filters()) for name, saved in self.accounts}


def _message_copy(message: Message) -> Message:
    # pymap's copy drops \Recent unless told.
    return type(message).copy(message, recent=message.recent)
