"""SMTP: aiosmtpd's protocol with a handler that delivers into our store.

aiosmtpd already answers as RFC 5321 asks (NOOP 250, VRFY 252, 500/501/503);
the handler decides what a real MTA decides: which recipients are local,
what trace headers a delivery gets, and the queue id in the reply to DATA.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP

from telnetmail.server.store import TraceInfo

if TYPE_CHECKING:
    import asyncio

    from aiosmtpd.smtp import Envelope, Session

    from telnetmail.server.store import MailStore

__all__ = ["DeliveryHandler", "PostfixSMTP", "make_smtp"]

# aiosmtpd logs every client mistake ("unrecognised: HELLO") as a warning; a
# course makes them on purpose, and Python would print each one to stderr.
logging.getLogger("mail.log").addHandler(logging.NullHandler())


class PostfixSMTP(SMTP):
    """aiosmtpd's protocol with Postfix's refusals of a DATA out of order.

    aiosmtpd answers ``503 Error: need RCPT command`` whenever no recipient
    was accepted; Postfix says 554 once MAIL was given (RFC 5321 §3.3 allows
    both). Relies on aiosmtpd 1.4's ``smtp_DATA``, ``session.host_name`` and
    ``envelope`` (``mail_from`` None until MAIL).
    """

    async def smtp_DATA(self, arg: str) -> None:
        refusal = self.data_refusal()
        if refusal:
            await self.push(refusal)
            return
        await super().smtp_DATA(arg)

    def data_refusal(self) -> str | None:
        """Postfix's reply to a DATA without recipients, or None to let
        aiosmtpd go on (its HELO check comes first, as Postfix's does)."""
        envelope = self.envelope
        if not self.session or not self.session.host_name:
            return None
        if envelope is None or envelope.rcpt_tos:
            return None
        if envelope.mail_from is None:
            return "503 5.5.1 Error: need RCPT command"
        return "554 5.5.1 Error: no valid recipients"


class DeliveryHandler:
    """aiosmtpd hooks: local recipients only, delivered with Postfix's replies."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.refusal(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    def refusal(self, address: str) -> str | None:
        """Postfix's refusal for *address*, or None if we deliver to it."""
        config = self.store.config
        if address in ("", "<>"):
            return "501 5.1.3 Bad recipient address syntax"
        _, at, domain = address.rpartition("@")
        if at and domain.lower() not in config.local_domains:
            # Never an open relay, even for the loopback clients Postfix trusts.
            return f"554 5.7.1 <{address}>: Relay access denied"
        if config.account_for_address(address) is None:
            return (
                f"550 5.1.1 <{address}>: Recipient address rejected:"
                " User unknown in virtual mailbox table"
            )
        return None

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        # aiosmtpd calls this only for a complete message (dot-stuffing
        # already undone): a message cut off mid-DATA never gets here.
        queue_id = self.store.new_queue_id()
        when = datetime.now(UTC).astimezone()
        content = envelope.original_content or b""
        delivered: set[str] = set()
        for recipient in envelope.rcpt_tos:
            account = self.store.config.account_for_address(recipient)
            if account is None or account.name in delivered:
                continue
            delivered.add(account.name)
            trace = self.trace(session, envelope, recipient, queue_id, when)
            await self.store.deliver(account, content, trace)
        return f"250 2.0.0 Ok: queued as {queue_id}"

    def trace(
        self,
        session: Session,
        envelope: Envelope,
        recipient: str,
        queue_id: str,
        when: datetime,
    ) -> TraceInfo:
        peer = session.peer
        peer_ip = peer[0] if isinstance(peer, tuple) else str(peer)
        host = self.store.config.identity.smtp_host
        return TraceInfo(
            mail_from=canonical_sender(envelope.mail_from, host),
            recipient=recipient,
            helo=session.host_name or "unknown",
            peer_ip=peer_ip,
            server_host=host,
            protocol="ESMTP" if session.extended_smtp else "SMTP",
            queue_id=queue_id,
            when=when,
        )

    async def handle_QUIT(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return "221 2.0.0 Bye"


def canonical_sender(address: str | None, origin: str) -> str:
    """The envelope sender as Postfix writes it into ``Return-Path`` and a
    missing ``From``: ``MAILER-DAEMON`` for ``<>``, and an address without a
    domain qualified with ``myorigin`` (the host name, in our Postfix)."""
    if not address or address == "<>":
        return "MAILER-DAEMON"
    return address if "@" in address else f"{address}@{origin}"


def make_smtp(store: MailStore, loop: asyncio.AbstractEventLoop) -> Any:
    """A protocol factory for ``loop.create_server``: one SMTP object per client."""
    handler = DeliveryHandler(store)
    identity = store.config.identity

    def factory() -> SMTP:
        return PostfixSMTP(
            handler,
            hostname=identity.smtp_host,
            ident=identity.smtp_greeting,
            data_size_limit=store.config.max_message_size,
            enable_SMTPUTF8=True,
            timeout=store.config.idle_timeout,
            loop=loop,
        )

    return factory
