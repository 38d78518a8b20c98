"""One telnet session: what is typed goes to the server, and only there."""

from __future__ import annotations

import socket
import threading
import time

from telnetmail.replay.session import BANNER_END, TelnetSession, telnet_command


def test_a_typed_line_is_not_echoed_even_if_telnet_turns_echo_back_on(mail_server):
    with TelnetSession(telnet_command(), "127.0.0.1", mail_server.smtp_port) as session:
        deadline = time.monotonic() + 5
        while session.read_line(deadline) != BANNER_END:
            pass
        assert session.read_line(deadline).startswith("220 ")
        # As the real telnet does, at a moment of its own, once connected.
        session.child.setecho(True)
        session.send_line("NOOP")
        assert session.read_line(deadline).startswith("250 ")


class Recorder:
    """A loopback server that greets, then keeps every byte and every
    ``recv`` it gets until the client hangs up."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection, self.listener:
            connection.sendall(b"220 ready\r\n")
            while chunk := connection.recv(65536):
                self.chunks.append(chunk)

    def received(self) -> bytes:
        self.thread.join(5)
        return b"".join(self.chunks)


def typed(lines: list[str], one_go: bool) -> Recorder:
    """What telnet sends for *lines*, typed in one go or one by one."""
    recorder = Recorder()
    with TelnetSession(telnet_command(), "127.0.0.1", recorder.port) as session:
        deadline = time.monotonic() + 5
        while session.read_line(deadline) != "220 ready":
            pass
        if one_go:
            session.send_lines(lines)
        else:
            for line in lines:
                session.send_line(line)
        # The hang-up that follows must not cut what was typed short.
        while sum(map(len, recorder.chunks)) < sum(len(line) + 2 for line in lines):
            time.sleep(0.001)
    return recorder


BODY = ["DATA", "From: anna@example.com", "", "Già fatto.", "..", "."]


def test_lines_typed_in_one_go_reach_the_server_as_typed_one_by_one():
    wire = b"".join(line.encode() + b"\r\n" for line in BODY)
    assert typed(BODY, one_go=True).received() == wire
    assert typed(BODY, one_go=False).received() == wire


def test_telnet_reads_lines_typed_in_one_go_at_once():
    # One read from the terminal is one write to the socket: no segment
    # waits for the server to acknowledge the one before (Nagle).
    recorder = Recorder()
    with TelnetSession(telnet_command(), "127.0.0.1", recorder.port) as session:
        deadline = time.monotonic() + 5
        while session.read_line(deadline) != "220 ready":
            pass
        session.send_line("NOOP")
        assert session.child is not None
        assert not session.child.getcanonical()
        assert not session.child.getecho()


def test_a_closed_session_leaves_no_client_behind(mail_server):
    with TelnetSession(telnet_command(), "127.0.0.1", mail_server.smtp_port) as session:
        assert session.child is not None
        process = session.child.process
        assert session.read_line(time.monotonic() + 5) is not None
    assert process.returncode is not None  # reaped
