"""bench/classroom.py --quick runs, so that the class benchmark cannot rot."""

from __future__ import annotations

from benchkit import quick_run


def test_a_quick_class_loses_and_duplicates_nothing() -> None:
    output = quick_run("classroom.py", timeout=120)
    assert "lost 0, duplicated 0, failed commands 0" in output
    assert " 0 tracebacks" in output
    for service in ("SMTP", "POP3", "IMAP"):
        assert f"  {service}  p50" in output
