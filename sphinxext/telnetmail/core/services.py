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
    # Implicit TLS (RFC 8314): reached with openssl s_client, not telnet.
    "smtps": Protocol.SMTP,
    "submissions": Protocol.SMTP,
    "465": Protocol.SMTP,
    "pop3s": Protocol.POP3,
    "995": Protocol.POP3,
    "imaps": Protocol.IMAP,
    "993": Protocol.IMAP,
}

#: The listeners a server with TLS adds, each speaking the protocol of its
#: kind: submission (RFC 6409, STARTTLS then AUTH) and the implicit-TLS ports
#: (RFC 8314). A server without TLS has none of them.
TLS_LISTENERS: dict[str, Protocol] = {
    "submission": Protocol.SMTP,
    "smtps": Protocol.SMTP,
    "pop3s": Protocol.POP3,
    "imaps": Protocol.IMAP,
}

#: The practice server's TLS ports (587, 465, 995, 993 less 0 or plus 2000).
PRACTICE_TLS_PORTS: dict[str, int] = {
    "submission": 2587,
    "smtps": 2465,
    "pop3s": 1995,
    "imaps": 1993,
}

SERVICES.update(
    {str(port): TLS_LISTENERS[name] for name, port in PRACTICE_TLS_PORTS.items()}
)

#: Service names and ports that name a TLS listener, mapped to its name.
TLS_SERVICES: dict[str, str] = {
    "submission": "submission",
    "587": "submission",
    "smtps": "smtps",
    "submissions": "smtps",
    "465": "smtps",
    "pop3s": "pop3s",
    "995": "pop3s",
    "imaps": "imaps",
    "993": "imaps",
    **{str(port): name for name, port in PRACTICE_TLS_PORTS.items()},
}
