"""Is a backend deterministic? The whole course, many times in a row, on a loaded machine.

Postfix used to deliver two messages of one SMTP session in either order, so
a page reading "message 1" failed now and then, more often under load. This
replays the whole course ``--runs`` times on one backend (``dovecot-postfix``
where the machine can run it, else ``embedded``) while ``--load`` processes
burn CPU (one per spare core by default, each bounded in time), and prints
each run's verdict and time, then how many runs had a failure.
Exit status 1 if any run failed.

Run: .venv/bin/python bench/determinism.py [--runs 20] [--load N] [--quick]
(``--quick``: two runs of one page: a smoke run.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from telnetmail.replay.pages import collect
from telnetmail.replay.dovecot_postfix import missing_requirements
from telnetmail.replay.engine import Status
from telnetmail.replay.report import describe
from telnetmail.replay.runner import run_cases

COURSE = Path(__file__).resolve().parent.parent / "course"
QUICK_PAGE = COURSE / "telnet-mail.rst"
#: No burner spins longer than this.
BURNER_SECONDS = 1800


@contextmanager
def cpu_load(burners: int) -> Iterator[None]:
    """``burners`` processes spinning on the CPU while inside."""
    # Bounded in time, and ends with the bench however the bench ends.
    spin = (
        f"import os, time\nend = time.monotonic() + {BURNER_SECONDS}\n"
        f"while time.monotonic() < end and os.getppid() == {os.getpid()}: pass"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", spin]) for _ in range(burners)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.kill()
            process.wait()


def one_run(
    backend: str, pages: list[Path], jobs: int | str = 1
) -> tuple[float, list[str]]:
    """Seconds for the pages, and a line for each transcript that failed."""
    cases = list(collect(pages, "protocol"))
    started = time.perf_counter()
    outcomes = run_cases(cases, backend=backend, jobs=jobs)
    seconds = time.perf_counter() - started
    failures = [
        f"{outcome.case.path}:{outcome.lineno}: {describe(outcome)}"
        for outcome in outcomes
        if outcome.status is not Status.PASSED
    ]
    return seconds, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--load",
        type=int,
        default=max((os.cpu_count() or 1) - 1, 1),
        metavar="N",
        help="CPU burners during the runs (default: one per spare core)",
    )
    parser.add_argument("--backend", choices=["embedded", "dovecot-postfix"])
    parser.add_argument("--quick", action="store_true", help="two runs, one page")
    args = parser.parse_args()
    backend = args.backend or ("embedded" if missing_requirements() else "dovecot-postfix")
    runs, pages = (2, [QUICK_PAGE]) if args.quick else (args.runs, [COURSE])
    print(f"{backend}: {runs} runs of {', '.join(p.name for p in pages)}, {args.load} CPU burners")
    times, failed = [], 0
    with cpu_load(args.load):
        for number in range(1, runs + 1):
            seconds, failures = one_run(backend, pages)
            times.append(seconds)
            failed += bool(failures)
            verdict = f"{len(failures)} FAILED" if failures else "all passed"
            print(f"  run {number:2}: {seconds:6.2f} s  {verdict}", flush=True)
            for failure in failures:
                print(f"      {failure}")
    print(
        f"{runs - failed}/{runs} runs passed; per run median {statistics.median(times):.2f} s,"
        f" max {max(times):.2f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
