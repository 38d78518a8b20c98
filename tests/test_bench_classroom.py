"""bench/classroom.py --quick runs, so that the class benchmark cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "bench" / "classroom.py"


def test_a_quick_class_loses_and_duplicates_nothing() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lost 0, duplicated 0, failed commands 0" in result.stdout
    assert " 0 tracebacks" in result.stdout
    for service in ("SMTP", "POP3", "IMAP"):
        assert f"  {service}  p50" in result.stdout
