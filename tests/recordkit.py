"""Drive ``telnetmail record`` as a person would: pexpect typing into its terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pexpect

#: What a person types, and what they wait to see before typing on.
Steps = list[tuple[str, str]]

SMTP_SEND: Steps = [
    ("EHLO client.example.com", "250 "),
    ("MAIL FROM:<sender@example.com>", "250 2.1.0"),
    ("RCPT TO:<recipient@example.com>", "250 2.1.5"),
    ("DATA", "354 "),
    ("Subject: Ciao", ""),
    ("", ""),
    ("Una riga.", ""),
    (".", "queued as"),
    ("QUIT", "221 "),
]

POP3_READ: Steps = [
    ("USER MyUsername", "+OK"),
    ("PASS MyPassword", "Logged in"),
    ("STAT", "+OK 1 "),
    ("UIDL", "\r\n.\r\n"),
    ("RETR 1", "\r\n.\r\n"),
    ("QUIT", "+OK Logging out"),
]

IMAP_READ: Steps = [
    ("a LOGIN MyUsername MyPassword", "a OK"),
    ("b SELECT INBOX", "b OK"),
    ("c FETCH 1 (INTERNALDATE ENVELOPE BODY[])", "c OK"),
    ("d LOGOUT", "d OK"),
]

GREETING = {"smtp": "220 ", "pop3": "+OK", "imap": "* OK"}


def spawn_record(service: str, *options: str, timeout: float = 20) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "telnetmail", "record", "mx1.example.com", service, *options],
        encoding="utf-8",
        timeout=timeout,
        dimensions=(24, 200),
    )


def record(service: str, steps: Steps, *options: str) -> pexpect.spawn:
    """Record a session; the finished, reaped child (its output in ``before``)."""
    child = spawn_record(service, *options)
    try:
        child.expect_exact(GREETING[service])
        for typed, shown in steps:
            child.sendline(typed)
            if shown:
                child.expect_exact(shown)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return child


def spawn_openssl(command: str, *options: str, timeout: float = 20) -> pexpect.spawn:
    """``telnetmail record [options] -- openssl s_client ...``."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "telnetmail", "record", *options, "--", *command.split()],
        encoding="utf-8",
        timeout=timeout,
        dimensions=(24, 200),
    )


def record_openssl(
    command: str, first: str, steps: Steps, *options: str
) -> tuple[pexpect.spawn, list[int]]:
    """Record through openssl, typing once ``first`` is shown; the reaped
    child and the pids of its children (openssl) while it ran."""
    child = spawn_openssl(command, *options)
    try:
        child.expect_exact(first)
        running = children(child.pid)
        for typed, shown in steps:
            child.sendline(typed)
            if shown:
                child.expect_exact(shown)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return child, running


def children(pid: int) -> list[int]:
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in listed]


def check(*paths: Path | str, backend: str = "embedded") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telnetmail", "check", "-j", "1", "--backend", backend]
        + [str(path) for path in paths],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
