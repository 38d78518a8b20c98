"""A client program on a pseudo-terminal, read with pexpect's matching.

pexpect's own ``spawn`` forks the whole Python process (ptyprocess calls
``forkpty``) and then waits for the child's ``exec``: 6–10 ms a session
once the mail servers are loaded, a third of a short dialogue's time. Here
the program is started by :mod:`subprocess`, which uses ``vfork``, with the
terminal's slave side as its standard streams: 1–3 ms. pexpect's
:class:`~pexpect.fdpexpect.fdspawn` then reads the master side as
``spawn`` would.

The program gets no controlling terminal: neither telnet nor openssl asks
for one (they only set the modes of their standard input), and the replay
ends them by signal, not by the terminal's hang-up.
"""

from __future__ import annotations

import fcntl
import os
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
            # start_new_session: a signal meant for us (Ctrl-C in the
            # terminal running check) does not reach the client mid-line.
            self.process = subprocess.Popen(
                command,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                start_new_session=True,
            )
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
