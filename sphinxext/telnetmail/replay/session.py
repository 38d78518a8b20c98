"""One telnet session under pexpect: type lines, read lines, always reaped."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from typing import TYPE_CHECKING, Self

import pexpect

from telnetmail.core.matching import telnet_line_matches
from telnetmail.replay.requirements import Unavailable
from telnetmail.replay.terminal import TerminalChild

if TYPE_CHECKING:
    from types import TracebackType

    from telnetmail.core.matching import Mode
    from telnetmail.core.matching.base import Textual

#: Seconds telnet has to exit after a hangup before it is killed.
HANGUP_GRACE = 1.0

#: The line that ends telnet's banner; after it, telnet has set up the terminal.
BANNER_END = "Escape character is '^]'."


class TelnetMissing(Unavailable):
    """The telnet client asked for is not installed."""


def telnet_command(choice: str = "auto") -> list[str]:
    """The telnet to run: the real one when present (``auto``), or ours.

    Any other choice is a client's command (a name on PATH, or a path).
    """
    if choice == "python" or (choice == "auto" and shutil.which("telnet") is None):
        return [sys.executable, "-m", "telnetmail.telnet"]
    program = "telnet" if choice == "auto" else choice
    found = shutil.which(program)
    if found is None:
        raise TelnetMissing(
            f"no {program!r} on PATH: install a telnet client"
            " (Debian: inetutils-telnet), or choose 'python', our own client"
        )
    return [found]


class TelnetSession:
    """``telnet ADDRESS PORT`` in a pseudo-terminal, read line by line."""

    #: The client, as failures name it.
    name = "telnet"
    #: Whether the client prints a banner before the dialogue, ending in
    #: a line that :meth:`banner_end` recognises.
    banner = True
    #: Whether the terminal hands the client all that was typed at once
    #: (telnet); openssl keeps its one line per read, which ``-crlf`` expects.
    bursts = True

    def __init__(self, command: list[str], address: str, port: int) -> None:
        self.command = [*command, address, str(port)]
        self.child: TerminalChild | None = None

    def __enter__(self) -> Self:
        env = {**os.environ, "NO_COLOR": "1", "LC_ALL": "C.UTF-8", "TERM": "dumb"}
        self.child = TerminalChild(
            self.command,
            encoding="utf-8",
            codec_errors="replace",
            env=env,
            dimensions=(24, 500),
        )
        # pexpect sleeps 0.1 ms after each read, which a busy scheduler
        # stretches to ~0.5 ms: a tenth of the course's replay time.
        self.child.delayafterread = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        child, self.child = self.child, None
        if child is None:
            return
        # Hang up and wait only as long as the client takes to go.
        child.kill(signal.SIGHUP)
        child.wait(HANGUP_GRACE)
        child.close()  # still alive: SIGKILL; always reaped

    def read_line(self, deadline: float) -> str | None:
        """The next line, or None at end of output or when ``deadline`` passes."""
        assert self.child is not None
        remaining = max(deadline - time.monotonic(), 0)
        index = self.child.expect_exact(
            ["\r\n", pexpect.EOF, pexpect.TIMEOUT], timeout=remaining
        )
        text: str = self.child.before or ""  # a str: encoding= is set
        if index == 0:
            self.after_line(text)
            return text
        if index == 1 and text:
            self.child.before = ""
            return text  # a last line without its newline
        return None

    def after_line(self, text: str) -> None:
        # The real telnet turns terminal echo back on once connected, which
        # would return every typed line: turn it off again.
        if text == BANNER_END:
            self.quiet()

    def quiet(self) -> None:
        """Terminal echo off, if telnet turned it on; and, for telnet, lines
        handed over as they come, not one per read (:meth:`send_lines`)."""
        assert self.child is not None
        if self.child.getecho():
            self.child.setecho(False)
        if self.bursts and self.child.getcanonical():
            self.child.setcanonical(False)

    def send_line(self, text: str) -> None:
        self.send_lines([text])

    def send_lines(self, texts: list[str]) -> None:
        """Type *texts*, each followed by Enter, in one go (as pasted).

        Given one line per read, telnet sends each line in a TCP segment of
        its own, and its Nagle algorithm holds every segment after the first
        until the server acknowledges that one: Postfix and Dovecot delay
        their acknowledgement by 40 ms, so each message body typed stalled
        that long. Given them all in one read, telnet sends them in one
        segment. The bytes sent are the same either way.
        """
        assert self.child is not None
        # telnet turns echo on just after its banner, and on a busy machine
        # that can come after the banner's line was read: the typed line
        # would then come back as if the server had sent it.
        self.quiet()
        self.child.send("".join(f"{text}\n" for text in texts))

    # -- what the replay asks of a client's own lines (openssl's differ) ----

    def banner_end(self, text: str) -> bool:
        """Whether *text* is the last line of the client's banner."""
        return text == BANNER_END

    def own_line(self, text: str) -> bool:
        """Whether *text*, read where the server speaks, is the client's own
        message, to be passed over unless the page shows it (telnet: never)."""
        return False

    def shows(self, expected: Textual, text: str, mode: Mode) -> bool:
        """Whether the page's ``telnet:`` line *expected* shows *text*."""
        return telnet_line_matches(expected, text, mode)

    def skippable(self, text: str) -> bool:
        """Whether *text* may be passed over when the page shows a later
        line of the client's (telnet: no; openssl's messages: yes)."""
        return False
