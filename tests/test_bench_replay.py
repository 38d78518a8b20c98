"""bench/replay.py keeps running: its quick mode goes to the end and prints its numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "replay.py"


def test_the_replay_benchmark_runs_to_its_end_in_quick_mode():
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--telnet", "python"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "mismatch latency" in result.stdout
    assert "10000 lines" in result.stdout
