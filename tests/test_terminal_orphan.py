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


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="no /proc")
def test_the_client_leads_a_session_whose_controlling_terminal_is_its_own() -> None:
    from telnetmail.replay.terminal import TerminalChild

    client = TerminalChild(["sleep", "30"], env=dict(os.environ), dimensions=(24, 80))
    try:
        pid = client.process.pid
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            fields = stat.read().rpartition(")")[2].split()
        session, terminal = int(fields[3]), int(fields[4])
        assert session == pid
        assert terminal == os.stat(f"/proc/{pid}/fd/0").st_rdev != 0
    finally:
        client.close()
    assert client.process.returncode is not None  # reaped
