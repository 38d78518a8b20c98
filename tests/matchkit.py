"""Replaying a page against canned server output, without sockets.

The engine's own walk over a transcript, with a stand-in for the telnet
session that plays back a list of lines, so the matching rules can be
specified one behaviour at a time.
"""

from __future__ import annotations

from telnetmail.core.matching import Context, Mismatch, Mode
from telnetmail.core.parser import parse_transcript
from telnetmail.replay.engine import Walk
from telnetmail.replay.session import BANNER_END, TelnetSession

BANNER = ["Trying 127.0.0.1...", "Connected to 127.0.0.1.", BANNER_END]


class Playback(TelnetSession):
    """Plays the role of a TelnetSession: what it 'reads' is a list (telnet's
    rules for its own lines are the session's, inherited)."""

    def __init__(self, output: list[str]) -> None:  # no telnet to spawn
        self.output = list(output) if output[:1] == BANNER[:1] else BANNER + output
        self.sent: list[str] = []

    def read_line(self, deadline: float) -> str | None:
        return self.output.pop(0) if self.output else None

    def send_lines(self, texts: list[str]) -> None:
        self.sent.extend(texts)


def replay(
    page: str, output: list[str], mode: str = "protocol", sent=()
) -> Mismatch | None:
    """The first mismatch replaying ``page`` when the server says ``output``."""
    transcript = parse_transcript(page)
    serious = [d for d in transcript.diagnostics if d.category != "consistency"]
    assert serious == [], serious
    session = Playback(output)
    context = Context(Mode(mode), sent=tuple(sent))
    try:
        Walk(session, transcript, context, timeout=0, actual=None).run()
    except Mismatch as mismatch:
        return mismatch
    assert not session.output, (
        f"the page ended with server output unread: {session.output}"
    )
    return None
