"""Benchmark the backends: start-up, reset, settle, stop, and the whole course (prints, never fails).

For each backend (``embedded``, and ``dovecot-postfix`` where the machine can
run it: root and the Debian packages) it prints:

- start-up: ``start()`` until all three servers greet;
- reset: ``reset()`` on an empty store, and after a transcript that left a
  message and an open session (what the verifier does before each case);
- settle: ``settle()`` right after the 250 to DATA, until the message is in
  the mailbox (0 for the embedded server, which stores before replying);
- save and put back: ``save()`` of a store holding one message, and
  ``put_back()`` of it after a transcript left an open session (how the
  verifier starts a dialogue whose :after: chain it replayed before);
- stop: ``stop()`` until every process is gone;
- the whole course (course/*.rst) through ``run_cases``, start and stop included,
  with each reset, settle, save and put back the verifier asked for on the
  way, and how many sessions (telnet or openssl) it opened.

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
from functools import partial
from pathlib import Path

from telnetmail.core.model import Protocol
from telnetmail.replay.backends import BACKENDS, Backend, Restorable, make_backend
from telnetmail.replay.dovecot_postfix import missing_requirements, requirement_message
from telnetmail.replay.pages import collect
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
        key: []
        for key in ("start", "reset empty", "settle", "save", "reset used", "put back", "stop")
    }
    for _ in range(rounds):
        backend = make_backend(name)
        times["start"].append(timed(backend.start))
        try:
            times["reset empty"].append(timed(backend.reset))
            send(backend)
            times["settle"].append(timed(backend.settle))
            saved = save_timed(backend, times["save"])
            session = open_session(backend)
            times["reset used"].append(timed(backend.reset))
            session.shutdown()
            if saved is not None:
                session = open_session(backend)
                times["put back"].append(timed(partial(put_back, backend, saved)))
                session.shutdown()
        finally:
            times["stop"].append(timed(backend.stop))
    return times


def save_timed(backend: Backend, times: list[float]) -> object | None:
    """What ``backend.save()`` kept, its time added to ``times``; None if it cannot save."""
    if not isinstance(backend, Restorable):
        return None
    started = time.perf_counter()
    saved = backend.save()
    if saved is not None:
        times.append(time.perf_counter() - started)
    return saved


def put_back(backend: Backend, saved: object) -> None:
    assert isinstance(backend, Restorable)
    backend.put_back(saved)


class Timed:
    """A backend whose reset(), settle(), save() and put_back() calls are
    timed into ``calls``, and whose sessions are counted in ``sessions``."""

    def __init__(self, inner: Backend, calls: dict[str, list[float]]) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls = calls
        self.sessions = 0

    def start(self) -> None:
        self.inner.start()

    def stop(self) -> None:
        self.inner.stop()

    def reset(self) -> None:
        self.calls["reset"].append(timed(self.inner.reset))

    def settle(self) -> None:
        self.calls["settle"].append(timed(self.inner.settle))

    def save(self) -> object | None:
        return save_timed(self.inner, self.calls["save"])

    def put_back(self, saved: object) -> None:
        self.calls["put back"].append(timed(partial(put_back, self.inner, saved)))

    # The verifier asks for a port once per session it opens.
    def port_for(self, protocol: Protocol) -> int:
        self.sessions += 1
        return self.inner.port_for(protocol)

    def tls_port(self, listener: str) -> int:
        self.sessions += 1
        return self.inner.tls_port(listener)


def course(
    name: str, pages: list[Path]
) -> tuple[float, str, dict[str, list[float]]]:
    """The pages, each reset, settle, save and put back the verifier asked
    for on the way, and the sessions it opened (``calls["sessions"]``, one
    count per backend it made)."""
    cases = list(collect(pages, "protocol"))
    calls: dict[str, list[float]] = {key: [] for key in ("reset", "settle", "save", "put back")}
    made: list[Timed] = []

    def make_timed(server_name: str) -> Timed:
        made.append(Timed(make_backend(name, server_name), calls))
        return made[-1]

    # run_cases makes its backends by name: lend it a timed one.
    timed_name = f"timed-{name}"
    BACKENDS[timed_name] = make_timed
    try:
        started = time.perf_counter()
        outcomes = run_cases(cases, backend=timed_name)
        seconds = time.perf_counter() - started
    finally:
        del BACKENDS[timed_name]
    passed = sum(1 for outcome in outcomes if outcome.status == "passed")
    sessions = sum(backend.sessions for backend in made)
    return seconds, f"{passed}/{len(outcomes)} passed, {sessions} sessions", calls


def show(name: str, times: dict[str, list[float]], pages: list[Path]) -> None:
    print(f"{name}:")
    for key, values in times.items():
        if not values:
            continue
        print(
            f"  {key:12} median {statistics.median(values) * 1000:8.1f} ms"
            f"   min {min(values) * 1000:8.1f}   max {max(values) * 1000:8.1f}   (n={len(values)})"
        )
    seconds, verdict, calls = course(name, pages)
    what = "course" if pages == [COURSE] else "page"
    print(f"  {what:12} {seconds:8.2f} s  ({verdict}, start and stop included)")
    for method, values in calls.items():
        if not values:  # a backend that cannot save, or a page without :after:
            continue
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
