"""The mail services: their names, their ports, the practice server's ports.

One table for every part that needs one: the transcript parser reads a
page's protocol from the port its ``telnet`` command names, the embedded
server starts and names its services, ``telnetmail serve`` listens on the
practice ports.
"""

from __future__ import annotations

from telnetmail.core.model import Protocol

#: The services, in the order they are started and reported.
SERVICE_NAMES: tuple[str, ...] = tuple(str(protocol) for protocol in Protocol)

#: The practice server's ports: above 1024, so that no root is needed, and
#: easy to remember (25, 110, 143).
PRACTICE_PORTS: dict[Protocol, int] = {
    Protocol.SMTP: 2525,
    Protocol.POP3: 1110,
    Protocol.IMAP: 1143,
}

#: Service names (as in /etc/services) and well-known ports, with the
#: practice server's ports: what a page may type after ``telnet HOST``.
SERVICES: dict[str, Protocol] = {
    "smtp": Protocol.SMTP,
    "submission": Protocol.SMTP,
    "mail": Protocol.SMTP,
    "25": Protocol.SMTP,
    "587": Protocol.SMTP,
    "pop3": Protocol.POP3,
    "pop-3": Protocol.POP3,
    "pop": Protocol.POP3,
    "110": Protocol.POP3,
    "imap": Protocol.IMAP,
    "imap2": Protocol.IMAP,
    "imap4": Protocol.IMAP,
    "143": Protocol.IMAP,
    **{str(port): protocol for protocol, port in PRACTICE_PORTS.items()},
}
