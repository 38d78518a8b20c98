"""Run many cases: one backend per worker, every outcome reported as it comes."""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from telnetmail.replay.backends import Backend, make_backend
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME, resolve_jobs
from telnetmail.replay.engine import DEFAULT_TIMEOUT, Case, Outcome, Verifier


def named_cases(cases: list[Case]) -> dict[str, Case]:
    """Cases by name; a duplicated name keeps its first case."""
    named: dict[str, Case] = {}
    for case in cases:
        named.setdefault(case.name, case)
    return named


def run_cases(
    cases: list[Case],
    *,
    backend: str = "embedded",
    server_name: str = DEFAULT_SERVER_NAME,
    jobs: int | str = 1,
    timeout: float = DEFAULT_TIMEOUT,
    telnet: str = "auto",
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Verify ``cases`` in their order; outcomes in the same order.

    With ``jobs`` > 1 (or ``auto``), that many workers run at once, each with
    a backend of its own, so that no two transcripts ever share a mail store.
    ``progress`` hears of the outcomes in the cases' order whatever ``jobs``
    is, so the output of a parallel run reads as that of ``jobs=1``.
    """
    named = named_cases(cases)
    jobs = max(1, min(resolve_jobs(jobs), len(cases)))
    with ExitStack() as stack:
        free: queue.SimpleQueue[Backend] = queue.SimpleQueue()
        for _ in range(jobs):
            started = make_backend(backend, server_name)
            started.start()
            stack.callback(started.stop)
            free.put(started)

        def verify(case: Case) -> Outcome:
            worker = free.get()
            try:
                return Verifier(worker, timeout=timeout, telnet=telnet).verify(
                    case, named
                )
            finally:
                free.put(worker)

        def told(outcome: Outcome) -> Outcome:
            if progress is not None:
                progress(outcome)
            return outcome

        if jobs == 1:
            return [told(verify(case)) for case in cases]
        pool = stack.enter_context(
            ThreadPoolExecutor(jobs, thread_name_prefix="replay")
        )
        try:
            return [told(outcome) for outcome in pool.map(verify, cases)]
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
