"""SIGTERM and SIGHUP turned into an exception, as Ctrl-C is, so that every
``finally`` cleans up: servers stopped, every telnet reaped.

Used by ``telnetmail check`` and by each worker process of a parallel run
(:mod:`telnetmail.replay.processes`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop as Ctrl-C does, so every ``finally`` cleans up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


#: What a CI timeout, ``docker stop`` or a closed terminal sends.
TERMINATING = (signal.SIGTERM, signal.SIGHUP)


class Latch:
    """Turns SIGTERM and SIGHUP into :class:`Terminated`, and remembers the first.

    A repeat is ignored, so that the cleanup the first one started (servers
    stopped, every telnet reaped) runs to its end. Python drops an exception
    raised where it cannot propagate (an at-fork hook of ``logging``, while
    pexpect forks a telnet): the latch remembers, and :meth:`raise_if_signalled` raises
    again at the next transcript.
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    def interrupt(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
            raise Terminated(signum)

    def raise_if_signalled(self) -> None:
        if self.signum is not None:
            raise Terminated(self.signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        # Only the main thread can set handlers; elsewhere signals stay as they are.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {
            signum: signal.signal(signum, self.interrupt) for signum in TERMINATING
        }
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
