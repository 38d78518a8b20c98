"""The course's three seed dialogues, typed through the real ``telnet``.

Each step is a line the student types and the reply lines the seed shows,
as regular expressions: codes and structure must match, texts may differ.
``ANY`` stands for any number of lines (a message's headers).
"""

from __future__ import annotations

import re
import shutil
import smtplib

import pexpect
import pytest

from server_fixtures import COURSE
from telnetmail.server import MailServer

pytestmark = pytest.mark.skipif(
    shutil.which("telnet") is None,
    reason="the real telnet client is not installed (apt-get install inetutils-telnet)",
)

ANY = object()
CLOSED = "Connection closed by foreign host."

SEED_MESSAGE = [
    "From: sender@example.com",
    "To: recipient@example.com",
    "Subject: Test message",
    "",
    "This is a test message.",
]

SMTP_SEED: list[tuple[str | None, list[object]]] = [
    (None, [r"220 mx1\.example\.com .*"]),
    ("HELO client.example.com", [r"250 mx1\.example\.com"]),
    ("MAIL from: <sender@example.com>", [r"250 .*"]),
    ("RCPT to: <recipient@example.com>", [r"250 .*"]),
    ("DATA", [r"354 .*"]),
    *[(line, []) for line in SEED_MESSAGE],
    (".", [r"250 .*"]),
    ("QUIT", [r"221 .*", re.escape(CLOSED)]),
]

MESSAGE_AS_STORED: list[object] = [
    r"Return-Path: <sender@example\.com>",
    r"Received: from client\.example\.com .*",
    ANY,
    r"This is a test message\.",
]

POP3_SEED: list[tuple[str | None, list[object]]] = [
    (None, [r"\+OK .*"]),
    ("USER MyUsername", [r"\+OK.*"]),
    ("PASS MyPassword", [r"\+OK.*"]),
    ("LIST", [r"\+OK 1 messages.*", r"1 \d+", r"\."]),
    ("RETR 1", [r"\+OK \d+ octets", *MESSAGE_AS_STORED, r"\."]),
    ("DELE 1", [r"\+OK.*"]),
    ("quit", [r"\+OK .*", re.escape(CLOSED)]),
]

IMAP_SEED: list[tuple[str | None, list[object]]] = [
    (None, [r"\* OK .*"]),
    ("a1 LOGIN MyUsername MyPassword", [r"a1 OK .*"]),
    ('a2 LIST "" "*"', [r'\* LIST \(\\HasNoChildren\) "\." "?INBOX"?', r"a2 OK .*"]),
    (
        "a3 EXAMINE INBOX",
        [
            r"\* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)",
            r"\* OK \[PERMANENTFLAGS \(\)\] .*",
            r"\* 1 EXISTS",
            r"\* 1 RECENT",
            r"\* OK \[UNSEEN 1\] .*",
            r"\* OK \[UIDVALIDITY \d+\] .*",
            r"\* OK \[UIDNEXT 2\] .*",
            r"a3 OK \[READ-ONLY\] .*",
        ],
    ),
    (
        "a4 FETCH 1 BODY[]",
        [
            r"\* 1 FETCH \(BODY\[\] \{\d+\}",
            *MESSAGE_AS_STORED,
            r"\)",
            r"a4 OK .*",
        ],
    ),
    ("a5 LOGOUT", [r"\* BYE .*", r"a5 OK .*", re.escape(CLOSED)]),
]


class TelnetSession:
    """``telnet 127.0.0.1 PORT`` under pexpect, read line by line."""

    def __init__(self, port: int) -> None:
        self.child = pexpect.spawn(
            "telnet", ["127.0.0.1", str(port)], encoding="utf-8", timeout=5
        )
        self.child.delaybeforesend = None  # pexpect's 50 ms per line otherwise.
        self.child.expect_exact("Escape character is '^]'.\r\n")
        # telnet turns the pty's echo back on once connected.
        self.child.setecho(False)
        self.transcript: list[str] = []

    def type(self, line: str) -> None:
        self.transcript.append(f"client: {line}")
        self.child.sendline(line)

    def read_line(self) -> str:
        line = self.child.readline()
        if not line:
            pytest.fail("telnet ended early:\n" + "\n".join(self.transcript))
        line = line.rstrip("\r\n")
        self.transcript.append(f"server: {line}")
        return line

    def expect_lines(self, patterns: list[object]) -> None:
        skipping = False
        for pattern in patterns:
            if pattern is ANY:
                skipping = True
                continue
            line = self.read_line()
            while skipping and not re.fullmatch(str(pattern), line):
                line = self.read_line()
            skipping = False
            assert re.fullmatch(str(pattern), line), (
                f"expected {pattern!r}, got {line!r}\n" + "\n".join(self.transcript)
            )

    def close(self) -> None:
        self.child.close(force=True)


def replay(port: int, dialogue: list[tuple[str | None, list[object]]]) -> list[str]:
    session = TelnetSession(port)
    try:
        for line, replies in dialogue:
            if line is not None:
                session.type(line)
            session.expect_lines(replies)
        session.child.expect(pexpect.EOF)
        return session.transcript
    finally:
        session.close()


@pytest.fixture
def seed_message(mail_server: MailServer) -> None:
    """The message the seed's SMTP dialogue sends, already delivered."""
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port) as smtp:
        smtp.helo("client.example.com")
        smtp.sendmail(
            "sender@example.com", [COURSE.address], "\r\n".join(SEED_MESSAGE) + "\r\n"
        )


def test_smtp_seed_dialogue(mail_server: MailServer) -> None:
    replay(mail_server.smtp_port, SMTP_SEED)


def test_smtp_seed_dialogue_delivers_the_message(mail_server: MailServer) -> None:
    replay(mail_server.smtp_port, SMTP_SEED)
    replay(mail_server.pop3_port, POP3_SEED)


@pytest.mark.usefixtures("seed_message")
def test_pop3_seed_dialogue(mail_server: MailServer) -> None:
    replay(mail_server.pop3_port, POP3_SEED)


@pytest.mark.usefixtures("seed_message")
def test_pop3_retr_octet_count_matches_what_telnet_shows(
    mail_server: MailServer,
) -> None:
    transcript = replay(mail_server.pop3_port, POP3_SEED)
    start = transcript.index("client: RETR 1")
    octets = int(transcript[start + 1].split()[2])
    body = transcript[start + 2 : transcript.index("server: .", start)]
    assert octets == sum(
        len(line.removeprefix("server: ").encode()) + 2 for line in body
    )


@pytest.mark.usefixtures("seed_message")
def test_imap_seed_dialogue(mail_server: MailServer) -> None:
    replay(mail_server.imap_port, IMAP_SEED)


def test_seed_dialogues_replay_in_order_on_one_server(mail_server: MailServer) -> None:
    replay(mail_server.smtp_port, SMTP_SEED)
    replay(mail_server.smtp_port, SMTP_SEED)
    replay(mail_server.imap_port, [*IMAP_SEED[:3], IMAP_SEED[-1]])
    replay(
        mail_server.pop3_port,
        [
            *POP3_SEED[:3],
            ("LIST", [r"\+OK 2 messages.*", r"1 \d+", r"2 \d+", r"\."]),
            ("quit", [r"\+OK .*", re.escape(CLOSED)]),
        ],
    )
