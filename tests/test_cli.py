"""The ``telnetmail`` command line: help, version, both ways of running it."""

from __future__ import annotations

import subprocess
import sys

from telnetmail import __version__
from telnetmail.cli import main


def test_help_describes_the_tool_and_exits_zero(capsys):
    try:
        main(["--help"])
    except SystemExit as exit:
        assert exit.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: telnetmail")
    assert "SMTP, POP3 and IMAP" in out


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "--version"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"telnetmail {__version__}"


def test_an_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "frobnicate"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
