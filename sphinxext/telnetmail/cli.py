"""The ``telnetmail`` command line: a thin dispatcher over ``telnetmail.commands``."""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence

from telnetmail import __version__
from telnetmail.commands import COMMAND_MODULES
from telnetmail.exitcodes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "main"]

#: As a shell reports a process killed by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE

DESCRIPTION = """\
Speak SMTP, POP3 and IMAP by hand over telnet, and keep the course that
teaches it true: render transcripts of telnet sessions in Sphinx and check
them against a real mail server."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; given the ``command`` to run, with that command's
    parser only: each command imports what its options need (the servers'
    limits, TLS, the replay), and ``telnetmail check`` need not pay for
    ``serve``'s."""
    parser = argparse.ArgumentParser(
        prog="telnetmail",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module_name in (command,) if command in COMMAND_MODULES else COMMAND_MODULES:
        importlib.import_module(f"telnetmail.commands.{module_name}").register(
            subparsers
        )
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs: its first word, unless an option comes first."""
    return argv[0] if argv and not argv[0].startswith("-") else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command *argv* (the program's own arguments when None); its exit code."""
    code = run(argv)
    if argv is None:
        leave(code)
    return code


def run(argv: Sequence[str] | None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_named(words))
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr if argv is None else sys.stdout)
        return EXIT_USAGE if COMMAND_MODULES else EXIT_OK
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        # Every command cleans up in its own finally blocks; say so briefly.
        print("telnetmail: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `telnetmail check ... | head`: the reader has gone, which is no
        # error of ours. Python would report it again when flushing stdout
        # at exit: point stdout at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def leave(code: int) -> None:
    """End the program with *code*, without tearing every module down.

    Once the servers and pexpect are loaded, the interpreter's teardown
    takes about 100 ms, a quarter of a one-page check's own time, and has
    nothing left to do: every command has stopped its servers, reaped its
    processes and joined its threads. The atexit handlers (temporary
    folders' finalizers among them) still run, and the output is flushed.
    Should a thread still be running, the usual exit waits for it instead.
    """
    if threading.active_count() > 1:
        return
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or EXIT_BROKEN_PIPE  # nobody reads what is left
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
