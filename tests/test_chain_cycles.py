"""An :after: chain that leads back to its own transcript fails, never passes silently."""

from __future__ import annotations

from telnetmail.replay.engine import Case, Status, Verifier

PAGE = "telnet: > telnet mx1.example.com smtp\nserver: 220 mx1.example.com ESMTP\n"


def case(name: str, after: str) -> Case:
    numbered = list(enumerate(PAGE.splitlines(), start=1))
    return Case.parse("cycle.rst", 1, numbered, {"name": name, "after": after})


def test_a_cycle_fails_each_transcript_on_it_before_anything_runs():
    first, second = case("xa", "xb"), case("xb", "xa")
    named = {"xa": first, "xb": second}
    verifier = Verifier(backend=None, telnet="python")  # nothing may be replayed
    for each in (first, second):
        outcome = verifier.verify(each, named)
        assert outcome.status is Status.FAILED
        assert "cycle" in outcome.message


def test_a_transcript_after_itself_fails():
    itself = case("xc", "xc")
    outcome = Verifier(backend=None, telnet="python").verify(itself, {"xc": itself})
    assert outcome.status is Status.FAILED
