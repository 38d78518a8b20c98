"""test_replay.py's right and wrong pages, against real Postfix and Dovecot.

The same test functions, imported: each wrong page must fail on the real
servers at the same page line as on the embedded one, and each right page
must pass on both. Only the fixtures differ: the backend is dovecot-postfix.
"""

from __future__ import annotations

import re

import pytest

import test_replay
from dovecot_fixtures import backend, needs_real_servers  # noqa: F401  (a fixture)
from server_fixtures import TELNETS
from telnetmail.replay.engine import Verifier
from test_replay import (  # noqa: F401  (collected here, with this module's fixtures)
    TIMEOUT,
    test_a_354_shown_as_250_fails,
    test_a_changed_body_line_fails,
    test_a_failing_prerequisite_fails_its_dependents_and_says_which,
    test_a_listing_the_server_does_not_have_fails,
    test_a_login_that_fails_while_the_page_shows_success_fails,
    test_a_message_count_the_server_does_not_have_fails,
    test_a_missing_line_fails,
    test_a_reply_shown_for_a_command_the_server_rejects_fails,
    test_a_wrong_imap_status_fails,
    test_a_wrong_reply_code_fails,
    test_an_extra_line_fails_when_the_server_stays_silent,
    test_commands_in_an_order_the_server_refuses_fail,
    test_differences_the_rfcs_allow_pass_in_protocol_mode_but_not_in_exact,
    test_read_write_where_the_server_says_read_only_fails,
    test_the_seed_dialogues_pass_in_protocol_mode,
    test_the_servers_own_answers_pass_exact_mode,
)

pytestmark = needs_real_servers

#: Dovecot ends tagged replies with how long the command took.
DOVECOT_TIMING = (r"\(\d+\.\d+(?: \+ \d+\.\d+)+ secs\)", "text")




@pytest.fixture(params=TELNETS)
def verifier(request, backend, monkeypatch) -> Verifier:
    # The server's own answers, written as an exact page, mark Dovecot's
    # timings volatile too: they change from run to run.
    monkeypatch.setattr(
        test_replay, "_VOLATILE", [*test_replay._VOLATILE, DOVECOT_TIMING]
    )
    return Verifier(backend, timeout=TIMEOUT, telnet=request.param)


def test_dovecot_timings_are_marked_volatile():
    line = "server: a3 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs)."
    pattern, kind = DOVECOT_TIMING
    assert re.sub(pattern, f"{{{{{kind}:x}}}}", line).endswith("completed {{text:x}}.")
