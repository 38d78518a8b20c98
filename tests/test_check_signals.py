"""``telnetmail check`` stops on SIGTERM and SIGHUP as on Ctrl-C: cleaned up, and an exit status that says which.

What a CI timeout, ``docker stop`` or a closed terminal sends. On the
embedded server here; ``test_backend_dovecot_postfix`` kills a check on the
real servers at random moments, SIGKILL included.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from test_check_command import (
    ROOT,
    SILENT,
    marked_environment,
    page,
    telnet_processes,
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_the_check_and_reap_everything(tmp_path, signum):
    path = page(tmp_path, SILENT)
    process = subprocess.Popen(
        [sys.executable, "-m", "telnetmail", "check", str(path), "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=marked_environment(),
    )
    try:
        deadline = time.monotonic() + 20
        while not telnet_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert telnet_processes(), "telnet never started"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum, stderr
    assert f"stopped by {signal.Signals(signum).name}" in stderr
    assert "Traceback" not in stderr
    assert telnet_processes() == []
