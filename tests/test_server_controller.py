"""MailServer: start, report ports, reset, stop; and the config that drives it."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import threading

import pytest

from telnetmail.server import Account, MailServer, ServerConfig
from telnetmail.server.config import parse_account
from telnetmail.server.controller import PortInUseError


def greeting(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        return sock.makefile("rb").readline()


def test_start_reports_three_distinct_free_ports() -> None:
    with MailServer() as server:
        ports = server.ports
    assert set(ports) == {"smtp", "pop3", "imap"}
    assert len(set(ports.values())) == 3
    assert 0 not in ports.values()


def test_all_three_answer_as_soon_as_start_returns() -> None:
    with MailServer() as server:
        assert greeting(server.smtp_port).startswith(b"220 ")
        assert greeting(server.pop3_port).startswith(b"+OK")
        assert greeting(server.imap_port).startswith(b"* OK")


def test_listens_on_loopback_only() -> None:
    with MailServer() as server:
        assert server.host == "127.0.0.1"


def test_two_servers_run_side_by_side_in_one_process() -> None:
    with MailServer() as first, MailServer() as second:
        assert greeting(first.smtp_port).startswith(b"220 ")
        assert greeting(second.smtp_port).startswith(b"220 ")
        assert set(first.ports.values()).isdisjoint(second.ports.values())


def test_servers_do_not_share_mail() -> None:
    with MailServer() as first, MailServer() as second:
        with smtplib.SMTP("127.0.0.1", first.smtp_port) as smtp:
            smtp.helo("client.example.com")
            smtp.sendmail(
                "a@example.com", ["recipient@example.com"], "Subject: x\r\n\r\n"
            )
        for server, expected in ((first, b"+OK 1 "), (second, b"+OK 0 ")):
            with socket.create_connection(("127.0.0.1", server.pop3_port)) as sock:
                sock.sendall(b"USER MyUsername\r\nPASS MyPassword\r\nSTAT\r\n")
                lines = sock.makefile("rb")
                replies = [lines.readline() for _ in range(4)]
            assert replies[3].startswith(expected)


def test_stop_leaves_no_thread_behind() -> None:
    before = set(threading.enumerate())
    MailServer().start().stop()
    assert set(threading.enumerate()) == before


def test_stop_closes_the_ports() -> None:
    server = MailServer().start()
    port = server.smtp_port
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_stop_is_idempotent() -> None:
    server = MailServer().start()
    server.stop()
    server.stop()
    assert not server.running


def test_stop_before_start_does_nothing() -> None:
    MailServer().stop()


def test_stop_hangs_up_on_connected_clients() -> None:
    server = MailServer().start()
    sock = socket.create_connection(("127.0.0.1", server.pop3_port), timeout=5)
    reader = sock.makefile("rb")
    reader.readline()
    server.stop()
    assert reader.read() == b""
    reader.close()
    sock.close()


def test_a_stopped_server_can_start_again() -> None:
    server = MailServer()
    server.start().stop()
    with server:
        assert greeting(server.smtp_port).startswith(b"220 ")


def test_starting_a_running_server_is_an_error() -> None:
    with MailServer() as server:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()


def test_reset_of_a_stopped_server_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        MailServer().reset()


def test_reset_hangs_up_on_connected_clients(mail_server: MailServer) -> None:
    sock = socket.create_connection(("127.0.0.1", mail_server.imap_port), timeout=5)
    reader = sock.makefile("rb")
    reader.readline()
    mail_server.reset()
    assert reader.read().startswith(b"* BYE")
    reader.close()
    sock.close()


def test_port_in_use_is_reported_with_service_and_port() -> None:
    with MailServer() as server:
        with pytest.raises(PortInUseError) as error:
            MailServer(smtp_port=server.smtp_port).start()
    assert error.value.service == "smtp"
    assert str(server.smtp_port) in str(error.value)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def test_failed_start_releases_the_ports_it_had_bound() -> None:
    with MailServer() as server:
        smtp_port = free_port()
        with pytest.raises(PortInUseError):
            MailServer(smtp_port=smtp_port, imap_port=server.imap_port).start()
        socket.create_server(("127.0.0.1", smtp_port)).close()  # Free again.


def test_endpoint_maps_course_host_names_to_services(mail_server: MailServer) -> None:
    assert mail_server.endpoint("mx1.example.com", "smtp") == (
        "127.0.0.1",
        mail_server.smtp_port,
    )
    assert mail_server.endpoint("pop.example.com", "pop3")[1] == mail_server.pop3_port
    assert mail_server.endpoint("imap.example.com", "imap")[1] == mail_server.imap_port
    assert mail_server.endpoint("imap.example.com", "143")[1] == mail_server.imap_port


def test_endpoint_refuses_unknown_hosts(mail_server: MailServer) -> None:
    with pytest.raises(KeyError):
        mail_server.endpoint("www.example.org", "smtp")


def test_default_config_serves_the_course() -> None:
    config = ServerConfig()
    assert config.accounts == (
        Account("MyUsername", "MyPassword", "recipient@example.com"),
    )
    assert config.identity.hosts == {
        "mx1.example.com": "smtp",
        "pop.example.com": "pop3",
        "imap.example.com": "imap",
    }


def test_greetings_come_from_the_config() -> None:
    from telnetmail.server import Identity

    config = ServerConfig(
        identity=Identity(smtp_host="mail.school.test", pop3_greeting="POP here.")
    )
    with MailServer(config) as server:
        assert greeting(server.smtp_port).startswith(b"220 mail.school.test ")
        assert greeting(server.pop3_port) == b"+OK POP here.\r\n"


def test_parse_account_splits_name_password_and_address() -> None:
    assert parse_account("anna:s3:cret:anna@example.com") == Account(
        "anna", "s3:cret", "anna@example.com"
    )


@pytest.mark.parametrize(
    "text", ["anna", "anna:secret", "anna::a@b.c", "anna:pw:nobody", ":pw:a@b.c"]
)
def test_parse_account_refuses_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_account(text)


def test_two_accounts_cannot_share_an_address() -> None:
    with pytest.raises(ValueError, match="address"):
        ServerConfig(
            accounts=(
                Account("a", "p", "x@example.com"),
                Account("b", "q", "X@example.com"),
            )
        )


class SlowMailServer(MailServer):
    """A server whose loop takes half a second to begin setting up."""

    async def _serve(self, sockets: dict[str, socket.socket]) -> None:
        await asyncio.sleep(0.5)
        await super()._serve(sockets)


def test_start_that_is_not_ready_in_time_fails_clearly_and_cleans_up() -> None:
    before = set(threading.enumerate())
    server = SlowMailServer(ready_timeout=0.05)
    with pytest.raises(RuntimeError, match="ready_timeout"):
        server.start()
    assert not server.running
    assert set(threading.enumerate()) == before
