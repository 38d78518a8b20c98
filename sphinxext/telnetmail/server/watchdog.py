"""A watchdog for the servers' event loop: one session's bug must not stall
the others, nor stop the server from stopping.

All sessions share one event loop; a command that never yields (pymap's
mUTF-7 decoder on ``R&D`` did) would hold it forever. The loop beats a
heart a few times a second; when a beat is later than the command budget,
a thread of ours raises :class:`CommandTimeout` inside the loop's thread,
in the Python code that holds it. The session running that code ends (its
handler logs the error and hangs up) and the loop goes on serving the rest.
Code stuck in C without the GIL cannot be interrupted this way; pure-Python
loops, the kind found so far, can.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import threading
import time

__all__ = ["CommandTimeout", "Watchdog"]

logger = logging.getLogger(__name__)


class CommandTimeout(Exception):
    """A command held the event loop longer than the command budget."""


def interrupt(thread_id: int) -> None:
    """Raise :class:`CommandTimeout` in the thread *thread_id*, at its next
    Python instruction."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(CommandTimeout)
    )


class Watchdog:
    """Watches *loop*, run by the thread *thread_id*, from a thread of its own."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, thread_id: int, budget: float
    ) -> None:
        self.loop = loop
        self.thread_id = thread_id
        self.budget = budget
        self.beat = time.monotonic()
        self.beat_cpu = 0.0
        # The loop thread's own CPU clock: a late beat counts only if that
        # thread was busy, not merely starved by a loaded machine.
        self._clock = time.pthread_getcpuclockid(thread_id)
        self._period = min(0.1, budget / 4)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="telnetmail-watchdog", daemon=True
        )
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Start beating (call on the loop's thread) and watching."""
        self._beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._handle is not None:
            self._handle.cancel()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def _cpu(self) -> float:
        return time.clock_gettime(self._clock)

    def _beat(self) -> None:
        self.beat = time.monotonic()
        self.beat_cpu = time.thread_time()
        self._handle = self.loop.call_later(self._period, self._beat)

    def _watch(self) -> None:
        while not self._stop.wait(self._period):
            late = time.monotonic() - self.beat
            busy = self._cpu() - self.beat_cpu
            stuck = late > self.budget and busy > self.budget / 2
            if stuck and not self._stop.is_set():
                logger.error("a command held the mail server for %.1f s: ended", late)
                interrupt(self.thread_id)
                # One interruption per stall: give the loop a budget to recover.
                self.beat, self.beat_cpu = time.monotonic(), self._cpu()
