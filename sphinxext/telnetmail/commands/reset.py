"""``telnetmail reset``: put a running practice server back where a dialogue starts."""

from __future__ import annotations

import argparse
import sys

from telnetmail.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

DESCRIPTION = """\
Talk to the practice server that 'telnetmail serve' runs on this machine, as
the same user: hang up on its clients and empty its mailboxes, or, given the
name of a dialogue of the course (or of the pages the server was started
with, --pages), put them as they are right before that dialogue, for every
account. Exit status: 0 done, 1 the state could not be prepared, 2 no server
running, or no dialogue of that name."""

EPILOG = """\
examples:
  telnetmail reset              # empty mailboxes
  telnetmail reset imap-copy    # as right before the dialogue imap-copy"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reset",
        help="empty a running practice server's mailboxes, or put them where a"
        " dialogue starts",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="the dialogue whose starting state to put back (default: empty mailboxes)",
    )
    parser.add_argument(
        "--pid",
        type=int,
        help="the server's process id, when several 'telnetmail serve' run",
    )
    parser.set_defaults(handler=reset)


def reset(args: argparse.Namespace) -> int:
    from telnetmail.server.control import ControlError, request, running_servers

    try:
        servers = running_servers()
    except ControlError as problem:
        print(f"telnetmail reset: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.pid is not None:
        servers = [server for server in servers if server.pid == args.pid]
    if not servers:
        whose = f" with pid {args.pid}" if args.pid is not None else ""
        print(
            f"telnetmail reset: no practice server{whose} is running for you on"
            " this machine; start one with 'telnetmail serve'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if len(servers) > 1:
        listed = "\n".join(
            f"  --pid {server.pid}  (SMTP port {(server.ports or {}).get('smtp', '?')})"
            for server in servers
        )
        print(
            f"telnetmail reset: {len(servers)} practice servers are running;"
            f" say which:\n{listed}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        answer = request(servers[0], {"reset": args.name})
    except (ControlError, OSError, ValueError) as problem:
        print(f"telnetmail reset: {problem}", file=sys.stderr)
        return EXIT_FAILED
    if answer.get("ok"):
        print(answer.get("message", ""))
        return EXIT_OK
    print(f"telnetmail reset: {answer.get('message', '')}", file=sys.stderr)
    return EXIT_USAGE if answer.get("usage") else EXIT_FAILED
