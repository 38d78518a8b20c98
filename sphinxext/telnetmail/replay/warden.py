"""The warden: no server of a ``dovecot-postfix`` backend outlives the process that started it.

The backend starts it first, as ``python -I -S warden.py`` (standard library
only, so it needs no virtualenv), in a session of its own, and keeps the
write end of a pipe to its standard input. On that pipe it writes where
the backend's directory may go; the warden makes the directory and answers
its path on its standard output (so no instant exists in which the
directory is there and the warden does not know of it), then the backend
writes the session id of each server it launches.

At end of file the warden kills every process of those sessions, and every
process whose working directory lies inside the backend's directory (each
server starts there, so one launched an instant before its session was
written is caught too), checks by ``/proc`` that none is left, and removes
the directory. End of file comes when the backend stops, and when its
process dies of anything at all, SIGKILL included: the kernel closes the
pipe then. SIGTERM, SIGHUP or SIGINT sent to the warden itself do the same.

Why a pipe and not ``PR_SET_PDEATHSIG``: that signal fires when the *thread*
that forked the child ends, not the process, and a backend may be started
from any thread of a program that uses the replay engine.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable

#: Seconds to keep killing before giving up (SIGKILL normally takes a few ms).
SWEEP_TIMEOUT = 10.0


def proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name: state, ppid, pgrp, session..."""
    # os.open and os.read, not open(): a reset scans every process, and the
    # text layer would make that three times as long.
    try:
        descriptor = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
    except OSError:
        return None
    try:
        text = os.read(descriptor, 4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    finally:
        os.close(descriptor)
    # The command name, in parentheses, may itself hold spaces or parentheses.
    return text.rpartition(")")[2].split()


def live_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def survivors(base: str, sessions: set[int]) -> list[int]:
    """Live (not zombie) processes of the given sessions, or working inside ``base``."""
    found = []
    inside = base.rstrip("/") + "/"
    for pid in live_pids():
        fields = proc_stat(pid)
        if not fields or fields[0] == "Z" or pid == os.getpid():
            continue
        if int(fields[3]) in sessions or _works_inside(pid, inside):
            found.append(pid)
    return found


def _works_inside(pid: int, folder: str) -> bool:
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return False  # gone, or not ours to see
    return (cwd + "/").startswith(folder)


def sweep(base: str, sessions: set[int]) -> list[int]:
    """SIGKILL everything of the backend until nothing is left; what survives (normally [])."""
    deadline = time.monotonic() + SWEEP_TIMEOUT
    left = survivors(base, sessions)
    while left and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.005)
        left = survivors(base, sessions)
    return left


class Orders:
    """What the backend has told the warden so far."""

    def __init__(self) -> None:
        self.base = ""
        self.sessions: set[int] = set()

    def read(self, stream: Iterable[str]) -> None:
        """Where to make the directory (first line), then the sessions (one a
        line), until end of file.

        Kept as they come, so that a signal in the middle loses none.
        """
        for raw in stream:
            line = raw.strip()
            if not self.base:
                self.base = make_directory(line)
                announce(self.base)
            elif line.isdigit():
                self.sessions.add(int(line))


def make_directory(root: str) -> str:
    """The backend's directory, made here and told back to the backend."""
    base = tempfile.mkdtemp(prefix="tm-", dir=root)
    # Postfix's and Dovecot's unprivileged processes must reach their files.
    os.chmod(base, 0o755)
    return base


def announce(base: str) -> None:
    """Tell the backend where its directory is, if it is still there to hear."""
    try:
        sys.stdout.write(base + "\n")
        sys.stdout.flush()
    except OSError:
        # The backend died before reading (a broken pipe): the sweep at end
        # of file removes the directory. Nothing more may be written.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of our life


class Stop(Exception):
    """A signal asked the warden to clean up now."""


def _stop(signum: int, frame: object) -> None:
    raise Stop


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _stop)
    orders = Orders()
    try:
        orders.read(sys.stdin)
    except Stop:
        pass
    # From here on nothing stops the sweep: the servers must go.
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
    if not orders.base:
        return 0
    left = sweep(orders.base, orders.sessions)
    shutil.rmtree(orders.base, ignore_errors=True)
    if left:
        print(f"telnetmail warden: processes survive SIGKILL: {left}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
