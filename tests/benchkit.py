"""Running a bench script in its quick mode, as the tests that keep them from rotting do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def quick_run(script: str, *options: str, timeout: float = 300) -> str:
    """What ``bench/SCRIPT --quick OPTIONS`` prints; it must end well, within *timeout*."""
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", *options],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
