"""The replay plan: a page's lines as steps, what to type and what to read."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from telnetmail.core.lexing import Exchange
from telnetmail.core.model import Line, Protocol, Role, Transcript, Turn
from telnetmail.core.parser import opened


@dataclass
class Send:
    """Client lines to type, in order."""

    lines: list[Line]


@dataclass
class Expect:
    """A run of server lines to read and compare."""

    lines: list[Line]
    turns: list[Turn]
    #: Every client and server line of the page before the run.
    history: list[Line]
    protocol: Protocol | None = None

    @functools.cached_property
    def reading(self) -> Exchange | None:
        """The history read once, for every replay of the page: the matcher
        reads what the server sends on from here (None: it cannot)."""
        return opened(self.protocol, self.history) if self.protocol else None


@dataclass
class ExpectTelnet:
    """Telnet's own messages (``Connected to ...``), compared by shape."""

    lines: list[Line]


Step = Send | Expect | ExpectTelnet


def plan(transcript: Transcript) -> list[Step]:
    """The page as steps: what to type, what to read. The telnet command is not a step."""
    command = transcript.connection.lineno if transcript.connection else None
    lines = [line for line in transcript.lines if line.lineno != command]
    steps: list[Step] = []
    for line in lines:
        kind = {Role.CLIENT: Send, Role.SERVER: Expect, Role.TELNET: ExpectTelnet}[
            line.role
        ]
        if steps and type(steps[-1]) is kind:
            steps[-1].lines.append(line)
        elif kind is Expect:
            steps.append(Expect([line], [], [], transcript.protocol))
        else:
            steps.append(kind([line]))
    for step in steps:
        if isinstance(step, Expect):
            members = {id(line) for line in step.lines}
            step.turns = [
                turn
                for turn in transcript.turns
                if turn.lines and id(turn.lines[0]) in members
            ]
            first = lines.index(step.lines[0])
            step.history = [
                line for line in lines[:first] if line.role is not Role.TELNET
            ]
    return [step for step in steps if not (isinstance(step, Expect) and not step.turns)]
