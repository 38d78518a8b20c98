"""The page walk: each page also replayed in page order on one server, as a
student types it; ``:reset:`` starts a dialogue from its own starting state.

Each test runs ``telnetmail check`` as users do: a real process, real telnet,
the embedded server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_check_command import RIGHT, WRONG, check, numbered, page
from walkpages import DELETE, READ, SEND

from telnetmail.replay.runner import UNITS_PER_CHILD

RESET_READ = READ.replace(":after: send\n", ":after: send\n   :reset:\n")

#: Typed after ``send``, it finds the message; alone, nothing was sent.
READ_WITHOUT_AFTER = READ.replace("   :after: send\n", "").replace(
    ":name: read", ":name: read-on"
)


def line_of(path: Path, text: str, start: str = "") -> int:
    """The 1-based page line holding ``text``, after the line holding ``start``."""
    lines = path.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if start in line)
    return next(i for i, line in enumerate(lines) if i > first and text in line) + 1


def test_a_page_that_passes_alone_but_not_walked_fails_at_its_line_naming_both_modes(
    tmp_path,
):
    path = page(tmp_path, SEND + "\n" + DELETE + "\n" + READ)
    result = check(str(path))
    assert result.returncode == 1, result.stdout
    where = line_of(path, "+OK 1 messages", ":name: read")
    assert (
        f"{path}:{where}: FAIL transcript 'read' (protocol, walked in page order;"
        f" isolated it passed): 0 messages where the page shows 1 messages"
    ) in result.stdout
    assert "3 passed, 0 failed, 0 skipped; walked: 2 passed, 1 failed" in result.stdout


def test_a_page_that_passes_walked_but_not_alone_fails_at_its_line_naming_both_modes(
    tmp_path,
):
    path = page(tmp_path, SEND + "\n" + READ_WITHOUT_AFTER)
    result = check(str(path))
    assert result.returncode == 1, result.stdout
    where = line_of(path, "+OK 1 messages", ":name: read-on")
    assert (
        f"{path}:{where}: FAIL transcript 'read-on' (protocol, isolated):"
    ) in result.stdout
    assert re.search(r"PASSED  read-on \[walked\] \(", result.stdout)
    assert "1 passed, 1 failed, 0 skipped; walked: 2 passed, 0 failed" in result.stdout


def test_a_reset_dialogue_starts_the_walk_again_from_its_own_starting_state(
    tmp_path,
):
    path = page(tmp_path, SEND + "\n" + DELETE + "\n" + RESET_READ)
    result = check(str(path))
    assert result.returncode == 0, result.stdout
    assert "3 passed, 0 failed, 0 skipped; walked: 3 passed, 0 failed" in result.stdout


def test_after_a_walk_failure_the_page_is_skipped_up_to_the_next_reset(tmp_path):
    again = READ.replace(":name: read", ":name: again")
    after_reset = RESET_READ.replace(":name: read", ":name: fresh")
    path = page(
        tmp_path,
        "\n".join([SEND, DELETE, READ, again, after_reset]),
    )
    result = check(str(path))
    assert result.returncode == 1
    failed_at = line_of(path, "+OK 1 messages", ":name: read")
    assert re.search(
        rf"SKIPPED again \[walked\] .*: not walked: the walk failed at "
        rf"{re.escape(str(path))}:{failed_at}",
        result.stdout,
    )
    assert re.search(r"PASSED  fresh \[walked\]", result.stdout)


def test_each_page_starts_its_walk_from_empty_mailboxes(tmp_path):
    # The mail sent on one page is not there when the next page is walked.
    page(tmp_path, SEND, "a.rst")
    second = page(tmp_path, READ, "b.rst")
    result = check(str(tmp_path))
    assert result.returncode == 1
    where = line_of(second, "+OK 1 messages")
    assert f"{second}:{where}: FAIL transcript 'read' (protocol, walked" in (
        result.stdout
    )


def test_no_walk_replays_each_transcript_alone_only(tmp_path):
    path = page(tmp_path, SEND + "\n" + DELETE + "\n" + READ)
    result = check(str(path), "--no-walk")
    assert result.returncode == 0, result.stdout
    assert "[walked]" not in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith(
        "3 passed, 0 failed, 0 skipped in "
    )


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_parallel_workers_report_the_walk_as_one_worker_does(tmp_path, jobs):
    page(tmp_path, SEND + "\n" + DELETE + "\n" + READ, "a.rst")
    page(tmp_path, SEND.replace("send", "other-send"), "b.rst")
    # Enough dialogues for worker processes to join (see run_cases), some
    # failing alone too, so that a child's failure reports are compared.
    page(tmp_path, numbered(RIGHT, 3 * UNITS_PER_CHILD), "c.rst")
    page(tmp_path, numbered(WRONG, 5), "d.rst")

    def report(jobs: str) -> list[str]:
        output = check(str(tmp_path), "-j", jobs).stdout
        return [re.sub(r"\d+\.\d\d s", "T", line) for line in output.splitlines()]

    assert report("1") == report(jobs)


def test_a_reset_with_after_but_no_name_is_warned_at_its_directive(tmp_path):
    unnamed = RESET_READ.replace("   :name: read\n", "")
    path = page(tmp_path, SEND + "\n" + unnamed)
    result = check(str(path))
    directives = [
        number
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.startswith(".. transcript::")
    ]
    assert (
        f"{path}:{directives[1]}: warning: :reset: with :after: needs a :name:"
    ) in result.stderr


def test_pasting_types_every_client_line_at_once_after_the_greeting(tmp_path):
    path = page(tmp_path, SEND)
    saved = tmp_path / "actual"
    result = check(str(path), "--paste", "--no-walk", "--save-actual", str(saved))
    assert result.returncode == 0, result.stdout
    session = next(saved.rglob("send.txt")).read_text().splitlines()
    talk = [line.split(":", 1)[0] for line in session if not line.startswith("telnet")]
    # The greeting, every typed line, then the replies.
    assert talk[:2] == ["server", "client"]
    assert talk.index("server", 1) == 1 + talk.count("client")


def test_a_wrong_page_fails_pasted_too(tmp_path):
    path = page(tmp_path, SEND.replace("server: 354 ", "server: 250 "))
    result = check(str(path), "--paste", "--no-walk")
    assert result.returncode == 1
    assert "reply code 354 where the page shows 250" in result.stdout


def test_every_course_page_typed_or_pasted_in_order_gives_what_it_shows():
    for how in ((), ("--paste",)):
        result = check("course", *how)
        assert result.returncode == 0, result.stdout
