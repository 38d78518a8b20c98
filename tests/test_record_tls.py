"""``telnetmail record -- openssl s_client ...``: TLS recorded as an author types it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pexpect
import pytest

from recordkit import (
    Steps,
    check,
    children,
    record,
    record_openssl,
    spawn_openssl,
)
from telnetmail.core.marking import unmarked
from telnetmail.core.model import Protocol
from telnetmail.core.openssl import upgrade_asked, upgrade_reply
from telnetmail.core.recording import openssl_lines

pytestmark = pytest.mark.skipif(
    not any(
        os.access(os.path.join(folder, "openssl"), os.X_OK)
        for folder in os.environ.get("PATH", "").split(os.pathsep)
    ),
    reason="no openssl on PATH",
)

PAGE_HEAD = "Pagina\n======\n\nTesto.\n"
POP3S = "openssl s_client -quiet -crlf -connect pop.example.com:995"
SUBMISSION = "openssl s_client -quiet -crlf -starttls smtp -connect mx1.example.com:587"

VERIFIED = (
    "   telnet: depth=0 CN = mx1.example.com\n"
    "   telnet: verify error:num=18:self-signed certificate\n"
    "   telnet: verify return:1\n"
)

SUBMIT: Steps = [
    ("EHLO client.example.com", "250 "),
    ("AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==", "235 "),
    ("MAIL FROM:<sender@example.com>", "250 2.1.0"),
    ("RCPT TO:<recipient@example.com>", "250 2.1.5"),
    ("DATA", "354 "),
    ("Subject: Cifrato", ""),
    ("", ""),
    ("Su TLS.", ""),
    (".", "queued as"),
    ("QUIT", "221 "),
]


def page_of(tmp_path: Path, name: str, *blocks: str) -> Path:
    page = tmp_path / name
    page.write_text("\n".join([PAGE_HEAD, *blocks]), encoding="utf-8")
    return page


def gone(pids: list[int]) -> bool:
    time.sleep(0.1)
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


def test_starttls_smtp_with_auth_plain_passes_check(tmp_path: Path) -> None:
    out = tmp_path / "invio.rst"
    done, running = record_openssl(SUBMISSION, "250 ", SUBMIT, "-o", str(out))
    assert done.exitstatus == 0, done.before
    assert len(running) == 1 and gone(running)  # openssl reaped
    block = out.read_text(encoding="utf-8")
    assert f"   telnet: $ {SUBMISSION}\n" in block
    # The verification, then the line -starttls leaves, then the dialogue.
    assert f"{VERIFIED}   telnet: depth=0" in block
    assert "   telnet: verify return:1\n   telnet: 250 HELP\n" in block
    assert "   client: EHLO client.example.com\n" in block
    assert "   client: AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==\n" in block
    assert "   server: 235 2.7.0 Authentication successful\n" in block
    assert "server: 250 2.0.0 Ok: queued as {{queue-id:" in block
    # openssl's own exchange is no part of the page, nor its loopback chatter.
    assert "STARTTLS" not in block and "openssl.client.net" not in block
    assert "SSL_get_servername" not in block
    assert "Connection closed" not in block
    result = check(page_of(tmp_path, "pagina.rst", block))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed" in result.stdout


def test_pop3s_recorded_twice_differs_only_inside_marks(tmp_path: Path) -> None:
    sent = page_of(tmp_path, "invio.rst")
    done = record("smtp", SMTP_QUIET, "--append", str(sent), "--name", "invio")
    assert done.exitstatus == 0, done.before
    blocks = []
    for number in (1, 2):
        out = tmp_path / f"pop3s{number}.rst"
        options = ("-o", str(out), "--after", "invio", "--pages", str(sent))
        done, _ = record_openssl(POP3S, "+OK", POP3_READ, *options)
        assert done.exitstatus == 0, done.before
        blocks.append(out.read_text(encoding="utf-8"))
    first, second = blocks
    assert f"   telnet: $ {POP3S}\n{VERIFIED}" in first
    assert "   server: +OK Dovecot ready.\n" in first
    assert "   server: 1 {{word:" in first  # UIDL
    assert "Message-Id: {{message-id:<" in first
    assert first != second
    assert unmarked(first) == unmarked(second)
    result = check(sent, page_of(tmp_path, "lettura.rst", first))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 0 failed" in result.stdout


#: openssl passes the server's CRLF on to the terminal: the pty shows CR CR LF.
POP3_READ: Steps = [
    ("USER MyUsername", "+OK"),
    ("PASS MyPassword", "Logged in"),
    ("STAT", "+OK 1 "),
    ("UIDL", "\n.\r\r\n"),
    ("RETR 1", "\n.\r\r\n"),
    ("QUIT", "+OK Logging out"),
]

SMTP_QUIET: Steps = [
    ("EHLO client.example.com", "250 "),
    ("MAIL FROM:<sender@example.com>", "250 2.1.0"),
    ("RCPT TO:<recipient@example.com>", "250 2.1.5"),
    ("DATA", "354 "),
    ("Subject: Ciao", ""),
    ("", ""),
    (".", "queued as"),
    ("QUIT", "221 "),
]


def test_imaps_block_passes_check(tmp_path: Path) -> None:
    out = tmp_path / "imaps.rst"
    command = "openssl s_client -quiet -crlf -connect imap.example.com:993"
    steps = [("a LOGIN MyUsername MyPassword", "a OK"), ("b LOGOUT", "b OK")]
    done, running = record_openssl(command, "* OK", steps, "-o", str(out))
    assert done.exitstatus == 0, done.before
    assert gone(running)
    block = out.read_text(encoding="utf-8")
    assert "   client: a LOGIN MyUsername MyPassword\n" in block
    result = check(page_of(tmp_path, "pagina.rst", block))
    assert result.returncode == 0, result.stdout + result.stderr


def test_sigterm_reaps_openssl_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.rst"
    child = spawn_openssl(SUBMISSION, "-o", str(out))
    try:
        child.expect_exact("250 ")
        running = children(child.pid)
        assert len(running) == 1
        os.kill(child.pid, signal.SIGTERM)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in child.before
    assert gone(running)
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("openssl s_client -crlf -connect mx1.example.com:465", "add -quiet"),
        ("openssl s_client -quiet -connect mx1.example.com:12345", "names no mail"),
        ("openssl version", "record runs openssl s_client only"),
    ],
)
def test_an_openssl_command_the_replay_refuses_is_a_usage_error(
    command: str, said: str
) -> None:
    child = spawn_openssl(command)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert said in child.before


# -- the pure parts ------------------------------------------------------------


def test_the_upgrade_is_asked_and_accepted_by_protocol() -> None:
    assert upgrade_asked(Protocol.SMTP, "STARTTLS") == "STARTTLS"
    assert upgrade_asked(Protocol.SMTP, "EHLO openssl.client.net") is None
    assert upgrade_asked(Protocol.POP3, "STLS") == "STLS"
    assert upgrade_asked(Protocol.IMAP, ". STARTTLS") == "."
    assert upgrade_asked(Protocol.IMAP, ". CAPABILITY") is None
    assert upgrade_reply(Protocol.SMTP, "220-wait", "STARTTLS") is None
    assert upgrade_reply(Protocol.SMTP, "220 2.0.0 Ready", "STARTTLS") is True
    assert upgrade_reply(Protocol.SMTP, "454 4.7.0 No TLS", "STARTTLS") is False
    assert upgrade_reply(Protocol.POP3, "-ERR no", "STLS") is False
    assert upgrade_reply(Protocol.IMAP, "* OK still", ".") is None
    assert upgrade_reply(Protocol.IMAP, ". OK Begin TLS", ".") is True
    assert upgrade_reply(Protocol.IMAP, ". NO", ".") is False


def test_openssls_lines_are_its_verification_and_leftover() -> None:
    terminal = (
        "Can't use SSL_get_servername\r\ndepth=0 CN = mx1.example.com\r\n"
        "verify return:1\r\nEHLO early\r\n+OK Dovecot ready.\r\r\n"
        "\x00\x00QUIT\r\n+OK Logging out.\r\r\n"
    )
    assert openssl_lines(terminal, ["+OK Dovecot ready.", "+OK"]) == [
        "depth=0 CN = mx1.example.com",
        "verify return:1",
        "+OK Dovecot ready.",
    ]
    implicit = "depth=0 CN = x\r\n* OK hello\r\nverify return:1\r\n"
    assert openssl_lines(implicit, []) == ["depth=0 CN = x"]
