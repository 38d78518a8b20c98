"""The dovecot-postfix backend: private Postfix and Dovecot, started, reset, stopped.

Needs root and the Debian packages (``.ci/run`` installs them); elsewhere
every test that starts the servers is skipped with what is missing and how
to get it.
"""

from __future__ import annotations

import imaplib
import os
import poplib
import random
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from telnetmail.cli import EXIT_USAGE, main
from telnetmail.core.model import Protocol
from telnetmail.core.rstscan import scan
from telnetmail.replay import dovecot_postfix, in_order, warden
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

COURSE = Path(__file__).resolve().parent.parent / "course"
SEED_PAGE = COURSE / "telnet-mail.rst"

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
    ports = Ports(2525, 1110, 1143, 2587, 2465, 1995, 1993)
    backend.base, backend.ports = tmp_path, ports
    values = backend.values()
    for template in dovecot_postfix.TEMPLATES.iterdir():
        text = dovecot_postfix.render(template, values)
        assert re.search(r"@[a-z_]+@", text) is None, template.name


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
    assert backend.warden is not None
    guard = backend.warden.pid
    try:
        assert len(groups) == 2 and all(group_members(group) for group in groups)
        assert process_identity(guard) is not None, "no warden"
        for protocol in Protocol:
            with socket.create_connection(
                ("127.0.0.1", backend.port_for(protocol)), timeout=5
            ):
                pass
    finally:
        backend.stop()
    assert all(group_members(group) == [] for group in groups)
    assert base is not None and not base.exists()
    assert process_identity(guard) is None, "the warden outlives stop()"
    backend.stop()  # idempotent


def in_fresh_python(script: str) -> str:
    """What *script* prints, run by a fresh interpreter: a process that no
    backend of this one (the module's fixture) has made a subreaper."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_subreaper_flag_is_held_while_any_backend_runs_and_then_restored():
    script = (
        "from telnetmail.replay.dovecot_postfix import Subreaping, is_subreaper\n"
        "one, two = Subreaping(), Subreaping()\n"
        "seen = [is_subreaper()]\n"
        "one.acquire(); one.acquire(); one.release(); seen.append(is_subreaper())\n"
        "one.release(); seen.append(is_subreaper())\n"
        # A host that was a subreaper before stays one.
        "two.acquire(); one.acquire(); one.release(); seen.append(is_subreaper())\n"
        "two.release(); seen.append(is_subreaper())\n"
        "print(seen)\n"
    )
    assert in_fresh_python(script) == "[False, True, False, True, False]\n"


@needs_real_servers
def test_after_stop_the_host_is_no_subreaper_and_has_no_zombie_of_the_servers():
    script = (
        "import os\n"
        "from telnetmail.replay import warden\n"
        "from telnetmail.replay.dovecot_postfix import DovecotPostfixBackend, is_subreaper\n"
        "backend = DovecotPostfixBackend()\n"
        "backend.start()\n"
        "running = is_subreaper()\n"
        "backend.stop()\n"
        "me = str(os.getpid())\n"
        "children = [p for p in warden.live_pids() if (warden.proc_stat(p) or ['', ''])[1] == me]\n"
        "print(running, is_subreaper(), children)\n"
    )
    assert in_fresh_python(script) == "True False []\n"


#: A fresh interpreter that stops a backend while a delivery is under way
#: (the gate holds it: a message queued earlier, that never leaves), then
#: prints its own children: the LDA's, once Postfix's pipe is gone, is ours.
STOP_DURING_DELIVERY = """
import os, smtplib, time
from pathlib import Path
from telnetmail.core.model import Protocol
from telnetmail.replay import warden
from telnetmail.replay.dovecot_postfix import DovecotPostfixBackend

backend = DovecotPostfixBackend()
backend.start()
earlier = backend.base / "postfix" / "spool" / "active" / "00000AAAA"
earlier.touch()
earlier.chmod(0o700)  # complete, for the gate
past = time.time() - 60
os.utime(earlier, (past, past))
with smtplib.SMTP("127.0.0.1", backend.port_for(Protocol.SMTP), "client.example.com") as smtp:
    smtp.sendmail("sender@example.com", ["recipient@example.com"], b"Subject: x\\r\\n\\r\\nBody.\\r\\n")

def gates():
    found = []
    for pid in warden.live_pids():
        try:
            if b"in_order.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass  # gone meanwhile
    return found

deadline = time.monotonic() + 10
while not gates() and time.monotonic() < deadline:
    time.sleep(0.005)
waiting = bool(gates())
backend.stop()
me = str(os.getpid())
children = [p for p in warden.live_pids() if (warden.proc_stat(p) or ["", ""])[1] == me]
print(waiting, children)
"""


@needs_real_servers
def test_stopping_during_a_delivery_leaves_no_zombie_to_the_host():
    assert in_fresh_python(STOP_DURING_DELIVERY) == "True []\n"


@needs_real_servers
def test_a_port_taken_before_the_server_binds_it_is_retried(monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        others = [dovecot_postfix.free_port() for _ in range(6)]
        picks = iter([Ports(taken, *others)])
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
    # Each transcript alone, then the page walked in order on one server.
    assert [outcome.status for outcome in outcomes] == [Status.PASSED] * (
        2 * len(cases)
    ), [describe(o) for o in outcomes]


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


def test_the_gate_waits_only_for_finished_earlier_messages(tmp_path):
    spool = tmp_path
    for queue in in_order.PENDING:
        (spool / queue).mkdir()
    second = 1_796_055_095  # the file's last write: a few ms after the id's moment
    files = [  # queue, queue id (microseconds in hex, then inode), mode, written at (µs)
        ("active", "F4200AB1", 0o700, 999_936),  # .999936 s: earlier, being delivered
        ("incoming", "00010AB2", 0o600, 1_000_100),  # earlier, still being written
        ("active", "00020AB3", 0o700, 1_000_600),  # this one (.000032 of the next second)
        ("incoming", "00030AB4", 0o700, 1_000_900),  # later
    ]
    for queue, name, mode, written in files:
        path = spool / queue / name
        path.touch()
        path.chmod(mode)
        at = (second * 1_000_000 + written) * 1000
        os.utime(path, ns=(at, at))
    assert in_order.earlier(str(spool), "00020AB3") == ["F4200AB1"]
    assert in_order.earlier(str(spool), "00030AB4") == ["00020AB3", "F4200AB1"]
    assert not in_order.wait_for_earlier(str(spool), "00020AB3", max_wait=0)
    (spool / "active" / "F4200AB1").unlink()
    assert in_order.wait_for_earlier(str(spool), "00020AB3", max_wait=0)


def quick_gate(spool: Path, queue_id: str) -> str:
    """What in_order.sh runs for ``queue_id``: ``echo`` stands for both the
    gate's Python and the LDA, so the words printed say which ran."""
    python, gate, lda = "/bin/echo", "GATE", ["/bin/echo", "LDA", "-d", "recipient@example.com"]
    quick = ["/bin/sh", str(dovecot_postfix.IN_ORDER_QUICK), str(spool), queue_id]
    done = subprocess.run(
        [*quick, python, gate, *lda], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def test_the_quick_way_skips_the_gate_only_when_no_other_mail_is_queued(tmp_path):
    for queue in in_order.PENDING:
        (tmp_path / queue).mkdir()
    (tmp_path / "active" / "00020AB3").touch()
    assert quick_gate(tmp_path, "00020AB3") == "LDA -d recipient@example.com"
    # Any other message, complete or not, earlier or later: the gate decides.
    for queue, other in (("incoming", "00010AB2"), ("active", "00030AB4")):
        (tmp_path / queue / other).touch()
        assert quick_gate(tmp_path, "00020AB3") == (
            f"-I -S GATE {tmp_path} 00020AB3 /bin/echo LDA -d recipient@example.com"
        )
        (tmp_path / queue / other).unlink()


# -- nothing outlives the verifier -------------------------------------------------

#: Pages for a check to be killed in the middle of: long enough to outlast
#: every moment chosen below. The whole course (about 5 s with worker
#: processes here): four pages, since chains are typed once and workers run
#: side by side, sometimes ended within 2 s, before the last moment.
KILLED_PAGES = [str(COURSE)]
#: Windows (seconds after the check's first child appears) to kill it in:
#: while the servers start, in the first transcripts, later on.
MOMENTS = [(0.0, 0.15), (0.15, 0.8), (0.8, 2.0)]
#: Seconds the servers have to vanish once the check is dead.
VANISH_TIMEOUT = 15.0


def process_identity(pid: int) -> tuple[int, str, int] | None:
    """(pid, start time, session) of a live process, None if gone or a zombie."""
    fields = warden.proc_stat(pid)
    if fields is None or fields[0] == "Z":
        return None
    return pid, fields[19], int(fields[3])


def descendants(root: int) -> set[tuple[int, str, int]]:
    """Every live process below ``root``, by parent links in /proc."""
    children: dict[int, list[int]] = {}
    for pid in warden.live_pids():
        fields = warden.proc_stat(pid)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(pid)
    found, todo = set(), list(children.get(root, []))
    while todo:
        pid = todo.pop()
        identity = process_identity(pid)
        if identity is not None:
            found.add(identity)
        todo += children.get(pid, [])
    return found


def still_running(
    seen: set[tuple[int, str, int]], sessions: set[int]
) -> list[tuple[int, str, int]]:
    """What is left of the run: a process seen before (same pid and start time),
    or any process in one of its sessions (a child born after we looked)."""
    left = [identity for identity in seen if process_identity(identity[0]) == identity]
    for pid in warden.live_pids():
        identity = process_identity(pid)
        if identity is not None and identity[2] in sessions:
            left.append(identity)
    return sorted(set(left))


def start_check(temp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "telnetmail", "check", "-q", "--backend", "dovecot-postfix"]
        + KILLED_PAGES,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
        # A session of its own: every process of the run is told from ours.
        start_new_session=True,
    )


def kill_at(check: subprocess.Popen[str], signum: int, delay: float) -> set:
    """Wait for the check's first child, then ``delay`` s, then send ``signum``.

    Returns every process of the run alive just before the signal.
    """
    deadline = time.monotonic() + 30
    while not descendants(check.pid):
        assert check.poll() is None, check.communicate()[1]
        assert time.monotonic() < deadline, "the check started nothing"
        time.sleep(0.002)
    time.sleep(delay)
    seen = descendants(check.pid)
    assert check.poll() is None, "the check ended before the signal"
    os.kill(check.pid, signum)
    return seen


@needs_real_servers
@pytest.mark.parametrize("moment", range(len(MOMENTS)))
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_killing_the_check_leaves_no_server_telnet_or_folder(signum, moment):
    delay = random.uniform(*MOMENTS[moment])
    why = f"{signal.Signals(signum).name} {delay:.3f} s after the first child"
    temp = Path(tempfile.mkdtemp(prefix="tmk-", dir="/tmp"))
    temp.chmod(0o755)  # open to the servers' users, so the run's folder goes there
    check = start_check(temp)
    try:
        seen = kill_at(check, signum, delay)
        _, stderr = check.communicate(timeout=30)
    finally:
        if check.poll() is None:
            check.kill()
            check.wait()
    sessions = {session for _, _, session in seen}
    deadline = time.monotonic() + VANISH_TIMEOUT
    while still_running(seen, sessions) and time.monotonic() < deadline:
        time.sleep(0.01)
    left = still_running(seen, sessions)
    leftover_files = list(temp.iterdir())
    shutil.rmtree(temp, ignore_errors=True)
    assert left == [], f"{why}: {[_command(pid) for pid, _, _ in left]}"
    assert leftover_files == [], why
    if signum == signal.SIGKILL:
        assert check.returncode == -signal.SIGKILL
    else:  # handled like Ctrl-C: cleaned up, and an exit status that names it
        assert check.returncode == 128 + signum, f"{why}: {stderr}"
        assert "stopped by" in stderr, why


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return f"{pid} (gone)"


@needs_real_servers
def test_a_long_tmpdir_does_not_keep_the_servers_from_starting(tmp_path):
    long_tmpdir = tmp_path / ("t" * 150)
    long_tmpdir.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "check", "-q", "--backend", "dovecot-postfix", str(SEED_PAGE)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(long_tmpdir)},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(long_tmpdir.iterdir()) == []


def test_a_long_or_private_tmpdir_gives_way_to_a_short_open_one(monkeypatch):
    for name in ("t" * 150, "private"):
        folder = Path(tempfile.mkdtemp(dir="/tmp")) / name
        folder.parent.chmod(0o755)
        folder.mkdir(mode=0o700)
        try:
            monkeypatch.setattr(tempfile, "tempdir", str(folder))
            assert dovecot_postfix.temp_root() == "/tmp"
            folder.chmod(0o755)
            short = len(str(folder)) <= dovecot_postfix.MAX_TEMP_ROOT
            expected = str(folder) if short else "/tmp"
            assert dovecot_postfix.temp_root() == expected
        finally:
            shutil.rmtree(folder.parent)


def test_the_warden_removes_the_folder_it_made_when_the_backend_died_before_reading(
    tmp_path,
):
    # The backend SIGKILLed between asking for its folder and reading where it
    # is: the warden's answer meets a broken pipe, and the folder must go all
    # the same.
    process = subprocess.Popen(
        [sys.executable, "-I", "-S", warden.__file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{tmp_path}\n".encode())
    process.stdin.flush()
    process.stdout.close()
    process.stdin.close()
    assert process.wait(20) == 0, process.stderr.read() if process.stderr else ""
    assert list(tmp_path.iterdir()) == []
