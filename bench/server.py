"""Benchmark the embedded mail server (not a test: it prints, it never fails).

Prints the start-up time of all three servers (cold, with imports, and warm),
the first IMAP greeting (pymap is imported, and the mail moved into it, only
then), the time to reset the store (plain mailboxes, then pymap's after IMAP
was used), and the median round trip of NOOP per protocol
over a raw socket; then with TLS on (STARTTLS and the four TLS listeners):
the certificate's making, start-up, and the cost of a TLS handshake on
loopback (implicit TLS and STARTTLS) against a plaintext connection.
Targets: start < 300 ms (with TLS too: the certificate is made once per
process, after the plaintext listeners serve), reset < 5 ms, NOOP < 0.2 ms.

Run: .venv/bin/python bench/server.py [--rounds N] [--handshakes N] [--quick]
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import ssl
import statistics
import time
from collections.abc import Callable

START = time.perf_counter()
from telnetmail.server import MailServer, ServerConfig  # noqa: E402  (timed import)
from telnetmail.server.tls import TLSConfig, self_signed

IMPORTED = time.perf_counter()

# service -> (lines that log in first, the NOOP line, the start of its reply)
NOOPS: dict[str, tuple[list[bytes], bytes, bytes]] = {
    "smtp": ([b"HELO bench.example.com"], b"NOOP", b"250 "),
    "pop3": ([b"USER MyUsername", b"PASS MyPassword"], b"NOOP", b"+OK"),
    "imap": ([b"a LOGIN MyUsername MyPassword"], b"n NOOP", b"n OK"),
}


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        begin = time.perf_counter()
        action()
        times.append(time.perf_counter() - begin)
    return times


def noop_round_trips(port: int, service: str, rounds: int) -> list[float]:
    login, noop, ok = NOOPS[service]
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        reader.readline()
        for line in login:
            sock.sendall(line + b"\r\n")
            while reader.readline()[:1] not in (b"2", b"+", b"a"):
                pass

        def once() -> None:
            sock.sendall(noop + b"\r\n")
            while not reader.readline().startswith(ok):
                pass

        times = timed(once, rounds)
        reader.close()
        return times


def deliver(server: MailServer) -> None:
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        smtp.helo("bench.example.com")
        smtp.sendmail(
            "a@example.com", ["recipient@example.com"], "Subject: b\r\n\r\nb\r\n"
        )


def lab_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def greeting(port: int, context: ssl.SSLContext | None) -> None:
    """Connect (and shake hands, with *context*) and read the greeting."""
    with socket.create_connection(("127.0.0.1", port)) as raw:
        if context is None:
            raw.recv(512)
            return
        with context.wrap_socket(raw) as secured:
            secured.recv(512)


def starttls(port: int, context: ssl.SSLContext) -> None:
    """SMTP's greeting, EHLO, STARTTLS and the handshake."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo("bench.example.com")
        smtp.starttls(context=context)


def tls_numbers(rounds: int) -> None:
    """The certificate, start-up and handshakes with TLS on."""
    config = ServerConfig(tls=TLSConfig())
    begin = time.perf_counter()
    server = MailServer(config).start()
    first = time.perf_counter() - begin
    print(
        f"first start with TLS: {ms(first)}; a cold process with TLS:"
        f" {ms(IMPORTED - START + first)}"
    )
    # The certificate is made after start returns (cryptography imported):
    # the first TLS client waits for it.
    begin = time.perf_counter()
    greeting(server.ports["imaps"], lab_context())
    print(
        "first IMAPS greeting right after start (certificate made meanwhile):"
        f" {ms(time.perf_counter() - begin)}"
    )
    server.stop()
    fresh = [(f"bench{i}.example.com",) for i in range(20)]
    making = timed(lambda: self_signed(fresh.pop()), 20)
    print(
        f"self-signed certificate made, median of 20: {ms(statistics.median(making))}"
    )
    warm = timed(lambda: MailServer(config).start().stop(), 20)
    print(f"start + stop with TLS, warm, median of 20: {ms(statistics.median(warm))}")
    server.start()
    try:
        context, ports = lab_context(), server.ports
        cases = {
            "IMAP plaintext connect + greeting": lambda: greeting(ports["imap"], None),
            "IMAPS connect + handshake + greeting": lambda: greeting(
                ports["imaps"], context
            ),
            "SMTP EHLO + STARTTLS + handshake": lambda: starttls(
                ports["smtp"], context
            ),
        }
        for label, action in cases.items():
            times = timed(action, rounds)
            print(f"{label}, median of {rounds}: {ms(statistics.median(times))}")
    finally:
        server.stop()


def print_resets(server: MailServer, kind: str) -> None:
    resets = []
    for _ in range(50):
        deliver(server)
        resets += timed(server.reset, 1)
    print(
        f"reset (after one delivery; {kind}), median of 50:"
        f" {ms(statistics.median(resets))}"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2000, help="NOOPs per protocol")
    parser.add_argument(
        "--handshakes", type=int, default=200, help="TLS connections per case"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few rounds and handshakes: checks the script still runs",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.handshakes = 5, 5
    rounds = args.rounds

    begin = time.perf_counter()
    server = MailServer().start()
    cold = time.perf_counter() - begin
    try:
        print(
            f"start (import {ms(IMPORTED - START)} + first start {ms(cold)}):"
            f" {ms(IMPORTED - START + cold)}"
        )
        begin = time.perf_counter()
        greeting(server.imap_port, None)
        print(
            "first IMAP greeting right after start (pymap imported meanwhile):"
            f" {ms(time.perf_counter() - begin)}"
        )
        server.stop()
        warm = timed(lambda: MailServer().start().stop(), 20)
        print(f"start + stop, warm, median of 20: {ms(statistics.median(warm))}")
        server.start()
        print_resets(server, "plain mailboxes")
        for service in ("smtp", "pop3", "imap"):
            times = noop_round_trips(server.ports[service], service, rounds)
            print(
                f"NOOP round trip {service.upper():<4} median of {rounds}:"
                f" {ms(statistics.median(times))}"
            )
        print_resets(server, "pymap's, IMAP used")
    finally:
        server.stop()
    tls_numbers(args.handshakes)


if __name__ == "__main__":
    main()
