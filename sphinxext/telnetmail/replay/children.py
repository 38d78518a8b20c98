"""Child Python processes of the replay: started without ``os.fork()``, always reaped.

A backend in a process of its own (:mod:`~telnetmail.replay.isolated`) and
the workers of a parallel run (:mod:`~telnetmail.replay.processes`) are
fresh interpreters started by :mod:`subprocess`: fork and exec at once, in
C. A plain ``os.fork()`` of a process with threads (Sphinx's, pytest's, the
embedded server's) may deadlock, and :mod:`multiprocessing` would leave
its resource tracker, one more process, behind.

The parent talks to a child on its stdin and stdout; closing the child's
stdin says "no more work": the child stops its servers and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import telnetmail

#: Seconds a child has to stop its servers before it is killed.
STOP_GRACE = 10.0

PR_SET_PDEATHSIG = 1


def prctl(option: int, value: object) -> None:
    """Linux's ``prctl(2)``; nothing where there is none."""
    # Imported here, as sysconfig below: a check that starts no other
    # process (one page) never loads them.
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def spawn(module: str, *args: str, text: bool) -> subprocess.Popen[Any]:
    """``python -P -m module args``, its stdin and stdout piped to us (``-P``:
    a module in the current folder, say an ``email.py`` beside a project's
    pages, must not stand in for the standard library's)."""
    return subprocess.Popen(
        [sys.executable, "-P", "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=text,
        encoding="utf-8" if text else None,
        env=child_environment(),
    )


def child_environment() -> dict[str, str]:
    """Ours, with the folder we imported telnetmail from first on the child's
    path: a Sphinx project's ``conf.py`` may put it on ``sys.path`` only,
    and the child must run the same code as we do, not another copy
    installed, or none. A folder of installed packages is left out: it is
    on the child's path anyway, and before the standard library it could
    hide modules of it."""
    import sysconfig

    root = str(Path(telnetmail.__file__).resolve().parent.parent)
    installed = {
        str(Path(sysconfig.get_path(name)).resolve()) for name in ("purelib", "platlib")
    }
    paths = [
        entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry
    ]
    if root not in installed:
        paths.insert(0, root)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def end(children: Iterable[subprocess.Popen[Any]]) -> None:
    """Reap ``children``: see :func:`tell_to_end` and :func:`reap`."""
    children = list(children)
    tell_to_end(children)
    reap(children)


def tell_to_end(children: Iterable[subprocess.Popen[Any]]) -> None:
    """Tell each child there is no more work (its stdin closed). Each then
    stops its servers, side by side with whatever we do meanwhile."""
    for child in children:
        with contextlib.suppress(OSError):  # a dead child's pipe is broken
            _close(child.stdin)


def reap(children: Iterable[subprocess.Popen[Any]]) -> None:
    """Wait for each child told to end; kill one still there after
    :data:`STOP_GRACE` seconds. Interrupted (a signal while waiting), kill
    every child not yet reaped, and reap it, before passing the signal on."""
    children = list(children)
    try:
        for child in children:
            try:
                child.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            finally:
                _close(child.stdout)
    except BaseException:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
            _close(child.stdout)
        raise


def _close(stream: IO[Any] | None) -> None:
    if stream is not None:
        stream.close()


def answers_channel() -> int:
    """In the child: a descriptor of our stdout, the answers' channel, which
    nothing else may write to. What the servers print goes to stderr. Ctrl-C
    reaches the whole process group: the parent stops us by closing our
    stdin (or by SIGTERM), after cleaning up its own side."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return answers


def die_with_parent(parent: int) -> None:
    """In the child: SIGTERM when ``parent`` dies, even by SIGKILL, so that
    no worker goes on replaying for nobody.

    The kernel sends it when the *thread* that started us ends: the parent
    starts its workers from the thread that waits for them."""
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before we asked
        os.kill(os.getpid(), signal.SIGTERM)
