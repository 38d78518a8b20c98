"""Leaving a mailbox and waiting in IDLE, as the RFCs and Dovecot have it.

pymap 0.36.7 has no UNSELECT (RFC 3691), refuses CLOSE of a mailbox opened
with EXAMINE (``NO [READ-ONLY]``, where RFC 3501 §6.4.2 wants it closed
without expunging and without an error), and refuses IDLE before a SELECT
(RFC 2177's grammar puts IDLE in the authenticated state too). Relies on
pymap's ``ConnectionState`` (``do_command``, ``receive_updates``,
``_session``, ``_selected``) and on its ``Commands.register``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from pymap.imap.state import ConnectionState
from pymap.parsing.command import CommandNoArgs, CommandSelect
from pymap.parsing.command.select import IdleCommand
from pymap.parsing.commands import Commands
from pymap.parsing.response import ResponseOk

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pymap.concurrent import Event
    from pymap.parsing.command import Command
    from pymap.parsing.command.select import CloseCommand
    from pymap.parsing.response import CommandResponse, UntaggedResponse
    from pymap.selected import SelectedMailbox

__all__ = ["ClosingState", "UnselectCommand", "course_commands"]

_Ret = tuple["CommandResponse", "SelectedMailbox | None"]


class UnselectCommand(CommandNoArgs, CommandSelect):
    """``UNSELECT`` (RFC 3691): CLOSE without expunging. Being a selected-state
    command, without a mailbox it is BAD, as the RFC says."""

    command = b"UNSELECT"


@functools.cache
def course_commands() -> Commands:
    """pymap's commands and UNSELECT; built once, as they never change."""
    commands = Commands()
    commands.register(UnselectCommand)
    return commands


class ClosingState(ConnectionState):
    """pymap's state with UNSELECT, Dovecot's CLOSE and IDLE before SELECT."""

    async def do_unselect(self, cmd: UnselectCommand) -> _Ret:
        self._selected = None
        return ResponseOk(cmd.tag, b"Unselect completed."), None

    async def do_close(self, cmd: CloseCommand) -> _Ret:
        if self.selected.readonly:
            # RFC 3501 §6.4.2: nothing is expunged, and no error is given.
            self._selected = None
            return ResponseOk(cmd.tag, b"Close completed."), None
        return await super().do_close(cmd)

    async def do_command(self, cmd: Command) -> CommandResponse:
        if isinstance(cmd, IdleCommand) and self._session and not self._selected:
            # pymap types IDLE as a selected-state command; it is valid once
            # authenticated (RFC 2177 §4).
            response, _ = await self.do_idle(cmd)
            return response
        return await super().do_command(cmd)

    async def receive_updates(
        self, cmd: IdleCommand, done: Event
    ) -> Iterable[UntaggedResponse]:
        if self._selected is None:
            # No mailbox, no news: wait for DONE.
            await done.wait()
            return ()
        return await super().receive_updates(cmd, done)
