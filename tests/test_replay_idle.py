"""IDLE replayed end to end (RFC 2177): real telnet, the embedded server.

After ``IDLE`` the reply due is the continuation ``+``; the tagged reply
comes only after the client's ``DONE``, or as a BAD when the client types
anything else. A page that shows IDLE otherwise must fail where it diverges.
"""

from __future__ import annotations

import pytest

from server_fixtures import TELNETS
from telnetmail.core.rstscan import scan
from telnetmail.replay.engine import Case, Status, Verifier
from telnetmail.replay.report import describe

IDLE = """\
.. transcript::
   :name: idle

   telnet: > telnet imap.example.com imap
   server: * OK Dovecot ready.
   client: a1 LOGIN MyUsername MyPassword
   server: a1 OK Logged in
   client: a2 SELECT INBOX
   server: * 0 EXISTS
   server: a2 OK [READ-WRITE] Select completed.
   client: a3 IDLE
   server: + idling
   client: DONE
   server: a3 OK Idle completed.
   client: a4 IDLE
   server: + idling
   client: a5 NOOP
   server: a4 BAD Expected DONE.
   client: a6 LOGOUT
   server: * BYE Logging out
   server: a6 OK Logout completed.
"""

@pytest.fixture(params=TELNETS)
def verifier(request, backend) -> Verifier:
    return Verifier(backend, timeout=1.0, telnet=request.param)


def outcome_of(verifier: Verifier, page: str):
    [block] = scan(page)
    case = Case.parse("page.rst", block.lineno, block.content, block.options)
    return verifier.verify(case, {case.name: case})


def line_of(page: str, text: str) -> int:
    return page.splitlines().index(text) + 1


def test_idle_done_and_a_command_typed_during_idle_pass(verifier):
    outcome = outcome_of(verifier, IDLE)
    assert outcome.status is Status.PASSED, describe(outcome)


def test_a_page_without_the_continuation_fails_where_it_is_due(verifier):
    page = IDLE.replace(
        "   client: a3 IDLE\n   server: + idling\n", "   client: a3 IDLE\n"
    )
    outcome = outcome_of(verifier, page)
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith("the server sends '+ "), outcome.message


def test_a_command_during_idle_shown_as_run_fails(verifier):
    wrong = "   server: a4 OK Idle completed."
    page = IDLE.replace("   server: a4 BAD Expected DONE.", wrong)
    outcome = outcome_of(verifier, page)
    assert outcome.status is Status.FAILED
    assert outcome.lineno == line_of(page, wrong)
    assert "BAD where the page shows OK" in outcome.message


def test_the_tagged_reply_shown_before_done_fails(verifier):
    # The server answers IDLE only after DONE: a page that shows the OK first
    # waits for a reply the server never sends.
    page = IDLE.replace(
        "   client: DONE\n   server: a3 OK Idle completed.\n",
        "   server: a3 OK Idle completed.\n   client: DONE\n",
    )
    outcome = outcome_of(verifier, page)
    assert outcome.status is Status.FAILED
    assert outcome.lineno == line_of(page, "   server: a3 OK Idle completed.")
