"""Run many cases: one backend per worker, every outcome reported as it comes.

With ``jobs`` > 1 the workers beyond the first are child processes
(:mod:`~telnetmail.replay.processes`), so that they really run side by
side: threads of one process would take turns under the GIL. The process
that asked for the run is a worker too, from the start; a child costs a
fresh interpreter and its own servers (about 0.3 s of a CPU, more with
``dovecot-postfix``), so children join only where there is enough work
for them (:func:`children_for`).
"""

from __future__ import annotations

import contextlib
import pickle
import threading
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack

from telnetmail.replay.children import STOP_GRACE
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME, resolve_jobs
from telnetmail.replay.engine import DEFAULT_TIMEOUT, Case, Outcome, Status, Walking
from telnetmail.replay.processes import WorkerProcess, stop_all
from telnetmail.replay.worker import Assignment, Unit, Worker, named_cases, pages_of

__all__ = ["UNITS_PER_CHILD", "children_for", "named_cases", "pages_of", "run_cases"]

#: Units (cases alone, pages walked) each worker process must have to run
#: before it is worth starting. Measured on the course (2 CPUs): a child is
#: ready 0.3-0.45 s after it is started, by which time the parent, working
#: meanwhile, has run about 20 units (10-25 ms each). So a one-page check
#: (smtp.rst: 16 units) runs in-process only, and each child comes with 20
#: units more.
UNITS_PER_CHILD = 20


def children_for(units: int, jobs: int) -> int:
    """Worker processes to start besides the in-process worker: one for every
    :data:`UNITS_PER_CHILD` units past the first worker's share, at most ``jobs`` - 1."""
    return max(0, min(jobs - 1, units // UNITS_PER_CHILD - 1))


class Schedule:
    """The units handed out to workers, long ones (page walks) first, so that
    none is left to run alone at the end; their outcomes taken back in the
    units' order, each as soon as it and those before it are known."""

    def __init__(self, units: list[Unit]) -> None:
        self.count = len(units)
        walks_first = sorted(
            range(self.count), key=lambda i: not isinstance(units[i], list)
        )
        self._todo = deque(walks_first)
        self._done: dict[int, list[Outcome]] = {}
        self._failure: BaseException | None = None
        self._changed = threading.Condition()

    def take(self) -> int | None:
        """The next unit to run, or None when none is left (or the run failed)."""
        with self._changed:
            if self._failure is not None or not self._todo:
                return None
            return self._todo.popleft()

    def give(self, index: int, outcomes: list[Outcome]) -> None:
        with self._changed:
            self._done[index] = outcomes
            self._changed.notify_all()

    def fail(self, error: BaseException) -> None:
        with self._changed:
            if self._failure is None:
                self._failure = error
            self._todo.clear()
            self._changed.notify_all()

    def outcomes_of(self, index: int) -> list[Outcome]:
        """Unit ``index``'s outcomes, once known; a worker's failure raised."""
        with self._changed:
            # A signal's handler may raise here (Ctrl-C, the check's latch).
            self._changed.wait_for(
                lambda: index in self._done or self._failure is not None
            )
            if index in self._done:
                return self._done.pop(index)
            assert self._failure is not None
            raise self._failure


def drive(worker: Worker | WorkerProcess, schedule: Schedule) -> None:
    """A worker's thread: run units until none is left."""
    try:
        if isinstance(worker, WorkerProcess):
            worker.start()
        while (index := schedule.take()) is not None:
            schedule.give(index, worker.run(index))
    except BaseException as error:  # noqa: BLE001 (raised by the thread that reports)
        schedule.fail(error)


class Teller:
    """Passes outcomes on to ``progress``, the walked ones with their isolated status."""

    def __init__(self, progress: Callable[[Outcome], None] | None) -> None:
        self.progress = progress
        self.alone: dict[int, Status] = {}

    def __call__(self, outcomes: list[Outcome]) -> list[Outcome]:
        for outcome in outcomes:
            if outcome.walking is Walking.ISOLATED:
                self.alone[id(outcome.case)] = outcome.status
            else:  # the isolated outcomes come first, in this order
                outcome.isolated = self.alone.get(id(outcome.case))
            if self.progress is not None:
                self.progress(outcome)
        return outcomes


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

    With ``jobs`` > 1 (or ``auto``), up to that many workers run at once
    (see :func:`children_for`), each with a backend of its own, so that no
    two transcripts ever share a mail store. ``progress`` hears of the
    outcomes in the cases' order whatever ``jobs`` is, so the output of a
    parallel run reads as that of ``jobs=1``.

    Call it from a thread that lives until it returns: worker processes
    die with the thread that started them. A worker process makes its
    backend by name from :data:`~telnetmail.replay.backends.BACKENDS` as
    imported: a backend registered there at run time (as
    ``bench/backends.py`` does) is known to the in-process worker only, so
    run it with ``jobs=1``.
    """
    assignment = Assignment(cases, walk, paste, backend, server_name, timeout, telnet)
    units = assignment.units()
    told = Teller(progress)
    with ExitStack() as stack:
        # Registered before any child exists: one started is one stopped.
        children: list[WorkerProcess] = []
        # Stopped side by side with the children, after they are told to end.
        stopping_own = ExitStack()
        stack.callback(stop_all, children, stopping_own.close)
        start_children(
            assignment, children_for(len(units), resolve_jobs(jobs)), children
        )
        own = Worker(assignment)
        stopping_own.callback(own.stop)
        own.start()
        if not children:
            return [
                each for index in range(len(units)) for each in told(own.run(index))
            ]
        return side_by_side([own, *children], Schedule(units), told)
    raise AssertionError("unreachable")  # mypy: ExitStack may swallow exceptions


def start_children(
    assignment: Assignment, count: int, children: list[WorkerProcess]
) -> None:
    """``count`` worker processes, starting (not waited for), each added to
    ``children`` as soon as it exists."""
    if count == 0:
        return
    # Pickled once for all, and now: once the run starts, the cases gain
    # what their replays cache (a dict that grows while pickled breaks it).
    pickled = pickle.dumps(assignment, pickle.HIGHEST_PROTOCOL)
    for _ in range(count):
        children.append(WorkerProcess(assignment.cases, pickled))


def side_by_side(
    workers: list[Worker | WorkerProcess], schedule: Schedule, told: Teller
) -> list[Outcome]:
    """Every unit run by the first free worker, told in the units' order."""
    threads = [
        threading.Thread(target=drive, args=(worker, schedule), name="replay")
        for worker in workers
    ]
    try:
        for thread in threads:
            thread.start()
        outcomes = [
            each
            for index in range(schedule.count)
            for each in told(schedule.outcomes_of(index))
        ]
    except BaseException as error:
        # A failure, Ctrl-C or SIGTERM: a parallel run stops at once. Left
        # to themselves, the workers' telnet sessions would wait for their
        # timeout; with the servers gone they end at once. The children
        # first: stopping our own servers might fail.
        schedule.fail(error)
        for worker in reversed(workers):
            with contextlib.suppress(Exception):
                worker.interrupt()
        raise
    else:
        # Every outcome is in: a child still busy is one still starting,
        # needed no more.
        for worker, thread in zip(workers, threads, strict=True):
            if thread.is_alive() and isinstance(worker, WorkerProcess):
                worker.interrupt()
        return outcomes
    finally:
        join_all(workers, threads)


def join_all(
    workers: list[Worker | WorkerProcess], threads: list[threading.Thread]
) -> None:
    """Wait for each worker's thread; a child that does not end when told
    (stopped, stuck) is killed after :data:`STOP_GRACE` s, which ends its
    thread's wait: no run hangs on one."""
    for worker, thread in zip(workers, threads, strict=True):
        if not thread.ident:
            continue  # never started
        thread.join(STOP_GRACE)
        if thread.is_alive() and isinstance(worker, WorkerProcess):
            worker.kill()
        thread.join()
