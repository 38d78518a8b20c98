"""``telnetmail check``: replay every transcript of some pages against a mail server."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail.core.model import Category
from telnetmail.core.names import duplicates
from telnetmail.core.sizes import Placed, check_pages
from telnetmail.core.starts import unnamed_reset_problem
from telnetmail.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from telnetmail.replay.defaults import MOST_JOBS, resolve_jobs
from telnetmail.replay.latch import Latch, Terminated
from telnetmail.replay.options import REPLAY_OPTIONS
from telnetmail.replay.pages import Unreadable, collect
from telnetmail.replay.requirements import Unavailable, require_replay

if TYPE_CHECKING:
    # The replay (pexpect, the servers) is imported when a check runs, after
    # require_replay() has said whether it can: `telnetmail --help` and
    # `telnetmail serve` never need it.
    from telnetmail.replay.engine import Case, Outcome

DESCRIPTION = """\
Replay every transcript of the given pages (.rst or MyST .md files, or folders
searched for them) through telnet against a test mail server, and compare what the
server says with what each page shows.
Exit status: 0 all pass, 1 some fail, 2 usage, parse or environment errors
(a missing telnet client, server or Python package; an unreadable page)."""

#: Problems that leave a transcript replayable: reported, not fatal. A
#: refused volatile mark is dropped, so its example is compared as written.
WARNINGS_ONLY = frozenset({Category.CONSISTENCY, Category.VOLATILE})


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="verify the transcripts of some pages against a mail server",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an .rst or MyST .md file, or a folder searched for them",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default="auto",
        metavar="N",
        help="parallel workers, each with its own server and, beyond the first, "
        "a process of its own, started only where there is work enough for it: "
        f"a number, or auto (one per CPU, at most {MOST_JOBS}; the default)",
    )
    for name, spec in REPLAY_OPTIONS.items():
        parser.add_argument(f"--{name}", **spec)
    parser.add_argument(
        "--no-walk",
        dest="walk",
        action="store_false",
        help="replay each transcript alone only; by default each page is also "
        "walked: its transcripts in page order on one server, as a student types them",
    )
    parser.add_argument(
        "--paste",
        action="store_true",
        help="type each transcript's client lines at once, after the server's "
        "greeting, as a student who pastes the copy button's text into telnet",
    )
    parser.add_argument(
        "--junit-xml",
        type=Path,
        metavar="PATH",
        help="also write the results as JUnit XML",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="also write a report (like the builder's output.txt)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        metavar="PATH",
        help="also write each dialogue's result as JSON, for transcript_results",
    )
    parser.add_argument(
        "--save-actual",
        type=Path,
        metavar="DIR",
        help="write what the server really answered, one file per transcript: DIR/PAGE/NAME.txt",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite the server lines of failing transcripts from what the server sent",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="with --update: print the diff only, change nothing",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="report failures and the summary only",
    )
    parser.set_defaults(handler=check)


def _jobs(text: str) -> int | str:
    try:
        resolve_jobs(text if text == "auto" else int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError("must be auto or a number from 1") from error
    return text if text == "auto" else int(text)


def check(args: argparse.Namespace) -> int:
    latch = Latch()
    try:
        with latch.installed():
            status = verify_pages(args, latch)
            latch.raise_if_signalled()  # a signal whose exception Python dropped
            return status
    except Terminated as stop:
        with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
            print(f"telnetmail check: stopped by {stop}", file=sys.stderr)
        return 128 + stop.signum  # as shells report death by that signal
    except (Unavailable, Unreadable) as problem:
        # What this machine or these files lack is no failure of a page.
        print(f"telnetmail check: {problem}", file=sys.stderr)
        return EXIT_USAGE


def verify_pages(args: argparse.Namespace, latch: Latch) -> int:
    if args.dry_run and not args.update:
        print("telnetmail check: --dry-run goes with --update", file=sys.stderr)
        return EXIT_USAGE
    paths = [Path(path) for path in args.paths]
    missing = [path for path in paths if not path.exists()]
    if missing:
        print(
            f"telnetmail check: no such file or folder: {missing[0]}", file=sys.stderr
        )
        return EXIT_USAGE
    require_replay(args.backend)
    from telnetmail.replay.session import telnet_command

    telnet_command(args.telnet)  # a missing client is told before anything runs
    cases = list(collect(paths, args.match))
    # ``|``, not ``or``: every problem of the pages is told at once.
    if report_parse_errors(cases) | report_duplicate_names(cases):
        return EXIT_USAGE
    report_related_sizes(cases)
    if not cases:
        print("telnetmail check: no transcripts found", file=sys.stderr)
        return EXIT_USAGE
    from telnetmail.replay.engine import Status
    from telnetmail.replay.report import output_text, summary, write_junit

    started = time.perf_counter()
    outcomes = replay(cases, args, latch)
    wall = time.perf_counter() - started
    print(summary(outcomes, wall))
    if args.output:
        args.output.write_text(output_text(outcomes, wall), encoding="utf-8")
    if args.junit_xml:
        write_junit(args.junit_xml, outcomes)
    if args.save_actual:
        save_actual(args.save_actual, outcomes)
    if args.results:
        from telnetmail.replay.results import write_results

        write_results(args.results, outcomes, args.backend)
    if args.update:
        from telnetmail.commands.update import update_pages

        return update_pages(cases, outcomes, args)
    failed = any(outcome.status is Status.FAILED for outcome in outcomes)
    return EXIT_FAILED if failed else EXIT_OK


def replay(cases: list[Case], args: argparse.Namespace, latch: Latch) -> list[Outcome]:
    from telnetmail.replay.runner import run_cases

    def progress(outcome: Outcome) -> None:
        show(outcome, args.quiet)
        latch.raise_if_signalled()

    return run_cases(
        cases,
        walk=args.walk,
        paste=args.paste,
        backend=args.backend,
        server_name=args.server_name,
        jobs=args.jobs,
        timeout=args.timeout,
        telnet=args.telnet,
        progress=progress,
    )


def save_actual(folder: Path, outcomes: list[Outcome]) -> None:
    """Each replayed session as a page would write it, to compare servers side by side."""
    from telnetmail.replay.report import as_transcript

    for outcome in outcomes:
        if not outcome.actual:
            continue  # skipped: nothing was said
        path = (
            folder / page_folder(outcome.case.path) / f"{actual_name(outcome.case)}.txt"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(as_transcript(outcome.actual), encoding="utf-8")


def page_folder(page: str) -> Path:
    """The page's path below the current folder, without suffix (its name if outside)."""
    path = Path(page).resolve()
    try:
        return path.relative_to(Path.cwd()).with_suffix("")
    except ValueError:
        return Path(path.stem)


def actual_name(case: Case) -> str:
    """The transcript's :name:, or ``line-N`` for one without (a name is PATH:LINE then)."""
    if case.name == case.location:
        return f"line-{case.lineno}"
    return "".join(
        char if char.isalnum() or char in "-_." else "_" for char in case.name
    )


def report_parse_errors(cases: list[Case]) -> bool:
    """Print what keeps transcripts from being replayed; True if anything does."""
    found = False
    for case in cases:
        for diagnostic in case.transcript.diagnostics:
            serious = diagnostic.category not in WARNINGS_ONLY
            kind = "error" if serious else "warning"
            print(
                f"{case.path}:{diagnostic.lineno}: {kind}: {diagnostic.message}",
                file=sys.stderr,
            )
            found |= serious
        named = "" if case.name == case.location else case.name
        problem = unnamed_reset_problem(named, case.after, case.reset)
        if problem is not None:
            print(f"{case.location}: warning: {problem}", file=sys.stderr)
    return found


def report_related_sizes(cases: list[Case]) -> None:
    """Warn where transcripts that share an :after: state disagree on a size."""
    placed = [
        Placed(case.name, case.path, tuple(case.after), case.transcript)
        for case in cases
    ]
    for where, diagnostic in check_pages(placed):
        print(
            f"{where.page}:{diagnostic.lineno}: warning: {diagnostic.message}",
            file=sys.stderr,
        )


def report_duplicate_names(cases: list[Case]) -> bool:
    """Print each :name: defined twice, at both places; True if any is.

    Refused before anything runs: an :after: naming it could replay the
    transcript of another page.
    """
    found = duplicates((case.name, case.location) for case in cases)
    for twice in found:
        print(f"{twice.again}: error: {twice}", file=sys.stderr)
    return bool(found)


def show(outcome: Outcome, quiet: bool) -> None:
    from telnetmail.replay.engine import Status
    from telnetmail.replay.report import describe, label

    if outcome.status is Status.FAILED:
        print(
            f"{outcome.case.path}:{outcome.lineno}: FAIL {describe(outcome)}",
            flush=True,
        )
    elif not quiet:
        note = f": {outcome.message}" if outcome.message else ""
        print(
            f"{outcome.status.upper():7} {label(outcome)} ({outcome.seconds:.2f} s){note}",
            flush=True,
        )
