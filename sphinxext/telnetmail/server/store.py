"""The one mail store that SMTP delivers into and POP3 and IMAP read.

It is pymap's in-memory dict backend (pymap is pinned to 0.36.7), bent to
behave like Dovecot. The pymap internals relied on, all in
``pymap/backend/dict/``:

* ``MailboxData._max_uid`` (starts at 100; we start at 0 so the first UID is 1);
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

import email.utils
import functools
import hmac
import re
import ssl
from argparse import Namespace
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymap.backend.dict import Config as DictConfig
from pymap.backend.dict import Login
from pymap.backend.dict.filter import FilterSet
from pymap.backend.dict.mailbox import MailboxData, MailboxSet, Message
from pymap.concurrent import Subsystem
from pymap.config import BackendCapability
from pymap.flags import FlagOp
from pymap.parsing.message import AppendMessage
from pymap.parsing.specials.flag import Seen
from pymap.user import UserMetadata
from pysasl import SASLAuth
from pysasl.hashing import Cleartext

from telnetmail.server import envelope
from telnetmail.server.config import Account, ServerConfig
from telnetmail.server.limits import LoginPenalty
from telnetmail.server.snapshot import StoreSnapshot

__all__ = ["MailStore", "StoredMessage", "TraceInfo"]

# Queue ids count up from here: 36DC72148F1, ... (Postfix's look, 11 hex digits).
QUEUE_ID_BASE = 0x36DC72148F0

_LINE_ENDS = re.compile(rb"\r?\n|\r(?!\n)")


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


@dataclass(frozen=True)
class StoredMessage:
    """A message as POP3 sees it: its UID, raw bytes and flags."""

    uid: int
    content: bytes
    seen: bool


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
        self.backend_config = _backend_config(
            config.max_message_size, config.limits.bad_commands_after_login
        )
        self.penalty = LoginPenalty(config.limits)
        #: Accounts whose maildrop a POP3 session holds (RFC 1939 §8).
        self.pop3_locks: set[str] = set()
        self.login = Login(self.backend_config)
        for account in config.accounts:
            self.login.users_dict[account.name] = UserMetadata(
                self.backend_config, account.name, password=account.password
            )
        self.reset()

    def reset(self) -> None:
        """Empty every mailbox (new mailboxes, so UIDVALIDITY changes too)."""
        # Queue ids start over too: a transcript replayed after a reset gets
        # the same ids, and no id can meet a message from before the reset.
        self._next_queue_number = QUEUE_ID_BASE + 1
        cache = self.backend_config.set_cache
        cache.clear()
        for account in self.config.accounts:
            cache[account.name] = (DovecotMailboxSet(), FilterSet())

    def snapshot(self) -> StoreSnapshot:
        """The mailboxes as they are now, for :meth:`restore`."""
        return StoreSnapshot.of(self.backend_config.set_cache, self._next_queue_number)

    def restore(self, snapshot: StoreSnapshot) -> None:
        """Put back the mailboxes (and queue ids) as *snapshot* took them."""
        cache = self.backend_config.set_cache
        cache.clear()
        cache.update(snapshot.sets(DovecotMailboxSet, FilterSet))
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
        mailbox_set, _ = self.backend_config.set_cache[name]
        mailboxes = [mailbox_set._inbox, *mailbox_set._set.values()]
        total = 0
        for mailbox in mailboxes:
            total += sum([len(message_bytes(msg)) async for msg in mailbox.messages()])
        return total

    async def has_room(self, name: str, size: int) -> bool:
        """Whether *size* more octets fit in the quota of the account *name*."""
        return await self.usage(name) + size <= self.config.limits.quota

    async def inbox(self, account: Account) -> MailboxData:
        mailbox_set, _ = self.backend_config.set_cache[account.name]
        return await mailbox_set.get_mailbox("INBOX")

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
        inbox = await self.inbox(account)
        stored = await inbox.append(
            AppendMessage(message, trace.when, frozenset()), recent=True
        )
        return stored.uid

    async def messages(self, account: Account) -> list[StoredMessage]:
        """The INBOX as POP3 lists it, oldest first."""
        inbox = await self.inbox(account)
        return [
            StoredMessage(msg.uid, message_bytes(msg), Seen in msg.permanent_flags)
            async for msg in inbox.messages()
        ]

    async def claim_recent(self, account: Account) -> None:
        """Take ``\\Recent`` off *account*'s INBOX, as a Dovecot POP3 login
        does: it opens the mailbox read-write, so it is the session that sees
        new mail first, and IMAP sessions after it find nothing recent."""
        inbox = await self.inbox(account)
        async for message in inbox.messages():
            message.recent = False

    async def exists(self, account: Account, uid: int) -> bool:
        """Whether the message *uid* is still in *account*'s INBOX."""
        return await _live(await self.inbox(account), uid) is not None

    async def mark_seen(self, account: Account, uid: int) -> None:
        inbox = await self.inbox(account)
        message = await _live(inbox, uid)
        if message is not None:
            await inbox.update(uid, message, frozenset({Seen}), FlagOp.ADD)

    async def expunge(self, account: Account, uids: Iterable[int]) -> None:
        inbox = await self.inbox(account)
        await inbox.delete(list(uids))

    async def uid_validity(self, account: Account) -> int:
        return (await self.inbox(account)).uid_validity


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


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
