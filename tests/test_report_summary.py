"""The summary's last line: the run's wall time, and the dialogues' own time."""

from __future__ import annotations

from telnetmail.replay.engine import Case, Outcome, Status
from telnetmail.replay.report import summary

PAGE = "telnet: > telnet mx1.example.com smtp\nserver: 220 mx1.example.com ESMTP\n"


def outcome(name: str, seconds: float) -> Outcome:
    numbered = list(enumerate(PAGE.splitlines(), start=1))
    case = Case.parse("page.rst", 1, numbered, {"name": name})
    return Outcome(case, Status.PASSED, seconds=seconds)


def test_a_parallel_run_reports_its_wall_time_not_the_sum_of_its_dialogues():
    # Two workers: 1 s and 2 s of dialogues side by side took 2.1 s.
    last = summary([outcome("a", 1.0), outcome("b", 2.0)], wall=2.1).splitlines()[-1]
    assert last == "2 passed, 0 failed, 0 skipped in 2.10 s (dialogues 3.00 s)"

