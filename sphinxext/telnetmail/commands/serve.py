"""``telnetmail serve``: the course's mail servers, for students and teachers."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from telnetmail.core.services import PRACTICE_PORTS
from telnetmail.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from telnetmail.replay.requirements import Unavailable, require_replay

if TYPE_CHECKING:
    # The server (aiosmtpd, pymap: the replay extra) is imported when it
    # serves, so that `telnetmail --help` works without it.
    from telnetmail.server.config import Account
    from telnetmail.server.controller import MailServer

__all__ = ["register", "serve"]

DEFAULT_PORTS = {str(protocol): port for protocol, port in PRACTICE_PORTS.items()}

DESCRIPTION = """\
Start an SMTP, a POP3 and an IMAP server over one in-memory mail store, and
print the telnet commands that reach them. Mail sent over SMTP to a local
address can be read at once over POP3 and IMAP. Serves until Ctrl-C.

Without --user, the course's account serves: MyUsername / MyPassword, who
receives mail for recipient@example.com."""

EPILOG = """\
examples:
  telnetmail serve
  telnetmail serve --smtp-port 0 --pop3-port 0 --imap-port 0
  telnetmail serve --listen 0.0.0.0 --user anna:secret1:anna@example.com \\
                   --user ben:secret2:ben@example.com"""


def account(text: str) -> Account:
    """argparse type for ``--user``."""
    try:
        require_replay("embedded")
    except Unavailable as missing:
        raise argparse.ArgumentTypeError(str(missing)) from None
    from telnetmail.server.config import parse_account

    try:
        return parse_account(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def port(text: str) -> int:
    """argparse type for the port options: 0 to 65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def address(text: str) -> str:
    """argparse type for ``--listen``: an IP address to bind."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address") from None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the course's SMTP, POP3 and IMAP servers until Ctrl-C",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for service, default in DEFAULT_PORTS.items():
        parser.add_argument(
            f"--{service}-port",
            type=port,
            default=default,
            metavar="PORT",
            help=f"{service.upper()} port (default {default}; 0 picks a free one)",
        )
    parser.add_argument(
        "--listen",
        type=address,
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1, this machine only);"
        " passwords cross the network in plain text on any other",
    )
    parser.add_argument(
        "--user",
        type=account,
        action="append",
        dest="users",
        metavar="NAME:PASSWORD:ADDRESS",
        help="an account (repeatable); replaces the course's default account."
        " Each user sees only their own mailbox",
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    try:
        require_replay("embedded")
    except Unavailable as missing:
        print(f"telnetmail serve: {missing}", file=sys.stderr)
        return EXIT_USAGE
    from telnetmail.server.config import ServerConfig
    from telnetmail.server.controller import MailServer

    config = ServerConfig()
    if args.users:
        try:
            config = config.with_accounts(tuple(args.users))
        except ValueError as exc:
            print(f"telnetmail serve: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if not ipaddress.ip_address(args.listen).is_loopback:
        print(
            f"WARNING: listening on {args.listen}: anyone who can reach it can"
            " connect, and passwords cross the network in plain text.",
            file=sys.stderr,
        )
    server = MailServer(
        config,
        host=args.listen,
        smtp_port=args.smtp_port,
        pop3_port=args.pop3_port,
        imap_port=args.imap_port,
    )
    # Handlers first: a signal sent as soon as the banner appears must not
    # find Python's defaults (SIGTERM would kill us without a clean stop).
    with stop_signals() as stop:
        failure = start(server)
        if failure is not None:
            return failure
        try:
            print(banner(server), flush=True)
            # A timed wait, so that the main thread gets to run the handlers.
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    print("Mail servers stopped.", flush=True)
    return EXIT_OK


def start(server: MailServer) -> int | None:
    """Start *server*; on failure, explain and return the exit code."""
    from telnetmail.server.controller import PortInUseError

    try:
        server.start()
    except PortInUseError as exc:
        print(
            f"telnetmail serve: {exc.strerror}.\n"
            f"Another program (perhaps another 'telnetmail serve') holds it."
            f" Stop it, or choose another port with --{exc.service}-port PORT"
            f" (0 picks a free one).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"telnetmail serve: cannot listen on {server.host}: {exc}", file=sys.stderr
        )
        return EXIT_FAILED
    return None


def banner(server: MailServer) -> str:
    """What to tell the person who started the servers."""
    identity = server.config.identity
    # A wildcard address is not somewhere to connect to; this machine is.
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::") else server.host
    plays = {
        "smtp": identity.smtp_host,
        "pop3": identity.pop3_host,
        "imap": identity.imap_host,
    }
    lines = [f"telnetmail mail servers are listening on {server.host}:", ""]
    for service, name in plays.items():
        port_number = server.ports[service]
        lines.append(
            f"  {service.upper():<4}  port {port_number:<5}  as {name:<17}"
            f"  telnet {host} {port_number}"
        )
    lines += ["", "Accounts (login name, password, address):"]
    lines += [
        f"  {account.name}  {account.password}  {account.address}"
        for account in server.config.accounts
    ]
    lines += [
        "",
        "Mail lives in memory and is gone when the servers stop.",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event that SIGINT (Ctrl-C) or SIGTERM sets, while in the block."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stop.set()

    previous = {
        sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
