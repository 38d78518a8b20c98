"""A client outlives no replay: killed with SIGKILL, the replay takes its telnet along."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

CHILD = """
import os, sys, time
from telnetmail.replay.terminal import TerminalChild
client = TerminalChild(
    ["telnet", "127.0.0.1", sys.argv[1]], env=dict(os.environ), dimensions=(24, 80)
)
print(client.process.pid, flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(shutil.which("telnet") is None, reason="no telnet")
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="no /proc")
def test_telnet_ends_when_the_replay_is_killed() -> None:
    # Without the terminal as its controlling terminal, telnet read EIO for
    # ever from the orphaned terminal, at full CPU, still connected.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        replay = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(listener.getsockname()[1])],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            telnet = int(replay.stdout.readline())
            connection, _ = listener.accept()  # telnet is connected and waiting
            with connection:
                replay.send_signal(signal.SIGKILL)
                replay.wait()
                deadline = time.monotonic() + 5
                while alive(telnet) and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert not alive(telnet)
        finally:
            if replay.poll() is None:
                replay.kill()
                replay.wait()
            if alive(telnet):
                os.kill(telnet, signal.SIGKILL)
