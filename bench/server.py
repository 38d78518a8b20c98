"""Benchmark the embedded mail server (not a test: it prints, it never fails).

Prints the start-up time of all three servers (cold, with imports, and warm),
the time to reset the store, and the median round trip of NOOP per protocol
over a raw socket. Targets: start < 300 ms, reset < 5 ms, NOOP < 0.2 ms.

Run: .venv/bin/python bench/server.py [--rounds N]
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import statistics
import time
from collections.abc import Callable

START = time.perf_counter()
from telnetmail.server import MailServer  # noqa: E402  (timed import)

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


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2000, help="NOOPs per protocol")
    rounds = parser.parse_args().rounds

    begin = time.perf_counter()
    server = MailServer().start()
    cold = time.perf_counter() - begin
    try:
        print(
            f"start (import {ms(IMPORTED - START)} + first start {ms(cold)}):"
            f" {ms(IMPORTED - START + cold)}"
        )
        server.stop()
        warm = timed(lambda: MailServer().start().stop(), 20)
        print(f"start + stop, warm, median of 20: {ms(statistics.median(warm))}")
        server.start()
        resets = []
        for _ in range(50):
            deliver(server)
            resets += timed(server.reset, 1)
        print(
            f"reset (after one delivery), median of 50: {ms(statistics.median(resets))}"
        )
        for service in ("smtp", "pop3", "imap"):
            times = noop_round_trips(server.ports[service], service, rounds)
            print(
                f"NOOP round trip {service.upper():<4} median of {rounds}:"
                f" {ms(statistics.median(times))}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
