"""Benchmark the backends: start-up, reset, settle, stop, and the whole course (prints, never fails).

For each backend (``embedded``, and ``dovecot-postfix`` where the machine can
run it: root and the Debian packages) it prints:

- start-up: ``start()`` until all three servers greet;
- reset: ``reset()`` on an empty store, and after a transcript that left a
  message and an open session (what the verifier does before each case);
- settle: ``settle()`` right after the 250 to DATA, until the message is in
  the mailbox (0 for the embedded server, which stores before replying);
- stop: ``stop()`` until every process is gone;
- the whole course (course/*.rst) through ``run_cases``, start and stop included,
  with each reset and settle the verifier asked for on the way.

Run: .venv/bin/python bench/backends.py [--rounds N] [--quick]
(``--quick``: one round, and one page instead of the course: a smoke run.)
"""

from __future__ import annotations

import argparse
import imaplib
import smtplib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from telnetmail.replay.pages import collect
from telnetmail.core.model import Protocol
from telnetmail.replay.backends import BACKENDS, Backend, make_backend
from telnetmail.replay.dovecot_postfix import missing_requirements, requirement_message
from telnetmail.replay.runner import run_cases

COURSE = Path(__file__).resolve().parent.parent / "course"
#: The page a quick run replays instead of the course.
QUICK_PAGE = COURSE / "telnet-mail.rst"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def send(backend: Backend) -> None:
    with smtplib.SMTP(
        "127.0.0.1", backend.port_for(Protocol.SMTP), "client.example.com"
    ) as smtp:
        smtp.sendmail(
            "sender@example.com",
            ["recipient@example.com"],
            b"Subject: x\r\n\r\nBody.\r\n",
        )


def open_session(backend: Backend) -> imaplib.IMAP4:
    imap = imaplib.IMAP4("127.0.0.1", backend.port_for(Protocol.IMAP))
    imap.login("MyUsername", "MyPassword")
    imap.select("INBOX")
    return imap


def measure(name: str, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {
        key: [] for key in ("start", "reset empty", "settle", "reset used", "stop")
    }
    for _ in range(rounds):
        backend = make_backend(name)
        times["start"].append(timed(backend.start))
        try:
            times["reset empty"].append(timed(backend.reset))
            send(backend)
            times["settle"].append(timed(backend.settle))
            session = open_session(backend)
            times["reset used"].append(timed(backend.reset))
            session.shutdown()
        finally:
            times["stop"].append(timed(backend.stop))
    return times


class Timed:
    """A backend whose reset() and settle() calls are timed into ``calls``."""

    def __init__(self, inner: Backend, calls: dict[str, list[float]]) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls = calls

    def start(self) -> None:
        self.inner.start()

    def stop(self) -> None:
        self.inner.stop()

    def reset(self) -> None:
        self.calls["reset"].append(timed(self.inner.reset))

    def settle(self) -> None:
        self.calls["settle"].append(timed(self.inner.settle))

    def port_for(self, protocol: Protocol) -> int:
        return self.inner.port_for(protocol)

    def tls_port(self, listener: str) -> int:
        return self.inner.tls_port(listener)


def course(
    name: str, pages: list[Path]
) -> tuple[float, str, dict[str, list[float]]]:
    """The pages, and each reset and settle the verifier asked for on the way."""
    cases = list(collect(pages, "protocol"))
    calls: dict[str, list[float]] = {"reset": [], "settle": []}
    # run_cases makes its backends by name: lend it a timed one.
    timed_name = f"timed-{name}"
    BACKENDS[timed_name] = lambda server_name: Timed(
        make_backend(name, server_name), calls
    )
    try:
        started = time.perf_counter()
        outcomes = run_cases(cases, backend=timed_name)
        seconds = time.perf_counter() - started
    finally:
        del BACKENDS[timed_name]
    passed = sum(1 for outcome in outcomes if outcome.status == "passed")
    return seconds, f"{passed}/{len(outcomes)} passed", calls


def show(name: str, times: dict[str, list[float]], pages: list[Path]) -> None:
    print(f"{name}:")
    for key, values in times.items():
        print(
            f"  {key:12} median {statistics.median(values) * 1000:8.1f} ms"
            f"   min {min(values) * 1000:8.1f}   max {max(values) * 1000:8.1f}   (n={len(values)})"
        )
    seconds, verdict, calls = course(name, pages)
    what = "course" if pages == [COURSE] else "page"
    print(f"  {what:12} {seconds:8.2f} s  ({verdict}, start and stop included)")
    for method, values in calls.items():
        print(
            f"  {'  ' + method:12} median {statistics.median(values) * 1000:8.1f} ms"
            f"   max {max(values) * 1000:8.1f}   per transcript, in the course run (n={len(values)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help="one round, one page: a smoke run"
    )
    args = parser.parse_args()
    rounds, pages = (1, [QUICK_PAGE]) if args.quick else (args.rounds, [COURSE])
    names = ["embedded"]
    missing = missing_requirements()
    if missing:
        print(f"dovecot-postfix: skipped: {requirement_message(missing)}")
    else:
        names.append("dovecot-postfix")
    for name in names:
        show(name, measure(name, rounds), pages)


if __name__ == "__main__":
    main()
