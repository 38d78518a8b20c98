"""``telnetmail serve --tls``: the TLS listeners it prints, really serving."""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from pathlib import Path

from test_serve_command import FREE_PORTS, Serve, run_serve

TLS_FREE_PORTS = [
    *FREE_PORTS,
    *("--submission-port", "0", "--smtps-port", "0"),
    *("--pop3s-port", "0", "--imaps-port", "0"),
]


def openssl_targets(banner: str) -> dict[str, tuple[str, int]]:
    """Each TLS listener's name, and the address its openssl command connects to."""
    found = re.findall(r"(\w+)\s+port \d+ .*-connect (\S+):(\d+)", banner)
    return {name: (host, int(port)) for name, host, port in found}


def lab_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def test_tls_is_off_unless_asked_for() -> None:
    server = Serve(*FREE_PORTS)
    try:
        assert "openssl" not in server.banner
    finally:
        server.stop()


def test_printed_openssl_commands_reach_tls_servers() -> None:
    server = Serve(*TLS_FREE_PORTS, "--require-tls")
    try:
        targets = openssl_targets(server.banner)
        assert set(targets) == {"submission", "smtps", "pop3s", "imaps"}
        assert "-starttls smtp -connect" in server.banner
        greetings = {}
        for name in ("smtps", "pop3s", "imaps"):
            with (
                socket.create_connection(targets[name], timeout=5) as raw,
                lab_context().wrap_socket(raw) as secured,
            ):
                greetings[name] = secured.recv(200)
        assert greetings["smtps"].startswith(b"220 ")
        assert greetings["pop3s"].startswith(b"+OK ")
        # IMAPS is TLS already: LOGIN allowed, even with --require-tls.
        assert b"LOGINDISABLED" not in greetings["imaps"]
        with smtplib.SMTP(*targets["submission"], timeout=5) as client:
            client.starttls(context=lab_context())
            assert client.login("MyUsername", "MyPassword")[0] == 235
        imap = socket.create_connection(("127.0.0.1", server.port("imap")), timeout=5)
        with imap:
            assert b"LOGINDISABLED" in imap.recv(200)
    finally:
        server.stop()


def test_a_certificate_that_cannot_serve_is_a_usage_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    result = run_serve(*TLS_FREE_PORTS, "--cert", str(junk), "--key", str(junk))
    assert result.returncode == 2
    assert f"--cert {junk}" in result.stderr
    result = run_serve(*TLS_FREE_PORTS, "--cert", str(junk))
    assert result.returncode == 2 and "needs its key" in result.stderr
