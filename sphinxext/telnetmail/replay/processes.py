"""Workers in child processes: what makes ``-j N`` run in parallel.

Threads of one process would take turns under the GIL: each worker, with
its telnet sessions, its matching and its embedded server, mostly runs
Python. So each extra worker of a parallel run is a child process
(:mod:`~telnetmail.replay.children`) running a
:class:`~telnetmail.replay.worker.Worker`.

The parent writes to the child's stdin, and the child answers on its
stdout, one pickled frame at a time: first the :class:`Assignment`
(answered ``ready`` once the child's servers are up), then the index of
each unit to run (answered with its outcomes), until end of file. An
outcome names its case by index, not by copy: the parent's outcomes point
at the parent's own cases, as those of a worker in-process do.

The child stops its servers and exits at end of file; at SIGTERM (the
parent stopping a run at once, or the parent dying: see
:func:`~telnetmail.replay.children.die_with_parent`) it leaves the unit it
runs first, reaping its telnet sessions.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable
from typing import IO, Any

from telnetmail.replay.children import (
    STOP_GRACE,
    answers_channel,
    die_with_parent,
    reap,
    spawn,
    tell_to_end,
)
from telnetmail.replay.engine import Case, Outcome
from telnetmail.replay.latch import Latch, Terminated
from telnetmail.replay.requirements import Unavailable
from telnetmail.replay.worker import Assignment, Worker

_LENGTH = struct.Struct("!Q")


class WorkerDied(Unavailable):
    """A worker process ended without answering (it could not import the
    replay, or was killed); its stderr, which is ours, says why."""


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame, or None at end of file."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        return None
    return payload


def dumps(value: object, cases: list[Case]) -> bytes:
    """``value`` pickled, each of ``cases`` as its index."""
    index = {id(case): number for number, case in enumerate(cases)}

    class CasesByIndex(pickle.Pickler):
        def persistent_id(self, obj: object) -> int | None:
            return index.get(id(obj)) if isinstance(obj, Case) else None

    buffer = io.BytesIO()
    CasesByIndex(buffer, pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(payload: bytes, cases: list[Case]) -> Any:
    """What :func:`dumps` pickled, each case index back as one of ``cases``."""

    class CasesFromIndex(pickle.Unpickler):
        def persistent_load(self, pid: object) -> Case:
            assert isinstance(pid, int)
            return cases[pid]

    return CasesFromIndex(io.BytesIO(payload)).load()


class WorkerProcess:
    """A :class:`Worker` in a child process, driven from one thread of the parent.

    Started at once (the interpreter and its servers take a while to come
    up, meanwhile the parent works); :meth:`start` then hands it the
    assignment and waits until it is ready."""

    def __init__(self, cases: list[Case], pickled: bytes) -> None:
        self.cases = cases
        self.pickled = pickled  # the assignment, pickled once for every child
        self.process: subprocess.Popen[bytes] = spawn(
            "telnetmail.replay.processes", str(os.getpid()), text=False
        )

    def start(self) -> None:
        self._ask(self.pickled)

    def run(self, index: int) -> list[Outcome]:
        outcomes: list[Outcome] = self._ask(pickle.dumps(index))
        return outcomes

    def interrupt(self) -> None:
        """Have the child leave its unit at once and exit: SIGTERM. The
        thread driving it reads end of file then."""
        if self.process.poll() is None:
            self.process.terminate()

    def kill(self) -> None:
        """End a child that did not end when told (stopped, or stuck): the
        thread driving it reads end of file then."""
        if self.process.poll() is None:
            self.process.kill()

    def _ask(self, command: bytes) -> Any:
        # A pipe broken on either side is the child gone, not our stdout
        # (which the command line reads BrokenPipeError as: `check | head`).
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None  # piped by spawn()
        try:
            write_frame(stdin, command)
            payload = read_frame(stdout)
        except OSError:
            payload = None
        if payload is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_GRACE)
            raise WorkerDied(
                f"a worker process ended (exit status {self.process.returncode}); "
                "what it said, if anything, is above"
            )
        kind, value = loads(payload, self.cases)
        if kind == "error":
            raise value
        return value


def stop_all(workers: list[WorkerProcess], meanwhile: Callable[[], None]) -> None:
    """Reap every worker process, each stopping its servers side by side
    with the others and with ``meanwhile`` (the parent's own worker stopping)."""
    processes = [worker.process for worker in workers]
    tell_to_end(processes)
    try:
        meanwhile()
    finally:
        reap(processes)


def serve(commands: IO[bytes], answers: IO[bytes], latch: Latch) -> None:
    """The child: run units until end of file, or SIGTERM."""
    setup = read_frame(commands)
    if setup is None:
        return  # the parent gave up before we were ready
    assignment: Assignment = pickle.loads(setup)
    cases = assignment.cases
    worker: Worker | None = None
    try:
        worker = Worker(assignment)
        worker.start()
        write_frame(answers, dumps(("ready", None), cases))
        while (command := read_frame(commands)) is not None:
            outcomes = worker.run(pickle.loads(command))
            latch.raise_if_signalled()  # a signal whose exception Python dropped
            write_frame(answers, dumps(("done", outcomes), cases))
    except Terminated:
        pass  # the parent stops us: nobody waits for an answer
    except Exception as error:  # noqa: BLE001 (told to the parent, which raises it)
        with contextlib.suppress(OSError):  # a parent gone cannot hear it
            write_frame(answers, dumps(("error", picklable(error)), cases))
    finally:
        if worker is not None:
            worker.stop()


def picklable(error: Exception) -> Exception:
    """``error`` itself where the parent can unpickle it, else a RuntimeError saying it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 (any exception may fail to pickle its own way)
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def main() -> None:
    answers = os.fdopen(answers_channel(), "wb")
    die_with_parent(int(sys.argv[1]))
    latch = Latch()
    with latch.installed():
        try:
            serve(sys.stdin.buffer, answers, latch)
        except Terminated:
            pass  # before or after serve's own try: nothing of ours runs
    # Without the interpreter's teardown (50-250 ms here), which the last
    # unit's report would wait for: the servers are stopped, nothing is left.
    from telnetmail.cli import leave

    leave(0)


if __name__ == "__main__":
    main()
