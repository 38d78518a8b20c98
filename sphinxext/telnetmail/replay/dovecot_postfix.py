"""The ``dovecot-postfix`` backend: the course against real Postfix and Dovecot.

Private instances, nothing shared with the system's own mail service: each
backend renders the templates in ``templates/dovecot-postfix/`` into a
temporary directory (configuration, queue, logs, mailboxes) and starts
Postfix's ``master`` and Dovecot there, in the foreground, each in a
process group of its own, listening on free ports of 127.0.0.1. Postfix
accepts mail for the course's accounts and hands it to Dovecot's LDA, which
writes the Maildir that Dovecot's IMAP and POP3 serve, in the order the SMTP
dialogue accepted the messages (``in_order.py``). ``save()`` and
``put_back()`` take each account's home into memory and write it back
(``foldercopy.py``): a :after: chain that several dialogues share is replayed
once, as on the embedded server. ``stop()`` ends both
process groups and removes the directory; should our process die first,
of whatever cause, the warden (``warden.py``) does it.

Postfix runs only as root, so this backend needs root, and the Debian
packages ``postfix``, ``dovecot-imapd`` and ``dovecot-pop3d``:
:func:`missing_requirements` says what is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail.replay import warden
from telnetmail.replay.backends import BackendUnavailable
from telnetmail.replay.children import prctl
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME
from telnetmail.replay.foldercopy import FolderCopy

if TYPE_CHECKING:
    from telnetmail.core.model import Protocol
    from telnetmail.server.config import Account

TEMPLATES = Path(__file__).parent / "templates" / "dovecot-postfix"
#: Scripts run with the standard library only (``python -I -S``): the warden,
#: and the delivery gate that Postfix runs as the mail user.
WARDEN = Path(warden.__file__)
IN_ORDER = Path(__file__).with_name("in_order.py")
#: The gate's quick way in (a shell script), when no other message is queued.
IN_ORDER_QUICK = Path(__file__).with_name("in_order.sh")
#: Interpreters for the scripts: ours first; the system's when the mail user
#: cannot reach ours (a Python under /root).
PYTHONS = (sys.executable, "/usr/bin/python3")

POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
POSTSUPER = "/usr/sbin/postsuper"
DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
DOVECOT_LDA = "/usr/lib/dovecot/dovecot-lda"
DOVECOT_IMAP = "/usr/lib/dovecot/imap"
DOVECOT_POP3 = "/usr/lib/dovecot/pop3"

#: Each program the backend runs, and the Debian package that installs it.
PROGRAMS = {
    POSTFIX_MASTER: "postfix",
    POSTSUPER: "postfix",
    DOVECOT: "dovecot-core",
    DOVEADM: "dovecot-core",
    DOVECOT_LDA: "dovecot-core",
    DOVECOT_IMAP: "dovecot-imapd",
    DOVECOT_POP3: "dovecot-pop3d",
}
#: System users the packages create: Postfix's and Dovecot's own, and the
#: owner of the mailboxes (Debian's ``mail``).
USERS = {
    "postfix": "postfix",
    "dovecot": "dovecot-core",
    "dovenull": "dovecot-core",
    "mail": "base-passwd",
}
MAIL_USER = "mail"

# Generic: the library knows nothing of any project's CI scripts.
INSTALL_HINT = (
    "as root, on Debian: apt-get install --no-install-recommends"
    " postfix dovecot-imapd dovecot-pop3d"
    " (preseed debconf: postfix/main_mailer_type 'Local only')"
)

#: Seconds to wait for the servers to listen, and for Postfix to deliver.
START_TIMEOUT = 10.0
SETTLE_TIMEOUT = 10.0
#: Seconds mail in transit has to land when the backend stops.
STOP_GRACE = 1.0
#: Seconds an IMAP or POP3 session has to end by itself at a reset before it
#: is kicked: one whose client hung up takes a few ms; kicking one that was
#: ending anyway costs only doveadm's start (10-20 ms).
KICK_AFTER = 0.05
#: Attempts at start-up: another process may take a port between our
#: choosing it and the server binding it.
START_ATTEMPTS = 3

#: Postfix queues holding mail not yet delivered.
IN_TRANSIT = ("maildrop", "incoming", "active")
#: Queues holding mail that delivery will not reach in a replay's time.
STUCK = ("deferred", "hold", "corrupt")

#: Longest folder to make the backend's directory in. Unix socket paths
#: hold at most 107 bytes, and Dovecot's and Postfix's go up to 37 bytes below
#: the directory (``dovecot/run/token-login/imap-urlauth``), which adds 12.
MAX_TEMP_ROOT = 48
#: Where to go when TMPDIR is longer than that. (Not memory first, though
#: it would spare each message the servers' fsync: Postfix's queue ids end
#: in the queue file's inode number, and a tmpfs's short ones would change
#: the length of every Received: line, so the sizes the pages show.)
SHORT_TEMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")


def missing_requirements() -> list[str]:
    """What keeps this backend from running here, with how to get it; empty when nothing."""
    missing: list[str] = []
    if os.geteuid() != 0:
        missing.append("root: Postfix runs only as the superuser")
    for program, package in PROGRAMS.items():
        if not os.access(program, os.X_OK):
            missing.append(f"{program} (package {package})")
    for user, package in USERS.items():
        try:
            pwd.getpwnam(user)
        except KeyError:
            missing.append(f"the system user {user!r} (package {package})")
    if gate_python() is None:
        missing.append("a python3 that any user can run (package python3-minimal)")
    return missing


def gate_python() -> str | None:
    """An interpreter the mail user can run, for the delivery gate; None if none."""
    for candidate in PYTHONS:
        path = os.path.realpath(candidate)
        if os.path.isfile(path) and _world_passable(Path(path)):
            return path
    return None


def _world_passable(path: Path) -> bool:
    """Whether any user may run ``path`` (a program) or pass through it (a folder).

    Every folder above it must let anyone through, too. (The interpreter's
    own library sits beside it, under the same folders.)
    """
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in (path, *path.parents))


def requirement_message(missing: list[str]) -> str:
    return f"the dovecot-postfix backend needs {'; '.join(missing)}. To get it: {INSTALL_HINT}"


def free_port() -> int:
    """A loopback port free a moment ago; the caller detects losing the race."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Ports:
    smtp: int
    pop3: int
    imap: int
    # TLS: Postfix's submission and smtps services, Dovecot's pop3s and imaps.
    submission: int
    smtps: int
    pop3s: int
    imaps: int

    @classmethod
    def pick(cls) -> Ports:
        while True:
            ports = cls(*(free_port() for _ in range(7)))
            if len(set(astuple(ports))) == 7:
                return ports


@dataclass(frozen=True)
class Greeting:
    """What each server says first: how we know the port is really ours."""

    port: int
    starts: bytes


@dataclass(frozen=True)
class SavedMail:
    """Each account's home by its name, as ``save()`` found it."""

    homes: dict[str, FolderCopy]


class StartFailed(RuntimeError):
    """One start-up attempt failed; ``retry`` when a port was taken."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class DovecotPostfixBackend:
    """Private Postfix (SMTP) and Dovecot (IMAP, POP3) on free ports of 127.0.0.1."""

    name = "dovecot-postfix"

    def __init__(
        self,
        accounts: tuple[Account, ...] | None = None,
        server_name: str = DEFAULT_SERVER_NAME,
    ) -> None:
        if accounts is None:
            # The course's accounts, as the embedded server has them.
            from telnetmail.server.config import DEFAULT_ACCOUNTS

            accounts = DEFAULT_ACCOUNTS
        self.accounts = accounts
        #: Postfix's myhostname: its greeting, EHLO reply and Received lines.
        self.server_name = server_name
        self.base: Path | None = None
        self.ports: Ports | None = None
        self.processes: list[subprocess.Popen[bytes]] = []
        self.warden: subprocess.Popen[bytes] | None = None
        #: Whether this backend holds SUBREAPING (from start to stop).
        self.subreaping = False
        mail = pwd.getpwnam(MAIL_USER) if _has_user(MAIL_USER) else None
        self.uid, self.gid = (mail.pw_uid, mail.pw_gid) if mail else (8, 8)

    # -- the Backend protocol ----------------------------------------------

    def start(self) -> None:
        missing = missing_requirements()
        if missing:
            raise BackendUnavailable(requirement_message(missing))
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self.start_once()
                return
            except StartFailed as failure:
                ports = self.ports
                self.stop()
                taken = ports is not None and not all(map(_bindable, astuple(ports)))
                retry = failure.retry or taken
                if not retry or attempt == START_ATTEMPTS:
                    raise RuntimeError(
                        f"dovecot-postfix backend did not start: {failure}"
                    ) from None
            except BaseException:
                self.stop()
                raise

    def stop(self) -> None:
        """End both servers and every process they started; remove the directory. Idempotent."""
        self.let_deliveries_end()
        sessions = {process.pid for process in self.processes}
        for process in self.processes:  # both at once: each takes a while to exit
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            _end_group(process)
        # What outlives the servers' sessions: a delivery (Postfix's pipe runs
        # the gate and the LDA in a session of their own), which the warden's
        # sweep ends. Its zombie is ours to collect, as their subreaper.
        stragglers = set(warden.survivors(str(self.base), sessions)) if self.base else set()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None
        self.dismiss_warden()
        _reap(sessions, stragglers)
        self.processes = []
        if self.subreaping:
            SUBREAPING.release()
            self.subreaping = False
        self.ports = None
        atexit.unregister(self.stop)

    def reset(self) -> None:
        """An empty store and no sessions: wait for mail in transit, then wipe."""
        self.hang_up()
        for account in self.accounts:
            self.make_mailbox(account)

    def save(self) -> SavedMail | None:
        """Every account's home as it is, once Postfix has delivered all it
        accepted and no IMAP or POP3 session is open: copied into memory,
        for :meth:`put_back`. None when that state is not sure: mail Postfix
        could not deliver (it may land later), mail or a session that does
        not finish in time, or a file that cannot be copied.

        The home holds all Dovecot keeps of a mailbox between sessions (the
        messages, dovecot-uidlist with UIDVALIDITY and the next UID, the
        index with flags and \\Recent, the mailbox list index, subscriptions);
        its processes keep nothing once their session ends (an IMAP or POP3
        process serves one session, and those started ahead open no mailbox
        before a login). Postfix's queue ids cannot be put back (they come
        from the clock and a queue file's inode): mail sent after a put_back
        gets other ids than in a full replay, as it does in any other run,
        and the pages' matching takes them as volatile.
        """
        if self.base is None:
            return None
        try:
            self.wait_for_delivery()
            self.kick_sessions()
        except TimeoutError:
            return None
        if self.queued(STUCK):
            return None
        homes: dict[str, FolderCopy] = {}
        for account in self.accounts:
            try:
                copy = FolderCopy.read(self.home(account))
            except OSError:  # unreadable, or gone while read: not a sure state
                return None
            if copy is None:  # something Dovecot does not make, which we cannot copy
                return None
            homes[account.name] = copy
        return SavedMail(homes)

    def put_back(self, saved: object) -> None:
        """Hang up every client and make each home the copy :meth:`save` made."""
        assert isinstance(saved, SavedMail)
        self.hang_up()
        for account in self.accounts:
            self.discard_home(account)
            saved.homes[account.name].write(self.home(account), self.uid, self.gid)

    def hang_up(self) -> None:
        """No mail in transit, none left to land later, no session open."""
        self.wait_for_delivery()
        self.empty_queue()
        self.kick_sessions()

    def let_deliveries_end(self) -> None:
        """Before stopping: give mail in transit a moment to land, so that
        no LDA loses its parent (Postfix's pipe) and becomes ours."""
        if self.base is None or len(self.processes) < 2:
            return
        with contextlib.suppress(TimeoutError):
            self.wait_for_delivery(STOP_GRACE)

    def settle(self) -> None:
        """Wait until Postfix's queue holds nothing in transit: all delivered."""
        self.wait_for_delivery()
        if self.queued(STUCK):
            raise RuntimeError(
                f"Postfix could not deliver a message\n{self.log_tail()}"
            )

    def port_for(self, protocol: Protocol) -> int:
        if self.ports is None:
            raise RuntimeError("the dovecot-postfix backend is not started")
        return getattr(self.ports, str(protocol))

    def tls_port(self, listener: str) -> int:
        if self.ports is None:
            raise RuntimeError("the dovecot-postfix backend is not started")
        return int(getattr(self.ports, listener))

    # -- start-up ------------------------------------------------------------

    def start_once(self) -> None:
        # A safety net: whatever happens to the caller, no server outlives us.
        atexit.register(self.stop)
        SUBREAPING.acquire()
        self.subreaping = True
        # The warden makes our directory: it knows of it from its first instant.
        self.base = self.post_warden(temp_root())
        self.ports = Ports.pick()
        self.write_configuration()
        postfix = [POSTFIX_MASTER, "-c", str(self.base / "postfix"), "-d"]
        self.processes.append(self.launch(postfix, "postfix-master.out"))
        dovecot = [DOVECOT, "-c", str(self.dovecot_conf), "-F"]
        self.processes.append(self.launch(dovecot, "dovecot-master.out"))
        self.wait_ready(
            [
                Greeting(self.ports.smtp, f"220 {self.server_name} ".encode()),
                Greeting(self.ports.pop3, b"+OK "),
                Greeting(self.ports.imap, b"* OK "),
                Greeting(self.ports.submission, f"220 {self.server_name} ".encode()),
            ]
        )

    @property
    def dovecot_conf(self) -> Path:
        assert self.base is not None
        return self.base / "dovecot" / "dovecot.conf"

    def values(self) -> dict[str, str]:
        assert self.base is not None and self.ports is not None
        return {
            "base": str(self.base),
            "uid": str(self.uid),
            "gid": str(self.gid),
            "mail_user": MAIL_USER,
            "server_name": self.server_name,
            "smtp_port": str(self.ports.smtp),
            "pop3_port": str(self.ports.pop3),
            "imap_port": str(self.ports.imap),
            "submission_port": str(self.ports.submission),
            "smtps_port": str(self.ports.smtps),
            "pop3s_port": str(self.ports.pop3s),
            "imaps_port": str(self.ports.imaps),
            "instance": uuid.uuid4().hex[:8],
            "python": gate_python() or "python3",
            "mailboxes": "\n".join(
                f"{account.address} OK" for account in self.accounts
            ),
            "passdb": "\n".join(
                f"{account.name}:{{PLAIN}}{account.password}"
                for account in self.accounts
            ),
            "userdb": "\n".join(self.userdb_lines()),
        }

    def userdb_lines(self) -> list[str]:
        # LDA looks users up by address, IMAP and POP3 by login name: both
        # lead to the same home.
        assert self.base is not None
        lines = []
        for account in self.accounts:
            home = self.base / "mail" / account.name
            for key in (account.name, account.address):
                lines.append(f"{key}::{self.uid}:{self.gid}::{home}")
        return lines

    def write_configuration(self) -> None:
        assert self.base is not None
        values = self.values()
        files = {
            "postfix": ("main.cf", "master.cf", "vmailbox"),
            "dovecot": ("dovecot.conf", "passdb", "userdb"),
        }
        for folder, names in files.items():
            (self.base / folder).mkdir()
            for name in names:
                path = self.base / folder / name
                path.write_text(render(TEMPLATES / name, values), encoding="utf-8")
                # Postfix waits until a configuration file is 2 s old, in
                # case it is still being edited: date ours in the past.
                past = time.time() - 60
                os.utime(path, (past, past))
        self.make_postfix_directories()
        self.write_certificate()
        # Postfix's pipe runs the delivery gate as the mail user: copies it can read.
        for gate in (IN_ORDER_QUICK, IN_ORDER):
            shutil.copyfile(gate, self.base / "postfix" / gate.name)
        self.make_owned(self.base / "mail", mode=0o755)
        (self.base / "trash").mkdir(mode=0o700)
        # Dovecot's LDA runs as the mail user and logs on its own.
        lda_log = self.base / "lda.log"
        lda_log.touch()
        os.chown(lda_log, self.uid, self.gid)
        for account in self.accounts:
            self.make_mailbox(account)

    def write_certificate(self) -> None:
        """The servers' self-signed certificate (the embedded server's maker,
        once per process), read by Postfix's and Dovecot's masters as root."""
        from telnetmail.server.tls import self_signed, write_pem

        assert self.base is not None
        (self.base / "tls").mkdir(mode=0o700)
        names = (self.server_name, "pop.example.com", "imap.example.com")
        tls = self.base / "tls"
        write_pem(self_signed(names), str(tls / "cert.pem"), str(tls / "key.pem"))

    def make_postfix_directories(self) -> None:
        """The queue layout ``postfix check`` would create (postfix-files), without its 2 s."""
        assert self.base is not None
        spool = self.base / "postfix" / "spool"
        spool.mkdir()
        (spool / "pid").mkdir()
        postfix = pwd.getpwnam("postfix").pw_uid
        postdrop = grp.getgrnam("postdrop").gr_gid
        # The delivery gate (the mail user) looks into these two.
        for name in ("incoming", "active"):
            _mkdir(spool / name, postfix, self.gid, 0o750)
        for name in (
            *STUCK,
            "bounce",
            "defer",
            "flush",
            "trace",
            "saved",
            "private",
        ):
            _mkdir(spool / name, postfix, -1, 0o700)
        _mkdir(spool / "maildrop", postfix, postdrop, 0o730)
        _mkdir(spool / "public", postfix, postdrop, 0o710)
        _mkdir(self.base / "postfix" / "data", postfix, -1, 0o700)

    def make_owned(self, path: Path, mode: int = 0o700) -> None:
        _mkdir(path, self.uid, self.gid, mode)

    def make_mailbox(self, account: Account) -> None:
        """An empty home and Maildir (with Dovecot's index inside) for ``account``.

        The old home is moved aside, into the trash that ``stop()`` removes
        with the rest: a rename, where removing takes a call per file.
        """
        home = self.home(account)
        self.discard_home(account)
        self.make_owned(home)
        self.make_owned(home / "Maildir")
        for sub in ("cur", "new", "tmp"):
            self.make_owned(home / "Maildir" / sub)

    def home(self, account: Account) -> Path:
        assert self.base is not None
        return self.base / "mail" / account.name

    def discard_home(self, account: Account) -> None:
        """Move ``account``'s home into the trash, which ``stop()`` removes."""
        assert self.base is not None
        with contextlib.suppress(FileNotFoundError):
            self.home(account).rename(self.base / "trash" / f"{account.name}-{uuid.uuid4().hex}")

    def launch(self, command: list[str], output: str) -> subprocess.Popen[bytes]:
        assert self.base is not None
        with open(self.base / output, "wb") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.base,
                # A group of their own: stop() ends each server with all its children.
                start_new_session=True,
            )
        self.tell_warden(str(process.pid))
        return process

    # -- the warden -------------------------------------------------------------

    def post_warden(self, root: str) -> Path:
        """Start the warden, which ends the servers should this process die
        first; it makes the backend's directory in ``root`` and says where."""
        self.warden = subprocess.Popen(
            [sys.executable, "-I", "-S", str(WARDEN)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd="/",
            # Out of reach of the terminal's Ctrl-C, which is ours to handle.
            start_new_session=True,
        )
        self.tell_warden(root)
        assert self.warden.stdout is not None
        made = self.warden.stdout.readline().decode().strip()
        if not made:
            raise BackendUnavailable(f"the warden could not make a folder in {root}")
        return Path(made)

    def tell_warden(self, line: str) -> None:
        assert self.warden is not None and self.warden.stdin is not None
        self.warden.stdin.write(f"{line}\n".encode())
        self.warden.stdin.flush()

    def dismiss_warden(self) -> None:
        """End of file: the warden sweeps (nothing left, normally) and exits."""
        warden_process, self.warden = self.warden, None
        if warden_process is None:
            return
        with contextlib.suppress(BrokenPipeError):
            warden_process.stdin.close()  # type: ignore[union-attr]
        try:
            warden_process.wait(warden.SWEEP_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            warden_process.kill()
            warden_process.wait()
        if warden_process.stdout is not None:
            warden_process.stdout.close()

    def wait_ready(self, greetings: list[Greeting]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        for greeting in greetings:
            while not self.greets(greeting):
                for process in self.processes:
                    if process.poll() is not None:
                        raise StartFailed(
                            # args: the list of str it was started with
                            f"{process.args[0]} exited\n{self.log_tail()}",  # type: ignore[index,str-bytes-safe]
                            retry=False,
                        )
                if time.monotonic() > deadline:
                    silent = f"no greeting on port {greeting.port} within {START_TIMEOUT:g} s"
                    raise StartFailed(f"{silent}\n{self.log_tail()}", retry=True)
                time.sleep(0.01)

    @staticmethod
    def greets(greeting: Greeting) -> bool:
        """True when our server answers on the port (not another that took it)."""
        try:
            with socket.create_connection(
                ("127.0.0.1", greeting.port), timeout=2
            ) as conn:
                first = conn.recv(512)
        except OSError:
            return False
        if not first.startswith(greeting.starts):
            raise StartFailed(
                f"port {greeting.port} answers {first[:60]!r}: another server took it",
                retry=True,
            )
        return True

    # -- between transcripts --------------------------------------------------

    def wait_for_delivery(self, timeout: float = SETTLE_TIMEOUT) -> None:
        # A queue file leaves the queue only once the LDA has written the
        # Maildir: an empty queue means the mail has landed.
        deadline = time.monotonic() + timeout
        while self.queued(IN_TRANSIT):
            if time.monotonic() > deadline:
                message = f"Postfix did not deliver within {timeout:g} s"
                raise TimeoutError(f"{message}\n{self.log_tail()}")
            time.sleep(0.002)

    def queued(self, queues: tuple[str, ...]) -> bool:
        assert self.base is not None
        spool = self.base / "postfix" / "spool"
        return any(_has_files(spool / queue) for queue in queues)

    def empty_queue(self) -> None:
        """Mail that could not be delivered goes, so it cannot land later."""
        if self.queued(IN_TRANSIT + STUCK):
            self.run([POSTSUPER, "-c", str(self.base / "postfix"), "-d", "ALL"])  # type: ignore[operator]

    def kick_sessions(self) -> None:
        """End any IMAP or POP3 session still open, and wait until it is gone.

        A session whose client has hung up (the replay's, always) ends by
        itself within a few ms: only one still open after ``KICK_AFTER`` is
        ended with ``doveadm kick``, which costs a program's start.
        """
        started = time.monotonic()
        kicked = False
        while self.session_processes():
            waited = time.monotonic() - started
            if waited > SETTLE_TIMEOUT:
                raise TimeoutError("Dovecot sessions did not end")
            if waited > KICK_AFTER and not kicked:
                names = (account.name for account in self.accounts)
                self.run([DOVEADM, "-c", str(self.config_socket), "kick", *names])
                kicked = True
            time.sleep(0.001)

    def session_processes(self) -> list[int]:
        """Dovecot's processes serving a mailbox: those of its session that
        run as the mail user. IMAP and POP3 processes start as root (some
        ahead of time, dovecot.conf), take the user's identity at login, and
        end with their session; no other of Dovecot's runs as the mail user.
        (Quicker than ``doveadm who``, which is a program to start, and stricter:
        Dovecot forgets a session a moment before its process is gone.)"""
        if len(self.processes) < 2:
            return []
        dovecot = self.processes[1].pid  # started second, in a session of its own
        return [
            pid
            for pid in live_members(SESSION, dovecot)
            if _effective_uid(pid) == self.uid
        ]

    @property
    def config_socket(self) -> Path:
        """Where Dovecot's config process serves the configuration (to
        doveadm and the LDA: no doveconf run to parse it each time)."""
        assert self.base is not None
        return self.base / "dovecot" / "run" / "config"

    def run(self, command: list[str]) -> str:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=30
        )
        return done.stdout

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of the servers' logs, for error messages."""
        if self.base is None:
            return ""
        shown = []
        for name in (
            "postfix.log",
            "dovecot.log",
            "lda.log",
            "postfix-master.out",
            "dovecot-master.out",
        ):
            path = self.base / name
            if path.exists():
                tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[
                    -lines:
                ]
                shown += [f"{name}: {line}" for line in tail]
        return "\n".join(shown)


def render(template: Path, values: dict[str, str]) -> str:
    """The template with each ``@name@`` replaced; an unknown name is an error."""
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in text:
        leftover = [
            word
            for word in text.split()
            if word.count("@") >= 2 and word.startswith("@")
        ]
        if leftover:
            raise ValueError(f"{template.name}: no value for {leftover[0]}")
    return text


def _bindable(port: int) -> bool:
    """Whether nothing listens on the loopback port (once our servers are gone)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _mkdir(path: Path, uid: int, gid: int, mode: int) -> None:
    path.mkdir(exist_ok=True)
    os.chown(path, uid, gid)
    path.chmod(mode)


def _has_files(folder: Path) -> bool:
    """Any file below ``folder`` (the deferred queue is hashed into subfolders)."""
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.is_file() or (entry.is_dir() and _has_files(Path(entry.path))):
                return True
    return False


def _end_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the master, then SIGKILL whatever is left of its process group."""
    group = process.pid  # start_new_session made it the group's leader
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    deadline = time.monotonic() + grace
    while group_members(group):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        _reap({group})
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"processes of group {group} survive SIGKILL: {group_members(group)}"
            )
        time.sleep(0.01)
    _reap({group})


#: Fields of ``/proc/PID/stat`` (after the command name, as warden.proc_stat gives them).
GROUP, SESSION = 2, 3


def group_members(group: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    return live_members(GROUP, group)


def live_members(field: int, value: int) -> list[int]:
    """Live (not zombie) processes whose process group (``GROUP``) or
    session (``SESSION``) is ``value``, from /proc."""
    members = []
    for pid in warden.live_pids():
        fields = warden.proc_stat(pid)
        if fields and int(fields[field]) == value and fields[0] != "Z":
            members.append(pid)
    return members


def _effective_uid(pid: int) -> int | None:
    """The user a process runs as, None if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[2])
    except OSError:
        pass
    return None


def _reap(sessions: set[int], pids: set[int] | frozenset[int] = frozenset()) -> None:
    """Collect the zombies that became our children (we are their subreaper)
    and were the servers': those of their ``sessions``, and ``pids`` (theirs,
    in sessions of their own). Never another child of the host's, whose exit
    status its own code waits for (a subprocess.Popen, pexpect's telnet)."""
    me = os.getpid()
    for pid in warden.live_pids():
        fields = warden.proc_stat(pid)
        if (
            fields
            and fields[0] == "Z"
            and int(fields[1]) == me
            and (int(fields[SESSION]) in sessions or pid in pids)
        ):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def temp_root() -> str:
    """Where to make the backend's directory: TMPDIR if it suits, else a short one.

    It suits when short enough for the servers' socket paths, and when
    every user may pass through it (a private ``/tmp/user/0`` of pam_tmpdir
    would lock Postfix and Dovecot out of their own files).
    """
    for root in (tempfile.gettempdir(), *SHORT_TEMP_ROOTS):
        if (
            len(root) <= MAX_TEMP_ROOT
            and os.path.isdir(root)
            and os.access(root, os.W_OK | os.X_OK)
            and _world_passable(Path(root))
        ):
            return root
    raise RuntimeError(
        f"no folder for the servers' files: TMPDIR ({tempfile.gettempdir()}) must be at most "
        f"{MAX_TEMP_ROOT} characters long and open to every user, or {SHORT_TEMP_ROOTS[0]} writable"
    )


PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37


def is_subreaper() -> bool:
    """Whether orphaned descendants of this process become its children."""
    flag = ctypes.c_int(0)
    prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(flag))
    return bool(flag.value)


class Subreaping:
    """This process as the servers' subreaper, while any backend runs.

    Orphans of the servers become our children, so we can reap them: where
    PID 1 does not reap orphans (some containers), a server's child that
    outlives its master would stay a zombie forever. The flag is the host's
    (sphinx-build, pytest): once the last backend stops, it is as it was, so
    that orphans of the host's other children are not left to us.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.was = False

    def acquire(self) -> None:
        with self.lock:
            if self.holders == 0:
                self.was = is_subreaper()
                prctl(PR_SET_CHILD_SUBREAPER, 1)
            self.holders += 1

    def release(self) -> None:
        with self.lock:
            self.holders -= 1
            if self.holders == 0 and not self.was:
                prctl(PR_SET_CHILD_SUBREAPER, 0)


SUBREAPING = Subreaping()
