"""Benchmark the replay engine against a hand-written pexpect floor (prints, never fails).

For the course's transcripts (course/*.rst) it prints:

- the total time of ``run_cases`` over all of them (server start and stop included);
- each transcript's time as ``Verifier.verify`` takes it (its ``:after:``
  chain included), and per line typed or read;
- the floor: the same dialogues by a minimal pexpect script, which types each
  client line and ``expect_exact``-s each line the server really sent (taken
  down in a first pass), then waits for telnet to exit; and the ratio
  engine/floor (target: 1.2 at most);
- the raw-socket floor: the same client lines typed over a plain socket
  (``telnetmail.replay.typist``, which reads each reply by the protocol's
  framing and compares nothing), and the ratio engine/raw (target: 4 at most);
- the whole course by ``run_cases`` at ``-j 1`` and ``-j auto``, each
  transcript alone, then with each page walked too;
- where the engine's time goes: telnet start, the dialogue, closing telnet;
- the mismatch latency: from reading a wrong server line (the seed SMTP page
  with its 354 reply shown as 250) to the engine's ``Mismatch``, and to the
  verdict (target: under 100 ms);
- the start: ``telnetmail check -j 1 --no-walk PAGE`` for single pages, as
  a new process: wall time less the dialogues' own time (target: under
  150 ms), and the heaviest imports of such a run (``python -X importtime``).

Run: .venv/bin/python bench/replay.py [--rounds N] [--telnet telnet|python|both]
     .venv/bin/python bench/replay.py --profile   (cProfile of the engine's rounds)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pexpect

from telnetmail.core.matching import Context, Expect, Mismatch, ReplyMatcher, plan
from telnetmail.core.model import Role
from telnetmail.core.parser import parse_transcript
from telnetmail.core.rstscan import scan
from telnetmail.replay import engine, openssl
from telnetmail.replay.backends import Backend, EmbeddedBackend
from telnetmail.replay.engine import Case, Status, Verifier, chain_of
from telnetmail.replay.pages import collect
from telnetmail.replay.runner import named_cases, run_cases
from telnetmail.replay.saved import ChainStates
from telnetmail.replay.session import BANNER_END, TelnetSession, telnet_command
from telnetmail.replay.starting import type_case

#: How long the engine listens after an abandoned dialogue's last line.
END_GRACE = getattr(engine, "END_GRACE", 0.25)

COURSE = Path(__file__).resolve().parent.parent / "course"
ENV = {**os.environ, "NO_COLOR": "1", "LC_ALL": "C.UTF-8", "TERM": "dumb"}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def median(values: list[float]) -> float:
    return statistics.median(values)


# -- what the engine does, timed -------------------------------------------------


@dataclass
class Recorded:
    """One telnet session as the engine ran it: what was typed and read, in order."""

    command: list[str]
    events: list[tuple[str, str]] = field(
        default_factory=list
    )  # ("send" | "read", text)


@dataclass
class Phases:
    """Time spent in each part of the engine's telnet sessions."""

    spawn: float = 0.0
    close: float = 0.0
    sessions: list[Recorded] = field(default_factory=list)


def instrumented_session(phases: Phases) -> type[TelnetSession]:
    """A TelnetSession that times its start and end and takes down the dialogue."""

    class Instrumented(TelnetSession):
        def __enter__(self) -> TelnetSession:
            begin = time.perf_counter()
            self.recorded = Recorded(self.command)
            phases.sessions.append(self.recorded)
            result = super().__enter__()
            phases.spawn += time.perf_counter() - begin
            return result

        def close(self) -> None:
            begin = time.perf_counter()
            super().close()
            phases.close += time.perf_counter() - begin

        def read_line(self, deadline: float) -> str | None:
            text = super().read_line(deadline)
            if text is not None:
                self.recorded.events.append(("read", text))
            return text

        def send_lines(self, texts: list[str]) -> None:
            self.recorded.events.extend(("send", text) for text in texts)
            super().send_lines(texts)

    return Instrumented


def lines_of(case: Case, named: dict[str, Case]) -> int:
    """Lines typed or read when ``case`` is verified: its chain's and its own."""
    count = 0
    for each in [*(named[name] for name in chain_of(case, named)), case]:
        command = (
            each.transcript.connection.lineno if each.transcript.connection else None
        )
        count += sum(1 for line in each.transcript.lines if line.lineno != command)
    return count


# The engine opens its sessions through openssl.open_session, which names
# TelnetSession in its own module: that name is the one to patch.


def verify_timed(
    verifier: Verifier, case: Case, named: dict[str, Case]
) -> tuple[float, Phases]:
    phases = Phases()
    # Each transcript with its whole chain, as the floors below replay it: a
    # run of the course types a chain that several transcripts share once
    # (replay/saved.py), which run_cases' totals show.
    verifier.chain_states = ChainStates(verifier.backend)
    with mock.patch.object(openssl, "TelnetSession", instrumented_session(phases)):
        begin = time.perf_counter()
        outcome = verifier.verify(case, named)
        seconds = time.perf_counter() - begin
    if outcome.status is not Status.PASSED:
        raise SystemExit(f"bench: {case.name} passed once, not now: {outcome.message}")
    return seconds, phases


# -- the floor: a minimal pexpect script -------------------------------------------


#: A time of day, alone or in a compact timestamp (message ids): a line holding
#: one may differ in the next run though not in the samples.
CLOCK = re.compile(r"\d{1,2}:\d{2}:\d{2}|\d{12,}")
WHITE = re.compile(r"\t| {2,}")


def stable(samples: list[Recorded]) -> Recorded:
    """The dialogue, each line the server varies (queue ids, dates) cut to its stable start.

    Such lines become ``("start", text)`` events: expect the start, then the line end.
    """
    first = samples[0]
    events: list[tuple[str, str]] = []
    # Telnet's closing line, read after the last page line, may come after
    # the connection's end in one run and before it in another.
    common = min(len(sample.events) for sample in samples)
    for index, (kind, text) in enumerate(first.events[:common]):
        texts = [sample.events[index][1] for sample in samples]
        cut = min([len(text), *(differs_at(text, other) for other in texts)])
        # A time may change by the next run; a tab may reach us expanded or not (the
        # pty's tab expansion is left as telnet last set it): cut before either.
        for volatile in (CLOCK.search(text), WHITE.search(text)):
            cut = min(cut, volatile.start() if volatile else cut)
        if kind == "send" or cut == len(text):
            events.append((kind, text))
        else:
            events.append(("start", text[: text.rfind(" ", 0, cut) + 1]))
    return Recorded(first.command, events)


def differs_at(one: str, other: str) -> int:
    return next(
        (i for i, (a, b) in enumerate(zip(one, other)) if a != b),
        min(len(one), len(other)),
    )


def floor_session(recorded: Recorded, timeout: float) -> None:
    """Type and expect exactly what the engine typed and read; wait for telnet to exit."""
    child = pexpect.spawn(
        recorded.command[0],
        recorded.command[1:],
        encoding="utf-8",
        echo=False,
        env=ENV,
        dimensions=(24, 500),
        timeout=timeout,
    )
    child.delaybeforesend = None
    for kind, text in recorded.events:
        if kind == "send":
            child.sendline(text)
        elif kind == "start":
            child.expect_exact(text)
            child.expect_exact("\r\n")
        else:
            child.expect_exact(text + "\r\n")
            if text == BANNER_END:
                child.setecho(False)  # as the engine does: telnet turns echo back on
    # After QUIT or LOGOUT the server hangs up and telnet exits. A dialogue the
    # student abandons gets, like the engine's, a short listen for anything
    # more, then telnet is hung up.
    sent = [text.split() for kind, text in recorded.events if kind == "send" and text.strip()]
    closing = bool(sent) and any(word.upper() in ("QUIT", "LOGOUT") for word in sent[-1][:2])
    child.expect_exact([pexpect.EOF, pexpect.TIMEOUT], timeout=timeout if closing else END_GRACE)
    if child.isalive() and not closing:
        child.kill(signal.SIGHUP)
    child.wait()
    child.ptyproc.delayafterclose = 0  # the child is reaped: nothing to wait for
    child.close()


def floor_case(
    backend: Backend, samples: list[list[Recorded]], timeout: float
) -> float:
    """The floor's time for one case, its sessions taken down in ``samples`` (one per run)."""
    sessions = [stable(list(same)) for same in zip(*samples)]
    begin = time.perf_counter()
    backend.reset()  # the engine resets the store too
    for recorded in sessions:
        floor_session(recorded, timeout)
    return time.perf_counter() - begin


# -- the mismatch latency -------------------------------------------------------------


@dataclass
class Latency:
    last_read: float = 0.0
    mismatch: float = 0.0


def wrong_case() -> Case:
    """The seed SMTP page with its 354 reply shown as 250."""
    page = COURSE / "telnet-mail.rst"
    text = page.read_text(encoding="utf-8").replace("server: 354 ", "server: 250 ", 1)
    for block in scan(text):
        if block.options.get("name") == "seed-smtp":
            return Case.parse(str(page), block.lineno, block.content, block.options)
    raise SystemExit(f"bench: no seed-smtp transcript in {page}")


def mismatch_latency(verifier: Verifier, case: Case) -> tuple[float, float, str]:
    """Seconds from reading the wrong line to the Mismatch, and to the verdict."""
    latency = Latency()

    class Reading(TelnetSession):
        def read_line(self, deadline: float) -> str | None:
            text = super().read_line(deadline)
            latency.last_read = time.perf_counter()
            return text

    class Timing(ReplyMatcher):
        def feed(self, text: str) -> bool:
            try:
                return super().feed(text)
            except Mismatch:
                latency.mismatch = time.perf_counter()
                raise

    with (
        mock.patch.object(openssl, "TelnetSession", Reading),
        mock.patch.object(engine, "ReplyMatcher", Timing),
    ):
        outcome = verifier.verify(case, {case.name: case})
    verdict = time.perf_counter()
    assert outcome.status is Status.FAILED and outcome.mismatch is not None, outcome
    return (
        latency.mismatch - latency.last_read,
        verdict - latency.last_read,
        outcome.message,
    )


# -- the report ---------------------------------------------------------------------------


@contextmanager
def started_backend() -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend()
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


def bench(cases: list[Case], telnet: str, rounds: int, timeout: float) -> None:
    print(
        f"\n== telnet: {telnet} ({' '.join(telnet_command(telnet))}), {rounds} rounds, medians =="
    )
    measure(cases, telnet, rounds, timeout)


def measure(cases: list[Case], telnet: str, rounds: int, timeout: float) -> None:
    passing = time_run_cases(cases, telnet, rounds, timeout)
    with started_backend() as backend:
        verifier = Verifier(backend, timeout=timeout, telnet=telnet)
        compare_with_floor(verifier, passing, named_cases(cases), rounds)
        time_mismatch(verifier, rounds)
        wire_costs(verifier, rounds)


def time_run_cases(
    cases: list[Case], telnet: str, rounds: int, timeout: float
) -> list[Case]:
    """Time ``run_cases`` over all ``cases``, alone and walked, at -j 1 and
    -j auto; the cases that pass."""
    outcomes = []
    for jobs, walk in ((1, False), ("auto", False), (1, True), ("auto", True)):
        totals = []
        for _ in range(rounds):
            begin = time.perf_counter()
            outcomes = run_cases(cases, telnet=telnet, timeout=timeout, jobs=jobs, walk=walk)
            totals.append(time.perf_counter() - begin)
        how = "alone and walked" if walk else "alone"
        print(
            f"run_cases, all {len(cases)} transcripts {how}, -j {jobs}"
            f" (server start/stop included): {ms(median(totals))}  (min {ms(min(totals))})"
        )
    # The floor replays what the server answered to a passing page only.
    passed = {id(o.case) for o in outcomes if o.status is Status.PASSED}
    for outcome in outcomes:
        if outcome.status is not Status.PASSED:
            print(
                f"  left out below: {outcome.case.name} ({outcome.walking})"
                f" {outcome.status}: {outcome.message}"
            )
    return [case for case in cases if id(case) in passed]


def raw_case(backend: EmbeddedBackend, case: Case, named: dict[str, Case]) -> float:
    """The raw-socket floor: the case's chain and itself typed over plain sockets."""
    begin = time.perf_counter()
    backend.reset()
    for each in chain_and_case(case, named):
        type_case(backend.server, each, str, "bench")
    return time.perf_counter() - begin


def chain_and_case(case: Case, named: dict[str, Case]) -> list[Case]:
    return [*(named[name] for name in chain_of(case, named)), case]


def listening(case: Case, named: dict[str, Case]) -> float:
    """Seconds the engine listens, by its rule, after the dialogues of the
    case and its chain that end without QUIT or LOGOUT: any replay that
    gives the same verdict (nothing unshown after the last line) listens as
    long, on a socket that stays silent. Added to the raw floor as a sum."""
    graces = (engine.listening_after(each.transcript) for each in chain_and_case(case, named))
    return sum(grace for grace in graces if grace is not None)


def compare_with_floor(
    verifier: Verifier, cases: list[Case], named: dict[str, Case], rounds: int
) -> None:
    engine_times: dict[str, list[float]] = {case.name: [] for case in cases}
    floor_times: dict[str, list[float]] = {case.name: [] for case in cases}
    raw_times: dict[str, list[float]] = {case.name: [] for case in cases}
    split: dict[str, list[Phases]] = {case.name: [] for case in cases}
    # What the server answers, taken down in every run: a first, untimed one too.
    samples = {
        case.name: [verify_timed(verifier, case, named)[1].sessions] for case in cases
    }
    for _ in range(rounds):
        for case in cases:
            seconds, phases = verify_timed(verifier, case, named)
            engine_times[case.name].append(seconds)
            split[case.name].append(phases)
            samples[case.name].append(phases.sessions)
            floor = floor_case(verifier.backend, samples[case.name], verifier.timeout)
            floor_times[case.name].append(floor)
            assert isinstance(verifier.backend, EmbeddedBackend)
            raw_times[case.name].append(raw_case(verifier.backend, case, named))
    report_cases(cases, named, engine_times, floor_times, split, raw_times)


def time_mismatch(verifier: Verifier, rounds: int) -> None:
    wrong = wrong_case()
    to_mismatch, to_verdict, why = [], [], ""
    for _ in range(rounds):
        first, second, why = mismatch_latency(verifier, wrong)
        to_mismatch.append(first)
        to_verdict.append(second)
    print(f"mismatch latency ({why}):")
    print(
        f"  wrong line read -> Mismatch raised:  {ms(median(to_mismatch))}"
        f"  (max {ms(max(to_mismatch))})"
    )
    print(
        f"  wrong line read -> verdict returned: {ms(median(to_verdict))}"
        f"  (max {ms(max(to_verdict))})   (target: under 100 ms)"
    )


def report_cases(
    cases: list[Case],
    named: dict[str, Case],
    engine_times: dict[str, list[float]],
    floor_times: dict[str, list[float]],
    split: dict[str, list[Phases]],
    raw_times: dict[str, list[float]],
) -> None:
    width = max(len(case.name) for case in cases)
    listened = {
        case.name: median(raw_times[case.name]) + listening(case, named) for case in cases
    }
    print(
        f"{'transcript':<{width}} {'lines':>5} {'engine':>10} {'/line':>9} {'floor':>10} {'/line':>9}"
        f" {'overhead/line':>13} {'ratio':>6} | {'spawn':>10} {'dialogue':>10} {'close':>10}"
        f" | {'raw':>10} {'engine/raw':>10} | {'+listen':>10} {'engine/it':>10}"
    )
    for case in cases:
        lines = lines_of(case, named)
        mine, floor = median(engine_times[case.name]), median(floor_times[case.name])
        spawn = median([phases.spawn for phases in split[case.name]])
        close = median([phases.close for phases in split[case.name]])
        print(
            f"{case.name:<{width}} {lines:>5} {ms(mine):>10} {ms(mine / lines):>9} {ms(floor):>10}"
            f" {ms(floor / lines):>9} {ms((mine - floor) / lines):>13} {mine / floor:>5.2f}x"
            f" | {ms(spawn):>10} {ms(mine - spawn - close):>10} {ms(close):>10}"
            f" | {ms(median(raw_times[case.name])):>10}"
            f" {mine / median(raw_times[case.name]):>9.1f}x"
            f" | {ms(listened[case.name]):>10} {mine / listened[case.name]:>9.1f}x"
        )
    mine = sum(median(times) for times in engine_times.values())
    floor = sum(median(times) for times in floor_times.values())
    raw = sum(median(times) for times in raw_times.values())
    print(
        f"{'all':<{width}} {'':>5} {ms(mine):>10} {'':>9} {ms(floor):>10} {'':>9} {'':>13} {mine / floor:>5.2f}x"
        f"   (target: 1.20x at most)   raw {ms(raw)}: engine/raw {mine / raw:.1f}x"
        "   (target: 4x at most per transcript)"
    )
    worst = {
        "raw": max(cases, key=lambda c: median(engine_times[c.name]) / median(raw_times[c.name])),
        "raw + listening": max(
            cases, key=lambda c: median(engine_times[c.name]) / listened[c.name]
        ),
    }
    for floor_name, case in worst.items():
        floor_of = listened[case.name] if "listening" in floor_name else median(raw_times[case.name])
        print(
            f"  worst engine/{floor_name}: {median(engine_times[case.name]) / floor_of:.1f}x"
            f" ({case.name})"
        )


def profile(cases: list[Case], telnet: str, rounds: int, timeout: float) -> None:
    named = named_cases(cases)
    with started_backend() as backend:
        verifier = Verifier(backend, timeout=timeout, telnet=telnet)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            for case in cases:
                verifier.verify(case, named)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)


# -- the wire: what a message body and a long reply cost -----------------------------

SMTP_HEAD = """\
telnet: > telnet mx1.example.com smtp
server: 220 mx1.example.com ESMTP Postfix
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<recipient@example.com>
server: 250 2.1.5 Ok
"""
BODY = """\
client: DATA
server: 354 End data with <CR><LF>.<CR><LF>
client: From: sender@example.com
client: Subject: Prova
client:
client: Una riga.
client: Un'altra riga.
client: .
server: 250 2.0.0 Ok: queued as {{queue-id:4F2A3000001}}
"""
QUIT = "client: QUIT\nserver: 221 2.0.0 Bye\n"


def _case(name: str, text: str, after: str = "") -> Case:
    numbered = list(enumerate(text.splitlines(), start=1))
    return Case.parse(f"{name}.rst", 1, numbered, {"name": name, "after": after})


def _long_retr(count: int) -> tuple[Case, Case]:
    """A message of ``count`` body lines, sent, then read back with RETR."""
    body = [f"Riga {index} del messaggio." for index in range(count)]
    typed = ["From: sender@example.com", "Subject: Lunga", "", *body]
    send = _case(
        f"send-{count}",
        SMTP_HEAD
        + "client: DATA\nserver: 354 End data with <CR><LF>.<CR><LF>\n"
        + "".join(f"client: {line}\n" for line in typed)
        + "client: .\nserver: 250 2.0.0 Ok: queued as {{queue-id:4F2A3000001}}\n"
        + QUIT,
    )
    size = sum(len(line) + 2 for line in typed)
    read = _case(
        f"retr-{count}",
        "telnet: > telnet pop.example.com pop3\nserver: +OK Dovecot ready.\n"
        "client: USER MyUsername\nserver: +OK\nclient: PASS MyPassword\n"
        f"server: +OK Logged in.\nclient: RETR 1\nserver: +OK {size} octets\n"
        + "".join(f"server: {line}\n" for line in typed)
        + "server: .\nclient: QUIT\nserver: +OK Logging out.\n",
        after=send.name,
    )
    return send, read


def wire_costs(verifier: Verifier, rounds: int) -> None:
    """The acceptance ratios of issue 14: a body typed, a long reply read."""
    without = _case("without-body", SMTP_HEAD + QUIT)
    with_body = _case("with-body", SMTP_HEAD + BODY + QUIT)
    short, long = _long_retr(200), _long_retr(2_000)
    cases = [without, with_body, *short, *long]
    named = named_cases(cases)
    times: dict[str, list[float]] = {case.name: [] for case in cases}
    for _ in range(rounds):  # interleaved, so load falls on every measure alike
        for case in (without, with_body, short[1], long[1]):
            times[case.name].append(verify_timed(verifier, case, named)[0])
    body, plain = median(times["with-body"]), median(times["without-body"])
    print("\nthe wire (engine, medians):")
    print(
        f"  SMTP dialogue with a body {ms(body)} / without {ms(plain)}: "
        f"{body / plain:.2f}x   (target: 1.5x at most)"
    )
    print(
        f"  RETR of 2,000 lines {ms(median(times['retr-2000']))} / of 200 "
        f"{ms(median(times['retr-200']))}: "
        f"{median(times['retr-2000']) / median(times['retr-200']):.1f}x"
        "   (each after its delivery; target: 12x at most)"
    )


def matching_cpu() -> None:
    """CPU the matcher spends on one long reply: it must grow linearly."""
    print("\nmatching CPU for one reply (POP3 RETR, IMAP BODY[] literal):")
    for count in (100, 1_000, 10_000):
        pop3, imap = _long_reply_pop3(count), _long_reply_imap(count)
        print(
            f"  {count:>6} lines   POP3 {ms(_feed_cpu(*pop3)):>10}   "
            f"IMAP {ms(_feed_cpu(*imap)):>10}"
        )


def _message(count: int) -> list[str]:
    return ["Subject: x", "", *(f"line {index}" for index in range(count))]


def _long_reply_pop3(count: int) -> tuple[str, list[str]]:
    message = _message(count)
    size = sum(len(line) + 2 for line in message)
    shown = "".join(f"server: {line}\n" for line in message)
    page = f"server: +OK hi\nclient: RETR 1\nserver: +OK {size} octets\n{shown}server: .\n"
    return page, [f"+OK {size} octets", *message, "."]


def _long_reply_imap(count: int) -> tuple[str, list[str]]:
    message = _message(count)
    size = sum(len(line) + 2 for line in message)
    shown = "".join(f"server: {line}\n" for line in message)
    page = (
        f"server: * OK hi\nclient: a1 FETCH 1 BODY[]\n"
        f"server: * 1 FETCH (BODY[] {{{size}}}\n{shown}server: )\nserver: a1 OK done\n"
    )
    return page, [f"* 1 FETCH (BODY[] {{{size}}}", *message, ")", "a1 OK done"]


def _feed_cpu(page: str, received: list[str]) -> float:
    transcript = parse_transcript(page)
    step = [step for step in plan(transcript) if isinstance(step, Expect)][-1]
    started = time.process_time()
    matcher = ReplyMatcher(transcript.protocol, step.history, step.turns, Context())
    done = False
    for line in received:
        done = matcher.feed(line)
    assert done, "the long reply did not match"
    return time.process_time() - started


#: Pages for the start: SMTP only, POP3 (SMTP first), all three, and TLS.
START_PAGES = ("smtp.rst", "pop3.rst", "telnet-mail.rst", "tls.rst")
SPENT = re.compile(r"\(dialogues (\d+\.\d+) s\)$")


def start_costs(rounds: int, pages: tuple[str, ...] = START_PAGES) -> None:
    """Wall time of a one-page check beyond its dialogues, page by page."""
    # The project is installed editable: without byte-code (the machine's
    # PYTHONDONTWRITEBYTECODE) each run would compile every module anew,
    # which no installed copy does.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(COURSE.parent / "sphinxext")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print("\nstart: telnetmail check -j 1 --no-walk PAGE, a new process (medians):")
    beyond: dict[str, list[float]] = {page: [] for page in pages}
    walls: dict[str, list[float]] = {page: [] for page in pages}
    for _ in range(rounds):  # interleaved, so load falls on every page alike
        for page in pages:
            wall, dialogues = _one_check(COURSE / page)
            walls[page].append(wall)
            beyond[page].append(wall - dialogues)
    for page in pages:
        print(
            f"  {page:<16} wall {ms(median(walls[page]))}   beyond the dialogues "
            f"{ms(median(beyond[page]))} (min {ms(min(beyond[page]))})"
            "   (target: under 150 ms)"
        )
    _heaviest_imports(COURSE / pages[0])


def _one_check(page: Path) -> tuple[float, float]:
    """Seconds of wall time of a one-page check, and of its dialogues."""
    command = [sys.executable, "-m", "telnetmail", "check", "-j", "1", "--no-walk"]
    begin = time.perf_counter()
    done = subprocess.run(
        [*command, "-q", str(page)], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - begin
    found = SPENT.search(done.stdout.strip().splitlines()[-1])
    if done.returncode != 0 or found is None:
        raise SystemExit(f"bench: check of {page} failed:\n{done.stdout}{done.stderr}")
    return wall, float(found.group(1))


def _heaviest_imports(page: Path, shown: int = 8) -> None:
    """The modules a one-page check imports at top level, heaviest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "telnetmail", "check", "-j", "1",
         "--no-walk", "-q", str(page)],
        capture_output=True, text=True, check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        # A name indented once more was imported by another module.
        top = len(fields) == 3 and not fields[2].startswith("  ")
        if top and fields[1].strip().isdigit():
            rows.append((int(fields[1]), fields[2].strip()))
    total = sum(micros for micros, _ in rows)
    print(f"  imports of a check of {page.name}: {ms(total / 1e6)} in all, heaviest:")
    for micros, name in sorted(rows, reverse=True)[:shown]:
        print(f"    {ms(micros / 1e6)}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=5, help="times each measure is taken (default: 5)"
    )
    parser.add_argument(
        "--telnet", choices=("telnet", "python", "both"), default="both"
    )
    parser.add_argument("--timeout", type=float, default=engine.DEFAULT_TIMEOUT)
    parser.add_argument(
        "--profile", action="store_true", help="profile the engine instead"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one round over a few dialogues: checks the script still runs",
    )
    args = parser.parse_args()
    cases = list(collect([COURSE], "protocol"))
    if args.quick:
        cases = [case for case in cases if not case.after][:4]
        args.rounds = 1
    telnets = ["telnet", "python"] if args.telnet == "both" else [args.telnet]
    run: Callable[[list[Case], str, int, float], None] = (
        profile if args.profile else bench
    )
    print(
        f"course: {len(cases)} transcripts, "
        f"{sum(1 for case in cases for line in case.transcript.lines if line.role is Role.CLIENT)} client lines"
    )
    for telnet in telnets:
        run(cases, telnet, args.rounds, args.timeout)
    matching_cpu()
    start_costs(args.rounds, START_PAGES[:1] if args.quick else START_PAGES)


if __name__ == "__main__":
    main()
