"""The backend benchmark scripts run to their end (in their quick mode), so they cannot rot.

They print numbers and are not tests; only that they finish, and that every
transcript they replay passes, is checked here. On a machine without Postfix
and Dovecot they run on the embedded server alone.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run_quick(script: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_backends_bench_runs_to_its_end():
    output = run_quick("backends.py")
    assert "embedded:" in output
    # The seed page: each dialogue alone, then walked; every one passes.
    assert re.search(r"\((\d+)/\1 passed", output), output
    assert "dovecot-postfix:" in output  # measured, or skipped saying why


def test_determinism_bench_runs_to_its_end():
    output = run_quick("determinism.py")
    assert "2/2 runs passed" in output
