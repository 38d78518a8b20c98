"""test_chain_states.py's chains, against real Postfix and Dovecot.

The same test functions, imported: a chain several dialogues share is
replayed once on this backend too, from the mailboxes Dovecot kept and the
backend copied aside, and the verdicts are those of a full replay. Only the
fixture differs: the backend is dovecot-postfix.
"""

from __future__ import annotations

from dovecot_fixtures import backend, needs_real_servers  # noqa: F401  (a fixture)
from test_chain_states import (  # noqa: F401  (collected here, with this module's fixtures)
    test_a_chain_that_fails_fails_each_dialogue_after_it_as_a_full_replay_does,
    test_a_chain_two_dialogues_share_is_replayed_once,
    test_a_dialogue_starts_from_its_own_chain_not_from_a_later_one,
    test_a_resumed_chain_brings_back_what_it_captured_and_sent,
    test_a_wrong_dialogue_after_a_saved_chain_fails_at_its_line,
    test_only_a_backend_that_saves_is_restorable,
    test_without_saving_every_dialogue_replays_its_chain,
)

pytestmark = needs_real_servers
