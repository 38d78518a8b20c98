"""``telnetmail record``: run telnet by hand, get a verified ``transcript`` block."""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail.commands.check import Latch, Terminated, Unreadable, collect
from telnetmail.commands.recordtarget import (
    Recorded,
    Target,
    UsageError,
    page_lines,
    parse_target,
)
from telnetmail.core.model import Protocol
from telnetmail.core.options import split_names
from telnetmail.core.parser import parse_lines
from telnetmail.exitcodes import EXIT_OK, EXIT_USAGE
from telnetmail.replay.options import REPLAY_OPTIONS
from telnetmail.replay.requirements import Unavailable, require_replay

if TYPE_CHECKING:
    import pexpect

    from telnetmail.core.recording import PageLine
    from telnetmail.replay.engine import Case
    from telnetmail.replay.tap import Tap
    from telnetmail.replay.tlstap import TlsTap

DESCRIPTION = """\
Run instead of telnet: `telnetmail record mx1.example.com smtp` connects to
the embedded test server (or --backend, or --connect HOST:PORT), passes the
session through as telnet does, and when it ends writes a `.. transcript::`
block of it: client and server lines from who sent what, telnet's own lines,
the values that vary marked, a name and a caption proposed. The block passes
`telnetmail check` on the same backend as it is written.

Run instead of openssl: `telnetmail record -- openssl s_client -quiet -crlf
-connect imap.example.com:993` (or -starttls smtp|pop3|imap with the plain
port) runs openssl against the backend's listener for that port, as the
replay does: TLS ends at record's tap (its own self-signed certificate), so
that it sees the dialogue, and goes on to the server. The block shows the
openssl command, its verification lines and the line -starttls leaves.
Record's own options go before `--`.
Exit status: 0 written, 2 usage or environment errors."""

USAGE = """\
%(prog)s [options] HOST PORT
       %(prog)s [options] -- openssl s_client -quiet -crlf \
[-starttls smtp|pop3|imap] -connect HOST:PORT"""

#: Seconds to read what telnet still printed after the session.
LAST_WORDS = 2.0

#: Options of ``check`` that record takes too.
SHARED = ("backend", "telnet", "server-name", "timeout")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "record",
        help="record a telnet (or openssl s_client) session into a transcript block",
        description=DESCRIPTION,
        usage=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target",
        nargs="+",
        metavar="HOST PORT",
        help="the host the page shows (mx1.example.com) and the service: smtp, "
        "pop3, imap or a port; or, after --, an openssl s_client command",
    )
    for name in SHARED:
        parser.add_argument(f"--{name}", **REPLAY_OPTIONS[name])
    parser.add_argument(
        "--connect",
        metavar="HOST:PORT",
        help="record against this server instead of a backend (your own lab)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the block to FILE"
    )
    parser.add_argument(
        "--append",
        type=Path,
        metavar="PAGE",
        help="append the block to PAGE (a MyST fence if PAGE is .md)",
    )
    parser.add_argument(
        "--after",
        default="",
        metavar="NAMES",
        help="replay these transcripts first (found in --append's page and --pages)",
    )
    parser.add_argument(
        "--pages",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="a page or folder where --after's transcripts are (repeatable)",
    )
    parser.add_argument(
        "--name", help="the :name: (default: proposed from the commands)"
    )
    parser.add_argument("--caption", help="the :caption: (default: proposed)")
    parser.set_defaults(handler=record)


def record(args: argparse.Namespace) -> int:
    latch = Latch()
    try:
        with latch.installed():
            block = record_block(args)
            latch.raise_if_signalled()
    except Terminated as stop:
        with contextlib.suppress(OSError):
            print(f"telnetmail record: stopped by {stop}", file=sys.stderr)
        return 128 + stop.signum
    except (Unavailable, Unreadable, UsageError) as problem:
        print(f"telnetmail record: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return write_block(args, block)


def record_block(args: argparse.Namespace) -> str:
    target = parse_target(args.target)
    if target.protocol is None and args.connect is None:
        raise UsageError(
            f"{target.port!r} names no mail service (smtp, pop3, imap, or their ports)"
        )
    if not sys.stdin.isatty():
        raise UsageError("record needs a terminal: it passes your typing to telnet")
    after = split_names(args.after)
    if after and args.connect is not None:
        raise UsageError("--after replays on a backend: it cannot go with --connect")
    named = named_transcripts(args, after)
    if args.connect is not None:
        recorded = session(args, parse_connect(args.connect), target)
        typed: frozenset[str] = frozenset()
    else:
        recorded, typed = on_backend(args, target, after, named)
    return block_of(args, target, recorded, after, typed)


def parse_connect(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--connect {text!r}: expected HOST:PORT")
    return host, int(port)


def named_transcripts(args: argparse.Namespace, after: list[str]) -> dict[str, Case]:
    if not after:
        return {}
    paths = [*args.pages, *([args.append] if args.append else [])]
    if not paths:
        raise UsageError(
            "--after needs the pages its transcripts are in (--pages or --append)"
        )
    require_replay(args.backend)
    from telnetmail.replay.runner import named_cases

    return named_cases(list(collect(paths, "protocol")))


def on_backend(
    args: argparse.Namespace,
    target: Target,
    after: list[str],
    named: dict[str, Case],
) -> tuple[Recorded, frozenset[str]]:
    require_replay(args.backend)
    from telnetmail.replay.backends import make_backend
    from telnetmail.replay.chain import ChainFailed, replay_chain, typed_lines
    from telnetmail.replay.engine import Verifier
    from telnetmail.replay.openssl import listener_for

    backend = make_backend(args.backend, args.server_name)
    backend.start()
    try:
        if after:
            try:
                verifier = Verifier(backend, timeout=args.timeout, telnet=args.telnet)
                replay_chain(verifier, after, named)
            except ChainFailed as failure:
                raise UsageError(f"cannot replay --after: {failure}") from None
        else:
            backend.reset()
        # The replay's listener for the port: 587 to submission, 993 to imaps.
        upstream = listener_for(backend, target.port, target.protocol)
        recorded = session(args, upstream, target)
        backend.settle()
    finally:
        backend.stop()
    return recorded, typed_lines(after, named)


def session(
    args: argparse.Namespace, upstream: tuple[str, int], target: Target
) -> Recorded:
    """Telnet (or openssl) through a tap to ``upstream``, the user at the keyboard."""
    from telnetmail.core.recording import wire_lines

    terminal = io.BytesIO()  # interact() logs bytes, whatever the encoding
    with tap_for(args, upstream, target) as tap:
        command = client_command(args, target, tap.port)
        size = shutil.get_terminal_size()
        child = pexpect_spawn(command, (size.lines, size.columns))
        try:
            child.logfile_read = terminal
            child.interact(escape_character=None)
            last_words(child)
        finally:
            child.close(force=True)
    if tap.error is not None:
        why = tap.error.strerror or tap.error
        raise UsageError(f"cannot connect to {upstream[0]}:{upstream[1]}: {why}")
    return Recorded(
        wire_lines(tap.chunks),
        terminal.getvalue().decode("utf-8", "replace"),
        list(getattr(tap, "plaintext", [])),
    )


def tap_for(
    args: argparse.Namespace, upstream: tuple[str, int], target: Target
) -> Tap | TlsTap:
    """A plain tap for telnet; for openssl, one that ends TLS and opens it
    again, with a certificate for the server's names."""
    from telnetmail.replay.tap import Tap
    from telnetmail.replay.tlstap import TlsTap

    if target.tls is None:
        return Tap(upstream)
    from telnetmail.server.config import Identity

    names = Identity(smtp_host=args.server_name).names
    return TlsTap(upstream, names, target.tls.starttls)


def client_command(args: argparse.Namespace, target: Target, port: int) -> list[str]:
    """telnet, or the author's openssl, pointed at the tap."""
    from telnetmail.replay.openssl import openssl_command
    from telnetmail.replay.session import telnet_command

    if target.tls is None:
        return [*telnet_command(args.telnet), "127.0.0.1", str(port)]
    return openssl_command(target.tls, "127.0.0.1", port)


def pexpect_spawn(command: list[str], size: tuple[int, int]) -> pexpect.spawn:
    import pexpect

    return pexpect.spawn(command[0], command[1:], dimensions=size)


def last_words(child: pexpect.spawn) -> None:
    """What telnet printed as it exited (``Connection closed by foreign
    host.``): interact() stops once telnet is gone, maybe before reading it."""
    import pexpect

    with contextlib.suppress(pexpect.ExceptionPexpect, OSError):
        child.expect(pexpect.EOF, timeout=LAST_WORDS)
    if isinstance(child.before, bytes) and child.before:
        sys.stdout.buffer.write(child.before)
        sys.stdout.flush()


def block_of(
    args: argparse.Namespace,
    target: Target,
    recorded: Recorded,
    after: list[str],
    typed: frozenset[str],
) -> str:
    from telnetmail.core.marking import mark_session
    from telnetmail.core.recording import (
        commands_typed,
        propose_caption,
        propose_name,
        render_block,
    )

    lines = page_lines(target, recorded)
    protocol = target.protocol
    found = protocol or sniffed(lines)
    if found is None:
        raise UsageError(
            "the server said nothing that names its protocol: nothing to write"
        )
    lines = mark_session(found, lines, typed)
    verbs = commands_typed(lines, found)
    options: dict[str, str | bool] = {
        "name": args.name or propose_name(found, verbs, names_in(args.append)),
        "caption": args.caption or propose_caption(found, verbs),
        "protocol": "" if protocol else str(found),
        "after": " ".join(after),
        # Recorded after its chain: the walk of its page starts it there too.
        "reset": bool(after),
    }
    written = args.append or args.output
    return render_block(
        lines, options, myst=written is not None and written.suffix == ".md"
    )


def sniffed(lines: list[PageLine]) -> Protocol | None:
    numbered = [
        (index, f"{role}: {text}") for index, (role, text) in enumerate(lines, 1)
    ]
    return parse_lines(numbered).protocol


def names_in(page: Path | None) -> list[str]:
    if page is None or not page.exists():
        return []
    from telnetmail.core.mystscan import scan_page

    text = page.read_text(encoding="utf-8")
    return [block.options.get("name", "") for block in scan_page(page.name, text)]


def write_block(args: argparse.Namespace, block: str) -> int:
    if args.append is not None:
        before = args.append.read_text(encoding="utf-8") if args.append.exists() else ""
        page = f"{before.rstrip()}\n\n{block}" if before.strip() else block
        args.append.write_text(page, encoding="utf-8")
        print(f"telnetmail record: appended to {args.append}", file=sys.stderr)
    if args.output is not None:
        args.output.write_text(block, encoding="utf-8")
        print(f"telnetmail record: written to {args.output}", file=sys.stderr)
    if args.append is None and args.output is None:
        sys.stdout.write(block)
    return EXIT_OK
