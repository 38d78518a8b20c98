"""Type a page's client lines and keep everything the server answers.

The verifier stops at the first difference; ``check --update`` needs the
whole session to rewrite a page's server lines. Here nothing is compared:
each group of client lines the page types together is typed, and the
server is read until it has said all it owes (:func:`settled`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from telnetmail.core.matching import CLOSED, Send, plan
from telnetmail.core.model import Protocol
from telnetmail.core.recording import PageLine
from telnetmail.core.replies import settled
from telnetmail.replay.backends import endpoint
from telnetmail.replay.engine import CLOSING, END_GRACE, Case, Verifier
from telnetmail.replay.session import BANNER_END, TelnetSession


@dataclass
class FreeRun:
    """A session as it went, and why it stopped short of the page, if it did."""

    lines: list[PageLine] = field(default_factory=list)
    #: The page line that could not be typed or was not answered, and why.
    stopped: tuple[int, str] | None = None


def free_run(verifier: Verifier, case: Case) -> FreeRun:
    """Replay ``case``'s client lines on the backend as it stands."""
    transcript = case.transcript
    assert transcript.protocol is not None
    connection = transcript.connection
    address, port = endpoint(
        verifier.backend, connection.port if connection else None, transcript.protocol
    )
    run = FreeRun()
    with TelnetSession(verifier.telnet, address, port) as session:
        reader = Reader(session, transcript.protocol, run, verifier.timeout)
        reader.banner()
        for step in plan(transcript):
            if not isinstance(step, Send):
                continue
            lineno = step.lines[0].lineno
            if not reader.until_settled(lineno):
                break
            if reader.closed:
                run.stopped = (lineno, reader.why())
                break
            session.send_lines([line.text for line in step.lines])
            run.lines.extend(("client", line.text) for line in step.lines)
        if not run.stopped:
            last = transcript.lines[-1].lineno
            if reader.until_settled(last):
                reader.drain()
    verifier.backend.settle()
    return run


class Reader:
    """Reads one session's lines into a :class:`FreeRun`."""

    def __init__(
        self, session: TelnetSession, protocol: Protocol, run: FreeRun, timeout: float
    ) -> None:
        self.session = session
        self.protocol = protocol
        self.run = run
        self.timeout = timeout
        self.closed = False

    def read(self, seconds: float) -> str | None:
        text = self.session.read_line(time.monotonic() + seconds)
        if text is None:
            return None
        if text == CLOSED:
            self.closed = True
        self.run.lines.append(("telnet" if self.closed else "server", text))
        return text

    def banner(self) -> None:
        while (
            text := self.session.read_line(time.monotonic() + self.timeout)
        ) is not None:
            self.run.lines.append(("telnet", text))
            if text == BANNER_END:
                return

    def until_settled(self, lineno: int) -> bool:
        """Read what is owed before the page's line ``lineno``; False if
        the session cannot go on (closed, or silent past the timeout)."""
        while not settled(self.protocol, self.run.lines):
            if self.closed or self.read(self.timeout) is None:
                self.run.stopped = (lineno, self.why())
                return False
        if self.asked_to_close():
            self.drain()  # the server's close, before anything is typed after it
        return True

    def asked_to_close(self) -> bool:
        typed = [text for role, text in self.run.lines if role == "client"]
        words = typed[-1].upper().split() if typed else []
        if self.protocol is Protocol.IMAP:
            words = words[1:]  # the tag
        return bool(words) and words[0] in CLOSING

    def why(self) -> str:
        if self.closed:
            return "the server closed the connection before this line could be typed"
        return f"the server said nothing more for {self.timeout:g} s"

    def drain(self) -> None:
        """What the server says after the page's last line (``* BYE``, the close)."""
        while not self.closed and self.read(END_GRACE) is not None:
            pass
