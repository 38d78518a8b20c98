"""The ``telnetmail`` command line: help, version, both ways of running it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_a_reader_that_goes_away_ends_the_check_quietly():
    # `telnetmail check course | head -1`: no traceback, SIGPIPE's status.
    process = subprocess.Popen(
        [sys.executable, "-m", "telnetmail", "check", "course"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    process.stdout.readline()
    process.stdout.close()  # as head does after its line
    _, stderr = process.communicate(timeout=120)
    assert b"Traceback" not in stderr
    assert process.returncode == 141


def test_a_command_loads_only_what_its_own_options_need():
    # `telnetmail check` pays for neither serve's limits and TLS nor record's tap.
    probe = (
        "import sys\n"
        "from telnetmail.cli import build_parser\n"
        "build_parser('check').parse_args(['check', 'x.rst'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(("
        "'telnetmail.commands.', 'cryptography', 'asyncio'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['telnetmail.commands.check']"


#: The program as the console script runs it, with an atexit handler of its own.
PROGRAM = """
import atexit, sys
atexit.register(lambda: print("atexit handler ran", file=sys.stderr))
from telnetmail.cli import main
sys.argv = ["telnetmail", "check", "-j", "1", sys.argv[1]]
raise SystemExit(main())
"""

WRONG_GREETING = """\
.. transcript::

   telnet: > telnet mx1.example.com smtp
   server: 554 mx1.example.com no service
"""


def test_the_program_ends_with_its_code_its_whole_output_and_its_atexit_handlers(
    tmp_path: Path,
):
    page = tmp_path / "wrong.rst"
    page.write_text(WRONG_GREETING, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # Buffered, as a pipe is by default: the end must flush it.
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert result.returncode == 1
    # Printed to a pipe, so held in a buffer until the end: all of it arrives.
    assert result.stdout.rstrip().splitlines()[-1].startswith(
        "0 passed, 1 failed, 0 skipped; walked: 0 passed, 1 failed"
    )
    assert "atexit handler ran" in result.stderr
