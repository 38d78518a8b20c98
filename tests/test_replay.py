"""The verifier end to end: real telnet, the embedded server, right and wrong pages.

Every wrong page here must fail at the page line where it first diverges
from the server, with a diff that shows both; every page that differs from
the server only where the RFCs allow must pass in protocol mode and fail in
exact mode.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server_fixtures import TELNETS
from telnetmail.core.rstscan import scan
from telnetmail.replay.engine import Case, Status, Verifier
from telnetmail.replay.report import as_transcript, describe
from telnetmail.replay.runner import named_cases

COURSE_PAGE = Path(__file__).resolve().parent.parent / "course" / "telnet-mail.rst"
TIMEOUT = 1.0  # silence is a failure sooner than the default

@pytest.fixture(params=TELNETS)
def verifier(request, backend) -> Verifier:
    return Verifier(backend, timeout=TIMEOUT, telnet=request.param)


def seed_cases() -> dict[str, Case]:
    text = COURSE_PAGE.read_text(encoding="utf-8")
    return named_cases(
        [
            Case.parse(str(COURSE_PAGE), b.lineno, b.content, b.options)
            for b in scan(text)
        ]
    )


def page_line(needle: str, start: int = 1) -> int:
    """The course page's line number of the first line holding ``needle``,
    from line ``start`` on (a transcript's own line, when the page shows the
    same line in several transcripts)."""
    for number, text in enumerate(
        COURSE_PAGE.read_text(encoding="utf-8").splitlines(), 1
    ):
        if number >= start and needle in text:
            return number
    raise AssertionError(needle)


def changed(name: str, old: str, new: str, match: str | None = None) -> Case:
    """A seed case with one line changed (or removed, when ``new`` is None)."""
    seed = seed_cases()[name]
    block = next(
        b
        for b in scan(COURSE_PAGE.read_text(encoding="utf-8"))
        if b.options.get("name") == name
    )
    content = []
    for number, text in block.content:
        if old in text:
            if new is None:
                continue
            text = text.replace(old, new)
        content.append((number, text))
    options = {**block.options, "name": f"{name}-changed"}
    if match:
        options["match"] = match
    case = Case.parse(seed.path, seed.lineno, content, options)
    assert case.transcript.readable
    return case


def verify(verifier: Verifier, case: Case):
    return verifier.verify(case, {**seed_cases(), case.name: case})


def assert_fails_at(outcome, needle: str, received: str) -> None:
    assert outcome.status is Status.FAILED, outcome
    assert outcome.lineno == page_line(needle, outcome.case.lineno), describe(outcome)
    text = describe(outcome)
    assert re.search(rf">\s+{outcome.lineno} \| ", text), text
    assert received in text, text


# -- right pages --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed-smtp", "seed-pop3", "seed-imap"])
def test_the_seed_dialogues_pass_in_protocol_mode(verifier, name):
    outcome = verifier.verify(seed_cases()[name], seed_cases())
    assert outcome.status is Status.PASSED, describe(outcome)


def actual_page(verifier: Verifier, name: str, match: str = "exact") -> Case:
    """The server's own answers to a seed dialogue, written as a page.

    Values that change from run to run (dates, ids, the address telnet
    tries) are marked volatile, so the page holds for every run.
    """
    outcome = verifier.verify(seed_cases()[name], seed_cases())
    assert outcome.status is Status.PASSED, describe(outcome)
    after = seed_cases()[name].after
    content = [
        (number, _mark_volatile(line))
        for number, line in enumerate(as_transcript(outcome.actual).splitlines(), 1)
    ]
    return Case.parse(
        "actual.rst",
        1,
        content,
        {"name": f"actual-{name}", "match": match, "after": " ".join(after)},
    )


_VOLATILE = [
    (
        r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}(?: \(\w+\))?",
        "date",
    ),
    (r"<[^<>@\s]+@[^<>\s]+>", "message-id"),
    (r"(?<=id )[A-Z0-9]{6,}\b|(?<=queued as )[A-Z0-9]+", "queue-id"),
    (r"(?<=Trying )\S+(?=\.\.\.)|(?<=Connected to )\S+(?=\.$)", "address"),
    (r"(?<=\[UIDVALIDITY )\d+", "uidvalidity"),
]


def _mark_volatile(line: str) -> str:
    for pattern, kind in _VOLATILE:
        line = re.sub(
            pattern, lambda found, kind=kind: f"{{{{{kind}:{found[0]}}}}}", line
        )
    return line


@pytest.mark.parametrize("name", ["seed-smtp", "seed-pop3", "seed-imap"])
def test_the_servers_own_answers_pass_exact_mode(verifier, name):
    # Recorded, then replayed: Postfix's Received: date may tick to the next
    # second in between, which exact mode rightly calls a different line. A
    # real drift fails every round.
    for _round in range(3):
        page = actual_page(verifier, name)
        outcome = verifier.verify(page, {**seed_cases(), page.name: page})
        if outcome.status is Status.PASSED:
            break
    assert outcome.status is Status.PASSED, describe(outcome)


# -- wrong pages: each fails at its line, with both sides shown ---------------------


def test_a_wrong_reply_code_fails(verifier):
    outcome = verify(
        verifier, changed("seed-smtp", "server: 221 mx1", "server: 250 mx1")
    )
    assert_fails_at(outcome, "server: 221 mx1", "221")


def test_a_354_shown_as_250_fails(verifier):
    outcome = verify(verifier, changed("seed-smtp", "server: 354 Ok", "server: 250 Ok"))
    assert_fails_at(outcome, "server: 354 Ok", "354")
    assert outcome.message == "reply code 354 where the page shows 250"


def test_a_reply_shown_for_a_command_the_server_rejects_fails(verifier):
    outcome = verify(
        verifier,
        changed(
            "seed-smtp",
            "RCPT to: <recipient@example.com>",
            "RCPT to: <nobody@example.com>",
        ),
    )
    assert_fails_at(outcome, "server: 250 Recipient", "550")


def test_commands_in_an_order_the_server_refuses_fail(verifier):
    outcome = verify(
        verifier,
        changed("seed-smtp", "client: HELO client.example.com", "client: NOOP"),
    )
    # NOOP is fine before HELO; MAIL is not.
    assert_fails_at(outcome, "server: 250 Sender", "503")


def test_a_message_count_the_server_does_not_have_fails(verifier):
    outcome = verify(
        verifier, changed("seed-imap", "server: * 1 EXISTS", "server: * 2 EXISTS")
    )
    assert_fails_at(outcome, "server: * 1 EXISTS", "* 1 EXISTS")


def test_a_listing_the_server_does_not_have_fails(verifier):
    outcome = verify(verifier, changed("seed-pop3", "server: 1 482", "server: 2 482"))
    assert_fails_at(
        outcome, "server: 1 482", "the listing has messages 1 where the page shows 2"
    )


def test_a_changed_body_line_fails(verifier):
    case = changed(
        "seed-pop3", "server: This is a test message.", "server: This is a message."
    )
    outcome = verify(verifier, case)
    assert_fails_at(
        outcome, "server: This is a test message.", "This is a test message."
    )


def test_read_write_where_the_server_says_read_only_fails(verifier):
    outcome = verify(
        verifier, changed("seed-imap", "a3 OK [READ-ONLY]", "a3 OK [READ-WRITE]")
    )
    assert_fails_at(outcome, "a3 OK [READ-ONLY]", "[READ-ONLY]")


def test_a_wrong_imap_status_fails(verifier):
    outcome = verify(verifier, changed("seed-imap", "a5 OK Logout", "a5 NO Logout"))
    assert_fails_at(outcome, "a5 OK Logout", "a5 OK")


def test_a_login_that_fails_while_the_page_shows_success_fails(verifier):
    outcome = verify(
        verifier,
        changed(
            "seed-imap", "LOGIN MyUsername MyPassword", "LOGIN MyUsername WrongPassword"
        ),
    )
    assert_fails_at(outcome, "a1 OK Logged in.", "a1 NO")


def test_a_missing_line_fails(verifier):
    outcome = verify(verifier, changed("seed-smtp", "server: 354 Ok", None))
    assert_fails_at(outcome, "server: 250 Message received", "354")


def test_an_extra_line_fails_when_the_server_stays_silent(verifier):
    block = next(
        b
        for b in scan(COURSE_PAGE.read_text(encoding="utf-8"))
        if b.options.get("name") == "seed-smtp"
    )
    helo_reply = page_line("server: 250 mx1.example.com")
    content = []
    for number, text in block.content:
        content.append((number, text))
        if number == helo_reply:
            content.append(
                (number + 1, "server: 250 An extra line the server never sends")
            )
    outcome = verify(
        verifier, Case.parse(str(COURSE_PAGE), block.lineno, content, {"name": "extra"})
    )
    assert outcome.status is Status.FAILED
    assert outcome.lineno == helo_reply + 1
    assert outcome.message == "the server says nothing more, where the page shows more"


def test_a_failing_prerequisite_fails_its_dependents_and_says_which(verifier):
    broken = changed("seed-smtp", "server: 354 Ok", "server: 250 Ok")
    dependent = changed("seed-pop3", "client: DELE 1", "client: DELE 1")
    dependent.after = [broken.name]
    outcome = verifier.verify(
        dependent, {**seed_cases(), broken.name: broken, dependent.name: dependent}
    )
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith(
        "it needs 'seed-smtp-changed' first, which fails at"
    )


# -- differences the RFCs allow: pass in protocol mode, fail in exact mode -----------


@pytest.mark.parametrize(
    ("name", "pattern", "other_server"),
    [
        # Another server's reply texts.
        (
            "seed-smtp",
            r"^server: 250 2\.1\.0 Ok$",
            "server: 250 Sender <sender@example.com> Ok",
        ),
        # Another UIDVALIDITY.
        ("seed-imap", r"\[UIDVALIDITY [^\]]*\]", "[UIDVALIDITY 1257842737]"),
        # INBOX quoted.
        ("seed-imap", r" INBOX$", ' "INBOX"'),
        # Another Received line.
        (
            "seed-pop3",
            r"^server: Received: .*$",
            "server: Received: from client.example.com ([192.0.2.1])",
        ),
    ],
)
def test_differences_the_rfcs_allow_pass_in_protocol_mode_but_not_in_exact(
    verifier, name, pattern, other_server
):
    for match, expected in (("protocol", Status.PASSED), ("exact", Status.FAILED)):
        page = actual_page(verifier, name, match)
        content, changed_at = [], None
        for line in page.transcript.lines:
            text = f"{line.role}: " + _mark_volatile(line.text)
            new = re.sub(pattern, other_server, text)
            if new != text and changed_at is None:
                changed_at = line.lineno
            content.append((line.lineno, new if changed_at == line.lineno else text))
        assert changed_at is not None
        if match == "protocol":
            content = _resized(content, page.transcript, changed_at)
        other = Case.parse(
            "other.rst",
            1,
            content,
            {"name": "other", "match": match, "after": " ".join(page.after)},
        )
        outcome = verifier.verify(other, {**seed_cases(), "other": other})
        assert outcome.status is expected, describe(outcome)
        if expected is Status.FAILED:
            assert outcome.lineno == changed_at, describe(outcome)


_SIZES = re.compile(r"^(server: \+OK |server: 1 |.*\{)(\d+)( octets|\}|$)")


def _resized(content, transcript, changed_at):
    """The page's sizes, as a changed message line makes them: the page stays
    consistent with itself."""
    before = next(line.text for line in transcript.lines if line.lineno == changed_at)
    after = dict(content)[changed_at].split(": ", 1)[1]
    if not before.startswith("Received:"):
        return content
    delta = len(after.encode()) - len(before.encode())
    return [
        (number, _SIZES.sub(lambda m: f"{m[1]}{int(m[2]) + delta}{m[3]}", text))
        for number, text in content
    ]
