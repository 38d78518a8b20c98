"""The base of every protocol's protocol-mode rules, and of in-order replies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnetmail.core.matching.base import Failure, Mismatch, enforce_turn_names
from telnetmail.core.model import Line, Turn

if TYPE_CHECKING:
    from telnetmail.core.matching.matcher import ReplyMatcher


class Rules:
    """The protocol-mode rules of one protocol, for one run of server lines."""

    def __init__(self, matcher: ReplyMatcher) -> None:
        self.matcher = matcher
        self.context = matcher.context
        self.expected = matcher.expected
        #: Replies received complete so far (in-order protocols).
        self.progress = 0

    def check(self, received: list[Turn]) -> bool:
        raise NotImplementedError

    def awaited(self) -> Line | None:
        """The first page line still waiting for the server."""
        return None

    def fail(self, line: Line | int, reason: str) -> Mismatch:
        lineno = line if isinstance(line, int) else line.lineno
        return self.matcher.mismatch(lineno, reason)


class InOrder(Rules):
    """SMTP and POP3: each reply answers the next command, in order.

    Every command typed gets its reply: a run is complete only once the
    server has answered all the commands waiting, so a reply the page
    leaves out is read, and fails, where it should stand.
    """

    def check(self, received: list[Turn]) -> bool:
        for index, turn in enumerate(received):
            if index >= len(self.expected):
                raise self.unshown(turn)
            if index < self.progress:
                continue  # compared when it completed
            expected = self.expected[index]
            reason = self.compare_start(expected, turn)
            if reason is not None:
                raise self.fail(expected.lines[0], reason)
            if turn.complete:
                failure = self.compare(expected, turn) or enforce_turn_names(
                    expected, turn, self.context
                )
                if failure is not None:
                    raise self.fail(*failure)
                self.progress = index + 1
        return self.progress == len(received) == len(
            self.expected
        ) and self.matcher.outstanding <= len(self.expected)

    def unshown(self, turn: Turn) -> Mismatch:
        command = turn.answers
        answering = (
            f" to {command.lines[0].text!r}" if command and command.lines else ""
        )
        return self.fail(
            self.expected[-1].lines[-1],
            f"the server sends the reply {turn.lines[0].text!r}{answering}, "
            f"which the page does not show after this line",
        )

    def awaited(self) -> Line | None:
        return self.expected[min(self.progress, len(self.expected) - 1)].lines[0]

    def compare_start(self, expected: Turn, received: Turn) -> str | None:
        """What the first line alone tells: the code or status."""
        raise NotImplementedError

    def compare(self, expected: Turn, received: Turn) -> Failure | None:
        raise NotImplementedError
