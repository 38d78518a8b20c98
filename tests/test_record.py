"""``telnetmail record`` through a terminal, as an author would run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from recordkit import (
    IMAP_READ,
    POP3_READ,
    SMTP_SEND,
    check,
    children,
    record,
    spawn_record,
)
from telnetmail.core.marking import unmarked

PAGE_HEAD = "Pagina\n======\n\nTesto.\n"


def page_with_smtp(tmp_path: Path) -> Path:
    page = tmp_path / "lezione.rst"
    page.write_text(PAGE_HEAD, encoding="utf-8")
    done = record("smtp", SMTP_SEND, "--append", str(page), "--name", "invio")
    assert done.exitstatus == 0, done.before
    return page


def test_smtp_block_passes_check_with_its_queue_id_marked(tmp_path: Path) -> None:
    page = page_with_smtp(tmp_path)
    text = page.read_text(encoding="utf-8")
    assert text.startswith(PAGE_HEAD)
    assert "   :name: invio\n" in text
    assert "   :caption: SMTP: EHLO, MAIL, RCPT, DATA, QUIT\n" in text
    assert "   telnet: > telnet mx1.example.com smtp\n" in text
    assert "   client: MAIL FROM:<sender@example.com>\n" in text
    assert "   client:\n" in text  # the empty line typed after the header
    assert "server: 250 2.0.0 Ok: queued as {{queue-id:" in text
    assert text.endswith(
        "   server: 221 2.0.0 Bye\n   telnet: Connection closed by foreign host.\n"
    )
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed" in result.stdout


def test_pop3_after_smtp_marks_unique_ids_dates_and_ids(tmp_path: Path) -> None:
    page = page_with_smtp(tmp_path)
    done = record("pop3", POP3_READ, "--append", str(page), "--after", "invio")
    assert done.exitstatus == 0, done.before
    block = page.read_text(encoding="utf-8").split(".. transcript::")[2]
    assert ":name: pop3-stat-uidl-retr" in block
    assert ":after: invio" in block
    assert "   server: 1 {{word:" in block  # UIDL
    stat_reply = block.split("client: STAT\n")[1].splitlines()[0]
    assert stat_reply.startswith("   server: +OK 1 ") and "{{" not in stat_reply
    assert "Message-Id: {{message-id:<" in block
    assert "Date: {{date:" in block
    assert "with ESMTP id {{queue-id:" in block
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 0 failed" in result.stdout


def test_imap_recorded_twice_differs_only_inside_marks(tmp_path: Path) -> None:
    page = page_with_smtp(tmp_path)
    blocks = []
    for number in (1, 2):
        out = tmp_path / f"imap{number}.rst"
        options = ("-o", str(out), "--after", "invio", "--pages", str(page))
        done = record("imap", IMAP_READ, *options)
        assert done.exitstatus == 0, done.before
        blocks.append(out.read_text(encoding="utf-8"))
    first, second = blocks
    assert "[UIDVALIDITY {{uidvalidity:" in first
    assert 'INTERNALDATE "{{date:' in first
    # The same message id twice (ENVELOPE, header): one value, captured.
    assert first.count("{{message-id@msgid1:") == 2
    assert first != second  # UIDVALIDITY differs from run to run
    assert unmarked(first) == unmarked(second)
    joined = tmp_path / "imap.rst"
    joined.write_text(PAGE_HEAD + "\n" + first, encoding="utf-8")
    result = check(page, joined)
    assert result.returncode == 0, result.stdout + result.stderr


def test_block_on_stdout_with_python_telnet(tmp_path: Path) -> None:
    done = record("smtp", [("QUIT", "221 ")], "--telnet", "python")
    assert done.exitstatus == 0, done.before
    output = done.before.replace("\r\n", "\n")
    block = output[output.index(".. transcript::") :]
    assert ":name: smtp\n" in block
    page = tmp_path / "saluto.rst"
    page.write_text(PAGE_HEAD + "\n" + block, encoding="utf-8")
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("signum", "status", "said"),
    [
        (signal.SIGTERM, 128 + signal.SIGTERM, "stopped by SIGTERM"),
        (signal.SIGHUP, 128 + signal.SIGHUP, "stopped by SIGHUP"),
        (signal.SIGINT, 130, "telnetmail: interrupted"),
    ],
)
def test_a_signal_reaps_telnet_and_writes_nothing(
    tmp_path: Path, signum: int, status: int, said: str
) -> None:
    out = tmp_path / "out.rst"
    child = spawn_record("smtp", "-o", str(out))
    try:
        child.expect_exact("220 ")
        telnets = children(child.pid)
        assert len(telnets) == 1
        os.kill(child.pid, signum)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == status
    assert said in child.before
    time.sleep(0.1)
    assert not Path(f"/proc/{telnets[0]}").exists()
    assert not out.exists()


def test_a_port_naming_no_service_is_a_usage_error() -> None:
    child = spawn_record("12345")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "'12345' names no mail service" in child.before


def test_without_a_terminal_record_refuses() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "record", "mx1.example.com", "smtp"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "record needs a terminal" in result.stderr


def test_after_naming_no_transcript_is_a_usage_error(tmp_path: Path) -> None:
    page = tmp_path / "vuota.rst"
    page.write_text(PAGE_HEAD, encoding="utf-8")
    child = spawn_record("pop3", "--after", "nessuno", "--pages", str(page))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "names 'nessuno', which no transcript is named" in child.before


def test_connect_records_against_a_server_given_by_address(tmp_path: Path) -> None:
    from telnetmail.core.model import Protocol
    from telnetmail.replay.backends import make_backend

    lab = make_backend("embedded")
    lab.start()
    try:
        address = f"127.0.0.1:{lab.port_for(Protocol.POP3)}"
        out = tmp_path / "lab.rst"
        done = record(
            "pop3",
            [("USER MyUsername", "+OK"), ("QUIT", "+OK")],
            "--connect",
            address,
            "-o",
            str(out),
        )
    finally:
        lab.stop()
    assert done.exitstatus == 0, done.before
    block = out.read_text(encoding="utf-8")
    assert "   telnet: > telnet mx1.example.com pop3\n" in block
    assert "   client: USER MyUsername\n   server: +OK\n" in block
    page = write_page(tmp_path, block)
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr


def test_after_with_connect_is_a_usage_error() -> None:
    child = spawn_record("pop3", "--connect", "127.0.0.1:1", "--after", "invio")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "--after replays on a backend: it cannot go with --connect" in child.before


def write_page(tmp_path: Path, block: str) -> Path:
    page = tmp_path / "page.rst"
    page.write_text(PAGE_HEAD + "\n" + block, encoding="utf-8")
    return page


def test_a_block_appended_to_a_myst_page_passes_check(tmp_path: Path) -> None:
    page = tmp_path / "lezione.md"
    page.write_text("# Lezione\n\nTesto.\n", encoding="utf-8")
    done = record(
        "smtp",
        [("HELO client.example.com", "250 "), ("QUIT", "221 ")],
        "--append",
        str(page),
    )
    assert done.exitstatus == 0, done.before
    text = page.read_text(encoding="utf-8")
    assert "\n```{transcript}\n:name: smtp\n" in text
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
