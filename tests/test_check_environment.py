"""`telnetmail check` and `serve` on a machine that lacks something: a
sentence on stderr and exit 2, never a traceback, never 1 ("some failed")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).parent / "roots" / "test-config" / "index.rst"

# As if `pip install telnetmail` had been run without the replay extra.
WITHOUT_REPLAY = (
    "import sys; sys.modules.update(dict.fromkeys(['pexpect', 'aiosmtpd', 'pymap']));"
    "from telnetmail.cli import main; raise SystemExit(main(sys.argv[1:]))"
)


def telnetmail(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telnetmail", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_missing_telnet_client_exits_2_with_a_message(tmp_path):
    # A PATH with no telnet on it; the interpreter is named by its full path.
    no_telnet = {"PATH": str(tmp_path)}
    result = telnetmail("check", "--telnet", "telnet", str(PAGE), env=no_telnet)
    assert result.returncode == 2
    assert result.stderr.startswith("telnetmail check: no 'telnet' on PATH:")
    assert "Traceback" not in result.stderr


def test_an_unreadable_page_exits_2_naming_it(tmp_path):
    page = tmp_path / "latin1.rst"
    text = PAGE.read_bytes() + "caff\xe8\n".encode("latin-1")
    page.write_bytes(text)
    result = telnetmail("check", str(page))
    assert result.returncode == 2
    assert result.stderr == (
        f"telnetmail check: cannot read {page}: not UTF-8 text (byte {text.index(0xE8)})\n"
    )


def test_without_the_replay_extra_check_names_the_extra():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_REPLAY, "check", str(PAGE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "telnetmail check: replaying transcripts needs pexpect, aiosmtpd, pymap:"
        " pip install 'telnetmail[replay]'\n"
    )


def test_without_the_replay_extra_serve_names_the_extra():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_REPLAY, "serve"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "pip install 'telnetmail[replay]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_the_replay_extra_help_still_works():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_REPLAY, "check", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "--backend" in result.stdout


def test_check_with_no_path_is_a_usage_error():
    # No default folder: the tool knows nothing of any project's layout.
    result = telnetmail("check")
    assert result.returncode == 2
    assert "the following arguments are required: PATH" in result.stderr


@pytest.mark.parametrize("option", [["--backend", "nonesuch"], ["--match", "fuzzy"]])
def test_an_unknown_choice_is_a_usage_error(option):
    result = telnetmail("check", *option, str(PAGE))
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
