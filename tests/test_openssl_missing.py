"""A machine without openssl (Read the Docs) skips the TLS pages, and says
why, instead of refusing to replay anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_without_openssl_tls_pages_are_skipped_and_the_rest_replayed():
    venv_only = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "check", "--telnet", "python"]
        + ["course/tls.rst", "course/telnet-mail.rst"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=venv_only,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not replayed: no 'openssl' on PATH: install OpenSSL" in result.stdout
    assert "PASSED  seed-smtp" in result.stdout
    assert "FAIL" not in result.stdout
