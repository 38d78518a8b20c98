"""POP3's TLS and SASL: STLS (RFC 2595), AUTH PLAIN and LOGIN (RFC 5034),
and plaintext logins refused before TLS, in Dovecot's words.

A mixin of :class:`telnetmail.server.pop3.POP3Session`: it needs the
session's ``send``, ``reader``, ``writer``, ``store`` and ``log_in``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telnetmail.server.auth import (
    LOGIN_PROMPTS,
    decode_b64,
    encode_prompt,
    split_plain,
)
from telnetmail.server.lines import read_line
from telnetmail.server.tls import forget_plaintext

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from telnetmail.server.config import Account
    from telnetmail.server.store import MailStore
    from telnetmail.server.tls import LazyContext

__all__ = ["PLAINTEXT_REFUSED", "SecurePOP3"]

#: Dovecot's refusal of USER, PASS or AUTH PLAIN before TLS, where
#: ``disable_plaintext_auth`` applies (a remote client, or --require-tls).
PLAINTEXT_REFUSED = (
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS)"
    " connections."
)

#: Longest SASL response line read (Dovecot's login limit is far larger;
#: PLAIN for the course's accounts is a few dozen octets).
SASL_LINE_LIMIT = 8192


class SecurePOP3:
    """STLS, AUTH and the plaintext rule, for a POP3 session."""

    store: MailStore
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    context: LazyContext | None
    secure: bool
    send: Callable[[str | bytes], Awaitable[None]]
    log_in: Callable[[Account | None], Awaitable[bool]]

    @property
    def plaintext_refused(self) -> bool:
        """Whether a plaintext login must wait for TLS (Dovecot's rule)."""
        tls = self.store.config.tls
        return tls is not None and tls.require_tls and not self.secure

    def login_capabilities(self) -> list[str]:
        """CAPA's last lines, in Dovecot's order: STLS before TLS, USER
        unless refused, and with TLS on the SASL mechanisms."""
        if self.store.config.tls is None:
            return ["USER"]
        caps = [] if self.secure else ["STLS"]
        if not self.plaintext_refused:
            caps += ["USER", "SASL PLAIN LOGIN"]
        return caps

    async def do_stls(self, arg: str) -> bool:
        if self.context is None:
            await self.send("-ERR TLS support isn't enabled.")
            return False
        if self.secure:
            await self.send("-ERR TLS is already active.")
            return False
        await self.send("+OK Begin TLS negotiation now.")
        forget_plaintext(self.reader)
        await self.writer.start_tls(self.context.get())
        self.secure = True
        return True

    async def do_auth(self, arg: str) -> bool:
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if not mechanism:
            await self.send("+OK\r\nPLAIN\r\nLOGIN\r\n.")
            return True
        if mechanism not in ("PLAIN", "LOGIN"):
            await self.send("-ERR [AUTH] Unsupported authentication mechanism.")
            return False
        if self.plaintext_refused:
            await self.send(PLAINTEXT_REFUSED)
            return True
        if mechanism == "PLAIN":
            credentials = await self.plain(initial)
        else:
            credentials = await self.login(initial)
        if credentials is None:
            await self.send("-ERR [AUTH] Authentication failed.")
            return True
        return await self.log_in(self.store.check_password(*credentials))

    async def plain(self, initial: str) -> tuple[str, str] | None:
        """The name and password of a PLAIN response (asked for if not given)."""
        response = initial or await self.challenge("")
        decoded = None if response is None else decode_b64(response)
        return None if decoded is None else split_plain(decoded)

    async def login(self, initial: str) -> tuple[str, str] | None:
        """The name and password of the LOGIN mechanism's two answers."""
        name = initial or await self.challenge(LOGIN_PROMPTS[0])
        password = None if name is None else await self.challenge(LOGIN_PROMPTS[1])
        if name is None or password is None:
            return None
        decoded = decode_b64(name), decode_b64(password)
        if decoded[0] is None or decoded[1] is None:
            return None
        return (
            decoded[0].decode("utf-8", "surrogateescape"),
            decoded[1].decode("utf-8", "surrogateescape"),
        )

    async def challenge(self, prompt: str) -> str | None:
        """Send ``+ base64(prompt)``; the client's answer, None if it gave up."""
        await self.send("+ " + encode_prompt(prompt))
        line = await asyncio.wait_for(
            read_line(self.reader, SASL_LINE_LIMIT), self.store.config.idle_timeout
        )
        answer = line.decode("utf-8", "surrogateescape").strip()
        return None if answer == "*" else answer
