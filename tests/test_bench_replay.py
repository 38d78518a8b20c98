"""The replay's bench scripts keep running: each quick mode goes to the end and prints its numbers."""

from __future__ import annotations

import subprocess

import pytest

from benchkit import BENCH, quick_run

#: The commit issue #14 was filed against (bench/then_and_now.py's default).
FILED_AT = "5cbed0e"


def test_the_replay_benchmark_runs_to_its_end_in_quick_mode():
    output = quick_run("replay.py", "--telnet", "python")
    assert "mismatch latency" in output
    assert "10000 lines" in output
    assert "beyond the dialogues" in output


def test_the_stall_benchmark_runs_to_its_end_in_quick_mode():
    output = quick_run("stall.py", "--backend", "embedded")
    assert "with the stall" in output
    assert "runs with a dialogue not passed: 0 of 1" in output


def filing_commit_is_here() -> bool:
    """Whether this clone holds the commit the comparison starts from (a
    shallow clone does not)."""
    found = subprocess.run(
        ["git", "-C", str(BENCH), "cat-file", "-e", f"{FILED_AT}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


@pytest.mark.skipif(not filing_commit_is_here(), reason=f"no commit {FILED_AT} here")
def test_the_then_and_now_benchmark_runs_both_verifiers_in_quick_mode():
    output = quick_run("then_and_now.py")
    then, now = (
        line for line in output.splitlines() if line.startswith(("  then", "  now "))
    )
    assert "3 passed, 0 failed" in then
    assert "3 passed, 0 failed" in now
    assert "now/then" in output
