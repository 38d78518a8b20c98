"""``telnetmail serve`` as students and teachers run it: a real subprocess."""

from __future__ import annotations

import os
import poplib
import re
import select
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

FREE_PORTS = ["--smtp-port", "0", "--pop3-port", "0", "--imap-port", "0"]
TIMEOUT = 10.0


class Serve:
    """A running ``telnetmail serve`` and what it printed before serving."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "telnetmail", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.banner = self.read_until("Press Ctrl-C")

    def read_until(self, marker: str) -> str:
        """Output up to *marker*, read straight from the pipe (a buffered
        reader would hide lines from select())."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + TIMEOUT
        output = b""
        while marker.encode() not in output:
            ready, _, _ = select.select(
                [fd], [], [], max(0.0, deadline - time.monotonic())
            )
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                self.proc.kill()
                _, err = self.proc.communicate()
                pytest.fail(f"serve printed {output!r} and stopped; stderr: {err!r}")
            output += chunk
        return output.decode()

    def telnet_targets(self) -> list[tuple[str, int]]:
        return [
            (host, int(port))
            for host, port in re.findall(r"telnet (\S+) (\d+)", self.banner)
        ]

    def port(self, service: str) -> int:
        match = re.search(rf"{service.upper()}\s+port (\d+)", self.banner)
        assert match, self.banner
        return int(match.group(1))

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(signum)
        out, err = self.proc.communicate(timeout=TIMEOUT)
        return self.proc.returncode, out.decode(), err.decode()


@pytest.fixture
def serve() -> Iterator[Serve]:
    server = Serve(*FREE_PORTS)
    yield server
    if server.proc.poll() is None:
        server.stop()


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telnetmail", "serve", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def greeting(host: str, port: int) -> bytes:
    with socket.create_connection((host, port), timeout=5) as sock:
        return sock.makefile("rb").readline()


def test_prints_a_telnet_command_per_service(serve: Serve) -> None:
    assert len(serve.telnet_targets()) == 3


def test_printed_telnet_commands_reach_the_three_servers(serve: Serve) -> None:
    greetings = [greeting(host, port) for host, port in serve.telnet_targets()]
    assert greetings[0].startswith(b"220 mx1.example.com ")
    assert greetings[1].startswith(b"+OK ")
    assert greetings[2].startswith(b"* OK ")


def test_prints_the_course_account_without_its_password(serve: Serve) -> None:
    assert "MyUsername  recipient@example.com" in serve.banner
    assert "MyPassword" not in serve.banner


def test_sigint_stops_it_with_exit_0(serve: Serve) -> None:
    returncode, out, _ = serve.stop(signal.SIGINT)
    assert returncode == 0
    assert "stopped" in out


def test_sigterm_stops_it_with_exit_0(serve: Serve) -> None:
    returncode, _, _ = serve.stop(signal.SIGTERM)
    assert returncode == 0


def test_ports_are_closed_after_it_stops(serve: Serve) -> None:
    targets = serve.telnet_targets()
    serve.stop()
    for host, port in targets:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, port), timeout=5).close()


def test_port_in_use_exits_2_with_advice(serve: Serve) -> None:
    taken = str(serve.port("pop3"))
    result = run_serve("--smtp-port", "0", "--pop3-port", taken, "--imap-port", "0")
    assert result.returncode == 2
    assert f"POP3 port 127.0.0.1:{taken} is already in use" in result.stderr
    assert "--pop3-port" in result.stderr


def test_each_user_account_gets_its_own_mailbox(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text("# the class\nanna:pw-a:anna@school.test\n\nben:pw-b:ben@school.test\n")
    server = Serve(*FREE_PORTS, "--users-file", str(users))
    try:
        assert "anna  anna@school.test" in server.banner
        assert "pw-a" not in server.banner and "pw-b" not in server.banner
        with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=5) as smtp:
            smtp.helo("client.example.com")
            smtp.sendmail("x@example.com", ["anna@school.test"], "Subject: hi\r\n\r\n")
        counts = {}
        for name, password in (("anna", "pw-a"), ("ben", "pw-b")):
            pop3 = poplib.POP3("127.0.0.1", server.port("pop3"), timeout=5)
            pop3.user(name)
            pop3.pass_(password)
            counts[name] = pop3.stat()[0]
            pop3.quit()
        assert counts == {"anna": 1, "ben": 0}
    finally:
        server.stop()


def test_user_replaces_the_course_account() -> None:
    server = Serve(*FREE_PORTS, "--user", "anna:pw-a:anna@school.test")
    try:
        assert "MyUsername" not in server.banner
    finally:
        server.stop()


def test_malformed_user_is_a_usage_error() -> None:
    result = run_serve(*FREE_PORTS, "--user", "anna-without-password")
    assert result.returncode == 2
    assert "NAME:PASSWORD:ADDRESS" in result.stderr


def test_bad_port_is_a_usage_error() -> None:
    assert run_serve("--smtp-port", "99999").returncode == 2


def test_listening_beyond_loopback_warns_about_plaintext_passwords() -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails,
    # so nothing is ever exposed, but the warning comes first.
    result = run_serve(*FREE_PORTS, "--listen", "192.0.2.1")
    assert "plain text" in result.stderr
    assert result.returncode == 1


def test_help_explains_ports_listen_and_user() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    for option in ("--smtp-port", "--pop3-port", "--imap-port", "--listen", "--user"):
        assert option in result.stdout


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("anna:pw:anna@school.test\nben-without-fields\n", ":2: 'ben-without-fields'"),
        ("anna:pw:not-an-address\n", ":1: account 'anna'"),
        ("# only a comment\n", ": no accounts"),
    ],
)
def test_a_bad_users_file_names_the_file_and_line(
    tmp_path: Path, content: str, error: str
) -> None:
    users = tmp_path / "users"
    users.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "serve", "--users-file", str(users)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"{users}{error}" in result.stderr


def test_help_names_every_limit_with_its_default() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    for shown in (
        "after 2 s, doubling per failure up to 15 s",
        "500 in all, 50 per address",
        "20, then 421",
        "3 before login, 20 in a row after",
        "4096 octets",
        "--quota OCTETS",
    ):
        assert shown in result.stdout
