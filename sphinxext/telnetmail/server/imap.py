"""IMAP: pymap's server over our store, with Dovecot's answers where RFC 3501
leaves a choice.

pymap internals relied on (pinned 0.36.7): ``pymap.imap.IMAPServer`` and
``IMAPConnection`` (we build the connection ourselves, skipping the PROXY
protocol reader and its untracked task), and ``ConnectionState`` whose
``do_greeting``, ``do_authenticate``, ``do_select`` and ``do_store`` we
override, using its ``_login``, ``_session``, ``_selected`` and
``_capability`` attributes; ``SelectedMailbox.messages`` and
``session_flags`` (to give an EXAMINE session its ``\\Recent``), and the
dict backend's ``Message.recent``.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AsyncExitStack, closing
from typing import TYPE_CHECKING, Any

from proxyprotocol.result import ProxyResultLocal
from proxyprotocol.sock import SocketInfo
from pymap.context import connection_exit
from pymap.imap import IMAPConnection
from pymap.imap.state import ConnectionState
from pymap.parsing.primitives import List
from pymap.parsing.response import (
    ResponseBad,
    ResponseBye,
    ResponseCode,
    ResponseNo,
    ResponseOk,
)
from pymap.parsing.response.code import PermanentFlags, UidNext, UidValidity, Unseen
from pymap.parsing.response.specials import (
    ExistsResponse,
    FlagsResponse,
    RecentResponse,
)
from pymap.parsing.specials import SequenceSet
from pymap.parsing.specials.flag import (
    Answered,
    Deleted,
    Draft,
    Flagged,
    Seen,
    Wildcard,
)

from telnetmail.server.lines import LineTooLong, read_line

if TYPE_CHECKING:
    from pymap.parsing.command.auth import SelectCommand
    from pymap.parsing.command.nonauth import AuthenticateCommand, LoginCommand
    from pymap.parsing.command.select import StoreCommand
    from pymap.parsing.response import CommandResponse
    from pymap.parsing.specials.flag import Flag
    from pymap.selected import SelectedMailbox
    from pysasl.creds.server import ServerCredentials

    from telnetmail.server.store import MailStore

__all__ = ["IMAPHandler"]

# Longest command line (or literal header line) we read: Dovecot's default
# imap_max_line_length is 64 KiB too.
LINE_LIMIT = 64 * 1024


# Dovecot's FLAGS line: the system flags in this order, without \\Recent
# (which RFC 3501 §2.3.2 says clients cannot set anyway).
SYSTEM_FLAGS = (Answered, Flagged, Deleted, Seen, Draft)


class DovecotFlagsResponse(FlagsResponse):
    """``* FLAGS (...)`` in the order given; pymap's own sorts them."""

    @property
    def text(self) -> bytes:
        return b"FLAGS " + bytes(List(self.flags))


class DovecotPermanentFlags(PermanentFlags):
    """``[PERMANENTFLAGS (...)]`` in the order given; pymap's own sorts them."""

    def __init__(self, flags: tuple[Flag, ...]) -> None:
        super().__init__(flags)
        self._raw = b"[PERMANENTFLAGS " + bytes(List(flags)) + b"]"


# What Dovecot's SELECT says a client may store: the system flags and \*
# (new keywords). Only said: pymap's dict backend still drops keywords, and
# Dovecot's untagged FLAGS/PERMANENTFLAGS after a new keyword are not copied.
SELECT_PERMANENT_FLAGS = (*SYSTEM_FLAGS, Wildcard)


class DovecotState(ConnectionState):
    """pymap's IMAP state machine with Dovecot's texts and SELECT order."""

    def __init__(self, store: MailStore) -> None:
        super().__init__(store.login, store.backend_config)
        self._greeting = store.config.identity.imap_greeting.encode("utf-8")

    async def do_greeting(self) -> CommandResponse:
        return ResponseOk(b"*", self._greeting, self.capability)

    async def do_authenticate(
        self, cmd: AuthenticateCommand | LoginCommand, creds: ServerCredentials | None
    ) -> CommandResponse:
        if not creds:
            return ResponseNo(cmd.tag, b"Invalid authentication mechanism.")
        self._session = await self._login(creds)
        self._capability.extend(self.config.login_capability)
        return ResponseOk(cmd.tag, b"Logged in", self.capability)

    async def do_select(
        self, cmd: SelectCommand
    ) -> tuple[CommandResponse, SelectedMailbox | None]:
        # Dovecot's order: FLAGS, OK [PERMANENTFLAGS], EXISTS, RECENT,
        # OK [UNSEEN] (only if any), OK [UIDVALIDITY], OK [UIDNEXT]; and no
        # OK [MAILBOXID], which Dovecot 2.3 does not send.
        self._selected = None
        mailbox, updates = await self.session.select_mailbox(cmd.mailbox, cmd.readonly)
        if updates.readonly:
            recent = show_recent(updates)
            code, done = b"READ-ONLY", b"Examine completed"
            permanent = PermanentFlags([])
            permanent_text = b"Read-only mailbox."
        else:
            recent = updates.session_flags.recent
            code, done = b"READ-WRITE", b"Select completed"
            permanent = DovecotPermanentFlags(SELECT_PERMANENT_FLAGS)
            permanent_text = b"Flags permitted."
        resp = ResponseOk(cmd.tag, done, ResponseCode.of(code))
        resp.add_untagged(DovecotFlagsResponse(SYSTEM_FLAGS))
        resp.add_untagged_ok(permanent_text, permanent)
        resp.add_untagged(ExistsResponse(updates.messages.exists))
        resp.add_untagged(RecentResponse(recent))
        if mailbox.first_unseen:
            resp.add_untagged_ok(b"First unseen.", Unseen(mailbox.first_unseen))
        resp.add_untagged_ok(b"UIDs valid", UidValidity(mailbox.uid_validity))
        resp.add_untagged_ok(b"Predicted next UID", UidNext(mailbox.next_uid))
        return resp, updates

    async def do_store(
        self, cmd: StoreCommand
    ) -> tuple[CommandResponse, SelectedMailbox | None]:
        if not self.selected.readonly:
            return await super().do_store(cmd)
        # Dovecot ignores a STORE after EXAMINE with a tagged OK (pymap:
        # NO [READ-ONLY]); like any command, it still reports mailbox news,
        # but no EXPUNGE during a STORE (RFC 3501 §7.4.1).
        self.selected.hide_expunged = True
        updates = await self.session.check_mailbox(self.selected)
        return ResponseOk(cmd.tag, b"Store ignored with read-only mailbox."), updates


def show_recent(selected: SelectedMailbox) -> int:
    """Give an EXAMINE session ``\\Recent`` on the mailbox's recent messages,
    as Dovecot does, without claiming them (pymap only gives it to SELECT,
    which claims them); the count for ``* n RECENT``."""
    for _, message in selected.messages.get_all(SequenceSet.all()):
        if getattr(message, "recent", False):
            selected.session_flags.add_recent(message.uid)
    return selected.session_flags.recent


class LimitedConnection(IMAPConnection):
    """A connection that reads lines and literals within limits.

    pymap's own ``readline`` fails with ValueError on a line past the
    reader's limit (a crash of the session), and reads a LITERAL+ literal of
    any announced size into memory.
    """

    def __init__(self, *args: Any, max_literal: int, idle_timeout: float) -> None:
        super().__init__(*args)
        self.max_literal = max_literal
        self.idle_timeout = idle_timeout

    async def readline(self) -> memoryview:
        buf = bytearray(await self.read_line())
        while literal := self._literal_plus.search(buf):
            length = int(literal.group(1))
            if length > self.max_literal:
                await self.write_response(ResponseBye(b"Literal too big."))
                raise EOFError()
            buf += await self.reader.readexactly(length)
            buf += await self.read_line()
        return memoryview(buf)

    async def read_line(self) -> bytes:
        while True:
            try:
                return await asyncio.wait_for(
                    read_line(self.reader, LINE_LIMIT), self.idle_timeout
                )
            except TimeoutError:
                bye = ResponseBye(b"Disconnected for inactivity.")
                await self.write_response(bye)
                raise EOFError() from None
            except LineTooLong:
                # Untagged: the tag went with the line (RFC 3501 §7.1.3).
                await self.write_response(ResponseBad(b"*", b"Command line too long."))


class IMAPHandler:
    """The ``asyncio.start_server`` callback that runs one IMAP session."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        config = self.store.backend_config
        sock_info = SocketInfo.get(
            writer, ProxyResultLocal(), unique_id=uuid.uuid4().bytes
        )
        conn = LimitedConnection(
            config.commands,
            config,
            reader,
            writer,
            sock_info,
            max_literal=self.store.config.max_message_size,
            idle_timeout=self.store.config.idle_timeout,
        )
        state = DovecotState(self.store)
        async with AsyncExitStack() as stack:
            # pymap closes the session (the per-connection exit stack) and
            # the socket when the connection ends, however it ends.
            connection_exit.set(stack)
            stack.enter_context(closing(conn))
            await conn.run(state)
