"""One telnet session: what is typed goes to the server, and only there."""

from __future__ import annotations

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
