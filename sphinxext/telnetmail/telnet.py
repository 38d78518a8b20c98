"""A small telnet client, for machines without one: ``python -m telnetmail.telnet HOST PORT``.

It prints what inetutils' ``telnet`` prints around a session (``Trying``,
``Connected to``, ``Escape character is '^]'.``, ``Connection closed by
foreign host.``), sends each line typed with CRLF, and refuses every
option negotiation, which is all a plain-text mail session needs. Typing
``^]`` then ``quit`` leaves, as in the real one.
"""

from __future__ import annotations

import argparse
import os
import selectors
import socket
import sys
from collections.abc import Sequence

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ESCAPE = b"\x1d"  # ^]


class Negotiation:
    """Strips telnet commands from the data and answers each with a refusal."""

    def __init__(self) -> None:
        self.pending = b""
        self.in_subnegotiation = False

    def feed(self, data: bytes) -> tuple[bytes, bytes]:
        """Return (text to show, answer to send) for the bytes received."""
        data, self.pending = self.pending + data, b""
        text, answer = bytearray(), bytearray()
        index = 0
        while index < len(data):
            byte = data[index]
            if byte != IAC and not self.in_subnegotiation:
                text.append(byte)
                index += 1
                continue
            if index + 1 >= len(data) or (
                data[index + 1] in (DO, DONT, WILL, WONT) and index + 2 >= len(data)
            ):
                self.pending = data[index:]  # a command cut between two reads
                break
            index = self.command(data, index, text, answer)
        return bytes(text), bytes(answer)

    def command(
        self, data: bytes, index: int, text: bytearray, answer: bytearray
    ) -> int:
        if self.in_subnegotiation:
            if data[index] == IAC and data[index + 1] == SE:
                self.in_subnegotiation = False
                return index + 2
            return index + 1
        verb = data[index + 1]
        if verb == IAC:
            text.append(IAC)  # an escaped 0xFF data byte
            return index + 2
        if verb in (DO, DONT, WILL, WONT):
            option = data[index + 2]
            if verb == DO:
                answer += bytes((IAC, WONT, option))
            elif verb == WILL:
                answer += bytes((IAC, DONT, option))
            return index + 3
        if verb == SB:
            self.in_subnegotiation = True
        return index + 2


def connect(host: str, port: int) -> socket.socket | None:
    for family, kind, proto, _, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        say(f"Trying {address[0]}...")
        sock = socket.socket(family, kind, proto)
        try:
            sock.connect(address)
        except OSError as error:
            sock.close()
            last = error
            continue
        # Each line goes out at once: with Nagle's algorithm a line waits for
        # the server to acknowledge the previous one (40 ms of delayed ACK).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    say(f"telnet: Unable to connect to remote host: {last.strerror}")
    return None


def say(line: str) -> None:
    os.write(sys.stdout.fileno(), (line + "\n").encode())


def session(sock: socket.socket, host: str) -> int:
    say(f"Connected to {host}.")
    say("Escape character is '^]'.")
    negotiation = Negotiation()
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    typed = b""
    try:
        while True:
            for key, _ in selector.select():
                if key.fileobj is sock:
                    if not receive(sock, negotiation):
                        say("Connection closed by foreign host.")
                        return 0
                    continue
                data = os.read(sys.stdin.fileno(), 4096)
                if not data:
                    return 0
                typed += data
                while b"\n" in typed:
                    line, typed = typed.split(b"\n", 1)
                    if ESCAPE in line:
                        return escape_prompt()
                    sock.sendall(line.rstrip(b"\r") + b"\r\n")
    finally:
        selector.close()
        sock.close()


def receive(sock: socket.socket, negotiation: Negotiation) -> bool:
    try:
        data = sock.recv(65536)
    except ConnectionError:
        return False
    if not data:
        return False
    text, answer = negotiation.feed(data)
    if answer:
        sock.sendall(answer)
    # The terminal turns each \n into \r\n itself.
    os.write(sys.stdout.fileno(), text.replace(b"\r\n", b"\n"))
    return True


def escape_prompt() -> int:
    os.write(sys.stdout.fileno(), b"telnet> ")
    command = sys.stdin.readline().strip().lower()
    if command in ("quit", "q", "close", "c", ""):
        say("Connection closed.")
        return 0
    say(f"?Invalid command: {command}; this telnet knows only 'quit'.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m telnetmail.telnet",
        description="A minimal telnet client for plain-text mail sessions.",
    )
    parser.add_argument("host")
    parser.add_argument("port", nargs="?", default="23")
    args = parser.parse_args(argv)
    try:
        port = (
            int(args.port)
            if args.port.isdigit()
            else socket.getservbyname(args.port, "tcp")
        )
    except OSError:
        print(f"telnet: {args.port}: bad port", file=sys.stderr)
        return 1
    try:
        sock = connect(args.host, port)
    except socket.gaierror:
        say(
            f"telnet: could not resolve {args.host}/{args.port}: Name or service not known"
        )
        return 1
    if sock is None:
        return 1
    return session(sock, args.host)


if __name__ == "__main__":
    raise SystemExit(main())
