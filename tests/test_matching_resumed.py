"""The matcher reads each line the server sends on from the page's lines
before the reply, read once: what it makes of them is exactly what reading
the whole dialogue again from its first line makes, for every reply of
every page here, and for replies other than the page's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from telnetmail.core.lexing import Exchange
from telnetmail.core.model import Line, Role, Transcript, Turn
from telnetmail.core.parser import analyse, opened, parse_lines
from telnetmail.core.rstscan import scan

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.glob("course/*.rst"), *ROOT.glob("tests/roots/*/*.rst")])


def transcripts() -> Iterator[tuple[str, Transcript]]:
    for page in PAGES:
        for block in scan(page.read_text(encoding="utf-8")):
            transcript = parse_lines(block.content, protocol=block.options.get("protocol"))
            if transcript.protocol is not None:
                yield f"{page.relative_to(ROOT)}:{block.lineno}", transcript


def runs(transcript: Transcript) -> Iterator[tuple[list[Line], list[Line]]]:
    """Each run of the page's server lines, with the lines before it."""
    talk = [line for line in transcript.lines if line.role is not Role.TELNET]
    start = None
    for index, line in enumerate([*talk, Line(Role.CLIENT, "", 0)]):
        if line.role is Role.SERVER and start is None:
            start = index
        elif line.role is not Role.SERVER and start is not None:
            yield talk[:start], talk[start:index]
            start = None


def received(run: list[Line]) -> list[list[Line]]:
    """What a server might send where the page shows ``run``: the same lines,
    the same backwards, and all but the first; as the replay reads them."""
    texts = [line.text for line in run]
    return [
        [Line(Role.SERVER, text, 0) for text in variant]
        for variant in (texts, texts[::-1], texts[1:])
        if variant
    ]


def seen(turns: list[Turn], exchange_problems: list) -> tuple:
    """What the rules are shown: every turn's fields and the problems."""

    def turn_view(turn: Turn | None) -> tuple | None:
        if turn is None:
            return None
        return (
            turn.role,
            tuple(id(line) for line in turn.lines),
            turn.verb,
            turn.args,
            turn.tag,
            turn.status,
            turn.response_code,
            tuple(content.text for content in turn.payload),
            turn.complete,
        )

    return (
        [(turn_view(turn), turn_view(turn.answers)) for turn in turns],
        [(p.lineno, p.message, p.category) for p in exchange_problems],
    )


CASES = [
    pytest.param(transcript, id=where)
    for where, transcript in transcripts()
]


def test_there_are_pages_to_read():
    assert len(CASES) > 150


@pytest.mark.parametrize("transcript", CASES)
def test_reading_on_from_the_page_matches_reading_it_all_again(transcript):
    protocol = transcript.protocol
    for history, run in runs(transcript):
        start = opened(protocol, history)
        for replies in received(run):
            for count in range(1, len(replies) + 1):
                sent = replies[:count]
                full_turns, full_problems = analyse(protocol, history + sent)
                if start is None:
                    continue  # the matcher reads it all again: nothing to compare
                resumed: Exchange = start.resumed(sent)
                assert seen(resumed.turns, resumed.diagnostics) == seen(
                    full_turns, full_problems
                )


def test_every_reply_of_the_course_is_read_on_from_its_page_lines():
    course = [t for where, t in transcripts() if where.startswith("course/")]
    cut = [
        (transcript, len(history))
        for transcript in course
        for history, _ in runs(transcript)
        if opened(transcript.protocol, history) is None
    ]
    assert cut == []
