"""A snapshot of the mail store: its mailboxes, and the next queue id.

The mailboxes are copied by whichever kind the store holds then: plain
(:class:`~telnetmail.server.mailboxes.PlainSnapshot`, before IMAP was first
used) or pymap's (:class:`~telnetmail.server.imap_snapshot.AccountsCopy`).
The store puts either back, whichever kind it holds by then
(:meth:`~telnetmail.server.store.MailStore.restore`). Importing this module
imports no pymap: the replay checks what it holds on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telnetmail.server.imap_snapshot import AccountsCopy
    from telnetmail.server.mailboxes import PlainSnapshot

__all__ = ["StoreSnapshot"]


@dataclass(frozen=True)
class StoreSnapshot:
    """Every account's mailboxes, and the queue id the next message gets."""

    mailboxes: PlainSnapshot | AccountsCopy
    next_queue_number: int
