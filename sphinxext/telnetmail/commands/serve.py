"""``telnetmail serve``: the course's mail servers, for students and teachers."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telnetmail.commands.serve_state import listen_for_resets, prepare
from telnetmail.commands.serve_tls import (
    add_tls_options,
    check_certificate,
    tls_banner,
    tls_from,
    tls_ports,
)
from telnetmail.core.services import PRACTICE_PORTS
from telnetmail.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from telnetmail.replay.pages import COURSE
from telnetmail.replay.requirements import Unavailable, require_replay

# Light modules of the server package (its __init__ loads the rest lazily):
# `telnetmail --help` works without the replay extra.
from telnetmail.server.config import Account, ServerConfig, parse_account
from telnetmail.server.limits import Limits

if TYPE_CHECKING:
    from telnetmail.server.control import ControlListener
    from telnetmail.server.controller import MailServer

__all__ = ["register", "serve"]

DEFAULT_PORTS = {str(protocol): port for protocol, port in PRACTICE_PORTS.items()}

DESCRIPTION = """\
Start an SMTP, a POP3 and an IMAP server over one in-memory mail store, and
print the telnet commands that reach them. Mail sent over SMTP to a local
address can be read at once over POP3 and IMAP. Serves until Ctrl-C.

Without --user or --users-file, the course's account serves: MyUsername /
MyPassword, who receives mail for recipient@example.com."""

#: The limits as ``--help`` shows them: a label and a template each.
LIMITS_HELP = (
    (
        "failed login answered",
        (
            "after {auth_failure_delay:g} s, doubling per failure"
            " up to {auth_failure_delay_max:g} s"
        ),
    ),
    (
        "connections",
        (
            "{max_connections} in all, {max_connections_per_address}"
            " per address (loopback exempt)"
        ),
    ),
    ("SMTP errors", "{smtp_error_limit}, then 421 and hang-up"),
    (
        "bad POP3/IMAP commands",
        (
            "{bad_commands_before_login} before login,"
            " {bad_commands_after_login} in a row after"
        ),
    ),
    ("IMAP literal before login", "{max_literal_before_login} octets"),
    ("message size", "{max_message_size} octets"),
    ("storage per user", "{quota} octets (552 5.2.2, NO [OVERQUOTA])"),
    (
        "idle client",
        "{idle_timeout:g} s; a literal must arrive in {literal_timeout:g} s",
    ),
    ("one command", "{command_budget:g} s at most, then it is ended"),
)

EPILOG = """\
examples:
  telnetmail serve
  telnetmail serve --from imap-copy      # mailboxes as right before that dialogue
  telnetmail serve --smtp-port 0 --pop3-port 0 --imap-port 0
  telnetmail serve --listen 0.0.0.0 --user anna:secret1:anna@example.com \\
                   --user ben:secret2:ben@example.com"""


def account(text: str) -> Account:
    """argparse type for ``--user``."""
    try:
        require_replay("embedded")
    except Unavailable as missing:
        raise argparse.ArgumentTypeError(str(missing)) from None
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


def users_file(text: str) -> tuple[Account, ...]:
    """argparse type for ``--users-file``: one NAME:PASSWORD:ADDRESS a line."""
    try:
        with open(text, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError as exc:
        message = f"cannot read {text}: {exc.strerror}"
        raise argparse.ArgumentTypeError(message) from None
    accounts = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            accounts.append(parse_account(line.strip()))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text}:{number}: {exc}") from None
    if not accounts:
        raise argparse.ArgumentTypeError(f"{text}: no accounts")
    return tuple(accounts)


def positive(kind: type[int | float]) -> Any:
    """argparse type: a number of *kind*, 0 or more."""

    def convert(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number >= 0")
        return value

    return convert


def limits_help() -> str:
    config = ServerConfig()
    values = {
        **vars(config.limits),
        "max_message_size": config.max_message_size,
        "idle_timeout": config.idle_timeout,
    }
    lines = ["limits (Postfix's and Dovecot's defaults, where they have one):"]
    lines += [f"  {label:<26} {text.format(**values)}" for label, text in LIMITS_HELP]
    return "\n".join(lines)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the course's SMTP, POP3 and IMAP servers until Ctrl-C",
        description=DESCRIPTION,
        epilog=EPILOG + "\n\n" + limits_help(),
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
        " Each user sees only their own mailbox. Visible to anyone running ps:"
        " prefer --users-file",
    )
    parser.add_argument(
        "--users-file",
        type=users_file,
        metavar="PATH",
        help="accounts, one NAME:PASSWORD:ADDRESS a line (# comments), added"
        " to those of --user; keeps passwords out of ps",
    )
    parser.add_argument(
        "--from",
        dest="start",
        metavar="NAME",
        help="start with the mailboxes as they are right before the dialogue"
        " NAME (its :after: chain typed for every account); while the server"
        " runs, 'telnetmail reset [NAME]' empties them or puts them back",
    )
    parser.add_argument(
        "--pages",
        type=Path,
        action="append",
        metavar="PATH",
        help="pages (.rst, .md, or folders) where --from and 'telnetmail reset'"
        " find dialogues (repeatable; default: the course shipped with telnetmail)",
    )
    add_limit_options(parser)
    add_tls_options(parser, port)
    parser.set_defaults(handler=serve)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    defaults = Limits()
    options = [
        (
            "--auth-failure-delay",
            "auth_failure_delay",
            float,
            "SECONDS",
            "wait before answering a failed login (Dovecot's auth_failure_delay)",
        ),
        (
            "--max-connections",
            "max_connections",
            int,
            "N",
            "connections from all clients together",
        ),
        (
            "--max-connections-per-address",
            "max_connections_per_address",
            int,
            "N",
            (
                "connections from one client address (Postfix's"
                " smtpd_client_connection_count_limit)"
            ),
        ),
        ("--quota", "quota", int, "OCTETS", "storage per user, all mailboxes"),
    ]
    for flag, name, kind, metavar, text in options:
        parser.add_argument(
            flag,
            dest=name,
            type=positive(kind),
            default=getattr(defaults, name),
            metavar=metavar,
            help=f"{text} (default {getattr(defaults, name)})",
        )
    parser.add_argument(
        "--limit-loopback",
        action="store_true",
        help="count loopback clients against --max-connections-per-address too"
        " (exempt by default, like Postfix's $mynetworks)",
    )


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(
        auth_failure_delay=args.auth_failure_delay,
        max_connections=args.max_connections,
        max_connections_per_address=args.max_connections_per_address,
        quota=args.quota,
        limit_loopback=args.limit_loopback,
    )


def serve(args: argparse.Namespace) -> int:
    try:
        require_replay("embedded")
    except Unavailable as missing:
        print(f"telnetmail serve: {missing}", file=sys.stderr)
        return EXIT_USAGE
    from telnetmail.server.controller import MailServer

    try:
        config = ServerConfig(limits=limits_from(args), tls=tls_from(args))
        check_certificate(config)
    except (ValueError, OSError) as exc:
        print(f"telnetmail serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    accounts = (*(args.users or ()), *(args.users_file or ()))
    if accounts:
        try:
            config = config.with_accounts(accounts)
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
        tls_ports=tls_ports(args),
    )
    pages = args.pages or [COURSE]
    # Handlers first: a signal sent as soon as the banner appears must not
    # find Python's defaults (SIGTERM would kill us without a clean stop).
    with stop_signals() as stop:
        failure = start(server)
        if failure is not None:
            return failure
        control: ControlListener | None = None
        try:
            failure = prepare(server, args.start, pages)
            if failure is not None:
                return failure
            control = listen_for_resets(server, pages)
            print(banner(server, control is not None), flush=True)
            # A timed wait, so that the main thread gets to run the handlers.
            while not stop.wait(0.2):
                pass
        finally:
            if control is not None:
                control.stop()
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


def banner(server: MailServer, resettable: bool = False) -> str:
    """What to tell the person who started the servers."""
    identity = server.config.identity
    host = server.client_host
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
    lines += tls_banner(server, host)
    # Never the passwords: the banner ends up on projectors and in logs.
    lines += ["", "Accounts (login name, address):"]
    lines += [
        f"  {account.name}  {account.address}" for account in server.config.accounts
    ]
    lines += ["", "Mail lives in memory and is gone when the servers stop."]
    if resettable:
        lines.append(
            "'telnetmail reset' empties the mailboxes; 'telnetmail reset NAME'"
            " puts them as right before dialogue NAME."
        )
    lines.append("Press Ctrl-C to stop.")
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
