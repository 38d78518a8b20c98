"""A class of students against ``telnetmail serve``: latency, lost mail, cost.

Starts ``telnetmail serve`` (a child process, free ports of 127.0.0.1, one
account per student from a users file), then lets N simulated students work
for a while, each one command at a time as a person at telnet would: send a
message to a classmate over SMTP, read their mail over POP3, look at it over
IMAP. Every SMTP, POP3 and IMAP command's round trip is timed. At the end
each mailbox is read back: every message accepted (250) must be there
exactly once. Prints p50/p95/p99 per protocol, lost and duplicated mail,
and the server's CPU time and peak memory.

    python bench/classroom.py            # 100 students, 60 s
    python bench/classroom.py --quick    # 10 students, 3 s (the test runs this)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

Latencies = dict[str, list[float]]


class Student:
    def __init__(self, number: int, ports: dict[str, int], timings: Latencies) -> None:
        self.name = f"s{number:03d}"
        self.password = f"pw-{number:03d}"
        self.address = f"{self.name}@class.test"
        self.ports = ports
        self.timings = timings

    async def connect(
        self, service: str
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.ports[service])
        await reader.readline()
        return reader, writer

    async def ask(self, service: str, conn, line: str, until: bytes) -> list[bytes]:
        """Send *line*; the reply's lines, up to the first starting with *until*."""
        reader, writer = conn
        start = time.perf_counter()
        writer.write(line.encode() + b"\r\n")
        lines = [await reader.readline()]
        while not lines[-1].startswith(until) and lines[-1]:
            lines.append(await reader.readline())
        self.timings[service].append(time.perf_counter() - start)
        return lines

    async def send(self, to: str, subject: str) -> bool:
        conn = await self.connect("smtp")
        for line, code in (
            ("HELO pc.class.test", b"250"),
            (f"MAIL FROM:<{self.address}>", b"250"),
            (f"RCPT TO:<{to}>", b"250"),
            ("DATA", b"354"),
        ):
            await self.ask("smtp", conn, line, code[:1])
        reply = await self.ask(
            "smtp", conn, f"Subject: {subject}\r\n\r\nCiao!\r\n.", b"2"
        )
        await self.ask("smtp", conn, "QUIT", b"221")
        conn[1].close()
        return reply[-1].startswith(b"250")

    async def pop3(self) -> None:
        conn = await self.connect("pop3")
        await self.ask("pop3", conn, f"USER {self.name}", b"+")
        reply = await self.ask("pop3", conn, f"PASS {self.password}", b"")
        if reply[-1].startswith(b"+OK"):
            stat = await self.ask("pop3", conn, "STAT", b"")
            count = int(stat[-1].split()[1])
            if count:
                await self.ask("pop3", conn, f"RETR {random.randint(1, count)}", b".\r")
        await self.ask("pop3", conn, "QUIT", b"+OK")
        conn[1].close()

    async def imap(self) -> None:
        conn = await self.connect("imap")
        await self.ask("imap", conn, f"a1 LOGIN {self.name} {self.password}", b"a1 ")
        await self.ask("imap", conn, "a2 SELECT INBOX", b"a2 ")
        await self.ask("imap", conn, "a3 FETCH 1:* (FLAGS)", b"a3 ")
        await self.ask("imap", conn, "a4 LOGOUT", b"a4 ")
        conn[1].close()

    async def subjects(self) -> list[str]:
        conn = await self.connect("imap")
        await self.ask("imap", conn, f"a1 LOGIN {self.name} {self.password}", b"a1 ")
        await self.ask("imap", conn, "a2 EXAMINE INBOX", b"a2 ")
        lines = await self.ask("imap", conn, "a3 SEARCH ALL", b"a3 ")
        found: list[str] = []
        if lines[0].startswith(b"* SEARCH "):
            fetch = "a4 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"
            lines = await self.ask("imap", conn, fetch, b"a4 ")
            found = re.findall(r"Subject: (bench-\S+)", b"".join(lines).decode())
        conn[1].close()
        return found


async def lesson(
    students: list[Student], seconds: float, sent: Counter[tuple[str, str]]
) -> int:
    """Every student works until the time is up; the commands that failed."""
    deadline = time.monotonic() + seconds
    errors = 0

    async def work(student: Student) -> None:
        nonlocal errors
        serial = 0
        await asyncio.sleep(random.uniform(0, 1))  # Students do not start in step.
        while time.monotonic() < deadline:
            task = random.choice(("send", "send", "pop3", "imap"))
            try:
                if task == "send":
                    serial += 1
                    mate = random.choice(students)
                    subject = f"bench-{student.name}-{serial}"
                    if await student.send(mate.address, subject):
                        sent[(mate.name, subject)] += 1
                elif task == "pop3":
                    await student.pop3()
                else:
                    await student.imap()
            except (OSError, ValueError, IndexError):
                errors += 1
            # Faster than anyone types at telnet: a command every 0.3-1 s.
            await asyncio.sleep(random.uniform(0.3, 1.0))

    await asyncio.gather(*(work(student) for student in students))
    return errors


def start_server(
    users: Path, log: Path
) -> tuple[subprocess.Popen[str], dict[str, int]]:
    command = [sys.executable, "-m", "telnetmail", "serve", "--users-file", str(users),
               "--smtp-port", "0", "--pop3-port", "0", "--imap-port", "0"]
    with log.open("w") as stderr:
        server = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    assert server.stdout is not None
    ports: dict[str, int] = {}
    while len(ports) < 3:
        line = server.stdout.readline()
        if not line:
            raise RuntimeError("telnetmail serve did not start")
        if found := re.match(r"\s+(SMTP|POP3|IMAP)\s+port (\d+)", line):
            ports[found.group(1).lower()] = int(found.group(2))
    return server, ports


def server_cost(pid: int) -> tuple[float, int]:
    """CPU seconds used and peak resident memory (KiB) of process *pid*."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    status = Path(f"/proc/{pid}/status").read_text()
    peak = re.search(r"VmHWM:\s+(\d+)", status)
    return cpu, int(peak.group(1)) if peak else 0


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "no samples"
    cuts = statistics.quantiles(values, n=100)
    return (f"p50 {cuts[49] * 1000:6.2f} ms  p95 {cuts[94] * 1000:6.2f} ms"
            f"  p99 {cuts[98] * 1000:6.2f} ms  ({len(values)} commands)")


async def run(count: int, seconds: float) -> int:
    with tempfile.TemporaryDirectory() as folder:
        users = Path(folder) / "users"
        users.write_text("".join(
            f"s{n:03d}:pw-{n:03d}:s{n:03d}@class.test\n" for n in range(count)
        ))
        log = Path(folder) / "server.log"
        server, ports = start_server(users, log)
        try:
            timings: Latencies = defaultdict(list)
            students = [Student(n, ports, timings) for n in range(count)]
            sent: Counter[tuple[str, str]] = Counter()
            errors = await lesson(students, seconds, sent)
            cpu, peak = server_cost(server.pid)
            received: Counter[tuple[str, str]] = Counter()
            for student in students:
                for subject in await student.subjects():
                    received[(student.name, subject)] += 1
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(10)
        tracebacks = log.read_text().count("Traceback")
    lost = sum(1 for key in sent if received[key] == 0)
    duplicated = sum(n - 1 for n in received.values() if n > 1)
    print(f"{count} students, {seconds:g} s, {sum(sent.values())} messages accepted")
    for service in ("smtp", "pop3", "imap"):
        print(f"  {service.upper():<4}  {percentiles(timings[service])}")
    print(f"  lost {lost}, duplicated {duplicated}, failed commands {errors}")
    print(f"  server: {cpu:.1f} s CPU, peak memory {peak / 1024:.0f} MiB,"
          f" {tracebacks} tracebacks")
    return 0 if lost == duplicated == errors == tracebacks == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="10 students for 3 s")
    args = parser.parse_args()
    if args.quick:
        args.students, args.seconds = 10, 3.0
    # Bounded: a benchmark must not turn into a denial of service of the machine.
    if not (1 <= args.students <= 400 and 0 < args.seconds <= 600):
        parser.error("--students 1..400, --seconds up to 600")
    return asyncio.run(run(args.students, args.seconds))


if __name__ == "__main__":
    sys.exit(main())
