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
import re
import sys
import uuid
from contextlib import AsyncExitStack, closing
from typing import TYPE_CHECKING, Any, NoReturn

from proxyprotocol.result import ProxyResultLocal
from proxyprotocol.sock import SocketInfo
from pymap.context import connection_exit
from pymap.exceptions import InvalidAuth
from pymap.imap import IMAPConnection
from pymap.imap.state import ConnectionState
from pymap.parsing.primitives import List
from pymap.parsing.response import (
    CommandResponse,
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
from pymap.parsing.state import ParsingInterrupt, ParsingState

from telnetmail.server import imap_guard
from telnetmail.server.handler import SessionHandler
from telnetmail.server.imap_closing import ClosingState, course_commands
from telnetmail.server.imap_fetch import answer_as_asked, header_lists
from telnetmail.server.imap_secure import TLSState
from telnetmail.server.imap_store import message_bytes
from telnetmail.server.limits import peer_address
from telnetmail.server.lines import IMAP_LINE_LIMIT, LineTooLong, read_line
from telnetmail.server.tls import forget_plaintext

if TYPE_CHECKING:
    from pymap.parsing.command import Command
    from pymap.parsing.command.auth import AppendCommand, SelectCommand
    from pymap.parsing.command.nonauth import AuthenticateCommand, LoginCommand
    from pymap.parsing.command.select import CopyCommand, FetchCommand, StoreCommand
    from pymap.parsing.response import Response
    from pymap.parsing.specials.flag import Flag
    from pymap.selected import SelectedMailbox
    from pysasl.creds.server import ServerCredentials

    from telnetmail.server.config import ServerConfig
    from telnetmail.server.store import MailStore
    from telnetmail.server.tls import LazyContext

__all__ = ["IMAPHandler"]

# A literal announced at the end of a line: ``{n}`` or LITERAL+'s ``{n+}``.
LITERAL_AT_END = re.compile(rb"\{(\d+)(\+?)\}\r?\n$")


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


# What login adds to the capabilities besides pymap's own: the commands
# :mod:`telnetmail.server.imap_closing` adds.
LOGIN_CAPABILITY_EXTRA = (b"UNSELECT",)


class DovecotState(TLSState, ClosingState):
    """pymap's IMAP state machine with Dovecot's texts and SELECT order."""

    def __init__(
        self,
        store: MailStore,
        peer: str,
        context: LazyContext | None = None,
        secure: bool = False,
    ) -> None:
        tls = store.config.tls
        mailboxes = store.open_imap()
        super().__init__(
            mailboxes.login,
            mailboxes.backend_config,
            context=context,
            secure=secure,
            require_tls=tls is not None and tls.require_tls,
        )
        self.store = store
        self.peer = peer
        self._greeting = store.config.identity.imap_greeting.encode("utf-8")
        #: The HEADER.FIELDS lists of the command being run, as typed.
        self.header_lists: list[list[bytes]] = []

    async def do_greeting(self) -> CommandResponse:
        return ResponseOk(b"*", self._greeting, self.capability)

    async def do_authenticate(
        self, cmd: AuthenticateCommand | LoginCommand, creds: ServerCredentials | None
    ) -> CommandResponse:
        if not creds and self.plaintext_refused:
            return self.refuse_plaintext(cmd, password_sent=False)
        if not creds:
            return ResponseNo(cmd.tag, b"Invalid authentication mechanism.")
        try:
            self._session = await self._login(creds)
        except InvalidAuth:
            # Dovecot's auth_failure_delay, longer at each failure.
            await self.store.penalty.failed(self.peer)
            raise
        self.store.penalty.succeeded(self.peer)
        self._capability.extend(self.config.login_capability)
        self._capability.extend(LOGIN_CAPABILITY_EXTRA)
        return ResponseOk(cmd.tag, b"Logged in", self.capability)

    async def do_append(
        self, cmd: AppendCommand
    ) -> tuple[CommandResponse, SelectedMailbox | None]:
        size = sum(len(message.literal) for message in cmd.messages)
        return await self.within_quota(cmd.tag, size) or await super().do_append(cmd)

    async def do_fetch(
        self, cmd: FetchCommand
    ) -> tuple[CommandResponse, SelectedMailbox | None]:
        answer_as_asked(cmd.attributes, self.header_lists)
        return await super().do_fetch(cmd)

    async def do_copy(
        self, cmd: CopyCommand
    ) -> tuple[CommandResponse, SelectedMailbox | None]:
        messages = self.selected.messages.get_all(cmd.sequence_set)
        size = sum(len(message_bytes(message)) for _, message in messages)
        return await self.within_quota(cmd.tag, size) or await super().do_copy(cmd)

    async def within_quota(
        self, tag: bytes, size: int
    ) -> tuple[CommandResponse, None] | None:
        """None if *size* more octets fit in the user's quota; else Dovecot's NO."""
        if await self.store.has_room(self.session.owner, size):
            return None
        text = b"Quota exceeded (mailbox for user is full)"
        return ResponseNo(tag, text, ResponseCode.of(b"OVERQUOTA")), None

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
    """A connection that reads within limits, and checks each command before
    pymap parses it (:mod:`telnetmail.server.imap_guard`).

    pymap's own ``readline`` fails with ValueError on a line past the
    reader's limit (a crash of the session), reads a literal of any
    announced size into memory, before login too, and never times out.
    """

    def __init__(self, *args: Any, config: ServerConfig) -> None:
        super().__init__(*args)
        self.limits = config.limits
        self.max_message_size = config.max_message_size
        self.idle_timeout = config.idle_timeout
        self.state: DovecotState | None = None
        self.bad_before_login = 0

    @property
    def logged_in(self) -> bool:
        return self.state is not None and self.state._session is not None

    async def hang_up(self, text: bytes) -> NoReturn:
        """Say BYE and end the session; pymap sees the client leave."""
        await self.write_response(ResponseBye(text))
        self.writer.close()
        raise EOFError()

    async def check_literal(self, length: int) -> None:
        limit = (
            self.max_message_size
            if self.logged_in
            else (self.limits.max_literal_before_login)
        )
        if length > limit:
            # Dovecot hangs up at once, before a byte of it is read.
            await self.hang_up(b"Literal size too large")

    async def read_literal(self, length: int) -> bytes:
        await self.check_literal(length)
        try:
            return await asyncio.wait_for(
                self.reader.readexactly(length), self.limits.literal_timeout
            )
        except TimeoutError:
            await self.hang_up(b"Disconnected for inactivity while reading a literal.")

    async def readline(self) -> memoryview:
        buf = bytearray(await self.read_line())
        while literal := LITERAL_AT_END.search(buf):
            length = int(literal.group(1))
            await self.check_literal(length)
            if not literal.group(2):
                break  # Synchronizing: pymap asks for it with a continuation.
            buf += await self.read_literal(length)
            buf += await self.read_line()
        return memoryview(buf)

    async def read_continuation(self, literal_length: int) -> memoryview:
        literal = await self.read_literal(literal_length)
        return memoryview(literal + bytes(await self.readline()))

    async def read_line(self) -> bytes:
        while True:
            try:
                return await asyncio.wait_for(
                    read_line(self.reader, IMAP_LINE_LIMIT), self.idle_timeout
                )
            except TimeoutError:
                await self.hang_up(b"Disconnected for inactivity.")
            except LineTooLong:
                # Untagged: the tag went with the line (RFC 3501 §7.1.3).
                await self.write_response(ResponseBad(b"*", b"Command line too long."))

    async def read_command(self, state: ConnectionState) -> Command:
        """pymap's ``read_command``, with :func:`imap_guard.check` before
        each parse: a refused command is answered here, and the next read."""
        line = await self.readline()
        conts: list[memoryview] = []
        while True:
            data = bytes(line) + b"".join(bytes(cont) for cont in conts)
            verdict = imap_guard.check(bytes(line), data, self.exists())
            if verdict.refusal is not None:
                await self.write_raw(verdict.refusal)
                line, conts = await self.readline(), []
                continue
            if verdict.line is not None:
                line = memoryview(verdict.line)
            if self.state is not None:
                self.state.header_lists = header_lists(data)
            params = self.params.copy(ParsingState(continuations=conts))
            try:
                cmd, _ = self.commands.parse(line, params)
            except ParsingInterrupt as interrupt:
                await self._interrupt(state, interrupt, conts)
            else:
                return cmd

    def exists(self) -> int | None:
        """The message count of the selected mailbox, as this session knows it."""
        selected = self.state._selected if self.state is not None else None
        return None if selected is None else selected.messages.exists

    async def write_raw(self, line: bytes) -> None:
        if self.too_many_bad(line.split(b" ", 2)[1:2] == [b"BAD"]):
            await self.say_too_many()
            return
        self.writer.write(line + b"\r\n")
        await self.writer.drain()

    async def write_response(self, resp: Response) -> None:
        tagged = isinstance(resp, CommandResponse) and resp.tag != b"*"
        if tagged and self.too_many_bad(resp.is_bad):
            await self.say_too_many()
            return
        await super().write_response(resp)

    def too_many_bad(self, bad: bool) -> bool:
        """Count a reply before login: whether it is the BAD at which Dovecot's
        login process says BYE instead (after login, pymap counts them)."""
        if self.logged_in:
            return False
        self.bad_before_login = self.bad_before_login + 1 if bad else 0
        limit = self.limits.bad_commands_before_login
        return bool(limit) and self.bad_before_login >= limit

    async def say_too_many(self) -> None:
        await super().write_response(ResponseBye(b"Too many invalid IMAP commands."))
        self.writer.close()

    async def send_error_disconnect(self) -> None:
        # The client left, or we hung up after saying why: no [SERVERBUG].
        if isinstance(sys.exc_info()[1], (EOFError, ConnectionError)):
            return
        await super().send_error_disconnect()

    async def run(self, state: ConnectionState) -> None:
        assert isinstance(state, DovecotState)
        self.state = state
        await super().run(state)

    async def start_tls(self) -> None:
        # pymap's would use its own config's context: ours is the state's.
        assert self.state is not None and self.state.context is not None
        forget_plaintext(self.reader)
        await self.writer.start_tls(self.state.context.get())


class IMAPHandler(SessionHandler):
    """The ``asyncio.start_server`` callback that runs one IMAP session."""

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # The first IMAP session moves the store's mail into pymap.
        config = self.store.open_imap().backend_config
        sock_info = SocketInfo.get(
            writer, ProxyResultLocal(), unique_id=uuid.uuid4().bytes
        )
        conn = LimitedConnection(
            course_commands(),
            config,
            reader,
            writer,
            sock_info,
            config=self.store.config,
        )
        state = DovecotState(
            self.store, peer_address(writer), self.context, self.secure
        )
        async with AsyncExitStack() as stack:
            # pymap closes the session (the per-connection exit stack) and
            # the socket when the connection ends, however it ends.
            connection_exit.set(stack)
            stack.enter_context(closing(conn))
            await conn.run(state)
