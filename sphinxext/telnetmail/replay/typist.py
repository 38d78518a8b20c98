"""Type a transcript's client lines to a server over a plain socket.

No telnet, no pexpect, no comparison of content: the typist sends each
client line and waits for the reply the protocol owes it, read by the
protocol's framing (SMTP's last ``NNN`` line, POP3's status line and ``.``,
IMAP's tagged completion, literals and continuations). It is how the
practice server is put in the state a dialogue starts from (``telnetmail
serve --from``, ``telnetmail reset``), for every account of a class, and it
notes the status of each reply so that a chain that goes otherwise than its
page says is told, not silently left half done.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from telnetmail.core.model import Protocol
from telnetmail.core.pop3 import listing_command

if TYPE_CHECKING:
    from telnetmail.core.openssl import OpensslCommand

#: Seconds to wait for a reply's next line.
TIMEOUT = 5.0

#: IMAP literals at the end of a line: ``{310}`` (the server answers ``+``
#: first) or ``{310+}`` (LITERAL+, it does not).
_LITERAL = re.compile(rb"\{(\d+)(\+?)\}$")
_SMTP_LAST = re.compile(rb"\d{3}(?: |$)")


class TypistError(Exception):
    """The server went silent, or hung up, where a reply was owed."""


class Typist:
    """One connection; :meth:`type_lines` types a dialogue's client lines.

    ``rewrite`` is applied to each line typed, except inside an IMAP
    literal, whose octets were counted on the page. With ``tls`` (a page's
    ``openssl s_client`` line) the connection speaks TLS as openssl would:
    from the start, or after the ``-starttls`` exchange, whose replies the
    page does not show.
    """

    def __init__(
        self,
        protocol: Protocol,
        address: tuple[str, int],
        rewrite: Callable[[str], str] = str,
        timeout: float = TIMEOUT,
        tls: OpensslCommand | None = None,
    ) -> None:
        self.protocol = protocol
        self.address = address
        self.rewrite = rewrite
        self.timeout = timeout
        self.tls = tls
        #: Whether the server's greeting is still to be read (not after
        #: -starttls: it was read in plain text, before the page begins).
        self.greeting = tls is None or tls.starttls is None
        #: Each reply's status as the page's turns name it: ``250``,
        #: ``+OK``, ``OK`` (IMAP's tagged completions only).
        self.statuses: list[str] = []
        self.sock: socket.socket | None = None
        self.buffer = b""

    def type_lines(self, lines: list[str]) -> list[str]:
        """Connect, read the greeting, type ``lines``, hang up; the statuses."""
        with socket.create_connection(self.address, timeout=self.timeout) as sock:
            self.sock = sock
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                self.sock = self.secured(sock)
            typing = {
                Protocol.SMTP: self.smtp,
                Protocol.POP3: self.pop3,
                Protocol.IMAP: self.imap,
            }[self.protocol]
            typing(lines)
        self.sock = None
        return self.statuses

    # -- SMTP ---------------------------------------------------------------

    def smtp(self, lines: list[str]) -> None:
        if self.greeting:
            self.smtp_reply()
        in_message = False
        for line in lines:
            self.send(line, rewrite=True)
            if in_message:
                in_message = line != "."
                if not in_message:
                    self.smtp_reply()
                continue
            code = self.smtp_reply()
            in_message = _verb(line) == "DATA" and code == "354"
            if code in ("221", "421"):
                return

    def smtp_reply(self) -> str:
        """The reply's code, read up to its last line."""
        while True:
            line = self.read_line()
            if _SMTP_LAST.match(line):
                code = line[:3].decode()
                self.statuses.append(code)
                return code

    # -- POP3 ---------------------------------------------------------------

    def pop3(self, lines: list[str]) -> None:
        if self.greeting:
            self.pop3_status()
        for line in lines:
            self.send(line, rewrite=True)
            status = self.pop3_status()
            verb, _, argument = line.strip().partition(" ")
            if status == "+OK" and listing_command(verb, argument):
                while self.read_line() != b".":
                    pass
            if verb.upper() == "QUIT":
                return

    def pop3_status(self) -> str:
        line = self.read_line()
        status = line.split(b" ", 1)[0].decode(errors="replace")
        self.statuses.append(status)
        return status

    # -- IMAP ---------------------------------------------------------------

    def imap(self, lines: list[str]) -> None:
        if self.greeting:
            self.read_line()
        tag: str | None = None
        literal = 0  # octets of a literal still to type
        for line in lines:
            if literal > 0:
                self.send(line, rewrite=False)
                literal -= len(line.encode()) + 2
                if literal < 0:  # the line's end ended the command too
                    literal, tag = 0, self.imap_completion(tag)
                continue
            self.send(line, rewrite=True)
            tag = tag or line.split(" ", 1)[0]
            found = _LITERAL.search(line.encode())
            if found is not None:
                literal = int(found[1])
                if not found[2] and self.imap_completion(tag) is None:
                    literal = 0  # refused: NO or BAD instead of "+"
                continue
            tag = self.imap_completion(tag)
            if tag is None and _verb(line, tagged=True) == "LOGOUT":
                return

    def imap_completion(self, tag: str | None) -> str | None:
        """Read up to the command's tagged completion (then None) or a ``+``
        continuation (then the tag: the command goes on)."""
        while True:
            line = self.read_line()
            while (found := _LITERAL.search(line)) is not None:
                self.read_octets(int(found[1]))
                line = self.read_line()  # the rest of the response
            if line == b"+" or line.startswith(b"+ "):
                return tag
            word, _, rest = line.partition(b" ")
            if tag is not None and word.decode(errors="replace") == tag:
                self.statuses.append(rest.split(b" ", 1)[0].decode(errors="replace"))
                return None

    # -- TLS ----------------------------------------------------------------

    def secured(self, sock: socket.socket) -> ssl.SSLSocket:
        """``sock`` in TLS, after openssl's ``-starttls`` exchange if asked.

        The certificate is not checked: the practice server's is made for
        the moment, and the page's openssl shows its verification error.
        """
        assert self.tls is not None
        if self.tls.starttls is not None:
            self.start_tls(self.tls.starttls)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context.wrap_socket(sock)

    def start_tls(self, protocol: Protocol) -> None:
        """What ``openssl s_client -starttls`` says before the handshake."""
        statuses, self.statuses = self.statuses, []
        if protocol is Protocol.SMTP:
            self.smtp_reply()
            for command in ("EHLO openssl.client.net", "STARTTLS"):
                self.send(command, rewrite=False)
                self.smtp_reply()
        elif protocol is Protocol.POP3:
            self.pop3_status()
            self.send("STLS", rewrite=False)
            self.pop3_status()
        else:
            self.read_line()
            self.send(". STARTTLS", rewrite=False)
            self.imap_completion(".")
        self.statuses = statuses

    # -- the wire -----------------------------------------------------------

    def send(self, line: str, *, rewrite: bool) -> None:
        assert self.sock is not None
        text = self.rewrite(line) if rewrite else line
        self.sock.sendall(text.encode() + b"\r\n")

    def read_line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self.receive()
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def read_octets(self, count: int) -> bytes:
        while len(self.buffer) < count:
            self.receive()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self) -> None:
        assert self.sock is not None
        started = time.monotonic()
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            waited = time.monotonic() - started
            raise TypistError(f"no reply in {waited:.1f} s") from None
        if not data:
            raise TypistError("the server hung up where a reply was owed")
        self.buffer += data


def _verb(line: str, *, tagged: bool = False) -> str:
    words = line.split()
    if tagged:
        words = words[1:]
    return words[0].upper() if words else ""
