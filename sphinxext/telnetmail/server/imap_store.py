"""The mailboxes in pymap, for IMAP: made when the first IMAP client comes.

pymap's in-memory dict backend (pymap is pinned to 0.36.7), bent to behave
like Dovecot, behind the interface of
:class:`~telnetmail.server.mailboxes.PlainMailboxes`, from whose snapshot it
is first filled. The pymap internals relied on, all in ``pymap/backend/dict/``:

* ``MailboxData._max_uid`` (starts at 100; we start at 0 so the first UID is
  1, and set it to the plain INBOX's last UID, gaps included),
  ``_uid_validity``, ``_messages``, ``_mod_sequences``, ``_content_cache``
  and ``_thread_cache`` (to put in a message with its own UID, as ``append``
  would with the next one);
* ``MailboxSet._inbox``, ``_set``, ``_set_lock``, ``_content_cache`` and
  ``_thread_cache`` (to build Dovecot-like mailboxes), and its ``delimiter``
  property (``"/"``; Dovecot's is ``"."``);
* ``Config.set_cache``, the per-user ``(MailboxSet, FilterSet)`` that
  ``Identity.new_session`` reuses: filling it ourselves puts our mailboxes
  behind IMAP sessions;
* ``Login.users_dict`` for the accounts, and ``Message._content`` for the
  raw bytes POP3 sends.

Everything here runs on the servers' event loop thread.
"""

from __future__ import annotations

import functools
import ssl
from argparse import Namespace
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymap.backend.dict import Config as DictConfig
from pymap.backend.dict import Login
from pymap.backend.dict.filter import FilterSet
from pymap.backend.dict.mailbox import MailboxData, MailboxSet, Message
from pymap.concurrent import Subsystem
from pymap.config import BackendCapability
from pymap.flags import FlagOp
from pymap.mime import MessageContent
from pymap.parsing.message import AppendMessage
from pymap.parsing.specials.flag import Seen
from pymap.user import UserMetadata
from pysasl import SASLAuth
from pysasl.hashing import Cleartext

from telnetmail.server import envelope
from telnetmail.server.config import ServerConfig
from telnetmail.server.imap_snapshot import AccountsCopy
from telnetmail.server.mailboxes import (
    PlainInbox,
    PlainMessage,
    PlainSnapshot,
    StoredMessage,
)

__all__ = ["PymapMailboxes", "message_bytes"]


class DovecotMailboxData(MailboxData):
    """A mailbox whose first UID is 1, as Dovecot's (pymap starts at 101),
    and whose messages answer ENVELOPE as Dovecot's."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._max_uid = 0
        # Messages that answer ENVELOPE as Dovecot's (envelope.py).
        self._messages = envelope.DovecotMessages()

    async def get(self, uid: int, cached_msg: Any) -> Message:
        # pymap makes a plain copy of a message expunged meanwhile: ours too.
        return envelope.as_dovecot(await super().get(uid, cached_msg))


class DovecotMailboxSet(MailboxSet):
    """A user's mailboxes with Dovecot's hierarchy separator ``"."``."""

    def __init__(self) -> None:
        super().__init__()
        self._inbox = self._new_mailbox()

    def _new_mailbox(self) -> DovecotMailboxData:
        return DovecotMailboxData(self._content_cache, self._thread_cache)

    @property
    def delimiter(self) -> str:
        return "."

    async def add_mailbox(self, name: str) -> Any:
        # Same as pymap's, but creating a DovecotMailboxData.
        async with self._set_lock.write_lock():
            if name in self._set:
                raise ValueError(name)
            self._set[name] = mailbox = self._new_mailbox()
            return mailbox.mailbox_id


class StoreConfig(DictConfig):
    """pymap's dict backend config, without OBJECTID (RFC 8474): Dovecot 2.3
    lacks it, and we drop the ``[MAILBOXID]`` line that it requires."""

    @property
    def backend_capability(self) -> BackendCapability:
        return BackendCapability(idle=True, object_id=False, multi_append=True)

    @property
    def tls_auth(self) -> SASLAuth:
        # pymap builds this anew for every connection, reading the installed
        # packages' entry points each time: over a quarter of the server's
        # CPU under a class's load. The mechanisms never change: build once.
        return _sasl_mechanisms()


@functools.cache
def _sasl_mechanisms() -> SASLAuth:
    return SASLAuth.defaults()


def _backend_config(max_message_size: int, bad_command_limit: int) -> StoreConfig:
    """pymap's dict backend config, set for a private, thread-free server."""
    return StoreConfig(
        Namespace(passlib_cfg=None, proxy_protocol=None),
        host=None,
        port=0,
        demo_data=False,
        demo_user="",
        demo_password="",
        # Plain passwords: the accounts are course fixtures, not secrets.
        hash_context=Cleartext(),
        # pymap's default runs password checks in a thread pool; a thread left
        # behind is a leak for us, and a plain comparison needs no pool.
        cpu_subsystem=Subsystem.for_asyncio(),
        ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER),
        tls_enabled=False,
        # Failed logins wait in our LoginPenalty (Dovecot's auth_failure_delay).
        invalid_user_sleep=0.0,
        reject_dnsbl=False,
        max_append_len=max_message_size,
        # Dovecot's imap process hangs up at the 20th bad command in a row.
        bad_command_limit=bad_command_limit,
    )


class PymapMailboxes:
    """Every account's mailboxes in pymap, first filled from *plain*."""

    def __init__(self, config: ServerConfig, plain: PlainSnapshot) -> None:
        self.config = config
        self.backend_config = _backend_config(
            config.max_message_size, config.limits.bad_commands_after_login
        )
        self.login = Login(self.backend_config)
        for account in config.accounts:
            self.login.users_dict[account.name] = UserMetadata(
                self.backend_config, account.name, password=account.password
            )
        self.restore(plain)

    def reset(self) -> None:
        """Empty every mailbox (new mailboxes, so UIDVALIDITY changes too)."""
        cache = self.backend_config.set_cache
        cache.clear()
        for account in self.config.accounts:
            cache[account.name] = (DovecotMailboxSet(), FilterSet())

    def snapshot(self) -> AccountsCopy:
        return AccountsCopy.of(self.backend_config.set_cache)

    def restore(self, saved: PlainSnapshot | AccountsCopy) -> None:
        """Put back the mailboxes as *saved* has them, whichever kind took it."""
        cache = self.backend_config.set_cache
        cache.clear()
        if isinstance(saved, PlainSnapshot):
            for name, inbox in saved.inboxes:
                cache[name] = (from_plain(inbox), FilterSet())
        else:
            cache.update(saved.sets(DovecotMailboxSet, FilterSet))

    async def inbox(self, name: str) -> MailboxData:
        mailbox_set, _ = self.backend_config.set_cache[name]
        return await mailbox_set.get_mailbox("INBOX")

    async def append(self, name: str, content: bytes, when: datetime) -> int:
        """Deliver *content* as new (``\\Recent``) mail; its UID."""
        inbox = await self.inbox(name)
        stored = await inbox.append(
            AppendMessage(content, when, frozenset()), recent=True
        )
        return stored.uid

    async def usage(self, name: str) -> int:
        """Octets stored for the account *name*, all mailboxes together."""
        mailbox_set, _ = self.backend_config.set_cache[name]
        mailboxes = [mailbox_set._inbox, *mailbox_set._set.values()]
        total = 0
        for mailbox in mailboxes:
            total += sum([len(message_bytes(msg)) async for msg in mailbox.messages()])
        return total

    async def messages(self, name: str) -> list[StoredMessage]:
        inbox = await self.inbox(name)
        return [
            StoredMessage(msg.uid, message_bytes(msg), Seen in msg.permanent_flags)
            async for msg in inbox.messages()
        ]

    async def claim_recent(self, name: str) -> None:
        async for message in (await self.inbox(name)).messages():
            message.recent = False

    async def exists(self, name: str, uid: int) -> bool:
        return await _live(await self.inbox(name), uid) is not None

    async def mark_seen(self, name: str, uid: int) -> None:
        inbox = await self.inbox(name)
        message = await _live(inbox, uid)
        if message is not None:
            await inbox.update(uid, message, frozenset({Seen}), FlagOp.ADD)

    async def expunge(self, name: str, uids: Iterable[int]) -> None:
        await (await self.inbox(name)).delete(list(uids))

    async def uid_validity(self, name: str) -> int:
        return (await self.inbox(name)).uid_validity


def from_plain(plain: PlainInbox) -> DovecotMailboxSet:
    """An account's mailboxes in pymap, the INBOX as *plain* has it: every
    message with its UID, and the UIDVALIDITY and next UID (UIDNEXT)."""
    mailbox_set = DovecotMailboxSet()
    inbox = mailbox_set._inbox
    inbox._uid_validity = plain.uid_validity
    for message in plain.messages.values():
        _put(inbox, message)
    # After the messages: the last ones may have been expunged, a gap that
    # UIDNEXT shows and the next delivery must not fill.
    inbox._max_uid = plain.last_uid
    return mailbox_set


def _put(inbox: MailboxData, message: PlainMessage) -> None:
    """*message* into *inbox* with its own UID, as ``MailboxData.append``
    puts one in with the next UID: parsed, with its email and thread ids."""
    content = MessageContent.parse(message.content)
    inbox._messages[message.uid] = Message(
        message.uid,
        message.when,
        frozenset({Seen}) if message.seen else frozenset(),
        email_id=inbox._content_cache.add(content),
        thread_id=inbox._thread_cache.add(content),
        recent=message.recent,
        content=content,
    )
    inbox._mod_sequences.update([message.uid])


async def _live(inbox: MailboxData, uid: int) -> Message | None:
    """The message *uid* of *inbox*, or None if it is not (or no longer) there."""
    try:
        message = await inbox.get(uid, _placeholder(uid))
    except IndexError:
        return None
    return None if message.expunged else message


def _placeholder(uid: int) -> Message:
    # MailboxData.get() wants a cached copy to fall back on if the message
    # has been expunged meanwhile; an empty one tells us so via .expunged.
    return Message(uid, datetime.now(UTC), frozenset())


def message_bytes(message: object) -> bytes:
    """The raw bytes of a dict-backend message (of a cached copy: none)."""
    content = getattr(message, "_content", None)
    return bytes(content) if content is not None else b""
