"""A client program on a pseudo-terminal, read with pexpect's matching.

pexpect's own ``spawn`` forks the whole Python process (ptyprocess calls
``forkpty``) and then waits for the child's ``exec``: 6–10 ms a session
once the mail servers are loaded, a third of a short dialogue's time. Here
the program is started by ``posix_spawn`` (a ``vfork`` in the C library),
and pexpect's :class:`~pexpect.fdpexpect.fdspawn` then reads the master
side as ``spawn`` would.

The terminal is the program's controlling terminal, in a session of its
own: should this process die without closing it (SIGKILL), the kernel hangs
the terminal up and the program gets SIGHUP. Without one, telnet read EIO
forever from its orphaned terminal, at full CPU. ``posix_spawn`` makes the
child a session leader and then has it open the terminal by name, which
makes it the controlling one: 3–4 ms from start to telnet's first line,
against 5–6 ms through util-linux's ``setsid --ctty`` (one more program to
load). Where ``posix_spawn`` cannot start a session (macOS), a
``preexec_fn`` does the same after a plain fork.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time

from pexpect.fdpexpect import fdspawn


class TerminalChild(fdspawn):
    """*command* started on a new pseudo-terminal of *dimensions* (rows,
    columns), with echo off, read and written as text in *encoding*."""

    def __init__(
        self,
        command: list[str],
        *,
        env: dict[str, str],
        dimensions: tuple[int, int],
        encoding: str = "utf-8",
        codec_errors: str = "strict",
    ) -> None:
        master, slave = os.openpty()
        try:
            _set_size(slave, dimensions)
            _set_flag(slave, termios.ECHO, False)
            # A session of its own: a signal meant for us (Ctrl-C in the
            # terminal running check) does not reach the client mid-line.
            self.process = _start_on_terminal(command, slave, env)
        except BaseException:
            os.close(master)
            raise
        finally:
            # The child holds its copies: once it exits, reading the master
            # side fails with EIO, which pexpect reads as end of file.
            os.close(slave)
        super().__init__(master, encoding=encoding, codec_errors=codec_errors)

    def isalive(self) -> bool:
        return self.process.poll() is None

    def kill(self, signum: int) -> None:
        if self.isalive():
            self.process.send_signal(signum)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status once the program has ended within *timeout*, or None."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def getecho(self) -> bool:
        return _get_flag(self.child_fd, termios.ECHO)

    def setecho(self, state: bool) -> None:
        _set_flag(self.child_fd, termios.ECHO, state)

    def getcanonical(self) -> bool:
        """Whether the terminal gives the program one line per read."""
        return _get_flag(self.child_fd, termios.ICANON)

    def setcanonical(self, state: bool) -> None:
        _set_flag(self.child_fd, termios.ICANON, state)

    def close(self) -> None:
        """Close the terminal; a program still running is killed. Always reaped."""
        if self.isalive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        super().close()


#: Whether this platform's posix_spawn can make the child a session leader.
SPAWN_SETSID = sys.platform.startswith("linux") and hasattr(os, "POSIX_SPAWN_OPEN")


def _start_on_terminal(
    command: list[str], terminal: int, env: dict[str, str]
) -> SpawnedProgram | subprocess.Popen[bytes]:
    """*command* leading a new session whose controlling terminal is *terminal*."""
    program = shutil.which(command[0])
    if program is None:
        raise FileNotFoundError(errno.ENOENT, "no such program", command[0])
    if SPAWN_SETSID:
        # The child opens the terminal once it leads its session: the first
        # terminal a session leader opens becomes its controlling terminal.
        pid = os.posix_spawn(
            program,
            command,
            env,
            setsid=True,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.ttyname(terminal), os.O_RDWR, 0),
                (os.POSIX_SPAWN_DUP2, 0, 1),
                (os.POSIX_SPAWN_DUP2, 0, 2),
            ],
        )
        return SpawnedProgram(pid)
    # Only where posix_spawn cannot start a session: a fork, as pexpect's own
    # spawn does; the replay starts clients from one thread at a time.
    return subprocess.Popen(
        [program, *command[1:]],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
        preexec_fn=_take_terminal,  # noqa: PLW1509
    )


class SpawnedProgram:
    """A program started by ``posix_spawn``, waited for as :class:`subprocess.Popen` is."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def wait(self, timeout: float | None = None) -> int:
        """The exit status; raises :class:`subprocess.TimeoutExpired` after *timeout*."""
        if timeout is not None and not self._exits_within(timeout):
            raise subprocess.TimeoutExpired([str(self.pid)], timeout)
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def _exits_within(self, timeout: float) -> bool:
        if self.poll() is not None:
            return True
        try:
            handle = os.pidfd_open(self.pid)
        except OSError:  # a kernel before 5.3: look every millisecond
            deadline = time.monotonic() + timeout
            while self.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            return self.returncode is not None
        try:
            # The pidfd reads ready once the program has ended.
            return bool(select.select([handle], [], [], timeout)[0])
        finally:
            os.close(handle)


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _get_flag(fd: int, flag: int) -> bool:
    return bool(termios.tcgetattr(fd)[3] & flag)


def _set_flag(fd: int, flag: int, state: bool) -> None:
    """Set or clear one local-mode flag (``ECHO``, ``ICANON``) of the terminal."""
    attributes = termios.tcgetattr(fd)
    if state:
        attributes[3] |= flag
    else:
        attributes[3] &= ~flag
    # Without ICANON, a read returns as soon as one byte is there.
    attributes[6][termios.VMIN], attributes[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSANOW, attributes)


def _set_size(fd: int, dimensions: tuple[int, int]) -> None:
    rows, columns = dimensions
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
