"""A client program on a pseudo-terminal, read with pexpect's matching.

pexpect's own ``spawn`` forks the whole Python process (ptyprocess calls
``forkpty``) and then waits for the child's ``exec``: 6–10 ms a session
once the mail servers are loaded, a third of a short dialogue's time. Here
the program is started by :mod:`subprocess`, which uses ``vfork``, with the
terminal's slave side as its standard streams: 1–3 ms. pexpect's
:class:`~pexpect.fdpexpect.fdspawn` then reads the master side as
``spawn`` would.

The terminal is the program's controlling terminal, in a session of its
own: should this process die without closing it (SIGKILL), the kernel hangs
the terminal up and the program gets SIGHUP. Without one, telnet read EIO
forever from its orphaned terminal, at full CPU. util-linux's ``setsid
--ctty`` makes it so and keeps ``vfork``; where it is missing, a
``preexec_fn`` does the same after a plain fork.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import struct
import subprocess
import termios

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


SETSID = shutil.which("setsid")


def _start_on_terminal(
    command: list[str], terminal: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """*command* leading a new session whose controlling terminal is *terminal*."""
    if SETSID is not None:
        # setsid execs the command in its own process: the pid is the client's.
        return subprocess.Popen(
            [SETSID, "--ctty", *command],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            env=env,
        )
    # Only where util-linux is missing (macOS): a fork, as pexpect's own spawn
    # does; the replay starts clients from one thread at a time.
    return subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
        preexec_fn=_take_terminal,  # noqa: PLW1509
    )


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
