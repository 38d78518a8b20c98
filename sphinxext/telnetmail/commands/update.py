"""``telnetmail check --update``: rewrite failing transcripts' server lines.

Each failing transcript is replayed again without comparing (its
``:after:`` chain first), its server lines are rewritten from what the
server said (:mod:`telnetmail.core.rewrite`), and the rewritten transcript
is verified: only one that then passes is written. A transcript the server
cannot follow with the page's client lines (it closes the connection, it
stops answering, or the rewritten page still fails) is reported, not
rewritten: it needs a client change, which is the author's to make.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import sys
from collections import defaultdict
from pathlib import Path

from telnetmail.core.mystscan import scan_page
from telnetmail.core.recording import PageLine
from telnetmail.core.rewrite import Edit, NeedsClient, apply, gap_at, rewrite
from telnetmail.exitcodes import EXIT_FAILED, EXIT_OK
from telnetmail.replay.backends import make_backend
from telnetmail.replay.chain import ChainFailed, replay_chain, typed_lines
from telnetmail.replay.engine import Case, Outcome, Status, Verifier, Walking
from telnetmail.replay.freerun import free_run
from telnetmail.replay.runner import named_cases

#: Seconds a trial of a line put back waits for a reply.
TRIAL_TIMEOUT = 0.5


def update_pages(
    cases: list[Case], outcomes: list[Outcome], args: argparse.Namespace
) -> int:
    """Rewrite (or with ``--dry-run`` show) each failing transcript; the exit status."""
    failed = [outcome for outcome in outcomes if outcome.status is Status.FAILED]
    if not failed:
        return EXIT_OK
    # A transcript is rewritten from its replay alone; one that fails only
    # when its page is walked needs its page's order changed, not its lines.
    failing = [each for each in failed if each.walking is Walking.ISOLATED]
    alone = {id(each.case) for each in failing}
    walked_only = {
        id(each.case): each for each in failed if id(each.case) not in alone
    }
    for each in walked_only.values():
        print(
            f"{each.case.path}:{each.lineno}: not rewritten: {each.case.name!r} "
            f"passes alone and fails only walked in page order: {each.message}",
            file=sys.stderr,
        )
    named = named_cases(cases)
    edits: dict[str, list[Edit]] = defaultdict(list)
    refused = len(walked_only)
    backend = make_backend(args.backend, args.server_name)
    backend.start()
    try:
        verifier = Verifier(backend, timeout=args.timeout, telnet=args.telnet)
        for outcome in failing:
            case = outcome.case
            try:
                found, named[case.name] = confirmed_edits(
                    verifier, case, named, args.match
                )
            except (NeedsClient, ChainFailed) as why:
                print(
                    f"{case.location}: not rewritten: {case.name!r}: {why}",
                    file=sys.stderr,
                )
                refused += 1
                continue
            if found:
                edits[case.path] += found
    finally:
        backend.stop()
    for path, page_edits in edits.items():
        publish(Path(path), page_edits, dry_run=args.dry_run)
    return EXIT_FAILED if refused or args.dry_run else EXIT_OK


def confirmed_edits(
    verifier: Verifier, case: Case, named: dict[str, Case], default_match: str
) -> tuple[list[Edit], Case]:
    """The edits for a failing ``case``, once it passes, and the case rewritten.

    Only the replies that fail are rewritten: the one where the check
    fails, then each where the rewritten page fails next, so a reply the
    verifier accepts stays as the author wrote it. The case is verified
    again first: the transcripts of its ``:after:`` chain may have just been
    rewritten (``named`` holds them so).
    """
    outcome = verifier.verify(case, named)
    if outcome.status is Status.PASSED:
        return [], case
    source = page_lines(case.path)
    run = session_of(verifier, case, named)
    typed = typed_lines(case.after, named) | {
        line.text for line in case.transcript.client_lines()
    }
    assert case.transcript.protocol is not None  # it was replayed
    done: set[int] = set()
    current = case
    while (gap := gap_at(current.transcript.lines, outcome.lineno, done)) is not None:
        done.add(gap)
        edits = rewrite(
            source, case.transcript.protocol, case.transcript.lines, run, typed, done
        )
        current = reparse(case, apply(source, edits), default_match)
        outcome = verifier.verify(current, {**named, case.name: current})
        if outcome.status is Status.PASSED:
            return keep_accepted(verifier, current, named, source, edits, default_match)
    raise NeedsClient(
        f"with the server's lines it still fails at line {outcome.lineno}"
        f" ({outcome.message}): the dialogue needs a client change"
        " (or a narrated reply written out)"
    )


def keep_accepted(
    verifier: Verifier,
    case: Case,
    named: dict[str, Case],
    source: list[str],
    edits: list[Edit],
    default_match: str,
) -> tuple[list[Edit], Case]:
    """Put back each page line the rewrite replaced that the verifier
    accepts as written (a reply's text, a response code left out).

    A trial that fails may wait for a reply the line put back announces:
    trials wait :data:`TRIAL_TIMEOUT` at most. A slow reply only keeps the
    server's line, which passes anyway.
    """
    verifier = copy.copy(verifier)
    verifier.timeout = min(verifier.timeout, TRIAL_TIMEOUT)
    for edit in edits:
        for index, written in list(edit.was.items()):
            new, edit.new[index] = edit.new[index], written
            trial = reparse(case, apply(source, edits), default_match)
            if (
                verifier.verify(trial, {**named, case.name: trial}).status
                is Status.PASSED
            ):
                case = trial
            else:
                edit.new[index] = new
    return edits, case


def session_of(
    verifier: Verifier, case: Case, named: dict[str, Case]
) -> list[PageLine]:
    """The whole session the page's client lines get from the server now."""
    replay_chain(verifier, case.after, named, case.name)
    run = free_run(verifier, case)
    if run.stopped is not None:
        lineno, why = run.stopped
        raise NeedsClient(
            f"at line {lineno}, {why}: the dialogue needs a client change"
        )
    return run.lines


def page_lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


def reparse(case: Case, source: list[str], default_match: str) -> Case:
    """``case`` as the rewritten source writes it (its directive line is unmoved)."""
    text = "\n".join(source) + "\n"
    block = next(
        block for block in scan_page(case.path, text) if block.lineno == case.lineno
    )
    return Case.parse(
        case.path, block.lineno, block.content, block.options, default_match
    )


def publish(path: Path, edits: list[Edit], *, dry_run: bool) -> None:
    """Print the page's unified diff; write the page unless ``dry_run``."""
    old_text = path.read_text(encoding="utf-8")
    old = old_text.splitlines()
    new = apply(old, edits)
    diff = difflib.unified_diff(old, new, str(path), str(path), lineterm="")
    print("\n".join(diff), flush=True)
    if not dry_run:
        ending = "\n" if old_text.endswith("\n") else ""
        path.write_text("\n".join(new) + ending, encoding="utf-8")
        print(f"telnetmail check: updated {path}", file=sys.stderr)
