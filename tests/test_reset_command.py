"""``telnetmail serve --from NAME`` and ``telnetmail reset [NAME]``, as a
student and a teacher use them: a real server process, the real command,
and real telnet typing what the page shows."""

from __future__ import annotations

import os
import poplib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve_command import FREE_PORTS, Serve
from walkpages import DELETE, READ, SEND

from telnetmail.core.model import Protocol
from telnetmail.replay.engine import Context, Verifier, chain_of, messages_sent
from telnetmail.replay.pages import COURSE
from telnetmail.replay.runner import named_cases
from telnetmail.replay.starting import dialogues

WRONG_LOGIN = """\
.. transcript::
   :name: wrong-login
   :after: send

   telnet: > telnet pop.example.com pop3
   server: +OK ready
   client: USER MyUsername
   server: +OK
   client: PASS NotMyPassword
   server: +OK Logged in.
   client: QUIT
   server: +OK bye
"""

AFTER_WRONG_LOGIN = """\
.. transcript::
   :name: after-wrong-login
   :after: wrong-login

   telnet: > telnet pop.example.com pop3
   server: +OK ready
"""


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A runtime folder of this test's own: its servers are the only ones
    ``telnetmail reset`` sees (inherited by every process started here)."""
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    path = tmp_path / "pages"
    path.mkdir()
    (path / "page.rst").write_text(
        "\n".join([SEND, DELETE, READ, WRONG_LOGIN, AFTER_WRONG_LOGIN]), encoding="utf-8"
    )
    return path


def serving(*args: str) -> Iterator[Serve]:
    server = Serve(*FREE_PORTS, "--auth-failure-delay", "0", *args)
    try:
        yield server
    finally:  # also when a failing test leaves its for-loop early
        if server.proc.poll() is None:
            server.stop()


@pytest.fixture
def serve(private: Path, pages: Path) -> Iterator[Serve]:
    yield from serving("--pages", str(pages))


def reset(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telnetmail", "reset", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def count(server: Serve, user: str = "MyUsername", password: str = "MyPassword") -> int:
    pop = poplib.POP3("127.0.0.1", server.port("pop3"), timeout=10)
    try:
        pop.user(user)
        pop.pass_(password)
        return pop.stat()[0]
    finally:
        pop.quit()


class RunningServer:
    """A running ``telnetmail serve`` as the engine's backend: never reset by
    the engine (the test resets it with the command)."""

    name = "serve"

    def __init__(self, server: Serve) -> None:
        self.server = server

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def reset(self) -> None: ...

    def settle(self) -> None: ...

    def port_for(self, protocol: Protocol) -> int:
        return self.server.port(str(protocol))

    def tls_port(self, listener: str) -> int:
        found = re.search(rf"^  {listener}\s+port (\d+)", self.server.banner, re.M)
        assert found, self.server.banner
        return int(found[1])


#: The TLS lesson's listeners, on free ports.
TLS_FREE = ["--tls"] + [
    word
    for name in ("submission", "smtps", "pop3s", "imaps")
    for word in (f"--{name}-port", "0")
]


def typed_by_hand(server: Serve, name: str, cases: dict) -> str | None:
    """Type dialogue ``name`` through real telnet against ``server``, as the
    page shows it; why it differs, or None."""
    case = cases[name]
    sent = sum((messages_sent(cases[n].transcript) for n in chain_of(case, cases)), ())
    context = Context(case.match, {}, sent + messages_sent(case.transcript))
    failure = Verifier(RunningServer(server)).replay(case, context)
    return None if failure is None else f"{case.path}:{failure.lineno}: {failure.reason}"


def test_serve_from_a_dialogue_starts_where_it_starts(private, pages) -> None:
    for server in serving("--pages", str(pages), "--from", "read"):
        assert "Mailboxes as right before 'read'" in server.banner
        assert count(server) == 1
        cases = named_cases(list(dialogues([pages]).values()))
        assert typed_by_hand(server, "read", cases) is None


def test_reset_empties_the_mailboxes_of_a_running_server(serve) -> None:
    assert reset("read").returncode == 0
    assert count(serve) == 1
    result = reset()
    assert result.returncode == 0, result.stderr
    assert "Mailboxes emptied." in result.stdout
    assert count(serve) == 0


def test_reset_puts_back_the_state_a_dialogue_starts_from(serve, pages) -> None:
    cases = named_cases(list(dialogues([pages]).values()))
    assert reset("delete").returncode == 0
    assert typed_by_hand(serve, "delete", cases) is None  # deletes the message
    assert typed_by_hand(serve, "read", cases) is not None  # so LIST shows none
    assert reset("read").returncode == 0
    assert typed_by_hand(serve, "read", cases) is None


def test_every_course_dialogue_typed_after_its_reset_gives_what_its_page_shows(
    private,
) -> None:
    cases = named_cases(list(dialogues([COURSE]).values()))
    differ = []
    for server in serving(*TLS_FREE):
        for name, case in cases.items():
            if case.transcript.protocol is None or not case.after:
                continue
            result = reset(name)
            assert result.returncode == 0, result.stderr
            why = typed_by_hand(server, name, cases)
            if why is not None:
                differ.append(why)
    assert differ == []


def test_reset_for_a_class_prepares_each_account_with_its_own_address(
    private, pages
) -> None:
    accounts = ["alice:secret1:alice@school.example", "bob:secret2:bob@school.example"]
    users = [option for account in accounts for option in ("--user", account)]
    for server in serving("--pages", str(pages), *users):
        result = reset("read")
        assert result.returncode == 0, result.stderr
        assert "typed for every account" in result.stdout
        assert count(server, "alice", "secret1") == 1
        assert count(server, "bob", "secret2") == 1
        pop = poplib.POP3("127.0.0.1", server.port("pop3"), timeout=10)
        pop.user("bob")
        pop.pass_("secret2")
        message = b"\n".join(pop.retr(1)[1])
        pop.quit()
        assert b"for <bob@school.example>" in message


def test_an_unknown_dialogue_exits_2_naming_those_it_may_mean(serve) -> None:
    result = reset("rea")
    assert result.returncode == 2
    assert "no dialogue is named 'rea'; did you mean read?" in result.stderr


def test_serve_from_an_unknown_dialogue_exits_2(private, pages) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "serve", *FREE_PORTS]
        + ["--pages", str(pages), "--from", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--from nope: no dialogue is named 'nope'" in result.stderr


def test_a_chain_the_server_answers_otherwise_exits_1_at_the_page_line(
    serve, pages
) -> None:
    result = reset("after-wrong-login")
    assert result.returncode == 1
    page = (pages / "page.rst").read_text().splitlines()
    line = page.index("   client: PASS NotMyPassword") + 2
    assert (
        f"page.rst:{line}: typing 'wrong-login' for MyUsername, the server answers"
        f" -ERR where the page shows +OK"
    ) in result.stderr


def test_without_a_running_server_reset_exits_2_and_says_how_to_start_one(
    private,
) -> None:
    result = reset()
    assert result.returncode == 2
    assert "no practice server is running" in result.stderr
    assert "telnetmail serve" in result.stderr


def test_two_running_servers_need_a_pid(serve, private, pages) -> None:
    for other in serving("--pages", str(pages)):
        result = reset()
        assert result.returncode == 2
        assert "2 practice servers are running" in result.stderr
        assert reset("--pid", str(other.proc.pid)).returncode == 0


def test_a_killed_server_leaves_nothing_reset_would_trust(serve, private) -> None:
    serve.proc.send_signal(signal.SIGKILL)
    serve.proc.wait(10)
    result = reset()
    assert result.returncode == 2
    assert list((private / "telnetmail").iterdir()) == []


def test_a_control_folder_others_can_enter_is_refused(private, pages) -> None:
    folder = private / "telnetmail"
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o777)
    for server in serving("--pages", str(pages)):
        assert "Press Ctrl-C" in server.banner
        assert "telnetmail reset" not in server.banner
    result = reset()
    assert result.returncode == 2
    assert "is open to other users" in result.stderr


def test_a_chain_through_tls_is_typed_in_tls_for_each_account(private) -> None:
    # tls-pop3s starts after tls-submission-auth: STARTTLS, then AUTH PLAIN
    # with the page's credentials in base64, which alice types as hers.
    users = ["--user", "alice:secret1:alice@example.com"]
    for server in serving(*TLS_FREE, *users):
        result = reset("tls-pop3s")
        assert result.returncode == 0, result.stderr
        assert count(server, "alice", "secret1") == 1


def test_a_chain_through_tls_on_a_server_without_tls_says_how_to_start_it(
    private,
) -> None:
    for _server in serving():
        result = reset("tls-pop3s")
        assert result.returncode == 2
        assert "start it with 'telnetmail serve --tls'" in result.stderr
