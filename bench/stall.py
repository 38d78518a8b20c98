"""The delayed-ACK stall on a backend, and flaky runs (prints, never fails; not in CI).

Replays the whole course (course/*.rst, alone and walked, ``-j auto``)
through ``run_cases`` on a backend (``dovecot-postfix`` by default),
``--runs`` times (20 by default), and prints each run's time and any
dialogue that did not pass. Every ``--every``-th run (5 by default) is
followed by one with the stall put back: each typed line handed to telnet
in a read of its own, as before the cure, so that telnet's Nagle algorithm
waits for the server's delayed acknowledgement once per message body.
Interleaved, both see the same load; their medians and ratio end the report.

Run: .venv/bin/python bench/stall.py [--backend NAME] [--runs N] [--every K] [--quick]
(``--quick``: two runs of one page: a smoke run.)
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from determinism import one_run  # bench/, beside this script

from telnetmail.replay.pages import collect
from telnetmail.replay.session import TelnetSession

COURSE = Path(__file__).resolve().parent.parent / "course"
QUICK_PAGE = COURSE / "telnet-mail.rst"


@contextmanager
def stalled() -> Iterator[None]:
    """Telnet reads one typed line at a time again, each written alone."""

    def line_by_line(session: TelnetSession, texts: list[str]) -> None:
        assert session.child is not None
        session.quiet()
        for text in texts:
            session.child.send(f"{text}\n")

    with (
        mock.patch.object(TelnetSession, "bursts", False),
        mock.patch.object(TelnetSession, "send_lines", line_by_line),
    ):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="dovecot-postfix")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    pages = [QUICK_PAGE] if args.quick else [COURSE]
    if args.quick:
        args.runs, args.every = 1, 1
    count = len(list(collect(pages, "protocol")))
    print(f"{count} transcripts on {args.backend}, alone and walked, -j auto")
    cured: list[float] = []
    stall: list[float] = []
    flaky = 0
    for run in range(1, args.runs + 1):
        seconds, wrong = one_run(args.backend, pages, jobs="auto")
        cured.append(seconds)
        flaky += bool(wrong)
        print(f"run {run:>2}: {seconds:6.2f} s, {len(wrong)} not passed")
        for line in wrong:
            print(f"    {line}")
        if run % args.every == 0:
            with stalled():
                seconds, wrong = one_run(args.backend, pages, jobs="auto")
            stall.append(seconds)
            print(f"  with the stall: {seconds:6.2f} s, {len(wrong)} not passed")
    now, before = statistics.median(cured), statistics.median(stall)
    print(
        f"\nmedian {now:.2f} s (min {min(cured):.2f}) against {before:.2f} s with "
        f"the stall: {now / before:.0%}; runs with a dialogue not passed: "
        f"{flaky} of {args.runs}"
    )


if __name__ == "__main__":
    main()
