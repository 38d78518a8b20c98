"""``telnetmail record --backend dovecot-postfix``: real Postfix and Dovecot."""

from __future__ import annotations

from pathlib import Path

import pytest
from recordkit import IMAP_READ, POP3_READ, SMTP_SEND, check, record

from telnetmail.core.marking import unmarked
from telnetmail.replay.dovecot_postfix import missing_requirements, requirement_message

MISSING = missing_requirements()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=requirement_message(MISSING))

BACKEND = ("--backend", "dovecot-postfix")


def test_blocks_recorded_on_postfix_and_dovecot_pass_there(tmp_path: Path) -> None:
    page = tmp_path / "pagina.rst"
    page.write_text("Pagina\n======\n", encoding="utf-8")
    for service, steps, options in [
        ("smtp", SMTP_SEND, ("--name", "invio")),
        ("imap", IMAP_READ, ("--after", "invio")),
        ("pop3", POP3_READ, ("--after", "invio")),
    ]:
        done = record(service, steps, "--append", str(page), *BACKEND, *options)
        assert done.exitstatus == 0, done.before
    text = page.read_text(encoding="utf-8")
    # Dovecot's timings and Postfix's queue ids vary from run to run.
    assert "Select completed ({{text:" in text
    assert "queued as {{queue-id:" in text
    assert "   server: 1 {{word:" in text
    result = check(page, backend="dovecot-postfix")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed, 0 failed" in result.stdout


def test_a_second_recording_differs_only_inside_marks(tmp_path: Path) -> None:
    blocks = []
    for number in (1, 2):
        out = tmp_path / f"smtp{number}.rst"
        done = record("smtp", SMTP_SEND, "-o", str(out), *BACKEND)
        assert done.exitstatus == 0, done.before
        blocks.append(out.read_text(encoding="utf-8"))
    assert blocks[0] != blocks[1]  # Postfix's queue ids are never the same
    assert unmarked(blocks[0]) == unmarked(blocks[1])


def test_starttls_through_openssl_recorded_on_postfix_passes_there(
    tmp_path: Path,
) -> None:
    from recordkit import record_openssl

    command = (
        "openssl s_client -quiet -crlf -starttls smtp -connect mx1.example.com:587"
    )
    steps = [
        ("EHLO client.example.com", "250 "),
        ("AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==", "235 "),
        ("QUIT", "221 "),
    ]
    out = tmp_path / "invio.rst"
    done, _ = record_openssl(command, "250 ", steps, "-o", str(out), *BACKEND)
    assert done.exitstatus == 0, done.before
    block = out.read_text(encoding="utf-8")
    assert "   telnet: verify return:1\n   telnet: 250 CHUNKING\n" in block
    page = tmp_path / "pagina.rst"
    page.write_text("Pagina\n======\n\n" + block, encoding="utf-8")
    result = check(page, backend="dovecot-postfix")
    assert result.returncode == 0, result.stdout + result.stderr
