"""``telnetmail serve``'s TLS options, and the banner lines for its listeners.

TLS is opt-in (``--tls``, or any option below): the telnet lessons need
nothing of it, and its four listeners take four more ports.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from telnetmail.core.services import PRACTICE_TLS_PORTS
from telnetmail.server.tls import TLSConfig

if TYPE_CHECKING:
    from telnetmail.server.config import ServerConfig
    from telnetmail.server.controller import MailServer

__all__ = [
    "add_tls_options",
    "check_certificate",
    "tls_banner",
    "tls_from",
    "tls_ports",
]

#: What each listener is, and the command that reaches it.
LISTENERS: dict[str, tuple[str, str]] = {
    "submission": ("SMTP submission, STARTTLS", "-starttls smtp"),
    "smtps": ("SMTP over TLS", ""),
    "pop3s": ("POP3 over TLS", ""),
    "imaps": ("IMAP over TLS", ""),
}


def add_tls_options(parser: argparse.ArgumentParser, port: object) -> None:
    """--tls, the four TLS ports, --cert/--key and --require-tls."""
    group = parser.add_argument_group(
        "TLS (STARTTLS, submission, implicit TLS; off unless asked for)"
    )
    group.add_argument(
        "--tls",
        action="store_true",
        help="speak TLS: STARTTLS on SMTP, POP3 and IMAP, and the listeners"
        " below, with a self-signed certificate made at start",
    )
    for name, default in PRACTICE_TLS_PORTS.items():
        group.add_argument(
            f"--{name}-port",
            type=port,  # type: ignore[arg-type]
            metavar="PORT",
            help=f"{LISTENERS[name][0]} port (default {default}; 0 picks a"
            " free one); implies --tls",
        )
    group.add_argument("--cert", metavar="PEM", help="certificate chain (with --key)")
    group.add_argument("--key", metavar="PEM", help="its private key (with --cert)")
    group.add_argument(
        "--require-tls",
        action="store_true",
        help="refuse plaintext logins before TLS, as Dovecot does for a"
        " remote client (IMAP LOGINDISABLED, POP3 USER refused); implies --tls",
    )


def tls_ports(args: argparse.Namespace) -> dict[str, int]:
    """The TLS listeners' ports asked for, the practice ports otherwise."""
    return {
        name: default
        if getattr(args, f"{name}_port") is None
        else getattr(args, f"{name}_port")
        for name, default in PRACTICE_TLS_PORTS.items()
    }


def tls_from(args: argparse.Namespace) -> TLSConfig | None:
    """The TLS configuration asked for, None for none. Raises ValueError for
    a certificate without its key, or the other way round."""
    ports_given = any(
        getattr(args, f"{name}_port") is not None for name in PRACTICE_TLS_PORTS
    )
    wanted = args.tls or args.require_tls or args.cert or args.key or ports_given
    if not wanted:
        return None
    return TLSConfig(
        cert_file=args.cert, key_file=args.key, require_tls=args.require_tls
    )


def check_certificate(config: ServerConfig) -> None:
    """Load the certificate and key given, if any: OSError or ssl.SSLError
    (an OSError), naming the files, for ones that cannot serve."""
    tls = config.tls
    if tls is None or tls.cert_file is None:
        return
    from telnetmail.server.tls import server_context

    try:
        server_context(tls, config.identity.names)
    except OSError as exc:
        raise OSError(
            f"--cert {tls.cert_file} --key {tls.key_file}: {exc.strerror or exc}"
        ) from None


def tls_banner(server: MailServer, host: str) -> list[str]:
    """A line per TLS listener: its port, and the openssl command to type."""
    if server.config.tls is None:
        return []
    lines = ["", "With TLS (type -crlf so that lines end in CRLF):"]
    for name, (what, starttls) in LISTENERS.items():
        number = server.ports[name]
        flags = f" {starttls}" if starttls else ""
        lines.append(
            f"  {name:<10}  port {number:<5}  {what:<26}"
            f"  openssl s_client -quiet -crlf{flags} -connect {host}:{number}"
        )
    if server.config.tls.require_tls:
        lines.append("  Plaintext logins wait for STARTTLS/STLS (--require-tls).")
    return lines
