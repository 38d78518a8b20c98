"""bench/replay.py keeps running: its quick mode goes to the end and prints its numbers."""

from __future__ import annotations

from benchkit import quick_run


def test_the_replay_benchmark_runs_to_its_end_in_quick_mode():
    output = quick_run("replay.py", "--telnet", "python")
    assert "mismatch latency" in output
    assert "10000 lines" in output
    assert "beyond the dialogues" in output


def test_the_stall_benchmark_runs_to_its_end_in_quick_mode():
    output = quick_run("stall.py", "--backend", "embedded")
    assert "with the stall" in output
    assert "runs with a dialogue not passed: 0 of 1" in output
