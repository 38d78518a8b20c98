"""SMTP: aiosmtpd's protocol with a handler that delivers into our store.

aiosmtpd already answers as RFC 5321 asks (NOOP 250, VRFY 252, 500/501/503);
the handler decides what a real MTA decides: which recipients are local,
what trace headers a delivery gets, and the queue id in the reply to DATA.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, AnyStr

from aiosmtpd.smtp import SMTP, TLSSetupException

from telnetmail.server.limits import ConnectionGate, Limits, peer_address
from telnetmail.server.store import TraceInfo

if TYPE_CHECKING:
    from aiosmtpd.smtp import Envelope, Session

    from telnetmail.server.store import MailStore

__all__ = ["DeliveryHandler", "PostfixSMTP", "quiet_client_mistakes"]

logger = logging.getLogger(__name__)

#: aiosmtpd's logger, shared with any other aiosmtpd server in the process.
AIOSMTPD_LOG = "mail.log"


class ClientMistakes(logging.Filter):
    """Drops aiosmtpd's warnings logged by one thread (our servers' loop).

    aiosmtpd logs every client mistake ("unrecognised: HELLO") as a warning;
    a course makes them on purpose, and Python would print each one to
    stderr. Records of other threads (another aiosmtpd server of the host
    program), and errors, pass untouched.
    """

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread_id or record.levelno >= logging.ERROR


@contextlib.contextmanager
def quiet_client_mistakes() -> Iterator[None]:
    """While the block runs, aiosmtpd logs no client mistake of this thread's
    sessions; the logger is as it was afterwards."""
    log = logging.getLogger(AIOSMTPD_LOG)
    mistakes = ClientMistakes(threading.get_ident())
    log.addFilter(mistakes)
    try:
        yield
    finally:
        log.removeFilter(mistakes)


#: aiosmtpd's replies, as Postfix words them (RFC 3463 enhanced codes
#: included); each key is the start of an aiosmtpd reply.
POSTFIX_WORDS: dict[str, str] = {
    "250 OK": "250 2.0.0 Ok",
    "503 Error: nested MAIL command": "503 5.5.1 Error: nested MAIL command",
    "503 Error: need MAIL command": "503 5.5.1 Error: need MAIL command",
    "503 Error: need RCPT command": "503 5.5.1 Error: need RCPT command",
    "503 Error: send HELO first": "503 5.5.1 Error: send HELO/EHLO first",
    "503 Error: send EHLO first": "503 5.5.1 Error: send HELO/EHLO first",
    "501 Syntax: MAIL FROM:": "501 5.5.4 Syntax: MAIL FROM:<address>",
    "501 Syntax: RCPT TO:": "501 5.5.4 Syntax: RCPT TO:<address>",
    "501 Syntax: RSET": "501 5.5.4 Syntax: RSET",
    "501 Syntax: DATA": "501 5.5.4 Syntax: DATA",
    "501 Syntax: QUIT": "501 5.5.4 Syntax: QUIT",
    "501 Syntax: VRFY": "501 5.5.4 Syntax: VRFY address",
    "501 Error: BODY": "501 5.5.4 Bad BODY parameter",
    "501 Error: SMTPUTF8": "501 5.5.4 Bad SMTPUTF8 parameter",
    "552 Error: message size": "552 5.3.4 Message size exceeds fixed limit",
    "552 Error: Too much mail data": "552 5.3.4 Message size exceeds fixed limit",
    "555 MAIL FROM parameters": "555 5.5.4 Unsupported option",
    "555 RCPT TO parameters": "555 5.5.4 Unsupported option",
    "454 TLS not available": "502 5.5.1 Error: command not implemented",
    "502 EXPN not implemented": "502 5.5.1 Error: command not implemented",
    "500 Error: command 'AUTH'": "503 5.5.1 Error: authentication not enabled",
    "500 Error: bad syntax": "500 5.5.2 Error: bad syntax",
    "500 Command line too long": "500 5.5.0 Error: line too long",
    "500 Line too long": "500 5.5.0 Error: line too long",
}
BAD_ADDRESS = {
    "MAIL": "501 5.1.7 Bad sender address syntax",
    "RCPT": "501 5.1.3 Bad recipient address syntax",
}


def postfix_words(reply: str, command: str) -> str:
    """*reply* (aiosmtpd's) in Postfix's words, for a reply to *command*."""
    if reply.startswith("553 5.1.3 Error: malformed address"):
        return BAD_ADDRESS.get(command, reply)
    for start, words in POSTFIX_WORDS.items():
        if reply.startswith(start):
            return words
    return reply


class _Commands(dict[str, Any]):
    """aiosmtpd's command table, answering every unknown command itself:
    aiosmtpd would hang up at the 5th (Postfix counts them as errors)."""

    def __init__(self, known: dict[str, Any], unknown: Any) -> None:
        super().__init__(known)
        self.unknown = unknown

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name) or self.unknown


class PostfixSMTP(SMTP):
    """aiosmtpd's protocol, answering as Postfix does: its reply texts and
    address checks, its refusal of a DATA out of order, and its limits on
    errors (``smtpd_hard_error_limit``) and on connections.

    Relies on aiosmtpd 1.4's ``smtp_DATA``, ``push``, ``_handle_client``,
    ``_smtp_methods``, ``session.host_name`` and ``envelope`` (``mail_from``
    None until MAIL).
    """

    def __init__(self, *args: Any, gate: ConnectionGate, limits: Limits, **kw: Any):
        super().__init__(*args, **kw)
        self._smtp_methods = _Commands(self._smtp_methods, self.smtp_unknown)
        self.gate = gate
        self.limits = limits
        self.errors = 0
        self.command = ""
        self.peer_ip: str | None = None
        self.refused: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._original_transport is not None:
            # The same connection again, now over TLS (STARTTLS).
            super().connection_made(transport)
            return
        address = peer_address(transport)
        self.refused = self.gate.refusal(address)
        if self.refused is None:
            self.peer_ip = address
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.peer_ip is not None:
            self.gate.release(self.peer_ip)
            self.peer_ip = None
        super().connection_lost(error)

    async def _handle_client(self) -> None:
        if self.refused is not None:
            # Postfix's anvil limit: 421 instead of the greeting.
            await self.push(f"421 4.7.0 {self.hostname} Error: {self.refused}")
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()

    async def push(self, status: AnyStr) -> None:
        reply = status if isinstance(status, str) else status.decode("utf-8", "replace")
        reply = postfix_words(reply, self.command)
        # surrogateescape: an address typed in Latin-1 comes back as typed
        # (aiosmtpd would fail with UnicodeEncodeError and say so).
        await super().push(reply.encode("utf-8", "surrogateescape"))
        if reply[:1] in "45" and not reply.startswith("421"):
            await self.count_error()

    async def count_error(self) -> None:
        self.errors += 1
        if self.errors >= self.limits.smtp_error_limit and self.transport is not None:
            await super().push(
                f"421 4.7.0 {self.hostname} Error: too many errors".encode()
            )
            self.transport.close()

    async def smtp_unknown(self, arg: str | None) -> None:
        await self.push("500 5.5.2 Error: command not recognized")

    async def smtp_MAIL(self, arg: str | None) -> None:
        self.command = "MAIL"
        try:
            if arg and self.session and self.session.host_name and not address_ok(arg):
                await self.push(BAD_ADDRESS["MAIL"])
                return
            await super().smtp_MAIL(arg)
        finally:
            self.command = ""

    async def smtp_RCPT(self, arg: str | None) -> None:
        self.command = "RCPT"
        try:
            if arg and not address_ok(arg):
                await self.push(BAD_ADDRESS["RCPT"])
                return
            await super().smtp_RCPT(arg)
        finally:
            self.command = ""

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


_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


def address_ok(arg: str) -> bool:
    """Whether Postfix would take the address in ``TO:<...>`` as an address:
    closed angle brackets, no space inside them, an ASCII domain."""
    text = arg.partition(":")[2].strip()
    if text.startswith("<"):
        close = text.find(">")
        if close < 0 or " " in text[:close]:
            return False
        text = text[1:close]
    else:
        text = text.split(" ", 1)[0]
    _, at, domain = text.rpartition("@")
    return not at or bool(_DOMAIN.fullmatch(domain))


class DeliveryHandler:
    """aiosmtpd hooks: local recipients only, delivered with Postfix's replies."""

    def __init__(self, store: MailStore, *, relay_needs_auth: bool = False) -> None:
        self.store = store
        #: Submission's ``smtpd_relay_restrictions = permit_sasl_authenticated,
        #: reject``: no recipient before AUTH.
        self.relay_needs_auth = relay_needs_auth

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
        if self.relay_needs_auth and not session.authenticated:
            refusal = (
                f"554 5.7.1 <{address}>: Recipient address rejected: Access denied"
            )
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
        full = 0
        for recipient in envelope.rcpt_tos:
            account = self.store.config.account_for_address(recipient)
            if account is None or account.name in delivered:
                continue
            delivered.add(account.name)
            trace = self.trace(session, envelope, recipient, queue_id, when)
            if secure(server) or session.authenticated:
                # Postfix's ESMTPS (TLS), ESMTPA (AUTH), ESMTPSA (both).
                extra = "S" * secure(server) + "A" * bool(session.authenticated)
                trace = dataclasses.replace(trace, protocol=trace.protocol + extra)
            if await self.store.deliver(account, content, trace) is None:
                full += 1
        if delivered and full == len(delivered):
            # Every mailbox is over its quota: nobody got the message.
            return "552 5.2.2 Quota exceeded (mailbox for user is full)"
        return f"250 2.0.0 Ok: queued as {queue_id}"

    async def handle_exception(self, error: Exception) -> str:
        if isinstance(error, TLSSetupException):
            # A client that said STARTTLS and then spoke no TLS (telnet):
            # aiosmtpd hangs up, as Postfix does. Not a bug of ours.
            return "421 4.7.0 TLS handshake failed"
        # A bug of ours: logged for the teacher, never shown as Python's
        # exception name (aiosmtpd's "500 Error: (UnicodeEncodeError)").
        logger.error("SMTP session error", exc_info=error)
        return "451 4.3.0 Error: internal error"

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


def secure(server: SMTP) -> bool:
    """Whether *server*'s session runs over TLS (Postfix's ``ESMTPS``)."""
    return bool(getattr(server, "secure", False))


def canonical_sender(address: str | None, origin: str) -> str:
    """The envelope sender as Postfix writes it into ``Return-Path`` and a
    missing ``From``: ``MAILER-DAEMON`` for ``<>``, and an address without a
    domain qualified with ``myorigin`` (the host name, in our Postfix)."""
    if not address or address == "<>":
        return "MAILER-DAEMON"
    return address if "@" in address else f"{address}@{origin}"
