"""bench/replay.py keeps running: its quick mode goes to the end and prints its numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "replay.py"


def quick_run(script: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """*script* run in its quick mode, which must end well."""
    result = subprocess.run(
        [sys.executable, str(script), "--quick", *options],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_replay_benchmark_runs_to_its_end_in_quick_mode():
    result = quick_run(BENCH, "--telnet", "python")
    assert "mismatch latency" in result.stdout
    assert "10000 lines" in result.stdout
    assert "beyond the dialogues" in result.stdout


STALL = BENCH.parent / "stall.py"


def test_the_stall_benchmark_runs_to_its_end_in_quick_mode():
    result = quick_run(STALL, "--backend", "embedded")
    assert "with the stall" in result.stdout
    assert "runs with a dialogue not passed: 0 of 1" in result.stdout
