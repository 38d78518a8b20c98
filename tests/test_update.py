"""``telnetmail check --update``: failing pages rewritten from what the server sent."""

from __future__ import annotations

from pathlib import Path

from recordkit import check
from telnetmail.cli import main

SMTP_WRONG = """\
Pagina
======

Un dialogo scritto a mano, con risposte sbagliate.

.. transcript::
   :name: sbagliata
   :caption: Un dialogo da aggiornare

   telnet: > telnet mx1.example.com smtp
   telnet: Trying 192.0.2.2...
   telnet: Connected to mx1.example.com.
   telnet: Escape character is '^]'.
   server: 220 mx1.example.com ESMTP Postfix

   client: EHLO client.example.com
   server: 250-mx1.example.com
   server: 250-SIZE 20480000
   server: 250 SMTPUTF8

   client: MAIL FROM:<sender@example.com>
   server: 250 2.1.0 Ok
   client: RCPT TO:<nessuno@example.com>
   server: 250 2.1.5 Ok
   client: QUIT
   server: 221 2.0.0 Bye
   telnet: Connection closed by foreign host.

Fine.
"""

SMTP_RIGHT = SMTP_WRONG.replace(
    """\
   server: 250-SIZE 20480000
   server: 250 SMTPUTF8
""",
    """\
   server: 250-SIZE 10240000
   server: 250-8BITMIME
   server: 250-SMTPUTF8
   server: 250-STARTTLS
   server: 250 HELP
""",
).replace(
    "   server: 250 2.1.5 Ok\n",
    "   server: 550 5.1.1 <nessuno@example.com>: Recipient address rejected:"
    " User unknown in virtual mailbox table\n",
)

SEND = """\
Pagina
======

.. transcript::
   :name: invio
   :caption: Un messaggio

   telnet: > telnet mx1.example.com smtp
   server: 220 mx1.example.com ESMTP Postfix
   client: HELO client.example.com
   server: 250 mx1.example.com
   client: MAIL FROM:<sender@example.com>
   server: 250 2.1.0 Ok
   client: RCPT TO:<recipient@example.com>
   server: 250 2.1.5 Ok
   client: DATA
   server: 354 End data with <CR><LF>.<CR><LF>
   client: Subject: Ciao
   client:
   client: Una riga.
   client: .
   server: 250 2.0.0 Ok: queued as {{queue-id@coda:4F2A3000001}}
   client: QUIT
   server: 221 2.0.0 Bye
"""

IMAP_WRONG = """
.. transcript::
   :name: lettura
   :caption: Lo leggo con IMAP
   :after: invio

   telnet: > telnet mx1.example.com imap
   server: * OK Dovecot ready.
   client: a LOGIN MyUsername MyPassword
   server: a OK Logged in

   client: b SELECT INBOX
   server: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
   server: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.
   server: * 2 EXISTS
   server: * 0 RECENT
   server: * OK [UIDVALIDITY {{uidvalidity@v:1234}}] UIDs valid
   server: * OK [UIDNEXT 2] Predicted next UID
   server: b OK [READ-WRITE] Select completed

   client: c FETCH 1 (FLAGS INTERNALDATE)
   server: * 1 FETCH (FLAGS (\\Deleted) INTERNALDATE "{{date@arrivo:27-Nov-2026 11:50:46 +0000}}")
   server: c OK Fetch completed.
   client: d LOGOUT
   server: * BYE Logging out.
   server: d OK Logout completed.
"""


def write(tmp_path: Path, text: str, name: str = "pagina.rst") -> Path:
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    return page


def lines_of(text: str, role: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith(role)]


def test_wrong_server_lines_are_rewritten_to_pass(tmp_path: Path, capsys) -> None:
    page = write(tmp_path, SMTP_WRONG)
    assert main(["check", "-j", "1", "--update", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == SMTP_RIGHT
    out = capsys.readouterr().out
    assert f"--- {page}\n+++ {page}\n" in out
    assert "-   server: 250 2.1.5 Ok\n" in out
    assert "+   server: 250-8BITMIME\n" in out
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dry_run_prints_the_diff_and_changes_nothing(tmp_path: Path, capsys) -> None:
    page = write(tmp_path, SMTP_WRONG)
    assert main(["check", "-j", "1", "--update", "--dry-run", str(page)]) == 1
    assert page.read_text(encoding="utf-8") == SMTP_WRONG
    assert "+   server: 250 HELP\n" in capsys.readouterr().out


def test_marks_captures_and_accepted_replies_are_kept(tmp_path: Path) -> None:
    page = write(tmp_path, SEND + IMAP_WRONG)
    assert main(["check", "-j", "1", "--update", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    before = (SEND + IMAP_WRONG).splitlines()
    after = text.splitlines()
    # Only server lines changed; everything else is where it was.
    assert lines_of(text, "client:") == lines_of(SEND + IMAP_WRONG, "client:")
    assert [line for line in before if "server:" not in line] == [
        line for line in after if "server:" not in line
    ]
    # Replies the verifier accepts stay as written (texts, codes left out).
    assert "   server: a OK Logged in\n" in text
    assert "   server: d OK Logout completed.\n" in text
    # In a reply rewritten, a line the verifier accepts as written stays too.
    assert "   server: c OK Fetch completed.\n" in text
    assert "   server: * OK [UIDVALIDITY {{uidvalidity@v:1234}}] UIDs valid\n" in text
    assert "   server: * 1 EXISTS\n   server: * 1 RECENT\n" in text
    # A changed line keeps its mark and the mark's name, with the new value.
    fetch = next(line for line in after if "* 1 FETCH" in line)
    assert '(FLAGS (\\Recent) INTERNALDATE "{{date@arrivo:' in fetch
    assert "27-Nov-2026" not in fetch
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_page_needing_a_client_change_is_refused(tmp_path: Path, capsys) -> None:
    text = SMTP_RIGHT.replace(
        "   telnet: Connection closed by foreign host.\n",
        "   client: NOOP\n   server: 250 2.0.0 Ok\n",
    )
    page = write(tmp_path, text)
    assert main(["check", "-j", "1", "--update", str(page)]) == 1
    assert page.read_text(encoding="utf-8") == text
    err = capsys.readouterr().err
    lineno = text.splitlines().index("   client: NOOP") + 1
    assert (
        f"{page}:6: not rewritten: 'sbagliata': at line {lineno}, the server closed"
        " the connection before this line could be typed: the dialogue needs a"
        " client change"
    ) in err


def test_dry_run_without_update_is_a_usage_error(tmp_path: Path, capsys) -> None:
    page = write(tmp_path, SMTP_RIGHT)
    assert main(["check", "--dry-run", str(page)]) == 2
    assert "--dry-run goes with --update" in capsys.readouterr().err


def test_a_transcript_after_a_failing_one_is_updated_after_it(tmp_path: Path) -> None:
    wrong_send = SEND.replace(
        "   server: 354 End data with <CR><LF>.<CR><LF>\n", "   server: 250 Ok\n"
    )
    page = write(tmp_path, wrong_send + IMAP_WRONG)
    assert main(["check", "-j", "1", "--update", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "   server: 354 End data with <CR><LF>.<CR><LF>\n" in text
    assert "   server: * 1 EXISTS\n" in text
    result = check(page)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 0 failed" in result.stdout
