"""POP3 (RFC 1939, with CAPA, TOP and UIDL from RFC 2449) over the shared store.

No PyPI package serves POP3 faithfully, so this is a small asyncio server.
Replies follow Dovecot's texts. A session snapshots the INBOX when it logs
in (RFC 1939 §5: message numbers stay fixed for the session); DELE only
marks, and QUIT expunges the marked messages for IMAP as well.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telnetmail.server.handler import SessionHandler
from telnetmail.server.limits import peer_address
from telnetmail.server.lines import LineTooLong, read_line
from telnetmail.server.pop3_secure import PLAINTEXT_REFUSED, SecurePOP3

if TYPE_CHECKING:
    from telnetmail.server.config import Account
    from telnetmail.server.store import MailStore, StoredMessage
    from telnetmail.server.tls import LazyContext

__all__ = ["LINE_LIMIT", "POP3Handler"]


# RFC 2449 §4: a command line is at most 255 octets, CRLF included.
LINE_LIMIT = 255

Command = Callable[[str], Awaitable[bool]]  # pragma: no mutate

#: CAPA's first lines; STLS, USER and SASL follow as the session allows.
CAPABILITIES = ("CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def dot_stuffed(content: bytes) -> bytes:
    """*content* as a multi-line response body: dot-stuffed, ending in ``.``."""
    lines = content.split(b"\r\n")  # Never empty: split gives at least [b""].
    if lines[-1] == b"":
        lines.pop()
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"".join(line + b"\r\n" for line in stuffed) + b".\r\n"


def top_of(content: bytes, body_lines: int) -> bytes:
    """The header, the blank line and the first *body_lines* lines of the body."""
    header, sep, body = content.partition(b"\r\n\r\n")
    if not sep:
        return content
    lines = body.split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    kept = b"".join(line + b"\r\n" for line in lines[:body_lines])
    return header + b"\r\n\r\n" + kept


class POP3Session(SecurePOP3):
    """One client, from greeting to QUIT (or to the client vanishing).

    *context*: STLS is offered with it; *secure*: TLS from the start (POP3S).
    """

    def __init__(
        self,
        store: MailStore,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        context: LazyContext | None = None,
        secure: bool = False,
    ) -> None:
        self.store = store
        self.context = context
        self.secure = secure
        self.reader = reader
        self.writer = writer
        self.peer = peer_address(writer)
        self.user: str | None = None  # pragma: no mutate
        self.account: Account | None = None  # pragma: no mutate
        # Set at login, read only after it (mutants of these are equivalent).
        self.messages: list[StoredMessage] = []  # pragma: no mutate
        self.deleted: set[int] = set()
        self.uid_validity = 0  # pragma: no mutate
        self.done = False  # pragma: no mutate
        #: Bad commands in a row; Dovecot hangs up when they reach its limit.
        self.bad = 0

    async def run(self) -> None:
        await self.send(f"+OK {self.store.config.identity.pop3_greeting}")
        timeout = self.store.config.idle_timeout
        try:
            while not self.done:
                try:
                    line = await asyncio.wait_for(
                        read_line(self.reader, LINE_LIMIT), timeout
                    )
                except LineTooLong:
                    await self.send("-ERR Input line too long.")
                    continue
                except TimeoutError:
                    await self.send("-ERR Disconnected for inactivity.")
                    return
                await self.dispatch(line.rstrip(b"\r\n"))
        finally:
            if self.account is not None:
                self.store.pop3_locks.discard(self.account.name)

    async def send(self, text: str | bytes) -> None:
        data = text if isinstance(text, bytes) else _encode(text) + b"\r\n"
        self.writer.write(data)
        await self.writer.drain()

    async def dispatch(self, line: bytes) -> None:
        verb, _, arg = line.decode("utf-8", "surrogateescape").partition(" ")
        verb = verb.upper()
        if self.account is None:
            command = self.authorization_commands().get(verb)
        else:
            command = self.transaction_commands().get(verb)
        if command is None:
            await self.send(self.unknown(verb))
            ok = False  # pragma: no mutate (None counts alike)
        else:
            ok = await command(arg)
        await self.count(ok)

    def unknown(self, verb: str) -> str:
        # Dovecot's login process knows only its own commands; the mail
        # process names what it did not know.
        if self.account is None:
            return "-ERR Unknown command."
        return f"-ERR Unknown command: {verb}"

    async def count(self, ok: bool) -> None:
        """Count a bad command; at the limit, say so and hang up."""
        self.bad = 0 if ok else self.bad + 1
        limits = self.store.config.limits
        if self.account is None:
            limit, text = limits.bad_commands_before_login, "invalid bad commands"
        else:
            limit, text = limits.bad_commands_after_login, "bad commands"
        if limit and self.bad >= limit and not self.done:
            await self.send(f"-ERR Too many {text}.")
            self.hang_up()

    def hang_up(self) -> None:
        self.done = True
        self.writer.close()

    def authorization_commands(self) -> dict[str, Command]:
        commands: dict[str, Command] = {
            "USER": self.do_user,
            "PASS": self.do_pass,
            "QUIT": self.do_quit,
            "CAPA": self.do_capa,
        }
        if self.store.config.tls is not None:
            commands.update(STLS=self.do_stls, AUTH=self.do_auth)
        return commands

    def transaction_commands(self) -> dict[str, Command]:
        return {
            "STAT": self.do_stat,
            "LIST": self.do_list,
            "RETR": self.do_retr,
            "DELE": self.do_dele,
            "NOOP": self.do_noop,
            "RSET": self.do_rset,
            "QUIT": self.do_quit,
            "TOP": self.do_top,
            "UIDL": self.do_uidl,
            "CAPA": self.do_capa,
        }

    # -- AUTHORIZATION -------------------------------------------------------

    async def do_user(self, arg: str) -> bool:
        if self.plaintext_refused:
            await self.send(PLAINTEXT_REFUSED)
            return True
        if not arg.strip():
            await self.send("-ERR Missing user name.")
            return False
        # Say +OK for any name, so a probe learns nothing about who exists.
        self.user = arg.strip()
        await self.send("+OK")
        return True

    async def do_pass(self, arg: str) -> bool:
        if self.plaintext_refused:
            await self.send(PLAINTEXT_REFUSED)
            return True
        if self.user is None:
            await self.send("-ERR No username given.")
            return False
        account = self.store.check_password(self.user, arg)
        self.user = None
        return await self.log_in(account)

    async def log_in(self, account: Account | None) -> bool:
        """Answer a login by password: in, or delayed and refused."""
        if account is None:
            # Dovecot's auth_failure_delay, longer at each failure.
            await self.store.penalty.failed(self.peer)
            await self.send("-ERR [AUTH] Authentication failed.")
            return True  # Not a bad command: the penalty is the answer.
        self.store.penalty.succeeded(self.peer)
        if account.name in self.store.pop3_locks:
            # RFC 1939 §8 and RFC 2449 §8.1.2, in Dovecot's words.
            await self.send("-ERR [IN-USE] Mailbox is locked by another POP3 session.")
            self.hang_up()
            return True
        self.store.pop3_locks.add(account.name)
        self.account = account
        self.messages = await self.store.messages(account)
        await self.store.claim_recent(account)
        self.uid_validity = await self.store.uid_validity(account)
        await self.send("+OK Logged in.")
        return True

    async def do_capa(self, arg: str) -> bool:
        caps = [*CAPABILITIES, *self.login_capabilities()]
        await self.send("+OK\r\n" + "".join(f"{cap}\r\n" for cap in caps) + ".")
        return True

    async def do_quit(self, arg: str) -> bool:
        if self.account is not None and self.deleted:
            # UPDATE state (RFC 1939 §6): only now do marked messages go.
            uids = [self.messages[number - 1].uid for number in self.deleted]
            await self.store.expunge(self.account, uids)
            await self.send("+OK Logging out, messages deleted.")
        else:
            await self.send("+OK Logging out.")
        self.hang_up()
        return True

    # -- TRANSACTION ---------------------------------------------------------

    def live(self) -> list[tuple[int, StoredMessage]]:
        return [
            (number, message)
            for number, message in enumerate(self.messages, 1)
            if number not in self.deleted
        ]

    async def message_arg(self, arg: str, then_more: bool = False) -> int | None:
        """The message number at the start of *arg*, or None after answering
        -ERR in Dovecot's words; *then_more*: another argument must follow."""
        digits = re.match(r"[0-9]*", arg).group()  # type: ignore[union-attr]
        rest = arg[len(digits) :]
        if not digits:
            await self.send(f"-ERR Invalid message number: {arg}")
            return None
        if rest[:1] != (" " if then_more else ""):
            await self.send(f"-ERR Noise after message number: {rest}")
            return None
        number = int(digits)
        if not 1 <= number <= len(self.messages):
            await self.send(f"-ERR There's no message {number}.")
            return None
        if number in self.deleted:
            await self.send("-ERR Message is deleted.")
            return None
        return number

    async def do_stat(self, arg: str) -> bool:
        live = self.live()
        size = sum(len(message.content) for _, message in live)
        await self.send(f"+OK {len(live)} {size}")
        return True

    async def do_list(self, arg: str) -> bool:
        return await self.scan_listing(arg, lambda m: str(len(m.content)), "messages:")

    async def do_uidl(self, arg: str) -> bool:
        return await self.scan_listing(arg, self.unique_id, "")

    async def scan_listing(
        self, arg: str, value: Callable[[StoredMessage], str], heading: str
    ) -> bool:
        """LIST and UIDL: one message with an argument, else all, as RFC 1939 §5."""
        if arg:
            number = await self.message_arg(arg)
            if number is None:
                return False
            await self.send(f"+OK {number} {value(self.messages[number - 1])}")
            return True
        live = self.live()
        head = f"+OK {len(live)} {heading}" if heading else "+OK"
        lines = [head] + [f"{number} {value(message)}" for number, message in live]
        await self.send("".join(line + "\r\n" for line in lines) + ".")
        return True

    def unique_id(self, message: StoredMessage) -> str:
        # Dovecot's default pop3_uidl_format, %08Xu%08Xv.
        return f"{message.uid:08X}{self.uid_validity:08X}"

    async def readable(self, number: int) -> StoredMessage | None:
        """Message *number*, unless another session has expunged it meanwhile
        (then None, after Dovecot's -ERR)."""
        message = self.messages[number - 1]
        assert self.account is not None
        if not await self.store.exists(self.account, message.uid):
            await self.send(f"-ERR Message {number} expunged.")
            return None
        return message

    async def do_retr(self, arg: str) -> bool:
        number = await self.message_arg(arg)
        message = None if number is None else await self.readable(number)
        if message is None:
            return False
        await self.send(f"+OK {len(message.content)} octets")
        await self.send(dot_stuffed(message.content))
        # As Dovecot's pop3_no_flag_updates = no: a retrieved message is \Seen.
        assert self.account is not None
        await self.store.mark_seen(self.account, message.uid)
        return True

    async def do_top(self, arg: str) -> bool:
        number = await self.message_arg(arg, then_more=True)
        if number is None:
            return False
        lines_text = arg.partition(" ")[2].lstrip(" ")
        if not (lines_text.isdigit() and lines_text.isascii()):
            await self.send(f"-ERR Invalid size: {lines_text}")
            return False
        message = await self.readable(number)
        if message is None:
            return False
        await self.send("+OK")
        await self.send(dot_stuffed(top_of(message.content, int(lines_text))))
        return True

    async def do_dele(self, arg: str) -> bool:
        number = await self.message_arg(arg)
        if number is None:
            return False
        self.deleted.add(number)
        await self.send("+OK Marked to be deleted.")
        return True

    async def do_noop(self, arg: str) -> bool:
        await self.send("+OK")
        return True

    async def do_rset(self, arg: str) -> bool:
        self.deleted.clear()
        await self.send("+OK")
        return True


class POP3Handler(SessionHandler):
    """The ``asyncio.start_server`` callback that runs one POP3 session."""

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            session = POP3Session(self.store, reader, writer, self.context, self.secure)
            await session.run()
        except (EOFError, ConnectionError):
            # The client vanished: nothing was expunged, as RFC 1939 §6 says
            # for a session that ends without QUIT.
            pass
        finally:
            writer.close()
