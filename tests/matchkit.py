"""Replaying a page against canned server output, without sockets.

The engine's loop in miniature: what the real replay does with telnet's
output, done here with a list of lines, so the matching rules can be
specified one behaviour at a time.
"""

from __future__ import annotations

from telnetmail.core.matching import (
    Context,
    Expect,
    ExpectTelnet,
    Mismatch,
    Mode,
    ReplyMatcher,
    plan,
    telnet_line_matches,
)
from telnetmail.core.parser import parse_transcript


def replay(page: str, output: list[str], mode: str = "protocol", typed=frozenset()) -> Mismatch | None:
    """The first mismatch replaying ``page`` when the server says ``output``."""
    transcript = parse_transcript(page)
    serious = [d for d in transcript.diagnostics if d.category != "consistency"]
    assert serious == [], serious
    context = Context(Mode(mode), typed=frozenset(typed))
    received = iter(output)
    try:
        for step in plan(transcript):
            if isinstance(step, ExpectTelnet):
                for line in step.lines:
                    got = next(received)
                    if not telnet_line_matches(line, got, context.mode):
                        return Mismatch(line.lineno, "telnet", [(line.lineno, line.text)], [got])
            elif isinstance(step, Expect):
                matcher = ReplyMatcher(transcript.protocol, step.history, step.turns, context)
                done = False
                while not done:
                    text = next(received, None)
                    if text is None:
                        return matcher.silence()
                    done = matcher.feed(text)
    except Mismatch as mismatch:
        return mismatch
    leftover = list(received)
    assert not leftover, f"the page ended with server output unread: {leftover}"
    return None
