"""The dovecot-postfix backend: private Postfix and Dovecot, started, reset, stopped.

Needs root and the Debian packages (``.ci/run`` installs them); elsewhere
every test that starts the servers is skipped with what is missing and how
to get it.
"""

from __future__ import annotations

import imaplib
import os
import poplib
import signal
import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from telnetmail.cli import EXIT_USAGE, main
from telnetmail.core.model import Protocol
from telnetmail.core.rstscan import scan
from telnetmail.replay import dovecot_postfix
from telnetmail.replay.backends import BACKENDS, BackendUnavailable, make_backend
from telnetmail.replay.dovecot_postfix import (
    DovecotPostfixBackend,
    Ports,
    group_members,
    missing_requirements,
    requirement_message,
)
from telnetmail.replay.engine import Case, Status
from telnetmail.replay.report import describe
from telnetmail.replay.runner import run_cases

SEED_PAGE = Path(__file__).resolve().parent.parent / "course" / "telnet-mail.rst"

MISSING = missing_requirements()
needs_real_servers = pytest.mark.skipif(
    bool(MISSING), reason=requirement_message(MISSING)
)


@pytest.fixture(scope="module")
def backend() -> Iterator[DovecotPostfixBackend]:
    if MISSING:
        pytest.skip(requirement_message(MISSING))
    started = DovecotPostfixBackend()
    started.start()
    yield started
    started.stop()


@pytest.fixture
def fresh(backend: DovecotPostfixBackend) -> DovecotPostfixBackend:
    """The module's backend, emptied."""
    backend.reset()
    return backend


def send(backend: DovecotPostfixBackend, to: str = "recipient@example.com") -> None:
    with smtplib.SMTP(
        "127.0.0.1", backend.port_for(Protocol.SMTP), "client.example.com", timeout=5
    ) as smtp:
        smtp.sendmail("sender@example.com", [to], b"Subject: Test\r\n\r\nBody.\r\n")


def pop3_count(backend: DovecotPostfixBackend) -> int:
    pop = poplib.POP3("127.0.0.1", backend.port_for(Protocol.POP3), timeout=5)
    try:
        pop.user("MyUsername")
        pop.pass_("MyPassword")
        return pop.stat()[0]
    finally:
        pop.quit()


def maildir_count(backend: DovecotPostfixBackend) -> int:
    assert backend.base is not None
    maildir = backend.base / "mail" / "MyUsername" / "Maildir"
    return sum(
        1
        for sub in ("new", "cur")
        for entry in (maildir / sub).iterdir()
        if entry.is_file()
    )


# -- without the servers ---------------------------------------------------------


def test_it_is_a_choice_beside_embedded():
    assert {"embedded", "dovecot-postfix"} <= set(BACKENDS)
    assert make_backend("dovecot-postfix").name == "dovecot-postfix"


def test_missing_requirements_say_what_and_how_to_get_it(monkeypatch):
    monkeypatch.setattr(dovecot_postfix.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(dovecot_postfix.os, "access", lambda path, mode: False)
    missing = missing_requirements()
    assert missing[0].startswith("root")
    assert any("(package postfix)" in item for item in missing)
    assert any("(package dovecot-imapd)" in item for item in missing)
    with pytest.raises(
        BackendUnavailable,
        match="apt-get install .*postfix dovecot-imapd dovecot-pop3d",
    ):
        DovecotPostfixBackend().start()


def test_check_says_what_is_missing_instead_of_a_traceback(monkeypatch, capsys):
    monkeypatch.setattr(dovecot_postfix.os, "geteuid", lambda: 1000)
    assert main(["check", "--backend", "dovecot-postfix", str(SEED_PAGE)]) == EXIT_USAGE
    assert "the dovecot-postfix backend needs root" in capsys.readouterr().err


def test_templates_leave_no_placeholder_unfilled(tmp_path):
    backend = DovecotPostfixBackend()
    backend.base, backend.ports = tmp_path, Ports(2525, 1110, 1143)
    values = backend.values()
    for template in dovecot_postfix.TEMPLATES.iterdir():
        text = dovecot_postfix.render(template, values)
        assert "@base@" not in text and "@smtp_port@" not in text, template.name


def test_stop_before_start_does_nothing():
    backend = DovecotPostfixBackend()
    backend.stop()
    backend.stop()


# -- start and stop -------------------------------------------------------------


@needs_real_servers
def test_start_and_stop_leave_no_process_and_no_directory():
    backend = DovecotPostfixBackend()
    backend.start()
    groups = [process.pid for process in backend.processes]
    base = backend.base
    try:
        assert len(groups) == 2 and all(group_members(group) for group in groups)
        for protocol in Protocol:
            with socket.create_connection(
                ("127.0.0.1", backend.port_for(protocol)), timeout=5
            ):
                pass
    finally:
        backend.stop()
    assert all(group_members(group) == [] for group in groups)
    assert base is not None and not base.exists()
    backend.stop()  # idempotent


@needs_real_servers
def test_a_port_taken_before_the_server_binds_it_is_retried(monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        picks = iter(
            [Ports(taken, dovecot_postfix.free_port(), dovecot_postfix.free_port())]
        )
        original = Ports.pick
        monkeypatch.setattr(
            Ports, "pick", classmethod(lambda cls: next(picks, None) or original())
        )
        backend = DovecotPostfixBackend()
        backend.start()
        try:
            assert backend.port_for(Protocol.SMTP) != taken
            send(backend)
        finally:
            backend.stop()


# -- between transcripts -----------------------------------------------------------


@needs_real_servers
def test_settle_waits_until_the_message_is_in_the_mailbox(fresh):
    send(fresh)
    fresh.settle()
    assert maildir_count(fresh) == 1
    assert not fresh.queued(dovecot_postfix.IN_TRANSIT)


@needs_real_servers
def test_reset_empties_the_mailbox(fresh):
    send(fresh)
    send(fresh)
    fresh.settle()
    assert pop3_count(fresh) == 2
    fresh.reset()
    assert pop3_count(fresh) == 0


@needs_real_servers
def test_reset_right_after_accepting_leaves_no_late_mail(fresh):
    send(fresh)
    fresh.reset()  # without settle(): reset waits for delivery before it wipes
    assert maildir_count(fresh) == 0
    assert pop3_count(fresh) == 0


@needs_real_servers
def test_reset_ends_open_sessions(fresh):
    imap = imaplib.IMAP4("127.0.0.1", fresh.port_for(Protocol.IMAP), timeout=5)
    imap.login("MyUsername", "MyPassword")
    imap.select("INBOX")
    fresh.reset()
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        imap.noop()
        imap.noop()


# -- what Postfix accepts -------------------------------------------------------------


@needs_real_servers
def test_relaying_is_refused_even_for_loopback(fresh):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(fresh, "someone@example.org")
    code, text = refused.value.recipients["someone@example.org"]
    assert code == 554 and b"Relay access denied" in text


@needs_real_servers
def test_an_unknown_user_is_refused_with_550(fresh):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(fresh, "nobody@example.com")
    code, text = refused.value.recipients["nobody@example.com"]
    assert code == 550 and b"5.1.1" in text


# -- the course ---------------------------------------------------------------------


@needs_real_servers
def test_the_seed_page_passes():
    text = SEED_PAGE.read_text(encoding="utf-8")
    cases = [
        Case.parse(str(SEED_PAGE), b.lineno, b.content, b.options) for b in scan(text)
    ]
    outcomes = run_cases(cases, backend="dovecot-postfix")
    assert [outcome.status for outcome in outcomes] == [Status.PASSED] * 3, [
        describe(o) for o in outcomes
    ]


@needs_real_servers
def test_save_actual_records_what_the_real_servers_said(tmp_path):
    assert (
        main(
            [
                "check",
                "-q",
                "--backend",
                "dovecot-postfix",
                "--save-actual",
                str(tmp_path),
                str(SEED_PAGE),
            ]
        )
        == 0
    )
    smtp = (tmp_path / "course" / "telnet-mail" / "seed-smtp.txt").read_text(
        encoding="utf-8"
    )
    assert "server: 220 mx1.example.com ESMTP Postfix\n" in smtp
    assert "client: HELO client.example.com\n" in smtp
    pop3 = (tmp_path / "course" / "telnet-mail" / "seed-pop3.txt").read_text(
        encoding="utf-8"
    )
    assert "server: +OK Dovecot ready.\n" in pop3


# -- delivery order ----------------------------------------------------------------

#: Messages in one burst, and bursts per test.
BURST = 6
ROUNDS = 5


def send_burst(backend: DovecotPostfixBackend, count: int) -> None:
    """``count`` messages in one SMTP session, each sent the moment the last is accepted.

    A raw socket with Nagle off: far faster than anyone at a telnet prompt.
    """
    with socket.create_connection(
        ("127.0.0.1", backend.port_for(Protocol.SMTP)), timeout=10
    ) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        replies = conn.makefile("rb")
        assert replies.readline().startswith(b"220")
        conn.sendall(b"HELO client.example.com\r\n")
        assert replies.readline().startswith(b"250")
        for number in range(count):
            conn.sendall(
                b"MAIL FROM:<sender@example.com>\r\n"
                b"RCPT TO:<recipient@example.com>\r\nDATA\r\n"
            )
            codes = [replies.readline()[:3] for _ in range(3)]
            assert codes == [b"250", b"250", b"354"], codes
            conn.sendall(b"Subject: m%d\r\n\r\nBody.\r\n.\r\n" % number)
            assert replies.readline().startswith(b"250")
        conn.sendall(b"QUIT\r\n")


def pop3_subjects(backend: DovecotPostfixBackend) -> list[str]:
    pop = poplib.POP3("127.0.0.1", backend.port_for(Protocol.POP3), timeout=5)
    try:
        pop.user("MyUsername")
        pop.pass_("MyPassword")
        return [
            _subject(pop.top(number, 0)[1])
            for number in range(1, pop.stat()[0] + 1)
        ]
    finally:
        pop.quit()


def imap_subjects(backend: DovecotPostfixBackend) -> list[str]:
    imap = imaplib.IMAP4("127.0.0.1", backend.port_for(Protocol.IMAP), timeout=5)
    try:
        imap.login("MyUsername", "MyPassword")
        imap.select("INBOX", readonly=True)
        _, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        return [
            _subject(part[1].splitlines()) for part in data if isinstance(part, tuple)
        ]
    finally:
        imap.logout()


def _subject(lines: list[bytes]) -> str:
    return next(
        line.decode()[len("Subject: ") :]
        for line in lines
        if line.startswith(b"Subject: ")
    )


def queue_manager(backend: DovecotPostfixBackend) -> int:
    """Postfix's qmgr: the process that takes new mail into delivery."""
    for pid in group_members(backend.processes[0].pid):
        if Path(f"/proc/{pid}/comm").read_text().strip() == "qmgr":
            return pid
    raise AssertionError("no qmgr running")


@needs_real_servers
@pytest.mark.parametrize("queue_manager_lags", [False, True])
def test_messages_land_in_the_order_one_session_sent_them(fresh, queue_manager_lags):
    # With the queue manager paused while the burst arrives (as on a loaded
    # machine), Postfix alone delivers the messages in directory order: a
    # shuffle nearly every time.
    expected = [f"m{number}" for number in range(BURST)]
    for _ in range(ROUNDS):
        fresh.reset()
        paused = queue_manager(fresh) if queue_manager_lags else None
        if paused is not None:
            os.kill(paused, signal.SIGSTOP)
        try:
            send_burst(fresh, BURST)
        finally:
            if paused is not None:
                os.kill(paused, signal.SIGCONT)
        fresh.settle()
        assert pop3_subjects(fresh) == expected
        assert imap_subjects(fresh) == expected
