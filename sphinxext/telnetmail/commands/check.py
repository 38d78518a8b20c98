"""``telnetmail check``: replay every transcript of some pages against a mail server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from telnetmail.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from telnetmail.core.model import Category
from telnetmail.core.names import duplicates
from telnetmail.core.mystscan import PAGE_SUFFIXES, scan_page
from telnetmail.core.sizes import Placed, check_pages
from telnetmail.replay.backends import BackendUnavailable
from telnetmail.replay.engine import Case, Outcome, Status
from telnetmail.replay.options import REPLAY_OPTIONS
from telnetmail.replay.report import (
    as_transcript,
    describe,
    output_text,
    summary,
    write_junit,
)
from telnetmail.replay.runner import run_cases

DESCRIPTION = """\
Replay every transcript of the given pages (.rst or MyST .md files, or
folders searched for them; the course/ folder by default) through telnet
against a test mail server, and compare what the server says with what each
page shows.
Exit status: 0 all pass, 1 some fail, 2 usage or parse errors."""

#: Problems that leave a transcript replayable: reported, not fatal. A
#: refused volatile mark is dropped, so its example is compared as written.
WARNINGS_ONLY = frozenset({Category.CONSISTENCY, Category.VOLATILE})

#: Folders never searched for pages.
SKIPPED_FOLDERS = frozenset({"_build", ".venv", "venv", ".git", "node_modules", ".tox"})


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="verify the transcripts of some pages against a mail server",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="an .rst or .md file or a folder (default: course/)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="parallel workers, each with its own server (default: 1)",
    )
    for name, spec in REPLAY_OPTIONS.items():
        parser.add_argument(f"--{name}", **spec)
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
        "--save-actual",
        type=Path,
        metavar="DIR",
        help="write what the server really answered, one file per transcript: DIR/PAGE/NAME.txt",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="report failures and the summary only",
    )
    parser.set_defaults(handler=check)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def check(args: argparse.Namespace) -> int:
    paths = [Path(path) for path in args.paths] or [Path("course")]
    missing = [path for path in paths if not path.exists()]
    if missing:
        print(
            f"telnetmail check: no such file or folder: {missing[0]}", file=sys.stderr
        )
        return EXIT_USAGE
    cases = list(collect(paths, args.match))
    # ``|``, not ``or``: every problem of the pages is told at once.
    if report_parse_errors(cases) | report_duplicate_names(cases):
        return EXIT_USAGE
    report_related_sizes(cases)
    if not cases:
        print("telnetmail check: no transcripts found", file=sys.stderr)
        return EXIT_USAGE
    try:
        outcomes = run_cases(
            cases,
            backend=args.backend,
            jobs=args.jobs,
            timeout=args.timeout,
            telnet=args.telnet,
            progress=lambda outcome: show(outcome, args.quiet),
        )
    except BackendUnavailable as missing:
        print(f"telnetmail check: {missing}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(outcomes))
    if args.output:
        args.output.write_text(output_text(outcomes), encoding="utf-8")
    if args.junit_xml:
        write_junit(args.junit_xml, outcomes)
    if args.save_actual:
        save_actual(args.save_actual, outcomes)
    failed = any(outcome.status is Status.FAILED for outcome in outcomes)
    return EXIT_FAILED if failed else EXIT_OK


def save_actual(folder: Path, outcomes: list[Outcome]) -> None:
    """Each replayed session as a page would write it, to compare servers side by side."""
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


def collect(paths: list[Path], default_match: str) -> Iterator[Case]:
    for page in pages(paths):
        text = page.read_text(encoding="utf-8")
        for block in scan_page(page.name, text):
            yield Case.parse(
                str(page), block.lineno, block.content, block.options, default_match
            )


def pages(paths: list[Path]) -> Iterator[Path]:
    """Each page once, even when named both itself and through its folder:
    read twice, its every name would be a duplicate of itself."""
    seen: set[Path] = set()
    for page in _pages_under(paths):
        if page.resolve() not in seen:
            seen.add(page.resolve())
            yield page


def _pages_under(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        found = (page for suffix in PAGE_SUFFIXES for page in path.rglob(f"*{suffix}"))
        for page in sorted(found):
            if not SKIPPED_FOLDERS.intersection(page.relative_to(path).parts):
                yield page


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
    if outcome.status is Status.FAILED:
        print(
            f"{outcome.case.path}:{outcome.lineno}: FAIL {describe(outcome)}",
            flush=True,
        )
    elif not quiet:
        note = f": {outcome.message}" if outcome.message else ""
        print(
            f"{outcome.status.upper():7} {outcome.case.name} ({outcome.seconds:.2f} s){note}",
            flush=True,
        )
