"""POP3 (RFC 1939, with CAPA, TOP and UIDL from RFC 2449) over the shared store.

No PyPI package serves POP3 faithfully, so this is a small asyncio server.
Replies follow Dovecot's texts. A session snapshots the INBOX when it logs
in (RFC 1939 §5: message numbers stay fixed for the session); DELE only
marks, and QUIT expunges the marked messages for IMAP as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telnetmail.server.lines import LineTooLong, read_line

if TYPE_CHECKING:
    from telnetmail.server.config import Account
    from telnetmail.server.store import MailStore, StoredMessage

__all__ = ["LINE_LIMIT", "POP3Handler"]


# RFC 2449 §4: a command line is at most 255 octets, CRLF included.
LINE_LIMIT = 255

CAPABILITIES = ("CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "USER")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def dot_stuffed(content: bytes) -> bytes:
    """*content* as a multi-line response body: dot-stuffed, ending in ``.``."""
    lines = content.split(b"\r\n")
    if lines and lines[-1] == b"":
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


class POP3Session:
    """One client, from greeting to QUIT (or to the client vanishing)."""

    def __init__(
        self,
        store: MailStore,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.store = store
        self.reader = reader
        self.writer = writer
        self.user: str | None = None
        self.account: Account | None = None
        self.messages: list[StoredMessage] = []
        self.deleted: set[int] = set()
        self.uid_validity = 0
        self.done = False

    async def run(self) -> None:
        await self.send(f"+OK {self.store.config.identity.pop3_greeting}")
        timeout = self.store.config.idle_timeout
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
            return
        await command(arg)

    def unknown(self, verb: str) -> str:
        if verb in self.transaction_commands() and self.account is None:
            return "-ERR Not logged in."
        if verb in ("USER", "PASS", "APOP") and self.account is not None:
            return "-ERR Already logged in."
        return "-ERR Unknown command."

    def authorization_commands(self) -> dict[str, Callable[[str], Awaitable[None]]]:
        return {
            "USER": self.do_user,
            "PASS": self.do_pass,
            "QUIT": self.do_quit,
            "CAPA": self.do_capa,
        }

    def transaction_commands(self) -> dict[str, Callable[[str], Awaitable[None]]]:
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

    async def do_user(self, arg: str) -> None:
        if not arg.strip():
            await self.send("-ERR Missing user name.")
            return
        # Say +OK for any name, so a probe learns nothing about who exists.
        self.user = arg.strip()
        await self.send("+OK")

    async def do_pass(self, arg: str) -> None:
        if self.user is None:
            await self.send("-ERR No username given.")
            return
        account = self.store.check_password(self.user, arg)
        self.user = None
        if account is None:
            await self.send("-ERR [AUTH] Authentication failed.")
            return
        self.account = account
        self.messages = await self.store.messages(account)
        self.uid_validity = await self.store.uid_validity(account)
        await self.send("+OK Logged in.")

    async def do_capa(self, arg: str) -> None:
        await self.send("+OK\r\n" + "".join(f"{cap}\r\n" for cap in CAPABILITIES) + ".")

    async def do_quit(self, arg: str) -> None:
        self.done = True
        if self.account is not None and self.deleted:
            # UPDATE state (RFC 1939 §6): only now do marked messages go.
            uids = [self.messages[number - 1].uid for number in self.deleted]
            await self.store.expunge(self.account, uids)
            await self.send("+OK Logging out, messages deleted.")
        else:
            await self.send("+OK Logging out.")
        self.writer.close()

    # -- TRANSACTION ---------------------------------------------------------

    def live(self) -> list[tuple[int, StoredMessage]]:
        return [
            (number, message)
            for number, message in enumerate(self.messages, 1)
            if number not in self.deleted
        ]

    async def message_arg(self, arg: str) -> int | None:
        """The message number in *arg*, or None after answering -ERR."""
        text = arg.strip()
        if not text.isdigit() or not text.isascii():
            await self.send(f"-ERR Invalid message number: {text[:40]}")
            return None
        number = int(text)
        if not 1 <= number <= len(self.messages):
            await self.send(f"-ERR There's no message {number}.")
            return None
        if number in self.deleted:
            await self.send("-ERR Message is deleted.")
            return None
        return number

    async def do_stat(self, arg: str) -> None:
        live = self.live()
        size = sum(len(message.content) for _, message in live)
        await self.send(f"+OK {len(live)} {size}")

    async def do_list(self, arg: str) -> None:
        await self.scan_listing(arg, lambda m: str(len(m.content)), "messages:")

    async def do_uidl(self, arg: str) -> None:
        await self.scan_listing(arg, self.unique_id, "")

    async def scan_listing(
        self, arg: str, value: Callable[[StoredMessage], str], heading: str
    ) -> None:
        """LIST and UIDL: one message with an argument, else all, as RFC 1939 §5."""
        if arg.strip():
            number = await self.message_arg(arg)
            if number is not None:
                message = self.messages[number - 1]
                await self.send(f"+OK {number} {value(message)}")
            return
        live = self.live()
        head = f"+OK {len(live)} {heading}" if heading else "+OK"
        lines = [head] + [f"{number} {value(message)}" for number, message in live]
        await self.send("".join(line + "\r\n" for line in lines) + ".")

    def unique_id(self, message: StoredMessage) -> str:
        # Dovecot's default pop3_uidl_format, %08Xu%08Xv.
        return f"{message.uid:08X}{self.uid_validity:08X}"

    async def do_retr(self, arg: str) -> None:
        number = await self.message_arg(arg)
        if number is None:
            return
        message = self.messages[number - 1]
        await self.send(f"+OK {len(message.content)} octets")
        await self.send(dot_stuffed(message.content))
        # As Dovecot's pop3_no_flag_updates = no: a retrieved message is \Seen.
        assert self.account is not None
        await self.store.mark_seen(self.account, message.uid)

    async def do_top(self, arg: str) -> None:
        number_text, _, lines_text = arg.strip().partition(" ")
        lines_text = lines_text.strip()
        if not (lines_text.isdigit() and lines_text.isascii()):
            await self.send("-ERR Invalid number of lines.")
            return
        number = await self.message_arg(number_text)
        if number is None:
            return
        content = self.messages[number - 1].content
        await self.send("+OK")
        await self.send(dot_stuffed(top_of(content, int(lines_text))))

    async def do_dele(self, arg: str) -> None:
        number = await self.message_arg(arg)
        if number is not None:
            self.deleted.add(number)
            await self.send("+OK Marked to be deleted.")

    async def do_noop(self, arg: str) -> None:
        await self.send("+OK")

    async def do_rset(self, arg: str) -> None:
        self.deleted.clear()
        await self.send("+OK")


class POP3Handler:
    """The ``asyncio.start_server`` callback that runs one POP3 session."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            await POP3Session(self.store, reader, writer).run()
        except (EOFError, ConnectionError):
            # The client vanished: nothing was expunged, as RFC 1939 §6 says
            # for a session that ends without QUIT.
            pass
        finally:
            writer.close()
