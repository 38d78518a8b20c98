"""The server and backend benchmark scripts run to their end (in their quick mode), so they cannot rot.

They print numbers and are not tests; only that they finish, and that every
transcript they replay passes, is checked here. On a machine without Postfix
and Dovecot they run on the embedded server alone.
"""

from __future__ import annotations

import re

from benchkit import quick_run


def test_backends_bench_runs_to_its_end():
    output = quick_run("backends.py")
    assert "embedded:" in output
    # The seed page: each dialogue alone, then walked; every one passes.
    assert re.search(r"\((\d+)/\1 passed", output), output
    assert "dovecot-postfix:" in output  # measured, or skipped saying why


def test_determinism_bench_runs_to_its_end():
    output = quick_run("determinism.py")
    assert "2/2 runs passed" in output


def test_server_bench_runs_to_its_end():
    output = quick_run("server.py")
    assert "NOOP round trip IMAP median of 5:" in output
    assert "IMAPS connect + handshake + greeting, median of 5:" in output
