"""How outcomes are told: a failure with its diff, a summary, JUnit XML."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail.replay.engine import Outcome, Status, Walking

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

#: Lines of context shown around the page line that diverges.
CONTEXT = 3
#: Received lines shown at most (the last ones: where it went wrong).
RECEIVED_SHOWN = 12


def describe(outcome: Outcome) -> str:
    """A failure as a reader needs it: where, why, the page and the server."""
    head = (
        f"transcript {outcome.case.name!r} ({outcome.case.match}, "
        f"{how_replayed(outcome)}): {outcome.message}"
    )
    mismatch = outcome.mismatch
    if mismatch is None:
        return head
    return "\n".join([head, *diff_lines(outcome)])


def label(outcome: Outcome) -> str:
    """The case's name, and ``[walked]`` after it for its walk."""
    if outcome.walking is Walking.ISOLATED:
        return outcome.case.name
    return f"{outcome.case.name} [{outcome.walking}]"


def how_replayed(outcome: Outcome) -> str:
    """The mode of a replay: ``isolated`` (alone, after its :after: chain) or
    ``walked`` (after the page's earlier transcripts, on one server), with
    the isolated verdict where it differs."""
    if outcome.walking is Walking.ISOLATED:
        return "isolated"
    said = "walked in page order"
    if outcome.isolated is not None and outcome.isolated is not outcome.status:
        said += f"; isolated it {outcome.isolated}"
    return said


def diff_lines(outcome: Outcome) -> list[str]:
    mismatch = outcome.mismatch
    assert mismatch is not None
    lines = ["  page:"]
    around = [
        (lineno, text)
        for lineno, text in mismatch.expected
        if abs(lineno - mismatch.lineno) <= CONTEXT
    ]
    for lineno, text in around or mismatch.expected[-CONTEXT:]:
        marker = ">" if lineno == mismatch.lineno else " "
        lines.append(f"  {marker} {lineno:4} | {text}")
    lines.append("  server:")
    received = mismatch.received[-RECEIVED_SHOWN:]
    if len(mismatch.received) > len(received):
        lines.append(
            f"         | ... ({len(mismatch.received) - len(received)} lines before)"
        )
    lines += [f"         | {text}" for text in received] or ["         | (nothing)"]
    return lines


def summary(outcomes: list[Outcome], wall: float) -> str:
    """Passed, failed and skipped per page and mode, then in all.

    The last line gives *wall*, the run's wall time (servers' start and stop
    included), and the dialogues' own time added up: with several workers
    the sum exceeds the wall time, so the sum alone would misreport a
    parallel run as slower than it was.
    """
    pages: dict[str, dict[Walking, Counter[Status]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for outcome in outcomes:
        pages[outcome.case.path][outcome.walking][outcome.status] += 1
    width = max((len(path) for path in pages), default=10)
    rows = [
        f"{path:<{width}}  {_by_mode(modes)}" for path, modes in sorted(pages.items())
    ]
    total: dict[Walking, Counter[Status]] = defaultdict(Counter)
    for outcome in outcomes:
        total[outcome.walking][outcome.status] += 1
    dialogues = sum(outcome.seconds for outcome in outcomes)
    rows.append(f"{_by_mode(total)} in {wall:.2f} s (dialogues {dialogues:.2f} s)")
    return "\n".join(rows)


def _by_mode(modes: dict[Walking, Counter[Status]]) -> str:
    """``3 passed, 0 failed, 0 skipped``, then the walk's counts if any."""
    told = [_counts(modes[Walking.ISOLATED])]
    if Walking.WALKED in modes:
        told.append(f"walked: {_counts(modes[Walking.WALKED])}")
    return "; ".join(told)


def _counts(counts: Counter[Status]) -> str:
    return ", ".join(f"{counts[status]} {status}" for status in Status)


def output_text(outcomes: list[Outcome], wall: float) -> str:
    """``output.txt``: every transcript's result, the failures in full, the summary."""
    lines = [
        f"{outcome.case.path}:{outcome.lineno}: [{outcome.status}] {label(outcome)}"
        + (f": {outcome.message}" if outcome.message else "")
        for outcome in outcomes
    ]
    failures = [
        describe(outcome) for outcome in outcomes if outcome.status is Status.FAILED
    ]
    return "\n".join([*lines, "", *failures, "", summary(outcomes, wall), ""])


def write_junit(path: Path, outcomes: list[Outcome]) -> None:
    """JUnit XML, one test case per transcript, one suite per page."""
    # Here, not at the top: a check asked for no XML never loads the parser.
    from xml.etree import ElementTree

    root = ElementTree.Element("testsuites", name="telnetmail")
    suites: dict[str, Element] = {}
    for outcome in outcomes:
        suite = suites.get(outcome.case.path)
        if suite is None:
            suite = ElementTree.SubElement(root, "testsuite", name=outcome.case.path)
            suites[outcome.case.path] = suite
        _add_case(suite, outcome)
    for suite in suites.values():
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set(
            "failures",
            str(sum(1 for case in cases if case.find("failure") is not None)),
        )
        suite.set(
            "skipped", str(sum(1 for case in cases if case.find("skipped") is not None))
        )
        suite.set("time", f"{sum(float(case.get('time', 0)) for case in cases):.3f}")
    tree = ElementTree.ElementTree(root)
    ElementTree.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _add_case(suite: Element, outcome: Outcome) -> None:
    from xml.etree import ElementTree  # loaded by write_junit

    case = ElementTree.SubElement(
        suite,
        "testcase",
        classname=outcome.case.path,
        name=label(outcome),
        file=outcome.case.path,
        line=str(outcome.lineno),
        time=f"{outcome.seconds:.3f}",
    )
    if outcome.status is Status.FAILED:
        failure = ElementTree.SubElement(case, "failure", message=outcome.message)
        failure.text = describe(outcome)
    elif outcome.status is Status.SKIPPED:
        ElementTree.SubElement(case, "skipped", message=outcome.message)


def as_transcript(actual: list[tuple[str, str]]) -> str:
    """What a session really was, written as a page writes it.

    Each line exactly as typed or received, trailing spaces and tabs
    included: the file is for comparing servers, and a difference may be
    just there. An empty line is ``role:`` alone, as a page writes it.
    """
    return "".join(
        f"{role}: {text}\n" if text else f"{role}:\n" for role, text in actual
    )
