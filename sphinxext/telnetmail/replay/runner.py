"""Run many cases: one backend per worker, every outcome reported as it comes."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack

from telnetmail.replay.backends import make_backend
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME, resolve_jobs
from telnetmail.replay.engine import (
    DEFAULT_TIMEOUT,
    Case,
    Outcome,
    Status,
    Verifier,
    Walking,
)
from telnetmail.replay.saved import ChainStates
from telnetmail.replay.walk import PageWalk


def named_cases(cases: list[Case]) -> dict[str, Case]:
    """Cases by name; a duplicated name keeps its first case."""
    named: dict[str, Case] = {}
    for case in cases:
        named.setdefault(case.name, case)
    return named


def pages_of(cases: list[Case]) -> list[list[Case]]:
    """The cases page by page, in the order the pages first come, each page's
    in its own line order (solutions of exercises where the page puts them)."""
    pages: dict[str, list[Case]] = {}
    for case in cases:
        pages.setdefault(case.path, []).append(case)
    return [sorted(page, key=lambda case: case.lineno) for page in pages.values()]


#: What a worker does: verify one case alone, or walk one page.
Unit = Case | list[Case]


def at_once(actions: list[Callable[[], None]]) -> None:
    """Run ``actions`` side by side, each to its end; then raise the first
    failure. Starting or stopping real servers takes a while (0.1-0.3 s),
    and each worker's are its own: no need to wait for one before the next."""
    if len(actions) == 1:
        actions[0]()
        return
    with ThreadPoolExecutor(len(actions), thread_name_prefix="backend") as pool:
        futures = [pool.submit(action) for action in actions]
        # Waited for here, so that Ctrl-C or SIGTERM meanwhile still lets
        # the pool's exit wait for every action: none is left half done
        # when the caller goes on to stop what was started.
        wait(futures)
    for future in futures:
        future.result()


def run_cases(
    cases: list[Case],
    *,
    walk: bool = True,
    paste: bool = False,
    backend: str = "embedded",
    server_name: str = DEFAULT_SERVER_NAME,
    jobs: int | str = 1,
    timeout: float = DEFAULT_TIMEOUT,
    telnet: str = "auto",
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Verify ``cases`` in their order; outcomes in the same order.

    With ``paste``, each dialogue's client lines are typed at once after
    the greeting, as the copy button's text pasted into telnet.

    With ``walk``, each page is then walked too (:class:`PageWalk`): its
    outcomes follow the isolated ones, page by page.

    With ``jobs`` > 1 (or ``auto``), that many workers run at once, each with
    a backend of its own, so that no two transcripts ever share a mail store.
    ``progress`` hears of the outcomes in the cases' order whatever ``jobs``
    is, so the output of a parallel run reads as that of ``jobs=1``.
    """
    named = named_cases(cases)
    units: list[Unit] = [*cases, *(pages_of(cases) if walk else [])]
    jobs = max(1, min(resolve_jobs(jobs), len(units)))
    with ExitStack() as stack:
        free: queue.SimpleQueue[ChainStates] = queue.SimpleQueue()
        backends = [make_backend(backend, server_name) for _ in range(jobs)]
        stack.callback(at_once, [each.stop for each in backends])
        at_once([each.start for each in backends])
        for started in backends:
            free.put(ChainStates(started))

        def verify(unit: Unit) -> list[Outcome]:
            worker = free.get()
            try:
                verifier = Verifier(
                    worker.backend,
                    timeout=timeout,
                    telnet=telnet,
                    paste=paste,
                    chain_states=worker,
                )
                if isinstance(unit, list):
                    return PageWalk(verifier, named).run(unit)
                return [verifier.verify(unit, named)]
            finally:
                free.put(worker)

        alone: dict[int, Status] = {}

        def told(outcomes: list[Outcome]) -> list[Outcome]:
            for outcome in outcomes:
                if outcome.walking is Walking.ISOLATED:
                    alone[id(outcome.case)] = outcome.status
                else:  # the isolated outcomes come first, in this order
                    outcome.isolated = alone.get(id(outcome.case))
                if progress is not None:
                    progress(outcome)
            return outcomes

        if jobs == 1:
            return [each for unit in units for each in told(verify(unit))]
        pool = stack.enter_context(
            ThreadPoolExecutor(jobs, thread_name_prefix="replay")
        )
        # The long units (page walks) first, so that none is left to run
        # alone at the end; told in the units' order all the same.
        longest_first = sorted(units, key=lambda unit: not isinstance(unit, list))
        futures = {id(unit): pool.submit(verify, unit) for unit in longest_first}
        try:
            return [each for unit in units for each in told(futures[id(unit)].result())]
        except BaseException:
            # Ctrl-C or SIGTERM: the workers' telnet sessions would wait for
            # their timeout; with the servers gone they end at once.
            for each in backends:
                with contextlib.suppress(Exception):
                    each.stop()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
